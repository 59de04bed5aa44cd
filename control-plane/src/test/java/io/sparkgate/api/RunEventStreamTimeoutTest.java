package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.EventStream;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.TestTokens;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** A stream past its timeout ends as a stream ends, and the client resumes where it was. */
@TestPropertySource(properties = "sparkgate.api.streams.timeout=2s")
class RunEventStreamTimeoutTest extends FakeBackendTest {

  @Test
  void aStreamPastItsTimeoutEndsCleanlyAndTheClientResumes() throws Exception {
    registerJob("sse-timeout", "");
    UUID runId = submit("sse-timeout", "2024-05-06");
    var driver = awaitLaunch(runId);
    awaitState(runId, "RUNNING");
    String url = api.url("/api/v1/runs/" + runId + "/events");
    String lastId;
    try (EventStream first = EventStream.open(url, TestTokens.VIEWER)) {
      // Ends without an error (a broken stream would complete the future exceptionally).
      first.ended().get(20, TimeUnit.SECONDS);
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.events()).hasSize(3);
      lastId = first.events().get(2).id();
    }
    try (EventStream resumed = EventStream.open(url, TestTokens.VIEWER, "Last-Event-ID", lastId)) {
      assertThat(resumed.status()).isEqualTo(200);
      driver.succeed();
      resumed.ended().get(20, TimeUnit.SECONDS);
      assertThat(resumed.events()).hasSize(1);
      assertThat(resumed.events().get(0).json().get("to").asString()).isEqualTo("SUCCEEDED");
    }
  }
}
