package io.sparkgate.testing;

import io.sparkgate.catalog.JobDefinition;
import io.sparkgate.catalog.JobType;
import io.sparkgate.catalog.RetryPolicy;
import java.util.Map;

/** Job definitions for tests that need a job but few of its details. */
public final class Jobs {

  private Jobs() {}

  /** A jvm job with only its artifact and main class. */
  public static JobDefinition jvm(String appResource, String mainClass) {
    return jvm(appResource, mainClass, null, null, null);
  }

  /** A jvm job with its artifact, main class and limits (null: the service's default). */
  public static JobDefinition jvm(
      String appResource,
      String mainClass,
      Integer maxConcurrentRuns,
      Integer timeoutSeconds,
      RetryPolicy retry) {
    return jvm(appResource, mainClass, null, null, null, maxConcurrentRuns, timeoutSeconds, retry);
  }

  /** A jvm job with its own Spark conf, as stored: nothing checks it on the way in. */
  public static JobDefinition jvmWithConf(String appResource, Map<String, String> sparkConf) {
    return jvm(appResource, "Main", sparkConf, null, null, null, null, null);
  }

  /** A jvm job whose drivers run on a standalone cluster in cluster deploy mode. */
  public static JobDefinition onCluster(String appResource, String master, RetryPolicy retry) {
    return jvm(appResource, "Main", null, master, "cluster", null, null, retry);
  }

  private static JobDefinition jvm(
      String appResource,
      String mainClass,
      Map<String, String> sparkConf,
      String master,
      String deployMode,
      Integer maxConcurrentRuns,
      Integer timeoutSeconds,
      RetryPolicy retry) {
    return new JobDefinition(
        null,
        JobType.JVM,
        appResource,
        mainClass,
        null,
        null,
        sparkConf,
        null,
        master,
        deployMode,
        maxConcurrentRuns,
        timeoutSeconds,
        retry);
  }
}
