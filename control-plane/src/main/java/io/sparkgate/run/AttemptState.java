package io.sparkgate.run;

/** The outcome of one launch of a run. */
public enum AttemptState {
  LAUNCHING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  KILLED,
  TIMED_OUT,
  /** Its driver could no longer be observed, for example after a crash of its instance. */
  LOST;

  public boolean isTerminal() {
    return switch (this) {
      case LAUNCHING, RUNNING -> false;
      case SUCCEEDED, FAILED, KILLED, TIMED_OUT, LOST -> true;
    };
  }

  /** The run state that an attempt ending in this state leads to when no retry follows. */
  public RunState finalRunState() {
    return switch (this) {
      case SUCCEEDED -> RunState.SUCCEEDED;
      case FAILED, LOST -> RunState.FAILED;
      case KILLED -> RunState.CANCELLED;
      case TIMED_OUT -> RunState.TIMED_OUT;
      case LAUNCHING, RUNNING ->
          throw new IllegalArgumentException("attempt state " + this + " is not final");
    };
  }

  /** Whether the retry policy may start another attempt after this outcome. */
  public boolean isRetryable() {
    return this == FAILED || this == LOST;
  }
}
