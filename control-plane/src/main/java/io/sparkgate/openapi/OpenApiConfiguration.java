package io.sparkgate.openapi;

import io.sparkgate.catalog.SparkConfPolicy;
import io.sparkgate.run.RunService;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's front matter, and one rule for all operations: every 4xx and 5xx response
 * is an RFC 9457 problem, so controllers only name the codes they return.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

  static final String PROBLEM = "ProblemDetail";

  private static final java.util.List<String> STRICT_BODIES =
      java.util.List.of(
          "JobDefinition",
          "ParameterSpec",
          "RetryPolicy",
          "SubmitRunBody",
          "CreateTokenBody",
          "ProgressReportBody");

  @Bean
  OpenAPI sparkgateOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("Sparkgate API")
                .version("v1")
                .description(
                    "A control plane for Apache Spark batch jobs: a catalog of versioned jobs and"
                        + " their runs, with idempotent submission. Errors are RFC 9457 problem"
                        + " details (application/problem+json) whose type URI is stable per kind"
                        + " of error: https://sparkgate.io/problems/<kind>.")
                .license(new License().name("Apache-2.0")))
        .components(
            new io.swagger.v3.oas.models.Components()
                .addSecuritySchemes(
                    "bearer",
                    new io.swagger.v3.oas.models.security.SecurityScheme()
                        .type(io.swagger.v3.oas.models.security.SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description(
                            "A configured or managed API token, or a JWT from the identity"
                                + " provider: viewer (read), operator (runs), admin (jobs,"
                                + " tokens).")))
        .addSecurityItem(
            new io.swagger.v3.oas.models.security.SecurityRequirement().addList("bearer"));
  }

  /**
   * Every operation documents the errors any request can meet: 400, 401 (with its challenge), 403,
   * 406, 500 and 503, and, with a body, 413 and 415. All of them are problem documents.
   */
  @Bean
  OpenApiCustomizer problemResponses() {
    return openApi -> {
      openApi.getComponents().addSchemas(PROBLEM, problemSchema());
      // Request bodies refuse unknown members (a typo is an error, not an ignored field).
      for (String name : STRICT_BODIES) {
        Schema<?> schema = openApi.getComponents().getSchemas().get(name);
        if (schema != null) {
          schema.setAdditionalProperties(false);
        }
      }
      Schema<?> submit = openApi.getComponents().getSchemas().get("SubmitRunBody");
      if (submit != null && submit.getProperties().get("labels") instanceof Schema<?> labels) {
        labels.setPropertyNames(new StringSchema().pattern(RunService.LABEL_KEY_PATTERN));
        labels.setAdditionalProperties(new StringSchema().maxLength(RunService.MAX_LABEL_VALUE));
      }
      Content problem =
          new Content()
              .addMediaType(
                  "application/problem+json",
                  new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)));
      openApi
          .getPaths()
          .values()
          .forEach(
              path ->
                  path.readOperations()
                      .forEach(
                          operation -> {
                            ApiResponses responses = operation.getResponses();
                            standard(responses, "400", "Malformed or invalid request");
                            standard(responses, "401", "No token, or not a valid one")
                                .addHeaderObject(
                                    "WWW-Authenticate",
                                    new Header()
                                        .description("The bearer challenge")
                                        .schema(new StringSchema()));
                            standard(responses, "403", "The token's role may not do this");
                            standard(responses, "406", "No acceptable representation");
                            standard(responses, "500", "Unexpected error (logged)");
                            standard(
                                responses,
                                "503",
                                "The database is unreachable or did not answer within the"
                                    + " statement timeout (the token or the request could not be"
                                    + " served); retry later");
                            if (operation.getRequestBody() != null) {
                              standard(responses, "413", "Request body too large");
                              standard(responses, "415", "The body must be application/json");
                            }
                            responses.forEach(
                                (code, response) -> {
                                  if (code.startsWith("4") || code.startsWith("5")) {
                                    response.setContent(problem);
                                  }
                                });
                          }));
    };
  }

  private static ApiResponse standard(ApiResponses responses, String code, String description) {
    return responses.computeIfAbsent(code, c -> new ApiResponse().description(description));
  }

  /** RFC 9457 problem details as this service writes them. */
  private static Schema<?> problemSchema() {
    ObjectSchema violation = new ObjectSchema();
    violation.addProperty("field", new StringSchema().description("The offending field"));
    violation.addProperty("message", new StringSchema().description("What is wrong with it"));
    violation.addProperty(
        "group",
        new StringSchema()
            .description(
                "For a Spark conf key the conf policy refuses, why: one of "
                    + Stream.concat(
                            Arrays.stream(SparkConfPolicy.Group.values())
                                .map(SparkConfPolicy.Group::slug),
                            Stream.of(SparkConfPolicy.NOT_ALLOWED_BY_JOB))
                        .collect(Collectors.joining(", "))));
    ObjectSchema schema = new ObjectSchema();
    schema.description("An RFC 9457 problem document.");
    schema.addProperty(
        "type",
        new StringSchema()
            .format("uri")
            .description("Stable per kind of error: https://sparkgate.io/problems/<kind>"));
    schema.addProperty("title", new StringSchema().description("Short, human-readable"));
    schema.addProperty("status", new IntegerSchema().format("int32").description("HTTP status"));
    schema.addProperty("detail", new StringSchema().description("What went wrong, for humans"));
    schema.addProperty(
        "instance",
        new StringSchema().format("uri-reference").description("The request path, when given"));
    schema.addProperty(
        "errors",
        new ArraySchema().items(violation).description("Every violation, for invalid input"));
    schema.setRequired(java.util.List.of("type", "title", "status"));
    return schema;
  }
}
