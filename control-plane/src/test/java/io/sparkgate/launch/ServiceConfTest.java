package io.sparkgate.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.catalog.SparkConfPolicy;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The conf Sparkgate sets itself is out of every job's and run's reach. */
class ServiceConfTest {

  static LaunchSpec spec(Map<String, String> sparkConf) {
    return new LaunchSpec(
        UUID.randomUUID(),
        1,
        "job",
        "/opt/jobs/app.jar",
        "com.example.Main",
        List.of(),
        sparkConf,
        "yarn",
        "cluster",
        Path.of("/work/runs/r/attempt-1/driver.log"),
        Path.of("/work/runs/r/attempt-1/tmp"),
        "http://127.0.0.1:8080/api/v1/runs/r/metrics",
        "secret",
        INSIGHT);
  }

  /** What SparkInsight sets with a listener jar configured and the UI on. */
  static final Map<String, String> INSIGHT =
      Map.of(
          "spark.jars",
          "/opt/sparkgate/sparkgate-listener.jar",
          "spark.plugins",
          SparkInsight.PLUGIN_CLASS,
          SparkInsight.PROGRESS_URL_CONF,
          "http://127.0.0.1:8080/api/v1/runs/r/progress",
          "spark.ui.enabled",
          "true",
          "spark.ui.port",
          "0",
          "spark.ui.killEnabled",
          "false");

  @Test
  void everyKeySparkgateSetsIsOneTheConfPolicyRefuses() {
    Set<String> keys = new HashSet<>(SparkLauncherBackend.serviceConf(spec(Map.of())).keySet());
    keys.addAll(SparkLauncherBackend.CLUSTER_SUBMIT_CONF.keySet());
    // Set through the launcher's arguments, which spark-submit prefers to these keys.
    keys.addAll(List.of("spark.app.name", "spark.master", "spark.submit.deployMode"));
    assertThat(keys)
        .contains("spark.local.dir", "spark.driver.extraJavaOptions", "spark.yarn.tags")
        .containsAll(INSIGHT.keySet())
        .allSatisfy(key -> assertThat(SparkConfPolicy.refusal(key)).as(key).isPresent());
  }

  @Test
  void sparkgatesKeysWinOverTheRunsConf() {
    Map<String, String> conf =
        SparkLauncherBackend.launchConf(
            spec(
                Map.of(
                    "spark.local.dir",
                    "/tmp/evil",
                    "spark.driver.extraJavaOptions",
                    "-javaagent:/tmp/evil.jar",
                    LaunchSpec.RUN_ID_CONF,
                    "someone-else",
                    "spark.sql.shuffle.partitions",
                    "8")));
    assertThat(conf)
        .containsEntry("spark.local.dir", "/work/runs/r/attempt-1/tmp")
        .containsEntry(
            "spark.driver.extraJavaOptions", "-Djava.io.tmpdir=/work/runs/r/attempt-1/tmp")
        .doesNotContainEntry(LaunchSpec.RUN_ID_CONF, "someone-else")
        .containsEntry("spark.sql.shuffle.partitions", "8");
  }

  @Test
  void thePluginsJarJoinsTheJobsJarsAndTheJobCannotSwitchOffTheUiOrPlugin() {
    Map<String, String> conf =
        SparkLauncherBackend.launchConf(
            spec(
                Map.of(
                    "spark.jars", "/opt/jobs/dep.jar",
                    "spark.ui.enabled", "false",
                    "spark.plugins", "com.example.Other")));
    assertThat(conf)
        .containsEntry("spark.jars", "/opt/jobs/dep.jar,/opt/sparkgate/sparkgate-listener.jar")
        .containsEntry("spark.ui.enabled", "true")
        .containsEntry("spark.plugins", SparkInsight.PLUGIN_CLASS);
    assertThat(SparkLauncherBackend.launchConf(spec(Map.of())))
        .containsEntry("spark.jars", "/opt/sparkgate/sparkgate-listener.jar");
  }

  @Test
  void theMetricsSecretIsInNoConf() {
    // It reaches the driver in its environment: conf is on command lines and in the UI.
    assertThat(SparkLauncherBackend.launchConf(spec(Map.of())))
        .containsEntry(LaunchSpec.METRICS_URL_CONF, "http://127.0.0.1:8080/api/v1/runs/r/metrics")
        .doesNotContainValue("secret");
  }

  @Test
  void thePythonHelperJoinsTheJobsPyFilesInsteadOfReplacingThem() {
    Map<String, String> conf =
        SparkLauncherBackend.launchConf(
            spec(Map.of("spark.submit.pyFiles", "/opt/jobs/deps.zip,/opt/jobs/util.py")));
    SparkLauncherBackend.addPyFile(conf, "/work/runs/r/attempt-1/tmp/sparkgate_job.py");
    assertThat(conf)
        .containsEntry(
            "spark.submit.pyFiles",
            "/opt/jobs/deps.zip,/opt/jobs/util.py,/work/runs/r/attempt-1/tmp/sparkgate_job.py");

    Map<String, String> none = SparkLauncherBackend.launchConf(spec(Map.of()));
    SparkLauncherBackend.addPyFile(none, "/work/runs/r/attempt-1/tmp/sparkgate_job.py");
    assertThat(none)
        .containsEntry("spark.submit.pyFiles", "/work/runs/r/attempt-1/tmp/sparkgate_job.py");
  }
}
