package io.sparkgate.run;

/** A transition that the run state machine does not allow. */
public class IllegalStateTransitionException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  public IllegalStateTransitionException(RunState from, RunState to) {
    super("cannot change state from " + from + " to " + to);
  }
}
