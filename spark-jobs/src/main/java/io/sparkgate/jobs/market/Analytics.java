package io.sparkgate.jobs.market;

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
 * Stage 4: daily return, ATR(14), +DI/-DI(14), ADX(14) and a market regime per symbol for one date,
 * from the adjusted snapshot as of that date, with window functions.
 *
 * <p>The indicators use 14-day simple moving sums and averages (ATR = mean true range; ±DI = 100 ×
 * Σ±DM / ΣTR; ADX = mean DX), not Wilder's recursive smoothing, so each day depends on a fixed
 * window and a rerun of any date is exact. The regime: {@code volatile} when ATR exceeds {@code
 * --volatile-atr-pct} of the close; else {@code trending_up} or {@code trending_down} when ADX is
 * at least {@code --trend-adx} (by the larger DI); else {@code ranging}; {@code
 * insufficient_history} before 28 bars. Confidence grows with the distance from the threshold.
 */
public final class Analytics {

  private Analytics() {}

  public static void main(String[] argv) {
    Args args = Args.parse(argv);
    LocalDate date = args.date("date");
    Paths paths = new Paths(args.required("data"));
    double volatileAtrPct = args.number("volatile-atr-pct", 0.05);
    double trendAdx = args.number("trend-adx", 25);
    SparkSession spark = Spark.session("analytics-" + date);
    try {
      Dataset<Row> adjusted = spark.read().parquet(paths.adjusted(date));
      Dataset<Row> daily =
          indicators(adjusted, volatileAtrPct, trendAdx).filter("trade_date = date'" + date + "'");
      Partitions.replace(spark, daily, paths.analytics(), date);

      Dataset<Row> written =
          spark.read().parquet(paths.analytics()).filter("trade_date = date'" + date + "'");
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("stage", "analytics");
      metrics.put("trade_date", date.toString());
      metrics.put("rows_read", adjusted.count());
      metrics.put("rows_written", written.count());
      metrics.put("output_checksum", Partitions.checksum(written));
      Map<String, Object> regimes = new LinkedHashMap<>();
      for (Row row : written.groupBy("regime").count().orderBy("regime").collectAsList()) {
        regimes.put(row.getString(0), row.getLong(1));
      }
      metrics.put("regimes", regimes);
      RunMetrics.report(spark, metrics);
    } finally {
      spark.stop();
    }
  }

  /** Indicators and regime for every bar of the adjusted history. */
  static Dataset<Row> indicators(Dataset<Row> adjusted, double volatileAtrPct, double trendAdx) {
    adjusted.createOrReplaceTempView("an_adjusted");
    return adjusted
        .sparkSession()
        .sql(
            """
            with base as (
              select symbol, trade_date, adj_high as high, adj_low as low, adj_close as close,
                     lag(adj_close) over w as previous_close,
                     lag(adj_high) over w as previous_high,
                     lag(adj_low) over w as previous_low,
                     row_number() over w as bar_number
              from an_adjusted
              window w as (partition by symbol order by trade_date)
            ),
            moves as (
              select *,
                     try_divide(close, previous_close) - 1 as daily_return,
                     case when previous_close is null then high - low
                          else greatest(high - low, abs(high - previous_close),
                                        abs(low - previous_close)) end as true_range,
                     case when high - previous_high > previous_low - low
                           and high - previous_high > 0 then high - previous_high
                          else 0.0 end as plus_dm,
                     case when previous_low - low > high - previous_high
                           and previous_low - low > 0 then previous_low - low
                          else 0.0 end as minus_dm
              from base
            ),
            directional as (
              select *,
                     case when bar_number >= 15 then avg(true_range) over w14 end as atr14,
                     case when bar_number >= 15
                          then 100 * try_divide(sum(plus_dm) over w14, sum(true_range) over w14) end
                       as plus_di14,
                     case when bar_number >= 15
                          then 100 * try_divide(sum(minus_dm) over w14, sum(true_range) over w14) end
                       as minus_di14
              from moves
              window w14 as (partition by symbol order by trade_date
                             rows between 13 preceding and current row)
            ),
            trend as (
              select *,
                     case when plus_di14 + minus_di14 > 0
                          then 100 * abs(plus_di14 - minus_di14) / (plus_di14 + minus_di14)
                          when plus_di14 is not null then 0.0 end as dx14
              from directional
            ),
            scored as (
              select *,
                     case when bar_number >= 28 then avg(dx14) over w14 end as adx14
              from trend
              window w14 as (partition by symbol order by trade_date
                             rows between 13 preceding and current row)
            )
            select symbol, trade_date, close, daily_return, true_range, atr14, plus_di14,
                   minus_di14, adx14,
                   case when adx14 is null then 'insufficient_history'
                        when try_divide(atr14, close) > %1$s then 'volatile'
                        when adx14 >= %2$s and plus_di14 >= minus_di14 then 'trending_up'
                        when adx14 >= %2$s then 'trending_down'
                        else 'ranging' end as regime,
                   case when adx14 is null then 0.0
                        when try_divide(atr14, close) > %1$s then least(1.0, try_divide(atr14, close) / (2 * %1$s))
                        when adx14 >= %2$s then least(1.0, adx14 / (2 * %2$s))
                        else least(1.0, 0.5 + (%2$s - adx14) / (2 * %2$s)) end as confidence
            from scored
            """
                .formatted(volatileAtrPct, trendAdx));
  }
}
