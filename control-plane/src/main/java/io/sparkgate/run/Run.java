package io.sparkgate.run;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One request to execute a job version. Its state changes only through {@link RunRepository}'s
 * compare-and-set updates.
 *
 * @param sparkConf the effective Spark conf: the job version's defaults with the run's overrides
 * @param fingerprint hash of job, normalized params and effective conf, for idempotent submits
 */
public record Run(
    UUID id,
    String job,
    int jobVersion,
    RunState state,
    String stateReason,
    Map<String, Object> params,
    Map<String, String> sparkConf,
    Map<String, String> labels,
    String idempotencyKey,
    String fingerprint,
    UUID previousRunId,
    String submittedBy,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    int attempt,
    int maxAttempts,
    int timeoutSeconds,
    Instant notBefore,
    String ownerInstance,
    Instant deadlineAt,
    Instant cancelRequestedAt,
    String cancelRequestedBy,
    Map<String, Object> metrics) {

  /** The current attempt of this copy of the run, as a fence for writes about it. */
  public AttemptRef attemptRef() {
    return new AttemptRef(id, attempt, ownerInstance);
  }
}
