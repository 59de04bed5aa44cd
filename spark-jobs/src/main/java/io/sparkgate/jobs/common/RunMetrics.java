package io.sparkgate.jobs.common;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Reports what a job did (rows read and written, data-quality results) to its Sparkgate run. The
 * service passes the address in the Spark conf ({@code spark.sparkgate.metricsUrl}) and a secret
 * that only this run holds in the driver's environment ({@code SPARK_SPARKGATE_METRICS_TOKEN}),
 * never on a command line or in the conf that Spark's UI and event log show. That reaches the
 * driver in client and local mode and in standalone cluster mode; on YARN or Kubernetes in cluster
 * mode the driver does not inherit spark-submit's environment and reports nothing. Outside
 * Sparkgate the metrics are only printed.
 */
public final class RunMetrics {

  private static final String TOKEN_ENV = "SPARK_SPARKGATE_METRICS_TOKEN";

  /**
   * Where earlier Sparkgate versions put the secret. Read only when the environment has none, so
   * that a job built with this class still reports when an instance of an earlier version launched
   * it (during a rolling upgrade of several instances); clients cannot set spark.sparkgate.* keys,
   * so this opens no other way in. Remove once no earlier instance is left.
   */
  private static final String LEGACY_TOKEN_CONF = "spark.sparkgate.metricsToken";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private RunMetrics() {}

  public static void report(SparkSession spark, Map<String, Object> metrics) {
    String json = Json.write(metrics);
    System.out.println("sparkgate metrics: " + json);
    String url = spark.conf().get("spark.sparkgate.metricsUrl", "");
    String token = System.getenv(TOKEN_ENV);
    if (token == null || token.isBlank()) {
      token = spark.conf().get(LEGACY_TOKEN_CONF, "");
    }
    if (url.isEmpty()) {
      return;
    }
    if (token.isEmpty()) {
      System.err.println(
          "sparkgate metrics: not reported, the driver has no "
              + TOKEN_ENV
              + " (YARN and Kubernetes cluster mode do not pass it on)");
      return;
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    // Metrics are worth a retry but never worth failing the job over.
    for (int attempt = 1; attempt <= 3; attempt++) {
      try {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() < 300) {
          return;
        }
        System.err.println(
            "sparkgate metrics: rejected with " + response.statusCode() + ": " + response.body());
        if (response.statusCode() < 500) {
          return;
        }
      } catch (java.io.IOException e) {
        System.err.println("sparkgate metrics: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
