package io.sparkgate.launch;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.config.SupervisionThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * A backend without Spark, selected with {@code sparkgate.spark.backend=simulated}: each launch
 * "runs" for its {@code --sleep-seconds} argument (else {@code
 * sparkgate.spark.simulated-run-duration}) and then succeeds. It exercises everything in the
 * control plane but the Spark process, which is what queue benchmarks and multi-instance tests
 * need. Every launch is appended to {@code <work-dir>/simulated-launches.log} as {@code runId
 * attempt}, so a test can count launches independently of the database; and every driver's life to
 * {@code <work-dir>/simulated-drivers.log} as {@code start|end runId attempt epochMillis}, so a
 * test can check that no two drivers of one run ever lived at once.
 */
@Component
@ConditionalOnProperty(name = "sparkgate.spark.backend", havingValue = "simulated")
public class SimulatedBackend implements SparkBackend {

  private final Duration defaultDuration;
  private final Path launchLog;
  private final Path driverLog;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          SupervisionThreads.named("sparkgate-simulated-backend"));

  public SimulatedBackend(SparkgateProperties properties) throws IOException {
    this.defaultDuration = properties.spark().simulatedRunDuration();
    Files.createDirectories(properties.workDir());
    this.launchLog = properties.workDir().resolve("simulated-launches.log");
    this.driverLog = properties.workDir().resolve("simulated-drivers.log");
  }

  @Override
  public DriverHandle launch(LaunchSpec spec, DriverObserver observer) {
    String attempt = spec.runId() + " " + spec.attempt();
    appendLine(launchLog, attempt);
    appendLine(driverLog, "start " + attempt + " " + System.currentTimeMillis());
    SimulatedDriver driver =
        new SimulatedDriver(
            observer,
            () -> appendLine(driverLog, "end " + attempt + " " + System.currentTimeMillis()));
    observer.onAppId("simulated-" + spec.runId() + "-" + spec.attempt());
    observer.onRunning();
    Duration duration = duration(spec.args());
    driver.finish =
        timer.schedule(
            () -> driver.end(new DriverExit(0, AppState.FINISHED, null)),
            duration.toMillis(),
            TimeUnit.MILLISECONDS);
    return driver;
  }

  /** One short append per line: atomic with O_APPEND, so lines of two threads never interleave. */
  private static void appendLine(Path log, String line) {
    try {
      Files.writeString(
          log,
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Duration duration(List<String> args) {
    int i = args.indexOf("--sleep-seconds");
    if (i >= 0 && i + 1 < args.size()) {
      try {
        return Duration.ofSeconds(Long.parseLong(args.get(i + 1)));
      } catch (NumberFormatException e) {
        return defaultDuration;
      }
    }
    return defaultDuration;
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public String describe() {
    return "simulated (no Spark)";
  }

  private static final class SimulatedDriver implements DriverHandle {
    private final DriverObserver observer;
    private final Runnable onEnd;
    private volatile ScheduledFuture<?> finish;
    private boolean ended;

    SimulatedDriver(DriverObserver observer, Runnable onEnd) {
      this.observer = observer;
      this.onEnd = onEnd;
    }

    synchronized void end(DriverExit exit) {
      if (!ended) {
        ended = true;
        if (finish != null) {
          finish.cancel(false);
        }
        onEnd.run();
        observer.onExit(exit);
      }
    }

    @Override
    public void requestStop() {
      end(new DriverExit(143, AppState.KILLED, null));
    }

    @Override
    public void kill() {
      end(new DriverExit(137, AppState.KILLED, null));
    }

    @Override
    public OptionalLong pid() {
      return OptionalLong.empty();
    }
  }
}
