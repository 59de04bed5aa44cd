package io.sparkgate.jobs.market;

import io.sparkgate.jobs.common.Args;
import io.sparkgate.jobs.common.Json;
import io.sparkgate.jobs.common.RunMetrics;
import io.sparkgate.jobs.common.Spark;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Stage 5: the data-quality gate of one date. It measures coverage of the expected symbols, null
 * ratios of the raw bars, the quarantine ratio, price sanity and uniqueness of the curated bars,
 * and that analytics exist for every curated symbol; writes the report to {@code
 * quality/trade_date=<date>/}; reports every check as a run metric; and fails, naming each failed
 * check, when any threshold is breached.
 */
public final class Quality {

  private Quality() {}

  /** One check: its measured value, its threshold and whether the value stays within it. */
  record Check(String name, double value, double threshold, String comparison, boolean passed) {
    Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("name", name);
      map.put("value", value);
      map.put("threshold", threshold);
      map.put("comparison", comparison);
      map.put("passed", passed);
      return map;
    }

    String describe() {
      return name + " = " + round(value) + " (must be " + comparison + " " + round(threshold) + ")";
    }

    static Check atMost(String name, double value, double threshold) {
      return new Check(name, value, threshold, "<=", value <= threshold);
    }

    static Check atLeast(String name, double value, double threshold) {
      return new Check(name, value, threshold, ">=", value >= threshold);
    }
  }

  public static void main(String[] argv) {
    Args args = Args.parse(argv);
    LocalDate date = args.date("date");
    Paths paths = new Paths(args.required("data"));
    int expectedSymbols = Ingest.symbols(args).size();
    double maxNullRatio = args.number("max-null-ratio", 0.02);
    double maxQuarantineRatio = args.number("max-quarantine-ratio", 0.05);
    double minCoverage = args.number("min-coverage", 0.95);
    SparkSession spark = Spark.session("quality-" + date);
    try {
      Dataset<Row> raw = Curate.parse(spark.read().text(paths.raw(date, "bars")));
      Dataset<Row> curated =
          spark.read().parquet(paths.curated("bars")).filter("trade_date = date'" + date + "'");
      Dataset<Row> quarantined =
          Adjust.readOrEmpty(
                  spark,
                  paths.quarantine(),
                  "symbol STRING, raw STRING, reason STRING, trade_date DATE")
              .filter("trade_date = date'" + date + "'");
      Dataset<Row> analytics =
          Adjust.readOrEmpty(spark, paths.analytics(), "symbol STRING, trade_date DATE")
              .filter("trade_date = date'" + date + "'");
      List<Check> checks =
          checks(
              raw,
              curated,
              quarantined,
              analytics,
              expectedSymbols,
              maxNullRatio,
              maxQuarantineRatio,
              minCoverage);

      Map<String, Object> report = new LinkedHashMap<>();
      report.put("trade_date", date.toString());
      report.put("passed", checks.stream().allMatch(Check::passed));
      List<Object> checkMaps = new ArrayList<>();
      checks.forEach(c -> checkMaps.add(c.toMap()));
      report.put("checks", checkMaps);
      spark
          .createDataset(List.of(Json.write(report)), Encoders.STRING())
          .coalesce(1)
          .write()
          .mode(SaveMode.Overwrite)
          .text(paths.quality(date));

      Map<String, Object> metrics = new LinkedHashMap<>(report);
      metrics.put("stage", "quality");
      metrics.put("rows_read", curated.count());
      RunMetrics.report(spark, metrics);

      List<String> failed = checks.stream().filter(c -> !c.passed()).map(Check::describe).toList();
      if (!failed.isEmpty()) {
        throw new IllegalStateException(
            "quality gate failed for " + date + ": " + String.join("; ", failed));
      }
    } finally {
      spark.stop();
    }
  }

  static List<Check> checks(
      Dataset<Row> raw,
      Dataset<Row> curated,
      Dataset<Row> quarantined,
      Dataset<Row> analytics,
      int expectedSymbols,
      double maxNullRatio,
      double maxQuarantineRatio,
      double minCoverage) {
    List<Check> checks = new ArrayList<>();
    long rawRows = raw.count();
    long curatedRows = curated.count();
    long curatedSymbols = curated.select("symbol").distinct().count();
    checks.add(
        Check.atLeast(
            "coverage",
            expectedSymbols == 0 ? 1.0 : (double) curatedSymbols / expectedSymbols,
            minCoverage));
    for (String field : List.of("o", "h", "l", "c", "v")) {
      long nulls = raw.filter("payload." + field + " is null").count();
      checks.add(
          Check.atMost(
              "null_ratio." + field, rawRows == 0 ? 0 : (double) nulls / rawRows, maxNullRatio));
    }
    checks.add(
        Check.atMost(
            "quarantine_ratio",
            rawRows == 0 ? 0 : (double) quarantined.count() / rawRows,
            maxQuarantineRatio));
    long insane =
        curated
            .filter(
                "high < greatest(open, close) or low > least(open, close) or volume < 0"
                    + " or open <= 0 or close <= 0")
            .count();
    checks.add(Check.atMost("price_sanity_violations", insane, 0));
    checks.add(Check.atMost("duplicate_symbol_dates", curatedRows - curatedSymbols, 0));
    long analyticsSymbols = analytics.select("symbol").distinct().count();
    checks.add(Check.atMost("symbols_without_analytics", curatedSymbols - analyticsSymbols, 0));
    return checks;
  }

  private static String round(double value) {
    return Double.toString(Math.round(value * 10_000) / 10_000.0);
  }
}
