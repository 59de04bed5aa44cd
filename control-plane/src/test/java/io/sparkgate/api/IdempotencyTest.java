package io.sparkgate.api;

import static io.sparkgate.api.JobApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdempotencyTest extends FakeBackendTest {

  static final String BODY = "{\"job\": \"idem\", \"params\": {\"date\": \"2024-03-15\"}}";

  Api.Response submit(String key, String body) {
    return api.post("/api/v1/runs", body, "Idempotency-Key", key);
  }

  @Test
  void aLiveRunIsReturnedAndNothingIsLaunchedAgain() {
    registerJob("idem", "");
    String key = "live-" + UUID.randomUUID();
    Api.Response first = submit(key, BODY);
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Idempotent-Replayed")).isNull();
    UUID runId = UUID.fromString(first.text("runId"));
    assertThat(first.header("Location")).isEqualTo("/api/v1/runs/" + runId);
    awaitLaunch(runId);

    Api.Response again = submit(key, BODY);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.text("runId")).isEqualTo(runId.toString());
    assertThat(fake.launchesOf(runId)).isEqualTo(1);
  }

  @Test
  void aSucceededRunIsReturnedNeverRepeated() {
    registerJob("idem", "");
    String key = "done-" + UUID.randomUUID();
    UUID runId = UUID.fromString(submit(key, BODY).text("runId"));
    awaitLaunch(runId).succeed();
    awaitState(runId, "SUCCEEDED");

    Api.Response again = submit(key, BODY);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.text("runId")).isEqualTo(runId.toString());
    assertThat(again.text("state")).isEqualTo("SUCCEEDED");
    assertThat(
            api.get("/api/v1/runs?job=idem&limit=500")
                .json()
                .get("runs")
                .findValuesAsString("idempotencyKey"))
        .containsOnlyOnce(key);
  }

  @Test
  void aFailedRunIsRetriedAsANewRunPointingBack() {
    registerJob("idem", "");
    String key = "failed-" + UUID.randomUUID();
    UUID first = UUID.fromString(submit(key, BODY).text("runId"));
    awaitLaunch(first).fail("boom");
    awaitState(first, "FAILED");

    Api.Response retry = submit(key, BODY);
    assertThat(retry.status()).isEqualTo(201);
    UUID second = UUID.fromString(retry.text("runId"));
    assertThat(second).isNotEqualTo(first);
    assertThat(retry.text("previousRunId")).isEqualTo(first.toString());

    // The new run now holds the key: a further retry returns it.
    Api.Response third = submit(key, BODY);
    assertThat(third.status()).isEqualTo(200);
    assertThat(third.text("runId")).isEqualTo(second.toString());
  }

  @Test
  void aCancelledRunIsRetriedAsANewRun() {
    registerJob("idem", "");
    String key = "cancelled-" + UUID.randomUUID();
    UUID first = UUID.fromString(submit(key, BODY).text("runId"));
    awaitLaunch(first);
    api.post("/api/v1/runs/" + first + "/cancel", null);
    awaitState(first, "CANCELLED");
    Api.Response retry = submit(key, BODY);
    assertThat(retry.status()).isEqualTo(201);
    assertThat(retry.text("previousRunId")).isEqualTo(first.toString());
  }

  @Test
  void theSameKeyWithADifferentRequestIs422() {
    registerJob("idem", "");
    String key = "different-" + UUID.randomUUID();
    UUID runId = UUID.fromString(submit(key, BODY).text("runId"));
    Api.Response other = submit(key, BODY.replace("2024-03-15", "2024-03-16"));
    assertProblem(other, 422, "idempotency-key-reused");
    assertThat(other.text("runId")).isEqualTo(runId.toString());
    // Defaults count: spelling out the default value is the same request.
    Api.Response explicitDefault =
        submit(
            key, "{\"job\": \"idem\", \"params\": {\"date\": \"2024-03-15\", \"rows\": \"10\"}}");
    assertThat(explicitDefault.status()).isEqualTo(200);
    assertThat(explicitDefault.text("runId")).isEqualTo(runId.toString());
  }

  @Test
  void twentyConcurrentIdenticalSubmitsCreateOneRun() throws Exception {
    registerJob("idem", "");
    String key = "concurrent-" + UUID.randomUUID();
    int clients = 20;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Api.Response>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return submit(key, BODY);
                }));
      }
      start.countDown();
      List<Api.Response> responses = new ArrayList<>();
      for (Future<Api.Response> future : futures) {
        responses.add(future.get(30, TimeUnit.SECONDS));
      }
      assertThat(responses).filteredOn(r -> r.status() == 201).hasSize(1);
      assertThat(responses)
          .filteredOn(r -> r.status() == 200)
          .hasSize(clients - 1)
          .allSatisfy(r -> assertThat(r.header("Idempotent-Replayed")).isEqualTo("true"));
      assertThat(responses.stream().map(r -> r.text("runId")).distinct()).hasSize(1);
      UUID runId = UUID.fromString(responses.get(0).text("runId"));
      awaitLaunch(runId);
      assertThat(fake.launchesOf(runId)).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
