package io.sparkgate.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriverLogsTest {

  @TempDir Path dir;

  @Test
  void excerptIsTheUncaughtExceptionWithItsCauses() throws Exception {
    Path log = dir.resolve("driver.log");
    Files.writeString(
        log,
        """
        26/01/01 INFO SparkContext: Running Spark version 4.1.3
        26/01/01 WARN Something: java.io.IOException: a handled warning
        Exception in thread "main" java.lang.IllegalStateException: intentional failure: bad input
        \tat io.sparkgate.jobs.demo.DemoJob.main(DemoJob.java:40)
        Caused by: java.io.FileNotFoundException: data/raw/2024-01-01
        \t... 12 more
        26/01/01 INFO ShutdownHookManager: Shutdown hook called
        """);
    assertThat(DriverLogs.errorExcerpt(log))
        .isEqualTo(
            "Exception in thread \"main\" java.lang.IllegalStateException: intentional failure: bad input\n"
                + "Caused by: java.io.FileNotFoundException: data/raw/2024-01-01");
  }

  @Test
  void aClusterDriversReflectiveWrapperGivesWayToTheJobsException() throws Exception {
    Path log = dir.resolve("driver.log");
    Files.writeString(
        log,
        """
        Exception in thread "main" java.lang.reflect.InvocationTargetException
        	at java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
        	at org.apache.spark.deploy.worker.DriverWrapper$.main(DriverWrapper.scala:63)
        Caused by: java.lang.IllegalStateException: cluster failure
        	at io.sparkgate.jobs.demo.DemoJob.main(DemoJob.java:66)
        """);
    assertThat(DriverLogs.errorExcerpt(log))
        .isEqualTo(
            "java.lang.IllegalStateException: cluster failure\n"
                + "(Exception in thread \"main\" java.lang.reflect.InvocationTargetException)");
  }

  @Test
  void excerptFallsBackToAThrowableLine() throws Exception {
    Path log = dir.resolve("driver.log");
    Files.writeString(log, "start\norg.apache.spark.SparkException: Job aborted\n\tat x\n");
    assertThat(DriverLogs.errorExcerpt(log))
        .isEqualTo("org.apache.spark.SparkException: Job aborted");
    Files.writeString(log, "all good\n");
    assertThat(DriverLogs.errorExcerpt(log)).isNull();
    assertThat(DriverLogs.errorExcerpt(dir.resolve("missing.log"))).isNull();
  }

  @Test
  void excerptOfAPythonDriverIsItsExceptionAndLastFrames() throws Exception {
    // The tail of a real PySpark 4.1.3 driver whose script raised (Python 3.11).
    Path log = dir.resolve("driver.log");
    Files.writeString(
        log,
        """
        26/12/03 18:13:34.338 WARN NativeCodeLoader: Unable to load native-hadoop library
        26/12/03 18:13:35.001 WARN Something: java.io.IOException: a handled warning
        sparkgate python: run none buckets=10 squares=328350
        Traceback (most recent call last):
          File "/opt/jobs/job.py", line 30, in <module>
            main()
          File "/opt/jobs/job.py", line 25, in main
            check(squares)
            ^^^^^^^^^^^^^^
          File "/opt/jobs/job.py", line 19, in check
            validate(squares)
          File "/opt/jobs/job.py", line 9, in validate
            raise ValueError(f"intentional python failure: squares={squares}")
        ValueError: intentional python failure: squares=328350
        26/12/03 18:13:36.100 INFO ShutdownHookManager: Shutdown hook called
        """);
    assertThat(DriverLogs.errorExcerpt(log))
        .isEqualTo(
            """
            ValueError: intentional python failure: squares=328350
              File "/opt/jobs/job.py", line 25, in main
                check(squares)
              File "/opt/jobs/job.py", line 19, in check
                validate(squares)
              File "/opt/jobs/job.py", line 9, in validate
                raise ValueError(f"intentional python failure: squares={squares}")""");
  }

  @Test
  void excerptOfACapturedSparkErrorInPythonIsItsFirstLine() throws Exception {
    // A Spark error raised through py4j: frames inside pyspark.zip print no source line, and the
    // message runs over several lines.
    Path log = dir.resolve("driver.log");
    Files.writeString(
        log,
        """
        {"ts": "2026-12-03 18:13:48.799", "level": "ERROR", "msg": "[TABLE_OR_VIEW_NOT_FOUND]"}
        Traceback (most recent call last):
          File "/opt/jobs/job.py", line 21, in <module>
            spark.sql("select * from no_such_table").collect()
            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
          File "/spark/python/lib/pyspark.zip/pyspark/sql/session.py", line 1816, in sql
          File "/spark/python/lib/py4j-0.10.9.9-src.zip/py4j/java_gateway.py", line 1362, in __call__
          File "/spark/python/lib/pyspark.zip/pyspark/errors/exceptions/captured.py", line 269, in deco
        pyspark.errors.exceptions.captured.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view `no_such_table` cannot be found.
        If you did not qualify the name with a schema, verify the current_schema() output.
        'Project [*]
        +- 'UnresolvedRelation [no_such_table], [], false
        """);
    assertThat(DriverLogs.errorExcerpt(log))
        .isEqualTo(
            """
            pyspark.errors.exceptions.captured.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view `no_such_table` cannot be found.
              File "/spark/python/lib/pyspark.zip/pyspark/sql/session.py", line 1816, in sql
              File "/spark/python/lib/py4j-0.10.9.9-src.zip/py4j/java_gateway.py", line 1362, in __call__
              File "/spark/python/lib/pyspark.zip/pyspark/errors/exceptions/captured.py", line 269, in deco""");
  }

  @Test
  void aJvmExceptionAfterATracebackIsTheExcerpt() throws Exception {
    Path log = dir.resolve("driver.log");
    Files.writeString(
        log,
        """
        Traceback (most recent call last):
          File "/opt/jobs/job.py", line 3, in <module>
        KeyError: 'x'
        Exception in thread "main" org.apache.spark.SparkException: the driver gave up
        \tat org.apache.spark.deploy.PythonRunner.main(PythonRunner.scala:1)
        """);
    assertThat(DriverLogs.errorExcerpt(log))
        .isEqualTo(
            "Exception in thread \"main\" org.apache.spark.SparkException: the driver gave up");
    // A traceback cut off before its exception line: the JVM line it has, or nothing.
    Files.writeString(
        log,
        "java.lang.IllegalStateException: earlier\nTraceback (most recent call last):\n"
            + "  File \"/opt/jobs/job.py\", line 3, in <module>\n");
    assertThat(DriverLogs.errorExcerpt(log)).isEqualTo("java.lang.IllegalStateException: earlier");
  }

  @Test
  void excerptCarriesNoControlCharacters() throws Exception {
    // PostgreSQL's text cannot hold NUL: a job printing one must not break the run's record.
    Path log = dir.resolve("driver.log");
    Files.writeString(log, "java.lang.RuntimeException: bad\u0000byte\u001b[31m red\tok\n");
    assertThat(DriverLogs.errorExcerpt(log))
        .isEqualTo("java.lang.RuntimeException: bad\uFFFDbyte\uFFFD[31m red\tok");
  }

  @Test
  void slicesByOffsetAndTail() throws Exception {
    Path log = dir.resolve("driver.log");
    Files.writeString(log, "0123456789");
    DriverLogs.Slice middle = DriverLogs.read(log, 3, 4, null);
    assertThat(new String(middle.data(), StandardCharsets.UTF_8)).isEqualTo("3456");
    assertThat(middle.size()).isEqualTo(10);
    DriverLogs.Slice tail = DriverLogs.read(log, 0, 100, 3);
    assertThat(tail.offset()).isEqualTo(7);
    assertThat(new String(tail.data(), StandardCharsets.UTF_8)).isEqualTo("789");
    assertThat(DriverLogs.read(log, 50, 4, null).data()).isEmpty();
  }
}
