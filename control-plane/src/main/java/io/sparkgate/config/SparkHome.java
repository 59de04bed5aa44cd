package io.sparkgate.config;

import java.nio.file.Path;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The Spark home this service launches with, located once at start-up ({@link SparkHomeLocator}),
 * and what this repository's build puts beside it (spark-jobs/target): the jobs jar and the job
 * definitions registered at start-up.
 */
@Component
public class SparkHome {

  private final Optional<Path> path;

  public SparkHome(SparkgateProperties properties) {
    this.path = SparkHomeLocator.locate(properties.spark(), System.getenv("SPARK_HOME"));
  }

  /** The Spark home, if one was found. */
  public Optional<Path> path() {
    return path;
  }

  /** Where the build puts the jobs jar beside its Spark home; it need not exist. */
  public Optional<Path> builtJobsJar() {
    return path.map(h -> h.resolveSibling("spark-jobs.jar"));
  }

  /** Where the build puts the job definitions beside its Spark home; it need not exist. */
  public Optional<Path> builtJobDefinitions() {
    return path.map(h -> h.resolveSibling("jobs"));
  }
}
