package io.sparkgate.api;

import static io.sparkgate.api.JobApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Only a run's own driver, holding its attempt's secret, may report metrics for it. */
class MetricsReportingTest extends FakeBackendTest {

  Api.Response report(UUID runId, String token, String body) {
    return token == null
        ? api.as(null).post("/api/v1/runs/" + runId + "/metrics", body)
        : api.post("/api/v1/runs/" + runId + "/metrics", body, "Authorization", "Bearer " + token);
  }

  @Test
  void aRunReportsWithItsOwnSecretAndNoOtherCan() {
    registerJob("reporting", "");
    UUID mine = submit("reporting", "2024-01-01");
    UUID other = submit("reporting", "2024-01-02");
    var driver = awaitLaunch(mine);
    var otherDriver = awaitLaunch(other);
    awaitState(mine, "RUNNING");
    String token = driver.spec().metricsToken();
    assertThat(token).hasSizeGreaterThan(40);
    assertThat(driver.spec().metricsUrl()).endsWith("/api/v1/runs/" + mine + "/metrics");

    assertThat(report(mine, token, "{\"stage\": \"curate\", \"rows_written\": 42}").status())
        .isEqualTo(204);
    assertThat(
            report(
                    mine,
                    token,
                    "{\"rows_quarantined\": 3, \"checks\": [{\"name\": \"coverage\", \"passed\": true}]}")
                .status())
        .isEqualTo(204);
    var metrics = api.get("/api/v1/runs/" + mine).json().get("metrics");
    assertThat(metrics.get("rows_written").asInt()).isEqualTo(42);
    assertThat(metrics.get("rows_quarantined").asInt()).isEqualTo(3);
    assertThat(metrics.at("/checks/0/name").asString()).isEqualTo("coverage");

    assertProblem(report(mine, null, "{\"x\": 1}"), 401, "unauthenticated");
    assertProblem(report(mine, "forged", "{\"x\": 1}"), 403, "forbidden");
    // Another run's secret does not work for this run.
    assertProblem(report(mine, otherDriver.spec().metricsToken(), "{\"x\": 1}"), 403, "forbidden");
    assertProblem(report(mine, token, "[1, 2]"), 400, "malformed-request");
    assertProblem(
        report(mine, token, "{\"big\": \"" + "x".repeat(65 * 1024) + "\"}"),
        413,
        "payload-too-large");
    assertThat(api.get("/api/v1/runs/" + mine).json().get("metrics").has("x")).isFalse();

    driver.succeed();
    awaitState(mine, "SUCCEEDED");
    assertProblem(report(mine, token, "{\"late\": 1}"), 409, "invalid-state");
    otherDriver.succeed();
  }
}
