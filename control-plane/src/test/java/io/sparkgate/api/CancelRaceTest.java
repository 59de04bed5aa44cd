package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A cancel that races the end of a failing attempt, whose retry would follow: many times over, with
 * the driver's failure and the cancel released at the same moment. Whichever lands first, the
 * answer to the cancel is 202 and the run ends CANCELLED without another launch.
 */
class CancelRaceTest extends io.sparkgate.testing.FakeBackendTest {

  @Test
  void aCancelAnsweredWith202IsNeverLostToARetry() throws Exception {
    // A long backoff: if the cancel were lost, the run would sit QUEUED for its retry.
    registerJob("race-retry", "\"retry\": {\"maxAttempts\": 3, \"backoffSeconds\": 3600}");
    for (int round = 0; round < 25; round++) {
      UUID run = submit("race-retry", "2024-01-01");
      var driver = awaitLaunch(run);
      awaitState(run, "RUNNING");
      CyclicBarrier start = new CyclicBarrier(2);
      CompletableFuture<Integer> cancel =
          CompletableFuture.supplyAsync(
              () -> {
                await(start);
                return api.post("/api/v1/runs/" + run + "/cancel", null).status();
              });
      CompletableFuture<Void> fail =
          CompletableFuture.runAsync(
              () -> {
                await(start);
                driver.fail("boom");
              });
      fail.get();
      assertThat(cancel.get()).isEqualTo(202);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> state(run).matches("CANCELLED|FAILED|SUCCEEDED|TIMED_OUT"));
      JsonNode ended = api.get("/api/v1/runs/" + run).json();
      assertThat(ended.get("state").asString()).as(ended.toString()).isEqualTo("CANCELLED");
      assertThat(fake.launchesOf(run)).isOne();
    }
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
