package io.sparkgate.run;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.launch.DriverLogs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Driver logs of a run's attempts, by byte offset or as a tail. */
@Service
public class RunLogs {

  private final RunService runs;
  private final RunRepository repository;
  private final SparkgateProperties properties;

  public RunLogs(RunService runs, RunRepository repository, SparkgateProperties properties) {
    this.runs = runs;
    this.repository = repository;
    this.properties = properties;
  }

  /**
   * A slice of one attempt's log; {@code complete} once the attempt has ended and its log is
   * written to the end; {@code droppedBytes} of the driver's output lie beyond the log's cap.
   */
  public record Slice(
      int attempt, long offset, long size, boolean complete, long droppedBytes, byte[] data) {}

  public Slice read(UUID runId, Integer attempt, Long offset, Integer limit, Integer tail) {
    runs.get(runId);
    int max = properties.api().maxLogChunkBytes();
    long from = offset == null ? 0 : offset;
    int size = limit == null ? max : limit;
    if (from < 0 || size < 1 || size > max || (tail != null && (tail < 1 || tail > max))) {
      throw new SparkgateException(
          ErrorKind.INVALID_REQUEST,
          "offset must be at least 0, and limit and tail between 1 and " + max + ".");
    }
    if (tail != null && offset != null) {
      throw new SparkgateException(
          ErrorKind.INVALID_REQUEST, "Ask for an offset or a tail, not both.");
    }
    List<Attempt> attempts = repository.findAttempts(runId);
    if (attempts.isEmpty()) {
      throw new SparkgateException(
          ErrorKind.LOG_NOT_AVAILABLE, "Run " + runId + " has not been launched yet.");
    }
    Attempt chosen =
        attempt == null
            ? attempts.get(attempts.size() - 1)
            : attempts.stream()
                .filter(a -> a.attempt() == attempt)
                .findFirst()
                .orElseThrow(
                    () ->
                        new SparkgateException(
                            ErrorKind.ATTEMPT_NOT_FOUND,
                            "Run " + runId + " has no attempt " + attempt + "."));
    // The path comes from our own database, never from the request.
    Path file = chosen.logPath() == null ? null : Path.of(chosen.logPath());
    if (file == null || !Files.isRegularFile(file)) {
      throw new SparkgateException(
          ErrorKind.LOG_NOT_AVAILABLE,
          "The driver log of attempt "
              + chosen.attempt()
              + " is not available here (not written yet, past retention, or kept by the"
              + " instance that ran it).");
    }
    try {
      DriverLogs.Slice slice = DriverLogs.read(file, from, size, tail);
      return new Slice(
          chosen.attempt(),
          slice.offset(),
          slice.size(),
          chosen.state().isTerminal() && !slice.writing(),
          slice.droppedBytes(),
          slice.data());
    } catch (IOException e) {
      throw new SparkgateException(
          ErrorKind.LOG_NOT_AVAILABLE, "The driver log could not be read.");
    }
  }
}
