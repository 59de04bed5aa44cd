package io.sparkgate.launch;

/**
 * How a launched application ended, as observed.
 *
 * @param exitCode the driver process's exit code; null when it could not be observed
 * @param finalState the last state the application reported
 * @param error an excerpt of the driver log explaining a failure, or null
 */
public record DriverExit(Integer exitCode, AppState finalState, String error) {

  /** Whether the application ended well by every signal we have. */
  public boolean succeeded() {
    if (exitCode != null) {
      return exitCode == 0 && finalState != AppState.FAILED && finalState != AppState.KILLED;
    }
    return finalState == AppState.FINISHED;
  }
}
