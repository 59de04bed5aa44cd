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
import io.sparkgate.testing.MutableTicker;
import io.sparkgate.testing.TestDatabase;
import io.sparkgate.testing.TestRuns;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
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
@Import({FakeBackendTest.Config.class, SupervisorPassTest.Ticking.class})
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
  @Autowired MutableTicker ticker;
  @Autowired AttemptEnding ending;

  // Lease 60 s plus two heartbeats of 5 s.
  static final Duration TAKEOVER = Duration.ofSeconds(70);

  @TestConfiguration
  static class Ticking {
    @Bean
    @Primary
    MutableTicker mutableTicker() {
      return new MutableTicker();
    }
  }

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
              // Runs left to instances that do not exist are reaped after the takeover time.
              ticker.advance(TAKEOVER.plusSeconds(5));
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
  void aDeadInstanceIsReapedOnlyAfterItsHeartbeatStoodStillForTheTakeoverTime() {
    job("pass-reap", null, new RetryPolicy(2, 0), null);
    // Another instance claimed a run; its heartbeat row says nothing about its clock.
    TestRuns.anInstance(jdbc, "ghost", "elsewhere", 7);
    UUID run = TestRuns.aRunningRun("pass-reap").ownedBy("ghost").maxAttempts(2).insert(jdbc);

    // The reaper looks once per heartbeat interval (5 s here).
    ticker.advance(Duration.ofSeconds(5));
    supervisor.pass(); // first sight of ghost's heartbeat 7
    ticker.advance(TAKEOVER.minusSeconds(1));
    supervisor.pass();
    assertThat(state(run)).isEqualTo(RunState.RUNNING);

    ticker.advance(Duration.ofSeconds(5));
    supervisor.pass();
    // LOST and back in the queue, and in the same pass claimed by this instance.
    List<Attempt> attempts = runs.findAttempts(run);
    assertThat(attempts.get(0).state()).isEqualTo(AttemptState.LOST);
    assertThat(runs.find(run).orElseThrow().state()).isEqualTo(RunState.LAUNCHING);
    assertThat(runs.find(run).orElseThrow().attempt()).isEqualTo(2);
    assertThat(runs.findEvents(run))
        .extracting(e -> e.reason())
        .contains("instance ghost stopped heartbeating; attempt 2 in 0 s");
    assertThat(
            jdbc.sql("select count(*) from instance where id = 'ghost'").query(Long.class).single())
        .isZero();
  }

  @Test
  void anInstanceWhoseHeartbeatMovesIsNeverReapedHoweverOldItsClockSaysItIs() {
    job("pass-skew", null, null, null);
    TestRuns.anInstance(jdbc, "behind", "elsewhere", 1);
    // Its clock is an hour behind: heartbeat_at means nothing, only the sequence moves.
    jdbc.sql("update instance set heartbeat_at = now() - interval '1 hour' where id = 'behind'")
        .update();
    UUID run = TestRuns.aRunningRun("pass-skew").ownedBy("behind").insert(jdbc);
    for (int beat = 2; beat < 20; beat++) {
      TestRuns.anInstance(jdbc, "behind", "elsewhere", beat);
      ticker.advance(Duration.ofSeconds(10));
      supervisor.pass();
    }
    assertThat(state(run)).isEqualTo(RunState.RUNNING);
    assertThat(runs.find(run).orElseThrow().ownerInstance()).isEqualTo("behind");
  }

  @Test
  void aClusterDriverOfADeadInstanceIsAdoptedEvenWhenThisInstanceIsFull() {
    job("pass-fill", null, null, null);
    job("pass-cluster", null, new RetryPolicy(3, 0), null);
    UUID f1 = submit("pass-fill");
    UUID f2 = submit("pass-fill");
    UUID f3 = submit("pass-fill");
    supervisor.pass();
    awaitLaunches(f1, f2, f3); // all three slots taken
    UUID run =
        TestRuns.aRunningRun("pass-cluster")
            .ownedBy("gone")
            .onCluster("spark://127.0.0.1:7077", "driver-20240101000000-0001")
            .maxAttempts(3)
            .insert(jdbc);

    ticker.advance(Duration.ofSeconds(5));
    supervisor.pass(); // no instance row at all: gone is dead at once
    Run adopted = runs.find(run).orElseThrow();
    assertThat(adopted.state()).isEqualTo(RunState.RUNNING);
    assertThat(adopted.attempt()).isEqualTo(1);
    assertThat(adopted.ownerInstance()).isNotEqualTo("gone");
    assertThat(fake.reattachesOf(run)).isOne();
    assertThat(fake.launchesOf(run)).isZero();

    fake.driver(run).succeed();
    supervisor.pass();
    assertThat(state(run)).isEqualTo(RunState.SUCCEEDED);
    assertThat(runs.findAttempts(run)).hasSize(1);
  }

  @Test
  void aLateFactAboutAnOldAttemptChangesNothing() {
    job("pass-late", null, new RetryPolicy(2, 0), null);
    UUID run = submit("pass-late");
    supervisor.pass();
    awaitLaunches(run);
    supervisor.pass();
    FakeSparkBackend.FakeDriver first = fake.driver(run);
    // Meanwhile another instance declared this one dead, ended attempt 1 and claimed attempt 2.
    Run seen = runs.find(run).orElseThrow();
    assertThat(
            runs.endAttempt(
                seen.attemptRef(),
                RunState.RUNNING,
                AttemptState.LOST,
                null,
                null,
                RunState.QUEUED,
                "taken over",
                "system",
                "other",
                clock.instant(),
                clock.instant()))
        .isTrue();
    assertThat(runs.claimQueued("other", 10, clock.instant())).extracting(Run::id).contains(run);

    first.succeed(); // the late exit of attempt 1
    supervisor.pass();
    Run now = runs.find(run).orElseThrow();
    assertThat(now.state()).isEqualTo(RunState.LAUNCHING);
    assertThat(now.attempt()).isEqualTo(2);
    assertThat(now.ownerInstance()).isEqualTo("other");
    assertThat(runs.findAttempts(run))
        .extracting(Attempt::state)
        .containsExactly(AttemptState.LOST, AttemptState.LAUNCHING);
  }

  @Test
  void theOldOwnerOfAnAdoptedClusterDriverLetsItRun() {
    catalog.register(
        "pass-adopted",
        Jobs.onCluster("/opt/pass-adopted.jar", "spark://127.0.0.1:7077", null),
        "test");
    UUID run = submit("pass-adopted");
    supervisor.pass();
    awaitLaunches(run);
    supervisor.pass();
    FakeSparkBackend.FakeDriver mine = fake.driver(run);
    // A survivor that thought this instance dead adopted the same driver.
    assertThat(
            runs.adopt(
                runs.find(run).orElseThrow().attemptRef(), "survivor", "adopted", clock.instant()))
        .isTrue();
    supervisor.pass();
    assertThat(mine.detached()).isTrue();
    assertThat(mine.killed()).isFalse();
  }

  @Test
  void aBacklogOfAJobAtItsLimitNeverDelaysAnotherJob() {
    job("pass-backlog", 1, null, null);
    job("pass-other", null, null, null);
    for (int i = 0; i < 300; i++) {
      TestRuns.aQueuedRun("pass-backlog").createdAt(clock.instant().minusSeconds(600)).insert(jdbc);
    }
    supervisor.pass(); // one backlog run takes the job's only slot
    UUID other = submit("pass-other");
    supervisor.pass();
    assertThat(state(other)).isEqualTo(RunState.LAUNCHING);
    assertThat(
            jdbc.sql(
                    "select count(*) from run where job_name = 'pass-backlog'"
                        + " and state in ('LAUNCHING', 'RUNNING')")
                .query(Long.class)
                .single())
        .isOne();
  }

  @Test
  void aCancelThatLandsWhileAnAttemptEndsWinsOverTheRetry() {
    job("pass-cancel-retry", null, new RetryPolicy(3, 0), null);
    UUID run = submit("pass-cancel-retry");
    supervisor.pass();
    awaitLaunches(run);
    supervisor.pass();
    Run before = runs.find(run).orElseThrow(); // what the loop read before the cancel
    runService.cancel(run, "alice");
    assertThat(
            ending.end(
                before,
                new AttemptOutcome(AttemptState.FAILED, 1, "driver exited with code 1", null),
                "system",
                before.ownerInstance(),
                clock.instant()))
        .isNull();
    fake.driver(run).fail("boom");
    supervisor.pass();
    Run after = runs.find(run).orElseThrow();
    assertThat(after.state()).isEqualTo(RunState.CANCELLED);
    assertThat(after.attempt()).isOne();
    assertThat(fake.launchesOf(run)).isOne();
  }

  @Test
  void aDriverThatFinishedBeforeItsDeadlineKeepsItsOutcome() {
    job("pass-finished", null, null, 60);
    UUID run = submit("pass-finished");
    supervisor.pass();
    awaitLaunches(run);
    supervisor.pass();
    fake.driver(run).reportFinished();
    clock.advance(Duration.ofSeconds(61));
    supervisor.pass();
    assertThat(fake.driver(run).stopRequested()).isFalse();
    fake.driver(run).succeed();
    supervisor.pass();
    assertThat(state(run)).isEqualTo(RunState.SUCCEEDED);
  }

  @Test
  void aLaunchThatFailsForTheInstanceDoesNotUseUpAnAttempt() {
    catalog.register("pass-no-disk", Jobs.jvm("/opt/no-disk.jar", "Main"), "test");
    UUID run = submit("pass-no-disk");
    supervisor.pass();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              supervisor.pass();
              return state(run) == RunState.QUEUED
                  && !runs.findEvents(run).isEmpty()
                  && runs.findEvents(run)
                      .get(runs.findEvents(run).size() - 1)
                      .reason()
                      .contains("not counted");
            });
    Run queued = runs.find(run).orElseThrow();
    assertThat(queued.attempt()).isZero();
    assertThat(runs.findAttempts(run)).isEmpty();
    assertThat(queued.notBefore()).isAfter(clock.instant().plusSeconds(20));
  }
}
