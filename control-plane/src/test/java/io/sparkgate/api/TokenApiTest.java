package io.sparkgate.api;

import static io.sparkgate.api.JobApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.support.RunSecrets;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.TestSecrets;
import io.sparkgate.testing.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** API tokens created, used, listed, expired and revoked through /api/v1/tokens. */
class TokenApiTest extends FakeBackendTest {

  @Autowired JdbcClient jdbc;

  /** Creates a token as the test admin; returns the answer with its secret. */
  Api.Response create(String body) {
    Api.Response response = api.post("/api/v1/tokens", body);
    if (response.status() == 201) {
      TestSecrets.remember(response.text("token"));
    }
    return response;
  }

  @Test
  void theSecretIsShownOnceAndOnlyItsHashIsStored() {
    Api.Response created = create("{\"name\": \"airflow-prod\", \"role\": \"operator\"}");
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String secret = created.text("token");
    JsonNode details = created.json().get("details");
    String id = details.get("id").asString();
    assertThat(secret).startsWith("sgt_").hasSizeGreaterThan(40);
    assertThat(created.header("Location")).isEqualTo("/api/v1/tokens/" + id);
    assertThat(created.header("Cache-Control")).contains("no-store");
    assertThat(details.get("role").asString()).isEqualTo("operator");
    assertThat(details.get("state").asString()).isEqualTo("active");
    assertThat(details.get("createdBy").asString()).isEqualTo("test-admin");

    Map<String, Object> row =
        jdbc.sql("select * from api_token where id = :id")
            .param("id", UUID.fromString(id))
            .query()
            .singleRow();
    assertThat(row.get("token_sha256")).isEqualTo(RunSecrets.hash(secret));
    assertThat(row.values()).noneMatch(value -> String.valueOf(value).contains(secret));

    Api.Response one = api.get("/api/v1/tokens/" + id);
    Api.Response all = api.get("/api/v1/tokens");
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.raw().body()).doesNotContain(secret);
    assertThat(all.raw().body()).contains(id).doesNotContain(secret);
  }

  @Test
  void aTokenActsUnderItsNameWithItsRole() {
    registerJob("tokens", "");
    String secret = create("{\"name\": \"etl-bot\", \"role\": \"operator\"}").text("token");
    Api bot = api.as(secret);
    Api.Response submitted =
        bot.post("/api/v1/runs", "{\"job\": \"tokens\", \"params\": {\"date\": \"2024-05-01\"}}");
    assertThat(submitted.status()).as(submitted.raw().body()).isEqualTo(201);
    assertThat(submitted.text("submittedBy")).isEqualTo("etl-bot");
    assertProblem(bot.put("/api/v1/jobs/tokens", "{}"), 403, "forbidden");
    assertProblem(
        bot.post("/api/v1/tokens", "{\"name\": \"escalate\", \"role\": \"admin\"}"),
        403,
        "forbidden");
    String id = idOf(secret);
    assertThat(api.get("/api/v1/tokens/" + id).json().get("lastUsedAt").isNull()).isFalse();
  }

  @Test
  void aRevokedTokenIsRefusedAndTheRecordKeepsWhoRevokedIt() {
    String secret = create("{\"name\": \"leaked\", \"role\": \"viewer\"}").text("token");
    assertThat(api.as(secret).get("/api/v1/jobs").status()).isEqualTo(200);
    String id = idOf(secret);

    Api.Response revoked = api.delete("/api/v1/tokens/" + id);
    assertThat(revoked.status()).as(revoked.raw().body()).isEqualTo(200);
    assertThat(revoked.text("state")).isEqualTo("revoked");
    assertThat(revoked.text("revokedBy")).isEqualTo("test-admin");

    Api.Response refused = api.as(secret).get("/api/v1/jobs");
    assertProblem(refused, 401, "unauthenticated");
    assertThat(refused.header("WWW-Authenticate")).contains("invalid_token", "revoked");

    // Revoking again changes nothing, whoever asks.
    String other = create("{\"name\": \"second-admin\", \"role\": \"admin\"}").text("token");
    Api.Response again = api.as(other).delete("/api/v1/tokens/" + id);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.text("revokedBy")).isEqualTo("test-admin");
    assertThat(again.text("revokedAt")).isEqualTo(revoked.text("revokedAt"));
  }

  @Test
  void anExpiredTokenIsRefused() {
    Instant expires = clock.instant().plus(Duration.ofHours(1));
    String secret =
        create(
                "{\"name\": \"short-lived\", \"role\": \"viewer\", \"expiresAt\": \"%s\"}"
                    .formatted(expires))
            .text("token");
    assertThat(api.as(secret).get("/api/v1/jobs").status()).isEqualTo(200);
    clock.advance(Duration.ofHours(2));
    Api.Response refused = api.as(secret).get("/api/v1/jobs");
    assertProblem(refused, 401, "unauthenticated");
    assertThat(refused.header("WWW-Authenticate")).contains("expired");
    assertThat(api.get("/api/v1/tokens/" + idOf(secret)).text("state")).isEqualTo("expired");
  }

  @Test
  void badRequestsAreRefusedAndCreateNothing() {
    long before = jdbc.sql("select count(*) from api_token").query(Long.class).single();
    for (String body :
        new String[] {
          "{\"name\": \"no spaces\", \"role\": \"viewer\"}",
          "{\"name\": \"x\", \"role\": \"root\"}",
          "{\"role\": \"viewer\"}",
          "{\"name\": \"x\"}",
          "{\"name\": \"x\", \"role\": \"viewer\", \"expiresAt\": \"2001-01-01T00:00:00Z\"}",
          "{\"name\": \"x\", \"role\": \"viewer\", \"expiresAt\": \"2999-01-01T00:00:00Z\"}",
        }) {
      assertProblem(create(body), 400, "invalid-request");
    }
    assertProblem(
        create("{\"name\": \"x\", \"role\": \"viewer\", \"secret\": \"mine\"}"),
        400,
        "malformed-request");
    // A number is not a name, though its text would fit the name's pattern.
    assertProblem(create("{\"name\": -2.00001, \"role\": \"viewer\"}"), 400, "malformed-request");
    for (String expiry : new String[] {"soon", "", "2027-06-30"}) {
      assertProblem(
          create("{\"name\": \"x\", \"role\": \"viewer\", \"expiresAt\": \"" + expiry + "\"}"),
          400,
          "invalid-request");
    }
    assertThat(jdbc.sql("select count(*) from api_token").query(Long.class).single())
        .isEqualTo(before);
    assertProblem(api.get("/api/v1/tokens/" + UUID.randomUUID()), 404, "token-not-found");
    assertProblem(api.delete("/api/v1/tokens/" + UUID.randomUUID()), 404, "token-not-found");
    assertProblem(api.get("/api/v1/tokens/not-a-uuid"), 400, "invalid-request");
  }

  @Test
  void onlyAdminsManageTokens() {
    for (String token : new String[] {TestTokens.VIEWER, TestTokens.OPERATOR}) {
      assertProblem(api.as(token).get("/api/v1/tokens"), 403, "forbidden");
      assertProblem(
          api.as(token).post("/api/v1/tokens", "{\"name\": \"x\", \"role\": \"viewer\"}"),
          403,
          "forbidden");
    }
  }

  private String idOf(String secret) {
    return jdbc.sql("select id from api_token where token_sha256 = :hash")
        .param("hash", RunSecrets.hash(secret))
        .query(UUID.class)
        .single()
        .toString();
  }
}
