/*
 * Wall time of a trivial Spark job run directly with bin/spark-submit, next to the same job run
 * through a running Sparkgate service (submit -> SUCCEEDED, observed by the client polling every
 * 50 ms, and as recorded by the service from createdAt to finishedAt). Runs are sequential, the
 * paths taking turns so that all get the same machine; a first round of each is not counted.
 * A third path launches the job as the service does, with Spark's launcher library in this JVM
 * (the launcher server's handshake, the conf and environment Sparkgate adds: scratch directories,
 * the run's id, the parent-death signal) but without the service, and without a metrics report.
 * The three paths' driver logs (the runtime's log4j2 pattern has milliseconds) break a run down
 * into the same phases, from the launch to the exit, so that the differences show where they lie.
 *
 * Usage: java -cp SPARK_HOME/jars/spark-launcher_*.jar bench/TrivialJobBench.java BASE_URL
 *   SPARK_HOME JOBS_JAR RUNS [SERVICE_PID]
 */
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.launcher.SparkAppHandle;
import org.apache.spark.launcher.SparkLauncher;

public class TrivialJobBench {

  static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    String base = args[0];
    Path sparkHome = Path.of(args[1]).toAbsolutePath();
    String jar = Path.of(args[2]).toAbsolutePath().normalize().toString();
    int runs = Integer.parseInt(args[3]);
    // The service's process, whose CPU time is read from /proc during each run of each path.
    long servicePid = args.length > 4 ? Long.parseLong(args[4]) : -1;
    // GET requests sent to the service after the first round, so that its request path is
    // compiled as in a service that has run for a while (TRIVIAL_JOB_WARMUP, default 0).
    int warmup = Integer.parseInt(System.getenv().getOrDefault("TRIVIAL_JOB_WARMUP", "0"));
    Map<String, List<Double>> serviceCpu = new LinkedHashMap<>();

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
    // The same phases of each path, from its driver logs.
    Map<String, List<Double>> directPhases = new LinkedHashMap<>();
    Map<String, List<Double>> servicePhases = new LinkedHashMap<>();
    Map<String, List<Double>> launcherPhases = new LinkedHashMap<>();
    List<Double> launcherRuns = new ArrayList<>();
    Path output = Files.createTempFile("trivial-job-", ".log");
    // The paths take turns, so that a drift of the machine's speed weighs on all alike; the
    // first round of each (cold caches, the service's JIT) is not counted.
    for (int i = 0; i <= runs; i++) {
      boolean counted = i > 0;
      long start = System.nanoTime();
      double cpu = cpuSeconds(servicePid);
      Instant launched = Instant.now();
      Process p = new ProcessBuilder(sparkHome.resolve("bin/spark-submit").toString(),
              "--master", "local[2]", "--class", "io.sparkgate.jobs.demo.DemoJob", jar,
              "--date", "2024-03-15", "--rows", "1000")
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      int code = p.waitFor();
      Instant exited = Instant.now();
      if (counted) direct.add((System.nanoTime() - start) / 1e9);
      if (code != 0) throw new IllegalStateException("spark-submit exited " + code);
      if (counted) {
        phases(directPhases, launched, Files.readString(output), exited);
        add(serviceCpu, "bin/spark-submit directly (the service idle)", cpu,
            cpuSeconds(servicePid));
      }

      start = System.nanoTime();
      cpu = cpuSeconds(servicePid);
      launched = Instant.now();
      exited = launchLikeTheService(sparkHome, jar, output);
      if (counted) {
        launcherRuns.add((System.nanoTime() - start) / 1e9);
        phases(launcherPhases, launched, Files.readString(output), exited);
        add(serviceCpu, "launcher library, no service (the service idle)", cpu,
            cpuSeconds(servicePid));
      }

      start = System.nanoTime();
      cpu = cpuSeconds(servicePid);
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
      double cpuAfter = cpuSeconds(servicePid);
      if (!state.equals("SUCCEEDED")) throw new IllegalStateException("run " + id + " " + state);
      if (!counted) {
        for (int r = 0; r < warmup; r++) {
          send("GET", base + "/api/v1/runs/" + id, null);
        }
        continue;
      }
      add(serviceCpu, "through Sparkgate (its launch, supervision, log copy, the client's polls)",
          cpu, cpuAfter);
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
      HttpRequest logRequest = authorized(HttpRequest.newBuilder(
          URI.create(base + "/api/v1/runs/" + id + "/log?offset=0&limit=1048576")))
          .header("Accept", "text/plain").build();
      String log = HTTP.send(logRequest, HttpResponse.BodyHandlers.ofString()).body();
      phases(servicePhases, launching, log, ended);
    }
    Files.delete(output);
    System.out.println("| path | runs | median s | min s | max s |");
    System.out.println("| --- | --- | --- | --- | --- |");
    row("bin/spark-submit directly", direct);
    row("Spark's launcher library with Sparkgate's conf, no service", launcherRuns);
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
    System.out.println();
    if (servicePid > 0) {
      System.out.println("| the service's CPU time (user + system) during a run of each path | median s"
          + " | min s | max s |");
      System.out.println("| --- | --- | --- | --- |");
      serviceCpu.forEach((path, values) -> row(path, values, false));
      System.out.println();
    }
    System.out.println("| phase, from the driver's log (medians) | directly s | launcher library,"
        + " Sparkgate's conf s | through Sparkgate s | through Sparkgate - directly s |");
    System.out.println("| --- | --- | --- | --- | --- |");
    for (String phase : directPhases.keySet()) {
      double d = median(directPhases.get(phase));
      double l = median(launcherPhases.get(phase));
      double s = median(servicePhases.get(phase));
      System.out.printf("| %s | %.2f | %.2f | %.2f | %+.2f |%n", phase, d, l, s, s - d);
    }
  }

  /**
   * Runs the job as SparkLauncherBackend launches it, minus the metrics report: the same launcher
   * calls, conf and environment, output to {@code output}. Returns when the driver's process has
   * exited, which is when the service records the end.
   */
  static Instant launchLikeTheService(Path sparkHome, String jar, Path output) throws Exception {
    Path scratch = Files.createTempDirectory("trivial-job-scratch-");
    UUID runId = UUID.randomUUID();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARKGATE_PDEATHSIG", "1");
    if (System.getenv("JAVA_HOME") == null) {
      env.put("JAVA_HOME", System.getProperty("java.home"));
    }
    CountDownLatch ended = new CountDownLatch(1);
    SparkAppHandle handle = new SparkLauncher(env)
        .setSparkHome(sparkHome.toString())
        .setAppResource(jar)
        .setMainClass("io.sparkgate.jobs.demo.DemoJob")
        .setAppName("sparkgate-bench-trivial-" + runId)
        .setMaster("local[2]")
        .setConf("spark.sparkgate.runId", runId.toString())
        .setConf("spark.sparkgate.attempt", "1")
        .setConf("spark.local.dir", scratch.toString())
        .setConf(SparkLauncher.DRIVER_EXTRA_JAVA_OPTIONS, "-Djava.io.tmpdir=" + scratch)
        .addAppArgs("--date", "2024-03-15", "--rows", "1000")
        .redirectOutput(output.toFile())
        .redirectError()
        .startApplication(new SparkAppHandle.Listener() {
          @Override
          public void stateChanged(SparkAppHandle h) {
            if (h.getState().isFinal()) ended.countDown();
          }

          @Override
          public void infoChanged(SparkAppHandle h) {}
        });
    // The driver is this JVM's only child: spark-submit execs into it.
    ProcessHandle driver = ProcessHandle.current().children().findFirst()
        .orElseThrow(() -> new IllegalStateException("no spark-submit process"));
    ended.await();
    driver.onExit().join();
    Instant exited = Instant.now();
    if (handle.getState() != SparkAppHandle.State.FINISHED) {
      throw new IllegalStateException("launched job ended " + handle.getState());
    }
    try (var files = Files.walk(scratch)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    return exited;
  }

  static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yy/MM/dd HH:mm:ss.SSS");

  /**
   * Adds a run's phases: from {@code launched} (the bench starting spark-submit, or the service
   * claiming the run) to the driver's first log line, on to the end of its last Spark job, on to
   * SparkContext stopping (what the job does after its last Spark job: printing, reporting its
   * metrics), on to SparkContext stopped, and to {@code exited} (the bench seeing the process end,
   * or the service recording the end).
   */
  static void phases(Map<String, List<Double>> phases, Instant launched, String log,
      Instant exited) {
    Instant first = logTime(log, "INFO SparkContext: Running Spark version", false);
    Instant lastJob = logTime(log, "INFO DAGScheduler: Job \\d+ finished", true);
    Instant stopping = logTime(log, "INFO SparkContext: SparkContext is stopping", false);
    Instant stopped = logTime(log, "INFO SparkContext: Successfully stopped SparkContext", false);
    add(phases, "launch to the driver's first log line (spark-submit, the driver's JVM)",
        launched, first);
    add(phases, "first log line to the end of the last Spark job (SparkContext, the job)", first,
        lastJob);
    add(phases, "last Spark job to SparkContext stopping (printing, the metrics report)", lastJob,
        stopping);
    add(phases, "SparkContext stopping to stopped", stopping, stopped);
    add(phases, "SparkContext stopped to the exit seen (shutdown hooks, the JVM's exit)", stopped,
        exited);
    add(phases, "all of it", launched, exited);
  }

  static void add(Map<String, List<Double>> phases, String phase, Instant from, Instant to) {
    add(phases, phase, 0, seconds(from, to));
  }

  static void add(Map<String, List<Double>> values, String key, double from, double to) {
    values.computeIfAbsent(key, k -> new ArrayList<>()).add(to - from);
  }

  /** The user + system CPU time of a process so far, from /proc (100 ticks a second on Linux). */
  static double cpuSeconds(long pid) throws java.io.IOException {
    if (pid <= 0) return 0;
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
  }

  /** The time of the first (or last) log line matching {@code line}, in this machine's zone. */
  static Instant logTime(String log, String line, boolean last) {
    Matcher m = Pattern.compile("(?m)^(\\d\\d/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) " + line)
        .matcher(log);
    String at = null;
    while (m.find()) {
      at = m.group(1);
      if (!last) break;
    }
    if (at == null) throw new IllegalStateException("no log line " + line + " in:\n" + log);
    return LocalDateTime.parse(at, LOG_TIME).atZone(ZoneId.systemDefault()).toInstant();
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
