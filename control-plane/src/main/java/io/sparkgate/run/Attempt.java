package io.sparkgate.run;

import java.time.Instant;
import java.util.UUID;

/**
 * One launch of a run, by one instance.
 *
 * @param driverId the standalone master's id of a cluster-mode driver
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
    String driverId) {

  /** Whether the driver runs on a cluster, where it outlives the instance that launched it. */
  public boolean onCluster() {
    return "cluster".equals(deployMode) && driverId != null;
  }
}
