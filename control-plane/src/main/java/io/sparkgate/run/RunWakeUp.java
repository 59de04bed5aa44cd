package io.sparkgate.run;

import java.util.UUID;

/**
 * Published when a run needs the supervision loop's attention sooner than its next poll: a new
 * queued run, or a cancel request.
 */
public record RunWakeUp(UUID runId) {}
