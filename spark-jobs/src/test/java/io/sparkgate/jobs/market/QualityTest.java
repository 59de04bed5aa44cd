package io.sparkgate.jobs.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class QualityTest {

  final SparkSession spark = SparkTestSession.get();
  static final String CURATED =
      "symbol STRING, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume BIGINT, trade_date DATE";

  Dataset<Row> raw(int n, int nullCloses) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(
          "{\"symbol\":\"S"
              + i
              + "\",\"payload\":{\"t\":1,\"o\":1,\"h\":2,\"l\":0.5,\"c\":"
              + (i < nullCloses ? "null" : "1.5")
              + ",\"v\":10}}");
    }
    return Curate.parse(spark.createDataset(lines, Encoders.STRING()).toDF("value"));
  }

  Dataset<Row> curated(int n, boolean insane, boolean duplicate) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double high = insane && i == 0 ? 0.9 : 2;
      rows.add(RowFactory.create("S" + i, 1.0, high, 0.5, 1.5, 10L, Date.valueOf("2024-01-02")));
    }
    if (duplicate) {
      rows.add(RowFactory.create("S0", 1.0, 2.0, 0.5, 1.5, 10L, Date.valueOf("2024-01-02")));
    }
    return spark.createDataFrame(rows, StructType.fromDDL(CURATED));
  }

  Dataset<Row> symbols(int n, String ddl) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create("S" + i));
    }
    return spark.createDataFrame(rows, StructType.fromDDL(ddl));
  }

  Map<String, Boolean> run(
      Dataset<Row> raw, Dataset<Row> curated, int quarantined, int analyticsSymbols, int expected) {
    return Quality.checks(
            raw,
            curated,
            symbols(quarantined, "symbol STRING"),
            symbols(analyticsSymbols, "symbol STRING"),
            expected,
            0.02,
            0.05,
            0.95)
        .stream()
        .collect(Collectors.toMap(Quality.Check::name, Quality.Check::passed));
  }

  @Test
  void aCleanDayPassesEveryCheck() {
    assertThat(run(raw(100, 0), curated(100, false, false), 0, 100, 100))
        .doesNotContainValue(false);
  }

  @Test
  void eachCheckFailsOnPurpose() {
    assertThat(run(raw(100, 0), curated(90, false, false), 0, 90, 100))
        .containsEntry("coverage", false);
    assertThat(run(raw(100, 3), curated(100, false, false), 0, 100, 100))
        .containsEntry("null_ratio.c", false);
    assertThat(run(raw(100, 0), curated(100, false, false), 6, 100, 100))
        .containsEntry("quarantine_ratio", false);
    assertThat(run(raw(100, 0), curated(100, true, false), 0, 100, 100))
        .containsEntry("price_sanity_violations", false);
    assertThat(run(raw(100, 0), curated(100, false, true), 0, 100, 100))
        .containsEntry("duplicate_symbol_dates", false);
    assertThat(run(raw(100, 0), curated(100, false, false), 0, 99, 100))
        .containsEntry("symbols_without_analytics", false);
  }

  @Test
  void aFailedCheckDescribesItsValueAndThreshold() {
    Quality.Check check = Quality.Check.atMost("null_ratio.c", 0.03, 0.02);
    assertThat(check.passed()).isFalse();
    assertThat(check.describe()).isEqualTo("null_ratio.c = 0.03 (must be <= 0.02)");
  }
}
