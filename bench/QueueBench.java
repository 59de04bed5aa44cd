/*
 * Queue throughput and submit-to-launch latency of two control-plane instances sharing one
 * database, on the simulated backend (no Spark: the control plane is what is measured).
 *
 * Phase 1: N queued runs are inserted in one transaction; both instances drain the queue. Reports
 * runs dispatched per second (first commit to last claim) and checks that every run was launched
 * exactly once (attempt rows and the backends' own launch logs).
 * Phase 2: runs submitted one by one through the API while slots are free; reports the time from
 * createdAt to the claim (QUEUED -> LAUNCHING event), p50/p99.
 * Phase 3 (head of line): 10,000 queued runs of a job limited to one run at a time (whose one
 * running run never ends), then the same submits as phase 2 of another job; reports their
 * latency beside phase 2's, which is the baseline without a backlog.
 *
 * Usage (see bench/queue-throughput.sh): java -cp postgresql.jar bench/QueueBench.java
 *   JDBC_URL API_A API_B WORK_A WORK_B RUNS LATENCY_RUNS
 * connecting as the role sparkgate with the password in SPRING_DATASOURCE_PASSWORD.
 */
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

public class QueueBench {

  static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    String jdbc = args[0];
    String apiA = args[1];
    String apiB = args[2];
    Path workA = Path.of(args[3]);
    Path workB = Path.of(args[4]);
    int runs = Integer.parseInt(args[5]);
    int latencyRuns = Integer.parseInt(args[6]);

    send("PUT", apiA + "/api/v1/jobs/bench-queue",
        "{\"type\": \"jvm\", \"appResource\": \"/opt/bench.jar\", \"mainClass\": \"Bench\"}");

    try (Connection c = DriverManager.getConnection(
        jdbc, "sparkgate", System.getenv("SPRING_DATASOURCE_PASSWORD"))) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        insertQueued(s, "bench-queue", "throughput", runs);
        s.executeUpdate("""
            insert into run_event (run_id, at, from_state, to_state, reason, actor, attempt)
            select id, created_at, null, 'QUEUED', 'bench', 'bench', 0 from run
            where labels @> '{"bench": "throughput"}'
            """);
      }
      long committedAt = System.currentTimeMillis();
      c.commit();
      c.setAutoCommit(true);
      System.out.printf("Inserted %d queued runs%n", runs);

      long done;
      do {
        Thread.sleep(200);
        done = scalar(c, "select count(*) from run where labels @> '{\"bench\": \"throughput\"}' and state = 'SUCCEEDED'");
      } while (done < runs);

      Timestamp lastClaim = timestamp(c, """
          select max(e.at) from run_event e join run r on r.id = e.run_id
          where r.labels @> '{"bench": "throughput"}' and e.to_state = 'LAUNCHING'""");
      double seconds = (lastClaim.getTime() - committedAt) / 1000.0;
      long attempts = scalar(c, """
          select count(*) from run_attempt a join run r on r.id = a.run_id
          where r.labels @> '{"bench": "throughput"}'""");
      long byA = scalar(c, "select count(*) from run_attempt where instance_id = 'bench-a'");
      long byB = scalar(c, "select count(*) from run_attempt where instance_id = 'bench-b'");
      List<String> launchLines = new ArrayList<>();
      for (Path work : List.of(workA, workB)) {
        Path log = work.resolve("simulated-launches.log");
        if (Files.exists(log)) launchLines.addAll(Files.readAllLines(log));
      }
      Set<String> unique = new HashSet<>(launchLines);
      System.out.println();
      System.out.println("| measure | value |");
      System.out.println("| --- | --- |");
      System.out.printf("| runs | %d |%n", runs);
      System.out.printf("| commit of the queue to the last claim | %.2f s |%n", seconds);
      System.out.printf("| runs dispatched per second (both instances) | %.0f |%n", runs / seconds);
      System.out.printf("| claimed by instance a / b | %d / %d |%n", byA, byB);
      System.out.printf("| attempts recorded | %d |%n", attempts);
      System.out.printf("| launches seen by the backends (unique) | %d (%d) |%n", launchLines.size(), unique.size());
      System.out.printf("| exactly once | %s |%n",
          attempts == runs && launchLines.size() == runs && unique.size() == runs ? "yes" : "NO");

      List<Double> latencies = submitAndMeasure(c, apiA, apiB, latencyRuns, "latency");
      Collections.sort(latencies);
      System.out.printf("| submit-to-launch latency, free slot (%d runs) | p50 %.1f ms, p99 %.1f ms, max %.1f ms |%n",
          latencies.size(), percentile(latencies, 50), percentile(latencies, 99),
          latencies.get(latencies.size() - 1));

      // Phase 3: the same submits behind a backlog of a job at its limit.
      send("PUT", apiA + "/api/v1/jobs/bench-limited",
          "{\"type\": \"jvm\", \"appResource\": \"/opt/bench.jar\", \"mainClass\": \"Bench\","
              + " \"args\": [\"--sleep-seconds\", \"86400\"], \"maxConcurrentRuns\": 1}");
      try (Statement s = c.createStatement()) {
        insertQueued(s, "bench-limited", "backlog", 10_000);
      }
      long running;
      do {
        Thread.sleep(200);
        running = scalar(c, "select count(*) from run where job_name = 'bench-limited' and state = 'RUNNING'");
      } while (running < 1);
      List<Double> behind = submitAndMeasure(c, apiA, apiB, latencyRuns, "behind-backlog");
      long limitedLive = scalar(c, "select count(*) from run where job_name = 'bench-limited' and state in ('LAUNCHING', 'RUNNING')");
      System.out.printf("| the same, behind 10,000 queued runs of a job at its limit | p50 %.1f ms, p99 %.1f ms, max %.1f ms |%n",
          percentile(behind, 50), percentile(behind, 99), behind.get(behind.size() - 1));
      System.out.printf("| live runs of the limited job meanwhile (limit 1) | %d |%n", limitedLive);
    }
  }

  /** Inserts n queued runs of a job's version 1, labelled bench=label, in one statement. */
  static void insertQueued(Statement s, String job, String label, int n) throws Exception {
    s.executeUpdate("""
        insert into run (id, job_name, job_version, state, params, spark_conf, labels,
                         fingerprint, submitted_by, created_at, attempt, max_attempts,
                         timeout_seconds, not_before)
        select gen_random_uuid(), '%s', 1, 'QUEUED', '{}', '{}', '{"bench": "%s"}',
               'bench', 'bench', clock_timestamp(), 0, 1, 86400, clock_timestamp()
        from generate_series(1, %d)
        """.formatted(job, label, n));
  }

  /**
   * Submits runs one by one through both APIs, labelled bench=label, waits until all are claimed
   * and returns each one's time from createdAt to its claim, in ms, sorted.
   */
  static List<Double> submitAndMeasure(Connection c, String apiA, String apiB, int n, String label)
      throws Exception {
    for (int i = 0; i < n; i++) {
      String base = i % 2 == 0 ? apiA : apiB;
      String body = send("POST", base + "/api/v1/runs",
          "{\"job\": \"bench-queue\", \"labels\": {\"bench\": \"" + label + "\"}}");
      if (!body.contains("\"runId\"")) throw new IllegalStateException(body);
      Thread.sleep(20);
    }
    String filter = "r.labels @> '{\"bench\": \"" + label + "\"}'";
    long claimed;
    do {
      Thread.sleep(200);
      claimed = scalar(c, "select count(*) from run r where " + filter + " and attempt > 0");
    } while (claimed < n);
    List<Double> latencies = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("""
            select extract(epoch from (e.at - r.created_at)) * 1000 from run r
            join run_event e on e.run_id = r.id and e.to_state = 'LAUNCHING'
            where\s""" + filter)) {
      while (rs.next()) latencies.add(rs.getDouble(1));
    }
    Collections.sort(latencies);
    return latencies;
  }

  static double percentile(List<Double> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  static long scalar(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static Timestamp timestamp(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getTimestamp(1);
    }
  }

  /** The API token from SPARKGATE_TOKEN, as an Authorization header on the request. */
  static HttpRequest.Builder authorized(HttpRequest.Builder request) {
    String token = System.getenv("SPARKGATE_TOKEN");
    return token == null || token.isBlank() ? request : request.header("Authorization", "Bearer " + token.strip());
  }

  static String send(String method, String url, String body) throws Exception {
    HttpRequest.Builder request = authorized(HttpRequest.newBuilder(URI.create(url)))
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
