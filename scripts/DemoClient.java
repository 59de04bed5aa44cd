/*
 * Runs the demo job through the Sparkgate API and shows what happened: the run, its state changes
 * as they come, and the end of its driver log. A single-file Java program (java DemoClient.java),
 * so the demo needs nothing but the JDK the service already needs.
 *
 * Arguments: BASE_URL JOBS_JAR [DATE]
 */
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class DemoClient {

  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Pattern EVENT =
      Pattern.compile(
          "\"at\":\"([^\"]*)\",\"from\":(null|\"[A-Z_]+\"),\"to\":\"([A-Z_]+)\",\"reason\":(null|\"(?:[^\"\\\\]|\\\\.)*\")");

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String jar = Path.of(args[1]).toAbsolutePath().normalize().toString();
    String date = args.length > 2 ? args[2] : "2024-03-15";

    String job =
        """
        {"description": "Sparkgate demo: a small Spark SQL aggregation", "type": "jvm",
         "appResource": "%s", "mainClass": "io.sparkgate.jobs.demo.DemoJob",
         "args": ["--date", "${date}", "--rows", "${rows}"],
         "parameters": {"date": {"type": "date", "required": true},
                        "rows": {"type": "int", "default": 100000, "min": 1, "max": 100000000}},
         "sparkConf": {"spark.sql.shuffle.partitions": "4"},
         "allowedSparkConf": ["spark.sql.shuffle.partitions"],
         "timeoutSeconds": 600}
        """
            .formatted(jar.replace("\\", "\\\\"));
    HttpResponse<String> registered = send("PUT", base + "/api/v1/jobs/demo", job, null);
    System.out.println("PUT /api/v1/jobs/demo -> " + registered.statusCode() + " (version "
        + field(registered.body(), "version") + ")");

    String key = "demo-" + date;
    HttpResponse<String> submitted =
        send("POST", base + "/api/v1/runs",
            "{\"job\": \"demo\", \"params\": {\"date\": \"" + date + "\"}, \"labels\": {\"source\": \"demo\"}}",
            key);
    String runId = field(submitted.body(), "runId");
    System.out.println("POST /api/v1/runs (Idempotency-Key: " + key + ") -> " + submitted.statusCode()
        + submitted.headers().firstValue("Idempotent-Replayed").map(v -> " replayed").orElse("")
        + ", run " + runId);
    if (submitted.statusCode() >= 300) {
      System.out.println(submitted.body());
      System.exit(1);
    }

    System.out.println("\nState changes:");
    int shown = 0;
    String state;
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    while (true) {
      String events = send("GET", base + "/api/v1/runs/" + runId + "/events", null, null).body();
      Matcher m = EVENT.matcher(events);
      int index = 0;
      while (m.find()) {
        if (index++ >= shown) {
          System.out.printf("  %s  %-9s -> %-9s  %s%n", m.group(1),
              m.group(2).equals("null") ? "" : m.group(2).replace("\"", ""), m.group(3),
              m.group(4).equals("null") ? "" : m.group(4).substring(1, m.group(4).length() - 1));
          shown++;
        }
      }
      state = field(send("GET", base + "/api/v1/runs/" + runId, null, null).body(), "state");
      if (state.matches("SUCCEEDED|FAILED|CANCELLED|TIMED_OUT") || Instant.now().isAfter(deadline)) {
        break;
      }
      Thread.sleep(500);
    }

    System.out.println("\nThe run (GET /api/v1/runs/" + runId + "):");
    System.out.println(send("GET", base + "/api/v1/runs/" + runId, null, null).body());

    HttpRequest logRequest =
        authorized(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + runId + "/log?tail=1500")))
            .header("Accept", "text/plain").build();
    System.out.println("\nEnd of the driver log (GET /api/v1/runs/" + runId + "/log?tail=1500):");
    System.out.println(HTTP.send(logRequest, HttpResponse.BodyHandlers.ofString()).body());
    System.out.println("Run " + runId + " ended " + state + ".");
    System.exit(state.equals("SUCCEEDED") ? 0 : 1);
  }

  static HttpResponse<String> send(String method, String url, String body, String key) throws Exception {
    HttpRequest.Builder request = authorized(HttpRequest.newBuilder(URI.create(url)))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The API token from SPARKGATE_TOKEN, as an Authorization header on the request. */
  static HttpRequest.Builder authorized(HttpRequest.Builder request) {
    String token = System.getenv("SPARKGATE_TOKEN");
    return token == null || token.isBlank() ? request : request.header("Authorization", "Bearer " + token.strip());
  }

  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)").matcher(json);
    return m.find() ? m.group(1) : "";
  }
}
