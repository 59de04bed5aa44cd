package io.sparkgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.launch.LaunchSpec;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.BuiltJobs;
import io.sparkgate.testing.ProcessTable;
import io.sparkgate.testing.TestDatabase;
import io.sparkgate.testing.TestSecrets;
import io.sparkgate.testing.TestTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The real thing: the service launches the demo job with the Spark runtime this build assembles, in
 * local mode, through SparkLauncher and bin/spark-submit.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "sparkgate.work-dir=target/test-work/spark",
      "sparkgate.supervision.poll-interval=200ms",
      "sparkgate.spark.stop-grace=3s",
      "sparkgate.runs.max-concurrent=2",
      "sparkgate.runs.max-log-bytes=" + SparkEndToEndTest.MAX_LOG_BYTES
    })
@TestPropertySource(locations = TestTokens.PROPERTIES)
class SparkEndToEndTest {

  static final Duration SPARK_RUN = Duration.ofSeconds(180);
  // Far above the few hundred KiB an ordinary demo run logs, far below what printBytes can print.
  static final long MAX_LOG_BYTES = 2 << 20;
  // Spark's event log of every run (uncompressed here, to be read): the conf it records is the
  // conf Spark's UI shows.
  static final Path EVENT_LOGS = Path.of("target/test-work/spark/event-logs").toAbsolutePath();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws IOException {
    registry.add("sparkgate.spark.home", () -> System.getProperty("sparkgate.test.spark-home"));
    registry.add("sparkgate.history.event-log-dir", EVENT_LOGS::toString);
    registry.add("sparkgate.history.compress", () -> "false");
    // Not next to that Spark home, as the built one is.
    registry.add("sparkgate.catalog.jobs-jar", BuiltJobs::jar);
    registry.add("sparkgate.spark.allowed-pythons", () -> OTHER_PYTHON + ",./env/bin/python");
    String url = TestDatabase.newDatabaseUrl();
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", () -> "postgres");
  }

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void registerDemo() {
    api = new Api(port);
    String jar = BuiltJobs.jar();
    Api.Response response =
        api.put(
            "/api/v1/jobs/demo",
            """
            {"description": "The demo job", "type": "jvm", "appResource": "%s",
             "mainClass": "io.sparkgate.jobs.demo.DemoJob",
             "args": ["--date", "${date}", "--rows", "${rows}", "--sleep-seconds", "${sleep}",
                      "--fail-with", "${failWith}", "--print-bytes", "${printBytes}"],
             "parameters": {"date": {"type": "date", "required": true},
                            "rows": {"type": "int", "default": 1000, "min": 1},
                            "sleep": {"type": "int", "default": 0, "min": 0},
                            "failWith": {"type": "string", "default": ""},
                            "printBytes": {"type": "int", "default": 0, "min": 0}},
             "sparkConf": {"spark.sql.shuffle.partitions": "2"},
             "timeoutSeconds": 600}
            """
                .formatted(jar));
    assertThat(response.status()).as(response.raw().body()).isIn(200, 201);
  }

  /**
   * The interpreter python3 on the PATH runs, by its own absolute path (sys.executable, past any
   * shim or link): to the service another one than "python3", which a job may name only because the
   * test's configuration allows it.
   */
  static final Path OTHER_PYTHON = realPython();

  static Path realPython() {
    try {
      Process python =
          new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)")
              .redirectErrorStream(true)
              .start();
      String executable =
          new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (python.waitFor() != 0) {
        throw new IllegalStateException("python3 failed: " + executable);
      }
      return Path.of(executable.strip());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static final Path ARTIFACTS = Path.of("target/test-work/spark/artifacts").toAbsolutePath();

  UUID submitPython(String mode) throws IOException {
    return submitPython("pydemo", mode, "");
  }

  /**
   * The test's PySpark script, registered as {@code jobName} from the artifacts directory with more
   * definition fields ({@code extra}: JSON members after a comma, or empty), then run once.
   */
  UUID submitPython(String jobName, String mode, String extra) throws IOException {
    Path script = ARTIFACTS.resolve("sparkgate_python_test.py");
    Files.createDirectories(ARTIFACTS);
    try (var in = getClass().getResourceAsStream("/python/sparkgate_python_test.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    Api.Response job =
        api.put(
            "/api/v1/jobs/" + jobName,
            """
            {"description": "The PySpark test job", "type": "python", "appResource": "%s",
             "args": ["${mode}"], "parameters": {"mode": {"type": "string", "required": true}},
             "sparkConf": {"spark.sql.shuffle.partitions": "2"}%s}
            """
                .formatted(script, extra));
    assertThat(job.status()).as(job.raw().body()).isIn(200, 201);
    Api.Response response =
        api.post(
            "/api/v1/runs",
            "{\"job\": \"" + jobName + "\", \"params\": {\"mode\": \"" + mode + "\"}}");
    assertThat(response.status()).as(response.raw().body()).isEqualTo(201);
    return UUID.fromString(response.text("runId"));
  }

  UUID submit(String params) {
    Api.Response response =
        api.post("/api/v1/runs", "{\"job\": \"demo\", \"params\": " + params + "}");
    assertThat(response.status()).as(response.raw().body()).isEqualTo(201);
    return UUID.fromString(response.text("runId"));
  }

  JsonNode awaitState(UUID runId, String state) {
    await()
        .atMost(SPARK_RUN)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> api.get("/api/v1/runs/" + runId).text("state"),
            s -> s.equals(state) || isTerminal(s));
    JsonNode run = api.get("/api/v1/runs/" + runId).json();
    assertThat(run.get("state").asString()).as(run.toString()).isEqualTo(state);
    return run;
  }

  static boolean isTerminal(String state) {
    return List.of("SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT").contains(state);
  }

  static List<ProcessHandle> driversOf(UUID runId) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(runId.toString())).orElse(false))
        .toList();
  }

  @Test
  void aJobSucceedsWithItsAppIdAndLog() throws Exception {
    UUID runId = submit("{\"date\": \"2024-03-15\", \"rows\": 500}");
    JsonNode run = awaitState(runId, "SUCCEEDED");
    JsonNode attempt = run.at("/attempts/0");
    assertThat(attempt.get("sparkAppId").asString()).startsWith("local-");
    assertThat(attempt.get("exitCode").asInt()).isZero();
    assertThat(run.get("startedAt").isNull()).isFalse();
    // The job reported its metrics with its run's secret.
    assertThat(run.at("/metrics/rows_read").asInt()).isEqualTo(500);
    assertThat(run.at("/metrics/total").asLong()).isEqualTo(124750);

    JsonNode log = api.get("/api/v1/runs/" + runId + "/log").json();
    assertThat(log.get("complete").asBoolean()).isTrue();
    String text = log.get("text").asString();
    // The job saw its run id through spark.sparkgate.runId, and computed over its parameters.
    assertThat(text).contains("sparkgate demo: run " + runId + " for 2024-03-15 over 500 rows");
    assertThat(text).contains("sparkgate demo: bucket=0 n=50 total=12250");
    assertThat(text).contains("sparkgate demo: done");

    List<String> transitions =
        api.get("/api/v1/runs/" + runId + "/events")
            .json()
            .valueStream()
            .map(e -> e.get("to").asString())
            .toList();
    assertThat(transitions).containsExactly("QUEUED", "LAUNCHING", "RUNNING", "SUCCEEDED");
    assertThat(driversOf(runId)).isEmpty();
  }

  @Test
  void aRunningJobShowsItsSparkUiAndProgressWithoutAnyCodeOfOurs() throws Exception {
    Path script = ARTIFACTS.resolve("sparkgate_plain.py");
    Files.createDirectories(ARTIFACTS);
    try (var in = getClass().getResourceAsStream("/python/sparkgate_plain.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    Path release = ARTIFACTS.resolve("release-" + UUID.randomUUID());
    Api.Response job =
        api.put(
            "/api/v1/jobs/plain",
            """
            {"description": "Knows nothing of Sparkgate", "type": "python", "appResource": "%s",
             "args": ["${release}"], "parameters": {"release": {"type": "string", "required": true}}}
            """
                .formatted(script));
    assertThat(job.status()).as(job.raw().body()).isIn(200, 201);
    Api.Response submitted =
        api.post(
            "/api/v1/runs", "{\"job\": \"plain\", \"params\": {\"release\": \"" + release + "\"}}");
    assertThat(submitted.status()).as(submitted.raw().body()).isEqualTo(201);
    UUID runId = UUID.fromString(submitted.text("runId"));
    Api viewer = api.as(TestTokens.VIEWER);

    // Its two Spark jobs done, the driver holds: the run shows the UI and the progress so far.
    JsonNode running =
        await()
            .atMost(SPARK_RUN)
            .pollInterval(Duration.ofMillis(250))
            .until(
                () -> viewer.get("/api/v1/runs/" + runId).json(),
                r ->
                    isTerminal(r.get("state").asString())
                        || (r.hasNonNull("sparkUiUrl")
                            && r.at("/progress/jobs/completed").asInt() >= 2
                            && r.at("/progress/jobs/active").asInt() == 0
                            && api.get("/api/v1/runs/" + runId + "/log")
                                .text("text")
                                .contains("sparkgate plain: groups=")));
    assertThat(running.get("state").asString()).as(running.toString()).isEqualTo("RUNNING");
    String ui = URI.create(running.get("sparkUiUrl").asString()).getPath();
    assertThat(ui).isEqualTo("/api/v1/runs/" + runId + "/spark-ui/");

    // Spark's own pages, through the service, their links under the run's path.
    Api.Response root = viewer.get(ui);
    assertThat(root.status()).isEqualTo(302);
    assertThat(root.header("Location")).isEqualTo(ui + "jobs/");
    Api.Response jobs = viewer.get(ui + "jobs/");
    assertThat(jobs.status()).as(jobs.raw().body()).isEqualTo(200);
    assertThat(jobs.contentType()).startsWith("text/html");
    assertThat(jobs.raw().body())
        .contains("Spark Jobs")
        .contains("sparkgate-plain-" + runId)
        .contains("href=\"" + ui + "stages/\"")
        .doesNotContain("href=\"/jobs/");
    Api.Response apps = viewer.get(ui + "api/v1/applications");
    assertThat(apps.status()).isEqualTo(200);
    assertThat(apps.json().get(0).get("id").asString())
        .isEqualTo(running.at("/attempts/0/sparkAppId").asString());
    assertThat(api.as(null).get(ui + "jobs/").status()).isEqualTo(401);

    Files.writeString(release, "");
    JsonNode run = awaitState(runId, "SUCCEEDED");
    assertThat(run.get("sparkUiUrl").isNull()).isTrue();
    Api.Response gone = viewer.get(ui + "jobs/");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.contentType()).startsWith("application/problem+json");
    assertThat(gone.text("type")).endsWith("spark-ui-not-available");

    // Everything it did, counted by the plugin the service added: its jobs, at least three stages
    // (the grouped count's two and the sum's one), every task, and what its tasks used.
    JsonNode progress = run.at("/attempts/0/progress");
    assertThat(run.get("progress")).isEqualTo(progress);
    // The grouped count is two jobs with adaptive execution (its shuffle, then the result).
    assertThat(progress.at("/jobs/completed").asInt())
        .isEqualTo(progress.at("/jobs/total").asInt())
        .isGreaterThanOrEqualTo(2);
    assertThat(progress.at("/jobs/failed").asInt()).isZero();
    assertThat(progress.at("/stages/completed").asInt())
        .isEqualTo(progress.at("/stages/total").asInt())
        .isGreaterThanOrEqualTo(3);
    assertThat(progress.at("/tasks/completed").asLong())
        .isEqualTo(progress.at("/tasks/total").asLong())
        .isGreaterThanOrEqualTo(7);
    assertThat(progress.at("/tasks/active").asLong()).isZero();
    JsonNode resources = run.at("/attempts/0/resources");
    assertThat(resources.get("final").asBoolean()).as(resources.toString()).isTrue();
    assertThat(resources.get("executorRunTimeMs").asLong()).isPositive();
    assertThat(resources.get("executorCpuTimeMs").asLong()).isPositive();
    assertThat(resources.get("shuffleWriteBytes").asLong()).isPositive();
    assertThat(resources.get("tasks").asLong()).isEqualTo(progress.at("/tasks/total").asLong());
    assertThat(resources.get("failedTasks").asLong()).isZero();
    assertThat(api.get("/api/v1/runs/" + runId + "/log").json().get("text").asString())
        .contains("sparkgate plain: groups=7 total=499500")
        .doesNotContain("sparkgate progress:");

    // After the run: its application in the History Server the service starts on demand.
    String appId = run.at("/attempts/0/sparkAppId").asString();
    String history = URI.create(run.at("/attempts/0/historyUrl").asString()).getPath();
    assertThat(history).isEqualTo("/api/v1/spark-history/history/" + appId + "/");
    Api.Response page =
        await()
            .atMost(SPARK_RUN)
            .pollInterval(Duration.ofMillis(500))
            .until(() -> viewer.get(history + "jobs/"), r -> r.status() != 404);
    // The History Server loads an application's UI on its first request, then sends the client
    // back to the same page, within the service.
    if (page.status() == 302) {
      assertThat(page.header("Location")).startsWith(history);
      page = viewer.get(page.header("Location"));
    }
    assertThat(page.status()).as(page.raw().body()).isEqualTo(200);
    assertThat(page.raw().body())
        // Titled with the application's name, or its id while the name is not loaded yet.
        .containsAnyOf(
            "<title>sparkgate-plain-" + runId + " - Spark Jobs",
            "<title>" + appId + " - Spark Jobs")
        .contains("Completed Jobs (" + progress.at("/jobs/completed").asInt() + ")")
        .contains("href=\"/api/v1/spark-history/history/" + appId + "/stages/\"");
    assertThat(api.as(null).get(history + "jobs/").status()).isEqualTo(401);
  }

  @Test
  void aPythonJobRunsOnTheBuiltRuntime() throws Exception {
    UUID runId = submitPython("ok");
    JsonNode run = awaitState(runId, "SUCCEEDED");
    assertThat(run.at("/attempts/0/sparkAppId").asString()).startsWith("local-");
    assertThat(run.at("/attempts/0/exitCode").asInt()).isZero();
    String log = api.get("/api/v1/runs/" + runId + "/log").json().get("text").asString();
    // Its DataFrame query and the RDD map its Python workers ran, with its run's id.
    assertThat(log).contains("sparkgate python: run " + runId + " buckets=10 squares=328350");
    // The service's interpreter, for the driver and its workers, recorded with the run.
    assertThat(run.at("/sparkConf/spark.pyspark.python").asString()).isEqualTo("python3");
    assertThat(run.at("/sparkConf/spark.pyspark.driver.python").asString()).isEqualTo("python3");
    // Reported through the helper the service puts on every Python job's path, with the secret.
    assertThat(log).contains("sparkgate python: metrics accepted=True");
    assertThat(run.at("/metrics/squares").asLong()).isEqualTo(328350);
    assertThat(run.at("/metrics/buckets").asInt()).isEqualTo(10);
    assertThat(driversOf(runId)).isEmpty();
  }

  @Test
  void aPythonJobImportsFromItsPyFilesAndReadsItsArchive() throws Exception {
    // A team's packed dependencies: a module in a zip, and a data file in a tar.gz unpacked as
    // "deps" for the driver and the executors.
    Files.createDirectories(ARTIFACTS);
    Path zip = ARTIFACTS.resolve("deps.zip");
    try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new java.util.zip.ZipEntry("sparkgate_test_dep.py"));
      out.write("def greet(name):\n    return f'hello, {name}'\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    Path packed = Files.createTempDirectory("deps-archive");
    Files.writeString(packed.resolve("greeting.txt"), "packed world\n");
    Path archive = ARTIFACTS.resolve("deps.tar.gz");
    Process tar =
        new ProcessBuilder("tar", "-czf", archive.toString(), "-C", packed.toString(), ".")
            .inheritIO()
            .start();
    assertThat(tar.waitFor()).isZero();

    UUID runId =
        submitPython(
            "pydeps",
            "deps",
            ", \"pyFiles\": [\"" + zip + "\"], \"archives\": [\"" + archive + "#deps\"]");
    JsonNode run = awaitState(runId, "SUCCEEDED");
    // Recorded with the run, after the job's own conf: what spark-submit was given.
    assertThat(run.at("/sparkConf/spark.submit.pyFiles").asString()).isEqualTo(zip.toString());
    assertThat(run.at("/sparkConf/spark.archives").asString()).isEqualTo(archive + "#deps");
    String log = api.get("/api/v1/runs/" + runId + "/log").json().get("text").asString();
    assertThat(log)
        .contains("sparkgate python: driver hello, packed world, worker hello, packed world");
  }

  @Test
  void aDependencyOutsideTheArtifactLocationsIsRefused() {
    Api.Response response =
        api.put(
            "/api/v1/jobs/pyoutside",
            """
            {"type": "python", "appResource": "%s",
             "pyFiles": ["/etc/deps.zip"], "archives": ["%s#bad/name"]}
            """
                .formatted(
                    ARTIFACTS.resolve("sparkgate_python_test.py"), ARTIFACTS.resolve("a.zip")));
    assertThat(response.status()).as(response.raw().body()).isEqualTo(422);
    assertThat(response.raw().body())
        .contains("pyFiles[0]")
        .contains("archives[0]")
        .contains("the name after # must be a plain file name");
  }

  @Test
  void aPythonJobRunsOnAnInterpreterTheServiceAllowsAndOnNoOther() throws Exception {
    UUID runId = submitPython("pyother", "ok", ", \"python\": \"" + OTHER_PYTHON + "\"");
    JsonNode run = awaitState(runId, "SUCCEEDED");
    assertThat(run.at("/sparkConf/spark.pyspark.python").asString())
        .isEqualTo(OTHER_PYTHON.toString());
    String log = api.get("/api/v1/runs/" + runId + "/log").json().get("text").asString();
    assertThat(log)
        .contains("sparkgate python: driver on " + OTHER_PYTHON + ", worker on " + OTHER_PYTHON);

    Api.Response refused =
        api.put(
            "/api/v1/jobs/pyrefused",
            """
            {"type": "python", "appResource": "%s", "python": "/tmp/evil/python"}
            """
                .formatted(ARTIFACTS.resolve("sparkgate_python_test.py")));
    assertThat(refused.status()).as(refused.raw().body()).isEqualTo(422);
    assertThat(refused.raw().body()).contains("is not an interpreter this service allows");
  }

  @Test
  void aPackedInterpreterNeedsItsArchiveAndAClusterMaster() throws Exception {
    Files.createDirectories(ARTIFACTS);
    Path script = ARTIFACTS.resolve("sparkgate_python_test.py");
    Files.writeString(script, "print('never run')\n");
    Path env = ARTIFACTS.resolve("env.tar.gz");
    Files.write(env, new byte[0]);
    String definition =
        """
        {"type": "python", "appResource": "%s", "python": "./env/bin/python", "archives": %s}
        """;
    // Allowed by the service, but no archive of the job is unpacked as env.
    Api.Response noArchive =
        api.put(
            "/api/v1/jobs/packed-none", definition.formatted(script, "[\"" + env + "#other\"]"));
    assertThat(noArchive.status()).as(noArchive.raw().body()).isEqualTo(422);
    assertThat(noArchive.json().at("/errors/0/field").asString()).isEqualTo("python");
    assertThat(noArchive.json().at("/errors/0/message").asString())
        .contains("none of the job's archives is")
        .contains("#env");
    // Unpacked as env, but this service runs jobs on a local master, whose Python workers run
    // beside the driver, where no archive is unpacked.
    Api.Response local =
        api.put("/api/v1/jobs/packed-local", definition.formatted(script, "[\"" + env + "#env\"]"));
    assertThat(local.status()).as(local.raw().body()).isEqualTo(422);
    assertThat(local.json().at("/errors/0/field").asString()).isEqualTo("python");
    assertThat(local.json().at("/errors/0/message").asString())
        .contains("go to local[")
        .contains("by default")
        .contains("name a cluster \"master\"");
    assertThat(api.get("/api/v1/jobs/packed-local").status()).isEqualTo(404);
  }

  /**
   * Once the Python test job holds its driver: the driver's JVM (its command line names the run)
   * and what it started, the Python driver and the Python workers' daemon among them.
   */
  List<ProcessHandle> heldPythonProcesses(UUID runId) {
    await()
        .atMost(SPARK_RUN)
        .until(
            () -> api.get("/api/v1/runs/" + runId + "/log").json().get("text").asString(),
            log -> log.contains("sparkgate python: holding the driver"));
    List<ProcessHandle> processes =
        driversOf(runId).stream()
            .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
            .toList();
    assertThat(processes)
        .anySatisfy(p -> assertThat(p.info().command().orElse("")).contains("python"));
    return processes;
  }

  @Test
  void aPythonJobPastItsTimeoutLeavesNoDriverOrPythonProcessBehind() throws Exception {
    UUID runId = submitPython("pytimeout", "hold", ", \"timeoutSeconds\": 25");
    List<ProcessHandle> processes = heldPythonProcesses(runId);
    JsonNode run = awaitState(runId, "TIMED_OUT");
    assertThat(run.get("stateReason").asString()).isEqualTo("timed out after 25 s");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(processes).noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void aFailingPythonJobFailsWithThePythonException() throws Exception {
    UUID runId = submitPython("fail");
    JsonNode run = awaitState(runId, "FAILED");
    JsonNode attempt = run.at("/attempts/0");
    assertThat(attempt.get("exitCode").asInt()).isNotZero();
    assertThat(run.get("stateReason").asString())
        .isEqualTo(
            "driver exited with code "
                + attempt.get("exitCode").asInt()
                + ": ValueError: intentional python failure: squares=328350");
    List<String> script;
    try (var in = getClass().getResourceAsStream("/python/sparkgate_python_test.py")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    int raiseLine =
        script.indexOf("    raise ValueError(f\"intentional python failure: squares={squares}\")")
            + 1;
    assertThat(raiseLine).isPositive();
    assertThat(attempt.get("error").asString())
        .startsWith("ValueError: intentional python failure: squares=328350\n")
        .contains("sparkgate_python_test.py\", line " + raiseLine + ", in check")
        .contains("raise ValueError(f\"intentional python failure: squares={squares}\")");
  }

  @Test
  void cancellingAPythonJobLeavesNoDriverOrPythonProcessBehind() throws Exception {
    UUID runId = submitPython("hold");
    List<ProcessHandle> processes = heldPythonProcesses(runId);

    Api.Response cancel = api.post("/api/v1/runs/" + runId + "/cancel", null);
    assertThat(cancel.status()).isEqualTo(202);
    awaitState(runId, "CANCELLED");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(processes).noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void aFailingJobFailsWithExitCodeAndItsMessage() {
    UUID runId = submit("{\"date\": \"2024-03-15\", \"failWith\": \"intentional failure 42\"}");
    JsonNode run = awaitState(runId, "FAILED");
    JsonNode attempt = run.at("/attempts/0");
    assertThat(attempt.get("state").asString()).isEqualTo("FAILED");
    assertThat(attempt.get("exitCode").asInt()).isNotZero();
    assertThat(attempt.get("error").asString())
        .contains("java.lang.IllegalStateException: intentional failure 42");
    assertThat(run.get("stateReason").asString())
        .startsWith("driver exited with code " + attempt.get("exitCode").asInt())
        .contains("intentional failure 42");
  }

  @Test
  void followingTheLogFromTheQueueDeliversEachAttemptAsItIsWrittenUntilTheRunEnds()
      throws Exception {
    Api.Response job =
        api.put(
            "/api/v1/jobs/demo-retry",
            """
            {"type": "jvm", "appResource": "%s", "mainClass": "io.sparkgate.jobs.demo.DemoJob",
             "args": ["--date", "${date}", "--fail-with", "${failWith}"],
             "parameters": {"date": {"type": "date", "required": true},
                            "failWith": {"type": "string", "default": ""}},
             "retry": {"maxAttempts": 2, "backoffSeconds": 0}}
            """
                .formatted(BuiltJobs.jar()));
    assertThat(job.status()).as(job.raw().body()).isIn(200, 201);
    Api.Response submitted =
        api.post(
            "/api/v1/runs",
            "{\"job\": \"demo-retry\", \"params\": {\"date\": \"2024-03-15\","
                + " \"failWith\": \"fails every time\"}}");
    UUID runId = UUID.fromString(submitted.text("runId"));
    Instant asked = Instant.now();
    CompletableFuture<HttpResponse<String>> followed =
        HttpClient.newHttpClient()
            .sendAsync(
                HttpRequest.newBuilder(
                        URI.create(api.url("/api/v1/runs/" + runId + "/log?follow=true")))
                    .header("Authorization", "Bearer " + TestTokens.VIEWER)
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    HttpResponse<String> response = followed.get(SPARK_RUN.toSeconds(), TimeUnit.SECONDS);
    JsonNode run = api.get("/api/v1/runs/" + runId).json();
    assertThat(run.get("state").asString()).isEqualTo("FAILED");
    // Asked before any driver ran: everything below was written after the request.
    assertThat(Instant.parse(run.get("startedAt").asString())).isAfter(asked);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/plain");
    String text = response.body();
    String first =
        api.get("/api/v1/runs/" + runId + "/log?attempt=1").json().get("text").asString();
    String second =
        api.get("/api/v1/runs/" + runId + "/log?attempt=2").json().get("text").asString();
    assertThat(first).contains("IllegalStateException: fails every time");
    // Each attempt's log whole, in order, with Sparkgate's lines between them.
    assertThat(text)
        .isEqualTo(
            "[sparkgate] attempt 1 of run "
                + runId
                + "\n"
                + first
                + "\n[sparkgate] attempt 2 of run "
                + runId
                + " begins\n"
                + second
                + "\n[sparkgate] end of attempt 2 (FAILED), run FAILED\n");
  }

  @Test
  void cancellingARunningJobLeavesNoDriverBehind() throws Exception {
    UUID runId = submit("{\"date\": \"2024-03-15\", \"sleep\": 600}");
    awaitRunningDriver(runId);
    assertThat(driversOf(runId)).isNotEmpty();
    assertTheMetricsSecretIsOnlyInTheDriversEnvironment(runId);

    Api.Response cancel = api.post("/api/v1/runs/" + runId + "/cancel", null);
    assertThat(cancel.status()).isEqualTo(202);
    JsonNode run = awaitState(runId, "CANCELLED");
    assertThat(run.at("/attempts/0/state").asString()).isEqualTo("KILLED");
    await().atMost(Duration.ofSeconds(30)).until(() -> driversOf(runId).isEmpty());
  }

  @Test
  void aJobPastItsTimeoutIsStoppedAndLeavesNoDriver() {
    Api.Response response =
        api.post(
            "/api/v1/runs",
            "{\"job\": \"demo\", \"params\": {\"date\": \"2024-03-15\", \"sleep\": 600},"
                + " \"timeoutSeconds\": 20}");
    UUID runId = UUID.fromString(response.text("runId"));
    JsonNode run = awaitState(runId, "TIMED_OUT");
    assertThat(run.get("stateReason").asString()).isEqualTo("timed out after 20 s");
    await().atMost(Duration.ofSeconds(30)).until(() -> driversOf(runId).isEmpty());
  }

  @Test
  void theLogPagesByByteOffsetAndTail() throws Exception {
    UUID runId = submit("{\"date\": \"2024-03-16\", \"rows\": 100}");
    awaitState(runId, "SUCCEEDED");
    JsonNode whole = api.get("/api/v1/runs/" + runId + "/log").json();
    long size = whole.get("size").asLong();
    byte[] expected = whole.get("text").asString().getBytes(StandardCharsets.UTF_8);
    assertThat((long) expected.length).isEqualTo(size);

    StringBuilder paged = new StringBuilder();
    long offset = 0;
    int pages = 0;
    boolean complete = false;
    while (!complete) {
      JsonNode page =
          api.get("/api/v1/runs/" + runId + "/log?offset=" + offset + "&limit=4096").json();
      assertThat(page.get("offset").asLong()).isEqualTo(offset);
      paged.append(page.get("text").asString());
      offset = page.get("nextOffset").asLong();
      complete = page.get("complete").asBoolean();
      pages++;
    }
    assertThat(offset).isEqualTo(size);
    assertThat(pages).isGreaterThan(1);
    // The driver log is ASCII, so page edges never split a character.
    assertThat(paged.toString()).isEqualTo(whole.get("text").asString());

    JsonNode tail = api.get("/api/v1/runs/" + runId + "/log?tail=200").json();
    assertThat(tail.get("offset").asLong()).isEqualTo(size - 200);
    assertThat(tail.get("text").asString())
        .isEqualTo(whole.get("text").asString().substring((int) size - 200));
    Path file =
        Path.of(api.get("/api/v1/runs/" + runId).json().at("/attempts/0/instance").asString());
    assertThat(file).isNotNull();
    assertThat(
            Files.exists(
                Path.of(
                    "target/test-work/spark/runs", runId.toString(), "attempt-1", "driver.log")))
        .isTrue();
  }

  @Test
  void aDriverPrintingFarPastTheCapKeepsItsHeadAndTailWithinTheCap() throws Exception {
    long printed = 200L << 20;
    UUID runId =
        submit("{\"date\": \"2024-03-15\", \"rows\": 500, \"printBytes\": " + printed + "}");
    awaitState(runId, "SUCCEEDED");

    Path attemptDir = Path.of("target/test-work/spark/runs", runId.toString(), "attempt-1");
    Path file = attemptDir.resolve("driver.log");
    // The cap, plus the marker line.
    assertThat(Files.size(file)).isBetween(MAX_LOG_BYTES, MAX_LOG_BYTES + 200);
    assertThat(attemptDir.resolve("driver.log.tail")).doesNotExist();

    JsonNode head = api.get("/api/v1/runs/" + runId + "/log?offset=0").json();
    long dropped = head.get("droppedBytes").asLong();
    assertThat(dropped).isGreaterThanOrEqualTo(printed - MAX_LOG_BYTES);
    assertThat(head.get("size").asLong()).isEqualTo(Files.size(file));
    assertThat(head.get("complete").asBoolean()).isFalse();
    assertThat(head.get("text").asString())
        .contains("sparkgate demo: run " + runId + " for 2024-03-15 over 500 rows")
        .contains("sparkgate demo: bucket=0 n=50 total=12250")
        .doesNotContain("[sparkgate: ");

    StringBuilder rest = new StringBuilder();
    for (long offset = head.get("nextOffset").asLong(); ; ) {
      JsonNode page = api.get("/api/v1/runs/" + runId + "/log?offset=" + offset).json();
      assertThat(page.get("droppedBytes").asLong()).isEqualTo(dropped);
      rest.append(page.get("text").asString());
      offset = page.get("nextOffset").asLong();
      if (page.get("complete").asBoolean()) {
        break;
      }
    }
    String tail = rest.toString();
    // The marker starts a line of its own, after the newline it adds when the head ends mid-line.
    assertThat(tail.stripLeading())
        .startsWith("[sparkgate: " + dropped + " bytes of driver output dropped here;")
        .contains("sparkgate demo: done");
    byte[] onDisk = Files.readAllBytes(file);
    String lastLine =
        new String(onDisk, StandardCharsets.UTF_8).lines().reduce((a, b) -> b).orElseThrow();
    assertThat(tail).endsWith(lastLine + "\n");
    assertThat((head.get("text").asString() + tail).getBytes(StandardCharsets.UTF_8))
        .isEqualTo(onDisk);
  }

  @Test
  void aFailingDriverPastTheCapStillReportsTheExceptionAtItsEnd() {
    UUID runId =
        submit(
            "{\"date\": \"2024-03-15\", \"printBytes\": "
                + (50L << 20)
                + ", \"failWith\": \"failure after much output\"}");
    JsonNode run = awaitState(runId, "FAILED");
    assertThat(run.at("/attempts/0/error").asString())
        .contains("java.lang.IllegalStateException: failure after much output");
    assertThat(
            api.get("/api/v1/runs/" + runId + "/log?tail=100").json().get("droppedBytes").asLong())
        .isPositive();
  }

  /**
   * While the driver runs: its metrics secret is in its environment, which only its user can read,
   * and in no process's command line, which every local user can; it is not in the conf that
   * Spark's event log (and UI) shows either, and the job has reported its metrics with it.
   */
  void assertTheMetricsSecretIsOnlyInTheDriversEnvironment(UUID runId) throws Exception {
    String secret =
        ProcessTable.environmentVariable(driversOf(runId).get(0), LaunchSpec.METRICS_TOKEN_ENV)
            .orElseThrow();
    TestSecrets.remember(secret);
    assertThat(secret).hasSize(43);
    assertThat(ProcessTable.commandLinesContaining(secret)).isEmpty();
    JsonNode run = api.get("/api/v1/runs/" + runId).json();
    assertThat(run.at("/metrics/rows_read").asInt()).isEqualTo(1000);
    String appId = run.at("/attempts/0/sparkAppId").asString();
    // Spark 4 writes a directory of rolled files per application: eventlog_v2_<appId>/events_*.
    StringBuilder eventLog = new StringBuilder();
    try (Stream<Path> files = Files.walk(EVENT_LOGS.resolve("eventlog_v2_" + appId))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        eventLog.append(Files.readString(file));
      }
    }
    assertThat(eventLog.toString())
        .contains("SparkListenerEnvironmentUpdate", LaunchSpec.RUN_ID_CONF)
        .doesNotContain(secret, LaunchSpec.METRICS_TOKEN_ENV, "metricsToken");
  }

  void awaitRunningDriver(UUID runId) {
    await()
        .atMost(SPARK_RUN)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              Api.Response tail = api.get("/api/v1/runs/" + runId + "/log?tail=4096");
              return tail.status() == 200 && tail.text("text").contains("holding the driver");
            });
  }
}
