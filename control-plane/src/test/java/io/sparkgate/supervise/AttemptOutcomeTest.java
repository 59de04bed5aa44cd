package io.sparkgate.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.launch.AppState;
import io.sparkgate.launch.DriverExit;
import io.sparkgate.run.AttemptState;
import org.junit.jupiter.api.Test;

class AttemptOutcomeTest {

  static ActiveAttempt.Snapshot exited(Integer code, AppState state, String error) {
    return new ActiveAttempt.Snapshot(
        "app-1", null, true, new DriverExit(code, state, error), null, false, null, null);
  }

  static ActiveAttempt.Snapshot stopped(DriverExit exit, StopReason reason, String by) {
    return new ActiveAttempt.Snapshot("a", null, true, exit, null, false, reason, by);
  }

  static ActiveAttempt.Snapshot launchFailed(String error, boolean infrastructure) {
    return new ActiveAttempt.Snapshot(
        null, null, false, new DriverExit(null, null, error), error, infrastructure, null, null);
  }

  @Test
  void exitCodeZeroIsSuccess() {
    assertThat(AttemptOutcome.decide(exited(0, AppState.FINISHED, null), 60).state())
        .isEqualTo(AttemptState.SUCCEEDED);
  }

  @Test
  void aNonZeroExitFailsEvenAfterFinished() {
    // Local mode reports FINISHED for a failing job; only the exit code tells.
    AttemptOutcome outcome =
        AttemptOutcome.decide(
            exited(1, AppState.FINISHED, "java.lang.IllegalStateException: boom"), 60);
    assertThat(outcome.state()).isEqualTo(AttemptState.FAILED);
    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(outcome.reason())
        .isEqualTo("driver exited with code 1: java.lang.IllegalStateException: boom");
    assertThat(outcome.error()).isEqualTo("java.lang.IllegalStateException: boom");
  }

  @Test
  void aRequestedStopDecidesOverTheExitCode() {
    ActiveAttempt.Snapshot cancelled =
        stopped(new DriverExit(0, AppState.FINISHED, null), StopReason.CANCEL, "alice");
    assertThat(AttemptOutcome.decide(cancelled, 60).state()).isEqualTo(AttemptState.KILLED);
    assertThat(AttemptOutcome.decide(cancelled, 60).reason()).isEqualTo("cancelled by alice");
    ActiveAttempt.Snapshot timedOut =
        stopped(new DriverExit(137, AppState.KILLED, null), StopReason.TIMEOUT, "system");
    assertThat(AttemptOutcome.decide(timedOut, 60).state()).isEqualTo(AttemptState.TIMED_OUT);
    assertThat(AttemptOutcome.decide(timedOut, 60).reason()).isEqualTo("timed out after 60 s");
    ActiveAttempt.Snapshot shutdown =
        stopped(new DriverExit(137, AppState.KILLED, null), StopReason.SHUTDOWN, "system");
    assertThat(AttemptOutcome.decide(shutdown, 60).state()).isEqualTo(AttemptState.LOST);
  }

  @Test
  void withoutAnExitCodeTheReportedStateDecides() {
    assertThat(AttemptOutcome.decide(exited(null, AppState.FINISHED, null), 60).state())
        .isEqualTo(AttemptState.SUCCEEDED);
    assertThat(AttemptOutcome.decide(exited(null, AppState.LOST, null), 60).state())
        .isEqualTo(AttemptState.LOST);
    assertThat(AttemptOutcome.decide(exited(null, AppState.FAILED, null), 60).state())
        .isEqualTo(AttemptState.FAILED);
  }

  @Test
  void aFailedLaunchFails() {
    ActiveAttempt.Snapshot facts = launchFailed("no Spark home", false);
    AttemptOutcome outcome = AttemptOutcome.decide(facts, 60);
    assertThat(outcome.state()).isEqualTo(AttemptState.FAILED);
    assertThat(outcome.reason()).isEqualTo("launch failed: no Spark home");
    assertThat(outcome.uncounted()).isFalse();
  }

  @Test
  void aLaunchThatFailedForTheInstanceIsNotCounted() {
    ActiveAttempt.Snapshot facts = launchFailed("cannot create the run's directories", true);
    assertThat(AttemptOutcome.decide(facts, 60).uncounted()).isTrue();
  }

  @Test
  void aFencedDriverIsLostAndMayBeRetried() {
    ActiveAttempt.Snapshot fenced =
        stopped(new DriverExit(137, AppState.KILLED, null), StopReason.FENCED, "system");
    AttemptOutcome outcome = AttemptOutcome.decide(fenced, 60);
    assertThat(outcome.state()).isEqualTo(AttemptState.LOST);
    assertThat(outcome.retryAllowed()).isTrue();
    assertThat(outcome.reason()).contains("lost its lease");
  }

  @Test
  void aDriverWhoseOutcomeIsUnknownIsLostAndNotRetried() {
    AttemptOutcome outcome =
        AttemptOutcome.decide(
            new ActiveAttempt.Snapshot(
                "a",
                "driver-1",
                true,
                DriverExit.unknownOutcome("no master answered for 10 min"),
                null,
                false,
                null,
                null),
            60);
    assertThat(outcome.state()).isEqualTo(AttemptState.LOST);
    assertThat(outcome.retryAllowed()).isFalse();
    assertThat(outcome.reason()).isEqualTo("no master answered for 10 min; not retried");
  }
}
