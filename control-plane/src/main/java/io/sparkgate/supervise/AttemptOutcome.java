package io.sparkgate.supervise;

import io.sparkgate.launch.AppState;
import io.sparkgate.run.AttemptState;

/**
 * What an ended attempt means: its own state, the reason recorded on the run, and whether the retry
 * policy may follow it. Pure, so every combination of facts is unit-tested.
 *
 * @param retryAllowed false when another attempt could run beside a driver that may still live
 * @param uncounted the launch failed for a reason of this instance, not of the job: the run goes
 *     back to the queue without using up an attempt
 */
record AttemptOutcome(
    AttemptState state,
    Integer exitCode,
    String reason,
    String error,
    boolean retryAllowed,
    boolean uncounted) {

  AttemptOutcome(AttemptState state, Integer exitCode, String reason, String error) {
    this(state, exitCode, reason, error, true, false);
  }

  static AttemptOutcome decide(ActiveAttempt.Snapshot facts, int timeoutSeconds) {
    Integer exitCode = facts.exit() == null ? null : facts.exit().exitCode();
    String error = facts.exit() == null ? null : facts.exit().error();
    if (facts.stopReason() != null) {
      return switch (facts.stopReason()) {
        case CANCEL ->
            new AttemptOutcome(
                AttemptState.KILLED, exitCode, "cancelled by " + facts.stoppedBy(), null);
        case TIMEOUT ->
            new AttemptOutcome(
                AttemptState.TIMED_OUT, exitCode, "timed out after " + timeoutSeconds + " s", null);
        case SHUTDOWN ->
            new AttemptOutcome(
                AttemptState.LOST, exitCode, "driver stopped because its instance shut down", null);
        case FENCED ->
            new AttemptOutcome(
                AttemptState.LOST,
                exitCode,
                "driver stopped because its instance lost its lease (no heartbeat reached the"
                    + " database)",
                null);
      };
    }
    if (facts.launchError() != null) {
      return new AttemptOutcome(
          AttemptState.FAILED,
          null,
          "launch failed: " + facts.launchError(),
          facts.launchError(),
          true,
          facts.infrastructureFailure());
    }
    if (facts.exit().succeeded()) {
      return new AttemptOutcome(AttemptState.SUCCEEDED, exitCode, "driver finished", null);
    }
    if (facts.exit().outcomeUnknown()) {
      // The driver may still run where we cannot see it: another attempt could run beside it.
      return new AttemptOutcome(
          AttemptState.LOST,
          null,
          (error == null ? "the driver's outcome is unknown" : error) + "; not retried",
          error,
          false,
          false);
    }
    if (exitCode == null && facts.exit().finalState() == AppState.LOST) {
      return new AttemptOutcome(
          AttemptState.LOST, null, "driver could no longer be observed", error);
    }
    String reason = exitCode == null ? "driver failed" : "driver exited with code " + exitCode;
    return new AttemptOutcome(
        AttemptState.FAILED,
        exitCode,
        error == null ? reason : reason + ": " + firstLine(error),
        error);
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
