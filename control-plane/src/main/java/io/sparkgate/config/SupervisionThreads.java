package io.sparkgate.config;

import java.util.concurrent.ThreadFactory;

/**
 * Marks the work that keeps runs and the lease alive (heartbeats, the lease watch, the supervision
 * loop, launches, driver watchers, background sweeps), so that its statements use the supervision
 * pool of {@link ConnectionPools} and no burst of API requests can make it wait for a connection.
 * Work on any other thread, an HTTP request's above all, uses the API pool.
 */
public final class SupervisionThreads {

  private static final ThreadLocal<Boolean> SUPERVISING = new ThreadLocal<>();

  private SupervisionThreads() {}

  /** Daemon threads with this name, everything they run being supervision work. */
  public static ThreadFactory named(String name) {
    return task -> {
      Thread thread =
          new Thread(
              () -> {
                SUPERVISING.set(Boolean.TRUE);
                task.run();
              },
              name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Runs supervision work on a thread that is not a supervision thread (one of Spring's scheduler,
   * the thread that starts or stops the service).
   */
  public static void run(Runnable work) {
    if (current()) {
      work.run();
      return;
    }
    SUPERVISING.set(Boolean.TRUE);
    try {
      work.run();
    } finally {
      SUPERVISING.remove();
    }
  }

  /** Whether the current thread is doing supervision work. */
  public static boolean current() {
    return SUPERVISING.get() != null;
  }
}
