package io.sparkgate.run.web;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that serves every stream of a kind on this instance: a round every interval, or
 * one at once when asked (a new stream's first bytes). A round that fails is logged; the next one
 * runs all the same.
 */
final class StreamPoller {

  private static final Logger log = LoggerFactory.getLogger(StreamPoller.class);

  private final String name;
  private final Duration interval;
  private final Runnable round;
  private ScheduledExecutorService executor;

  StreamPoller(String name, Duration interval, Runnable round) {
    this.name = name;
    this.interval = interval;
    this.round = round;
  }

  synchronized void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    long millis = interval.toMillis();
    executor.scheduleWithFixedDelay(this::safely, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Runs a round at once, on the same thread as the others; nothing when stopped. */
  synchronized void now() {
    if (executor != null) {
      executor.execute(this::safely);
    }
  }

  synchronized void stop() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  synchronized boolean running() {
    return executor != null;
  }

  private void safely() {
    try {
      round.run();
    } catch (RuntimeException e) {
      log.warn("{}: a round failed", name, e);
    }
  }
}
