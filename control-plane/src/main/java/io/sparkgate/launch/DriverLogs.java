package io.sparkgate.launch;

import io.sparkgate.support.Text;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reading driver logs: slices by byte offset, and the excerpt that explains a failure. */
public final class DriverLogs {

  // The tail holds the exception that ended the driver; reading more only costs time.
  private static final int EXCERPT_SCAN_BYTES = 256 * 1024;
  private static final int EXCERPT_MAX_CHARS = 2000;

  private static final Pattern THROWABLE_LINE =
      Pattern.compile(
          "^(Exception in thread \"[^\"]*\" )?([A-Za-z_$][\\w$]*\\.)+[\\w$]*(Exception|Error|Throwable)(: .*)?$");
  private static final Pattern CAUSED_BY = Pattern.compile("^Caused by: .*");
  private static final String PYTHON_TRACEBACK = "Traceback (most recent call last):";
  // The frames nearest the raise say where; the outer ones are the job's entry point.
  private static final int PYTHON_FRAMES = 3;

  private DriverLogs() {}

  /**
   * A slice of a log: bytes [offset, offset + data.length) of a log of {@code size} bytes, which
   * dropped {@code droppedBytes} of the driver's output (see {@link CappedDriverLog}) and is still
   * being written when {@code writing}.
   */
  public record Slice(long offset, long size, byte[] data, long droppedBytes, boolean writing) {}

  /**
   * Reads up to {@code maxBytes} from {@code offset}; with {@code tailBytes} set, reads the last
   * that many bytes instead. A capped log still being written is read as it stands: its head, the
   * marker and its current tail.
   */
  public static Slice read(Path file, long offset, int maxBytes, Integer tailBytes)
      throws IOException {
    Optional<Slice> live = CappedDriverLog.readLive(file, offset, maxBytes, tailBytes);
    if (live.isPresent()) {
      return live.get();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long size = raf.length();
      long start =
          tailBytes != null
              ? Math.max(0, size - Math.min(tailBytes, maxBytes))
              : Math.min(offset, size);
      int length = (int) Math.min(maxBytes, size - start);
      byte[] data = new byte[length];
      raf.seek(start);
      raf.readFully(data);
      return new Slice(start, size, data, CappedDriverLog.droppedBytesOf(file), false);
    }
  }

  /**
   * The lines of a driver log that say why it failed, null when the log holds none. For a JVM
   * driver: the last uncaught exception line with the causes that follow it. For a Python driver
   * whose script raised (a traceback after the last JVM "Exception in thread"): the exception line
   * first ({@code ValueError: ...}), then the traceback's last frames, each with its source line.
   */
  private static final String REFLECTIVE_WRAPPER = "java.lang.reflect.InvocationTargetException";

  public static String errorExcerpt(Path file) {
    if (file == null || !Files.isRegularFile(file)) {
      return null;
    }
    try {
      Slice tail = read(file, 0, EXCERPT_SCAN_BYTES, EXCERPT_SCAN_BYTES);
      String[] lines = new String(tail.data(), StandardCharsets.UTF_8).split("\r?\n");
      int start = -1;
      int traceback = -1;
      for (int i = lines.length - 1; i >= 0; i--) {
        if (lines[i].startsWith("Exception in thread")) {
          start = i;
          break;
        }
        if (traceback < 0 && lines[i].strip().equals(PYTHON_TRACEBACK)) {
          traceback = i;
        }
        if (start < 0 && THROWABLE_LINE.matcher(lines[i]).matches()) {
          start = i;
        }
      }
      List<String> excerpt = traceback >= 0 ? pythonExcerpt(lines, traceback) : null;
      if (excerpt == null) {
        if (start < 0) {
          return null;
        }
        excerpt = new ArrayList<>();
        excerpt.add(lines[start].strip());
        for (int i = start + 1; i < lines.length && excerpt.size() < 4; i++) {
          if (CAUSED_BY.matcher(lines[i]).matches()) {
            excerpt.add(lines[i].strip());
          }
        }
        // A cluster-mode driver's main runs through reflection (Spark's DriverWrapper), whose
        // wrapper says nothing of its own: the job's exception, its first cause, goes first.
        if (excerpt.size() > 1 && excerpt.get(0).endsWith(REFLECTIVE_WRAPPER)) {
          String wrapper = excerpt.remove(0);
          excerpt.set(0, excerpt.get(0).substring("Caused by: ".length()));
          excerpt.add("(" + wrapper + ")");
        }
      }
      String text = Text.printable(String.join("\n", excerpt));
      return text.length() > EXCERPT_MAX_CHARS ? text.substring(0, EXCERPT_MAX_CHARS) : text;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * A Python traceback from its first line: the exception line that ends it (only its first line,
   * as a captured Spark exception's message goes on for many), then its last frames, each {@code
   * File "...", line N, in f} with the source line under it when Python printed one. Null when the
   * traceback has no exception line (a log cut off in the middle of it).
   */
  private static List<String> pythonExcerpt(String[] lines, int traceback) {
    List<List<String>> frames = new ArrayList<>();
    int i = traceback + 1;
    for (; i < lines.length && (lines[i].startsWith(" ") || lines[i].startsWith("\t")); i++) {
      String line = lines[i].strip();
      if (line.startsWith("File ")) {
        frames.add(new ArrayList<>(List.of(line)));
      } else if (!frames.isEmpty()
          && frames.get(frames.size() - 1).size() == 1
          && !line.isEmpty()
          && !line.chars().allMatch(c -> c == '^' || c == '~' || c == ' ')) {
        frames.get(frames.size() - 1).add(line);
      }
    }
    if (i >= lines.length || lines[i].isBlank()) {
      return null;
    }
    List<String> excerpt = new ArrayList<>();
    excerpt.add(lines[i].strip());
    for (List<String> frame :
        frames.subList(Math.max(0, frames.size() - PYTHON_FRAMES), frames.size())) {
      excerpt.add("  " + frame.get(0));
      if (frame.size() > 1) {
        excerpt.add("    " + frame.get(1));
      }
    }
    return excerpt;
  }
}
