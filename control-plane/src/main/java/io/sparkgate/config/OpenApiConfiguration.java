package io.sparkgate.config;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's front matter; operations and schemas come from the controllers. */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

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
                        + " of error.")
                .license(new License().name("Apache-2.0")));
  }
}
