"""A local SparkSession of the runtime the build assembles (target/spark-home), for every test.

run.sh puts the runtime's PySpark and Py4J, the jobs' sources and Sparkgate's helper on the path.
"""

import pytest
from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark():
    session = (
        SparkSession.builder.master("local[2]")
        .appName("spark-jobs-pytest")
        .config("spark.sql.shuffle.partitions", "3")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    yield session
    session.stop()
