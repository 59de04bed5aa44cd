package io.sparkgate.jobs.market;

import org.apache.spark.sql.SparkSession;

/** One local SparkSession for all transformation tests in this JVM. */
final class SparkTestSession {

  private static SparkSession spark;

  private SparkTestSession() {}

  static synchronized SparkSession get() {
    if (spark == null) {
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("spark-jobs-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.sql.session.timeZone", "UTC")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.driver.host", "127.0.0.1")
              .getOrCreate();
    }
    return spark;
  }
}
