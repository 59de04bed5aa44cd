package io.sparkgate.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The whole service over real HTTP and a real PostgreSQL, with the fake Spark backend and a clock
 * tests can move. Subclasses share one application context and one database, so each test uses its
 * own job names and keys.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "sparkgate.work-dir=target/test-work/fake",
      "sparkgate.supervision.poll-interval=100ms",
      "sparkgate.supervision.heartbeat-interval=1s",
      "sparkgate.spark.stop-grace=2s",
      "sparkgate.runs.max-concurrent=50",
      "sparkgate.api.max-body-bytes=65536",
      "sparkgate.catalog.artifact-locations=/opt",
      "sparkgate.api.streams.poll-interval=100ms",
      "sparkgate.api.streams.keep-alive=1s"
    })
@TestPropertySource(locations = TestTokens.PROPERTIES)
@Import(FakeBackendTest.Config.class)
public abstract class FakeBackendTest {

  /** The fake backend and the movable clock, for any test context. */
  @TestConfiguration
  public static class Config {
    @Bean
    @Primary
    FakeSparkBackend fakeSparkBackend() {
      return new FakeSparkBackend();
    }

    @Bean
    @Primary
    MutableClock mutableClock() {
      return new MutableClock();
    }
  }

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    String url = TestDatabase.newDatabaseUrl();
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", () -> "postgres");
    // Single sign-on against the tests' own identity provider.
    for (String property : TestJwts.properties()) {
      int eq = property.indexOf('=');
      registry.add(property.substring(0, eq), () -> property.substring(eq + 1));
    }
  }

  @LocalServerPort protected int port;
  @Autowired protected FakeSparkBackend fake;
  @Autowired protected MutableClock clock;
  protected Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
    fake.ignoreStops(false);
  }

  /** Registers a job on the fake backend with extra definition fields (JSON members). */
  protected void registerJob(String name, String extraFields) {
    String body =
        """
        {"type": "jvm", "appResource": "/opt/jobs/%s.jar", "mainClass": "com.example.Main",
         "args": ["--date", "${date}"],
         "parameters": {"date": {"type": "date", "required": true},
                        "rows": {"type": "int", "default": 10, "min": 1}},
         "allowedSparkConf": ["spark.sql.shuffle.partitions", "spark.executor.*"]%s}
        """
            .formatted(name, extraFields.isEmpty() ? "" : ", " + extraFields);
    Api.Response response = api.put("/api/v1/jobs/" + name, body);
    if (response.status() != 201 && response.status() != 200) {
      throw new AssertionError("could not register " + name + ": " + response.raw().body());
    }
  }

  protected UUID submit(String job, String date, String... headers) {
    Api.Response response =
        api.post(
            "/api/v1/runs",
            "{\"job\": \"" + job + "\", \"params\": {\"date\": \"" + date + "\"}}",
            headers);
    if (response.status() != 201 && response.status() != 200) {
      throw new AssertionError("submit failed: " + response.raw().body());
    }
    return UUID.fromString(response.text("runId"));
  }

  protected String state(UUID runId) {
    return api.get("/api/v1/runs/" + runId).text("state");
  }

  protected void awaitState(UUID runId, String expected) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> expected.equals(state(runId)));
  }

  protected FakeSparkBackend.FakeDriver awaitLaunch(UUID runId) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> fake.launched(runId));
    return fake.driver(runId);
  }
}
