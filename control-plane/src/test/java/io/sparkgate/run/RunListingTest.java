package io.sparkgate.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.catalog.CatalogService;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.Jobs;
import io.sparkgate.testing.TestRuns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Run listings over a history of thousands of runs: each listed run comes with its attempts. Its
 * own context (and so its own database), so that no other test's runs change while it pages: with a
 * lease of an hour nobody takes over the seeded live runs of the instance "ghost".
 */
@TestPropertySource(properties = "sparkgate.supervision.lease-time=1h")
class RunListingTest extends FakeBackendTest {

  static final List<String> JOBS = List.of("list-a", "list-b", "list-c", "list-d", "list-e");
  static final int RUNS = 6000;
  private static boolean seeded;

  @Autowired CatalogService catalog;
  @Autowired JdbcClient jdbc;

  @BeforeEach
  void seed() {
    if (seeded) {
      return;
    }
    for (String job : JOBS) {
      catalog.register(job, Jobs.jvm("/opt/" + job + ".jar", "Main"), "tester");
    }
    TestRuns.anInstance(jdbc, "ghost", "ghost-host", 1);
    TestRuns.aHistory(jdbc, JOBS, RUNS, "ghost", Instant.now());
    jdbc.sql("analyze run").update();
    seeded = true;
  }

  @Test
  void everyListedRunComesWithItsAttempts() {
    Api.Response response = api.get("/api/v1/runs?job=list-a&limit=500");
    assertThat(response.status()).isEqualTo(200);
    Map<UUID, List<Integer>> stored = new LinkedHashMap<>();
    jdbc.sql(
            """
            select r.id, a.attempt from run r left join run_attempt a on a.run_id = r.id
            where r.job_name = 'list-a' order by r.id, a.attempt
            """)
        .query(
            rs -> {
              List<Integer> attempts =
                  stored.computeIfAbsent(rs.getObject(1, UUID.class), id -> new ArrayList<>());
              int attempt = rs.getInt(2);
              if (!rs.wasNull()) {
                attempts.add(attempt);
              }
            });
    int withTwo = 0;
    int withNone = 0;
    for (JsonNode run : response.json().get("runs")) {
      UUID id = UUID.fromString(run.get("runId").asString());
      List<Integer> listed = new ArrayList<>();
      run.get("attempts").forEach(a -> listed.add(a.get("attempt").asInt()));
      assertThat(listed).as("attempts of %s", id).isEqualTo(stored.get(id));
      withTwo += listed.size() == 2 ? 1 : 0;
      withNone += listed.isEmpty() ? 1 : 0;
    }
    assertThat(response.json().get("runs")).hasSize(500);
    assertThat(withTwo).isPositive();
    assertThat(withNone).isPositive();
  }
}
