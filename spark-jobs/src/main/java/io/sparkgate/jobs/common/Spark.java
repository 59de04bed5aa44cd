package io.sparkgate.jobs.common;

import org.apache.spark.sql.SparkSession;

/** The SparkSession every pipeline stage uses, with the settings that make reruns idempotent. */
public final class Spark {

  private Spark() {}

  public static SparkSession session(String name) {
    return SparkSession.builder()
        .appName(name)
        // Overwrite only the partitions a run writes: a rerun of one date replaces that date.
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate();
  }
}
