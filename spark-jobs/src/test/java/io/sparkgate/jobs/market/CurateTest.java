package io.sparkgate.jobs.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class CurateTest {

  static final LocalDate DATE = LocalDate.of(2024, 3, 14);
  final SparkSession spark = SparkTestSession.get();

  static String bar(
      String symbol,
      String utcTime,
      Object o,
      Object h,
      Object l,
      Object c,
      Object v,
      String ingestedAt) {
    return """
        {"symbol":"%s","source":"test","endpointType":"bars","ingestedAt":"%s","tradeDate":"2024-03-14",\
        "marketTimezone":"America/New_York","payload":{"t":%d,"o":%s,"h":%s,"l":%s,"c":%s,"v":%s}}"""
        .formatted(
            symbol, ingestedAt, java.time.Instant.parse(utcTime).toEpochMilli(), o, h, l, c, v);
  }

  Dataset<Row> validated(String... lines) {
    Dataset<Row> text = spark.createDataset(List.of(lines), Encoders.STRING()).toDF("value");
    return Curate.validateBars(Curate.parse(text), DATE);
  }

  Map<String, String> reasons(Dataset<Row> validated) {
    return validated.collectAsList().stream()
        .collect(
            Collectors.toMap(
                r -> r.getAs("symbol") == null ? "?" : r.getAs("symbol"),
                r -> String.valueOf((Object) r.getAs("reason")),
                (a, b) -> a));
  }

  @Test
  void badBarsAreQuarantinedWithAReason() {
    Dataset<Row> checked =
        validated(
            bar("GOOD", "2024-03-14T20:00:00Z", 10, 11, 9, 10.5, 100, "2024-03-15T01:30:00Z"),
            bar("NULLC", "2024-03-14T20:00:00Z", 10, 11, 9, "null", 100, "2024-03-15T01:30:00Z"),
            bar("HILO", "2024-03-14T20:00:00Z", 10, 9, 11, 10.5, 100, "2024-03-15T01:30:00Z"),
            bar("NEGV", "2024-03-14T20:00:00Z", 10, 11, 9, 10.5, -1, "2024-03-15T01:30:00Z"),
            bar("LATE", "2024-03-15T20:00:00Z", 10, 11, 9, 10.5, 100, "2024-03-15T01:30:00Z"),
            "{not json");
    Map<String, String> reasons = reasons(checked);
    assertThat(reasons.get("GOOD")).isEqualTo("null");
    assertThat(reasons.get("NULLC")).isEqualTo("missing price or volume");
    assertThat(reasons.get("HILO")).isEqualTo("high/low inconsistent with open/close");
    assertThat(reasons.get("NEGV")).isEqualTo("negative volume");
    assertThat(reasons.get("LATE")).isEqualTo("trade date 2024-03-15 is not the run date");
    assertThat(reasons.get("?")).isEqualTo("unparseable envelope");
  }

  @Test
  void theTradeDateIsTheMarketsDateNotUtcs() {
    // 02:30 UTC on the 15th is 22:30 on the 14th in New York (EDT, UTC-4 since 10 March 2024).
    Dataset<Row> checked =
        validated(
            bar("EVENING", "2024-03-15T02:30:00Z", 10, 11, 9, 10.5, 100, "2024-03-15T03:00:00Z"));
    Row row = checked.collectAsList().get(0);
    assertThat(row.getAs("trade_date").toString()).isEqualTo("2024-03-14");
    assertThat((Object) row.getAs("reason")).isNull();
    // And 04:30 UTC is already past midnight in New York: the 15th.
    Row after =
        validated(
                bar("NIGHT", "2024-03-15T04:30:00Z", 10, 11, 9, 10.5, 100, "2024-03-15T05:00:00Z"))
            .collectAsList()
            .get(0);
    assertThat(after.getAs("trade_date").toString()).isEqualTo("2024-03-15");
  }

  @Test
  void duplicatesCollapseToTheLatestIngested() {
    Dataset<Row> checked =
        validated(
            bar("DUP", "2024-03-14T20:00:00Z", 10, 11, 9, 10.5, 100, "2024-03-15T01:30:00Z"),
            bar("DUP", "2024-03-14T20:00:00Z", 10, 11, 9, 10.5, 100, "2024-03-15T01:30:00Z"),
            bar("DUP", "2024-03-14T20:00:00Z", 10, 12, 9, 11.5, 100, "2024-03-15T02:30:00Z"));
    List<Row> clean = Curate.dedupeBars(checked.filter("reason is null")).collectAsList();
    assertThat(clean).hasSize(1);
    assertThat((double) clean.get(0).getAs("close")).isEqualTo(11.5);
  }
}
