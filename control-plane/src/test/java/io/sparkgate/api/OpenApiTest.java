package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenApiTest extends FakeBackendTest {

  @Test
  void theDocumentDescribesEveryOperationWithItsErrors() {
    Api.Response response = api.get("/v3/api-docs");
    assertThat(response.status()).isEqualTo(200);
    JsonNode paths = response.json().get("paths");
    assertThat(paths.propertyNames())
        .contains(
            "/api/v1/jobs",
            "/api/v1/jobs/{name}",
            "/api/v1/jobs/{name}/versions",
            "/api/v1/jobs/{name}/versions/{version}",
            "/api/v1/jobs/{name}/disable",
            "/api/v1/runs",
            "/api/v1/runs/{runId}",
            "/api/v1/runs/{runId}/cancel",
            "/api/v1/runs/{runId}/events",
            "/api/v1/runs/{runId}/log");
    JsonNode submit = paths.at("/~1api~1v1~1runs/post");
    assertThat(submit.get("responses").propertyNames()).contains("200", "201", "400", "413", "422");
    assertThat(paths.at("/~1api~1v1~1runs~1{runId}~1cancel/post/responses").propertyNames())
        .contains("202", "404", "409");
    JsonNode schemas = response.json().at("/components/schemas");
    assertThat(schemas.at("/RunView/properties").propertyNames())
        .contains(
            "runId",
            "job",
            "jobVersion",
            "state",
            "stateReason",
            "params",
            "sparkConf",
            "labels",
            "idempotencyKey",
            "previousRunId",
            "submittedBy",
            "createdAt",
            "startedAt",
            "finishedAt",
            "attempt",
            "maxAttempts",
            "attempts",
            "metrics");
    assertThat(schemas.at("/JobDefinition/example").isMissingNode()).isFalse();
    assertThat(api.get("/swagger-ui/index.html").status()).isEqualTo(200);
  }
}
