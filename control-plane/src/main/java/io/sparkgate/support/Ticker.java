package io.sparkgate.support;

/**
 * A monotonic clock for measuring elapsed time on this host (leases, liveness), never compared with
 * another host's. Injected so tests can move it.
 */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds from an arbitrary origin; only differences mean anything. */
  long nanos();
}
