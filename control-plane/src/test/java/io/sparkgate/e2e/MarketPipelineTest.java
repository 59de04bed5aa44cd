package io.sparkgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.testing.Api;
import io.sparkgate.testing.TestDatabase;
import io.sparkgate.testing.TestTokens;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The market-data pipeline through the control plane with real Spark: the six shipped job
 * definitions (five JVM stages and the PySpark regime report), registered at start-up, run one date
 * with metrics on every run; a rerun leaves the same outputs; a day with defects above the
 * thresholds fails the quality gate by name.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "sparkgate.spark.home=${sparkgate.test.spark-home}",
      "sparkgate.work-dir=target/test-work/pipeline",
      "sparkgate.supervision.poll-interval=200ms",
      "sparkgate.runs.max-concurrent=2"
    })
@TestPropertySource(locations = TestTokens.PROPERTIES)
class MarketPipelineTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    String url = TestDatabase.newDatabaseUrl();
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", () -> "postgres");
    // Each test run starts from empty data.
    registry.add(
        "sparkgate.catalog.data-dir", () -> "target/test-work/pipeline/data-" + UUID.randomUUID());
  }

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  JsonNode run(String job, String params) {
    Api.Response submitted =
        api.post("/api/v1/runs", "{\"job\": \"" + job + "\", \"params\": " + params + "}");
    assertThat(submitted.status()).as(submitted.raw().body()).isEqualTo(201);
    String id = submitted.text("runId");
    await()
        .atMost(Duration.ofSeconds(240))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                api.get("/api/v1/runs/" + id)
                    .text("state")
                    .matches("SUCCEEDED|FAILED|CANCELLED|TIMED_OUT"));
    return api.get("/api/v1/runs/" + id).json();
  }

  JsonNode succeeded(String job, String params) {
    JsonNode run = run(job, params);
    assertThat(run.get("state").asString()).as(run.toString()).isEqualTo("SUCCEEDED");
    return run;
  }

  @Test
  void theShippedJobsAreRegisteredOnce() {
    assertThat(api.get("/api/v1/jobs").json().findValuesAsString("name"))
        .contains(
            "market-ingest",
            "market-curate",
            "market-adjust",
            "market-analytics",
            "market-quality",
            "market-regimes");
    assertThat(api.get("/api/v1/jobs/market-curate").json().get("latestVersion").asInt())
        .isEqualTo(1);
  }

  @Test
  void aDateRunsThroughAllStagesReportsMetricsAndRerunsIdentically() {
    String day = "{\"date\": \"2024-03-15\"}";
    JsonNode ingest = succeeded("market-ingest", "{\"date\": \"2024-03-15\", \"universe\": 8}");
    assertThat(ingest.at("/metrics/bars_written").asInt()).isEqualTo(8);
    JsonNode curate = succeeded("market-curate", day);
    assertThat(curate.at("/metrics/rows_written").asInt()).isEqualTo(8);
    assertThat(curate.at("/metrics/rows_quarantined").asInt()).isZero();
    JsonNode adjust = succeeded("market-adjust", day);
    assertThat(adjust.at("/metrics/rows_written").asInt()).isEqualTo(8);
    JsonNode analytics = succeeded("market-analytics", day);
    assertThat(analytics.at("/metrics/rows_written").asInt()).isEqualTo(8);
    JsonNode quality = succeeded("market-quality", "{\"date\": \"2024-03-15\", \"universe\": 8}");
    assertThat(quality.at("/metrics/passed").asBoolean()).isTrue();
    assertThat(quality.at("/metrics/checks").findValuesAsString("name"))
        .contains(
            "coverage",
            "null_ratio.c",
            "quarantine_ratio",
            "price_sanity_violations",
            "duplicate_symbol_dates");
    // The PySpark stage summarises the analytics the JVM stage wrote, after its own checks.
    JsonNode regimes = succeeded("market-regimes", day);
    assertThat(regimes.at("/attempts/0/sparkAppId").asString()).startsWith("local-");
    assertThat(regimes.at("/metrics/stage").asString()).isEqualTo("regimes");
    assertThat(regimes.at("/metrics/passed").asBoolean()).isTrue();
    assertThat(regimes.at("/metrics/rows_read").asInt()).isEqualTo(8);
    assertThat(regimes.at("/metrics/rows_written").asInt()).isEqualTo(5);
    JsonNode perRegime = regimes.at("/metrics/regimes");
    assertThat(perRegime.propertyNames())
        .containsExactlyInAnyOrder(
            "trending_up", "trending_down", "ranging", "volatile", "insufficient_history");
    assertThat(perRegime.valueStream().mapToInt(JsonNode::asInt).sum()).isEqualTo(8);
    // The same regimes as the JVM stage counted, where it counted any.
    analytics
        .at("/metrics/regimes")
        .properties()
        .forEach(
            e -> assertThat(perRegime.get(e.getKey()).asInt()).isEqualTo(e.getValue().asInt()));

    // A rerun of every stage leaves the same rows: ingest skips what exists, the others replace
    // their partitions with identical content.
    assertThat(
            succeeded("market-ingest", "{\"date\": \"2024-03-15\", \"universe\": 8}")
                .at("/metrics/endpoints_skipped")
                .asInt())
        .isEqualTo(3);
    for (String[] stage :
        new String[][] {
          {"market-curate", curate.at("/metrics/output_checksum").asString()},
          {"market-adjust", adjust.at("/metrics/output_checksum").asString()},
          {"market-analytics", analytics.at("/metrics/output_checksum").asString()},
          {"market-regimes", regimes.at("/metrics/output_checksum").asString()}
        }) {
      JsonNode rerun = succeeded(stage[0], day);
      assertThat(rerun.at("/metrics/output_checksum").asString()).as(stage[0]).isEqualTo(stage[1]);
    }
  }

  @Test
  void aDayWithTooManyDefectsFailsTheQualityGatesNamingEachCheck() {
    String day = "{\"date\": \"2024-03-18\"}";
    succeeded("market-ingest", "{\"date\": \"2024-03-18\", \"universe\": 40, \"defectRate\": 0.3}");
    JsonNode curate = succeeded("market-curate", day);
    assertThat(curate.at("/metrics/rows_quarantined").asInt()).isPositive();
    succeeded("market-adjust", day);
    succeeded("market-analytics", day);
    JsonNode quality = run("market-quality", "{\"date\": \"2024-03-18\", \"universe\": 40}");
    assertThat(quality.get("state").asString()).isEqualTo("FAILED");
    assertThat(quality.get("stateReason").asString())
        .contains("quality gate failed for 2024-03-18")
        .contains("null_ratio.c")
        .contains("quarantine_ratio")
        .contains("coverage");
    assertThat(quality.at("/metrics/passed").asBoolean()).isFalse();
    // The gate is deterministic, so it is not retried.
    assertThat(quality.get("attempts")).hasSize(1);
    // The PySpark stage's own checks fail its run the same way: the Python exception as the
    // reason, each check with its value on the run, and no report written for the date.
    JsonNode regimes = run("market-regimes", "{\"date\": \"2024-03-18\", \"minSymbols\": 1000}");
    assertThat(regimes.get("state").asString()).as(regimes.toString()).isEqualTo("FAILED");
    assertThat(regimes.get("stateReason").asString())
        .contains("QualityCheckFailed: regime report of 2024-03-18 not written")
        .contains("symbols = ")
        .contains("(must be >= 1000)");
    assertThat(regimes.at("/metrics/passed").asBoolean()).isFalse();
    JsonNode symbols = regimes.at("/metrics/checks/0");
    assertThat(symbols.get("name").asString()).isEqualTo("symbols");
    assertThat(symbols.get("passed").asBoolean()).isFalse();
    assertThat(symbols.get("value").asInt()).isPositive().isLessThan(1000);
    assertThat(regimes.get("attempts")).hasSize(1);
  }
}
