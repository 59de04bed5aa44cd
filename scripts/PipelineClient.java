/*
 * Runs the market-data pipeline for one date through the Sparkgate API: ingest, curate, adjust,
 * analytics, quality and the PySpark regime report, one after the other, each with an idempotency
 * key, and prints what each run reported. A single-file Java program: java PipelineClient.java BASE_URL DATE [UNIVERSE]
 */
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class PipelineClient {

  static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String date = args[1];
    String universe = args.length > 2 ? args[2] : "20";
    String[][] stages = {
      {"market-ingest", "\"universe\": " + universe},
      {"market-curate", null},
      {"market-adjust", null},
      {"market-analytics", null},
      {"market-quality", "\"universe\": " + universe},
      {"market-regimes", null}
    };
    for (String[] stage : stages) {
      String params = "\"date\": \"" + date + "\"" + (stage[1] == null ? "" : ", " + stage[1]);
      HttpRequest submit = authorized(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs")))
          .header("Content-Type", "application/json")
          .header("Idempotency-Key", "pipeline-demo/" + date + "/" + stage[0])
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"job\": \"" + stage[0] + "\", \"params\": {" + params + "}}"))
          .build();
      HttpResponse<String> response = HTTP.send(submit, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() >= 300) {
        System.out.println(stage[0] + ": " + response.statusCode() + " " + response.body());
        System.exit(1);
      }
      String runId = field(response.body(), "runId");
      String run;
      String state;
      do {
        Thread.sleep(500);
        run = HTTP.send(authorized(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + runId))).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        state = field(run, "state");
      } while (!state.matches("SUCCEEDED|FAILED|CANCELLED|TIMED_OUT"));
      System.out.printf("%-17s %-9s run %s%n", stage[0], state, runId);
      int metrics = run.indexOf("\"metrics\":");
      System.out.println("                  metrics " + run.substring(metrics + 10, run.length() - 1));
      if (!state.equals("SUCCEEDED")) {
        System.out.println("                  reason  " + field(run, "stateReason"));
        System.exit(1);
      }
    }
    System.out.println("\nThe pipeline's output for " + date
        + " is under the service's data directory (<work-dir>/data): curated/, adjusted/,"
        + " analytics/, quality/ and reports/regimes/.");
  }

  /** The API token from SPARKGATE_TOKEN, as an Authorization header on the request. */
  static HttpRequest.Builder authorized(HttpRequest.Builder request) {
    String token = System.getenv("SPARKGATE_TOKEN");
    return token == null || token.isBlank() ? request : request.header("Authorization", "Bearer " + token.strip());
  }

  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"?((?:[^\"\\\\]|\\\\.)*?)\"?[,}]").matcher(json);
    return m.find() ? m.group(1) : "";
  }
}
