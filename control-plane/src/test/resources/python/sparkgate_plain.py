"""A PySpark job that knows nothing of Sparkgate: no helper, no metrics of its own.

Two Spark jobs (a grouped count, whose shuffle gives it two stages, and a sum), then it holds its
driver until the file named by its one argument exists (at most five minutes), so a test can look
at the running application.
"""

import os
import sys
import time

from pyspark.sql import SparkSession


def main(release):
    spark = SparkSession.builder.getOrCreate()
    rows = spark.range(0, 10000, 1, 4).selectExpr("id % 7 as k").groupBy("k").count().collect()
    total = spark.sparkContext.parallelize(range(1000), 3).sum()
    print(f"sparkgate plain: groups={len(rows)} total={total}", flush=True)
    deadline = time.monotonic() + 300
    while not os.path.exists(release) and time.monotonic() < deadline:
        time.sleep(0.2)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
