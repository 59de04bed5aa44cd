package io.sparkgate.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.EventStream;
import io.sparkgate.testing.ServiceProcess;
import io.sparkgate.testing.TestDatabase;
import io.sparkgate.testing.TestTokens;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two service processes on one database with the simulated backend: every run is launched by
 * exactly one of them, and when one is killed the survivor takes over its runs.
 */
class TwoInstancesIT {

  final String db = TestDatabase.newDatabaseUrl();
  final Path work = Path.of("target/it-work/two-" + UUID.randomUUID());

  String[] args(String instance) {
    return new String[] {
      "--spring.datasource.url=" + db,
      "--spring.datasource.username=postgres",
      "--sparkgate.instance-id=" + instance,
      "--sparkgate.work-dir=" + work.resolve(instance),
      "--sparkgate.spark.backend=simulated",
      "--sparkgate.spark.simulated-run-duration=50ms",
      "--sparkgate.supervision.heartbeat-interval=1s",
      "--sparkgate.supervision.lease-time=3s",
      "--sparkgate.supervision.poll-interval=100ms",
      "--sparkgate.runs.max-concurrent=25",
      "--sparkgate.catalog.artifact-locations=/opt"
    };
  }

  long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(db, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  String text(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(db, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  List<String> lines(String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  Map<String, Integer> launches(String... instances) throws Exception {
    Map<String, Integer> perRun = new HashMap<>();
    for (String instance : instances) {
      Path log = work.resolve(instance).resolve("simulated-launches.log");
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          perRun.merge(line, 1, Integer::sum);
        }
      }
    }
    return perRun;
  }

  List<UUID> submitMany(Api api, String job, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<UUID>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(
                () ->
                    UUID.fromString(
                        api.post("/api/v1/runs", "{\"job\": \"" + job + "\"}").text("runId"))));
      }
      List<UUID> ids = new ArrayList<>();
      for (Future<UUID> f : futures) {
        ids.add(f.get());
      }
      return ids;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void eachRunIsLaunchedOnceAndASurvivorAdoptsTheRunsOfAKilledInstance() throws Exception {
    try (ServiceProcess a = ServiceProcess.start(work.resolve("a.log"), args("a"));
        ServiceProcess b = ServiceProcess.start(work.resolve("b.log"), args("b"))) {
      Api api = a.api();
      api.put(
          "/api/v1/jobs/fanout",
          "{\"type\": \"jvm\", \"appResource\": \"/opt/x.jar\", \"mainClass\": \"X\"}");
      List<UUID> runs = submitMany(api, "fanout", 200);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  count(
                          "select count(*) from run where job_name = 'fanout' and state = 'SUCCEEDED'")
                      == 200);

      Map<String, Integer> launched = launches("a", "b");
      assertThat(launched).hasSize(200);
      assertThat(launched.values()).allMatch(n -> n == 1);
      for (UUID run : runs) {
        assertThat(launched).containsKey(run + " 1");
      }
      assertThat(
              count(
                  "select count(*) from run_attempt a join run r on r.id = a.run_id where r.job_name = 'fanout'"))
          .isEqualTo(200);
      long byA = count("select count(*) from run_attempt where instance_id = 'a'");
      long byB = count("select count(*) from run_attempt where instance_id = 'b'");
      assertThat(byA + byB).isEqualTo(200);
      assertThat(byA).isPositive();
      assertThat(byB).isPositive();

      // Long runs, spread over both instances; then instance a dies.
      api.put(
          "/api/v1/jobs/long",
          """
          {"type": "jvm", "appResource": "/opt/x.jar", "mainClass": "X",
           "args": ["--sleep-seconds", "600"], "retry": {"maxAttempts": 2}}
          """);
      // Fewer than one instance's slots, so the survivor can hold them all.
      List<UUID> longRuns = submitMany(api, "long", 20);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  count("select count(*) from run where job_name = 'long' and state = 'RUNNING'")
                      == 20);
      long onA = count("select count(*) from run where job_name = 'long' and owner_instance = 'a'");
      assertThat(onA).isPositive();

      // A cancel received by b reaches the run's owner, a, which stops the driver.
      UUID cancelled =
          UUID.fromString(
              text("select id from run where job_name = 'long' and owner_instance = 'a' limit 1"));
      // Both instances' event streams of that run end with the change, whichever recorded it.
      String events = "/api/v1/runs/" + cancelled + "/events";
      try (EventStream streamA = EventStream.open(a.api().url(events), TestTokens.VIEWER);
          EventStream streamB = EventStream.open(b.api().url(events), TestTokens.VIEWER)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> streamA.events().size() == 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> streamB.events().size() == 3);
        assertThat(b.api().post("/api/v1/runs/" + cancelled + "/cancel", null).status())
            .isEqualTo(202);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> "CANCELLED".equals(b.api().get("/api/v1/runs/" + cancelled).text("state")));
        streamA.ended().get(10, TimeUnit.SECONDS);
        streamB.ended().get(10, TimeUnit.SECONDS);
        for (EventStream stream : List.of(streamA, streamB)) {
          assertThat(stream.events()).hasSize(4);
          assertThat(stream.events().get(3).json().get("to").asString()).isEqualTo("CANCELLED");
        }
      }
      assertThat(api.get("/api/v1/runs/" + cancelled).json().at("/attempts/0/state").asString())
          .isEqualTo("KILLED");
      onA--;

      a.kill9();
      Api survivor = b.api();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  count(
                          "select count(*) from run where job_name = 'long' and state = 'RUNNING' and owner_instance = 'b'")
                      == 19);
      assertThat(count("select count(*) from run_attempt where state = 'LOST'")).isEqualTo(onA);
      assertThat(count("select count(*) from run where job_name = 'long' and attempt = 2"))
          .isEqualTo(onA);
      // Never two live attempts of one run.
      assertThat(
              count(
                  "select count(*) from (select run_id from run_attempt where state in ('LAUNCHING','RUNNING')"
                      + " group by run_id having count(*) > 1) d"))
          .isZero();
      assertThat(survivor.get("/api/v1/runs/" + longRuns.get(0)).text("state"))
          .isEqualTo("RUNNING");
      for (UUID run : longRuns) {
        if (!run.equals(cancelled)) {
          survivor.post("/api/v1/runs/" + run + "/cancel", null);
        }
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  count("select count(*) from run where job_name = 'long' and state = 'CANCELLED'")
                      == 20);
    }
  }

  /**
   * One instance is killed with SIGKILL again and again while runs are claimed, launched and ended,
   * and each time restarted with its own instance id. Whatever phase each kill hit, every run ends
   * SUCCEEDED, each attempt's driver was started exactly once, no attempt is recorded twice, and no
   * run ever had two live attempts.
   */
  @Test
  void repeatedKill9DuringClaimLaunchAndEndLeavesEveryRunAccountedForOnce() throws Exception {
    ServiceProcess b = ServiceProcess.start(work.resolve("churn-b.log"), args("b"));
    ServiceProcess a = ServiceProcess.start(work.resolve("churn-a.log"), args("a"));
    try {
      Api api = b.api();
      api.put(
          "/api/v1/jobs/churn",
          """
          {"type": "jvm", "appResource": "/opt/x.jar", "mainClass": "X",
           "args": ["--sleep-seconds", "${sleep}"],
           "parameters": {"sleep": {"type": "int", "default": 0}},
           "retry": {"maxAttempts": 10, "backoffSeconds": 0}}
          """);
      // Each round submits 30 runs of 0 to 4 s and kills a while they are being claimed,
      // launched and ended.
      for (int kill = 0; kill < 5; kill++) {
        long before = count("select count(*) from run where state = 'SUCCEEDED'");
        // Submitted to a, which wakes and claims them first; b takes what a has no slot for.
        Api victim = a.api();
        for (int i = 0; i < 30; i++) {
          assertThat(
                  victim
                      .post(
                          "/api/v1/runs",
                          "{\"job\": \"churn\", \"params\": {\"sleep\": " + (i % 5) + "}}")
                      .status())
              .isEqualTo(201);
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () ->
                    count("select count(*) from run where state = 'SUCCEEDED'") > before + 3
                        && count(
                                "select count(*) from run where owner_instance = 'a'"
                                    + " and state in ('LAUNCHING', 'RUNNING')")
                            > 0);
        a.kill9();
        a = ServiceProcess.start(work.resolve("churn-a" + kill + ".log"), args("a"));
      }
      await()
          .atMost(Duration.ofSeconds(180))
          .until(
              () ->
                  count("select count(*) from run where job_name = 'churn' and state = 'SUCCEEDED'")
                      == 150);
      // Every kill hit at least one live run of a.
      assertThat(count("select count(*) from run_attempt where state = 'LOST'"))
          .isGreaterThanOrEqualTo(5);
      // No attempt's driver was started twice, and every driver belongs to a recorded attempt
      // (an attempt claimed by an instance killed before its launch has none: it ended LOST).
      Map<String, Integer> launched = launches("a", "b");
      assertThat(launched.values()).allMatch(n -> n == 1);
      List<String> attempts =
          lines(
              "select a.run_id || ' ' || a.attempt from run_attempt a join run r"
                  + " on r.id = a.run_id where r.job_name = 'churn'");
      assertThat(attempts).containsAll(launched.keySet());
      assertThat(count("select count(*) from run_attempt where state in ('LAUNCHING', 'RUNNING')"))
          .isZero();
      // Each run's last attempt succeeded; every earlier one ended LOST with a killed instance.
      assertThat(
              count(
                  "select count(*) from run r join run_attempt a on a.run_id = r.id"
                      + " and a.attempt = r.attempt where r.job_name = 'churn'"
                      + " and a.state = 'SUCCEEDED'"))
          .isEqualTo(150);
      assertThat(
              count(
                  "select count(*) from run r join run_attempt a on a.run_id = r.id"
                      + " and a.attempt < r.attempt where r.job_name = 'churn'"
                      + " and a.state <> 'LOST'"))
          .isZero();
      // One end event per attempt: nothing was recorded twice.
      assertThat(
              count(
                  "select count(*) from (select run_id, attempt from run_event"
                      + " where from_state in ('LAUNCHING', 'RUNNING') and to_state <> 'RUNNING'"
                      + " and from_state <> to_state"
                      + " group by run_id, attempt having count(*) > 1) d"))
          .isZero();
    } finally {
      a.close();
      b.close();
    }
  }
}
