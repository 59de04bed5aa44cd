/*
 * Wall time of a trivial Spark job run directly with bin/spark-submit, next to the same job run
 * through a running Sparkgate service (submit -> SUCCEEDED, observed by the client polling every
 * 50 ms, and as recorded by the service from createdAt to finishedAt). Runs are sequential, the
 * two paths taking turns so that both get the same machine; a first round of each is not counted.
 *
 * Usage: java bench/TrivialJobBench.java BASE_URL SPARK_HOME JOBS_JAR RUNS
 */
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class TrivialJobBench {

  static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    String base = args[0];
    Path sparkHome = Path.of(args[1]).toAbsolutePath();
    String jar = Path.of(args[2]).toAbsolutePath().normalize().toString();
    int runs = Integer.parseInt(args[3]);

    send("PUT", base + "/api/v1/jobs/bench-trivial", """
        {"type": "jvm", "appResource": "%s", "mainClass": "io.sparkgate.jobs.demo.DemoJob",
         "args": ["--date", "${date}", "--rows", "1000"], "master": "local[2]",
         "parameters": {"date": {"type": "date", "required": true}}}
        """.formatted(jar));
    List<Double> direct = new ArrayList<>();
    List<Double> client = new ArrayList<>();
    List<Double> server = new ArrayList<>();
    // Where a run's time goes, from its recorded events: claimed, driver up, ended, seen.
    List<Double> claim = new ArrayList<>();
    List<Double> launch = new ArrayList<>();
    List<Double> running = new ArrayList<>();
    List<Double> seen = new ArrayList<>();
    // The two paths take turns, so that a drift of the machine's speed weighs on both alike; the
    // first round of each (cold caches, the service's JIT) is not counted.
    for (int i = 0; i <= runs; i++) {
      boolean counted = i > 0;
      long start = System.nanoTime();
      Process p = new ProcessBuilder(sparkHome.resolve("bin/spark-submit").toString(),
              "--master", "local[2]", "--class", "io.sparkgate.jobs.demo.DemoJob", jar,
              "--date", "2024-03-15", "--rows", "1000")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      int code = p.waitFor();
      if (counted) direct.add((System.nanoTime() - start) / 1e9);
      if (code != 0) throw new IllegalStateException("spark-submit exited " + code);

      start = System.nanoTime();
      String run = send("POST", base + "/api/v1/runs",
          "{\"job\": \"bench-trivial\", \"params\": {\"date\": \"2024-03-15\"}}").body();
      String id = field(run, "runId");
      String state;
      do {
        Thread.sleep(50);
        run = send("GET", base + "/api/v1/runs/" + id, null).body();
        state = field(run, "state");
      } while (!state.matches("SUCCEEDED|FAILED|CANCELLED|TIMED_OUT"));
      long seenAt = System.currentTimeMillis();
      double observed = (System.nanoTime() - start) / 1e9;
      if (!state.equals("SUCCEEDED")) throw new IllegalStateException("run " + id + " " + state);
      if (!counted) continue;
      client.add(observed);
      String events = send("GET", base + "/api/v1/runs/" + id + "/events", null).body();
      Instant created = Instant.parse(field(run, "createdAt"));
      Instant launching = eventAt(events, "LAUNCHING");
      Instant up = eventAt(events, "RUNNING");
      Instant ended = eventAt(events, "SUCCEEDED");
      claim.add(seconds(created, launching));
      launch.add(seconds(launching, up));
      running.add(seconds(up, ended));
      seen.add((seenAt - ended.toEpochMilli()) / 1e3);
      server.add(Duration.between(Instant.parse(field(run, "createdAt")),
          Instant.parse(field(run, "finishedAt"))).toMillis() / 1e3);
    }
    System.out.println("| path | runs | median s | min s | max s |");
    System.out.println("| --- | --- | --- | --- | --- |");
    row("bin/spark-submit directly", direct);
    row("through Sparkgate, client submit to SUCCEEDED seen", client);
    row("through Sparkgate, createdAt to finishedAt", server);
    System.out.printf("%nratio of medians (client-observed / direct): %.2f%n",
        median(client) / median(direct));
    System.out.println();
    System.out.println("| phase of a run through Sparkgate (its events) | median s | min s | max s |");
    System.out.println("| --- | --- | --- | --- |");
    row("submitted to claimed (LAUNCHING)", claim, false);
    row("LAUNCHING to RUNNING (spark-submit, driver JVM, SparkContext)", launch, false);
    row("RUNNING to SUCCEEDED recorded (the job, the driver's exit)", running, false);
    row("SUCCEEDED recorded to seen by the client (50 ms polls)", seen, false);
  }

  static void row(String name, List<Double> values) {
    row(name, values, true);
  }

  static void row(String name, List<Double> values, boolean withCount) {
    System.out.printf("| %s |%s %.2f | %.2f | %.2f |%n", name,
        withCount ? " " + values.size() + " |" : "", median(values), Collections.min(values),
        Collections.max(values));
  }

  static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1e3;
  }

  /** When the run's events (a JSON list, oldest first) first record the state. */
  static Instant eventAt(String events, String state) {
    Matcher m = Pattern.compile("\\{\"at\":\"([^\"]+)\"[^}]*\"to\":\"" + state + "\"").matcher(events);
    if (!m.find()) throw new IllegalStateException("no event to " + state + " in " + events);
    return Instant.parse(m.group(1));
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder request = authorized(HttpRequest.newBuilder(URI.create(url))).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) request.header("Content-Type", "application/json");
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
