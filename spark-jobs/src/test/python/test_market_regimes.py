"""The regime report's transformations and checks on a local SparkSession, and a run of the stage
against a data directory: its report, a rerun that changes nothing, and a failed check that
leaves the previous report."""

import datetime
import random

import market_regimes
import pytest
from pyspark.sql import functions as F

DAY = datetime.date(2024, 3, 15)
SCHEMA = (
    "symbol string, trade_date date, close double, daily_return double, atr14 double,"
    " regime string, confidence double"
)


def bar(symbol, regime, confidence, close=100.0, daily_return=0.01, atr14=2.0, day=DAY):
    return (symbol, day, close, daily_return, atr14, regime, confidence)


def frame(spark, rows):
    return spark.createDataFrame(rows, SCHEMA)


def by_regime(summary):
    return {row["regime"]: row.asDict() for row in summary.collect()}


def test_every_regime_has_a_row_in_report_order_with_counts_and_shares(spark):
    analytics = frame(
        spark,
        [
            bar("SYM0001", "trending_up", 0.9),
            bar("SYM0002", "trending_up", 0.7),
            bar("SYM0003", "ranging", 0.6),
            bar("SYM0004", "volatile", 0.8),
        ],
    )
    summary = market_regimes.summarize(analytics, DAY)
    assert [r["regime"] for r in summary.collect()] == list(market_regimes.REGIMES)
    rows = by_regime(summary)
    assert rows["trending_up"]["symbols"] == 2
    assert rows["trending_up"]["share"] == 0.5
    assert rows["trending_up"]["mean_confidence"] == 0.8
    assert rows["ranging"]["share"] == 0.25
    # A regime nobody is in: zero symbols, no means, no names.
    assert rows["trending_down"]["symbols"] == 0
    assert rows["trending_down"]["share"] == 0.0
    assert rows["trending_down"]["mean_confidence"] is None
    assert rows["trending_down"]["top_symbols"] == []
    assert {r["trade_date"] for r in rows.values()} == {DAY}


def test_means_and_atr_share_are_taken_over_the_regimes_symbols(spark):
    analytics = frame(
        spark,
        [
            bar("A", "volatile", 0.5, close=50.0, daily_return=-0.02, atr14=5.0),
            bar("B", "volatile", 1.0, close=200.0, daily_return=0.04, atr14=30.0),
        ],
    )
    row = by_regime(market_regimes.summarize(analytics, DAY))["volatile"]
    assert row["mean_confidence"] == 0.75
    assert row["mean_daily_return"] == 0.01
    # (5/50 + 30/200) / 2
    assert row["mean_atr_pct"] == 0.125


def test_top_symbols_are_the_most_confident_with_ties_by_name(spark):
    rows = [bar(f"S{i:02d}", "ranging", 0.5) for i in range(8)]
    rows += [bar("Z99", "ranging", 0.95), bar("Y98", "ranging", 0.9)]
    top = by_regime(market_regimes.summarize(frame(spark, rows), DAY))["ranging"]["top_symbols"]
    assert top == ["Z99", "Y98", "S00", "S01", "S02"]


def test_the_summary_does_not_depend_on_how_the_input_is_partitioned(spark):
    rng = random.Random(7)
    rows = [
        bar(
            f"SYM{i:04d}",
            rng.choice(market_regimes.REGIMES),
            rng.random(),
            close=rng.uniform(5, 500),
            daily_return=rng.uniform(-0.1, 0.1),
            atr14=rng.uniform(0.1, 20),
        )
        for i in range(2000)
    ]
    one = frame(spark, rows).coalesce(1)
    shuffled = frame(spark, list(reversed(rows))).repartition(7)
    assert market_regimes.checksum(market_regimes.summarize(one, DAY)) == market_regimes.checksum(
        market_regimes.summarize(shuffled, DAY)
    )


def test_clean_analytics_pass_every_check(spark):
    analytics = frame(spark, [bar("A", "ranging", 0.0), bar("B", "insufficient_history", 1.0)])
    results = market_regimes.checks(analytics, min_symbols=2)
    assert [c.name for c in results] == [
        "symbols",
        "unknown_regimes",
        "confidence_out_of_range",
        "duplicate_symbols",
    ]
    assert all(c.passed for c in results)


@pytest.mark.parametrize(
    ("rows", "failing"),
    [
        ([bar("A", "sideways", 0.5)], "unknown_regimes"),
        ([bar("A", None, 0.5)], "unknown_regimes"),
        ([bar("A", "ranging", 1.5)], "confidence_out_of_range"),
        ([bar("A", "ranging", None)], "confidence_out_of_range"),
        ([bar("A", "ranging", 0.5), bar("A", "volatile", 0.6)], "duplicate_symbols"),
        ([], "symbols"),
    ],
)
def test_each_defect_fails_its_own_check(spark, rows, failing):
    results = market_regimes.checks(frame(spark, rows), min_symbols=1)
    assert [c.name for c in results if not c.passed] == [failing]


def write_analytics(spark, data, rows):
    (
        frame(spark, rows)
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy("trade_date")
        .parquet(f"{data}/analytics/daily")
    )


def report_of(spark, data, day=DAY):
    return (
        spark.read.parquet(f"{data}/reports/regimes")
        .filter(F.col("trade_date") == F.lit(day.isoformat()).cast("date"))
        .collect()
    )


def test_a_run_writes_the_dates_report_and_a_rerun_replaces_it_exactly(spark, tmp_path):
    data = str(tmp_path)
    other_day = DAY - datetime.timedelta(days=1)
    write_analytics(
        spark,
        data,
        [bar(f"SYM{i:04d}", market_regimes.REGIMES[i % 3], 0.1 * (i % 10)) for i in range(30)]
        + [bar("SYM0001", "volatile", 0.9, day=other_day)],
    )
    first = market_regimes.run(spark, DAY, data, min_symbols=20)
    assert first["passed"] is True
    assert first["rows_read"] == 30
    assert first["rows_written"] == len(market_regimes.REGIMES)
    assert first["regimes"] == {
        "trending_up": 10,
        "trending_down": 10,
        "ranging": 10,
        "volatile": 0,
        "insufficient_history": 0,
    }
    market_regimes.run(spark, other_day, data, min_symbols=1)

    again = market_regimes.run(spark, DAY, data, min_symbols=20)
    assert again["output_checksum"] == first["output_checksum"]
    assert len(report_of(spark, data)) == len(market_regimes.REGIMES)
    # The other date's report is untouched by the rerun.
    assert {r["regime"]: r["symbols"] for r in report_of(spark, data, other_day)}["volatile"] == 1


def test_a_failed_check_names_it_and_leaves_the_previous_report(spark, tmp_path):
    data = str(tmp_path)
    write_analytics(spark, data, [bar("A", "ranging", 0.5), bar("B", "volatile", 0.5)])
    market_regimes.run(spark, DAY, data, min_symbols=1)
    before = sorted(r.asDict().items() for r in report_of(spark, data))

    write_analytics(spark, data, [bar("A", "ranging", 0.5), bar("A", "sideways", 7.0)])
    with pytest.raises(market_regimes.QualityCheckFailed) as failed:
        market_regimes.run(spark, DAY, data, min_symbols=1)
    message = str(failed.value)
    assert "unknown_regimes = 1 (must be <= 0)" in message
    assert "confidence_out_of_range = 1" in message
    assert "duplicate_symbols = 1" in message
    assert failed.value.metrics["passed"] is False
    assert sorted(r.asDict().items() for r in report_of(spark, data)) == before


def test_arguments_are_parsed_and_a_bad_date_is_refused():
    args = market_regimes.parse(["--date", "2024-03-15", "--data", "/d", "--min-symbols", "3"])
    assert (args.date, args.data, args.min_symbols) == (DAY, "/d", 3)
    with pytest.raises(SystemExit):
        market_regimes.parse(["--date", "2024-13-01", "--data", "/d"])
