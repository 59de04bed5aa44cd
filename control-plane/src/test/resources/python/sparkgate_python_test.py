"""A PySpark job for the end-to-end tests.

A DataFrame query and an RDD map (which runs in Python workers), its metrics reported through
sparkgate_job, then, by its one argument: success, a raised exception, a driver held for cancel,
(deps) a module from the job's pyFiles and a file from its unpacked archive, on the workers, or
(packed) a module of the packed environment the workers run on.
"""

import os
import sys
import time

import sparkgate_job
from pyspark import SparkFiles
from pyspark.sql import SparkSession


def check(squares):
    raise ValueError(f"intentional python failure: squares={squares}")


def uses_dependencies(_):
    import sparkgate_test_dep  # from the job's pyFiles (a zip)

    with open(os.path.join(SparkFiles.get("deps"), "greeting.txt")) as f:  # from its archive
        return sparkgate_test_dep.greet(f.read().strip())


def uses_packed_environment(_):
    import sparkgate_packed_dep  # installed in the packed environment only

    return f"{os.path.basename(sys.prefix)} {sparkgate_packed_dep.WHERE}"


def main(mode):
    spark = SparkSession.builder.getOrCreate()
    run_id = spark.conf.get("spark.sparkgate.runId", "none")
    rows = spark.range(0, 1000).selectExpr("id % 10 as bucket").groupBy("bucket").count().collect()
    squares = spark.sparkContext.parallelize(range(100), 2).map(lambda x: x * x).sum()
    print(f"sparkgate python: run {run_id} buckets={len(rows)} squares={squares}", flush=True)
    worker = spark.sparkContext.parallelize([0], 1).map(lambda _: sys.executable).collect()[0]
    print(f"sparkgate python: driver on {sys.executable}, worker on {worker}", flush=True)
    accepted = sparkgate_job.report(spark, {"buckets": len(rows), "squares": squares})
    print(f"sparkgate python: metrics accepted={accepted}", flush=True)
    if mode == "fail":
        check(squares)
    if mode == "deps":
        on_worker = spark.sparkContext.parallelize([1], 1).map(uses_dependencies).collect()[0]
        print(f"sparkgate python: driver {uses_dependencies(0)}, worker {on_worker}", flush=True)
    if mode == "packed":
        packed = spark.sparkContext.parallelize([1], 1).map(uses_packed_environment)
        on_worker = packed.collect()[0]
        print(f"sparkgate python: worker in {on_worker}", flush=True)
    if mode == "hold":
        print("sparkgate python: holding the driver", flush=True)
        time.sleep(600)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
