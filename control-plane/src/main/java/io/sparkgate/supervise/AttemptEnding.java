package io.sparkgate.supervise;

import io.sparkgate.catalog.JobRepository;
import io.sparkgate.run.AttemptState;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunState;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Ends an attempt and moves its run on, in one fenced statement: back to the queue when the retry
 * policy allows another attempt, else to the final state the attempt leads to.
 */
@Component
class AttemptEnding {

  private final RunRepository runs;
  private final JobRepository jobs;

  AttemptEnding(RunRepository runs, JobRepository jobs) {
    this.runs = runs;
    this.jobs = jobs;
  }

  /**
   * Ends the attempt that {@code seen} shows, as long as the run is still at that attempt, with
   * that owner, in that state. Returns the state the run moved to (QUEUED for a retry), or null if
   * the run had moved on or a cancel was requested meanwhile: nothing changed, and the caller
   * decides again from a fresh copy or leaves the run to whoever changed it.
   */
  RunState end(Run seen, AttemptOutcome outcome, String actor, String instanceId, Instant now) {
    boolean retryable =
        outcome.retryAllowed()
            && outcome.state().isRetryable()
            && seen.attempt() < seen.maxAttempts();
    boolean cancelled = retryable && seen.cancelRequestedAt() != null;
    boolean retry = retryable && !cancelled;
    RunState target;
    String reason;
    String by;
    Instant notBefore = null;
    if (retry) {
      int backoff = backoffSeconds(seen);
      target = RunState.QUEUED;
      reason = outcome.reason() + "; attempt " + (seen.attempt() + 1) + " in " + backoff + " s";
      by = "system";
      notBefore = now.plusSeconds(backoff);
    } else if (cancelled) {
      // The attempt ended on its own while a cancel was pending: the cancel still wins over the
      // retry that would have followed.
      target = RunState.CANCELLED;
      reason =
          "cancelled by "
              + seen.cancelRequestedBy()
              + " as attempt "
              + seen.attempt()
              + " ended "
              + outcome.state()
              + ": "
              + outcome.reason();
      by = seen.cancelRequestedBy();
    } else {
      target = outcome.state().finalRunState();
      reason = outcome.reason();
      by = actor;
    }
    boolean moved =
        runs.endAttempt(
            seen.attemptRef(),
            seen.state(),
            outcome.state(),
            outcome.exitCode(),
            outcome.error(),
            target,
            reason,
            by,
            instanceId,
            now,
            notBefore);
    return moved ? target : null;
  }

  /** Ends the attempt LOST, as the reaper and a restarted instance do. */
  RunState lost(Run seen, String reason, String instanceId, Instant now) {
    return end(
        seen, new AttemptOutcome(AttemptState.LOST, null, reason, null), "system", instanceId, now);
  }

  private int backoffSeconds(Run run) {
    return jobs.findVersion(run.job(), run.jobVersion())
        .map(v -> v.definition().retryOrDefault().backoffSecondsOrDefault())
        .orElse(0);
  }
}
