package io.sparkgate.supervise;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.support.Ticker;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * This instance's lease on its runs, measured on this host's monotonic clock only. A renewal counts
 * from the moment its heartbeat was <em>sent</em>: the database commits it later, and a survivor
 * sees it later still, so this instance always gives up its lease before any survivor's takeover
 * time (which starts when the survivor first sees that heartbeat) has passed.
 */
@Component
class Lease {

  private final Ticker ticker;
  private final long leaseNanos;
  private volatile long renewalSentAt;
  private volatile boolean renewed;

  Lease(Ticker ticker, SparkgateProperties properties) {
    this.ticker = ticker;
    this.leaseNanos = properties.supervision().leaseTime().toNanos();
  }

  /** The time to pass to {@link #renewed} once the heartbeat sent now has been committed. */
  long renewalStarts() {
    return ticker.nanos();
  }

  synchronized void renewed(long sentAt) {
    if (!renewed || sentAt - renewalSentAt > 0) {
      renewalSentAt = sentAt;
    }
    renewed = true;
  }

  /** Whether this instance may claim, launch and write about its runs now. */
  boolean held() {
    return renewed && ticker.nanos() - renewalSentAt < leaseNanos;
  }

  /** How long since the last renewal was sent; null before the first. */
  Duration sinceRenewal() {
    return renewed ? Duration.ofNanos(ticker.nanos() - renewalSentAt) : null;
  }
}
