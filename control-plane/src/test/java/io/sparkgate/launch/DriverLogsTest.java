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
