package io.sparkgate.run;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One launch of a run, by one instance.
 *
 * @param driverId the standalone master's id of a cluster-mode driver
 * @param progress what the application reported of its progress, if it did (Sparkgate's plugin)
 * @param resources its resource usage so far, with {@code final: true} once it ended
 * @param sparkUiUrl where its driver's web UI listens, while it runs
 * @param eventLogDir where its application wrote its Spark event log, if it wrote one
 */
public record Attempt(
    UUID runId,
    int attempt,
    AttemptState state,
    String instanceId,
    String sparkAppId,
    Instant startedAt,
    Instant finishedAt,
    Integer exitCode,
    String error,
    String logPath,
    String master,
    String deployMode,
    String driverId,
    Map<String, Object> progress,
    Map<String, Object> resources,
    String sparkUiUrl,
    String eventLogDir) {

  /** Whether the driver runs on a cluster, where it outlives the instance that launched it. */
  public boolean onCluster() {
    return "cluster".equals(deployMode) && driverId != null;
  }
}
