package io.sparkgate.api;

import static io.sparkgate.api.JobApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.TestJwts;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * JWT bearer tokens from the tests' own identity provider (a key pair made by the test, trusted
 * through Spring Boot's {@code public-key-location}, {@code issuer-uri} and {@code audiences}).
 */
class SingleSignOnTest extends FakeBackendTest {

  private static final String RUN = "{\"job\": \"sso\", \"params\": {\"date\": \"%s\"}}";

  @Test
  void theRolesClaimDecidesAndTheHighestRoleWins() {
    registerJob("sso", "");
    assertThat(api.as(TestJwts.token("vera", "viewer")).get("/api/v1/jobs").status())
        .isEqualTo(200);
    assertProblem(
        api.as(TestJwts.token("vera", "viewer")).post("/api/v1/runs", RUN.formatted("2024-01-01")),
        403,
        "forbidden");
    // A list, with roles of other applications mixed in: operator is the highest Sparkgate one.
    String olga = TestJwts.token("olga", List.of("offline_access", "viewer", "operator"));
    Api.Response submitted = api.as(olga).post("/api/v1/runs", RUN.formatted("2024-01-02"));
    assertThat(submitted.status()).as(submitted.raw().body()).isEqualTo(201);
    assertThat(submitted.text("submittedBy")).isEqualTo("olga");
    assertProblem(api.as(olga).put("/api/v1/jobs/sso-olga", "{}"), 403, "forbidden");
    // A space-separated string, as some providers send scopes and groups.
    String ada = TestJwts.token("ada", "operator admin");
    Api.Response registered =
        api.as(ada)
            .put(
                "/api/v1/jobs/sso-ada",
                "{\"type\": \"jvm\", \"appResource\": \"/opt/a.jar\", \"mainClass\": \"A\"}");
    assertThat(registered.status()).as(registered.raw().body()).isEqualTo(201);
    assertThat(registered.text("createdBy")).isEqualTo("ada");
  }

  @Test
  void withoutPreferredUsernameTheSubjectIsTheActor() {
    registerJob("sso-sub", "");
    String token = TestJwts.signed(claims -> claims.subject("3f2c9a").claim("roles", "operator"));
    Api.Response submitted =
        api.as(token)
            .post("/api/v1/runs", "{\"job\": \"sso-sub\", \"params\": {\"date\": \"2024-02-01\"}}");
    assertThat(submitted.status()).as(submitted.raw().body()).isEqualTo(201);
    assertThat(submitted.text("submittedBy")).isEqualTo("3f2c9a");
  }

  @Test
  void aTokenWithoutASparkgateRoleMayDoNothing() {
    assertProblem(
        api.as(TestJwts.token("nobody", List.of("offline_access"))).get("/api/v1/jobs"),
        403,
        "forbidden");
    assertProblem(api.as(TestJwts.token("nobody", null)).get("/api/v1/runs"), 403, "forbidden");
  }

  @Test
  void badTokensAreRefusedWithTheReason() {
    Instant now = Instant.now();
    record Bad(String what, String token, String reason) {}
    List<Bad> bad =
        List.of(
            new Bad(
                "expired",
                TestJwts.signed(
                    c ->
                        c.claim("roles", "admin")
                            .issueTime(Date.from(now.minusSeconds(600)))
                            .notBeforeTime(Date.from(now.minusSeconds(600)))
                            .expirationTime(Date.from(now.minusSeconds(120)))),
                "expired"),
            new Bad(
                "not yet valid",
                TestJwts.signed(
                    c -> c.claim("roles", "admin").notBeforeTime(Date.from(now.plusSeconds(300)))),
                "before"),
            new Bad(
                "wrong issuer",
                TestJwts.signed(c -> c.claim("roles", "admin").issuer("https://evil.test")),
                "iss"),
            new Bad(
                "wrong audience",
                TestJwts.signed(c -> c.claim("roles", "admin").audience("another-app")),
                "aud"),
            new Bad(
                "unsigned (alg none)",
                TestJwts.unsigned(c -> c.claim("roles", "admin")),
                "Unsupported algorithm"),
            new Bad(
                "signed with another key",
                TestJwts.signedWithAnotherKey(c -> c.claim("roles", "admin")),
                "signature"));
    for (Bad b : bad) {
      Api.Response response = api.as(b.token()).get("/api/v1/jobs");
      assertProblem(response, 401, "unauthenticated");
      String challenge = response.header("WWW-Authenticate");
      System.out.println(b.what() + " -> " + challenge);
      assertThat(challenge)
          .as(b.what())
          .startsWith("Bearer ")
          .contains("realm=\"sparkgate\"", "error=\"invalid_token\"", "error_description=")
          .containsIgnoringCase(b.reason());
      assertThat(response.text("detail")).as(b.what()).containsIgnoringCase(b.reason());
    }
  }
}
