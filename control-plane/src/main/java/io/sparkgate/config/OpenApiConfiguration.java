package io.sparkgate.config;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ProblemDetail;

/**
 * The OpenAPI document's front matter, and one rule for all operations: every 4xx and 5xx response
 * is an RFC 9457 problem, so controllers only name the codes they return.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

  static final String PROBLEM = "ProblemDetail";

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
                            "An API token: viewer (read), operator (runs), admin (jobs).")))
        .addSecurityItem(
            new io.swagger.v3.oas.models.security.SecurityRequirement().addList("bearer"));
  }

  @Bean
  OpenApiCustomizer problemResponses() {
    return openApi -> {
      ModelConverters.getInstance()
          .read(ProblemDetail.class)
          .forEach((name, schema) -> openApi.getComponents().addSchemas(name, schema));
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
                            operation
                                .getResponses()
                                .computeIfAbsent(
                                    "400", code -> new ApiResponse().description("Bad request"));
                            operation
                                .getResponses()
                                .forEach(
                                    (code, response) -> {
                                      if (code.startsWith("4") || code.startsWith("5")) {
                                        response.setContent(problem);
                                      }
                                    });
                          }));
    };
  }
}
