package io.sparkgate.run;

import java.time.Instant;
import java.util.UUID;

/** One recorded state change of a run. {@code from} is null for the run's creation. */
public record RunEvent(
    long id,
    UUID runId,
    Instant at,
    RunState from,
    RunState to,
    String reason,
    String actor,
    String instanceId,
    int attempt) {}
