package io.sparkgate.launch;

import io.sparkgate.catalog.ArgTemplate;
import io.sparkgate.catalog.JobDefinition;
import io.sparkgate.config.PublicUrl;
import io.sparkgate.config.SparkgateProperties;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Assembles what a backend needs to start one attempt: the job version's definition with the run's
 * bound parameters and effective conf, the service's defaults for master and deploy mode, and the
 * attempt's own directory, log file and metrics secret.
 */
@Component
public class LaunchSpecs {

  private final SparkgateProperties properties;
  private final PublicUrl publicUrl;
  private final SparkInsight insight;

  public LaunchSpecs(SparkgateProperties properties, PublicUrl publicUrl, SparkInsight insight) {
    this.properties = properties;
    this.publicUrl = publicUrl;
    this.insight = insight;
  }

  /** The run directory of one attempt: driver log and scratch space. */
  public Path attemptDir(UUID runId, int attempt) {
    return properties
        .workDir()
        .resolve("runs")
        .resolve(runId.toString())
        .resolve("attempt-" + attempt)
        .toAbsolutePath();
  }

  public LaunchSpec assemble(
      UUID runId,
      int attempt,
      String job,
      JobDefinition definition,
      Map<String, Object> params,
      Map<String, String> sparkConf,
      String metricsToken) {
    Path dir = attemptDir(runId, attempt);
    String deployMode = properties.spark().deployModeOf(definition.deployMode());
    String master = properties.spark().masterOf(definition.master(), deployMode);
    return new LaunchSpec(
        runId,
        attempt,
        job,
        definition.appResource(),
        definition.mainClass(),
        ArgTemplate.render(definition.argsOrEmpty(), params),
        sparkConf,
        master,
        deployMode,
        dir.resolve("driver.log"),
        dir.resolve("tmp"),
        publicUrl.resolve("/api/v1/runs/" + runId + "/metrics"),
        metricsToken,
        insight.conf(deployMode, publicUrl.resolve("/api/v1/runs/" + runId + "/progress")));
  }
}
