package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** How runs move through their states, on the fake backend with a clock the test moves. */
class RunLifecycleTest extends FakeBackendTest {

  @Test
  void aRunIsLaunchedWithItsParametersAndSucceeds() {
    registerJob("life-ok", "\"sparkConf\": {\"spark.sql.shuffle.partitions\": \"8\"}");
    Api.Response submitted =
        api.post(
            "/api/v1/runs",
            """
            {"job": "life-ok", "params": {"date": "2024-05-06"},
             "sparkConf": {"spark.sql.shuffle.partitions": "4"}, "labels": {"team": "markets"}}
            """);
    UUID runId = UUID.fromString(submitted.text("runId"));
    assertThat(submitted.text("state")).isEqualTo("QUEUED");
    assertThat(submitted.json().at("/params/rows").asInt()).isEqualTo(10);

    var driver = awaitLaunch(runId);
    assertThat(driver.spec().args()).containsExactly("--date", "2024-05-06");
    assertThat(driver.spec().sparkConf()).containsEntry("spark.sql.shuffle.partitions", "4");
    assertThat(driver.spec().mainClass()).isEqualTo("com.example.Main");
    awaitState(runId, "RUNNING");

    driver.succeed();
    awaitState(runId, "SUCCEEDED");
    JsonNode run = api.get("/api/v1/runs/" + runId).json();
    assertThat(run.get("attempt").asInt()).isEqualTo(1);
    assertThat(run.at("/attempts/0/state").asString()).isEqualTo("SUCCEEDED");
    assertThat(run.at("/attempts/0/sparkAppId").asString()).isEqualTo("fake-" + runId + "-1");
    assertThat(run.at("/attempts/0/exitCode").asInt()).isEqualTo(0);
    assertThat(run.get("startedAt").isNull()).isFalse();
    assertThat(run.get("finishedAt").isNull()).isFalse();
    assertThat(run.at("/labels/team").asString()).isEqualTo("markets");

    List<String> transitions =
        api.get("/api/v1/runs/" + runId + "/events")
            .json()
            .valueStream()
            .map(e -> e.get("from").asString("") + ">" + e.get("to").asString())
            .toList();
    assertThat(transitions)
        .containsExactly(">QUEUED", "QUEUED>LAUNCHING", "LAUNCHING>RUNNING", "RUNNING>SUCCEEDED");
  }

  @Test
  void aFailedAttemptFailsTheRunWithItsReason() {
    registerJob("life-fail", "");
    UUID runId = submit("life-fail", "2024-05-06");
    awaitLaunch(runId).fail("java.lang.IllegalStateException: bad input");
    awaitState(runId, "FAILED");
    JsonNode run = api.get("/api/v1/runs/" + runId).json();
    assertThat(run.get("stateReason").asString())
        .isEqualTo("driver exited with code 1: java.lang.IllegalStateException: bad input");
    assertThat(run.at("/attempts/0/exitCode").asInt()).isEqualTo(1);
    assertThat(run.at("/attempts/0/error").asString()).contains("bad input");
  }

  @Test
  void aFailedLaunchFailsTheRun() {
    api.put(
        "/api/v1/jobs/life-unlaunchable",
        "{\"type\": \"jvm\", \"appResource\": \"/opt/unlaunchable.jar\", \"mainClass\": \"A\"}");
    UUID runId =
        UUID.fromString(api.post("/api/v1/runs", "{\"job\": \"life-unlaunchable\"}").text("runId"));
    awaitState(runId, "FAILED");
    assertThat(api.get("/api/v1/runs/" + runId).text("stateReason")).startsWith("launch failed:");
  }

  @Test
  void retriesRequeueAfterBackoffAndListEveryAttempt() {
    registerJob("life-retry", "\"retry\": {\"maxAttempts\": 2, \"backoffSeconds\": 300}");
    UUID runId = submit("life-retry", "2024-05-06");
    awaitLaunch(runId).fail("first try fails");
    awaitState(runId, "QUEUED");
    JsonNode queued = api.get("/api/v1/runs/" + runId).json();
    assertThat(queued.get("stateReason").asString()).contains("attempt 2 in 300 s");
    assertThat(queued.at("/attempts/0/state").asString()).isEqualTo("FAILED");
    assertThat(fake.launchesOf(runId)).isEqualTo(1);

    clock.advance(Duration.ofSeconds(301));
    await().atMost(Duration.ofSeconds(20)).until(() -> fake.launchesOf(runId) == 2);
    fake.driver(runId).succeed();
    awaitState(runId, "SUCCEEDED");
    JsonNode run = api.get("/api/v1/runs/" + runId).json();
    assertThat(run.get("attempt").asInt()).isEqualTo(2);
    assertThat(run.get("attempts").findValuesAsString("state"))
        .containsExactly("FAILED", "SUCCEEDED");
  }

  @Test
  void cancellingAQueuedRunEndsItWithoutLaunch() {
    registerJob("life-cancel-queued", "\"maxConcurrentRuns\": 1");
    UUID blocker = submit("life-cancel-queued", "2024-01-01");
    awaitLaunch(blocker);
    UUID waiting = submit("life-cancel-queued", "2024-01-02");
    Api.Response cancel = api.post("/api/v1/runs/" + waiting + "/cancel", null);
    assertThat(cancel.status()).isEqualTo(202);
    assertThat(cancel.text("state")).isEqualTo("CANCELLED");
    fake.driver(blocker).succeed();
    awaitState(blocker, "SUCCEEDED");
    assertThat(fake.launched(waiting)).isFalse();
    JsonNode last = lastEvent(waiting);
    assertThat(last.get("actor").asString()).isEqualTo("test-admin");
    assertThat(last.get("to").asString()).isEqualTo("CANCELLED");
  }

  @Test
  void cancellingARunningRunStopsItsDriver() {
    registerJob("life-cancel", "");
    UUID runId = submit("life-cancel", "2024-01-01");
    var driver = awaitLaunch(runId);
    awaitState(runId, "RUNNING");
    Api.Response cancel = api.post("/api/v1/runs/" + runId + "/cancel", null);
    assertThat(cancel.status()).isEqualTo(202);
    assertThat(cancel.text("cancelRequestedBy")).isEqualTo("test-admin");
    awaitState(runId, "CANCELLED");
    assertThat(driver.stopRequested()).isTrue();
    assertThat(driver.alive()).isFalse();
    JsonNode run = api.get("/api/v1/runs/" + runId).json();
    assertThat(run.at("/attempts/0/state").asString()).isEqualTo("KILLED");
    assertThat(run.get("stateReason").asString()).isEqualTo("cancelled by test-admin");
    assertThat(lastEvent(runId).get("actor").asString()).isEqualTo("test-admin");
  }

  @Test
  void aDriverThatIgnoresStopIsKilledAfterTheGracePeriod() {
    registerJob("life-stubborn", "");
    fake.ignoreStops(true);
    UUID runId = submit("life-stubborn", "2024-01-01");
    var driver = awaitLaunch(runId);
    awaitState(runId, "RUNNING");
    api.post("/api/v1/runs/" + runId + "/cancel", null);
    await().atMost(Duration.ofSeconds(10)).until(driver::stopRequested);
    assertThat(driver.alive()).isTrue();
    clock.advance(Duration.ofSeconds(3));
    awaitState(runId, "CANCELLED");
    assertThat(driver.alive()).isFalse();
  }

  @Test
  void aRunPastItsTimeoutIsStoppedAndTimedOut() {
    registerJob("life-timeout", "\"timeoutSeconds\": 60, \"retry\": {\"maxAttempts\": 3}");
    UUID runId = submit("life-timeout", "2024-01-01");
    var driver = awaitLaunch(runId);
    awaitState(runId, "RUNNING");
    clock.advance(Duration.ofSeconds(61));
    awaitState(runId, "TIMED_OUT");
    assertThat(driver.alive()).isFalse();
    JsonNode run = api.get("/api/v1/runs/" + runId).json();
    assertThat(run.at("/attempts/0/state").asString()).isEqualTo("TIMED_OUT");
    assertThat(run.get("stateReason").asString()).isEqualTo("timed out after 60 s");
    // A timeout is not retried.
    assertThat(fake.launchesOf(runId)).isEqualTo(1);
  }

  @Test
  void aJobsConcurrencyLimitHoldsLaterRunsInTheQueue() {
    registerJob("life-limit", "\"maxConcurrentRuns\": 1");
    UUID first = submit("life-limit", "2024-01-01");
    UUID second = submit("life-limit", "2024-01-02");
    awaitLaunch(first);
    awaitSupervisionPassesAfter(clock.instant().plusMillis(500));
    assertThat(state(second)).isEqualTo("QUEUED");
    assertThat(fake.launched(second)).isFalse();
    fake.driver(first).succeed();
    awaitLaunch(second).succeed();
    awaitState(second, "SUCCEEDED");
  }

  @Test
  void listingPagesNewestFirstWithFilters() {
    registerJob("life-list", "");
    Set<String> submitted = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      submitted.add(
          api.post(
                  "/api/v1/runs",
                  "{\"job\": \"life-list\", \"params\": {\"date\": \"2024-01-0"
                      + (i + 1)
                      + "\"}, \"labels\": {\"batch\": \""
                      + (i % 2 == 0 ? "even" : "odd")
                      + "\"}}")
              .text("runId"));
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    String previousCreatedAt = null;
    int pages = 0;
    do {
      JsonNode page =
          api.get(
                  "/api/v1/runs?job=life-list&limit=3"
                      + (cursor == null ? "" : "&cursor=" + cursor))
              .json();
      for (JsonNode run : page.get("runs")) {
        assertThat(seen.add(run.get("runId").asString())).isTrue();
        String createdAt = run.get("createdAt").asString();
        if (previousCreatedAt != null) {
          assertThat(java.time.Instant.parse(createdAt))
              .isBeforeOrEqualTo(java.time.Instant.parse(previousCreatedAt));
        }
        previousCreatedAt = createdAt;
      }
      cursor =
          page.get("nextCursor") == null || page.get("nextCursor").isNull()
              ? null
              : page.get("nextCursor").asString();
      pages++;
    } while (cursor != null);
    assertThat(seen).isEqualTo(submitted);
    assertThat(pages).isEqualTo(3);

    assertThat(api.get("/api/v1/runs?job=life-list&label=batch=even").json().get("runs").size())
        .isEqualTo(4);
    assertThat(
            api.get("/api/v1/runs?job=life-list&label=batch=odd&label=batch=even")
                .json()
                .get("runs")
                .size())
        .isEqualTo(0);
    assertThat(api.get("/api/v1/runs?job=life-list&state=SUCCEEDED").json().get("runs").size())
        .isEqualTo(0);
  }

  @Test
  void aLabelFilterTakesItsValueWholeCommasAndAll() {
    registerJob("life-comma", "");
    String runId =
        api.post(
                "/api/v1/runs",
                "{\"job\": \"life-comma\", \"params\": {\"date\": \"2024-02-01\"},"
                    + " \"labels\": {\"owners\": \"ana,bo\", \"empty\": \"\"}}")
            .text("runId");
    assertThat(ids("/api/v1/runs?job=life-comma&label=owners=ana,bo")).containsExactly(runId);
    assertThat(ids("/api/v1/runs?job=life-comma&label=owners=ana")).isEmpty();
    assertThat(ids("/api/v1/runs?job=life-comma&label=empty=")).containsExactly(runId);
  }

  private List<String> ids(String path) {
    List<String> ids = new ArrayList<>();
    api.get(path).json().get("runs").forEach(run -> ids.add(run.get("runId").asString()));
    return ids;
  }

  /** Waits until the supervision loop has completed a pass that started after {@code mark}. */
  void awaitSupervisionPassesAfter(java.time.Instant mark) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              JsonNode health = api.get("/actuator/health").json();
              String last = health.at("/components/supervision/details/lastPassAt").asString(null);
              return last != null && java.time.Instant.parse(last).isAfter(mark);
            });
  }

  JsonNode lastEvent(UUID runId) {
    JsonNode events = api.get("/api/v1/runs/" + runId + "/events").json();
    return events.get(events.size() - 1);
  }
}
