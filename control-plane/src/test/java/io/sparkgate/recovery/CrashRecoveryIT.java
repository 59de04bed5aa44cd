package io.sparkgate.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.launch.OrphanDrivers;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.BuiltJobs;
import io.sparkgate.testing.ServiceProcess;
import io.sparkgate.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * kill -9 of a real service process while real Spark drivers run and a run waits in the queue, then
 * a restart on the same database.
 */
class CrashRecoveryIT {

  static final Duration SPARK = Duration.ofSeconds(180);

  final String db = TestDatabase.newDatabaseUrl();
  final Path work = Path.of("target/it-work/crash-" + UUID.randomUUID());

  String[] args(String instance) {
    return new String[] {
      "--spring.datasource.url=" + db,
      "--spring.datasource.username=postgres",
      "--sparkgate.instance-id=" + instance,
      "--sparkgate.work-dir=" + work.resolve(instance),
      "--sparkgate.spark.home=" + System.getProperty("sparkgate.test.spark-home"),
      // 1 s keeps the test short; -Dsparkgate.it.heartbeat=5s measures the default.
      "--sparkgate.supervision.heartbeat-interval="
          + System.getProperty("sparkgate.it.heartbeat", "1s"),
      // 3 s keeps the takeover short (lease + 2 heartbeats); -Dsparkgate.it.lease=60s: default.
      "--sparkgate.supervision.lease-time=" + System.getProperty("sparkgate.it.lease", "3s"),
      "--sparkgate.supervision.poll-interval=250ms",
      "--sparkgate.spark.stop-grace=3s",
      "--sparkgate.runs.max-concurrent=2"
    };
  }

  static void register(Api api, String name, int maxAttempts) {
    String jar = BuiltJobs.jar();
    Api.Response response =
        api.put(
            "/api/v1/jobs/" + name,
            """
            {"type": "jvm", "appResource": "%s", "mainClass": "io.sparkgate.jobs.demo.DemoJob",
             "args": ["--rows", "100", "--sleep-seconds", "${sleep}"],
             "parameters": {"sleep": {"type": "int", "default": 0}},
             "retry": {"maxAttempts": %d, "backoffSeconds": 0}}
            """
                .formatted(jar, maxAttempts));
    assertThat(response.status()).isIn(200, 201);
  }

  static UUID submit(Api api, String job, int sleep) {
    return UUID.fromString(
        api.post(
                "/api/v1/runs",
                "{\"job\": \"" + job + "\", \"params\": {\"sleep\": " + sleep + "}}")
            .text("runId"));
  }

  static JsonNode run(Api api, UUID id) {
    return api.get("/api/v1/runs/" + id).json();
  }

  static void awaitHolding(Api api, UUID id) {
    await()
        .atMost(SPARK)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              Api.Response tail = api.get("/api/v1/runs/" + id + "/log?tail=4096");
              return tail.status() == 200 && tail.text("text").contains("holding the driver");
            });
  }

  @Test
  void afterKill9NoDriverIsLeftAndEveryRunIsAccountedForAfterRestart() throws Exception {
    UUID retried;
    UUID single;
    UUID queued;
    Instant killedAt;
    try (ServiceProcess first = ServiceProcess.start(work.resolve("a.log"), args("instance-a"))) {
      Api api = first.api();
      register(api, "crash-retried", 2);
      register(api, "crash-single", 1);
      retried = submit(api, "crash-retried", 600);
      single = submit(api, "crash-single", 600);
      awaitHolding(api, retried);
      awaitHolding(api, single);
      // Both slots are taken: this one waits in the queue.
      queued = submit(api, "crash-retried", 0);
      assertThat(run(api, queued).get("state").asString()).isEqualTo("QUEUED");
      assertThat(OrphanDrivers.find(retried)).isNotEmpty();

      first.kill9();
      killedAt = Instant.now();
    }
    // The drivers died with the service that launched them.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> OrphanDrivers.find(retried).isEmpty() && OrphanDrivers.find(single).isEmpty());

    try (ServiceProcess second = ServiceProcess.start(work.resolve("b.log"), args("instance-b"))) {
      Api api = second.api();
      // A new instance takes over after the takeover time: 5 s here, 70 s with the defaults.
      await()
          .atMost(Duration.ofSeconds(150))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  run(api, single).get("state").asString().equals("FAILED")
                      && run(api, retried).at("/attempts/0/state").asString().equals("LOST"));
      Duration accountedFor = Duration.between(killedAt, Instant.now());
      System.out.println(
          "kill -9 to every affected run accounted for: " + accountedFor.toMillis() + " ms");

      JsonNode failed = run(api, single);
      assertThat(failed.at("/attempts/0/state").asString()).isEqualTo("LOST");
      assertThat(failed.get("stateReason").asString())
          .isEqualTo("instance instance-a stopped heartbeating");

      // The queued run was not lost: it runs to its end.
      await()
          .atMost(SPARK)
          .until(() -> run(api, queued).get("state").asString().equals("SUCCEEDED"));

      // The retryable run gets a second attempt, on the surviving instance.
      await().atMost(SPARK).until(() -> run(api, retried).get("attempts").size() == 2);
      JsonNode second2 = run(api, retried);
      assertThat(second2.at("/attempts/1/instance").asString()).isEqualTo("instance-b");
      awaitHolding(api, retried);
      assertThat(OrphanDrivers.find(retried)).hasSize(1);
      api.post("/api/v1/runs/" + retried + "/cancel", null);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> run(api, retried).get("state").asString().equals("CANCELLED"));
      List<String> attemptStates = run(api, retried).get("attempts").findValuesAsString("state");
      assertThat(attemptStates).containsExactly("LOST", "KILLED");
      await().atMost(Duration.ofSeconds(30)).until(() -> OrphanDrivers.find(retried).isEmpty());
    }
  }

  @Test
  void aRestartWithTheSameInstanceIdSettlesItsRunsAtOnce() throws Exception {
    UUID single;
    Instant killedAt;
    try (ServiceProcess first = ServiceProcess.start(work.resolve("c.log"), args("instance-c"))) {
      Api api = first.api();
      register(api, "crash-same-id", 1);
      single = submit(api, "crash-same-id", 600);
      awaitHolding(api, single);
      first.kill9();
      killedAt = Instant.now();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> OrphanDrivers.find(single).isEmpty());
    try (ServiceProcess again = ServiceProcess.start(work.resolve("c2.log"), args("instance-c"))) {
      Api api = again.api();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> run(api, single).get("state").asString().equals("FAILED"));
      System.out.println(
          "kill -9 to the run settled by a restart with the same instance id: "
              + Duration.between(killedAt, Instant.now()).toMillis()
              + " ms");
      JsonNode failed = run(api, single);
      assertThat(failed.at("/attempts/0/state").asString()).isEqualTo("LOST");
      assertThat(failed.get("stateReason").asString())
          .isEqualTo("instance instance-c restarted; its driver did not survive");
    }
  }
}
