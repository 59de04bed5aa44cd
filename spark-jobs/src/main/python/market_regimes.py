"""Stage 6 of the market-data pipeline, in PySpark: the regime report of one date.

Reads the analytics of the date (``analytics/daily``, written by the JVM stage ``market-analytics``)
and writes one row per market regime to ``reports/regimes/trade_date=<date>/``: how many symbols
are in it, their share of the day, their mean confidence, daily return and ATR as a share of the
close, and the most confident symbols. Every known regime has a row, an empty one too, so reports of
two dates line up.

Before it writes, it checks the analytics it summarises (every regime known, every confidence in
[0, 1], one row per symbol, at least ``--min-symbols`` symbols); a failed check fails the run,
naming each check, and leaves the date's previous report as it was. Every check and the summary are
reported to the Sparkgate run through ``sparkgate_job``.

Reruns are exact: a rerun replaces the date's partition, and the means are computed in decimal
arithmetic, so their value does not depend on the order in which Spark adds the rows up.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

# The regimes market-analytics assigns, in report order.
REGIMES = ("trending_up", "trending_down", "ranging", "volatile", "insufficient_history")
TOP_SYMBOLS = 5
# Exact sums: 12 decimal places hold every indicator's precision that matters for a mean.
EXACT = "decimal(24,12)"


@dataclass(frozen=True)
class Check:
    """One data-quality check: the measured value, its threshold and whether it holds."""

    name: str
    value: float
    threshold: float
    comparison: str

    @property
    def passed(self) -> bool:
        if self.comparison == "<=":
            return self.value <= self.threshold
        return self.value >= self.threshold

    def as_metric(self) -> dict:
        return {
            "name": self.name,
            "value": self.value,
            "threshold": self.threshold,
            "comparison": self.comparison,
            "passed": self.passed,
        }

    def describe(self) -> str:
        return f"{self.name} = {self.value:g} (must be {self.comparison} {self.threshold:g})"


class QualityCheckFailed(Exception):
    """The analytics of the date breach at least one check; nothing was written."""

    def __init__(self, message: str, metrics: dict):
        super().__init__(message)
        self.metrics = metrics


def analytics_of(spark: SparkSession, data: str, date: datetime.date) -> DataFrame:
    return spark.read.parquet(f"{data}/analytics/daily").filter(
        F.col("trade_date") == F.lit(date.isoformat()).cast("date")
    )


def checks(analytics: DataFrame, min_symbols: int) -> list[Check]:
    """The checks of one date's analytics, in one pass over them."""
    row = analytics.agg(
        F.count(F.lit(1)).alias("rows"),
        F.countDistinct("symbol").alias("symbols"),
        F.count_if(~F.col("regime").isin(*REGIMES) | F.col("regime").isNull()).alias("unknown"),
        F.count_if(
            F.col("confidence").isNull() | (F.col("confidence") < 0) | (F.col("confidence") > 1)
        ).alias("bad_confidence"),
    ).first()
    return [
        Check("symbols", row["symbols"], min_symbols, ">="),
        Check("unknown_regimes", row["unknown"], 0, "<="),
        Check("confidence_out_of_range", row["bad_confidence"], 0, "<="),
        Check("duplicate_symbols", row["rows"] - row["symbols"], 0, "<="),
    ]


def summarize(analytics: DataFrame, date: datetime.date) -> DataFrame:
    """One row per known regime (empty ones too) for the date, in ``REGIMES`` order."""
    spark = analytics.sparkSession
    total = F.sum("symbols").over(_whole_day())
    by_regime = analytics.groupBy("regime").agg(
        F.count(F.lit(1)).alias("symbols"),
        _exact_mean(F.col("confidence")).alias("mean_confidence"),
        _exact_mean(F.col("daily_return")).alias("mean_daily_return"),
        _exact_mean(F.try_divide(F.col("atr14"), F.col("close"))).alias("mean_atr_pct"),
        # The most confident first, ties by name: a stable choice whatever the row order.
        F.slice(
            F.transform(
                F.sort_array(
                    F.collect_list(F.struct((-F.col("confidence")).alias("rank"), F.col("symbol")))
                ),
                lambda ranked: ranked["symbol"],
            ),
            1,
            TOP_SYMBOLS,
        ).alias("top_symbols"),
    )
    known = spark.createDataFrame(
        [(regime, order) for order, regime in enumerate(REGIMES)], "regime string, position int"
    )
    return (
        known.join(by_regime, "regime", "left")
        .withColumn("symbols", F.coalesce(F.col("symbols"), F.lit(0)).cast("long"))
        .withColumn(
            "share",
            F.when(total > 0, F.round(F.col("symbols") / total, 6)).otherwise(F.lit(0.0)),
        )
        .withColumn(
            "top_symbols", F.coalesce(F.col("top_symbols"), F.array().cast("array<string>"))
        )
        .withColumn("trade_date", F.lit(date.isoformat()).cast("date"))
        .orderBy("position")
        .select(
            "regime",
            "symbols",
            "share",
            "mean_confidence",
            "mean_daily_return",
            "mean_atr_pct",
            "top_symbols",
            "trade_date",
        )
    )


def checksum(rows: DataFrame) -> str:
    """The same order-independent fingerprint the JVM stages report: XOR of row hashes / count."""
    row = rows.select(
        F.expr("bit_xor(xxhash64(*))").alias("checksum"), F.count(F.lit(1)).alias("n")
    ).first()
    value = row["checksum"] or 0
    return f"{value & 0xFFFFFFFFFFFFFFFF:x}/{row['n']}"


def run(spark: SparkSession, date: datetime.date, data: str, min_symbols: int) -> dict:
    """Checks and summarises the date; returns the run's metrics, raises when a check fails."""
    analytics = analytics_of(spark, data, date)
    results = checks(analytics, min_symbols)
    metrics = {
        "stage": "regimes",
        "trade_date": date.isoformat(),
        "passed": all(c.passed for c in results),
        "checks": [c.as_metric() for c in results],
    }
    failed = [c.describe() for c in results if not c.passed]
    if failed:
        raise QualityCheckFailed(
            f"regime report of {date} not written, its input fails: " + "; ".join(failed),
            metrics,
        )
    table = f"{data}/reports/regimes"
    (
        summarize(analytics, date)
        .coalesce(1)
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy("trade_date")
        .parquet(table)
    )
    written = spark.read.parquet(table).filter(
        F.col("trade_date") == F.lit(date.isoformat()).cast("date")
    )
    summary = written.orderBy("regime").collect()
    metrics["rows_read"] = sum(r["symbols"] for r in summary)
    metrics["rows_written"] = len(summary)
    metrics["output_checksum"] = checksum(written)
    metrics["regimes"] = {r["regime"]: r["symbols"] for r in summary}
    return metrics


def _exact_mean(column):
    return F.round(F.avg(column.cast(EXACT)), 6).cast("double")


def _whole_day():
    return Window.partitionBy()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="market_regimes", description=__doc__.splitlines()[0])
    parser.add_argument("--date", required=True, type=datetime.date.fromisoformat)
    parser.add_argument("--data", required=True, help="the pipeline's data directory")
    parser.add_argument("--min-symbols", type=int, default=1)
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    import sparkgate_job  # put on the path of every Python job by Sparkgate

    args = parse(argv)
    spark = (
        SparkSession.builder.appName(f"regimes-{args.date}")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        try:
            metrics = run(spark, args.date, args.data, args.min_symbols)
        except QualityCheckFailed as failed:
            sparkgate_job.report(spark, failed.metrics)
            raise
        sparkgate_job.report(spark, metrics)
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
