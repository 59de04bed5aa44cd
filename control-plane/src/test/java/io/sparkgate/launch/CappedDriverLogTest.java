package io.sparkgate.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CappedDriverLogTest {

  @TempDir Path dir;

  /** Numbered lines, so that any cut shows where it lies. */
  static byte[] lines(int bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; out.size() < bytes; i++) {
      out.writeBytes(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    return Arrays.copyOf(out.toByteArray(), bytes);
  }

  /** Writes {@code bytes} in pieces of varying size, as a pipe delivers them. */
  static void writeInPieces(CappedDriverLog log, byte[] bytes) throws IOException {
    for (int at = 0, piece = 1; at < bytes.length; at += piece, piece = piece % 997 + 13) {
      log.write(bytes, at, Math.min(piece, bytes.length - at));
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  List<String> filesInDir() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  long bytesInDir() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void outputUpToTheCapIsKeptWhole() throws IOException {
    Path file = dir.resolve("driver.log");
    byte[] output = lines(1000);
    CappedDriverLog log = CappedDriverLog.open(file, 1000);
    writeInPieces(log, output);
    log.finish();

    assertThat(Files.readAllBytes(file)).isEqualTo(output);
    assertThat(log.droppedBytes()).isZero();
    assertThat(DriverLogs.read(file, 0, 4096, null).droppedBytes()).isZero();
    assertThat(filesInDir()).containsExactly("driver.log");
  }

  @Test
  void pastTheCapTheLogKeepsTheExactHeadAndTailWithTheDroppedCountBetween() throws IOException {
    Path file = dir.resolve("driver.log");
    byte[] output = lines(100_000);
    CappedDriverLog log = CappedDriverLog.open(file, 1000);
    writeInPieces(log, output);
    log.finish();

    byte[] head = Arrays.copyOfRange(output, 0, 500);
    byte[] tail = Arrays.copyOfRange(output, output.length - 500, output.length);
    // The head ends inside a line, so the marker starts a line of its own.
    assertThat(head[head.length - 1]).isNotEqualTo((byte) '\n');
    String marker =
        "\n[sparkgate: 99000 bytes of driver output dropped here; the log keeps the first 500"
            + " bytes and the last 500 bytes]\n";
    assertThat(Files.readAllBytes(file))
        .isEqualTo(concat(head, marker.getBytes(StandardCharsets.US_ASCII), tail));
    assertThat(log.droppedBytes()).isEqualTo(99_000);
    DriverLogs.Slice whole = DriverLogs.read(file, 0, 4096, null);
    assertThat(whole.droppedBytes()).isEqualTo(99_000);
    assertThat(whole.writing()).isFalse();
    assertThat(filesInDir()).containsExactly("driver.log", "driver.log.dropped");
  }

  @Test
  void oneHugeWriteWithoutNewlinesKeepsItsFirstAndLastBytes() throws IOException {
    Path file = dir.resolve("driver.log");
    byte[] output = new byte[10 << 20];
    for (int i = 0; i < output.length; i++) {
      output[i] = (byte) ('A' + i % 26);
    }
    CappedDriverLog log = CappedDriverLog.open(file, 2 << 20);
    log.write(output, 0, output.length);
    log.finish();

    byte[] kept = Files.readAllBytes(file);
    String marker =
        "\n[sparkgate: "
            + (8 << 20)
            + " bytes of driver output dropped here; the log keeps the first 1 MiB and the last 1"
            + " MiB]\n";
    assertThat(kept)
        .isEqualTo(
            concat(
                Arrays.copyOfRange(output, 0, 1 << 20),
                marker.getBytes(StandardCharsets.US_ASCII),
                Arrays.copyOfRange(output, output.length - (1 << 20), output.length)));
  }

  @Test
  void diskUseStaysWithinTheCapWhileWriting() throws IOException {
    Path file = dir.resolve("driver.log");
    long cap = 64 << 10;
    byte[] chunk = lines(8 << 10);
    CappedDriverLog log = CappedDriverLog.open(file, cap);
    long maxSeen = 0;
    for (int i = 0; i < 4000; i++) { // 32 MiB through a 64 KiB cap
      log.write(chunk, 0, chunk.length);
      maxSeen = Math.max(maxSeen, bytesInDir());
    }
    assertThat(maxSeen).isEqualTo(cap);
    log.finish();
    assertThat(Files.size(file)).isBetween(cap, cap + 200);
    assertThat(log.droppedBytes()).isEqualTo(4000L * chunk.length - cap);
  }

  @Test
  void whileWritingReadersSeeTheHeadTheMarkerAndTheCurrentTail() throws IOException {
    Path file = dir.resolve("driver.log");
    byte[] output = lines(5000);
    CappedDriverLog log = CappedDriverLog.open(file, 1000);
    log.write(output, 0, 800);

    DriverLogs.Slice early = DriverLogs.read(file, 0, 4096, null);
    assertThat(early.data()).isEqualTo(Arrays.copyOf(output, 800));
    assertThat(early.writing()).isTrue();
    assertThat(early.droppedBytes()).isZero();

    log.write(output, 800, output.length - 800);
    DriverLogs.Slice live = DriverLogs.read(file, 0, 4096, null);
    assertThat(live.droppedBytes()).isEqualTo(4000);
    assertThat(new String(live.data(), StandardCharsets.US_ASCII))
        .contains("[sparkgate: 4000 bytes of driver output dropped here;");
    // Offsets address the same view: a tail and a page from an offset agree with the whole.
    DriverLogs.Slice tail = DriverLogs.read(file, 0, 4096, 300);
    assertThat(tail.offset()).isEqualTo(live.size() - 300);
    assertThat(tail.data())
        .isEqualTo(Arrays.copyOfRange(live.data(), live.data().length - 300, live.data().length));
    DriverLogs.Slice page = DriverLogs.read(file, 450, 100, null);
    assertThat(page.data()).isEqualTo(Arrays.copyOfRange(live.data(), 450, 550));

    log.finish();
    DriverLogs.Slice finished = DriverLogs.read(file, 0, 4096, null);
    assertThat(finished.data()).isEqualTo(live.data());
    assertThat(finished.writing()).isFalse();
    assertThat(finished.droppedBytes()).isEqualTo(4000);
  }

  @Test
  void drainCopiesAStreamToItsEndAndFinishesTheLog() throws IOException {
    Path file = dir.resolve("driver.log");
    byte[] output = lines(300_000);
    CappedDriverLog log = CappedDriverLog.open(file, 100_000);
    log.drain(new ByteArrayInputStream(output));

    byte[] kept = Files.readAllBytes(file);
    assertThat(Arrays.copyOf(kept, 50_000)).isEqualTo(Arrays.copyOf(output, 50_000));
    assertThat(Arrays.copyOfRange(kept, kept.length - 50_000, kept.length))
        .isEqualTo(Arrays.copyOfRange(output, output.length - 50_000, output.length));
    assertThat(DriverLogs.read(file, 0, 10, null).droppedBytes()).isEqualTo(200_000);
    assertThat(filesInDir()).containsExactly("driver.log", "driver.log.dropped");
  }
}
