package io.sparkgate.jobs.demo;

import io.sparkgate.jobs.common.RunMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
 * driver, to test cancel and timeouts), {@code --fail-with MESSAGE} (fail on purpose unless empty),
 * {@code --print-bytes N} (print N bytes of filler to stdout, to test the driver log's cap).
 */
public final class DemoJob {

  private DemoJob() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> options = parse(args);
    long rows = Long.parseLong(options.getOrDefault("rows", "1000"));
    String date = options.getOrDefault("date", "1970-01-01");
    long sleepSeconds = Long.parseLong(options.getOrDefault("sleep-seconds", "0"));
    long printBytes = Long.parseLong(options.getOrDefault("print-bytes", "0"));

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
      List<Row> buckets = result.collectAsList();
      long total = 0;
      for (Row row : buckets) {
        System.out.println(
            "sparkgate demo: bucket=" + row.get(0) + " n=" + row.get(1) + " total=" + row.get(2));
        total += row.getLong(2);
      }
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("rows_read", rows);
      // Counted from what was collected: result.count() would run the query again.
      metrics.put("buckets", buckets.size());
      metrics.put("total", total);
      RunMetrics.report(spark, metrics);
      printFiller(printBytes, System.out);
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

  /**
   * Writes exactly {@code bytes} bytes of filler lines ('.' with a newline every 1024 bytes) in
   * chunks of 1 MiB, so that printing gigabytes costs no more memory than one chunk.
   */
  static void printFiller(long bytes, OutputStream out) {
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) '.');
    for (int i = 1023; i < chunk.length; i += 1024) {
      chunk[i] = '\n';
    }
    try {
      for (long left = bytes; left > 0; left -= chunk.length) {
        out.write(chunk, 0, (int) Math.min(left, chunk.length));
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
