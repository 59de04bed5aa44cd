package io.sparkgate.supervise;

import io.sparkgate.support.Ticker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What this instance has seen of the others' heartbeats: for each, its sequence number and since
 * when (on this host's monotonic clock) it has not changed. Only observations made by successful
 * reads count, and a failed read forgets them all: after a database outage, which stops every
 * heartbeat alike, the count starts again from the first read that works, so an outage never makes
 * a healthy instance look dead. Used by the supervision loop's thread only.
 */
final class Liveness {

  private record Seen(long seq, long since) {}

  private final Ticker ticker;
  private final Map<String, Seen> seen = new HashMap<>();

  Liveness(Ticker ticker) {
    this.ticker = ticker;
  }

  /** Records one successful read of every instance's heartbeat sequence. */
  void observe(Map<String, Long> heartbeats) {
    long now = ticker.nanos();
    seen.keySet().retainAll(heartbeats.keySet());
    heartbeats.forEach(
        (id, seq) -> {
          Seen before = seen.get(id);
          if (before == null || before.seq() != seq) {
            seen.put(id, new Seen(seq, now));
          }
        });
  }

  /** Forgets every observation: this instance could not read the heartbeats. */
  void forget() {
    seen.clear();
  }

  /** How long an instance's heartbeat has been seen unchanged; empty if it is not registered. */
  Optional<Duration> unchangedFor(String id) {
    Seen s = seen.get(id);
    return s == null ? Optional.empty() : Optional.of(Duration.ofNanos(ticker.nanos() - s.since()));
  }
}
