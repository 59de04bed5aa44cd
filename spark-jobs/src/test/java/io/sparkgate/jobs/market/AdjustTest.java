package io.sparkgate.jobs.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.sql.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class AdjustTest {

  final SparkSession spark = SparkTestSession.get();

  static Row bar(String date, double close, long volume) {
    return RowFactory.create("ABC", Date.valueOf(date), close, close + 1, close - 1, close, volume);
  }

  @Test
  void backAdjustmentDividesEarlierPricesBySplitsAndDividends() {
    Dataset<Row> bars =
        spark.createDataFrame(
            List.of(
                bar("2024-01-02", 98, 1000),
                bar("2024-01-03", 100, 1000),
                bar("2024-01-04", 99, 1000),
                bar("2024-01-05", 50, 2000),
                bar("2024-01-08", 51, 2000)),
            StructType.fromDDL(
                "symbol STRING, trade_date DATE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume BIGINT"));
    // A 2:1 split effective 2024-01-05; a 1.00 dividend going ex on 2024-01-04, whose previous
    // close (2024-01-03) is 100.
    Dataset<Row> splits =
        spark.createDataFrame(
            List.of(RowFactory.create("ABC", Date.valueOf("2024-01-05"), 2, 1)),
            StructType.fromDDL("symbol STRING, ex_date DATE, numerator INT, denominator INT"));
    Dataset<Row> dividends =
        spark.createDataFrame(
            List.of(RowFactory.create("ABC", Date.valueOf("2024-01-04"), 1.0)),
            StructType.fromDDL("symbol STRING, ex_date DATE, amount DOUBLE"));

    Map<String, Row> byDate =
        Adjust.adjust(bars, splits, dividends).collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getAs("trade_date").toString(), r -> r));

    // Hand-computed: before both events 0.5 x (1 - 1/100) = 0.495; between them 0.5; after, 1.
    assertThat((double) byDate.get("2024-01-02").getAs("adj_close"))
        .isCloseTo(98 * 0.495, within(1e-9));
    assertThat((double) byDate.get("2024-01-03").getAs("adj_close")).isCloseTo(49.5, within(1e-9));
    assertThat((double) byDate.get("2024-01-04").getAs("adj_close")).isCloseTo(49.5, within(1e-9));
    assertThat((double) byDate.get("2024-01-05").getAs("adj_close")).isEqualTo(50.0);
    assertThat((double) byDate.get("2024-01-08").getAs("adj_close")).isEqualTo(51.0);
    // The high follows the same factor; volumes before the split double.
    assertThat((double) byDate.get("2024-01-03").getAs("adj_high"))
        .isCloseTo(101 * 0.495, within(1e-9));
    assertThat((long) byDate.get("2024-01-02").getAs("adj_volume")).isEqualTo(2000);
    assertThat((long) byDate.get("2024-01-05").getAs("adj_volume")).isEqualTo(2000);
  }
}
