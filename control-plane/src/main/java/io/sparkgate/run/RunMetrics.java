package io.sparkgate.run;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Prometheus metrics about runs. Counters and timers count what this instance did; the gauges of
 * live runs by job and state are read from the database, so every instance reports the same
 * cluster-wide numbers (aggregate them with max, not sum).
 */
@Component
public class RunMetrics {

  private final MeterRegistry registry;
  private final JdbcClient jdbc;
  private final MultiGauge liveRuns;
  private final AtomicLong queueDepth = new AtomicLong();

  public RunMetrics(MeterRegistry registry, JdbcClient jdbc) {
    this.registry = registry;
    this.jdbc = jdbc;
    this.liveRuns =
        MultiGauge.builder("sparkgate.runs.live")
            .description(
                "Runs that are queued, launching or running, by job and state (all instances)")
            .register(registry);
    Gauge.builder("sparkgate.queue.depth", queueDepth, AtomicLong::get)
        .description("Queued runs waiting for a slot (all instances)")
        .register(registry);
  }

  /** Registers the gauge of runs this instance is supervising. */
  public void activeRuns(Supplier<Number> active) {
    Gauge.builder("sparkgate.runs.active", active)
        .description("Runs whose driver this instance supervises")
        .register(registry);
  }

  public void submitted(String job) {
    Counter.builder("sparkgate.runs.submitted")
        .description("Runs created by submits to this instance")
        .tag("job", job)
        .register(registry)
        .increment();
  }

  public void finished(String job, String state) {
    Counter.builder("sparkgate.runs.finished")
        .description("Runs this instance moved to a terminal state, by job and state")
        .tags("job", job, "state", state)
        .register(registry)
        .increment();
  }

  /** From submit (or retry) to the claim that starts an attempt. */
  public void queueWait(String job, Duration wait) {
    timer("sparkgate.runs.queue.wait", "Time runs waited in the queue", job).record(wait);
  }

  /** From the claim to the driver reporting that it runs. */
  public void launchLatency(String job, Duration latency) {
    timer("sparkgate.runs.launch.latency", "Time from claim to a running driver", job)
        .record(latency);
  }

  /** One attempt from claim to its end, by outcome. */
  public void attemptDuration(String job, String outcome, Duration duration) {
    Timer.builder("sparkgate.runs.duration")
        .description("Duration of attempts from claim to end, by job and outcome")
        .tags("job", job, "outcome", outcome)
        .publishPercentileHistogram()
        .register(registry)
        .record(duration);
  }

  /** Reads the live-run counts from the database. */
  public void refreshFromDatabase() {
    record Count(String job, String state, long n) {}
    List<Count> counts =
        jdbc.sql(
                """
                select job_name, state, count(*) as n from run
                where state in ('QUEUED', 'LAUNCHING', 'RUNNING')
                group by job_name, state
                """)
            .query(
                (rs, i) ->
                    new Count(rs.getString("job_name"), rs.getString("state"), rs.getLong("n")))
            .list();
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (Count count : counts) {
      rows.add(MultiGauge.Row.of(Tags.of("job", count.job(), "state", count.state()), count.n()));
    }
    liveRuns.register(rows, true);
    // The queue depth is the QUEUED share of the same counts: no second query.
    queueDepth.set(
        counts.stream().filter(c -> c.state().equals("QUEUED")).mapToLong(Count::n).sum());
  }

  private Timer timer(String name, String description, String job) {
    return Timer.builder(name)
        .description(description)
        .tag("job", job)
        .publishPercentileHistogram()
        .register(registry);
  }
}
