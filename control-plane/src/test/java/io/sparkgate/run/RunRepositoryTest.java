package io.sparkgate.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgate.catalog.CatalogService;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.Jobs;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The repository against a real PostgreSQL whose sessions are not in UTC. */
class RunRepositoryTest extends FakeBackendTest {

  @Autowired RunRepository runs;
  @Autowired CatalogService catalog;
  @Autowired JdbcClient jdbc;

  NewRun newRun(String job, String key, Instant at) {
    return new NewRun(
        UUID.randomUUID(),
        job,
        1,
        Map.of("date", "2024-01-01"),
        Map.of(),
        Map.of(),
        key,
        "fp",
        null,
        "tester",
        at,
        1,
        60);
  }

  // Runs created "tomorrow" are not due yet, so the running dispatcher leaves them alone.
  static Instant tomorrow() {
    return Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MICROS);
  }

  void registerOnHold(String name) {
    catalog.register(name, Jobs.jvm("/opt/a.jar", "A", 1, null, null), "tester");
  }

  @Test
  void sessionsAreNotUtcAndInstantsSurviveTheRoundTrip() {
    assertThat(jdbc.sql("show timezone").query(String.class).single())
        .isNotEqualToIgnoringCase("UTC");
    registerOnHold("repo-time");
    Instant at = Instant.parse("2031-03-09T07:59:59.123456Z");
    NewRun run = newRun("repo-time", null, at);
    assertThat(runs.insertQueued(run, "test-instance")).isTrue();
    runs.transition(
        runs.find(run.id()).orElseThrow(), RunState.CANCELLED, "test", "tester", "i", at, null);
    Run read = runs.find(run.id()).orElseThrow();
    assertThat(read.createdAt()).isEqualTo(at);
    assertThat(read.finishedAt()).isEqualTo(at);
    assertThat(runs.findEvents(run.id()).get(0).at()).isEqualTo(at);
  }

  @Test
  void aTransitionFromTheWrongStateChangesNothing() {
    registerOnHold("repo-cas");
    Instant now = tomorrow();
    NewRun run = newRun("repo-cas", null, now);
    runs.insertQueued(run, "i");
    Run queued = runs.find(run.id()).orElseThrow();
    assertThat(runs.transition(queued, RunState.CANCELLED, "first", "a", "i", now, null)).isTrue();
    // A second writer that still believes the run is queued loses, and writes no event.
    assertThat(runs.transition(queued, RunState.CANCELLED, "second", "b", "i", now, null))
        .isFalse();
    List<RunEvent> events = runs.findEvents(run.id());
    assertThat(events).extracting(RunEvent::reason).containsExactly("submitted", "first");
    assertThatThrownBy(
            () ->
                runs.transition(
                    runs.find(run.id()).orElseThrow(), RunState.RUNNING, "x", "a", "i", now, null))
        .isInstanceOf(IllegalStateTransitionException.class);
  }

  @Test
  void theDatabaseAllowsOneLiveRunPerIdempotencyKey() {
    registerOnHold("repo-key");
    Instant now = tomorrow();
    String key = "repo-" + UUID.randomUUID();
    NewRun first = newRun("repo-key", key, now);
    assertThat(runs.insertQueued(first, "i")).isTrue();
    assertThat(runs.insertQueued(newRun("repo-key", key, now), "i")).isFalse();
    // Even a writer that bypasses the repository cannot add a second live run for the key.
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        """
                        insert into run (id, job_name, job_version, state, params, spark_conf, labels,
                          idempotency_key, fingerprint, submitted_by, created_at, finished_at,
                          max_attempts, timeout_seconds, not_before)
                        values (:id, 'repo-key', 1, 'SUCCEEDED', '{}', '{}', '{}', :key, 'fp', 't',
                          now(), now(), 1, 60, now())
                        """)
                    .param("id", UUID.randomUUID())
                    .param("key", key)
                    .update())
        .isInstanceOf(DuplicateKeyException.class);
    runs.transition(
        runs.find(first.id()).orElseThrow(), RunState.CANCELLED, "x", "a", "i", now, null);
    assertThat(runs.insertQueued(newRun("repo-key", key, now.plusMillis(1)), "i")).isTrue();
    assertThat(runs.findLatestByKey(key).orElseThrow().createdAt()).isEqualTo(now.plusMillis(1));
  }

  @Test
  void invalidStatesAreRejectedByTheSchema() {
    registerOnHold("repo-check");
    NewRun run = newRun("repo-check", null, tomorrow());
    runs.insertQueued(run, "i");
    assertThatThrownBy(
            () ->
                jdbc.sql("update run set state = 'PAUSED' where id = :id")
                    .param("id", run.id())
                    .update())
        .hasMessageContaining("check");
    // A running run must have an owner.
    assertThatThrownBy(
            () ->
                jdbc.sql("update run set state = 'RUNNING' where id = :id")
                    .param("id", run.id())
                    .update())
        .hasMessageContaining("check");
  }
}
