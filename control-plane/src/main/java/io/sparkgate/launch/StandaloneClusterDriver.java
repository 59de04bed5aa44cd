package io.sparkgate.launch;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A driver running in a Spark standalone cluster (cluster deploy mode), watched and stopped through
 * the master's REST submission server. No process of ours runs beside it, so it survives a restart
 * of the service, and any instance can pick it up again by its driver id.
 */
final class StandaloneClusterDriver implements DriverHandle {

  private static final Logger log = LoggerFactory.getLogger(StandaloneClusterDriver.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  // The master forgets nothing it was told about a driver while it runs; a driver it does not
  // know for this many polls in a row (a master restarted without recovery) is lost.
  private static final int MISSES_BEFORE_LOST = 10;

  private final URI rest;
  private final String driverId;
  private final DriverObserver observer;
  private ScheduledFuture<?> polling;
  private int misses;
  private boolean running;
  private boolean ended;

  StandaloneClusterDriver(URI rest, String driverId, DriverObserver observer) {
    this.rest = rest;
    this.driverId = driverId;
    this.observer = observer;
  }

  /** The REST server of a standalone master URL: spark://host:port is http://host:port. */
  static URI restBase(String master) {
    String hostPort = master.substring("spark://".length()).split(",")[0];
    return URI.create("http://" + hostPort);
  }

  static boolean applies(String master, String deployMode) {
    return "cluster".equals(deployMode) && master != null && master.startsWith("spark://");
  }

  synchronized void watch(ScheduledExecutorService scheduler, Duration interval) {
    polling =
        scheduler.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  void poll() {
    JsonNode status;
    try {
      status = send("GET", "/v1/submissions/status/" + driverId);
    } catch (IOException e) {
      // The master may be restarting: keep asking; the run stays RUNNING meanwhile.
      log.debug("Cannot reach the master for {}: {}", driverId, e.toString());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    String state = status.path("driverState").asString(null);
    if (!status.path("success").asBoolean(false) || state == null) {
      if (++misses >= MISSES_BEFORE_LOST) {
        end(AppState.LOST, "the master no longer knows driver " + driverId);
      }
      return;
    }
    misses = 0;
    AppState app = SparkLauncherBackend.mapDriverState(state);
    if (app == AppState.RUNNING && !running) {
      running = true;
      observer.onRunning();
    } else if (app.isFinal()) {
      String message = status.path("message").asString(null);
      end(app, app == AppState.FINISHED ? null : message);
    }
  }

  private synchronized void end(AppState state, String error) {
    if (!ended) {
      ended = true;
      if (polling != null) {
        polling.cancel(false);
      }
      observer.onExit(
          new DriverExit(
              null,
              state,
              error == null && state != AppState.FINISHED ? "driver " + state : error));
    }
  }

  @Override
  public void requestStop() {
    try {
      JsonNode response = send("POST", "/v1/submissions/kill/" + driverId);
      log.info("Kill of {}: {}", driverId, response.path("message").asString(""));
    } catch (IOException e) {
      log.warn("Cannot ask the master to kill {}: {}", driverId, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
  public synchronized void detach() {
    ended = true;
    if (polling != null) {
      polling.cancel(false);
    }
  }

  private JsonNode send(String method, String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(rest.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }
}
