package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.testing.EventStream;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.TestTokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Following a run's state changes as Server-Sent Events, on the fake backend. */
class RunEventStreamTest extends FakeBackendTest {

  private EventStream follow(UUID runId, String token, String... headers) {
    return EventStream.open(api.url("/api/v1/runs/" + runId + "/events"), token, headers);
  }

  private static List<String> transitions(List<EventStream.Event> events) {
    return events.stream()
        .map(EventStream.Event::json)
        .map(e -> e.get("from").asString("") + ">" + e.get("to").asString())
        .toList();
  }

  @Test
  void aStreamSendsEveryStateChangeInOrderAsItHappensAndEndsAtTheTerminalState() throws Exception {
    registerJob("sse-order", "");
    UUID runId = submit("sse-order", "2024-05-06");
    try (EventStream stream = follow(runId, TestTokens.VIEWER)) {
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
      var driver = awaitLaunch(runId);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> transitions(stream.events()).contains("LAUNCHING>RUNNING"));
      assertThat(stream.ended()).isNotDone();

      // Recorded after the stream had sent everything before it: it must come live.
      driver.succeed();
      stream.ended().get(20, TimeUnit.SECONDS);

      List<EventStream.Event> events = stream.events();
      assertThat(transitions(events))
          .containsExactly(">QUEUED", "QUEUED>LAUNCHING", "LAUNCHING>RUNNING", "RUNNING>SUCCEEDED");
      assertThat(events).allSatisfy(e -> assertThat(e.name()).isEqualTo("state"));
      // The ids are the recorded events' ids, the same as in the JSON list, increasing.
      List<JsonNode> recorded =
          api.get("/api/v1/runs/" + runId + "/events").json().valueStream().toList();
      assertThat(events.stream().map(EventStream.Event::id).toList())
          .containsExactlyElementsOf(
              recorded.stream().map(e -> Long.toString(e.get("id").asLong())).toList());
      assertThat(events.stream().map(e -> e.json().get("at").asString()).toList())
          .containsExactlyElementsOf(recorded.stream().map(e -> e.get("at").asString()).toList());
      List<Long> ids = new ArrayList<>();
      events.forEach(e -> ids.add(Long.parseLong(e.id())));
      assertThat(ids).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void aClientResumesWithLastEventIdAndMissesNothing() throws Exception {
    registerJob("sse-resume", "");
    UUID runId = submit("sse-resume", "2024-05-06");
    awaitLaunch(runId).fail("java.lang.IllegalStateException: bad input");
    awaitState(runId, "FAILED");
    List<JsonNode> recorded =
        api.get("/api/v1/runs/" + runId + "/events").json().valueStream().toList();
    assertThat(recorded).hasSize(4);

    String second = Long.toString(recorded.get(1).get("id").asLong());
    try (EventStream rest = follow(runId, TestTokens.VIEWER, "Last-Event-ID", second)) {
      rest.ended().get(10, TimeUnit.SECONDS);
      assertThat(transitions(rest.events())).containsExactly("LAUNCHING>RUNNING", "RUNNING>FAILED");
      assertThat(rest.events().get(1).json().get("reason").asString()).contains("bad input");
    }
    // After the terminal event there is nothing left: the stream ends at once, empty.
    String last = Long.toString(recorded.get(3).get("id").asLong());
    try (EventStream none = follow(runId, TestTokens.VIEWER, "Last-Event-ID", last)) {
      none.ended().get(10, TimeUnit.SECONDS);
      assertThat(none.status()).isEqualTo(200);
      assertThat(none.events()).isEmpty();
    }
  }

  @Test
  void streamsAreBoundedPerCallerAndFreedWhenTheirRunEnds() throws Exception {
    registerJob("sse-bound", "");
    UUID runId = submit("sse-bound", "2024-05-06");
    var driver = awaitLaunch(runId);
    awaitState(runId, "RUNNING");
    List<EventStream> open = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        EventStream stream = follow(runId, TestTokens.OPERATOR);
        assertThat(stream.status()).isEqualTo(200);
        open.add(stream);
      }
      try (EventStream refused = follow(runId, TestTokens.OPERATOR)) {
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.header("Retry-After")).isEqualTo("5");
        assertThat(refused.errorBody()).contains("too-many-streams").contains("per-caller");
      }
      // Another caller has streams of its own.
      try (EventStream other = follow(runId, TestTokens.VIEWER)) {
        assertThat(other.status()).isEqualTo(200);
      }
      assertThat(
              api.get("/actuator/metrics/sparkgate.api.streams.open")
                  .json()
                  .at("/measurements/0/value")
                  .asDouble())
          .isGreaterThanOrEqualTo(8);
      // A waiting stream gets keep-alive comments (every second in these tests).
      await().atMost(Duration.ofSeconds(10)).until(() -> !open.get(0).comments().isEmpty());
      assertThat(open.get(0).events()).hasSize(3);

      driver.succeed();
      for (EventStream stream : open) {
        stream.ended().get(20, TimeUnit.SECONDS);
        assertThat(transitions(stream.events())).last().isEqualTo("RUNNING>SUCCEEDED");
      }
    } finally {
      open.forEach(EventStream::close);
    }
    // The ended streams no longer count.
    registerJob("sse-bound-2", "");
    UUID next = submit("sse-bound-2", "2024-05-07");
    List<EventStream> again = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        again.add(follow(next, TestTokens.OPERATOR));
      }
      assertThat(again).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
    } finally {
      again.forEach(EventStream::close);
      awaitLaunch(next).succeed();
      awaitState(next, "SUCCEEDED");
    }
  }

  @Test
  void refusedStreamsAreProblemDocuments() {
    try (EventStream unknown = follow(UUID.randomUUID(), TestTokens.VIEWER)) {
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.header("Content-Type")).startsWith("application/problem+json");
      assertThat(unknown.errorBody()).contains("run-not-found");
    }
    registerJob("sse-errors", "");
    UUID runId = submit("sse-errors", "2024-05-06");
    try (EventStream bad = follow(runId, TestTokens.VIEWER, "Last-Event-ID", "yesterday")) {
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
      assertThat(bad.errorBody()).contains("Last-Event-ID");
    }
    try (EventStream anonymous = follow(runId, null)) {
      assertThat(anonymous.status()).isEqualTo(401);
      assertThat(anonymous.header("Content-Type")).startsWith("application/problem+json");
    }
    awaitLaunch(runId).succeed();
    awaitState(runId, "SUCCEEDED");
  }
}
