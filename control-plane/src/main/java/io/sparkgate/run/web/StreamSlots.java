package io.sparkgate.run.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The open streams that follow runs on this instance, of both kinds (state changes, driver logs),
 * counted per caller and in all against {@code sparkgate.api.streams.per-caller} and {@code max}.
 */
@Component
class StreamSlots {

  private final SparkgateProperties.Streams settings;
  private final Map<String, Integer> perCaller = new HashMap<>();
  private int open;

  StreamSlots(SparkgateProperties properties, MeterRegistry registry) {
    this.settings = properties.api().streams();
    Gauge.builder("sparkgate.api.streams.open", this, StreamSlots::open)
        .description("Streams that follow runs open on this instance (events and logs)")
        .register(registry);
  }

  /**
   * Takes a slot for one more stream of the caller.
   *
   * @throws SparkgateException TOO_MANY_STREAMS when the caller or the instance holds as many as it
   *     may
   */
  synchronized void reserve(String caller) {
    int mine = perCaller.getOrDefault(caller, 0);
    if (mine >= settings.perCaller()) {
      throw new SparkgateException(
          ErrorKind.TOO_MANY_STREAMS,
          "This caller already follows "
              + mine
              + " streams here, the most it may (sparkgate.api.streams.per-caller); close one or"
              + " poll instead.");
    }
    if (open >= settings.max()) {
      throw new SparkgateException(
          ErrorKind.TOO_MANY_STREAMS,
          "This instance already serves "
              + open
              + " streams, the most it may (sparkgate.api.streams.max); try again later or poll.");
    }
    perCaller.merge(caller, 1, Integer::sum);
    open++;
  }

  /** Gives back a slot {@link #reserve} took; called once per reserved stream. */
  synchronized void release(String caller) {
    perCaller.computeIfPresent(caller, (k, n) -> n <= 1 ? null : n - 1);
    open--;
  }

  /** Open streams on this instance. */
  synchronized int open() {
    return open;
  }
}
