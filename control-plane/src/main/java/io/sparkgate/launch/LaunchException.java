package io.sparkgate.launch;

/** An application could not be started. */
public class LaunchException extends Exception {

  private static final long serialVersionUID = 1L;

  private final boolean infrastructure;

  /** The job's own launch failed (the cluster refused its driver, its spark-submit failed). */
  public LaunchException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * @param infrastructure the reason lies with this instance, not with the job (no Spark runtime, a
   *     disk that cannot take the run's directory, a spark-submit that cannot be started): such a
   *     launch does not use up one of the run's attempts
   */
  public LaunchException(String message, Throwable cause, boolean infrastructure) {
    super(message, cause);
    this.infrastructure = infrastructure;
  }

  public boolean infrastructure() {
    return infrastructure;
  }
}
