package io.sparkgate.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoJobTest {

  @Test
  void printFillerWritesExactlyTheBytesAskedFor() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DemoJob.printFiller((1 << 20) * 2L + 5, out);
    byte[] bytes = out.toByteArray();
    assertThat(bytes).hasSize((1 << 20) * 2 + 5);
    assertThat(new String(bytes, 0, 1024, StandardCharsets.US_ASCII))
        .isEqualTo(".".repeat(1023) + "\n");
  }

  @Test
  void printFillerOfZeroBytesPrintsNothing() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DemoJob.printFiller(0, out);
    assertThat(out.size()).isZero();
  }

  @Test
  void printBytesIsParsedLikeTheOtherOptions() {
    assertThat(DemoJob.parse(new String[] {"--print-bytes", "209715200"}))
        .containsEntry("print-bytes", "209715200");
  }
}
