package io.sparkgate.support;

import java.util.function.Supplier;

/**
 * Statements of the current thread's work that PostgreSQL plans for their parameter values each
 * time they run. The driver otherwise turns a statement it has run a few times into a prepared one,
 * whose generic plan PostgreSQL may then use for any values, and a plan good for a common job,
 * state or label can be very bad for a rare one.
 */
public final class CustomPlans {

  private static final ThreadLocal<Boolean> ACTIVE = new ThreadLocal<>();

  private CustomPlans() {}

  /** Runs the work with its statements planned for their values. */
  public static <T> T during(Supplier<T> work) {
    Boolean previous = ACTIVE.get();
    ACTIVE.set(Boolean.TRUE);
    try {
      return work.get();
    } finally {
      if (previous == null) {
        ACTIVE.remove();
      } else {
        ACTIVE.set(previous);
      }
    }
  }

  /** Whether the current thread's statements are to be planned for their values. */
  public static boolean active() {
    return ACTIVE.get() != null;
  }
}
