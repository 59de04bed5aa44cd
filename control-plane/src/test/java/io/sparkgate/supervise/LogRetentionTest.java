package io.sparkgate.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.catalog.CatalogService;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.run.NewRun;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunState;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.Jobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class LogRetentionTest extends FakeBackendTest {

  @Autowired JdbcClient jdbc;
  @Autowired SparkgateProperties properties;
  @Autowired RunRepository runs;
  @Autowired CatalogService catalog;

  /** A retention of its own, so no earlier sweep in the shared context has moved its position. */
  LogRetention retention() {
    return new LogRetention(jdbc, properties, clock);
  }

  Path runDir(UUID runId) throws Exception {
    Path dir = properties.workDir().resolve("runs").resolve(runId.toString()).resolve("attempt-1");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("driver.log"), "log of " + runId);
    return dir.getParent();
  }

  /**
   * A run of {@code job} that was created and cancelled while queued at {@code finishedAt}. Runs
   * are created a day ahead so the running dispatcher never claims them.
   */
  UUID aCancelledRun(String job, Instant finishedAt) {
    NewRun run =
        new NewRun(
            UUID.randomUUID(),
            job,
            1,
            Map.of("date", "2024-01-01"),
            Map.of(),
            Map.of(),
            null,
            "fp",
            null,
            "tester",
            finishedAt,
            1,
            60);
    assertThat(runs.insertQueued(run, "test")).isTrue();
    assertThat(
            runs.transition(
                runs.find(run.id()).orElseThrow(),
                RunState.CANCELLED,
                "test",
                "tester",
                "test",
                finishedAt,
                null))
        .isTrue();
    return run.id();
  }

  static Path eventLog(Path dir, String name) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "events");
    return file;
  }

  static Instant tomorrow() {
    return Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MICROS);
  }

  @Test
  void deletesOnlyTheLogsOfRunsFinishedBeforeTheCutoff() throws Exception {
    LogRetention retention = retention();
    registerJob("retention", "");
    UUID finished = submit("retention", "2024-01-01");
    awaitLaunch(finished).succeed();
    awaitState(finished, "SUCCEEDED");
    UUID live = submit("retention", "2024-01-02");
    awaitLaunch(live);
    Path finishedDir = runDir(finished);
    Path liveDir = runDir(live);
    Path foreign = properties.workDir().resolve("runs/not-a-run");
    Files.createDirectories(foreign);
    Path unknownRun = runDir(UUID.randomUUID());
    // Event logs as Spark writes them: compressed, and rolled over into a directory.
    Path eventLogs = properties.history().localEventLogDir(properties.workDir()).orElseThrow();
    Path finishedLog = eventLog(eventLogs, "fake-" + finished + "-1.zstd");
    Path finishedRolled = eventLog(eventLogs, "eventlog_v2_fake-" + finished + "-1/events_1");
    Path liveRolled = eventLog(eventLogs, "eventlog_v2_fake-" + live + "-1/events_1");
    Path otherApp = eventLog(eventLogs, "fake-" + finished + "-10");

    // A cutoff before the run finished keeps it.
    retention.deleteExpired(clock.instant().minus(Duration.ofDays(1)));
    assertThat(finishedDir).exists();
    assertThat(finishedLog).exists();

    retention.deleteExpired(clock.instant().plus(Duration.ofSeconds(1)));
    assertThat(finishedDir).doesNotExist();
    assertThat(finishedLog).doesNotExist();
    assertThat(finishedRolled.getParent()).doesNotExist();
    assertThat(liveDir).exists();
    assertThat(liveRolled).exists();
    assertThat(otherApp).exists();
    assertThat(foreign).exists();
    assertThat(unknownRun).exists();
    fake.driver(live).succeed();
  }

  @Test
  void sweepsMoreExpiredRunsThanOneBatchAndStartsTheNextSweepWhereItStopped() throws Exception {
    catalog.register("retention-bulk", Jobs.jvm("/opt/a.jar", "A", 1, null, null), "tester");
    Instant finishedAt = tomorrow();
    // All at the same instant: paging must go on by id across batch boundaries.
    List<Path> expired = new ArrayList<>();
    for (int i = 0; i < 2 * LogRetention.BATCH + 200; i++) {
      expired.add(runDir(aCancelledRun("retention-bulk", finishedAt)));
    }
    Path withoutDirectory =
        properties
            .workDir()
            .resolve("runs")
            .resolve(aCancelledRun("retention-bulk", finishedAt).toString());
    Path recent = runDir(aCancelledRun("retention-bulk", finishedAt.plusSeconds(60)));
    Instant cutoff = finishedAt.plusSeconds(30);
    LogRetention retention = retention();

    assertThat(retention.deleteExpired(cutoff)).isEqualTo(expired.size());

    assertThat(expired).allSatisfy(dir -> assertThat(dir).doesNotExist());
    assertThat(withoutDirectory).doesNotExist();
    assertThat(recent).exists();
    // Nothing new expired: the next sweep starts after the last run it handled.
    assertThat(retention.deleteExpired(cutoff)).isZero();
    assertThat(retention.deleteExpired(finishedAt.plusSeconds(61))).isEqualTo(1);
    assertThat(recent).doesNotExist();
  }
}
