package io.sparkgate.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.catalog.CatalogService;
import io.sparkgate.support.Json;
import io.sparkgate.support.SqlTime;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.FakeSparkBackend;
import io.sparkgate.testing.Jobs;
import io.sparkgate.testing.TestRuns;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Run listings over a history of thousands of runs: every filter shape pages through exactly the
 * runs, in exactly the order and with exactly the cursors, of one plain query (the listing as it
 * was before it was made fast); each listed run comes with its attempts; a statement past the
 * statement timeout is a 503. Its own context (and so its own database), so that no other test's
 * runs change while it pages, and its lock on the run table stalls no one else: with a lease of an
 * hour nobody takes over the seeded live runs of the instance "ghost".
 */
@TestPropertySource(
    properties = {"sparkgate.api.statement-timeout=1s", "sparkgate.supervision.lease-time=1h"})
class RunListingTest extends FakeBackendTest {

  static final List<String> JOBS = List.of("list-a", "list-b", "list-c", "list-d", "list-e");
  static final int RUNS = 6000;
  private static boolean seeded;

  @Autowired RunService runs;
  @Autowired CatalogService catalog;
  @Autowired JdbcClient jdbc;
  @Autowired Json json;
  @Autowired DataSource dataSource;

  @BeforeEach
  void seed() {
    if (seeded) {
      return;
    }
    for (String job : JOBS) {
      catalog.register(job, Jobs.jvm("/opt/" + job + ".jar", "Main"), "tester");
    }
    TestRuns.anInstance(jdbc, "ghost", "ghost-host", 1);
    TestRuns.aHistory(jdbc, JOBS, RUNS, "ghost", Instant.now());
    jdbc.sql("analyze run").update();
    seeded = true;
  }

  static RunFilter filter(String job, Set<RunState> states, String... labels) {
    List<RunFilter.Label> parsed = new ArrayList<>();
    for (String label : labels) {
      int eq = label.indexOf('=');
      parsed.add(new RunFilter.Label(label.substring(0, eq), label.substring(eq + 1)));
    }
    return new RunFilter(job, states, parsed);
  }

  static Set<RunState> states(RunState... states) {
    return states.length == 0 ? Set.of() : EnumSet.of(states[0], states);
  }

  @Test
  void everyFilterPagesThroughTheRunsOfOnePlainQueryInItsOrderWithItsCursors() {
    RunState rare = RunState.TIMED_OUT;
    List<RunFilter> filters =
        List.of(
            filter(null, states()),
            filter("list-c", states()),
            filter(null, states(RunState.SUCCEEDED)),
            filter(null, states(RunState.FAILED)),
            filter(null, states(RunState.CANCELLED)),
            filter(null, states(rare)),
            filter(null, states(RunState.QUEUED)),
            filter(null, states(RunState.LAUNCHING)),
            filter(null, states(RunState.RUNNING)),
            filter(null, states(RunState.RUNNING, RunState.QUEUED, RunState.LAUNCHING)),
            filter(null, states(RunState.FAILED, rare, RunState.CANCELLED)),
            filter(null, EnumSet.allOf(RunState.class)),
            filter(null, states(), "team=team-1"),
            filter(null, states(), "dag=dag-6"),
            filter(null, states(), "team=team-2", "dag=dag-6"),
            filter(null, states(), "team=team-2", "dag=dag-7"),
            filter(null, states(), "rare=yes"),
            filter(null, states(), "team=team-3", "rare=yes"),
            filter(null, states(), "rare=yes", "team=team-3"),
            filter(null, states(), "team=team-1", "dag=dag-old", "rare=yes"),
            filter(null, states(), "team=team-1", "team=team-2"),
            // Only the oldest runs carry it.
            filter(null, states(), "dag=dag-old"),
            filter(null, states(), "team=nobody"),
            filter(null, states(RunState.SUCCEEDED), "team=team-3"),
            filter(null, states(RunState.FAILED), "dag=dag-5"),
            filter(null, states(rare), "team=team-0"),
            filter(null, states(RunState.RUNNING), "dag=dag-old"),
            filter(null, states(RunState.SUCCEEDED), "rare=yes"),
            filter(null, states(RunState.FAILED, rare), "team=team-1"),
            filter("list-b", states(RunState.FAILED)),
            filter("list-b", states(rare)),
            filter("list-b", states(RunState.QUEUED, RunState.RUNNING)),
            filter("list-b", states(), "dag=dag-old"),
            filter("list-d", states(RunState.FAILED), "team=team-2"),
            filter("list-d", states(RunState.SUCCEEDED), "rare=yes"),
            filter("no-such-job", states()));
    // A rare label: a handful of runs, spread over the whole history.
    assertThat(carrying("rare", "yes")).isBetween(1, 50);
    for (RunFilter filter : filters) {
      List<PageCursor> expected = reference(filter);
      for (int limit : expected.size() > 1000 ? List.of(50, 500) : List.of(7, 50, 500)) {
        assertPagesMatch(filter, limit, expected);
      }
    }
  }

  /** How many runs carry the label. */
  int carrying(String key, String value) {
    return jdbc.sql("select count(*) from run where labels @> cast(:label as jsonb)")
        .param("label", json.write(Map.of(key, value)))
        .query(Integer.class)
        .single();
  }

  @Test
  void aLabelListingByStateFollowsTheRunThroughEveryStateChange() {
    registerJob("list-sync", "");
    String label = "sync=" + UUID.randomUUID();
    Api.Response submitted =
        api.post(
            "/api/v1/runs",
            """
            {"job": "list-sync", "params": {"date": "2026-01-02"}, "labels": {"%s": "%s"}}
            """
                .formatted(label.substring(0, 4), label.substring(5)));
    assertThat(submitted.status()).as(submitted.raw().body()).isEqualTo(201);
    UUID runId = UUID.fromString(submitted.text("runId"));
    FakeSparkBackend.FakeDriver driver = awaitLaunch(runId);
    awaitState(runId, "RUNNING");
    assertThat(listed(label, "RUNNING")).containsExactly(runId.toString());
    assertThat(listed(label, "QUEUED")).isEmpty();

    driver.succeed();
    awaitState(runId, "SUCCEEDED");
    assertThat(listed(label, "SUCCEEDED")).containsExactly(runId.toString());
    assertThat(listed(label, "RUNNING")).isEmpty();
    assertThat(listed(label, null)).containsExactly(runId.toString());

    // Nothing writes a run's labels after its submit; if anything did, the rows would follow.
    jdbc.sql("update run set labels = labels || '{\"extra\": \"yes\"}' where id = :id")
        .param("id", runId)
        .update();
    assertThat(listed(label, "SUCCEEDED")).containsExactly(runId.toString());
    assertThat(listed("extra=yes", "SUCCEEDED")).containsExactly(runId.toString());
  }

  @Test
  void theLabelRowsAreExactlyTheLabelsOfEveryRunWithItsStateAndCreationTime() {
    String difference =
        """
        select count(*) from (
          (select r.id, l.key, l.value, r.state, r.created_at
           from run r cross join lateral jsonb_each_text(r.labels) as l
           except all
           select run_id, key, value, run_state, run_created_at from run_label)
          union all
          (select run_id, key, value, run_state, run_created_at from run_label
           except all
           select r.id, l.key, l.value, r.state, r.created_at
           from run r cross join lateral jsonb_each_text(r.labels) as l)
        ) difference
        """;
    assertThat(jdbc.sql("select count(*) from run_label").query(Integer.class).single())
        .isGreaterThan(RUNS);
    assertThat(jdbc.sql(difference).query(Integer.class).single()).isZero();
  }

  /** The ids of the runs with the label (key=value) and state, through the API. */
  List<String> listed(String label, String state) {
    Api.Response response =
        api.get("/api/v1/runs?label=" + label + (state == null ? "" : "&state=" + state));
    assertThat(response.status()).as(response.raw().body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    response.json().get("runs").forEach(run -> ids.add(run.get("runId").asString()));
    return ids;
  }

  /** Walks the listing by cursor and compares every page with the reference. */
  void assertPagesMatch(RunFilter filter, int limit, List<PageCursor> expected) {
    String cursor = null;
    int seen = 0;
    int pages = 0;
    do {
      RunService.Page page = runs.list(filter, cursor, limit);
      pages++;
      List<PageCursor> expectedPage =
          expected.subList(seen, Math.min(seen + limit, expected.size()));
      assertThat(page.runs())
          .as("%s, limit %d, page %d", filter, limit, pages)
          .extracting(r -> new PageCursor(r.createdAt(), r.id()))
          .containsExactlyElementsOf(expectedPage);
      for (Run run : page.runs()) {
        assertThat(page.attemptsOf(run))
            .as("attempts of %s", run.id())
            .extracting(Attempt::attempt)
            .containsExactlyElementsOf(
                java.util.stream.IntStream.rangeClosed(1, run.attempt()).boxed().toList());
      }
      seen += page.runs().size();
      if (page.runs().size() == limit) {
        assertThat(page.next()).isEqualTo(expected.get(seen - 1));
        cursor = page.next().encode();
      } else {
        assertThat(page.next()).isNull();
        cursor = null;
      }
    } while (cursor != null);
    assertThat(seen).as("%s, limit %d", filter, limit).isEqualTo(expected.size());
  }

  /** The listing as one plain query: what it was before it had to be fast. */
  List<PageCursor> reference(RunFilter filter) {
    StringBuilder sql = new StringBuilder("select created_at, id from run where true");
    Map<String, Object> params = new LinkedHashMap<>();
    if (filter.job() != null) {
      sql.append(" and job_name = :job");
      params.put("job", filter.job());
    }
    if (!filter.states().isEmpty()) {
      sql.append(" and state in (:states)");
      params.put("states", filter.states().stream().map(Enum::name).toList());
    }
    for (int i = 0; i < filter.labels().size(); i++) {
      RunFilter.Label label = filter.labels().get(i);
      sql.append(" and labels @> cast(:label").append(i).append(" as jsonb)");
      params.put("label" + i, json.write(Map.of(label.key(), label.value())));
    }
    sql.append(" order by created_at desc, id desc");
    return jdbc.sql(sql.toString())
        .params(params)
        .query(
            (rs, row) ->
                new PageCursor(SqlTime.get(rs, "created_at"), rs.getObject("id", UUID.class)))
        .list();
  }

  @Test
  void everyListedRunComesWithItsAttempts() {
    Api.Response response = api.get("/api/v1/runs?job=list-a&limit=500");
    assertThat(response.status()).isEqualTo(200);
    Map<UUID, List<Integer>> stored = new LinkedHashMap<>();
    jdbc.sql(
            """
            select r.id, a.attempt from run r left join run_attempt a on a.run_id = r.id
            where r.job_name = 'list-a' order by r.id, a.attempt
            """)
        .query(
            rs -> {
              List<Integer> attempts =
                  stored.computeIfAbsent(rs.getObject(1, UUID.class), id -> new ArrayList<>());
              int attempt = rs.getInt(2);
              if (!rs.wasNull()) {
                attempts.add(attempt);
              }
            });
    int withTwo = 0;
    int withNone = 0;
    for (JsonNode run : response.json().get("runs")) {
      UUID id = UUID.fromString(run.get("runId").asString());
      List<Integer> listed = new ArrayList<>();
      run.get("attempts").forEach(a -> listed.add(a.get("attempt").asInt()));
      assertThat(listed).as("attempts of %s", id).isEqualTo(stored.get(id));
      withTwo += listed.size() == 2 ? 1 : 0;
      withNone += listed.isEmpty() ? 1 : 0;
    }
    assertThat(response.json().get("runs")).hasSize(500);
    assertThat(withTwo).isPositive();
    assertThat(withNone).isPositive();
  }

  @Test
  void aStatementPastTheTimeoutIsA503WithRetryAfterAndNoStuckThread() throws Exception {
    try (Connection locker = dataSource.getConnection()) {
      locker.setAutoCommit(false);
      try (Statement lock = locker.createStatement()) {
        lock.execute("lock table run in access exclusive mode");
      }
      long started = System.nanoTime();
      // Bounded here too: without the statement timeout the request would wait for the lock.
      Api.Response blocked =
          CompletableFuture.supplyAsync(() -> api.get("/api/v1/runs?job=list-a"))
              .get(10, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      locker.rollback();

      assertThat(blocked.status()).as(blocked.raw().body()).isEqualTo(503);
      assertThat(blocked.contentType()).startsWith("application/problem+json");
      assertThat(blocked.text("type"))
          .isEqualTo("https://sparkgate.io/problems/service-unavailable");
      assertThat(blocked.header("Retry-After")).isEqualTo("5");
      assertThat(blocked.raw().body()).doesNotContain("select").doesNotContain("SQL");
      // The configured second, and not much more: the statement was cancelled, not waited out.
      assertThat(took).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(4));
    }
    assertThat(api.get("/api/v1/runs?job=list-a").status()).isEqualTo(200);
  }
}
