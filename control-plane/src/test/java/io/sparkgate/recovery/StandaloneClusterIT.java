package io.sparkgate.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.launch.LaunchSpec;
import io.sparkgate.launch.OrphanDrivers;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.BuiltJobs;
import io.sparkgate.testing.ProcessTable;
import io.sparkgate.testing.ServiceProcess;
import io.sparkgate.testing.StandaloneCluster;
import io.sparkgate.testing.TestDatabase;
import io.sparkgate.testing.TestSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/** Cluster deploy mode on a real standalone master and worker started on 127.0.0.1. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneClusterIT {

  static final Duration SPARK = Duration.ofSeconds(180);

  final String db = TestDatabase.newDatabaseUrl();
  final Path work = Path.of("target/it-work/cluster-" + UUID.randomUUID()).toAbsolutePath();
  StandaloneCluster cluster;

  @BeforeAll
  void startCluster() throws Exception {
    cluster =
        StandaloneCluster.start(
            Path.of(System.getProperty("sparkgate.test.spark-home")), work.resolve("cluster"));
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  ServiceProcess service(String instance, String... extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--spring.datasource.url=" + db,
                "--spring.datasource.username=postgres",
                "--sparkgate.instance-id=" + instance,
                "--sparkgate.work-dir=" + work.resolve(instance),
                "--sparkgate.spark.home=" + System.getProperty("sparkgate.test.spark-home"),
                "--sparkgate.supervision.heartbeat-interval=1s",
                "--sparkgate.supervision.lease-time=3s",
                "--sparkgate.supervision.poll-interval=250ms",
                "--sparkgate.spark.master-ui=http://127.0.0.1:" + cluster.uiPort));
    args.addAll(List.of(extra));
    return ServiceProcess.start(work.resolve(instance + ".log"), args.toArray(String[]::new));
  }

  void register(Api api) {
    String jar = BuiltJobs.jar();
    api.put(
        "/api/v1/jobs/cluster-demo",
        """
        {"type": "jvm", "appResource": "%s", "mainClass": "io.sparkgate.jobs.demo.DemoJob",
         "args": ["--rows", "100", "--sleep-seconds", "${sleep}", "--fail-with", "${failWith}"],
         "parameters": {"sleep": {"type": "int", "default": 0},
                        "failWith": {"type": "string", "default": ""}},
         "master": "%s", "deployMode": "cluster",
         "sparkConf": {"spark.driver.memory": "512m", "spark.driver.cores": "1"}}
        """
            .formatted(jar, cluster.masterUrl()));
  }

  static UUID submit(Api api, String params) {
    return submit(api, "cluster-demo", params);
  }

  static UUID submit(Api api, String job, String params) {
    Api.Response response =
        api.post("/api/v1/runs", "{\"job\": \"" + job + "\", \"params\": " + params + "}");
    assertThat(response.status()).as(response.raw().body()).isEqualTo(201);
    return UUID.fromString(response.text("runId"));
  }

  /** The PySpark test job's script, copied into {@code directory}. */
  Path pythonTestScript(Path directory) throws Exception {
    Path script = directory.resolve("sparkgate_python_test.py");
    Files.createDirectories(directory);
    try (var in = getClass().getResourceAsStream("/python/sparkgate_python_test.py")) {
      Files.copy(in, script);
    }
    return script;
  }

  static JsonNode awaitState(Api api, UUID runId, String state) {
    await()
        .atMost(SPARK)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> api.get("/api/v1/runs/" + runId).text("state"),
            s -> s.equals(state) || s.matches("SUCCEEDED|FAILED|CANCELLED|TIMED_OUT"));
    JsonNode run = api.get("/api/v1/runs/" + runId).json();
    assertThat(run.get("state").asString()).as(run.toString()).isEqualTo(state);
    return run;
  }

  @Test
  void clusterRunsSucceedFailAndCancelWithoutAJvmOfOursPerRun() throws Exception {
    try (ServiceProcess service = service("single")) {
      Api api = service.api();
      register(api);

      UUID ok = submit(api, "{\"sleep\": 8}");
      awaitState(api, ok, "RUNNING");
      // The driver's own output, copied from its worker while it runs.
      JsonNode live =
          await()
              .atMost(SPARK)
              .pollInterval(Duration.ofMillis(250))
              .until(
                  () -> api.get("/api/v1/runs/" + ok + "/log").json(),
                  l -> l.get("text").asString().contains("sparkgate demo: holding the driver"));
      assertThat(live.get("complete").asBoolean()).isFalse();
      assertThat(api.get("/api/v1/runs/" + ok).text("state")).isEqualTo("RUNNING");
      // The driver runs under the worker; the service keeps no process for it.
      assertThat(OrphanDrivers.find(ok)).isNotEmpty();
      assertThat(ProcessHandle.of(service.pid()).orElseThrow().descendants())
          .noneMatch(p -> p.info().commandLine().orElse("").contains(ok.toString()));
      JsonNode succeeded = awaitState(api, ok, "SUCCEEDED");
      String driverId = succeeded.at("/attempts/0/driverId").asString();
      assertThat(driverId).startsWith("driver-");
      assertThat(cluster.driverState(driverId)).isEqualTo("FINISHED");
      // Reported from the driver on the worker, with the run's own secret.
      assertThat(succeeded.at("/metrics/rows_read").asInt()).isEqualTo(100);
      // Kept by the service once it has ended: the submission, then the driver's whole output.
      JsonNode kept = api.get("/api/v1/runs/" + ok + "/log").json();
      assertThat(kept.get("complete").asBoolean()).isTrue();
      assertThat(kept.get("text").asString())
          .contains(driverId, "runs on a worker", "SparkContext: Running Spark version")
          .contains("sparkgate demo: holding the driver", "sparkgate demo: done");

      UUID failing = submit(api, "{\"failWith\": \"cluster failure\"}");
      JsonNode failed = awaitState(api, failing, "FAILED");
      assertThat(failed.at("/attempts/0/state").asString()).isEqualTo("FAILED");
      // Its reason comes from the driver's own log, fetched from the worker.
      assertThat(failed.get("stateReason").asString())
          .contains("java.lang.IllegalStateException: cluster failure");
      assertThat(api.get("/api/v1/runs/" + failing + "/log").json().get("text").asString())
          .contains("java.lang.IllegalStateException: cluster failure");

      UUID cancelled = submit(api, "{\"sleep\": 600}");
      awaitState(api, cancelled, "RUNNING");
      // The worker started the driver with its metrics secret in the environment, which the
      // submission carried there; no command line on this host holds it.
      String secret =
          ProcessTable.environmentVariable(
                  OrphanDrivers.find(cancelled).get(0), LaunchSpec.METRICS_TOKEN_ENV)
              .orElseThrow();
      TestSecrets.remember(secret);
      assertThat(secret).hasSize(43);
      assertThat(ProcessTable.commandLinesContaining(secret)).isEmpty();
      api.post("/api/v1/runs/" + cancelled + "/cancel", null);
      JsonNode run = awaitState(api, cancelled, "CANCELLED");
      assertThat(cluster.driverState(run.at("/attempts/0/driverId").asString()))
          .isEqualTo("KILLED");
      await().atMost(Duration.ofSeconds(30)).until(() -> OrphanDrivers.find(cancelled).isEmpty());

      Api.Response slow =
          api.post(
              "/api/v1/runs",
              "{\"job\": \"cluster-demo\", \"params\": {\"sleep\": 600}, \"timeoutSeconds\": 25}");
      UUID timedOut = UUID.fromString(slow.text("runId"));
      JsonNode expired = awaitState(api, timedOut, "TIMED_OUT");
      assertThat(cluster.driverState(expired.at("/attempts/0/driverId").asString()))
          .isEqualTo("KILLED");
      await().atMost(Duration.ofSeconds(30)).until(() -> OrphanDrivers.find(timedOut).isEmpty());
    }
  }

  @Test
  void aPythonJobRunsInClientModeWithItsExecutorsOnTheWorkerAndClusterModeIsRefused()
      throws Exception {
    Path script = pythonTestScript(work.resolve("artifacts"));
    String artifacts = "--sparkgate.catalog.artifact-locations=" + script.getParent();
    String definition =
        """
        {"type": "python", "appResource": "%s", "args": ["ok"], %s
         "sparkConf": {"spark.executor.memory": "512m", "spark.cores.max": "1"}}
        """;
    // Registered while the service ran jobs in local mode, and left to its defaults.
    try (ServiceProcess local = service("python-local", artifacts)) {
      Api.Response registered =
          local.api().put("/api/v1/jobs/was-local-python", definition.formatted(script, ""));
      assertThat(registered.status()).as(registered.raw().body()).isEqualTo(201);
    }
    // Cluster deploy mode by default on the master's REST server, client mode at its RPC port,
    // as the compose stack runs.
    try (ServiceProcess service =
        service(
            "python",
            artifacts,
            "--sparkgate.spark.master=" + cluster.masterUrl(),
            "--sparkgate.spark.deploy-mode=cluster",
            "--sparkgate.spark.client-master=" + cluster.clientMasterUrl())) {
      Api api = service.api();
      // Left to the service's defaults, it would go to the standalone master in cluster mode,
      // which Spark refuses for Python: said at registration, not by a failed run.
      Api.Response refused =
          api.put("/api/v1/jobs/cluster-python", definition.formatted(script, ""));
      assertThat(refused.status()).as(refused.raw().body()).isEqualTo(422);
      assertThat(refused.json().at("/errors/0/field").asString()).isEqualTo("deployMode");
      assertThat(refused.json().at("/errors/0/message").asString())
          .contains("by default")
          .contains("client mode only");
      // And what was registered before is refused at submit, before anything is launched.
      Api.Response stale =
          api.post("/api/v1/runs", "{\"job\": \"was-local-python\", \"params\": {}}");
      assertThat(stale.status()).as(stale.raw().body()).isEqualTo(422);
      assertThat(stale.json().at("/errors/0/field").asString()).isEqualTo("deployMode");
      assertThat(api.get("/api/v1/runs?job=was-local-python").json().get("runs")).isEmpty();

      // Client mode named, the master left to the service: its client-mode master (the RPC port).
      Api.Response registered =
          api.put(
              "/api/v1/jobs/client-python",
              definition.formatted(script, "\"deployMode\": \"client\","));
      assertThat(registered.status()).as(registered.raw().body()).isEqualTo(201);
      UUID runId = submit(api, "client-python", "{}");
      JsonNode run = awaitState(api, runId, "SUCCEEDED");

      // An application of the standalone master, whose executor ran on the worker (Python
      // workers included: the job's RDD map runs there), and metrics from the driver here.
      String appId = run.at("/attempts/0/sparkAppId").asString();
      assertThat(appId).startsWith("app-");
      assertThat(work.resolve("cluster/work").resolve(appId)).isDirectory();
      assertThat(run.at("/metrics/squares").asInt()).isEqualTo(328350);
      assertThat(api.get("/api/v1/runs/" + runId + "/log").json().get("text").asString())
          .contains("sparkgate python: run " + runId + " buckets=10 squares=328350");
    }
  }

  @Test
  void aPythonJobRunsItsWorkersOnAPackedEnvironmentFromItsArchive() throws Exception {
    Path artifacts = work.resolve("packed-artifacts");
    Path script = pythonTestScript(artifacts);
    // A team's environment, packed whole: a virtual environment with a module only it has, as
    // venv-pack would give (this one is made from python3 here, so it runs on this machine).
    Path env = work.resolve("packed-env");
    run("python3", "-m", "venv", "--without-pip", env.toString());
    Path sitePackages;
    try (var lib = Files.list(env.resolve("lib"))) {
      sitePackages = lib.findFirst().orElseThrow().resolve("site-packages");
    }
    Files.writeString(sitePackages.resolve("sparkgate_packed_dep.py"), "WHERE = 'packed'\n");
    Path archive = artifacts.resolve("env.tar.gz");
    run("tar", "-czf", archive.toString(), "-C", env.toString(), ".");

    try (ServiceProcess service =
        service(
            "packed",
            "--sparkgate.catalog.artifact-locations=" + artifacts,
            "--sparkgate.spark.master=" + cluster.clientMasterUrl(),
            "--sparkgate.spark.deploy-mode=client",
            "--sparkgate.spark.allowed-pythons=./env/bin/python")) {
      Api api = service.api();
      Api.Response registered =
          api.put(
              "/api/v1/jobs/packed-python",
              """
              {"type": "python", "appResource": "%s", "args": ["packed"],
               "archives": ["%s#env"], "python": "./env/bin/python",
               "sparkConf": {"spark.executor.memory": "512m", "spark.cores.max": "1"}}
              """
                  .formatted(script, archive));
      assertThat(registered.status()).as(registered.raw().body()).isEqualTo(201);
      UUID runId = submit(api, "packed-python", "{}");
      JsonNode run = awaitState(api, runId, "SUCCEEDED");

      // The workers ran on the archive's interpreter, unpacked as env in the executor's working
      // directory on the worker, and imported from it; the driver here ran on the service's.
      assertThat(run.at("/sparkConf/spark.pyspark.python").asString())
          .isEqualTo("./env/bin/python");
      assertThat(run.at("/sparkConf/spark.pyspark.driver.python").asString()).isEqualTo("python3");
      String log = api.get("/api/v1/runs/" + runId + "/log").json().get("text").asString();
      assertThat(log).contains("sparkgate python: worker in env packed");
      String appId = run.at("/attempts/0/sparkAppId").asString();
      try (var executors = Files.list(work.resolve("cluster/work").resolve(appId))) {
        assertThat(executors.map(dir -> dir.resolve("env/bin/python")))
            .anySatisfy(python -> assertThat(python).exists());
      }
    }
  }

  static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).inheritIO().start();
    assertThat(process.waitFor()).as(String.join(" ", command)).isZero();
  }

  @Test
  void aRestartWithTheSameInstanceIdReattachesItsClusterDriver() throws Exception {
    UUID runId;
    try (ServiceProcess first = service("first")) {
      Api api = first.api();
      register(api);
      runId = submit(api, "{\"sleep\": 20}");
      awaitState(api, runId, "RUNNING");
      first.kill9();
    }
    // The driver keeps running on the cluster while no instance watches it.
    assertThat(OrphanDrivers.find(runId)).isNotEmpty();
    try (ServiceProcess again = service("first")) {
      Api api = again.api();
      JsonNode run = awaitState(api, runId, "SUCCEEDED");
      assertThat(run.get("attempts")).hasSize(1);
      assertThat(run.at("/attempts/0/state").asString()).isEqualTo("SUCCEEDED");
      assertThat(api.get("/api/v1/runs/" + runId + "/events").json().findValuesAsString("reason"))
          .contains("driver re-attached by instance first after a restart");
    }
  }

  @Test
  void aFullInstanceAdoptsTheClusterDriverOfADeadOneAndNothingRunsTwice() throws Exception {
    try (ServiceProcess owner = service("owner", "--sparkgate.runs.max-concurrent=1")) {
      Api api = owner.api();
      register(api);
      UUID adopted = submit(api, "{\"sleep\": 25}");
      awaitState(api, adopted, "RUNNING");
      try (ServiceProcess full = service("full", "--sparkgate.runs.max-concurrent=1")) {
        // The owner is full, so the other instance claims this one and is full itself.
        UUID second = submit(full.api(), "{\"sleep\": 0}");
        await()
            .atMost(SPARK)
            .until(
                () ->
                    "full"
                        .equals(
                            full.api()
                                .get("/api/v1/runs/" + second)
                                .json()
                                .at("/attempts/0/instance")
                                .asString("")));
        owner.kill9();
        JsonNode run = awaitState(full.api(), adopted, "SUCCEEDED");
        assertThat(run.get("attempts")).hasSize(1);
        assertThat(run.at("/attempts/0/state").asString()).isEqualTo("SUCCEEDED");
        assertThat(
                full.api()
                    .get("/api/v1/runs/" + adopted + "/events")
                    .json()
                    .findValuesAsString("reason"))
            .contains("driver adopted from instance owner");
        JsonNode other = awaitState(full.api(), second, "SUCCEEDED");
        assertThat(other.get("attempts")).hasSize(1);
        // One driver per attempt, on the master's own books too.
        assertThat(cluster.driverState(run.at("/attempts/0/driverId").asString()))
            .isEqualTo("FINISHED");
      }
    }
  }
}
