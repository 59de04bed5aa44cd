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
    Path scratchDir) {

  /** The conf key that tags every application with its run. */
  public static final String RUN_ID_CONF = "spark.sparkgate.runId";

  public static final String ATTEMPT_CONF = "spark.sparkgate.attempt";
}
