package io.sparkgate.config;

import io.sparkgate.SparkgateApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.system.ApplicationHome;

/**
 * Finds the Spark home to launch with: the configured one, else {@code SPARK_HOME}, else the
 * runtime this repository's build assembles next to the service (spark-jobs/target/spark-home).
 */
public final class SparkHomeLocator {

  private SparkHomeLocator() {}

  public static Optional<Path> locate(SparkgateProperties.Spark spark, String envSparkHome) {
    List<Path> candidates = new ArrayList<>();
    if (!spark.home().isBlank()) {
      // An explicit setting is the only candidate: silently using another runtime would hide
      // a typo.
      return valid(Path.of(spark.home()));
    }
    if (envSparkHome != null && !envSparkHome.isBlank()) {
      return valid(Path.of(envSparkHome));
    }
    Path appDir = new ApplicationHome(SparkgateApplication.class).getDir().toPath();
    // control-plane/target/control-plane.jar, or control-plane/target/classes when run from a build
    candidates.add(appDir.resolve("../../spark-jobs/target/spark-home"));
    candidates.add(appDir.resolve("../../../spark-jobs/target/spark-home"));
    candidates.add(Path.of("spark-jobs/target/spark-home"));
    candidates.add(Path.of("../spark-jobs/target/spark-home"));
    for (Path candidate : candidates) {
      Optional<Path> found = valid(candidate);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> valid(Path home) {
    Path normalized = home.toAbsolutePath().normalize();
    return Files.isExecutable(normalized.resolve("bin/spark-submit"))
        ? Optional.of(normalized)
        : Optional.empty();
  }
}
