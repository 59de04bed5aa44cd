package io.sparkgate.testing;

import io.sparkgate.catalog.JobDefinition;
import io.sparkgate.catalog.JobType;

/** Job definitions for tests that need a job but none of its details. */
public final class Jobs {

  private Jobs() {}

  /** A jvm job with only its artifact and main class. */
  public static JobDefinition jvm(String appResource, String mainClass) {
    return new JobDefinition(
        null,
        JobType.JVM,
        appResource,
        mainClass,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
