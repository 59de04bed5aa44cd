package io.sparkgate.history;

import io.sparkgate.config.SparkHome;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.config.SupervisionThreads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
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
 * stopped with the service. Its process dies with the service too (the runtime's parent-death
 * signal), so no History Server outlives a crash.
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
      if (started == null || started.isCompletedExceptionally() || !isAlive()) {
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
      int port = properties.history().port() > 0 ? properties.history().port() : freePort();
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
      process = started;
      log.info("Starting the Spark History Server on 127.0.0.1:{} over {}", port, logs);
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (!answers(port)) {
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

  private static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void start() {
    // Started on demand (see origin), not with the service.
  }

  @Override
  public synchronized void stop() {
    stopped = true;
    Process p = process;
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
