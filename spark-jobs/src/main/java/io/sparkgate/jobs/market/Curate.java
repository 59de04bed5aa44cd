package io.sparkgate.jobs.market;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.sparkgate.jobs.common.Args;
import io.sparkgate.jobs.common.RunMetrics;
import io.sparkgate.jobs.common.Spark;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Stage 2: parses one date's raw envelopes, quarantines bad bars with a reason, de-duplicates,
 * derives the market-local trade date, and writes Parquet partitioned by trade date. Dynamic
 * partition overwrite replaces exactly the date's partition, so reruns never append.
 */
public final class Curate {

  static final String ENVELOPE_SCHEMA =
      "symbol STRING, source STRING, endpointType STRING, ingestedAt STRING, tradeDate STRING,"
          + " marketTimezone STRING, payload STRUCT<t: BIGINT, o: DOUBLE, h: DOUBLE, l: DOUBLE,"
          + " c: DOUBLE, v: BIGINT, exDate: STRING, numerator: INT, denominator: INT,"
          + " amount: DOUBLE>";

  private Curate() {}

  public static void main(String[] argv) {
    Args args = Args.parse(argv);
    LocalDate date = args.date("date");
    Paths paths = new Paths(args.required("data"));
    SparkSession spark = Spark.session("curate-" + date);
    try {
      Dataset<Row> bars = parse(spark.read().text(paths.raw(date, "bars")));
      Dataset<Row> checked = validateBars(bars, date).cache();
      Dataset<Row> clean = dedupeBars(checked.filter("reason is null"));
      Dataset<Row> quarantined = checked.filter("reason is not null");

      Partitions.replace(spark, clean, paths.curated("bars"), date);
      Partitions.replace(
          spark,
          quarantined.select(
              col("symbol"),
              col("value").as("raw"),
              col("reason"),
              lit(date.toString()).cast("date").as("trade_date")),
          paths.quarantine(),
          date);
      Dataset<Row> splits = splits(parse(spark.read().text(paths.raw(date, "splits"))), date);
      Partitions.replace(spark, splits, paths.curated("splits"), date);
      Dataset<Row> dividends =
          dividends(parse(spark.read().text(paths.raw(date, "dividends"))), date);
      Partitions.replace(spark, dividends, paths.curated("dividends"), date);

      long read = checked.count();
      Dataset<Row> output =
          spark.read().parquet(paths.curated("bars")).filter("trade_date = date'" + date + "'");
      long written = output.count();
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("stage", "curate");
      metrics.put("trade_date", date.toString());
      metrics.put("rows_read", read);
      metrics.put("rows_written", written);
      metrics.put("rows_quarantined", quarantined.count());
      metrics.put("duplicates_dropped", read - quarantined.count() - written);
      metrics.put("splits_written", splits.count());
      metrics.put("dividends_written", dividends.count());
      metrics.put("output_checksum", Partitions.checksum(output));
      RunMetrics.report(spark, metrics);
    } finally {
      spark.stop();
    }
  }

  /**
   * Raw text lines ({@code value}) with their parsed envelope columns; unparseable lines keep
   * nulls.
   */
  static Dataset<Row> parse(Dataset<Row> lines) {
    return lines
        .withColumn("e", expr("from_json(value, '" + ENVELOPE_SCHEMA + "')"))
        .select(col("value"), col("e.*"));
  }

  /**
   * Derives the trade date in the market's time zone from the bar's UTC timestamp and gives every
   * bad bar a reason; good bars have a null reason. A null {@code date} accepts every trade date
   * (bulk history).
   */
  static Dataset<Row> validateBars(Dataset<Row> envelopes, LocalDate date) {
    return envelopes
        .withColumn(
            "trade_date",
            expr(
                "to_date(from_utc_timestamp(timestamp_millis(payload.t), coalesce(marketTimezone, 'America/New_York')))"))
        .withColumn(
            "reason",
            expr(
                "case"
                    + " when symbol is null or payload is null then 'unparseable envelope'"
                    + " when payload.t is null then 'missing timestamp'"
                    + " when payload.o is null or payload.h is null or payload.l is null"
                    + "   or payload.c is null or payload.v is null then 'missing price or volume'"
                    + " when payload.o <= 0 or payload.h <= 0 or payload.l <= 0 or payload.c <= 0"
                    + "   then 'non-positive price'"
                    + " when payload.v < 0 then 'negative volume'"
                    + " when payload.h < greatest(payload.o, payload.c)"
                    + "   or payload.l > least(payload.o, payload.c) or payload.h < payload.l"
                    + "   then 'high/low inconsistent with open/close'"
                    + (date == null
                        ? ""
                        : " when trade_date <> date'"
                            + date
                            + "' then 'trade date ' || trade_date || ' is not the run date'")
                    + " end"));
  }

  /** One bar per (symbol, trade date): the latest ingested, then the latest timestamp. */
  static Dataset<Row> dedupeBars(Dataset<Row> valid) {
    return valid
        .withColumn(
            "rank",
            expr(
                "row_number() over (partition by symbol, trade_date"
                    + " order by ingestedAt desc, payload.t desc, value)"))
        .filter("rank = 1")
        .select(
            col("symbol"),
            expr("timestamp_millis(payload.t)").as("bar_time"),
            col("payload.o").as("open"),
            col("payload.h").as("high"),
            col("payload.l").as("low"),
            col("payload.c").as("close"),
            col("payload.v").as("volume"),
            col("source"),
            col("ingestedAt").cast("timestamp").as("ingested_at"),
            col("trade_date"));
  }

  static Dataset<Row> splits(Dataset<Row> envelopes, LocalDate date) {
    return envelopes
        .filter(
            "symbol is not null and payload.exDate is not null and payload.numerator > 0 and payload.denominator > 0")
        .select(
            col("symbol"),
            col("payload.exDate").cast("date").as("ex_date"),
            col("payload.numerator").as("numerator"),
            col("payload.denominator").as("denominator"))
        .dropDuplicates("symbol", "ex_date")
        .withColumn("trade_date", lit(date.toString()).cast("date"));
  }

  static Dataset<Row> dividends(Dataset<Row> envelopes, LocalDate date) {
    return envelopes
        .filter("symbol is not null and payload.exDate is not null and payload.amount > 0")
        .select(
            col("symbol"),
            col("payload.exDate").cast("date").as("ex_date"),
            col("payload.amount").as("amount"))
        .dropDuplicates("symbol", "ex_date")
        .withColumn("trade_date", lit(date.toString()).cast("date"));
  }
}
