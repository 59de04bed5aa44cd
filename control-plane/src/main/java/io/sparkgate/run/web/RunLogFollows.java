package io.sparkgate.run.web;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.launch.DriverLogs;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunRepository.LogSource;
import io.sparkgate.run.RunService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * Driver logs followed as they grow ({@code GET /runs/{id}/log?follow=true}): plain text, the bytes
 * of the log as they are written, until the run has ended and its last attempt's log is complete.
 * Asked while the run is queued, a stream waits for the first attempt's log; when a retry starts, a
 * line of Sparkgate's says so and the new attempt's log follows from its start.
 *
 * <p>As for run event streams, one thread serves every stream of this instance: each round asks the
 * database once where all followed runs stand (a connection for that statement only), then reads
 * what is new of each log file. A log past its cap ({@code sparkgate.runs.max-log-bytes}) keeps its
 * head and its tail: the stream says so, and sends the tail when the attempt has ended.
 */
@Component
class RunLogFollows implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RunLogFollows.class);

  /** Most bytes one stream gets per round, so one chatty driver does not hold up the others. */
  static final int CHUNK = 256 * 1024;

  private static final MediaType TEXT = new MediaType("text", "plain", StandardCharsets.UTF_8);

  private final RunService runs;
  private final RunRepository repository;
  private final SparkgateProperties.Streams settings;
  private final StreamSlots slots;
  private final long headCap;
  private final List<Follower> followers = new ArrayList<>();
  private final StreamPoller poller;
  private boolean failing;

  RunLogFollows(
      RunService runs,
      RunRepository repository,
      SparkgateProperties properties,
      StreamSlots slots) {
    this.runs = runs;
    this.repository = repository;
    this.settings = properties.api().streams();
    this.slots = slots;
    // Where CappedDriverLog puts its marker: after the first half of the cap.
    this.headCap = properties.runs().maxLogBytes().toBytes() / 2;
    this.poller = new StreamPoller("run-log-follows", settings.pollInterval(), this::poll);
  }

  /** One stream of one run's log; its fields are the poller thread's. */
  private static final class Follower {
    final UUID runId;
    final String caller;
    final ResponseBodyEmitter emitter;
    final Integer onlyAttempt;
    int attempt;
    long offset;
    boolean capped;
    boolean started;
    volatile boolean closed;

    Follower(UUID runId, String caller, ResponseBodyEmitter emitter, Integer attempt, long offset) {
      this.runId = runId;
      this.caller = caller;
      this.emitter = emitter;
      this.onlyAttempt = attempt;
      this.attempt = attempt == null ? 0 : attempt;
      this.offset = offset;
    }
  }

  /**
   * Opens a stream of the run's log: of {@code attempt} only, or (null) of its latest attempt and
   * those that follow; from byte {@code offset} of the first attempt it sends.
   *
   * @throws SparkgateException RUN_NOT_FOUND, ATTEMPT_NOT_FOUND, or TOO_MANY_STREAMS
   */
  ResponseBodyEmitter open(UUID runId, Integer attempt, long offset, String caller) {
    runs.get(runId);
    if (attempt != null
        && runs.attempts(runId).stream().noneMatch(a -> a.attempt() == attempt.intValue())) {
      throw new SparkgateException(
          ErrorKind.ATTEMPT_NOT_FOUND, "Run " + runId + " has no attempt " + attempt + ".");
    }
    ResponseBodyEmitter emitter = new ResponseBodyEmitter(settings.timeout().toMillis());
    Follower follower = new Follower(runId, caller, emitter, attempt, offset);
    slots.reserve(caller);
    synchronized (this) {
      followers.add(follower);
    }
    emitter.onCompletion(() -> release(follower));
    // Ended as a stream ends: the client asks again from where it got to.
    emitter.onTimeout(
        () -> {
          release(follower);
          emitter.complete();
        });
    emitter.onError(e -> release(follower));
    // The first bytes at once, not after a poll interval.
    poller.now();
    return emitter;
  }

  private void release(Follower follower) {
    boolean removed;
    synchronized (this) {
      follower.closed = true;
      removed = followers.remove(follower);
    }
    if (removed) {
      slots.release(follower.caller);
    }
  }

  /** One round, on the poller's one thread: where every followed run stands, what is new. */
  void poll() {
    List<Follower> open;
    synchronized (this) {
      open = List.copyOf(followers);
    }
    if (open.isEmpty()) {
      return;
    }
    Map<UUID, List<LogSource>> byRun = new HashMap<>();
    try {
      for (LogSource source :
          repository.findLogSources(
              open.stream().map(f -> f.runId).distinct().toArray(UUID[]::new))) {
        byRun.computeIfAbsent(source.runId(), id -> new ArrayList<>()).add(source);
      }
      if (failing) {
        log.info("Log follows: the database answers again");
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        log.warn("Log follows: the database did not answer, streams wait: {}", e.toString());
        failing = true;
      }
      return;
    }
    for (Follower f : open) {
      if (!f.closed) {
        try {
          follow(f, byRun.getOrDefault(f.runId, List.of()));
        } catch (IOException | IllegalStateException gone) {
          end(f);
        }
      }
    }
  }

  private void follow(Follower f, List<LogSource> sources) throws IOException {
    List<LogSource> attempts = sources.stream().filter(s -> s.attempt() > 0).toList();
    if (attempts.isEmpty()) {
      if (!sources.isEmpty() && sources.get(0).runState().isTerminal()) {
        finish(f, "[sparkgate] run " + f.runId + " ended without an attempt\n");
      }
      return;
    }
    LogSource last = attempts.get(attempts.size() - 1);
    if (f.attempt == 0) {
      f.attempt = last.attempt();
    }
    LogSource current =
        attempts.stream().filter(s -> s.attempt() == f.attempt).findFirst().orElse(null);
    if (current == null) {
      return;
    }
    if (!f.started) {
      f.started = true;
      send(f, "[sparkgate] attempt " + f.attempt + " of run " + f.runId + "\n");
    }
    boolean attemptEnded = current.attemptState() != null && current.attemptState().isTerminal();
    boolean complete = readNew(f, current, attemptEnded);
    if (!attemptEnded || !complete) {
      return;
    }
    LogSource next =
        f.onlyAttempt != null
            ? null
            : attempts.stream().filter(s -> s.attempt() > f.attempt).findFirst().orElse(null);
    if (next != null) {
      f.attempt = next.attempt();
      f.offset = 0;
      f.capped = false;
      send(f, "\n[sparkgate] attempt " + f.attempt + " of run " + f.runId + " begins\n");
      follow(f, sources);
    } else if (f.onlyAttempt != null || last.runState().isTerminal()) {
      finish(
          f,
          "\n[sparkgate] end of attempt "
              + f.attempt
              + " ("
              + current.attemptState()
              + "), run "
              + last.runState()
              + "\n");
    }
  }

  /**
   * Sends what is new of the attempt's log; true when the log is complete and all of it is sent.
   */
  private boolean readNew(Follower f, LogSource source, boolean attemptEnded) throws IOException {
    Path file = source.logPath() == null ? null : Path.of(source.logPath());
    if (file == null || !Files.isRegularFile(file)) {
      // Not written yet (launching), or past retention; an ended attempt without one has no more.
      if (attemptEnded) {
        send(f, "[sparkgate] the log of attempt " + f.attempt + " is not available here\n");
        return true;
      }
      return false;
    }
    DriverLogs.Slice slice = DriverLogs.read(file, f.offset, CHUNK, null);
    if (slice.droppedBytes() > 0 && slice.writing()) {
      // Past the cap the bytes after the head move as the tail turns over: only the head is
      // stable until the log is finished.
      if (f.offset < headCap) {
        int stable = (int) Math.min(slice.data().length, headCap - f.offset);
        sendBytes(f, slice.data(), stable);
        f.offset += stable;
      }
      if (!f.capped && f.offset >= Math.min(headCap, slice.size())) {
        f.capped = true;
        send(
            f,
            "\n[sparkgate] the driver's output passed the log's cap"
                + " (sparkgate.runs.max-log-bytes): its tail follows when the attempt ends\n");
      }
      return false;
    }
    if (f.capped) {
      // The finished log: head, a marker line, the tail. Send what follows the marker.
      f.capped = false;
      f.offset = afterMarker(file);
      slice = DriverLogs.read(file, f.offset, CHUNK, null);
    }
    sendBytes(f, slice.data(), slice.data().length);
    f.offset += slice.data().length;
    return attemptEnded && !slice.writing() && f.offset >= slice.size();
  }

  /** The offset after the finished log's marker line, which starts at the end of the head. */
  private long afterMarker(Path file) throws IOException {
    DriverLogs.Slice at = DriverLogs.read(file, headCap, 4096, null);
    for (int i = 0; i < at.data().length; i++) {
      if (at.data()[i] == '\n') {
        return headCap + i + 1;
      }
    }
    return headCap;
  }

  private void send(Follower f, String text) throws IOException {
    f.emitter.send(text.getBytes(StandardCharsets.UTF_8), TEXT);
  }

  private void sendBytes(Follower f, byte[] data, int length) throws IOException {
    if (length > 0) {
      f.emitter.send(length == data.length ? data : Arrays.copyOf(data, length), TEXT);
    }
  }

  private void finish(Follower f, String line) throws IOException {
    send(f, line);
    f.emitter.complete();
    release(f);
  }

  /** Ends the request of a stream whose client went away (see RunEventStreams#end). */
  private void end(Follower f) {
    release(f);
    try {
      f.emitter.complete();
    } catch (RuntimeException alreadyOver) {
      // Completed or timed out meanwhile.
    }
  }

  @Override
  public void start() {
    poller.start();
  }

  /** Ends every open stream before the server stops (clients ask again from where they got to). */
  @Override
  public void stop() {
    poller.stop();
    List<Follower> open;
    synchronized (this) {
      open = List.copyOf(followers);
    }
    for (Follower f : open) {
      end(f);
    }
  }

  @Override
  public boolean isRunning() {
    return poller.running();
  }
}
