package io.sparkgate.api;

import static io.sparkgate.api.JobApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Every kind of bad request gets its problem type and status, and writes nothing. */
class RunApiErrorsTest extends FakeBackendTest {

  @Autowired JdbcClient jdbc;
  @Autowired io.micrometer.core.instrument.MeterRegistry meters;

  long runsBefore;

  @BeforeEach
  void setUp() {
    registerJob("errors", "");
    runsBefore = runCount();
  }

  long runCount() {
    return jdbc.sql("select count(*) from run").query(Long.class).single();
  }

  Api.Response submitBody(String body, String... headers) {
    return api.post("/api/v1/runs", body, headers);
  }

  @Test
  void aLogFollowAskedWronglyIsRefusedAndOpensNoStream() {
    double open = meters.get("sparkgate.api.streams.open").gauge().value();
    assertProblem(
        api.get("/api/v1/runs/" + java.util.UUID.randomUUID() + "/log?follow=true"),
        404,
        "run-not-found");
    java.util.UUID runId = submit("errors", "2024-01-01");
    awaitLaunch(runId);
    String follow = "/api/v1/runs/" + runId + "/log?follow=true";
    assertProblem(api.get(follow + "&attempt=0"), 400, "invalid-request");
    assertProblem(api.get(follow + "&offset=-1"), 400, "invalid-request");
    assertProblem(api.get(follow + "&offset="), 400, "invalid-request");
    assertProblem(api.get(follow + "&attempt=9"), 404, "attempt-not-found");
    // Refused before a stream slot was taken.
    assertThat(meters.get("sparkgate.api.streams.open").gauge().value()).isEqualTo(open);
    fake.driver(runId).succeed();
    awaitState(runId, "SUCCEEDED");
  }

  @Test
  void malformedBodyIs400() {
    assertProblem(submitBody("{\"job\": "), 400, "malformed-request");
    assertProblem(submitBody("[1, 2]"), 400, "malformed-request");
    assertProblem(submitBody("{\"job\": \"errors\", \"paramz\": {}}"), 400, "malformed-request");
    assertProblem(submitBody("{\"params\": {}}"), 400, "invalid-request");
    assertThat(runCount()).isEqualTo(runsBefore);
  }

  @Test
  void unknownJobIs422() {
    assertProblem(submitBody("{\"job\": \"no-such-job\"}"), 422, "unknown-job");
    assertProblem(submitBody("{\"job\": \"../../etc/passwd\"}"), 422, "unknown-job");
    assertThat(runCount()).isEqualTo(runsBefore);
  }

  @Test
  void invalidParametersAre422WithEachViolation() {
    Api.Response response =
        submitBody(
            "{\"job\": \"errors\", \"params\": {\"date\": \"2024-13-01\", \"rows\": 0, \"x\": 1}}");
    assertProblem(response, 422, "invalid-parameter");
    assertThat(response.json().get("errors").findValuesAsString("field"))
        .containsExactlyInAnyOrder("params.date", "params.rows", "params.x");
    assertProblem(submitBody("{\"job\": \"errors\", \"params\": {}}"), 422, "invalid-parameter");
    assertThat(runCount()).isEqualTo(runsBefore);
  }

  @Test
  void disallowedSparkConfIs422() {
    assertProblem(
        submitBody(
            "{\"job\": \"errors\", \"params\": {\"date\": \"2024-01-01\"},"
                + " \"sparkConf\": {\"spark.driver.extraJavaOptions\": \"-javaagent:/tmp/x.jar\"}}"),
        422,
        "disallowed-spark-conf");
    // Allowed by the job's "spark.executor.*", but refused by the conf policy all the same.
    assertProblem(
        submitBody(
            "{\"job\": \"errors\", \"params\": {\"date\": \"2024-01-01\"},"
                + " \"sparkConf\": {\"spark.executor.extraClassPath\": \"/tmp\"}}"),
        422,
        "disallowed-spark-conf");
    assertProblem(
        submitBody(
            "{\"job\": \"errors\", \"params\": {\"date\": \"2024-01-01\"},"
                + " \"sparkConf\": {\"spark.driver.memory\": \"64g\"}}"),
        422,
        "disallowed-spark-conf");
    assertThat(runCount()).isEqualTo(runsBefore);
  }

  @Test
  void aLongerTimeoutThanTheJobsIsRefused() {
    assertProblem(
        submitBody(
            "{\"job\": \"errors\", \"params\": {\"date\": \"2024-01-01\"}, \"timeoutSeconds\": 99999999}"),
        422,
        "invalid-parameter");
  }

  @Test
  void missingRunIs404() {
    assertProblem(api.get("/api/v1/runs/" + UUID.randomUUID()), 404, "run-not-found");
    assertProblem(api.get("/api/v1/runs/not-a-uuid"), 404, "run-not-found");
    assertProblem(
        api.post("/api/v1/runs/" + UUID.randomUUID() + "/cancel", null), 404, "run-not-found");
    assertProblem(api.get("/api/v1/runs/" + UUID.randomUUID() + "/events"), 404, "run-not-found");
    assertProblem(api.get("/api/v1/runs/" + UUID.randomUUID() + "/log"), 404, "run-not-found");
    assertProblem(api.get("/api/v1/nothing-here"), 404, "not-found");
  }

  @Test
  void cancellingAFinishedRunIs409() {
    UUID runId = submit("errors", "2024-02-01");
    awaitLaunch(runId).succeed();
    awaitState(runId, "SUCCEEDED");
    Api.Response response = api.post("/api/v1/runs/" + runId + "/cancel", null);
    assertProblem(response, 409, "invalid-state");
    assertThat(response.text("state")).isEqualTo("SUCCEEDED");
    assertThat(state(runId)).isEqualTo("SUCCEEDED");
  }

  @Test
  void oversizeBodyIs413() {
    String huge = "{\"job\": \"errors\", \"labels\": {\"a\": \"" + "x".repeat(70_000) + "\"}}";
    assertProblem(submitBody(huge), 413, "payload-too-large");
    assertThat(runCount()).isEqualTo(runsBefore);
  }

  @Test
  void chunkedOversizeBodyIs413() {
    byte[] huge =
        ("{\"job\": \"errors\", \"labels\": {\"a\": \"" + "x".repeat(70_000) + "\"}}").getBytes();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/runs"))
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(huge)));
    assertProblem(api.send(request, "application/json"), 413, "payload-too-large");
    assertThat(runCount()).isEqualTo(runsBefore);
  }

  @Test
  void badHeadersAndQueriesAre400() {
    String body = "{\"job\": \"errors\", \"params\": {\"date\": \"2024-01-01\"}}";
    assertProblem(
        submitBody(body, "Idempotency-Key", "k".repeat(256)), 400, "invalid-idempotency-key");
    assertProblem(submitBody(body, "Idempotency-Key", "tab\there"), 400, "invalid-idempotency-key");
    assertProblem(api.get("/api/v1/runs?limit=0"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?limit=501"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?cursor=garbage"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?state=BOGUS"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?state=RUNNING,"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?label=novalue"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?label="), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?label==v"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?label=bad%20key=v"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?label=team=a&label="), 400, "invalid-request");
    assertProblem(
        submitBody(
            "{\"job\": \"errors\", \"params\": {\"date\": \"2024-01-01\"}, \"labels\": {\"bad key!\": \"v\"}}"),
        400,
        "invalid-request");
    assertThat(runCount()).isEqualTo(runsBefore);
  }

  @Test
  void wrongMediaTypeAndMethodAreRefused() {
    HttpRequest.Builder text =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/runs"))
            .POST(HttpRequest.BodyPublishers.ofString("job=errors"));
    assertProblem(api.send(text, "text/plain"), 415, "unsupported-media-type");
    HttpRequest.Builder delete =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/runs")).DELETE();
    assertProblem(api.send(delete, null), 405, "method-not-allowed");
    // A method Spring Security's firewall does not know still gets 405 from Spring MVC.
    HttpRequest.Builder query =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/runs"))
            .method("QUERY", HttpRequest.BodyPublishers.noBody());
    Api.Response queried = api.send(query, null);
    assertProblem(queried, 405, "method-not-allowed");
    assertThat(queried.header("Allow")).contains("GET", "POST");
    // No endpoint takes multipart bodies: no attempt to parse one (it used to be a 500).
    HttpRequest.Builder multipart =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/runs"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"job\": \"errors\"}"));
    assertProblem(api.send(multipart, "multipart/form-data"), 415, "unsupported-media-type");
    assertThat(runCount()).isEqualTo(runsBefore);
  }

  /** Found by fuzzing: each of these was a 500 or was accepted. */
  @Test
  void textPostgresCannotStoreAndEmptyValuesAreRefused() {
    // NUL in a label value, a parameter value or a Spark conf value: jsonb cannot hold it.
    assertProblem(
        submitBody(
            "{\"job\": \"errors\", \"params\": {\"date\": \"2024-01-01\"},"
                + " \"labels\": {\"k\": \"a\\u0000b\"}}"),
        400,
        "malformed-request");
    // A literal backslash followed by u0000 is ordinary text.
    Api.Response literal =
        submitBody(
            "{\"job\": \"errors\", \"params\": {\"date\": \"2024-01-01\"},"
                + " \"labels\": {\"k\": \"a\\\\u0000b\"}}");
    assertThat(literal.status()).as(literal.raw().body()).isEqualTo(201);
    // NUL in a query parameter.
    assertProblem(api.get("/api/v1/runs?label=k%3Da%00b"), 400, "malformed-request");
    assertProblem(api.get("/api/v1/runs?job=a%00b"), 400, "malformed-request");
    // Empty values are not absent ones; a job filter must be a job name.
    assertProblem(api.get("/api/v1/runs?limit="), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?state="), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?job=Not%20A%20Name"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/runs?state=running"), 400, "invalid-request");
    assertThat(runCount()).isEqualTo(runsBefore + 1);
  }
}
