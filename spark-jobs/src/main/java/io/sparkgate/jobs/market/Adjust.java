package io.sparkgate.jobs.market;

import io.sparkgate.jobs.common.Args;
import io.sparkgate.jobs.common.RunMetrics;
import io.sparkgate.jobs.common.Spark;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Stage 3: split- and dividend-adjusted prices as of a date. Back-adjustment changes all history
 * before a new event, so each run writes a complete snapshot {@code adjusted/as_of=<date>}, which a
 * rerun replaces.
 *
 * <p>The math: a bar on day t is multiplied by the product of the factors of every event with an
 * ex-date after t. A split of n:d has factor d/n (a 2:1 split halves earlier prices: divide, never
 * multiply by the ratio) and multiplies earlier volumes by n/d; a cash dividend D has factor 1 - D
 * / C, with C the raw close of the last bar before its ex-date.
 */
public final class Adjust {

  private Adjust() {}

  public static void main(String[] argv) {
    Args args = Args.parse(argv);
    LocalDate date = args.date("date");
    Paths paths = new Paths(args.required("data"));
    SparkSession spark = Spark.session("adjust-" + date);
    try {
      Dataset<Row> bars =
          spark.read().parquet(paths.curated("bars")).filter("trade_date <= date'" + date + "'");
      Dataset<Row> splits =
          readOrEmpty(
                  spark,
                  paths.curated("splits"),
                  "symbol STRING, ex_date DATE, numerator INT, denominator INT, trade_date DATE")
              .filter("ex_date <= date'" + date + "'");
      Dataset<Row> dividends =
          readOrEmpty(
                  spark,
                  paths.curated("dividends"),
                  "symbol STRING, ex_date DATE, amount DOUBLE, trade_date DATE")
              .filter("ex_date <= date'" + date + "'");
      Dataset<Row> adjusted = adjust(bars, splits, dividends);
      adjusted.write().mode(SaveMode.Overwrite).parquet(paths.adjusted(date));

      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("stage", "adjust");
      metrics.put("as_of", date.toString());
      metrics.put("rows_read", bars.count());
      Dataset<Row> output = spark.read().parquet(paths.adjusted(date));
      metrics.put("rows_written", output.count());
      metrics.put("output_checksum", Partitions.checksum(output));
      metrics.put("split_events", splits.count());
      metrics.put("dividend_events", dividends.count());
      RunMetrics.report(spark, metrics);
    } finally {
      spark.stop();
    }
  }

  static Dataset<Row> readOrEmpty(SparkSession spark, String path, String schema) {
    return Partitions.exists(spark, path)
        ? spark.read().parquet(path)
        : spark.createDataFrame(
            java.util.List.of(), org.apache.spark.sql.types.StructType.fromDDL(schema));
  }

  /** Adjusted OHLCV for every bar, with the cumulative price factor applied. */
  static Dataset<Row> adjust(Dataset<Row> bars, Dataset<Row> splits, Dataset<Row> dividends) {
    SparkSession spark = bars.sparkSession();
    bars.createOrReplaceTempView("adj_bars");
    splits.createOrReplaceTempView("adj_splits");
    dividends.createOrReplaceTempView("adj_dividends");
    return spark.sql(
        """
        with dividend_base as (
          select d.symbol, d.ex_date, d.amount, max_by(b.close, b.trade_date) as previous_close
          from adj_dividends d
          join adj_bars b on b.symbol = d.symbol and b.trade_date < d.ex_date
          group by d.symbol, d.ex_date, d.amount
        ),
        events as (
          select symbol, ex_date, cast(denominator as double) / numerator as price_factor,
                 cast(numerator as double) / denominator as volume_factor
          from adj_splits
          union all
          select symbol, ex_date, 1 - amount / previous_close as price_factor,
                 1.0 as volume_factor
          from dividend_base
        ),
        factors as (
          select b.symbol, b.trade_date,
                 coalesce(exp(sum(ln(e.price_factor))), 1.0) as price_factor,
                 coalesce(exp(sum(ln(e.volume_factor))), 1.0) as volume_factor
          from adj_bars b
          left join events e on e.symbol = b.symbol and e.ex_date > b.trade_date
                            and e.price_factor is not null and e.price_factor > 0
          group by b.symbol, b.trade_date
        )
        select b.symbol, b.trade_date,
               b.open * f.price_factor as adj_open, b.high * f.price_factor as adj_high,
               b.low * f.price_factor as adj_low, b.close * f.price_factor as adj_close,
               cast(round(b.volume * f.volume_factor) as bigint) as adj_volume,
               b.close as raw_close, f.price_factor
        from adj_bars b join factors f on f.symbol = b.symbol and f.trade_date = b.trade_date
        """);
  }
}
