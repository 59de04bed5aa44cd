package io.sparkgate.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.launch.OrphanDrivers;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.BuiltJobs;
import io.sparkgate.testing.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * PostgreSQL goes away while a real Spark run is in flight and its driver finishes during the
 * outage: the service reports not ready meanwhile, and records the true outcome once the database
 * is back.
 */
class DatabaseOutageIT {

  final Path work = Path.of("target/it-work/outage-" + UUID.randomUUID()).toAbsolutePath();

  EmbeddedPostgres startPostgres(Path dataDir, int port) throws Exception {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .start();
  }

  @Test
  void aDriverEndingDuringAnOutageIsRecordedAfterIt() throws Exception {
    Path dataDir = work.resolve("pgdata");
    Files.createDirectories(dataDir);
    int port = ServiceProcess.freePort();
    EmbeddedPostgres postgres = startPostgres(dataDir, port);
    try (ServiceProcess service =
        ServiceProcess.start(
            work.resolve("service.log"),
            "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + port + "/postgres",
            "--spring.datasource.username=postgres",
            "--sparkgate.work-dir=" + work.resolve("work"),
            "--sparkgate.spark.home=" + System.getProperty("sparkgate.test.spark-home"),
            "--sparkgate.supervision.poll-interval=250ms")) {
      Api api = service.api();
      String jar = BuiltJobs.jar();
      api.put(
          "/api/v1/jobs/outage",
          """
          {"type": "jvm", "appResource": "%s", "mainClass": "io.sparkgate.jobs.demo.DemoJob",
           "args": ["--rows", "100", "--sleep-seconds", "6"]}
          """
              .formatted(jar));
      UUID runId = UUID.fromString(api.post("/api/v1/runs", "{\"job\": \"outage\"}").text("runId"));
      await()
          .atMost(Duration.ofSeconds(180))
          .until(() -> "RUNNING".equals(api.get("/api/v1/runs/" + runId).text("state")));

      postgres.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> api.get("/actuator/health/readiness").status() == 503);
      // Health still answers anonymous probes, with the status only; a token sees which part is
      // down.
      for (String path : List.of("/actuator/health", "/actuator/health/readiness")) {
        Api.Response anonymous = api.as(null).get(path);
        assertThat(anonymous.status()).as(path).isEqualTo(503);
        assertThat(anonymous.text("status")).as(path).isEqualTo("DOWN");
        assertThat(anonymous.json().has("components")).as(path).isFalse();
      }
      assertThat(api.get("/actuator/health").json().at("/components/db/status").asString())
          .isEqualTo("DOWN");
      // A request that needs the database gets the documented problem, not a 500.
      Api.Response read = api.get("/api/v1/runs/" + runId);
      assertThat(read.status()).as(read.raw().body()).isEqualTo(503);
      assertThat(read.text("type")).isEqualTo("https://sparkgate.io/problems/service-unavailable");
      assertThat(read.header("Retry-After")).isEqualTo("5");
      // A burst of requests, more than the service has request threads, while the database is
      // away: they fail at once rather than each holding a thread for the pool's timeout, so the
      // liveness probe sent behind them answers within a probe's timeout.
      ExecutorService callers = Executors.newFixedThreadPool(48);
      try {
        List<Future<Integer>> burst = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
          burst.add(callers.submit(() -> api.get("/api/v1/runs/" + runId).status()));
        }
        CompletableFuture<Integer> liveness =
            CompletableFuture.supplyAsync(
                () -> api.as(null).get("/actuator/health/liveness").status());
        assertThat(liveness).succeedsWithin(Duration.ofSeconds(3)).isEqualTo(200);
        for (Future<Integer> status : burst) {
          assertThat(status.get()).isEqualTo(503);
        }
      } finally {
        callers.shutdownNow();
      }
      // The driver finishes while the database is away.
      await().atMost(Duration.ofSeconds(60)).until(() -> OrphanDrivers.find(runId).isEmpty());

      postgres = startPostgres(dataDir, port);
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> "SUCCEEDED".equals(api.get("/api/v1/runs/" + runId).text("state")));
      JsonNode run = api.get("/api/v1/runs/" + runId).json();
      assertThat(run.at("/attempts/0/exitCode").asInt()).isZero();
      List<String> states =
          api.get("/api/v1/runs/" + runId + "/events").json().findValuesAsString("to");
      assertThat(states).containsExactly("QUEUED", "LAUNCHING", "RUNNING", "SUCCEEDED");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> api.get("/actuator/health/readiness").status() == 200);
    } finally {
      postgres.close();
    }
  }

  /**
   * Two instances, each with a real Spark driver in local mode, and PostgreSQL away for 25 s: the
   * outage is shorter than the lease (default 60 s), so nobody declares anybody dead, no driver is
   * stopped, and both runs end SUCCEEDED with their one attempt.
   */
  @Test
  void anOutageShorterThanTheLeaseEndsNoRealSparkRunOnEitherInstance() throws Exception {
    Path dataDir = work.resolve("pgdata2");
    Files.createDirectories(dataDir);
    int port = ServiceProcess.freePort();
    EmbeddedPostgres postgres = startPostgres(dataDir, port);
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (ServiceProcess a = outageService("a", url);
        ServiceProcess b = outageService("b", url)) {
      String jar = BuiltJobs.jar();
      a.api()
          .put(
              "/api/v1/jobs/outage-two",
              """
              {"type": "jvm", "appResource": "%s", "mainClass": "io.sparkgate.jobs.demo.DemoJob",
               "args": ["--rows", "100", "--sleep-seconds", "50"],
               "retry": {"maxAttempts": 2, "backoffSeconds": 0}}
              """
                  .formatted(jar));
      UUID first =
          UUID.fromString(a.api().post("/api/v1/runs", "{\"job\": \"outage-two\"}").text("runId"));
      UUID second =
          UUID.fromString(b.api().post("/api/v1/runs", "{\"job\": \"outage-two\"}").text("runId"));
      for (UUID run : List.of(first, second)) {
        await()
            .atMost(Duration.ofSeconds(180))
            .until(() -> "RUNNING".equals(a.api().get("/api/v1/runs/" + run).text("state")));
      }
      assertThat(a.api().get("/api/v1/runs/" + first).json().at("/attempts/0/instance").asString())
          .isNotEqualTo(
              a.api().get("/api/v1/runs/" + second).json().at("/attempts/0/instance").asString());

      postgres.close();
      // The outage is the stimulus: 25 s without a database, while both drivers keep working.
      Thread.sleep(25_000);
      assertThat(OrphanDrivers.find(first)).isNotEmpty();
      assertThat(OrphanDrivers.find(second)).isNotEmpty();
      postgres = startPostgres(dataDir, port);

      for (UUID run : List.of(first, second)) {
        await()
            .atMost(Duration.ofSeconds(120))
            .ignoreExceptions()
            .until(() -> "SUCCEEDED".equals(a.api().get("/api/v1/runs/" + run).text("state")));
        JsonNode done = a.api().get("/api/v1/runs/" + run).json();
        assertThat(done.get("attempts")).hasSize(1);
        assertThat(done.at("/attempts/0/exitCode").asInt()).isZero();
      }
    } finally {
      postgres.close();
    }
  }

  ServiceProcess outageService(String instance, String url) throws Exception {
    return ServiceProcess.start(
        work.resolve(instance + ".log"),
        "--spring.datasource.url=" + url,
        "--spring.datasource.username=postgres",
        "--sparkgate.instance-id=" + instance,
        "--sparkgate.work-dir=" + work.resolve(instance),
        "--sparkgate.spark.home=" + System.getProperty("sparkgate.test.spark-home"),
        "--sparkgate.runs.max-concurrent=1",
        "--sparkgate.supervision.poll-interval=250ms");
  }
}
