package io.sparkgate.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged service (control-plane/target/control-plane.jar) as a real child process, for tests
 * that kill it with SIGKILL and start it again.
 */
public final class ServiceProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private ServiceProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts the jar with the given Spring arguments on a free port and waits until it is ready. */
  public static ServiceProcess start(Path logFile, String... args) throws IOException {
    return start(java.util.Map.of(), logFile, args);
  }

  /** The same, with extra environment variables (for example libfaketime's, to skew its clock). */
  public static ServiceProcess start(
      java.util.Map<String, String> env, Path logFile, String... args) throws IOException {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-jar");
    command.add(Path.of("target/control-plane.jar").toAbsolutePath().toString());
    command.add("--server.port=" + port);
    command.addAll(List.of(TestTokens.args()));
    command.addAll(List.of(args));
    Files.createDirectories(logFile.getParent());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    Process process =
        builder
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    ServiceProcess service = new ServiceProcess(process, port, logFile);
    Api api = service.api();
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new AssertionError("service exited; see " + logFile);
                }
                return api.get("/actuator/health/readiness").status() == 200;
              });
    } catch (RuntimeException | AssertionError e) {
      // A service that never became ready must not outlive the test (and load later ones).
      process.destroyForcibly();
      throw e;
    }
    return service;
  }

  public Api api() {
    return new Api(port);
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** SIGKILL: no shutdown hook, no cleanup, like a crash. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** A TCP port on this machine that was free a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
