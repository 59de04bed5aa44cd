package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.sparkgate.testing.FakeBackendTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Requests are timed as {@code http.server.requests} with the tags of Spring's own request
 * observation: the route's pattern (never the raw path), status, outcome, method, exception and
 * error, and the application tag; refused and unknown requests included.
 */
class RequestMetricsTest extends FakeBackendTest {

  @Autowired MeterRegistry meters;

  @Test
  void aRequestIsTimedUnderItsRoutesPatternWithSpringsTags() {
    UUID unknown = UUID.randomUUID();
    assertThat(api.get("/api/v1/runs/" + unknown).status()).isEqualTo(404);
    Timer notFound =
        awaitTimer(Map.of("method", "GET", "uri", "/api/v1/runs/{runId}", "status", "404"), 1);
    assertThat(tags(notFound))
        .containsEntry("outcome", "CLIENT_ERROR")
        .containsEntry("exception", "none")
        .containsEntry("error", "none")
        .containsEntry("application", "sparkgate");
    assertThat(meters.find("http.server.requests").tag("uri", "/api/v1/runs/" + unknown).timer())
        .as("the raw path is no tag")
        .isNull();

    assertThat(api.get("/api/v1/jobs").status()).isEqualTo(200);
    assertThat(tags(awaitTimer(Map.of("uri", "/api/v1/jobs", "status", "200"), 1)))
        .containsEntry("outcome", "SUCCESS")
        .containsEntry("method", "GET");
  }

  @Test
  void refusedAndUnroutedRequestsAreTimedToo() {
    double before = count(Map.of("uri", "UNKNOWN", "status", "401"));
    assertThat(api.as(null).get("/api/v1/jobs").status()).isEqualTo(401);
    assertThat(tags(awaitTimer(Map.of("uri", "UNKNOWN", "status", "401"), before + 1)))
        .containsEntry("outcome", "CLIENT_ERROR");

    assertThat(api.get("/api/v1/no-such-thing").status()).isEqualTo(404);
    assertThat(meters.find("http.server.requests").tag("uri", "/api/v1/no-such-thing").timer())
        .isNull();
  }

  /** The timer with these tags once it has counted at least {@code count} requests. */
  Timer awaitTimer(Map<String, String> tags, double count) {
    // The filter records after the response is written: wait for it rather than race it.
    await().atMost(Duration.ofSeconds(10)).until(() -> count(tags) >= count);
    return find(tags);
  }

  double count(Map<String, String> tags) {
    Timer timer = find(tags);
    return timer == null ? 0 : timer.count();
  }

  Timer find(Map<String, String> tags) {
    var search = meters.find("http.server.requests");
    for (var tag : tags.entrySet()) {
      search = search.tag(tag.getKey(), tag.getValue());
    }
    return search.timer();
  }

  static Map<String, String> tags(Timer timer) {
    return timer.getId().getTags().stream().collect(Collectors.toMap(Tag::getKey, Tag::getValue));
  }
}
