package io.sparkgate.launch;

import io.sparkgate.config.SparkHome;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.support.LoopbackPorts;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The conf that lets Sparkgate see inside each application it launches, whatever the job's code:
 * Sparkgate's plugin, which reports progress, resource usage and the UI's address to the run, and
 * Spark's web UI on a free port without its kill buttons (the service proxies it to viewers), and
 * an event log of every attempt, compressed and rolled over, for the History Server.
 *
 * <p>The plugin must be on the driver's class path: the runtime this repository builds has it in
 * {@code jars/}; another Spark home gets it through {@code sparkgate.spark.listener-jar}. A
 * cluster-mode driver runs on the cluster's own Spark installation, so it gets the plugin only
 * through that setting: naming a class its class path lacks would fail the application.
 */
@Component
public class SparkInsight {

  private static final Logger log = LoggerFactory.getLogger(SparkInsight.class);

  static final String PLUGIN_CLASS = "io.sparkgate.listener.SparkgatePlugin";

  /** Where the build puts the plugin in the runtime it assembles. */
  static final String RUNTIME_PLUGIN_JAR = "jars/sparkgate-listener.jar";

  public static final String PROGRESS_URL_CONF = "spark.sparkgate.progressUrl";

  public static final String EVENT_LOG_DIR_CONF = "spark.eventLog.dir";

  public static final String UI_PORT_CONF = "spark.ui.port";

  private final SparkgateProperties.Spark settings;
  private final SparkgateProperties.History history;
  private final Optional<URI> eventLogs;
  private final boolean runtimeHasPlugin;

  public SparkInsight(SparkgateProperties properties, SparkHome home) {
    this.settings = properties.spark();
    this.history = properties.history();
    this.eventLogs = history.eventLogUri(properties.workDir());
    // Spark refuses to start an application whose event-log directory does not exist.
    history
        .localEventLogDir(properties.workDir())
        .ifPresent(
            dir -> {
              try {
                Files.createDirectories(dir);
              } catch (IOException e) {
                log.warn("Cannot create the event-log directory {}: {}", dir, e.toString());
              }
            });
    this.runtimeHasPlugin =
        home.path().map(h -> Files.isRegularFile(h.resolve(RUNTIME_PLUGIN_JAR))).orElse(false);
    if (settings.progress() && !runtimeHasPlugin && settings.listenerJar().isBlank()) {
      log.warn(
          "The Spark home has no {}: runs will report no progress or resource usage unless"
              + " sparkgate.spark.listener-jar names the plugin's jar",
          RUNTIME_PLUGIN_JAR);
    }
  }

  private static int freeLoopbackPort() {
    try {
      return LoopbackPorts.free();
    } catch (IOException e) {
      // Spark picks one itself; the driver's report of it is then not believed (no UI link).
      return 0;
    }
  }

  /** Sparkgate's insight conf for one attempt, reporting to {@code progressUrl}. */
  public Map<String, String> conf(String deployMode, String progressUrl) {
    boolean cluster = "cluster".equals(deployMode);
    Map<String, String> conf = new LinkedHashMap<>();
    if (settings.progress()) {
      boolean plugin = false;
      if (!settings.listenerJar().isBlank()) {
        conf.put("spark.jars", settings.listenerJar());
        plugin = true;
      } else if (runtimeHasPlugin && !cluster) {
        plugin = true;
      }
      if (plugin) {
        conf.put("spark.plugins", PLUGIN_CLASS);
        conf.put(PROGRESS_URL_CONF, progressUrl);
      }
    }
    if (!cluster) {
      conf.put("spark.ui.enabled", Boolean.toString(settings.ui()));
      if (settings.ui()) {
        // A free port of the service's choosing (Spark tries the next ones if it is taken
        // meanwhile): the UI address a driver reports is only believed near it, so that no job
        // can point the service's proxy at another port of this host.
        conf.put(UI_PORT_CONF, Integer.toString(freeLoopbackPort()));
        // Viewers see the UI through the service; stopping a run is a cancel, with its record.
        conf.put("spark.ui.killEnabled", "false");
      }
    }
    // A cluster-mode driver runs on another host, where the default directory (in this service's
    // work directory) need not exist, and Spark refuses to start without it: there only a
    // directory or URI configured for all of them.
    Optional<URI> eventLogDir =
        cluster && history.eventLogDir().isBlank() ? Optional.empty() : eventLogs;
    eventLogDir.ifPresent(
        dir -> {
          conf.put("spark.eventLog.enabled", "true");
          conf.put(EVENT_LOG_DIR_CONF, dir.toString());
          conf.put("spark.eventLog.compress", Boolean.toString(history.compress()));
          conf.put("spark.eventLog.rolling.enabled", "true");
          // Local drivers are named local-<milliseconds>: two starting in the same millisecond
          // share a name, and Spark refuses to start the second when the first one's event log is
          // there. Losing the first one's history beats failing a healthy run.
          conf.put("spark.eventLog.overwrite", "true");
          conf.put(
              "spark.eventLog.rolling.maxFileSize",
              history.rollingMaxFileSize().toMegabytes() + "m");
        });
    return conf;
  }
}
