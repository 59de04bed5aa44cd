package io.sparkgate.jobs.demo;

import io.sparkgate.jobs.common.RunMetrics;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A small, deterministic Spark SQL application for trying Sparkgate out and for its end-to-end
 * tests. It aggregates a generated table whose content depends only on {@code --rows} and {@code
 * --date}, so a rerun prints the same result.
 *
 * <p>Arguments: {@code --date yyyy-MM-dd}, {@code --rows N}, {@code --sleep-seconds S} (hold the
 * driver, to test cancel and timeouts), {@code --fail-with MESSAGE} (fail on purpose unless empty).
 */
public final class DemoJob {

  private DemoJob() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> options = parse(args);
    long rows = Long.parseLong(options.getOrDefault("rows", "1000"));
    String date = options.getOrDefault("date", "1970-01-01");
    long sleepSeconds = Long.parseLong(options.getOrDefault("sleep-seconds", "0"));

    SparkSession spark = SparkSession.builder().appName("sparkgate-demo").getOrCreate();
    try {
      String runId = spark.conf().get("spark.sparkgate.runId", "none");
      System.out.println(
          "sparkgate demo: run " + runId + " for " + date + " over " + rows + " rows");
      Dataset<Row> result =
          spark.sql(
              "select id % 10 as bucket, count(*) as n, sum(id) as total"
                  + " from range(0, "
                  + rows
                  + ") group by id % 10 order by bucket");
      long total = 0;
      for (Row row : result.collectAsList()) {
        System.out.println(
            "sparkgate demo: bucket=" + row.get(0) + " n=" + row.get(1) + " total=" + row.get(2));
        total += row.getLong(2);
      }
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("rows_read", rows);
      metrics.put("buckets", result.count());
      metrics.put("total", total);
      RunMetrics.report(spark, metrics);
      if (sleepSeconds > 0) {
        System.out.println("sparkgate demo: holding the driver for " + sleepSeconds + " s");
        Thread.sleep(sleepSeconds * 1000);
      }
      String failWith = options.getOrDefault("fail-with", "");
      if (!failWith.isEmpty()) {
        throw new IllegalStateException(failWith);
      }
      System.out.println("sparkgate demo: done");
    } finally {
      spark.stop();
    }
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + args[i]);
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options;
  }
}
