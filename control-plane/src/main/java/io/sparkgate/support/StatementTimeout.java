package io.sparkgate.support;

import java.time.Duration;

/**
 * How long each SQL statement of the current thread's work may run: bounded while the thread serves
 * an HTTP request, unbounded for the supervision loop, whose statements must finish (a claim, a
 * heartbeat) rather than be cut by a limit meant for clients.
 */
public final class StatementTimeout {

  private static final ThreadLocal<Integer> SECONDS = new ThreadLocal<>();

  private StatementTimeout() {}

  /** Restores the thread's previous limit when closed. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Limits the thread's statements to {@code timeout}, rounded up to whole seconds (the unit of
   * JDBC's query timeout), until the returned scope is closed.
   */
  public static Scope limit(Duration timeout) {
    Integer previous = SECONDS.get();
    long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
    SECONDS.set((int) Math.min(Integer.MAX_VALUE, seconds));
    return () -> {
      if (previous == null) {
        SECONDS.remove();
      } else {
        SECONDS.set(previous);
      }
    };
  }

  /** The current thread's limit in seconds; 0 when there is none. */
  public static int seconds() {
    Integer seconds = SECONDS.get();
    return seconds == null ? 0 : seconds;
  }
}
