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
 * service passes the address and a secret that only this run holds in the Spark conf ({@code
 * spark.sparkgate.metricsUrl}, {@code spark.sparkgate.metricsToken}); it works wherever the driver
 * runs, including cluster deploy mode. Outside Sparkgate the metrics are only printed.
 */
public final class RunMetrics {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private RunMetrics() {}

  public static void report(SparkSession spark, Map<String, Object> metrics) {
    String json = Json.write(metrics);
    System.out.println("sparkgate metrics: " + json);
    String url = spark.conf().get("spark.sparkgate.metricsUrl", "");
    String token = spark.conf().get("spark.sparkgate.metricsToken", "");
    if (url.isEmpty() || token.isEmpty()) {
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
