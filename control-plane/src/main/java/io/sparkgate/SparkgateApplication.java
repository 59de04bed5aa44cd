package io.sparkgate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The Sparkgate control plane: one service that owns every Spark run. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class SparkgateApplication {

  public static void main(String[] args) {
    SpringApplication.run(SparkgateApplication.class, args);
  }
}
