package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.catalog.JobRepository;
import io.sparkgate.catalog.JobVersion;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.Jobs;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Names and query parameters that try to climb out of where they belong are refused. */
class PathTraversalTest extends FakeBackendTest {

  static final String JOB =
      "{\"type\": \"jvm\", \"appResource\": \"/opt/t.jar\", \"mainClass\": \"T\"}";

  @Test
  void jobNamesCannotBePaths() {
    // Refused by the name pattern, or before the application by the servlet container or the
    // security firewall: problem documents all the same.
    for (String name :
        new String[] {"..", "%2e%2e", "a..b", "etc.passwd", "..%2F..%2Fetc%2Fpasswd", "a%2Fb"}) {
      Api.Response response = api.put("/api/v1/jobs/" + name, JOB);
      assertThat(response.status()).as(name + ": " + response.raw().body()).isIn(400, 404, 405);
      assertThat(response.contentType()).as(name).startsWith("application/problem+json");
      assertThat(response.text("type")).as(name).startsWith("https://sparkgate.io/problems/");
    }
    Api.Response submit = api.post("/api/v1/runs", "{\"job\": \"../../etc/passwd\"}");
    assertThat(submit.status()).isEqualTo(422);
    assertThat(api.get("/api/v1/jobs").json().findValuesAsString("name"))
        .noneMatch(n -> n.contains(".") || n.contains("/"));
  }

  @Autowired JobRepository jobs;

  @Test
  void jobArtifactsMustLieUnderTheConfiguredLocations() {
    // This context allows /opt only (FakeBackendTest).
    for (String resource :
        new String[] {
          "/etc/passwd",
          "/opt/../etc/passwd",
          "/opt/jobs/%2e%2e/%2e%2e/etc/passwd",
          "file:/etc/x.jar",
          "file://attacker/opt/x.jar",
          "https://attacker.example/opt/x.jar",
          "hdfs://nn/opt/x.jar",
          "opt/relative.jar",
          "/optional/x.jar"
        }) {
      Api.Response response =
          api.put(
              "/api/v1/jobs/artifact",
              "{\"type\": \"jvm\", \"appResource\": \"%s\", \"mainClass\": \"T\"}"
                  .formatted(resource));
      assertThat(response.status()).as(resource).isEqualTo(422);
      assertThat(response.text("type")).endsWith("/invalid-job-definition");
      assertThat(response.json().get("errors").get(0).get("field").asString())
          .isEqualTo("appResource");
    }
    assertThat(api.get("/api/v1/jobs/artifact").status()).isEqualTo(404);
    assertThat(
            api.put(
                    "/api/v1/jobs/artifact",
                    "{\"type\": \"jvm\", \"appResource\": \"file:///opt/ok/x.jar\","
                        + " \"mainClass\": \"T\"}")
                .status())
        .isEqualTo(201);
  }

  @Test
  void aVersionRegisteredBeforeTheLocationsNarrowedCannotRun() {
    // As if /srv had been allowed when the version was registered.
    Instant now = Instant.now();
    jobs.insertJob("narrowed", now);
    jobs.insertVersion(
        new JobVersion("narrowed", 1, Jobs.jvm("/srv/old.jar", "T"), "hash", now, "test"));
    Api.Response response = api.post("/api/v1/runs", "{\"job\": \"narrowed\"}");
    assertThat(response.status()).as(response.raw().body()).isEqualTo(422);
    assertThat(response.text("type")).endsWith("/job-artifact-not-allowed");
    assertThat(api.get("/api/v1/runs?job=narrowed").json().get("runs")).isEmpty();
  }

  @Test
  void logRequestsTakeNoPaths() {
    registerJob("traversal", "");
    UUID runId = submit("traversal", "2024-01-01");
    awaitLaunch(runId);
    for (String query :
        new String[] {
          "attempt=..%2F..%2Fetc%2Fpasswd", "attempt=-1", "offset=-5", "tail=0", "limit=abc"
        }) {
      Api.Response response = api.get("/api/v1/runs/" + runId + "/log?" + query);
      assertThat(response.status()).as(query + ": " + response.raw().body()).isIn(400, 404);
      assertThat(response.contentType()).as(query).startsWith("application/problem+json");
      assertThat(response.raw().body()).doesNotContain("root:");
    }
    assertThat(api.get("/api/v1/runs/..%2F..%2Fetc%2Fpasswd/log").status()).isEqualTo(400);
    fake.driver(runId).succeed();
  }
}
