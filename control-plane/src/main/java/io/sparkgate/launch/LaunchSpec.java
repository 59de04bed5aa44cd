package io.sparkgate.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything a backend needs to start one attempt of a run.
 *
 * @param mainClass null for a Python application
 * @param sparkConf the run's effective conf; the backend adds Sparkgate's own keys
 * @param logFile where the driver's (or the submission client's) output goes
 * @param scratchDir Spark's local dir and the driver's java.io.tmpdir
 * @param metricsUrl where the driver may report metrics for its run
 * @param metricsToken the secret that lets it, and only it (in the driver's environment, see {@link
 *     #METRICS_TOKEN_ENV})
 * @param insightConf Sparkgate's conf that shows it what happens inside the application ({@link
 *     SparkInsight}): its plugin, UI
 */
public record LaunchSpec(
    UUID runId,
    int attempt,
    String job,
    String appResource,
    String mainClass,
    List<String> args,
    Map<String, String> sparkConf,
    String master,
    String deployMode,
    Path logFile,
    Path scratchDir,
    String metricsUrl,
    String metricsToken,
    Map<String, String> insightConf) {

  /**
   * Whether the driver runs on a cluster rather than beside this instance (cluster deploy mode): it
   * outlives the instance, and submitting it may wait on a remote cluster manager.
   */
  public boolean offHost() {
    return "cluster".equals(deployMode);
  }

  /** The conf key that tags every application with its run. */
  public static final String RUN_ID_CONF = "spark.sparkgate.runId";

  public static final String ATTEMPT_CONF = "spark.sparkgate.attempt";

  public static final String METRICS_URL_CONF = "spark.sparkgate.metricsUrl";

  /**
   * The environment variable that hands the driver its metrics secret. Not Spark conf, which is on
   * the command line of spark-submit and of a driver a standalone worker starts, for every local
   * user to read. Named SPARK_* because spark-submit's REST client (standalone cluster mode)
   * forwards exactly those variables to the driver, which the worker starts with them.
   */
  public static final String METRICS_TOKEN_ENV = "SPARK_SPARKGATE_METRICS_TOKEN";
}
