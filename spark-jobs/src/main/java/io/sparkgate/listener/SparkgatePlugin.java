package io.sparkgate.listener;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * What Sparkgate adds to every application it launches ({@code spark.plugins}), so that a job
 * reports its progress without a line of its own: on the driver, a listener that counts jobs,
 * stages, tasks, rows and bytes, and a reporter that sends those counts, the driver's UI address
 * and, when the application ends, its resource usage to the run, with the attempt's own secret.
 *
 * <p>Outside Sparkgate (no {@code spark.sparkgate.progressUrl}) it does nothing. It never fails or
 * slows the job: reports are sent from a thread of their own, and one that cannot be sent is
 * dropped.
 */
public final class SparkgatePlugin implements SparkPlugin {

  /** Where the driver reports: set by the service on each launch. */
  public static final String PROGRESS_URL_CONF = "spark.sparkgate.progressUrl";

  public static final String ATTEMPT_CONF = "spark.sparkgate.attempt";

  /** How often a changed progress is sent, in milliseconds. */
  public static final String INTERVAL_CONF = "spark.sparkgate.progressIntervalMs";

  static final String TOKEN_ENV = "SPARK_SPARKGATE_METRICS_TOKEN";

  @Override
  public DriverPlugin driverPlugin() {
    return new Driver();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return null;
  }

  private static final class Driver implements DriverPlugin {
    private ProgressReporter reporter;

    @Override
    public Map<String, String> init(SparkContext sc, PluginContext context) {
      SparkConf conf = sc.getConf();
      String url = conf.get(PROGRESS_URL_CONF, "");
      String token = System.getenv(TOKEN_ENV);
      if (url.isEmpty() || token == null || token.isBlank()) {
        return Map.of();
      }
      ProgressListener listener = new ProgressListener();
      String uiUrl = sc.uiWebUrl().isDefined() ? sc.uiWebUrl().get() : null;
      reporter =
          new ProgressReporter(
              url,
              token,
              conf.getInt(ATTEMPT_CONF, 0),
              uiUrl,
              listener,
              conf.getLong(INTERVAL_CONF, 1000));
      listener.onEnd(reporter::finish);
      sc.addSparkListener(listener);
      reporter.start();
      return Map.of();
    }

    @Override
    public void shutdown() {
      // After an end the listener has seen this sends nothing more; without one (the listener bus
      // stopped first), this is the last report.
      if (reporter != null) {
        reporter.finish();
      }
    }
  }
}
