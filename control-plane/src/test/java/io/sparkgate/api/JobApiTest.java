package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import org.junit.jupiter.api.Test;

class JobApiTest extends FakeBackendTest {

  static final String DEFINITION =
      """
      {"description": "Curate one day", "type": "jvm", "appResource": "/opt/jobs/app.jar",
       "mainClass": "io.sparkgate.jobs.market.Curate", "args": ["--date", "${date}"],
       "parameters": {"date": {"type": "date", "required": true}},
       "sparkConf": {"spark.sql.shuffle.partitions": "8"}, "maxConcurrentRuns": 1}
      """;

  @Test
  void sameContentCreatesNoNewVersionAndChangedContentDoes() {
    Api.Response first = api.put("/api/v1/jobs/curate-a", DEFINITION);
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Location")).isEqualTo("/api/v1/jobs/curate-a/versions/1");
    assertThat(first.json().get("version").asInt()).isEqualTo(1);

    // The same content with keys in another order and different whitespace.
    String reordered =
        """
        {"maxConcurrentRuns": 1, "sparkConf": {"spark.sql.shuffle.partitions": "8"},
         "parameters": {"date": {"required": true, "type": "date"}},
         "args": ["--date", "${date}"], "mainClass": "io.sparkgate.jobs.market.Curate",
         "appResource": "/opt/jobs/app.jar", "type": "jvm", "description": "Curate one day"}
        """;
    Api.Response again = api.put("/api/v1/jobs/curate-a", reordered);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("version").asInt()).isEqualTo(1);

    Api.Response changed = api.put("/api/v1/jobs/curate-a", DEFINITION.replace("\"8\"", "\"16\""));
    assertThat(changed.status()).isEqualTo(201);
    assertThat(changed.json().get("version").asInt()).isEqualTo(2);

    Api.Response job = api.get("/api/v1/jobs/curate-a");
    assertThat(job.json().get("latestVersion").asInt()).isEqualTo(2);
    assertThat(job.json().at("/definition/sparkConf/spark.sql.shuffle.partitions").asString())
        .isEqualTo("16");
    assertThat(api.get("/api/v1/jobs/curate-a/versions").json().size()).isEqualTo(2);
    assertThat(
            api.get("/api/v1/jobs/curate-a/versions/1")
                .json()
                .at("/definition/sparkConf/spark.sql.shuffle.partitions")
                .asString())
        .isEqualTo("8");
    assertThat(api.get("/api/v1/jobs").json().findValuesAsString("name")).contains("curate-a");
  }

  @Test
  void disablingStopsNewRunsAndKeepsHistory() {
    registerJob("to-disable", "");
    submit("to-disable", "2024-01-01");
    Api.Response disabled = api.post("/api/v1/jobs/to-disable/disable", null);
    assertThat(disabled.status()).isEqualTo(200);
    assertThat(disabled.json().get("enabled").asBoolean()).isFalse();

    Api.Response refused =
        api.post(
            "/api/v1/runs", "{\"job\": \"to-disable\", \"params\": {\"date\": \"2024-01-02\"}}");
    assertProblem(refused, 422, "job-disabled");
    assertThat(api.get("/api/v1/runs?job=to-disable").json().get("runs").size()).isEqualTo(1);

    api.post("/api/v1/jobs/to-disable/enable", null);
    assertThat(submit("to-disable", "2024-01-02")).isNotNull();
  }

  @Test
  void anInvalidDefinitionListsEveryProblem() {
    Api.Response response =
        api.put(
            "/api/v1/jobs/broken",
            """
            {"type": "jvm", "appResource": "/opt/a.jar", "args": ["${nope}"],
             "allowedSparkConf": ["spark.driver.extraJavaOptions"],
             "parameters": {"mode": {"type": "enum"}}}
            """);
    assertProblem(response, 422, "invalid-job-definition");
    assertThat(response.json().get("errors").findValuesAsString("field"))
        .contains("mainClass", "args[0]", "allowedSparkConf", "parameters.mode.values");
    assertProblem(api.get("/api/v1/jobs/broken"), 404, "job-not-found");
  }

  @Test
  void badNamesAndBodiesAreRefused() {
    assertProblem(api.put("/api/v1/jobs/Bad_Name", DEFINITION), 400, "invalid-request");
    assertProblem(api.put("/api/v1/jobs/x" + "y".repeat(63), DEFINITION), 400, "invalid-request");
    assertProblem(api.put("/api/v1/jobs/ok", "{not json"), 400, "malformed-request");
    assertProblem(
        api.put(
            "/api/v1/jobs/ok", DEFINITION.replace("\"maxConcurrentRuns\"", "\"maxConcurentRuns\"")),
        400,
        "malformed-request");
    assertProblem(api.put("/api/v1/jobs/ok", "{\"type\": \"scala\"}"), 400, "malformed-request");
    assertProblem(api.get("/api/v1/jobs/ok"), 404, "job-not-found");
    assertProblem(api.get("/api/v1/jobs/curate-missing/versions/3"), 404, "job-not-found");
  }

  static void assertProblem(Api.Response response, int status, String type) {
    assertThat(response.status()).as(response.raw().body()).isEqualTo(status);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.text("type")).isEqualTo("https://sparkgate.io/problems/" + type);
    assertThat(response.json().get("status").asInt()).isEqualTo(status);
    assertThat(response.raw().body()).doesNotContain("Exception", "\tat ", "io.sparkgate.");
  }
}
