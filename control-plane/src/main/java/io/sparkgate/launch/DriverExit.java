package io.sparkgate.launch;

/**
 * How a launched application ended, as observed.
 *
 * @param exitCode the driver process's exit code; null when it could not be observed
 * @param finalState the last state the application reported
 * @param error an excerpt of the driver log explaining a failure, or null
 * @param outcomeUnknown whether we stopped watching without learning how the driver ended: it may
 *     still be running (no cluster master answered for too long), so a retry could run beside it
 */
public record DriverExit(
    Integer exitCode, AppState finalState, String error, boolean outcomeUnknown) {

  /** An exit that was observed. */
  public DriverExit(Integer exitCode, AppState finalState, String error) {
    this(exitCode, finalState, error, false);
  }

  /** We can no longer watch the driver and do not know whether or how it ended. */
  public static DriverExit unknownOutcome(String error) {
    return new DriverExit(null, AppState.LOST, error, true);
  }

  /** Whether the application ended well by every signal we have. */
  public boolean succeeded() {
    if (outcomeUnknown) {
      return false;
    }
    if (exitCode != null) {
      return exitCode == 0 && finalState != AppState.FAILED && finalState != AppState.KILLED;
    }
    return finalState == AppState.FINISHED;
  }
}
