package io.sparkgate.run;

import java.time.Instant;
import java.util.UUID;

/** One launch of a run, by one instance. */
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
    String logPath) {}
