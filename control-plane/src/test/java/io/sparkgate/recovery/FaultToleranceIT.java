package io.sparkgate.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.ServiceProcess;
import io.sparkgate.testing.TestSecrets;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The failures the lease and the fencing exist for, with two real service processes (simulated
 * Spark backend) on a real PostgreSQL that the test stops and starts: a database outage shorter
 * than the lease, one longer than it, clocks 60 s apart, and a backlog of 10,000 runs of one job.
 * Each asserts that every run ends with its true outcome, that exactly one driver ran per attempt
 * and that no two drivers of one run ever lived at once.
 */
class FaultToleranceIT {

  final Path work = Path.of("target/it-work/faults-" + UUID.randomUUID()).toAbsolutePath();
  int port;
  EmbeddedPostgres postgres;

  String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  void startPostgres() throws Exception {
    postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(work.resolve("pgdata"))
            .setCleanDataDirectory(false)
            .setPort(port)
            .start();
  }

  void freshPostgres() throws Exception {
    Files.createDirectories(work.resolve("pgdata"));
    port = ServiceProcess.freePort();
    startPostgres();
  }

  List<String> args(String instance, String... extra) {
    List<String> args = new ArrayList<>();
    args.add("--spring.datasource.url=" + url());
    args.add("--spring.datasource.username=postgres");
    args.add("--sparkgate.instance-id=" + instance);
    args.add("--sparkgate.work-dir=" + work.resolve(instance));
    args.add("--sparkgate.spark.backend=simulated");
    args.add("--sparkgate.supervision.poll-interval=250ms");
    args.add("--sparkgate.runs.max-concurrent=3");
    args.add("--sparkgate.catalog.artifact-locations=/opt");
    args.addAll(List.of(extra));
    return args;
  }

  ServiceProcess start(String instance, String... extra) throws Exception {
    return ServiceProcess.start(
        work.resolve(instance + ".log"), args(instance, extra).toArray(String[]::new));
  }

  long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url(), "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void register(Api api, String job, int sleepSeconds, String extra) {
    Api.Response response =
        api.put(
            "/api/v1/jobs/" + job,
            """
            {"type": "jvm", "appResource": "/opt/x.jar", "mainClass": "X",
             "args": ["--sleep-seconds", "%d"], "retry": {"maxAttempts": 3, "backoffSeconds": 0}%s}
            """
                .formatted(sleepSeconds, extra));
    assertThat(response.status()).isIn(200, 201);
  }

  static List<UUID> submit(Api api, String job, int n) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(
          UUID.fromString(api.post("/api/v1/runs", "{\"job\": \"" + job + "\"}").text("runId")));
    }
    return ids;
  }

  /** Every driver life the simulated backends recorded, per run: [start, end] per attempt. */
  Map<String, List<long[]>> driverLives(String... instances) throws Exception {
    Map<String, List<long[]>> lives = new HashMap<>();
    Map<String, long[]> open = new HashMap<>();
    for (String instance : instances) {
      Path log = work.resolve(instance).resolve("simulated-drivers.log");
      if (!Files.exists(log)) {
        continue;
      }
      for (String line : Files.readAllLines(log)) {
        String[] f = line.split(" ");
        String key = f[1] + " " + f[2];
        long at = Long.parseLong(f[3]);
        if (f[0].equals("start")) {
          long[] life = {at, Long.MAX_VALUE};
          assertThat(open.put(key, life)).as("attempt %s started twice", key).isNull();
          lives.computeIfAbsent(f[1], k -> new ArrayList<>()).add(life);
        } else {
          open.get(key)[1] = at;
        }
      }
    }
    return lives;
  }

  void assertNoTwoDriversOfARunOverlap(String... instances) throws Exception {
    driverLives(instances)
        .forEach(
            (run, lives) -> {
              for (int i = 0; i < lives.size(); i++) {
                for (int j = i + 1; j < lives.size(); j++) {
                  long[] a = lives.get(i);
                  long[] b = lives.get(j);
                  assertThat(a[1] <= b[0] || b[1] <= a[0])
                      .as("two drivers of run %s lived at once", run)
                      .isTrue();
                }
              }
            });
  }

  void awaitAll(String job, String state, int n, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                count(
                        "select count(*) from run where job_name = '"
                            + job
                            + "' and state = '"
                            + state
                            + "'")
                    == n);
  }

  @Test
  void aDatabaseOutageShorterThanTheLeaseEndsNoRun() throws Exception {
    freshPostgres();
    // The defaults: heartbeat every 5 s, lease 60 s.
    try (ServiceProcess a = start("a");
        ServiceProcess b = start("b")) {
      register(a.api(), "outage", 45, "");
      List<UUID> runs = submit(a.api(), "outage", 6);
      awaitAll("outage", "RUNNING", 6, Duration.ofSeconds(60));
      assertThat(count("select count(distinct owner_instance) from run where state = 'RUNNING'"))
          .isEqualTo(2);
      // A managed token not yet looked up on b: while the database is away, b cannot check it.
      Api.Response created =
          a.api().post("/api/v1/tokens", "{\"name\": \"outage\", \"role\": \"viewer\"}");
      TestSecrets.remember(created.text("token"));
      Api managed = b.api().as(created.text("token"));

      postgres.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  a.api().get("/actuator/health/readiness").status() == 503
                      && b.api().get("/actuator/health/readiness").status() == 503);
      Api.Response unchecked = managed.get("/api/v1/runs/" + runs.get(0));
      assertThat(unchecked.status()).as(unchecked.raw().body()).isEqualTo(503);
      assertThat(unchecked.text("type")).endsWith("/service-unavailable");
      assertThat(unchecked.header("Retry-After")).isNotNull();
      // The outage itself is the stimulus: the database stays away for 30 s.
      Thread.sleep(30_000);
      startPostgres();

      awaitAll("outage", "SUCCEEDED", 6, Duration.ofSeconds(90));
      assertThat(managed.get("/api/v1/runs/" + runs.get(0)).status()).isEqualTo(200);
      assertThat(count("select count(*) from run_attempt")).isEqualTo(6);
      assertThat(count("select count(*) from run_attempt where state <> 'SUCCEEDED'")).isZero();
      assertThat(count("select count(*) from run_event where reason like '%heartbeat%'")).isZero();
      assertThat(driverLives("a", "b"))
          .hasSize(6)
          .allSatisfy((run, lives) -> assertThat(lives).hasSize(1));
      assertThat(runs).hasSize(6);
    } finally {
      postgres.close();
    }
  }

  @Test
  void anOutageLongerThanTheLeaseStopsLocalDriversBeforeAnyoneTakesOver() throws Exception {
    freshPostgres();
    String[] shortLease = {
      "--sparkgate.supervision.heartbeat-interval=1s", "--sparkgate.supervision.lease-time=6s"
    };
    try (ServiceProcess a = start("a", shortLease);
        ServiceProcess b = start("b", shortLease)) {
      register(a.api(), "fenced", 30, "");
      submit(a.api(), "fenced", 4);
      awaitAll("fenced", "RUNNING", 4, Duration.ofSeconds(60));

      postgres.close();
      // Longer than the lease: both instances fence themselves and stop their drivers.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  Files.readString(work.resolve("a.log")).contains("lost its lease")
                      && Files.readString(work.resolve("b.log")).contains("lost its lease"));
      startPostgres();

      awaitAll("fenced", "SUCCEEDED", 4, Duration.ofSeconds(120));
      assertThat(count("select count(*) from run_attempt where state = 'LOST'")).isEqualTo(4);
      assertThat(
              count(
                  "select count(*) from run_event where reason like '%lost its lease%'"
                      + " and to_state = 'QUEUED'"))
          .isEqualTo(4);
      assertThat(count("select count(*) from run where job_name = 'fenced' and attempt = 2"))
          .isEqualTo(4);
      assertNoTwoDriversOfARunOverlap("a", "b");
    } finally {
      postgres.close();
    }
  }

  @Test
  void clocksSixtySecondsApartEndNoHealthyRun() throws Exception {
    freshPostgres();
    String libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
    assertThat(Path.of(libfaketime)).as("libfaketime (Debian package faketime)").exists();
    String[] fast = {
      "--sparkgate.supervision.heartbeat-interval=1s", "--sparkgate.supervision.lease-time=6s"
    };
    try (ServiceProcess behind =
            ServiceProcess.start(
                Map.of("LD_PRELOAD", libfaketime, "FAKETIME", "-30s"),
                work.resolve("behind.log"),
                args("behind", fast).toArray(String[]::new));
        ServiceProcess ahead =
            ServiceProcess.start(
                Map.of("LD_PRELOAD", libfaketime, "FAKETIME", "+30s"),
                work.resolve("ahead.log"),
                args("ahead", fast).toArray(String[]::new))) {
      register(behind.api(), "skew", 20, "");
      submit(behind.api(), "skew", 3);
      submit(ahead.api(), "skew", 3);
      awaitAll("skew", "SUCCEEDED", 6, Duration.ofSeconds(120));
      assertThat(count("select count(*) from run_attempt")).isEqualTo(6);
      assertThat(count("select count(*) from run_attempt where state <> 'SUCCEEDED'")).isZero();
      assertThat(count("select count(distinct instance_id) from run_attempt")).isEqualTo(2);
      assertNoTwoDriversOfARunOverlap("behind", "ahead");
    } finally {
      postgres.close();
    }
  }

  @Test
  void tenThousandQueuedRunsOfALimitedJobNeverDelayAnotherJob() throws Exception {
    freshPostgres();
    try (ServiceProcess a = start("a");
        ServiceProcess b = start("b")) {
      register(a.api(), "backfill", 600, ", \"maxConcurrentRuns\": 1");
      register(a.api(), "urgent", 1, "");
      submit(a.api(), "backfill", 1);
      // The backlog goes in as one statement: 10,000 API calls would only test the API.
      try (Connection c = DriverManager.getConnection(url(), "postgres", "");
          Statement s = c.createStatement()) {
        s.execute(
            """
            insert into run (id, job_name, job_version, state, params, spark_conf, labels,
                             fingerprint, submitted_by, created_at, attempt, max_attempts,
                             timeout_seconds, not_before)
            select gen_random_uuid(), 'backfill', 1, 'QUEUED', '{}', '{}', '{}', 'fp', 'test',
                   now() - interval '1 hour' + g * interval '1 ms', 0, 3, 3600,
                   now() - interval '1 hour'
            from generate_series(1, 10000) g
            """);
      }
      awaitAll("backfill", "RUNNING", 1, Duration.ofSeconds(30));
      for (int i = 0; i < 5; i++) {
        UUID urgent = submit(b.api(), "urgent", 1).get(0);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> "SUCCEEDED".equals(b.api().get("/api/v1/runs/" + urgent).text("state")));
        // Claimed within a poll of its submit (250 ms here), not after the backlog (minutes
        // before the fair queue); the bound leaves room for a loaded CI machine.
        long waitedMillis =
            count(
                "select (extract(epoch from e.at - r.created_at) * 1000)::bigint from run r"
                    + " join run_event e on e.run_id = r.id and e.to_state = 'LAUNCHING'"
                    + " where r.id = '"
                    + urgent
                    + "'");
        System.out.println("urgent run claimed " + waitedMillis + " ms after its submit");
        assertThat(waitedMillis).isLessThan(5_000);
      }
      assertThat(
              count(
                  "select count(*) from run where job_name = 'backfill'"
                      + " and state in ('LAUNCHING', 'RUNNING')"))
          .isOne();
      assertThat(count("select count(*) from run where job_name = 'backfill' and state = 'QUEUED'"))
          .isEqualTo(10_000);
    } finally {
      postgres.close();
    }
  }
}
