package io.sparkgate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.ServiceProcess;
import io.sparkgate.testing.TestDatabase;
import io.sparkgate.testing.TestJwts;
import io.sparkgate.testing.TestSecrets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Two service processes on one database: a token created on one works on the other, and a revoke on
 * one is refused on the other within one second, with no restart. The processes trust JWTs through
 * a public key file, the off-line set-up.
 */
class TokenRevocationIT {

  final String db = TestDatabase.newDatabaseUrl();
  final Path work = Path.of("target/it-work/tokens-" + UUID.randomUUID());

  String[] args(String instance) {
    return Stream.concat(
            Stream.of(
                "--spring.datasource.url=" + db,
                "--spring.datasource.username=postgres",
                "--sparkgate.instance-id=" + instance,
                "--sparkgate.work-dir=" + work.resolve(instance),
                "--sparkgate.spark.backend=simulated",
                "--sparkgate.catalog.artifact-locations=/opt"),
            Stream.of(TestJwts.publicKeyProperties()).map(p -> "--" + p))
        .toArray(String[]::new);
  }

  @Test
  void aRevokeOnOneInstanceIsRefusedOnTheOtherWithinASecond() throws Exception {
    try (ServiceProcess a = ServiceProcess.start(work.resolve("a.log"), args("a"));
        ServiceProcess b = ServiceProcess.start(work.resolve("b.log"), args("b"))) {
      List<Long> millis = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Api.Response created =
            a.api()
                .post("/api/v1/tokens", "{\"name\": \"rotate-" + i + "\", \"role\": \"viewer\"}");
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        String secret = created.text("token");
        TestSecrets.remember(secret);
        Api onB = b.api().as(secret);
        assertThat(onB.get("/api/v1/jobs").status()).isEqualTo(200);

        String id = created.json().get("details").get("id").asString();
        assertThat(a.api().delete("/api/v1/tokens/" + id).status()).isEqualTo(200);
        long revoked = System.nanoTime();
        await()
            .atMost(Duration.ofSeconds(1))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> onB.get("/api/v1/jobs").status() == 401);
        millis.add((System.nanoTime() - revoked) / 1_000_000);
        assertThat(onB.get("/api/v1/jobs").header("WWW-Authenticate")).contains("revoked");
      }
      System.out.println("Revoked on a, refused on b after (ms): " + millis);

      // Both instances take the identity provider's tokens, and the audience is checked.
      String jwt = TestJwts.token("sso-admin", "admin");
      assertThat(a.api().as(jwt).get("/api/v1/tokens").status()).isEqualTo(200);
      assertThat(b.api().as(jwt).get("/api/v1/tokens").status()).isEqualTo(200);
      String elsewhere = TestJwts.signed(c -> c.audience("another-app").claim("roles", "admin"));
      assertThat(b.api().as(elsewhere).get("/api/v1/jobs").header("WWW-Authenticate"))
          .contains("aud");
    }
  }
}
