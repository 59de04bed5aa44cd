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
    assertThat(schemas.at("/LogView/properties").propertyNames())
        .contains("attempt", "offset", "nextOffset", "size", "complete", "droppedBytes", "text");
    assertThat(schemas.at("/LogView/properties/droppedBytes/description").asString())
        .contains("sparkgate.runs.max-log-bytes");
    assertThat(schemas.at("/JobDefinition/example").isMissingNode()).isFalse();
    assertThat(api.get("/swagger-ui/index.html").status()).isEqualTo(200);
  }

  /** What fuzzing the API against this document found missing or wrong. */
  @Test
  void everyOperationDocumentsTheErrorsAnyRequestCanMeet() {
    JsonNode doc = api.get("/v3/api-docs").json();
    doc.get("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        operation -> {
                          String name = operation.getKey() + " " + path.getKey();
                          JsonNode responses = operation.getValue().get("responses");
                          assertThat(responses.propertyNames())
                              .as(name)
                              .contains("400", "401", "403", "406", "500");
                          assertThat(responses.propertyNames().stream())
                              .as(name)
                              .anyMatch(code -> code.startsWith("2"));
                          assertThat(responses.at("/401/headers/WWW-Authenticate").isMissingNode())
                              .as(name)
                              .isFalse();
                          if (operation.getValue().has("requestBody")) {
                            assertThat(responses.propertyNames()).as(name).contains("413", "415");
                          }
                          assertThat(
                                  responses
                                      .at("/400/content/application~1problem+json/schema/$ref")
                                      .asString())
                              .as(name)
                              .isEqualTo("#/components/schemas/ProblemDetail");
                        }));
    JsonNode schemas = doc.at("/components/schemas");
    // A problem's instance is the request path: a URI reference, not an absolute URI.
    assertThat(schemas.at("/ProblemDetail/properties/instance/format").asString())
        .isEqualTo("uri-reference");
    // Request bodies refuse unknown members, as the service does.
    for (String body : new String[] {"JobDefinition", "SubmitRunBody", "ParameterSpec"}) {
      assertThat(schemas.at("/" + body + "/additionalProperties").asBoolean(true))
          .as(body)
          .isFalse();
    }
    // Integer query and path parameters are integers, with their bounds.
    JsonNode limit =
        doc.at("/paths/~1api~1v1~1runs/get/parameters")
            .valueStream()
            .filter(p -> p.get("name").asString().equals("limit"))
            .findFirst()
            .orElseThrow()
            .get("schema");
    assertThat(limit.get("type").asString()).isEqualTo("integer");
    assertThat(limit.get("maximum").asInt()).isEqualTo(500);
  }
}
