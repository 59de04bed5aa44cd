package io.sparkgate.supervise;

import io.sparkgate.catalog.JobRepository;
import io.sparkgate.run.AttemptState;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunState;
import java.time.Instant;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Ends an attempt and moves its run on, in one transaction: back to the queue when the retry policy
 * allows another attempt, else to the final state the attempt leads to.
 */
@Component
class AttemptEnding {

  private final RunRepository runs;
  private final JobRepository jobs;
  private final TransactionTemplate tx;

  AttemptEnding(RunRepository runs, JobRepository jobs, TransactionTemplate tx) {
    this.runs = runs;
    this.jobs = jobs;
    this.tx = tx;
  }

  /**
   * Returns the state the run moved to (QUEUED for a retry), or null if the run had moved on
   * (another writer won) and nothing changed.
   */
  RunState end(
      Run run,
      AttemptState attemptState,
      Integer exitCode,
      String reason,
      String error,
      String actor,
      String instanceId,
      Instant now) {
    return tx.execute(
        status -> {
          runs.finishAttempt(run.id(), run.attempt(), attemptState, exitCode, error, now);
          boolean retry =
              attemptState.isRetryable()
                  && run.attempt() < run.maxAttempts()
                  && run.cancelRequestedAt() == null;
          RunState target = retry ? RunState.QUEUED : attemptState.finalRunState();
          boolean moved;
          if (retry) {
            int backoff = backoffSeconds(run);
            moved =
                runs.transition(
                    run.id(),
                    run.state(),
                    RunState.QUEUED,
                    reason + "; attempt " + (run.attempt() + 1) + " in " + backoff + " s",
                    "system",
                    instanceId,
                    now,
                    now.plusSeconds(backoff));
          } else {
            moved =
                runs.transition(
                    run.id(), run.state(), target, reason, actor, instanceId, now, null);
          }
          if (!moved) {
            status.setRollbackOnly();
            return null;
          }
          return target;
        });
  }

  private int backoffSeconds(Run run) {
    return jobs.findVersion(run.job(), run.jobVersion())
        .map(v -> v.definition().retryOrDefault().backoffSecondsOrDefault())
        .orElse(0);
  }
}
