package io.sparkgate.jobs.bench;

import io.sparkgate.jobs.common.Args;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Benchmark of the pipeline's heavy stages over a large generated history: generate raw bars for
 * {@code --symbols} symbols over {@code --years} years, then curate all of it (parse, validate,
 * de-duplicate, write Parquet by trade date), adjust, and compute analytics for every day. Prints
 * rows and seconds per phase. Not a test: run it with bench/pipeline.sh.
 */
public final class PipelineBench {

  private PipelineBench() {}

  public static void main(String[] argv) {
    Args args = Args.parse(argv);
    int symbols = args.integer("symbols", 5000);
    int years = args.integer("years", 5);
    String dir = args.required("dir");
    LocalDate to = LocalDate.of(2024, 12, 31);
    LocalDate from = to.minusYears(years).plusDays(1);
    SparkSession spark =
        SparkSession.builder()
            .appName("pipeline-bench")
            .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate();
    Map<String, String> results = new LinkedHashMap<>();
    try {
      List<String> universe = io.sparkgate.jobs.market.MarketDataGeneratorAccess.universe(symbols);
      long t0 = System.nanoTime();
      Dataset<String> lines =
          spark
              .createDataset(universe, Encoders.STRING())
              .repartition(16)
              .flatMap(
                  (FlatMapFunction<String, String>)
                      symbol ->
                          io.sparkgate.jobs.market.MarketDataGeneratorAccess.history(
                                  symbol, from, to)
                              .iterator(),
                  Encoders.STRING());
      lines.write().mode(SaveMode.Overwrite).text(dir + "/raw");
      long rawRows = spark.read().text(dir + "/raw").count();
      results.put("generate raw JSON", phase(rawRows, t0));

      long t1 = System.nanoTime();
      Dataset<Row> curated =
          io.sparkgate.jobs.market.MarketDataGeneratorAccess.curate(
              spark.read().text(dir + "/raw"));
      // One file per date: without the repartition every task writes a file into every date.
      curated
          .repartition(curated.col("trade_date"))
          .write()
          .mode(SaveMode.Overwrite)
          .partitionBy("trade_date")
          .parquet(dir + "/curated");
      long curatedRows = spark.read().parquet(dir + "/curated").count();
      results.put("curate (parse, validate, dedupe, write by date)", phase(curatedRows, t1));

      long t2 = System.nanoTime();
      Dataset<Row> adjusted =
          io.sparkgate.jobs.market.MarketDataGeneratorAccess.adjust(
              spark.read().parquet(dir + "/curated"));
      adjusted.write().mode(SaveMode.Overwrite).parquet(dir + "/adjusted");
      long adjustedRows = spark.read().parquet(dir + "/adjusted").count();
      results.put("adjust (no events: factor join only)", phase(adjustedRows, t2));

      long t3 = System.nanoTime();
      Dataset<Row> analytics =
          io.sparkgate.jobs.market.MarketDataGeneratorAccess.analytics(
              spark.read().parquet(dir + "/adjusted"));
      analytics
          .write()
          .mode(SaveMode.Overwrite)
          .partitionBy("trade_date")
          .parquet(dir + "/analytics");
      long analyticsRows = spark.read().parquet(dir + "/analytics").count();
      results.put("analytics (windows over full history)", phase(analyticsRows, t3));

      System.out.println("| phase | rows | seconds | rows/s |");
      System.out.println("| --- | --- | --- | --- |");
      results.forEach((k, v) -> System.out.println("| " + k + " | " + v + " |"));
    } finally {
      spark.stop();
    }
  }

  private static String phase(long rows, long startNanos) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    return String.format("%,d | %.1f | %,.0f", rows, seconds, rows / seconds);
  }
}
