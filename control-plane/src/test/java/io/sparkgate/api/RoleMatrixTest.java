package io.sparkgate.api;

import static io.sparkgate.api.JobApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.TestJwts;
import io.sparkgate.testing.TestSecrets;
import io.sparkgate.testing.TestTokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint against anonymous callers and each role held through a configured token, a managed
 * token and a JWT.
 */
class RoleMatrixTest extends FakeBackendTest {

  enum Need {
    PUBLIC,
    VIEWER,
    OPERATOR,
    ADMIN
  }

  record Endpoint(String name, Need need, BiFunction<Api, String, Api.Response> call) {}

  UUID runId;

  @BeforeEach
  void aRun() {
    registerJob("matrix", "");
    runId = submit("matrix", "2024-01-01");
  }

  List<Endpoint> endpoints() {
    String job = "{\"type\": \"jvm\", \"appResource\": \"/opt/m.jar\", \"mainClass\": \"M\"}";
    return List.of(
        new Endpoint("GET /jobs", Need.VIEWER, (api, t) -> api.get("/api/v1/jobs")),
        new Endpoint("GET /jobs/{name}", Need.VIEWER, (api, t) -> api.get("/api/v1/jobs/matrix")),
        new Endpoint(
            "GET /jobs/{name}/versions",
            Need.VIEWER,
            (api, t) -> api.get("/api/v1/jobs/matrix/versions")),
        new Endpoint(
            "PUT /jobs/{name}", Need.ADMIN, (api, t) -> api.put("/api/v1/jobs/matrix-" + t, job)),
        new Endpoint(
            "POST /jobs/{name}/enable",
            Need.ADMIN,
            (api, t) -> api.post("/api/v1/jobs/matrix/enable", null)),
        new Endpoint(
            "POST /runs",
            Need.OPERATOR,
            (api, t) ->
                api.post(
                    "/api/v1/runs",
                    "{\"job\": \"matrix\", \"params\": {\"date\": \"2024-02-02\"}}")),
        new Endpoint("GET /runs", Need.VIEWER, (api, t) -> api.get("/api/v1/runs?limit=1")),
        new Endpoint("GET /runs/{id}", Need.VIEWER, (api, t) -> api.get("/api/v1/runs/" + runId)),
        new Endpoint(
            "GET /runs/{id}/events",
            Need.VIEWER,
            (api, t) -> api.get("/api/v1/runs/" + runId + "/events")),
        new Endpoint(
            "POST /runs/{id}/cancel",
            Need.OPERATOR,
            (api, t) -> api.post("/api/v1/runs/" + UUID.randomUUID() + "/cancel", null)),
        new Endpoint(
            "GET /actuator/prometheus", Need.VIEWER, (api, t) -> api.get("/actuator/prometheus")),
        new Endpoint("GET /actuator/health", Need.PUBLIC, (api, t) -> api.get("/actuator/health")),
        new Endpoint(
            "GET /actuator/health/readiness",
            Need.PUBLIC,
            (api, t) -> api.get("/actuator/health/readiness")),
        new Endpoint("GET /v3/api-docs", Need.PUBLIC, (api, t) -> api.get("/v3/api-docs")),
        new Endpoint("GET /tokens", Need.ADMIN, (api, t) -> api.get("/api/v1/tokens")),
        new Endpoint(
            "GET /tokens/{id}",
            Need.ADMIN,
            (api, t) -> api.get("/api/v1/tokens/" + UUID.randomUUID())),
        new Endpoint(
            "POST /tokens",
            Need.ADMIN,
            (api, t) -> {
              Api.Response created =
                  api.post("/api/v1/tokens", "{\"name\": \"m-" + t + "\", \"role\": \"viewer\"}");
              if (created.status() == 201) {
                TestSecrets.remember(created.text("token"));
              }
              return created;
            }),
        new Endpoint(
            "DELETE /tokens/{id}",
            Need.ADMIN,
            (api, t) -> api.delete("/api/v1/tokens/" + UUID.randomUUID())));
  }

  record Caller(String name, String token, int level) {}

  /** Every kind of credential at every role: configured and managed API tokens, and JWTs. */
  List<Caller> callers() {
    List<Caller> callers = new ArrayList<>();
    callers.add(new Caller("anonymous", null, 0));
    callers.add(new Caller("viewer", TestTokens.VIEWER, 1));
    callers.add(new Caller("operator", TestTokens.OPERATOR, 2));
    callers.add(new Caller("admin", TestTokens.ADMIN, 3));
    String[] roles = {"viewer", "operator", "admin"};
    for (int level = 1; level <= 3; level++) {
      String role = roles[level - 1];
      Api.Response managed =
          api.post(
              "/api/v1/tokens", "{\"name\": \"matrix-" + role + "\", \"role\": \"" + role + "\"}");
      TestSecrets.remember(managed.text("token"));
      callers.add(new Caller("managed-" + role, managed.text("token"), level));
      callers.add(new Caller("jwt-" + role, TestJwts.token("sso-" + role, List.of(role)), level));
    }
    // A JWT with no Sparkgate role is authenticated but reaches only the public endpoints.
    callers.add(new Caller("jwt-without-role", TestJwts.token("sso-none", List.of("other")), 0));
    return callers;
  }

  @Test
  void eachRoleGetsExactlyWhatItMay() {
    List<Caller> callers = callers();
    for (Endpoint endpoint : endpoints()) {
      for (Caller caller : callers) {
        Api.Response response = endpoint.call().apply(api.as(caller.token()), caller.name());
        String what = endpoint.name() + " as " + caller.name() + ": " + response.raw().body();
        int needed = endpoint.need().ordinal();
        if (needed == 0 || caller.level() >= needed) {
          assertThat(response.status()).as(what).isNotIn(401, 403);
        } else if (caller.token() == null) {
          assertProblem(response, 401, "unauthenticated");
          assertThat(response.header("WWW-Authenticate")).as(what).startsWith("Bearer");
        } else {
          assertProblem(response, 403, "forbidden");
        }
      }
    }
  }

  @Test
  void aWrongTokenIsRefusedEvenWherePublic() {
    Api.Response response = api.as("not-a-token").get("/api/v1/jobs");
    assertProblem(response, 401, "unauthenticated");
    assertThat(response.header("WWW-Authenticate")).contains("invalid_token");
    HttpRequest.Builder basic =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/jobs")).GET();
    assertProblem(
        api.as(null).send(basic, null, "Authorization", "Basic YWRtaW46YWRtaW4="),
        401,
        "unauthenticated");
  }

  @Test
  void aMalformedBearerHeaderIsRefusedAndWritesNothing() {
    int before = matrixRuns();
    for (String header :
        List.of("Bearer", "Bearer a b", "Bearerabc", "Bearer " + TestTokens.ADMIN + " x")) {
      HttpRequest.Builder submit =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/runs"))
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"job\": \"matrix\", \"params\": {\"date\": \"2024-05-05\"}}"));
      Api.Response response =
          api.as(null).send(submit, "application/json", "Authorization", header);
      assertProblem(response, 401, "unauthenticated");
      assertThat(response.header("WWW-Authenticate")).as(header).contains("invalid_token");
      assertThat(response.text("detail")).as(header).contains("malformed");
    }
    assertThat(matrixRuns()).isEqualTo(before);
  }

  int matrixRuns() {
    return api.get("/api/v1/runs?job=matrix&limit=500").json().get("runs").size();
  }

  @Test
  void submitsAndCancelsRecordTheTokensName() {
    Api operator = api.as(TestTokens.OPERATOR);
    Api.Response submitted =
        operator.post(
            "/api/v1/runs", "{\"job\": \"matrix\", \"params\": {\"date\": \"2024-03-03\"}}");
    assertThat(submitted.text("submittedBy")).isEqualTo("test-operator");
    UUID id = UUID.fromString(submitted.text("runId"));
    awaitLaunch(id);
    operator.post("/api/v1/runs/" + id + "/cancel", null);
    awaitState(id, "CANCELLED");
    var events = api.get("/api/v1/runs/" + id + "/events").json();
    assertThat(events.get(0).get("actor").asString()).isEqualTo("test-operator");
    assertThat(events.get(events.size() - 1).get("actor").asString()).isEqualTo("test-operator");
    assertThat(api.get("/api/v1/jobs/matrix/versions").json().get(0).get("createdBy").asString())
        .isEqualTo("test-admin");
  }
}
