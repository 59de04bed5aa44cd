package io.sparkgate.history;

import io.sparkgate.config.SparkHome;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.config.SupervisionThreads;
import io.sparkgate.support.LoopbackPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The Spark History Server the service runs itself, from its Spark home, on 127.0.0.1, reading the
 * event-log directory every attempt writes to: started on the first request for it (a JVM of a few
 * hundred MB that a service nobody looks at history through need not pay for, nor every test) and
 * stopped with the service. With the runtime this repository builds, its process also dies with the
 * service's (the runtime's parent-death signal), so none outlives a crash; an official Spark
 * distribution's scripts have no such signal.
 */
@Component
public class EmbeddedHistoryServer implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedHistoryServer.class);

  static final String MAIN_CLASS = "org.apache.spark.deploy.history.HistoryServer";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final SparkgateProperties properties;
  private final Optional<Path> sparkHome;
  private final boolean enabled;
  private CompletableFuture<URI> started;
  private volatile Process process;
  private volatile boolean stopped;

  public EmbeddedHistoryServer(SparkgateProperties properties, SparkHome home) {
    this.properties = properties;
    this.sparkHome = home.path();
    this.enabled = properties.history().embedded(properties.workDir()) && sparkHome.isPresent();
  }

  /** Whether this service runs a History Server of its own. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * The server's address, starting it first if it is not running.
   *
   * @throws IOException when it is not enabled, cannot start, or did not come up in time
   */
  public URI origin() throws IOException {
    if (!enabled) {
      throw new IOException("this service runs no History Server (sparkgate.history.url is set)");
    }
    CompletableFuture<URI> current;
    synchronized (this) {
      if (stopped) {
        throw new IOException("the service is stopping");
      }
      // Starting (not done yet), or started and alive: wait for that one. Else a new one.
      boolean starting = started != null && !started.isDone();
      if (!starting && (started == null || started.isCompletedExceptionally() || !isAlive())) {
        started = new CompletableFuture<>();
        CompletableFuture<URI> future = started;
        // The parent-death signal fires when the thread that started the process ends: this
        // thread lives as long as the server.
        SupervisionThreads.named("sparkgate-history-server").newThread(() -> run(future)).start();
      }
      current = started;
    }
    try {
      return current.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException("the History Server did not start: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      throw new IOException("the History Server did not start within " + START_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  private void run(CompletableFuture<URI> future) {
    try {
      Path home = sparkHome.orElseThrow();
      Path dir = properties.workDir().resolve("history").toAbsolutePath();
      Files.createDirectories(dir);
      int port =
          properties.history().port() > 0 ? properties.history().port() : LoopbackPorts.free();
      URI logs = properties.history().eventLogUri(properties.workDir()).orElseThrow();
      Path conf = dir.resolve("history-server.conf");
      Files.writeString(
          conf,
          String.join(
              "\n",
              "spark.history.fs.logDirectory " + logs,
              "spark.history.ui.port " + port,
              // New applications show within seconds of their end, not the default ten.
              "spark.history.fs.update.interval 2s",
              // The service deletes event logs with the run's other logs (LogRetention).
              "spark.history.fs.cleaner.enabled false",
              "spark.history.retainedApplications 20",
              ""));
      ProcessBuilder builder =
          new ProcessBuilder(
                  List.of(
                      home.resolve("bin/spark-class").toString(),
                      MAIN_CLASS,
                      "--properties-file",
                      conf.toString()))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("history-server.log").toFile());
      builder.environment().put("SPARK_HOME", home.toString());
      builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
      builder.environment().put("SPARK_DAEMON_MEMORY", "512m");
      builder.environment().put("SPARKGATE_PDEATHSIG", "1");
      if (System.getenv("JAVA_HOME") == null) {
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      }
      Process started = builder.start();
      synchronized (this) {
        process = started;
        if (stopped) {
          // The service stopped while this one was being started.
          started.destroyForcibly();
          throw new IOException("the service is stopping");
        }
      }
      log.info("Starting the Spark History Server on 127.0.0.1:{} over {}", port, logs);
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (!answers(port, started)) {
        if (!started.isAlive() || System.nanoTime() > deadline) {
          started.destroyForcibly();
          throw new IOException(
              "it exited or did not listen; see " + dir.resolve("history-server.log"));
        }
        Thread.sleep(200);
      }
      future.complete(URI.create("http://127.0.0.1:" + port));
      started.waitFor();
      if (!stopped) {
        log.warn("The Spark History Server exited with {}", started.exitValue());
      }
    } catch (IOException | RuntimeException e) {
      future.completeExceptionally(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.completeExceptionally(e);
    }
  }

  /** Whether this History Server answers as one, not just anything on its port. */
  private static boolean answers(int port, Process server) {
    if (!server.isAlive()) {
      return false;
    }
    try {
      HttpResponse<String> response =
          PROBE.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/version"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().contains("spark");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static final HttpClient PROBE =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Override
  public void start() {
    // Started on demand (see origin), not with the service.
  }

  @Override
  public void stop() {
    Process p;
    synchronized (this) {
      stopped = true;
      p = process;
    }
    if (p != null && p.isAlive()) {
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return !stopped;
  }
}
