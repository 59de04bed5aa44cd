package io.sparkgate.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A driver's output, written to its log file with a cap of {@code capBytes}: the log keeps the
 * first half of the cap (the head: start-up, configuration, the first errors) and the last bytes
 * (the tail, the rest of the cap: how it ended), and what lies between is dropped. Bytes, not
 * lines: a driver may print gigabytes without a newline.
 *
 * <p>While the driver runs, the head is in the log file and the tail in a ring file of exactly the
 * tail's size beside it ({@code driver.log.tail}), so the disk holds at most the cap. {@link
 * #finish()} appends a marker line that says how much was dropped, then the tail in order, to the
 * log file and deletes the ring; the dropped count is also kept in {@code driver.log.dropped} for
 * readers of the finished file. A finished log is therefore head + marker + tail, the same bytes
 * that {@link #readLive} served of it while it was written.
 *
 * <p>Thread-safe: one thread writes, API requests read at the same time.
 */
public final class CappedDriverLog {

  private static final Logger log = LoggerFactory.getLogger(CappedDriverLog.class);
  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;

  // The API reads a log while its copier writes it, both in this JVM. The ring is overwritten in
  // place and its order is only known here, so readers of a log still being written go through
  // the writer (under its lock) instead of the files; keyed by the log's absolute path.
  private static final Map<Path, CappedDriverLog> LIVE = new ConcurrentHashMap<>();

  private final Path file;
  private final Path ringFile;
  private final long headCap;
  private final long tailCap;
  private final FileChannel head;
  private FileChannel ring;
  private long written;
  private byte lastHeadByte = '\n';
  private boolean finished;

  private CappedDriverLog(Path file, long capBytes) throws IOException {
    if (capBytes < 2) {
      throw new IllegalArgumentException("a log cap must be at least 2 bytes, not " + capBytes);
    }
    this.file = key(file);
    this.ringFile = sibling(this.file, ".tail");
    this.headCap = capBytes / 2;
    this.tailCap = capBytes - headCap;
    Files.deleteIfExists(ringFile);
    Files.deleteIfExists(sibling(this.file, ".dropped"));
    this.head =
        FileChannel.open(
            this.file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
  }

  /**
   * Creates (or truncates) {@code file} and makes it readable through {@link #readLive} until
   * {@link #finish()}.
   */
  public static CappedDriverLog open(Path file, long capBytes) throws IOException {
    CappedDriverLog created = new CappedDriverLog(file, capBytes);
    LIVE.put(created.file, created);
    return created;
  }

  /** Appends bytes; only the head and the last {@code tailCap} bytes of all writes are kept. */
  public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
    if (finished) {
      throw new IllegalStateException("the log " + file + " is finished");
    }
    int toHead = (int) Math.min(length, headCap - Math.min(written, headCap));
    if (toHead > 0) {
      writeFully(head, bytes, offset, toHead, written);
      lastHeadByte = bytes[offset + toHead - 1];
      written += toHead;
      offset += toHead;
      length -= toHead;
    }
    if (length == 0) {
      return;
    }
    if (ring == null) {
      ring =
          FileChannel.open(
              ringFile,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
    }
    // Of one write longer than the ring, only its last tailCap bytes could survive.
    int skipped = (int) Math.max(0, length - tailCap);
    written += skipped;
    offset += skipped;
    length -= skipped;
    while (length > 0) {
      long at = (written - headCap) % tailCap;
      int n = (int) Math.min(length, tailCap - at);
      writeFully(ring, bytes, offset, n, at);
      written += n;
      offset += n;
      length -= n;
    }
  }

  /** Bytes written so far that the log does not keep. */
  public synchronized long droppedBytes() {
    return Math.max(0, written - headCap - tailCap);
  }

  /**
   * Copies {@code output} into this log until it ends, then finishes the log. Keeps reading when
   * the disk refuses a write, so that a driver never blocks on a full pipe; never throws.
   */
  public void drain(InputStream output) {
    byte[] buffer = new byte[64 * 1024];
    boolean writable = true;
    try (output) {
      for (int n = output.read(buffer); n != -1; n = output.read(buffer)) {
        if (writable) {
          try {
            write(buffer, 0, n);
          } catch (IOException e) {
            writable = false;
            log.warn("Cannot write the driver log {}; dropping its output: {}", file, e.toString());
          }
        }
      }
    } catch (IOException e) {
      log.warn("Reading the driver output for {} failed: {}", file, e.toString());
    } finally {
      try {
        finish();
      } catch (IOException e) {
        log.warn("Cannot finish the driver log {}: {}", file, e.toString());
      }
    }
  }

  /**
   * Writes the log file's final form (head, then the marker if anything was dropped, then the
   * tail), deletes the ring, and hands readers over to the file. Idempotent.
   */
  public synchronized void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    try (head;
        FileChannel tail = ring) {
      byte[] marker = marker();
      long end = Math.min(written, headCap);
      writeFully(head, marker, 0, marker.length, end);
      end += marker.length;
      long filled = ringFilled();
      long start = ringStart();
      for (long copied = 0; copied < filled; ) {
        long at = (start + copied) % tailCap;
        long n = tail.transferTo(at, Math.min(filled - copied, tailCap - at), head.position(end));
        copied += n;
        end += n;
      }
      if (marker.length > 0) {
        Files.writeString(sibling(file, ".dropped"), Long.toString(droppedBytes()));
      }
    } finally {
      LIVE.remove(file, this);
      Files.deleteIfExists(ringFile);
    }
  }

  /**
   * A slice of the log as it stands, when {@code file} is still being written by a log of this
   * process; empty when it is not (finished, or written by someone else), and then the file is the
   * whole truth. Same contract as {@link DriverLogs#read}.
   */
  static Optional<DriverLogs.Slice> readLive(
      Path file, long offset, int maxBytes, Integer tailBytes) throws IOException {
    CappedDriverLog live = LIVE.get(key(file));
    return live == null ? Optional.empty() : live.read(offset, maxBytes, tailBytes);
  }

  /** How many bytes the finished log at {@code file} dropped; 0 when it kept everything. */
  static long droppedBytesOf(Path file) {
    Path count = sibling(key(file), ".dropped");
    try {
      return Files.isRegularFile(count) ? Long.parseLong(Files.readString(count).strip()) : 0;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  private synchronized Optional<DriverLogs.Slice> read(long offset, int maxBytes, Integer tailBytes)
      throws IOException {
    if (finished) {
      return Optional.empty();
    }
    long headLength = Math.min(written, headCap);
    byte[] marker = marker();
    long tailStart = headLength + marker.length;
    long size = tailStart + ringFilled();
    long start =
        tailBytes != null
            ? Math.max(0, size - Math.min(tailBytes, maxBytes))
            : Math.min(offset, size);
    byte[] data = new byte[(int) Math.min(maxBytes, size - start)];
    int filled = 0;
    while (filled < data.length) {
      long at = start + filled;
      int n;
      if (at < headLength) {
        n = (int) Math.min(data.length - filled, headLength - at);
        readFully(head, data, filled, n, at);
      } else if (at < tailStart) {
        n = (int) Math.min(data.length - filled, tailStart - at);
        System.arraycopy(marker, (int) (at - headLength), data, filled, n);
      } else {
        long inRing = (ringStart() + at - tailStart) % tailCap;
        n = (int) Math.min(data.length - filled, tailCap - inRing);
        readFully(ring, data, filled, n, inRing);
      }
      filled += n;
    }
    return Optional.of(new DriverLogs.Slice(start, size, data, droppedBytes(), true));
  }

  private long ringFilled() {
    return Math.min(Math.max(0, written - headCap), tailCap);
  }

  // Where the oldest kept byte lies in the ring: 0 until it has wrapped.
  private long ringStart() {
    return written - headCap > tailCap ? (written - headCap) % tailCap : 0;
  }

  private byte[] marker() {
    long dropped = droppedBytes();
    if (dropped == 0) {
      return new byte[0];
    }
    return ((lastHeadByte == '\n' ? "" : "\n")
            + "[sparkgate: "
            + dropped
            + " bytes of driver output dropped here; the log keeps the first "
            + size(headCap)
            + " and the last "
            + size(tailCap)
            + "]\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String size(long bytes) {
    if (bytes % MIB == 0) {
      return bytes / MIB + " MiB";
    }
    return bytes % KIB == 0 ? bytes / KIB + " KiB" : bytes + " bytes";
  }

  private static Path key(Path file) {
    return file.toAbsolutePath().normalize();
  }

  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }

  private static void writeFully(FileChannel channel, byte[] bytes, int offset, int length, long at)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
    while (buffer.hasRemaining()) {
      at += channel.write(buffer, at);
    }
  }

  private static void readFully(FileChannel channel, byte[] into, int offset, int length, long at)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(into, offset, length);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new IOException("the log ended early at byte " + at);
      }
      at += n;
    }
  }
}
