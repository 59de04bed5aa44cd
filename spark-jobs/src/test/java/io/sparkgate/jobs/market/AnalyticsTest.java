package io.sparkgate.jobs.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class AnalyticsTest {

  final SparkSession spark = SparkTestSession.get();

  /** A worked example: 40 bars whose highs, lows and closes follow a fixed, bumpy pattern. */
  static double[][] series(int n, double drift) {
    double[][] hlc = new double[n][3];
    double close = 100;
    for (int i = 0; i < n; i++) {
      close = close + drift + ((i * 7) % 5 - 2) * 0.8;
      double high = close + 1 + (i % 3) * 0.5;
      double low = close - 1 - (i % 4) * 0.25;
      hlc[i] = new double[] {high, low, close};
    }
    return hlc;
  }

  Dataset<Row> adjusted(double[][] hlc) {
    List<Row> rows = new ArrayList<>();
    LocalDate day = LocalDate.of(2024, 1, 1);
    for (double[] bar : hlc) {
      rows.add(RowFactory.create("XYZ", Date.valueOf(day), bar[0], bar[1], bar[2]));
      day = day.plusDays(1);
    }
    return spark.createDataFrame(
        rows,
        StructType.fromDDL(
            "symbol STRING, trade_date DATE, adj_high DOUBLE, adj_low DOUBLE, adj_close DOUBLE"));
  }

  @Test
  void indicatorsMatchAStraightforwardComputation() {
    double[][] hlc = series(40, 0.3);
    List<Row> rows =
        Analytics.indicators(adjusted(hlc), 0.05, 25).orderBy("trade_date").collectAsList();

    // The same definitions, computed with plain loops.
    int n = hlc.length;
    double[] tr = new double[n];
    double[] plusDm = new double[n];
    double[] minusDm = new double[n];
    for (int i = 0; i < n; i++) {
      double h = hlc[i][0];
      double l = hlc[i][1];
      if (i == 0) {
        tr[i] = h - l;
        continue;
      }
      double pc = hlc[i - 1][2];
      tr[i] = Math.max(h - l, Math.max(Math.abs(h - pc), Math.abs(l - pc)));
      double up = h - hlc[i - 1][0];
      double down = hlc[i - 1][1] - l;
      plusDm[i] = up > down && up > 0 ? up : 0;
      minusDm[i] = down > up && down > 0 ? down : 0;
    }
    double[] dx = new double[n];
    for (int i = 14; i < n; i++) {
      double sumTr = 0;
      double sumPlus = 0;
      double sumMinus = 0;
      for (int j = i - 13; j <= i; j++) {
        sumTr += tr[j];
        sumPlus += plusDm[j];
        sumMinus += minusDm[j];
      }
      double pdi = 100 * sumPlus / sumTr;
      double mdi = 100 * sumMinus / sumTr;
      dx[i] = pdi + mdi > 0 ? 100 * Math.abs(pdi - mdi) / (pdi + mdi) : 0;
      Row row = rows.get(i);
      assertThat((double) row.getAs("atr14")).isCloseTo(sumTr / 14, within(1e-9));
      assertThat((double) row.getAs("plus_di14")).isCloseTo(pdi, within(1e-9));
      assertThat((double) row.getAs("minus_di14")).isCloseTo(mdi, within(1e-9));
      if (i >= 27) {
        double adx = 0;
        for (int j = i - 13; j <= i; j++) {
          adx += dx[j];
        }
        assertThat((double) row.getAs("adx14")).isCloseTo(adx / 14, within(1e-9));
      } else {
        assertThat((Object) row.getAs("adx14")).isNull();
        assertThat((String) row.getAs("regime")).isEqualTo("insufficient_history");
      }
    }
    assertThat((Object) rows.get(13).getAs("atr14")).isNull();
    assertThat((double) rows.get(1).getAs("daily_return"))
        .isCloseTo(hlc[1][2] / hlc[0][2] - 1, within(1e-12));
  }

  @Test
  void regimesFollowTrendAndVolatility() {
    // A falling price makes the same ATR a larger share of the close: thresholds high enough
    // that only trend decides.
    Row up = last(series(40, 1.5), 0.2);
    assertThat((String) up.getAs("regime")).isEqualTo("trending_up");
    assertThat((double) up.getAs("confidence")).isBetween(0.5, 1.0);
    Row down = last(series(40, -1.5), 0.2);
    assertThat((String) down.getAs("regime")).isEqualTo("trending_down");
    // The same rising series is "volatile" once the ATR threshold is below its ATR share.
    assertThat((String) last(series(40, 1.5), 0.001).getAs("regime")).isEqualTo("volatile");
    Row flat = last(series(40, 0.0), 0.05);
    assertThat((String) flat.getAs("regime")).isEqualTo("ranging");
  }

  Row last(double[][] hlc, double volatileAtrPct) {
    List<Row> rows =
        Analytics.indicators(adjusted(hlc), volatileAtrPct, 25)
            .orderBy("trade_date")
            .collectAsList();
    return rows.get(rows.size() - 1);
  }
}
