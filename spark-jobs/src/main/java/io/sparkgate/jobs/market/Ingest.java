package io.sparkgate.jobs.market;

import io.sparkgate.jobs.common.Args;
import io.sparkgate.jobs.common.RunMetrics;
import io.sparkgate.jobs.common.Spark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Stage 1: raw JSON-lines envelopes of daily bars, splits and dividends for one trading date.
 *
 * <p>Arguments: {@code --date}, {@code --data} (the pipeline's data directory), {@code --universe}
 * (number of symbols) or {@code --symbols} (comma-separated), {@code --defect-rate}, {@code
 * --source-dir} (read {@code <dir>/<endpoint>/<date>.jsonl} files instead of the generator), {@code
 * --force} (rewrite a date that was already ingested).
 */
public final class Ingest {

  static final List<String> ENDPOINTS = List.of("bars", "splits", "dividends");

  private Ingest() {}

  public static void main(String[] argv) throws IOException {
    Args args = Args.parse(argv);
    LocalDate date = args.date("date");
    Paths paths = new Paths(args.required("data"));
    List<String> symbols = symbols(args);
    MarketDataGenerator generator = new MarketDataGenerator(args.number("defect-rate", 0.0));
    String sourceDir = args.string("source-dir", "");

    SparkSession spark = Spark.session("ingest-" + date);
    try {
      Map<String, Object> metrics = new LinkedHashMap<>();
      long written = 0;
      int skipped = 0;
      FileSystem fs =
          FileSystem.get(
              new org.apache.hadoop.fs.Path(paths.data()).toUri(),
              spark.sparkContext().hadoopConfiguration());
      for (String endpoint : ENDPOINTS) {
        String target = paths.raw(date, endpoint);
        if (!args.flag("force") && fs.exists(new org.apache.hadoop.fs.Path(target, "_SUCCESS"))) {
          skipped++;
          continue;
        }
        List<String> lines =
            sourceDir.isEmpty()
                ? generator.envelopes(symbols, date, endpoint)
                : readSource(Path.of(sourceDir, endpoint, date + ".jsonl"));
        // One file per endpoint and date; overwrite makes a forced rerun replace, never append.
        spark
            .createDataset(lines, Encoders.STRING())
            .coalesce(1)
            .write()
            .mode(SaveMode.Overwrite)
            .text(target);
        metrics.put(endpoint + "_written", lines.size());
        written += lines.size();
      }
      metrics.put("stage", "ingest");
      metrics.put("trade_date", date.toString());
      metrics.put("symbols", symbols.size());
      metrics.put("rows_written", written);
      metrics.put("endpoints_skipped", skipped);
      RunMetrics.report(spark, metrics);
    } finally {
      spark.stop();
    }
  }

  static List<String> symbols(Args args) {
    String list = args.string("symbols", "");
    return list.isEmpty()
        ? MarketDataGenerator.universe(args.integer("universe", 20))
        : List.of(list.split(","));
  }

  private static List<String> readSource(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }
}
