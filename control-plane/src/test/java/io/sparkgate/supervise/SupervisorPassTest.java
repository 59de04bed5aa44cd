package io.sparkgate.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.catalog.CatalogService;
import io.sparkgate.catalog.RetryPolicy;
import io.sparkgate.run.Attempt;
import io.sparkgate.run.AttemptState;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunService;
import io.sparkgate.run.RunState;
import io.sparkgate.run.SubmitRequest;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.FakeSparkBackend;
import io.sparkgate.testing.Jobs;
import io.sparkgate.testing.MutableClock;
import io.sparkgate.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The supervision loop driven pass by pass (it does not start by itself here), with the fake
 * backend and a clock the test moves: each pass's effect is asserted right after it.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "sparkgate.supervision.auto-start=false",
      "sparkgate.supervision.heartbeat-interval=5s",
      "sparkgate.runs.max-concurrent=3",
      "sparkgate.spark.stop-grace=10s",
      "sparkgate.work-dir=target/test-work/passes",
      "sparkgate.catalog.artifact-locations=/opt"
    })
@Import(FakeBackendTest.Config.class)
class SupervisorPassTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    String url = TestDatabase.newDatabaseUrl();
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", () -> "postgres");
  }

  @Autowired Supervisor supervisor;
  @Autowired CatalogService catalog;
  @Autowired RunService runService;
  @Autowired RunRepository runs;
  @Autowired FakeSparkBackend fake;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;

  @BeforeEach
  void drainEverything() {
    // Leave no live run behind from an earlier test: cancel and pass until all are terminal.
    jdbc.sql(
            "update run set cancel_requested_at = now(), cancel_requested_by = 't' where state in ('LAUNCHING', 'RUNNING')")
        .update();
    for (Run run :
        runs.list(
            new io.sparkgate.run.RunFilter(null, java.util.EnumSet.of(RunState.QUEUED), List.of()),
            null,
            500)) {
      runService.cancel(run.id(), "t");
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              supervisor.pass();
              return jdbc.sql(
                          "select count(*) from run where state in ('QUEUED','LAUNCHING','RUNNING')")
                      .query(Long.class)
                      .single()
                  == 0;
            });
  }

  void job(String name, Integer maxConcurrent, RetryPolicy retry, Integer timeout) {
    catalog.register(
        name, Jobs.jvm("/opt/" + name + ".jar", "Main", maxConcurrent, timeout, retry), "test");
  }

  UUID submit(String job) {
    return runService
        .submit(new SubmitRequest(job, Map.of(), Map.of(), Map.of(), null), null, "test")
        .run()
        .id();
  }

  RunState state(UUID id) {
    return runs.find(id).orElseThrow().state();
  }

  void awaitLaunches(UUID... ids) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              for (UUID id : ids) {
                if (!fake.launched(id)) return false;
              }
              return true;
            });
  }

  @Test
  void aPassClaimsOldestFirstWithinTheGlobalAndPerJobLimits() {
    job("pass-limited", 1, null, null);
    job("pass-free", null, null, null);
    UUID a1 = submit("pass-limited");
    UUID a2 = submit("pass-limited");
    UUID b1 = submit("pass-free");
    UUID b2 = submit("pass-free");
    UUID b3 = submit("pass-free");

    supervisor.pass();
    // Three slots: a1 (the limited job's only one), then b1 and b2; a2 waits for its job, b3 for
    // a slot.
    assertThat(List.of(state(a1), state(a2), state(b1), state(b2), state(b3)))
        .containsExactly(
            RunState.LAUNCHING,
            RunState.QUEUED,
            RunState.LAUNCHING,
            RunState.LAUNCHING,
            RunState.QUEUED);

    awaitLaunches(a1, b1, b2);
    supervisor.pass();
    assertThat(state(a1)).isEqualTo(RunState.RUNNING);
    fake.driver(a1).succeed();
    supervisor.pass();
    // a1's end frees its job's slot and a global one, both taken in the same pass.
    assertThat(state(a1)).isEqualTo(RunState.SUCCEEDED);
    assertThat(state(a2)).isEqualTo(RunState.LAUNCHING);
    assertThat(state(b3)).isEqualTo(RunState.QUEUED);
  }

  @Test
  void aFailedAttemptWaitsOutItsBackoffOnTheClock() {
    job("pass-retry", null, new RetryPolicy(2, 30), null);
    UUID run = submit("pass-retry");
    supervisor.pass();
    awaitLaunches(run);
    fake.driver(run).fail("first");
    supervisor.pass();
    assertThat(state(run)).isEqualTo(RunState.QUEUED);
    supervisor.pass();
    assertThat(state(run)).isEqualTo(RunState.QUEUED);

    clock.advance(Duration.ofSeconds(31));
    supervisor.pass();
    assertThat(state(run)).isEqualTo(RunState.LAUNCHING);
    assertThat(runs.find(run).orElseThrow().attempt()).isEqualTo(2);
  }

  @Test
  void aDeadlinePassedOnTheClockStopsTheDriver() {
    job("pass-timeout", null, null, 120);
    UUID run = submit("pass-timeout");
    supervisor.pass();
    awaitLaunches(run);
    supervisor.pass();
    assertThat(state(run)).isEqualTo(RunState.RUNNING);

    clock.advance(Duration.ofSeconds(119));
    supervisor.pass();
    assertThat(fake.driver(run).stopRequested()).isFalse();
    clock.advance(Duration.ofSeconds(2));
    supervisor.pass(); // asks the driver to stop; the fake driver exits at once
    supervisor.pass(); // records the exit
    assertThat(state(run)).isEqualTo(RunState.TIMED_OUT);
  }

  @Test
  void theRunsOfADeadInstanceEndLostAndAreRetriedHere() {
    job("pass-adopt", null, new RetryPolicy(2, 0), null);
    UUID run = submit("pass-adopt");
    // Another instance claimed it and then stopped heartbeating.
    jdbc.sql(
            "insert into instance (id, host, started_at, heartbeat_at) values ('ghost', 'elsewhere', now(), now() - interval '1 hour')")
        .update();
    jdbc.sql(
            "update run set state = 'RUNNING', owner_instance = 'ghost', attempt = 1 where id = :id")
        .param("id", run)
        .update();
    jdbc.sql(
            "insert into run_attempt (run_id, attempt, state, instance_id, started_at) values (:id, 1, 'RUNNING', 'ghost', now())")
        .param("id", run)
        .update();

    clock.advance(Duration.ofSeconds(6)); // the reaper runs once per heartbeat interval
    supervisor.pass();
    // LOST and back in the queue, and in the same pass claimed by this instance.
    List<Attempt> attempts = runs.findAttempts(run);
    assertThat(attempts.get(0).state()).isEqualTo(AttemptState.LOST);
    assertThat(runs.find(run).orElseThrow().state()).isEqualTo(RunState.LAUNCHING);
    assertThat(runs.find(run).orElseThrow().attempt()).isEqualTo(2);
    assertThat(runs.findEvents(run))
        .extracting(e -> e.reason())
        .contains("instance ghost stopped heartbeating; attempt 2 in 0 s");
  }
}
