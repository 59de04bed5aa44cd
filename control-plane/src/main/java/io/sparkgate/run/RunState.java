package io.sparkgate.run;

/**
 * The logical state of a run. The allowed transitions are written once, here, as an exhaustive
 * switch: adding a state breaks compilation until every rule for it is decided.
 */
public enum RunState {
  QUEUED,
  LAUNCHING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  TIMED_OUT;

  /** Terminal states never change. */
  public boolean isTerminal() {
    return switch (this) {
      case QUEUED, LAUNCHING, RUNNING -> false;
      case SUCCEEDED, FAILED, CANCELLED, TIMED_OUT -> true;
    };
  }

  /** Whether a run in this state blocks a new run with the same idempotency key. */
  public boolean holdsIdempotencyKey() {
    return !isTerminal() || this == SUCCEEDED;
  }

  /** Whether a run may move from this state to {@code next}. */
  public boolean canMoveTo(RunState next) {
    return switch (this) {
      // A queued run is claimed, or cancelled before it ever launched, or fails without a launch
      // (for example when its job version can no longer be launched).
      case QUEUED -> next == LAUNCHING || next == CANCELLED || next == FAILED;
      // A launch may fail or be stopped before the driver reports; a lost attempt may be retried.
      case LAUNCHING ->
          next == RUNNING
              || next == QUEUED
              || next == SUCCEEDED
              || next == FAILED
              || next == CANCELLED
              || next == TIMED_OUT;
      case RUNNING ->
          next == QUEUED
              || next == SUCCEEDED
              || next == FAILED
              || next == CANCELLED
              || next == TIMED_OUT;
      case SUCCEEDED, FAILED, CANCELLED, TIMED_OUT -> false;
    };
  }

  /** Throws a readable exception unless the transition is allowed. */
  public void checkCanMoveTo(RunState next) {
    if (!canMoveTo(next)) {
      throw new IllegalStateTransitionException(this, next);
    }
  }
}
