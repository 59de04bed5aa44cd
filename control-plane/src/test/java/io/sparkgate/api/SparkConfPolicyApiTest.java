package io.sparkgate.api;

import static io.sparkgate.api.JobApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.catalog.JobRepository;
import io.sparkgate.catalog.JobVersion;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.ConfPolicyCases;
import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.Jobs;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The Spark conf policy through the API, for job definitions and run overrides alike: every entry
 * of its table at both levels, and the artifact locations for the keys that name artifacts. This
 * context allows artifacts under /opt only (FakeBackendTest).
 */
class SparkConfPolicyApiTest extends FakeBackendTest {

  /** A job whose allow list admits every spark.* key: only the policy stands in a run's way. */
  static final String WIDE_OPEN = "conf-wide-open";

  @Autowired JdbcClient jdbc;
  @Autowired JobRepository jobs;

  @BeforeEach
  void registerTheWideOpenJob() {
    Api.Response response =
        api.put("/api/v1/jobs/" + WIDE_OPEN, definition(Map.of(), List.of("spark.*")));
    assertThat(response.status()).as(response.raw().body()).isIn(200, 201);
  }

  static String definition(Map<String, String> sparkConf, List<String> allowedSparkConf) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "jvm");
    body.put("appResource", "/opt/jobs/app.jar");
    body.put("mainClass", "com.example.Main");
    body.put("sparkConf", sparkConf);
    body.put("allowedSparkConf", allowedSparkConf);
    return Api.json(body);
  }

  Api.Response putJob(String name, Map<String, String> sparkConf) {
    return api.put("/api/v1/jobs/" + name, definition(sparkConf, List.of()));
  }

  Api.Response submit(String job, Map<String, String> sparkConf) {
    return api.post("/api/v1/runs", Api.json(Map.of("job", job, "sparkConf", sparkConf)));
  }

  long runsOf(String job) {
    return jdbc.sql("select count(*) from run where job_name = :job")
        .param("job", job)
        .query(Long.class)
        .single();
  }

  /** A 422 disallowed-spark-conf that names exactly these keys, each with its group. */
  static void assertRefused(Api.Response response, Map<String, String> groupByKey) {
    assertProblem(response, 422, "disallowed-spark-conf");
    Map<String, String> named = new LinkedHashMap<>();
    for (JsonNode error : response.json().get("errors")) {
      named.put(error.get("field").asString(), error.get("group").asString());
    }
    Map<String, String> expected = new LinkedHashMap<>();
    groupByKey.forEach((key, group) -> expected.put("sparkConf." + key, group));
    assertThat(named).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("io.sparkgate.testing.ConfPolicyCases#everyEntry")
  void aJobDefinitionMayNotSetAnyKeyOfThePolicy(String key, String group) {
    assertRefused(putJob("conf-refused", Map.of(key, "/tmp/evil.jar")), Map.of(key, group));
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("io.sparkgate.testing.ConfPolicyCases#everyEntry")
  void aRunMayNotSetAnyKeyOfThePolicyWhateverItsJobAllows(String key, String group) {
    // Even under the artifact locations: a run never chooses artifacts.
    assertRefused(submit(WIDE_OPEN, Map.of(key, "/opt/jobs/lib.jar")), Map.of(key, group));
    assertThat(runsOf(WIDE_OPEN)).isZero();
  }

  @ParameterizedTest
  @MethodSource("io.sparkgate.testing.ConfPolicyCases#notSparkKeys")
  void keysThatAreNotSparksAreRefusedAtBothLevels(String key) {
    assertRefused(putJob("conf-refused", Map.of(key, "x")), Map.of(key, "not-spark"));
    assertRefused(submit(WIDE_OPEN, Map.of(key, "x")), Map.of(key, "not-spark"));
  }

  @Test
  void theIssuesJobDefinitionsAreRefusedNamingEveryKey() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.jars", "/tmp/evil.jar");
    conf.put("spark.driver.extraJavaOptions", "-javaagent:/tmp/evil.jar");
    conf.put("spark.driver.defaultJavaOptions", "-javaagent:/tmp/evil.jar");
    conf.put("spark.sql.maven.additionalRemoteRepositories", "https://evil.example/maven");
    conf.put("spark.hive.metastore.uris", "thrift://evil.example:9083");
    conf.put("spark.driver.supervise", "true");
    conf.put("spark.io.compression.codec", "com.evil.Codec");
    conf.put("spark.driver.log.dfsDir", "hdfs://evil/logs");
    assertRefused(
        putJob("x", conf),
        Map.of(
            "spark.jars", "artifacts",
            "spark.driver.extraJavaOptions", "process",
            "spark.driver.defaultJavaOptions", "process",
            "spark.sql.maven.additionalRemoteRepositories", "code",
            "spark.hive.metastore.uris", "class-name",
            "spark.driver.supervise", "deployment",
            "spark.io.compression.codec", "class-name",
            "spark.driver.log.dfsDir", "files"));
    assertProblem(api.get("/api/v1/jobs/x"), 404, "job-not-found");
  }

  @Test
  void aPrefixInTheAllowListNeverUnlocksARefusedKey() {
    Api.Response registered =
        api.put("/api/v1/jobs/conf-sql", definition(Map.of(), List.of("spark.sql.*")));
    assertThat(registered.status()).as(registered.raw().body()).isIn(200, 201);
    Map<String, String> hive = new LinkedHashMap<>();
    hive.put("spark.sql.catalogImplementation", "hive");
    hive.put("spark.sql.hive.metastore.jars", "path");
    hive.put("spark.sql.hive.metastore.jars.path", "https://evil.example/x.jar");
    assertRefused(
        submit("conf-sql", hive),
        Map.of(
            "spark.sql.catalogImplementation", "class-name",
            "spark.sql.hive.metastore.jars", "code",
            "spark.sql.hive.metastore.jars.path", "code"));
    assertThat(runsOf("conf-sql")).isZero();

    // What the prefix covers and the policy lets through, a run may set.
    Api.Response allowed = submit("conf-sql", Map.of("spark.sql.shuffle.partitions", "4"));
    assertThat(allowed.status()).as(allowed.raw().body()).isEqualTo(201);
    UUID runId = UUID.fromString(allowed.text("runId"));
    assertThat(awaitLaunch(runId).spec().sparkConf())
        .containsEntry("spark.sql.shuffle.partitions", "4");
    fake.driver(runId).succeed();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spark.jars",
        "spark.driver.extraJavaOptions",
        "spark.hadoop.*",
        "spark.hadoop.fs.*",
        "spark.sql.catalog.*",
        "spark.sparkgate.*"
      })
  void anAllowListMayNotNameWhatNoRunCanSet(String entry) {
    Api.Response response =
        api.put("/api/v1/jobs/conf-refused", definition(Map.of(), List.of(entry)));
    assertProblem(response, 422, "disallowed-spark-conf");
    assertThat(response.json().get("errors").findValuesAsString("field"))
        .containsExactly("allowedSparkConf");
    assertThat(response.json().get("errors").get(0).get("message").asString()).contains(entry);
  }

  @Test
  void otherProblemsTooMakeTheDefinitionInvalidWithEveryProblemListed() {
    Api.Response response =
        api.put(
            "/api/v1/jobs/conf-refused",
            """
            {"type": "jvm", "appResource": "/opt/a.jar",
             "sparkConf": {"spark.jars": "/tmp/evil.jar"}}
            """);
    assertProblem(response, 422, "invalid-job-definition");
    JsonNode errors = response.json().get("errors");
    assertThat(errors.findValuesAsString("field"))
        .containsExactly("mainClass", "sparkConf.spark.jars");
    assertThat(errors.get(0).has("group")).isFalse();
    assertThat(errors.get(1).get("group").asString()).isEqualTo("artifacts");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/opt/jobs/lib.jar", "file:/opt/jobs/lib.jar", "/opt/jobs/a.jar, /opt/libs/b.jar"})
  void aJobMaySetArtifactKeysUnderTheLocationsAndItsRunsGetThem(String jars) {
    String job = "conf-jars-" + Integer.toHexString(jars.hashCode());
    Map<String, String> conf = Map.of("spark.jars", jars, "spark.files", "/opt/jobs/lookup.csv");
    Api.Response response = putJob(job, conf);
    assertThat(response.status()).as(response.raw().body()).isEqualTo(201);
    Api.Response submitted = submit(job, Map.of());
    assertThat(submitted.status()).as(submitted.raw().body()).isEqualTo(201);
    UUID runId = UUID.fromString(submitted.text("runId"));
    assertThat(awaitLaunch(runId).spec().sparkConf()).containsAllEntriesOf(conf);
    fake.driver(runId).succeed();
  }

  @ParameterizedTest
  @MethodSource("io.sparkgate.testing.ConfPolicyCases#outsideOpt")
  void aJobMayNotPointArtifactKeysAnywhereElse(String value) {
    for (String key : ConfPolicyCases.artifactKeys()) {
      Api.Response response = putJob("conf-refused", Map.of(key, value));
      assertRefused(response, Map.of(key, "artifacts"));
      assertThat(response.json().get("errors").get(0).get("message").asString())
          .doesNotContain("'/opt/jobs/a.jar'");
    }
  }

  @Test
  void aVersionRegisteredUnderAnEarlierPolicyCannotRun() {
    // As if the policy had let these through when the versions were registered.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Map<String, Map<String, String>> older =
        Map.of(
            "conf-older-hive", Map.of("spark.sql.hive.metastore.jars", "path"),
            "conf-older-jars", Map.of("spark.jars", "/srv/old/lib.jar"));
    older.forEach(
        (name, conf) -> {
          jobs.insertJob(name, now);
          jobs.insertVersion(
              new JobVersion(name, 1, Jobs.jvmWithConf("/opt/jobs/app.jar", conf), "h", now, "t"));
        });
    assertRefused(
        submit("conf-older-hive", Map.of()), Map.of("spark.sql.hive.metastore.jars", "code"));
    assertRefused(submit("conf-older-jars", Map.of()), Map.of("spark.jars", "artifacts"));
    assertThat(runsOf("conf-older-hive") + runsOf("conf-older-jars")).isZero();
  }
}
