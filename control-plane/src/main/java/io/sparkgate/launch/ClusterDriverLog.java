package io.sparkgate.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The log of a driver in standalone cluster deploy mode, kept by the service: the submission's
 * output, then the driver's own stderr and stdout, copied from the worker that runs it while it
 * runs (line by line, stderr before stdout within one look) and to their end once it has ended,
 * with the same cap as a local driver's log ({@link CappedDriverLog}).
 *
 * <p>The worker is found through the masters' web UIs ({@code /json/}: the driver's worker and that
 * worker's web UI), and the bytes through the worker's log endpoint ({@code /log/?driverId=…
 * &logType=…&offset=…&byteLength=…}), which answers with a line {@code ==== Bytes S-E of L of PATH
 * ====} before the bytes. Nothing here throws: a master or worker that does not answer is asked
 * again at the next look, and said once in the log.
 */
final class ClusterDriverLog {

  private static final Logger log = LoggerFactory.getLogger(ClusterDriverLog.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern RANGE =
      Pattern.compile("==== Bytes (\\d+)-(\\d+) of (\\d+) of [^\\n]*====\\n");
  static final int CHUNK = 256 * 1024;
  // A driver that printed more than this many chunks after its end is capped anyway.
  private static final int MAX_FINAL_CHUNKS = 4096;

  private final List<URI> masterUis;
  private final String driverId;
  private final Path file;
  private final Path submitLog;
  private final long capBytes;
  private final Output stderr = new Output("stderr");
  private final Output stdout = new Output("stdout");
  private CappedDriverLog target;
  private URI workerUi;
  private boolean unreachableSaid;
  private boolean finished;

  /** One of the driver's two output files on the worker. */
  private static final class Output {
    final String type;
    long offset;
    final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    Output(String type) {
      this.type = type;
    }
  }

  /**
   * @param file the attempt's log, written anew from the submission's output in {@code submitLog}
   */
  ClusterDriverLog(List<URI> masterUis, String driverId, Path file, Path submitLog, long capBytes) {
    this.masterUis = List.copyOf(masterUis);
    this.driverId = driverId;
    this.file = file;
    this.submitLog = submitLog;
    this.capBytes = capBytes;
  }

  /** The web UIs of a standalone master URL's hosts on {@code port}: its default 8080. */
  static List<URI> defaultMasterUis(String master, int port) {
    return StandaloneClusterDriver.restBases(master).stream()
        .map(rest -> URI.create("http://" + rest.getHost() + ":" + port))
        .toList();
  }

  /** Copies what the driver wrote since the last look. */
  synchronized void copyNew() {
    if (finished) {
      return;
    }
    try {
      open();
      if (findWorker()) {
        copy(stderr);
        copy(stdout);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("Copying the log of {} failed; trying again: {}", driverId, e.toString());
    }
  }

  /** Copies the rest of the driver's output and writes the log's final form; once. */
  synchronized void finish() {
    if (finished) {
      return;
    }
    try {
      open();
      if (findWorker()) {
        for (Output output : List.of(stderr, stdout)) {
          for (int i = 0; i < MAX_FINAL_CHUNKS && copy(output); i++) {
            // Until the file's end.
          }
        }
      } else {
        say("its worker could not be found through the masters' web UIs " + masterUis);
      }
      for (Output output : List.of(stderr, stdout)) {
        if (output.partial.size() > 0) {
          target.write(output.partial.toByteArray(), 0, output.partial.size());
          target.write(new byte[] {'\n'}, 0, 1);
          output.partial.reset();
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Copying the rest of the log of {} failed: {}", driverId, e.toString());
    } finally {
      finished = true;
      if (target != null) {
        try {
          target.finish();
        } catch (IOException e) {
          log.warn("Cannot finish the log {}: {}", file, e.toString());
        }
      }
    }
  }

  /** The failure excerpt of the log (see {@link DriverLogs#errorExcerpt}), once it is finished. */
  String errorExcerpt() {
    return DriverLogs.errorExcerpt(file);
  }

  private void open() throws IOException {
    if (target != null) {
      return;
    }
    byte[] submission =
        Files.isRegularFile(submitLog) ? Files.readAllBytes(submitLog) : new byte[0];
    target = CappedDriverLog.open(file, capBytes);
    target.write(submission, 0, submission.length);
    byte[] header =
        ("[sparkgate] driver "
                + driverId
                + " runs on a worker: its own output (stderr, stdout) follows as it is written\n")
            .getBytes(StandardCharsets.UTF_8);
    target.write(header, 0, header.length);
  }

  private void say(String what) throws IOException {
    byte[] line =
        ("[sparkgate] the output of driver " + driverId + " is not here: " + what + "\n")
            .getBytes(StandardCharsets.UTF_8);
    target.write(line, 0, line.length);
  }

  /** Whether the driver's worker is known, asking the masters when it is not yet. */
  private boolean findWorker() throws IOException {
    if (workerUi != null) {
      return true;
    }
    for (URI master : masterUis) {
      JsonNode state = get(master.resolve("/json/"), JsonNode.class);
      if (state == null) {
        continue;
      }
      String workerId = null;
      for (String drivers : List.of("activedrivers", "completeddrivers")) {
        for (JsonNode driver : state.path(drivers)) {
          if (driverId.equals(driver.path("id").asString(null))) {
            workerId = driver.path("worker").asString(null);
          }
        }
      }
      for (JsonNode worker : state.path("workers")) {
        String ui = worker.path("webuiaddress").asString(null);
        if (workerId != null && workerId.equals(worker.path("id").asString(null)) && ui != null) {
          workerUi = URI.create(ui.endsWith("/") ? ui : ui + "/");
          return true;
        }
      }
    }
    if (!unreachableSaid) {
      log.debug("No master's web UI of {} knows the worker of {} yet", masterUis, driverId);
    }
    return false;
  }

  /** Copies one chunk of one output; true if more is there already. */
  private boolean copy(Output output) throws IOException {
    String body =
        get(
            workerUi.resolve(
                // "/log" answers with a redirect to "/log/".
                "log/?driverId="
                    + driverId
                    + "&logType="
                    + output.type
                    + "&offset="
                    + output.offset
                    + "&byteLength="
                    + CHUNK),
            String.class);
    if (body == null) {
      if (!unreachableSaid) {
        unreachableSaid = true;
        log.warn("The worker {} does not answer for the log of {}", workerUi, driverId);
      }
      return false;
    }
    Matcher range = RANGE.matcher(body);
    if (!range.lookingAt()) {
      return false;
    }
    long end = Long.parseLong(range.group(2));
    long length = Long.parseLong(range.group(3));
    if (length == 0 || end <= output.offset) {
      // No file yet (the worker says so after the same line), or nothing new.
      return false;
    }
    byte[] data = body.substring(range.end()).getBytes(StandardCharsets.UTF_8);
    output.offset = end;
    output.partial.write(data);
    byte[] pending = output.partial.toByteArray();
    int lastNewline = -1;
    for (int i = pending.length - 1; i >= 0; i--) {
      if (pending[i] == '\n') {
        lastNewline = i;
        break;
      }
    }
    if (lastNewline >= 0) {
      target.write(pending, 0, lastNewline + 1);
      output.partial.reset();
      output.partial.write(pending, lastNewline + 1, pending.length - lastNewline - 1);
    }
    return end < length;
  }

  private static <T> T get(URI uri, Class<T> type) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (response.statusCode() != 200) {
        return null;
      }
      if (type == String.class) {
        return type.cast(response.body());
      }
      JsonNode json = JSON.readTree(response.body());
      return json != null && json.isObject() ? type.cast(json) : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null;
    }
  }
}
