package io.sparkgate.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Spark standalone master and worker on 127.0.0.1, started from the local Spark runtime with
 * the master's REST submission server on.
 */
public final class StandaloneCluster implements AutoCloseable {

  private final Process master;
  private final Process worker;
  public final int masterPort;
  public final int restPort;
  public final int uiPort;

  private StandaloneCluster(
      Process master, Process worker, int masterPort, int restPort, int uiPort) {
    this.master = master;
    this.worker = worker;
    this.masterPort = masterPort;
    this.restPort = restPort;
    this.uiPort = uiPort;
  }

  public static StandaloneCluster start(Path sparkHome, Path dir) throws IOException {
    Files.createDirectories(dir);
    int masterPort = ServiceProcess.freePort();
    int restPort = ServiceProcess.freePort();
    int uiPort = ServiceProcess.freePort();
    String sparkClass = sparkHome.resolve("bin/spark-class").toString();
    ProcessBuilder masterBuilder =
        new ProcessBuilder(
                sparkClass,
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(masterPort),
                "--webui-port",
                Integer.toString(uiPort))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("master.log").toFile());
    masterBuilder
        .environment()
        .put(
            "SPARK_MASTER_OPTS",
            "-Dspark.master.rest.enabled=true -Dspark.master.rest.port=" + restPort);
    Process master = masterBuilder.start();
    ProcessBuilder workerBuilder =
        new ProcessBuilder(
                sparkClass,
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                "127.0.0.1",
                "--cores",
                "2",
                "--memory",
                "3g",
                "--webui-port",
                "0",
                "--work-dir",
                dir.resolve("work").toAbsolutePath().toString(),
                "spark://127.0.0.1:" + masterPort)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("worker.log").toFile());
    Process worker = workerBuilder.start();
    StandaloneCluster cluster = new StandaloneCluster(master, worker, masterPort, restPort, uiPort);
    HttpClient http = HttpClient.newHttpClient();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uiPort + "/json/"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body()
                    .contains("\"aliveworkers\" : 1"));
    return cluster;
  }

  /** The master URL of cluster-mode jobs: the REST submission server. */
  public String masterUrl() {
    return "spark://127.0.0.1:" + restPort;
  }

  /** The master URL of client-mode jobs: the driver runs here, its executors on the worker. */
  public String clientMasterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The master's view of a driver, from its REST server. */
  public String driverState(String driverId) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + restPort + "/v1/submissions/status/" + driverId))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return body.replaceAll("(?s).*\"driverState\" : \"([A-Z]+)\".*", "$1");
  }

  @Override
  public void close() throws InterruptedException {
    for (Process process : List.of(worker, master)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
