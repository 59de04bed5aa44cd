"""A PySpark job for the end-to-end tests.

A DataFrame query and an RDD map (which runs in Python workers), its metrics reported through
sparkgate_job, then, by its one argument: success, a raised exception, or a driver held for cancel.
"""

import sys
import time

import sparkgate_job
from pyspark.sql import SparkSession


def check(squares):
    raise ValueError(f"intentional python failure: squares={squares}")


def main(mode):
    spark = SparkSession.builder.getOrCreate()
    run_id = spark.conf.get("spark.sparkgate.runId", "none")
    rows = spark.range(0, 1000).selectExpr("id % 10 as bucket").groupBy("bucket").count().collect()
    squares = spark.sparkContext.parallelize(range(100), 2).map(lambda x: x * x).sum()
    print(f"sparkgate python: run {run_id} buckets={len(rows)} squares={squares}", flush=True)
    accepted = sparkgate_job.report(spark, {"buckets": len(rows), "squares": squares})
    print(f"sparkgate python: metrics accepted={accepted}", flush=True)
    if mode == "fail":
        check(squares)
    if mode == "hold":
        print("sparkgate python: holding the driver", flush=True)
        time.sleep(600)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
