package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.TestJwts;
import io.sparkgate.testing.TestTokens;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Health is public, its details are not: an anonymous caller (a load balancer, a container runtime)
 * learns the status and nothing about the database, the Spark home or supervision; any token, of
 * any role, sees it all.
 */
class HealthDetailsTest extends FakeBackendTest {

  static final List<String> HEALTH =
      List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness");

  @Test
  void anonymousCallersGetTheStatusOnly() {
    assertStatusOnly(api.as(null));
  }

  /** A valid JWT that carries no Sparkgate role is no better than none. */
  @Test
  void aCallerWithoutASparkgateRoleGetsTheStatusOnly() {
    assertStatusOnly(api.as(TestJwts.token("nobody", List.of("offline_access"))));
  }

  void assertStatusOnly(Api caller) {
    for (String path : HEALTH) {
      Api.Response response = caller.get(path);
      assertThat(response.status()).as(path).isEqualTo(200);
      assertThat(response.text("status")).as(path).isEqualTo("UP");
      assertThat(response.json().has("components")).as(path).isFalse();
      assertThat(response.json().has("details")).as(path).isFalse();
      assertThat(response.raw().body()).as(path).doesNotContain("PostgreSQL", "spark");
    }
  }

  @Test
  void everyRoleSeesTheComponentsAndTheirDetails() {
    for (String token :
        List.of(
            TestTokens.VIEWER,
            TestTokens.OPERATOR,
            TestTokens.ADMIN,
            TestJwts.token("vera", "viewer"),
            TestJwts.token("ada", "admin"))) {
      JsonNode health = api.as(token).get("/actuator/health").json();
      assertThat(health.at("/components/db/details/database").asString()).isEqualTo("PostgreSQL");
      assertThat(health.at("/components/sparkRuntime/status").asString()).isNotEmpty();
      assertThat(health.at("/components/supervision/details").isObject()).isTrue();
      JsonNode readiness = api.as(token).get("/actuator/health/readiness").json();
      assertThat(readiness.at("/components/db/status").asString()).isEqualTo("UP");
      JsonNode liveness = api.as(token).get("/actuator/health/liveness").json();
      assertThat(liveness.at("/components/livenessState/status").asString()).isEqualTo("UP");
    }
  }
}
