package io.sparkgate.run.web;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunEvent;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Runs' state changes as Server-Sent Events. A stream first gets the run's events after the
 * client's {@code Last-Event-ID} (all of them without one), then what follows as it is recorded,
 * and ends after the run's terminal state. Each event's id is the recorded event's own, so a client
 * that reconnects with the last id it saw misses nothing and sees nothing twice.
 *
 * <p>One thread asks the database every {@code sparkgate.api.streams.poll-interval} for what
 * changed in every followed run of this instance, in one statement, with a connection only for that
 * statement. So a waiting stream holds no request thread and no connection, and a change made by
 * any instance reaches it. Streams are bounded per caller and per instance.
 */
@Component
class RunEventStreams implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RunEventStreams.class);

  private final RunService runs;
  private final RunRepository repository;
  private final SparkgateProperties.Streams settings;

  /** Open streams; guarded by {@code this}, as are the counts. */
  private final List<Follower> followers = new ArrayList<>();

  private final StreamPoller poller;
  private long lastKeepAlive;
  private boolean failing;

  private final StreamSlots slots;

  RunEventStreams(
      RunService runs,
      RunRepository repository,
      SparkgateProperties properties,
      StreamSlots slots) {
    this.runs = runs;
    this.repository = repository;
    this.settings = properties.api().streams();
    this.slots = slots;
    this.poller = new StreamPoller("run-event-streams", settings.pollInterval(), this::poll);
  }

  /** One open stream, of one run, for one caller. */
  private final class Follower {
    final UUID runId;
    final String caller;
    final SseEmitter emitter;
    volatile long lastId;
    volatile boolean closed;

    /** Set once the past events are sent: the poller only sends what follows them. */
    volatile boolean live;

    Follower(UUID runId, String caller, SseEmitter emitter, long lastId) {
      this.runId = runId;
      this.caller = caller;
      this.emitter = emitter;
      this.lastId = lastId;
    }
  }

  /**
   * Opens a stream of the run's events after {@code lastEventId}.
   *
   * @throws SparkgateException RUN_NOT_FOUND, or TOO_MANY_STREAMS when the caller or the instance
   *     holds as many as it may
   */
  SseEmitter open(UUID runId, long lastEventId, String caller) {
    Run run = runs.get(runId);
    List<RunEvent> past = runs.events(runId).stream().filter(e -> e.id() > lastEventId).toList();
    SseEmitter emitter = new SseEmitter(settings.timeout().toMillis());
    long last = past.isEmpty() ? lastEventId : past.get(past.size() - 1).id();
    boolean ended =
        run.state().isTerminal()
            || (!past.isEmpty() && past.get(past.size() - 1).to().isTerminal());
    Follower follower = new Follower(runId, caller, emitter, last);
    if (!ended) {
      reserve(follower);
      emitter.onCompletion(() -> release(follower));
      emitter.onTimeout(
          () -> {
            // Ended as a stream ends, not as a failed request: the client resumes.
            release(follower);
            emitter.complete();
          });
      emitter.onError(e -> release(follower));
    }
    // Sent before the handler returns, these wait in the emitter until the response is ready.
    for (RunEvent event : past) {
      if (!send(follower, event)) {
        return emitter;
      }
    }
    if (ended) {
      emitter.complete();
    } else {
      follower.live = true;
    }
    return emitter;
  }

  private synchronized void reserve(Follower follower) {
    slots.reserve(follower.caller);
    followers.add(follower);
  }

  private synchronized void release(Follower follower) {
    follower.closed = true;
    if (followers.remove(follower)) {
      slots.release(follower.caller);
    }
  }

  /** Sends one event, and ends the stream after a terminal one; false if the stream is over. */
  private boolean send(Follower follower, RunEvent event) {
    try {
      follower.emitter.send(
          SseEmitter.event()
              .id(Long.toString(event.id()))
              .name("state")
              .data(RunEventView.of(event), MediaType.APPLICATION_JSON));
      follower.lastId = event.id();
      if (event.to().isTerminal()) {
        follower.emitter.complete();
        release(follower);
        return false;
      }
      return true;
    } catch (IOException | IllegalStateException gone) {
      end(follower);
      return false;
    }
  }

  /**
   * Ends the request of a stream whose client went away. The container is not told of a failed
   * write made outside its own threads, so without this the request would stay open (and hold up a
   * graceful shutdown) until its timeout.
   */
  private void end(Follower follower) {
    release(follower);
    try {
      follower.emitter.complete();
    } catch (RuntimeException alreadyOver) {
      // Completed or timed out meanwhile.
    }
  }

  /** One round: what changed in every followed run, sent to its streams; keep-alives when due. */
  void poll() {
    List<Follower> open;
    synchronized (this) {
      open = List.copyOf(followers);
    }
    if (open.isEmpty()) {
      return;
    }
    Map<UUID, Long> after = new HashMap<>();
    open = open.stream().filter(f -> f.live).toList();
    for (Follower f : open) {
      after.merge(f.runId, f.lastId, Math::min);
    }
    if (after.isEmpty()) {
      return;
    }
    List<RunEvent> changes;
    try {
      changes =
          repository.findEventsAfter(
              after.keySet().toArray(UUID[]::new),
              after.keySet().stream().map(after::get).toArray(Long[]::new));
      if (failing) {
        log.info("Run event streams: the database answers again");
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        log.warn("Run event streams: the database did not answer, streams wait: {}", e.toString());
        failing = true;
      }
      return;
    }
    Map<UUID, List<RunEvent>> byRun = new HashMap<>();
    for (RunEvent e : changes) {
      byRun.computeIfAbsent(e.runId(), id -> new ArrayList<>()).add(e);
    }
    long now = System.nanoTime();
    boolean keepAlive = now - lastKeepAlive >= settings.keepAlive().toNanos();
    if (keepAlive) {
      lastKeepAlive = now;
    }
    for (Follower f : open) {
      boolean sent = false;
      for (RunEvent e : byRun.getOrDefault(f.runId, List.of())) {
        if (f.closed) {
          break;
        }
        if (e.id() > f.lastId) {
          sent = true;
          if (!send(f, e)) {
            break;
          }
        }
      }
      if (keepAlive && !sent && !f.closed) {
        try {
          f.emitter.send(SseEmitter.event().comment("keep-alive"));
        } catch (IOException | IllegalStateException gone) {
          end(f);
        }
      }
    }
  }

  @Override
  public void start() {
    // Read and written by the poller's thread only, once it has started.
    lastKeepAlive = System.nanoTime();
    poller.start();
  }

  /** Ends every open stream (clients reconnect to another instance) before the server stops. */
  @Override
  public void stop() {
    poller.stop();
    List<Follower> open;
    synchronized (this) {
      open = List.copyOf(followers);
    }
    for (Follower f : open) {
      f.emitter.complete();
      release(f);
    }
  }

  @Override
  public boolean isRunning() {
    return poller.running();
  }
}
