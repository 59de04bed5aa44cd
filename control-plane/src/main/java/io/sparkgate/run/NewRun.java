package io.sparkgate.run;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A validated submission, ready to be inserted as a queued run. */
public record NewRun(
    UUID id,
    String job,
    int jobVersion,
    Map<String, Object> params,
    Map<String, String> sparkConf,
    Map<String, String> labels,
    String idempotencyKey,
    String fingerprint,
    UUID previousRunId,
    String submittedBy,
    Instant createdAt,
    int maxAttempts,
    int timeoutSeconds) {
  /** The run as it was inserted: queued, before any attempt. */
  public Run asQueued() {
    return new Run(
        id,
        job,
        jobVersion,
        RunState.QUEUED,
        null,
        params,
        sparkConf,
        labels,
        idempotencyKey,
        fingerprint,
        previousRunId,
        submittedBy,
        createdAt,
        null,
        null,
        0,
        maxAttempts,
        timeoutSeconds,
        createdAt,
        null,
        null,
        null,
        null,
        null);
  }
}
