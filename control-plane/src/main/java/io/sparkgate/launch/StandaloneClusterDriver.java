package io.sparkgate.launch;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A driver running in a Spark standalone cluster (cluster deploy mode), watched and stopped through
 * the masters' REST submission servers. No process of ours runs beside it, so it survives a restart
 * of the service, and any instance can pick it up again by its driver id.
 *
 * <p>Each poll asks the masters in turn, starting with the last one that answered, until one knows
 * the driver: with high availability only the active master does. Once a stop is requested, every
 * poll re-sends the kill (at most every {@link Timing#killResend}) until a master reports the
 * driver in a final state, because a single kill lost to a master fail-over would leave it running.
 * A poll never throws: whatever goes wrong counts as no answer, and when no master has answered for
 * {@link Timing#masterUnreachable} the exit is reported with an unknown outcome.
 */
final class StandaloneClusterDriver implements DriverHandle {

  private static final Logger log = LoggerFactory.getLogger(StandaloneClusterDriver.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  // The master forgets nothing it was told about a driver while it runs; a driver the active
  // master does not know for this many polls in a row (restarted without recovery) is lost.
  private static final int MISSES_BEFORE_LOST = 10;

  /**
   * How the driver is watched.
   *
   * @param poll the delay between two polls
   * @param killResend how often a requested kill is sent again until the driver has ended
   * @param masterUnreachable how long no master may answer before the outcome is reported unknown
   */
  record Timing(Duration poll, Duration killResend, Duration masterUnreachable) {}

  /** What one poll learned from the masters. */
  private enum Answer {
    /** A master knows the driver and said in which state. */
    KNOWN,
    /** The active master answered that it does not know the driver. */
    UNKNOWN_DRIVER,
    /** No master answered about the driver: unreachable, standby, or an answer we cannot read. */
    NONE
  }

  private final List<URI> masters;
  private final String driverId;
  private final DriverObserver observer;
  private final Clock clock;
  private final Timing timing;
  private final ClusterDriverLog driverLog;
  // One poll at a time, whichever thread runs it; state below is only touched under it, except
  // the volatile flags that other threads set.
  private final ReentrantLock pollLock = new ReentrantLock();
  private volatile ScheduledExecutorService scheduler;
  private ScheduledFuture<?> polling;
  private int preferred;
  private int misses;
  private boolean running;
  private Instant lastAnswer;
  private Instant lastKill;
  private String lastState;
  private String lastMessage;
  private volatile boolean stopRequested;
  private volatile boolean ended;

  StandaloneClusterDriver(
      List<URI> masters, String driverId, DriverObserver observer, Clock clock, Timing timing) {
    this(masters, driverId, observer, clock, timing, null);
  }

  /**
   * @param driverLog where the driver's own output is copied to while it runs, or null to leave it
   *     on its worker
   */
  StandaloneClusterDriver(
      List<URI> masters,
      String driverId,
      DriverObserver observer,
      Clock clock,
      Timing timing,
      ClusterDriverLog driverLog) {
    this.driverLog = driverLog;
    if (masters.isEmpty()) {
      throw new IllegalArgumentException("no master to ask about " + driverId);
    }
    this.masters = List.copyOf(masters);
    this.driverId = driverId;
    this.observer = observer;
    this.clock = clock;
    this.timing = timing;
    this.lastAnswer = clock.instant();
  }

  /**
   * The REST servers of a standalone master URL: spark://h1:6066,h2:6066 is http://h1:6066 and
   * http://h2:6066.
   */
  static List<URI> restBases(String master) {
    return Arrays.stream(master.substring("spark://".length()).split(","))
        .map(String::strip)
        .filter(hostPort -> !hostPort.isEmpty())
        .map(hostPort -> URI.create("http://" + hostPort))
        .toList();
  }

  static boolean applies(String master, String deployMode) {
    return "cluster".equals(deployMode) && master != null && master.startsWith("spark://");
  }

  synchronized void watch(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
    polling =
        scheduler.scheduleWithFixedDelay(
            this::poll, 0, timing.poll().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One look at the driver. Never throws: a scheduled task that throws is never run again. */
  void poll() {
    pollLock.lock();
    try {
      if (!ended) {
        pollOnce();
      }
    } catch (RuntimeException e) {
      log.warn("Polling the masters about {} failed; asking again: {}", driverId, e.toString());
    } finally {
      pollLock.unlock();
    }
  }

  private void pollOnce() {
    if (stopRequested
        && (lastKill == null || !clock.instant().isBefore(lastKill.plus(timing.killResend())))) {
      lastKill = clock.instant();
      sendKill();
    }
    Answer answer = askStatus();
    Instant now = clock.instant();
    switch (answer) {
      case KNOWN -> {
        lastAnswer = now;
        misses = 0;
        AppState app = SparkLauncherBackend.mapDriverState(lastState);
        if (app == AppState.RUNNING && !running) {
          running = true;
          observer.onRunning();
        } else if (app.isFinal()) {
          String error = null;
          if (driverLog != null) {
            // Its log whole first: the failure's excerpt comes from the driver's own output.
            driverLog.finish();
            error = app == AppState.FAILED ? driverLog.errorExcerpt() : null;
          }
          if (error == null && app != AppState.FINISHED) {
            error = describe(app);
          }
          end(new DriverExit(null, app, error));
          return;
        }
        if (driverLog != null && running) {
          driverLog.copyNew();
        }
      }
      case UNKNOWN_DRIVER -> {
        lastAnswer = now;
        if (++misses >= MISSES_BEFORE_LOST) {
          end(new DriverExit(null, AppState.LOST, "the master no longer knows driver " + driverId));
        }
      }
      case NONE -> {
        Duration silence = Duration.between(lastAnswer, now);
        if (silence.compareTo(timing.masterUnreachable()) >= 0) {
          end(
              DriverExit.unknownOutcome(
                  "no master answered for "
                      + human(timing.masterUnreachable())
                      + "; the driver's outcome is unknown"));
        }
      }
    }
  }

  private String describe(AppState app) {
    return lastMessage == null ? "driver " + app : lastMessage;
  }

  /** Asks each master in turn, the last one that answered first, until one knows the driver. */
  private Answer askStatus() {
    Answer best = Answer.NONE;
    for (int i = 0; i < masters.size(); i++) {
      int index = (preferred + i) % masters.size();
      JsonNode status = send(masters.get(index), "GET", "/v1/submissions/status/" + driverId);
      if (status == null || !"SubmissionStatusResponse".equals(status.path("action").asString())) {
        continue;
      }
      String state = status.path("driverState").asString(null);
      String message = status.path("message").asString(null);
      if (status.path("success").asBoolean(false) && state != null) {
        preferred = index;
        lastState = state;
        lastMessage = message;
        return Answer.KNOWN;
      }
      // Spark's master answers found=false with an exception (the message) when it is not the
      // active one (standby, recovering) and without one when it is active and does not know the
      // driver; only the latter is news about the driver.
      if (message == null) {
        best = Answer.UNKNOWN_DRIVER;
      } else {
        log.debug("Master {} has no status of {}: {}", masters.get(index), driverId, message);
      }
    }
    return best;
  }

  /** Asks each master in turn to kill the driver until one accepts; standbys refuse. */
  private void sendKill() {
    for (int i = 0; i < masters.size(); i++) {
      int index = (preferred + i) % masters.size();
      JsonNode response = send(masters.get(index), "POST", "/v1/submissions/kill/" + driverId);
      if (response != null && response.path("success").asBoolean(false)) {
        log.info("Kill of {}: {}", driverId, response.path("message").asString(""));
        preferred = index;
        return;
      }
    }
    log.warn("No master accepted the kill of {}; sending it again later", driverId);
  }

  private void end(DriverExit exit) {
    if (driverLog != null) {
      driverLog.finish();
    }
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      if (polling != null) {
        polling.cancel(false);
      }
    }
    // Outside the monitor: the observer takes its own lock, and it calls requestStop under it.
    observer.onExit(exit);
  }

  /**
   * Sends the kill on the poller's thread at once and again on later polls until the driver has
   * ended, so a caller never waits for a master and a lost kill is not the last word.
   */
  @Override
  public void requestStop() {
    stopRequested = true;
    ScheduledExecutorService executor = scheduler;
    if (executor != null && !ended) {
      try {
        executor.execute(this::poll);
      } catch (RejectedExecutionException shuttingDown) {
        log.debug("The poller is shut down; cannot send the kill of {}", driverId);
      }
    }
  }

  @Override
  public void kill() {
    // The master's kill is the only kill there is; asking again is harmless.
    requestStop();
  }

  @Override
  public OptionalLong pid() {
    return OptionalLong.empty();
  }

  @Override
  public boolean survivesInstance() {
    return true;
  }

  @Override
  public void detach() {
    synchronized (this) {
      ended = true;
      if (polling != null) {
        polling.cancel(false);
      }
    }
    // What it has written so far stays; whoever picks the driver up copies it anew.
    if (driverLog != null) {
      driverLog.finish();
    }
  }

  /** One request to one master: its JSON answer, or null for no answer of any kind. */
  private JsonNode send(URI master, String method, String path) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(master.resolve(path))
              .timeout(Duration.ofSeconds(10))
              .method(method, HttpRequest.BodyPublishers.noBody())
              .build();
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode json = JSON.readTree(response.body());
      return json != null && json.isObject() ? json : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      // The master may be restarting, or a proxy answers with an error page: ask again later.
      log.debug("No answer from {} about {}: {}", master, driverId, e.toString());
      return null;
    }
  }

  private static String human(Duration duration) {
    if (duration.toSeconds() % 60 == 0 && duration.toMinutes() > 0) {
      return duration.toMinutes() + " min";
    }
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + " s"
        : duration.toMillis() + " ms";
  }
}
