package io.sparkgate.testing;

import io.sparkgate.support.Ticker;
import java.time.Duration;

/** The monotonic clock plus an offset that tests move forward instead of waiting. */
public class MutableTicker implements Ticker {

  private volatile long offset;

  public void advance(Duration by) {
    offset += by.toNanos();
  }

  @Override
  public long nanos() {
    return System.nanoTime() + offset;
  }
}
