package io.sparkgate.api;

import static io.sparkgate.api.JobApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.TestTokens;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Progress reports from inside a run's application: only its current attempt's secret is taken, a
 * final report is the last, a bad one changes nothing, and the Spark UI it names is proxied only on
 * loopback and only while the run runs.
 */
class ProgressReportingTest extends FakeBackendTest {

  static final String PROGRESS =
      """
      {"jobs": {"total": 2, "completed": 1, "failed": 0, "active": 1},
       "stages": {"total": 3, "completed": 1, "failed": 0, "skipped": 0, "active": 1},
       "tasks": {"total": 8, "completed": 4, "failed": 0, "killed": 0, "active": 2},
       "input": {"rows": 1000, "bytes": 0}, "output": {"rows": 0, "bytes": 0}}
      """;

  Api.Response report(UUID runId, String token, String body) {
    return token == null
        ? api.as(null).post("/api/v1/runs/" + runId + "/progress", body)
        : api.post("/api/v1/runs/" + runId + "/progress", body, "Authorization", "Bearer " + token);
  }

  static String body(int attempt, String uiUrl, boolean last) {
    return """
        {"attempt": %d, "sparkUiUrl": %s, "progress": %s,
         "resources": {"executorCpuTimeMs": 12, "tasks": 4, "failedTasks": 0, "final": %s}}
        """
        .formatted(attempt, uiUrl == null ? "null" : "\"" + uiUrl + "\"", PROGRESS, last);
  }

  @Test
  void anAttemptReportsWithItsOwnSecretUntilItsFinalReport() {
    registerJob("progress", "");
    UUID mine = submit("progress", "2024-01-01");
    UUID other = submit("progress", "2024-01-02");
    var driver = awaitLaunch(mine);
    var otherDriver = awaitLaunch(other);
    awaitState(mine, "RUNNING");
    String token = driver.spec().metricsToken();

    assertProblem(report(mine, null, body(1, null, false)), 401, "unauthenticated");
    assertProblem(report(mine, "forged", body(1, null, false)), 403, "forbidden");
    assertProblem(
        report(mine, otherDriver.spec().metricsToken(), body(1, null, false)), 403, "forbidden");
    // Not a UI's root: the service would proxy whatever a driver names.
    assertProblem(
        report(mine, token, body(1, "http://127.0.0.1:4040/jobs/?x=1", false)),
        400,
        "invalid-request");
    assertProblem(report(mine, token, body(2, null, false)), 409, "invalid-state");
    assertProblem(report(mine, token, "{\"attempt\": 1}"), 400, "invalid-request");
    assertThat(api.get("/api/v1/runs/" + mine).json().get("progress").isNull()).isTrue();

    // Near the port the service gave the UI: kept (Spark tries the next ports when it is taken).
    int port = Integer.parseInt(driver.spec().insightConf().get("spark.ui.port"));
    String ui = "http://127.0.0.1:" + (port + 1);
    assertThat(report(mine, token, body(1, ui, false)).status()).isEqualTo(204);
    var run = api.as(TestTokens.VIEWER).get("/api/v1/runs/" + mine).json();
    assertThat(run.at("/progress/tasks/completed").asInt()).isEqualTo(4);
    assertThat(run.at("/attempts/0/progress")).isEqualTo(run.get("progress"));
    assertThat(run.at("/attempts/0/resources/final").asBoolean()).isFalse();
    assertThat(run.get("sparkUiUrl").asString())
        .isEqualTo(api.url("/api/v1/runs/" + mine + "/spark-ui/"));
    // Nothing listens there: the proxy says the UI did not answer.
    assertProblem(
        api.as(TestTokens.VIEWER).get("/api/v1/runs/" + mine + "/spark-ui/jobs/"),
        502,
        "spark-ui-unreachable");

    // The last report takes the UI away; none after it is taken.
    assertThat(report(mine, token, body(1, null, true)).status()).isEqualTo(204);
    assertProblem(report(mine, token, body(1, "http://127.0.0.1:1", false)), 409, "invalid-state");
    run = api.get("/api/v1/runs/" + mine).json();
    assertThat(run.get("sparkUiUrl").isNull()).isTrue();
    assertThat(run.at("/attempts/0/resources/final").asBoolean()).isTrue();
    assertProblem(api.get("/api/v1/runs/" + mine + "/spark-ui/"), 404, "spark-ui-not-available");

    driver.succeed();
    awaitState(mine, "SUCCEEDED");
    assertProblem(report(mine, token, body(1, null, true)), 409, "invalid-state");
    otherDriver.succeed();
  }

  @Test
  void onlyTheUisPortIsBelievedAndOnlyNearThePortTheServiceGaveIt() {
    registerJob("progress-remote", "");
    UUID runId = submit("progress-remote", "2024-01-01");
    var driver = awaitLaunch(runId);
    awaitState(runId, "RUNNING");
    String token = driver.spec().metricsToken();
    int port = Integer.parseInt(driver.spec().insightConf().get("spark.ui.port"));
    // Other ports of this host (the service's own, say) are never proxied.
    for (int elsewhere : List.of(port - 1, port + 17)) {
      assertThat(report(runId, token, body(1, "http://127.0.0.1:" + elsewhere, false)).status())
          .isEqualTo(204);
      var run = api.get("/api/v1/runs/" + runId).json();
      assertThat(run.get("sparkUiUrl").isNull()).as("port %d", elsewhere).isTrue();
      // The progress is taken all the same.
      assertThat(run.at("/progress/tasks/completed").asInt()).isEqualTo(4);
      assertProblem(
          api.get("/api/v1/runs/" + runId + "/spark-ui/jobs/"), 404, "spark-ui-not-available");
    }
    // Whatever host the driver names, the proxy goes to loopback: nothing listens there, which
    // it says at once, where the documentation address named would not have answered at all.
    assertThat(report(runId, token, body(1, "http://192.0.2.10:" + port, false)).status())
        .isEqualTo(204);
    assertThat(api.get("/api/v1/runs/" + runId).json().get("sparkUiUrl").isNull()).isFalse();
    Api.Response proxied = api.get("/api/v1/runs/" + runId + "/spark-ui/jobs/");
    assertProblem(proxied, 502, "spark-ui-unreachable");
    assertThat(proxied.text("detail")).contains("nothing listens there");
    driver.succeed();
    awaitState(runId, "SUCCEEDED");
  }
}
