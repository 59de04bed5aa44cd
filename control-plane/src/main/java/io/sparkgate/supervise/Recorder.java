package io.sparkgate.supervise;

import io.sparkgate.config.InstanceIdentity;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunMetrics;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunState;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Writes what the drivers reported since the last pass: application and driver ids, the first
 * RUNNING, and the end of each attempt with its outcome. Every write is fenced by the attempt; a
 * write that changes nothing means the run is no longer this instance's, and the attempt is let go.
 */
@Component
class Recorder {

  private static final Logger log = LoggerFactory.getLogger(Recorder.class);

  private final RunRepository runs;
  private final AttemptEnding ending;
  private final ActiveAttempts active;
  private final InstanceIdentity instance;
  private final SparkgateProperties properties;
  private final RunMetrics metrics;

  Recorder(
      RunRepository runs,
      AttemptEnding ending,
      ActiveAttempts active,
      InstanceIdentity instance,
      SparkgateProperties properties,
      RunMetrics metrics) {
    this.runs = runs;
    this.ending = ending;
    this.active = active;
    this.instance = instance;
    this.properties = properties;
    this.metrics = metrics;
  }

  void record(Instant now) {
    for (ActiveAttempt attempt : active.all()) {
      ActiveAttempt.Snapshot facts = attempt.snapshot();
      try (MDC.MDCCloseable ignored = MDC.putCloseable("runId", attempt.runId.toString())) {
        if (!recordProgress(attempt, facts, now)) {
          letGo(attempt);
        } else if (facts.exit() != null) {
          finish(attempt, facts, now);
        }
      }
    }
  }

  /** Records ids and the first RUNNING; false when the run turned out not to be ours any more. */
  private boolean recordProgress(ActiveAttempt attempt, ActiveAttempt.Snapshot facts, Instant now) {
    // The driver id first: it is what lets any instance find a cluster driver again.
    if (facts.driverId() != null && !attempt.driverIdRecorded) {
      if (!runs.setAttemptDriverId(attempt.ref, facts.driverId())) {
        return false;
      }
      attempt.driverIdRecorded = true;
    }
    if (facts.running() && !attempt.runningRecorded && !attempt.appIdRecorded) {
      // The first RUNNING records the application id with it: one statement instead of two.
      attempt.appIdRecorded = facts.appId() != null;
    } else if (facts.appId() != null && !attempt.appIdRecorded) {
      if (!runs.setAttemptAppId(attempt.ref, facts.appId())) {
        return false;
      }
      attempt.appIdRecorded = true;
    }
    if (facts.running() && !attempt.runningRecorded) {
      if (!runs.markRunning(attempt.ref, facts.appId(), instance.id(), now)) {
        Run run = runs.find(attempt.runId).orElse(null);
        if (!attempt.isCurrentIn(run)) {
          return false;
        }
        // Already RUNNING (an adopted run); nothing to record.
      } else {
        metrics.launchLatency(attempt.job, Duration.between(attempt.claimedAt, now));
      }
      attempt.runningRecorded = true;
    }
    return true;
  }

  private void finish(ActiveAttempt attempt, ActiveAttempt.Snapshot facts, Instant now) {
    Run run = runs.find(attempt.runId).orElse(null);
    if (!attempt.isCurrentIn(run)) {
      // The run moved on without us (we were declared dead): there is nothing of ours to record.
      active.remove(attempt);
      return;
    }
    AttemptOutcome outcome = AttemptOutcome.decide(facts, run.timeoutSeconds());
    if (outcome.uncounted() && run.state() == RunState.LAUNCHING) {
      Duration delay = properties.runs().infrastructureRetryDelay();
      if (runs.requeueUncounted(
          attempt.ref,
          outcome.reason() + "; not counted as an attempt, next try in " + delay.toSeconds() + " s",
          instance.id(),
          now,
          now.plus(delay))) {
        log.warn("Run {} back in the queue: {}", run.id(), outcome.reason());
        active.remove(attempt);
      }
      return;
    }
    String actor =
        facts.stopReason() == StopReason.CANCEL && facts.stoppedBy() != null
            ? facts.stoppedBy()
            : "system";
    RunState next = ending.end(run, outcome, actor, instance.id(), now);
    if (next == null) {
      // A cancel landed or the run changed meanwhile: the next pass decides again from a fresh
      // copy, or lets the attempt go if the run is not ours any more.
      return;
    }
    metrics.attemptDuration(
        run.job(), outcome.state().name(), Duration.between(attempt.claimedAt, now));
    if (next.isTerminal()) {
      metrics.finished(run.job(), next.name());
    }
    log.info(
        "Run {} attempt {} ended {}: {}",
        run.id(),
        run.attempt(),
        outcome.state(),
        outcome.reason());
    active.remove(attempt);
  }

  private void letGo(ActiveAttempt attempt) {
    active.letGo(attempt, runs.find(attempt.runId).orElse(null));
  }
}
