package io.sparkgate.jobs.market;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The pipeline's transformations over whole histories, for the benchmark in jobs.bench. */
public final class MarketDataGeneratorAccess {

  private MarketDataGeneratorAccess() {}

  public static List<String> universe(int size) {
    return MarketDataGenerator.universe(size);
  }

  /** Every bar envelope of a symbol between two dates, generated in one walk. */
  public static List<String> history(String symbol, LocalDate from, LocalDate to) {
    List<String> lines = new ArrayList<>();
    MarketDataGenerator.walk(
        symbol,
        from,
        to,
        (date, day) -> lines.add(MarketDataGenerator.barEnvelope(symbol, date, day)));
    return lines;
  }

  public static Dataset<Row> curate(Dataset<Row> rawText) {
    Dataset<Row> checked = Curate.validateBars(Curate.parse(rawText), null);
    return Curate.dedupeBars(checked.filter("reason is null"));
  }

  public static Dataset<Row> adjust(Dataset<Row> curated) {
    var spark = curated.sparkSession();
    return Adjust.adjust(
        curated,
        Adjust.readOrEmpty(
            spark, "/nonexistent", "symbol STRING, ex_date DATE, numerator INT, denominator INT"),
        Adjust.readOrEmpty(spark, "/nonexistent", "symbol STRING, ex_date DATE, amount DOUBLE"));
  }

  public static Dataset<Row> analytics(Dataset<Row> adjusted) {
    return Analytics.indicators(adjusted, 0.05, 25);
  }
}
