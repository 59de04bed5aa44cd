package io.sparkgate.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sparkgate.testing.MutableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The driver watcher against fake standalone masters on 127.0.0.1 that answer as Spark's do. */
class StandaloneClusterDriverTest {

  static final String DRIVER = "driver-20240101000000-0001";
  static final Duration FOREVER = Duration.ofHours(1);
  static final Duration AWAIT = Duration.ofSeconds(10);

  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  final MutableClock clock = new MutableClock();
  final Recorder observer = new Recorder();
  final List<FakeMaster> masters = new ArrayList<>();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
    masters.forEach(FakeMaster::close);
  }

  StandaloneClusterDriver watch(Duration unreachable, URI... rest) {
    StandaloneClusterDriver driver =
        new StandaloneClusterDriver(
            List.of(rest),
            DRIVER,
            observer,
            clock,
            new StandaloneClusterDriver.Timing(
                Duration.ofMillis(20), Duration.ofMillis(50), unreachable));
    driver.watch(scheduler);
    return driver;
  }

  @Test
  void answersThatAreNotJsonDoNotStopThePollingAndALaterAnswerIsSeen() {
    FakeMaster master = master();
    master.driverState = "RUNNING";
    master.raw.add(new Raw(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"));
    master.raw.add(new Raw(200, "not json at all"));
    master.raw.add(new Raw(200, ""));
    master.raw.add(new Raw(200, "{\"action\": \"SubmissionStatusResponse\", \"succ"));
    master.raw.add(new Raw(200, "[1, 2]"));
    master.raw.add(new Raw(503, "{\"error\": \"upstream unavailable\"}"));

    watch(FOREVER, master.uri());

    await().atMost(AWAIT).until(() -> observer.running.get() == 1);
    assertThat(master.raw).isEmpty();
    assertThat(observer.exit.get()).isNull();
    master.driverState = "FINISHED";
    DriverExit exit = observer.awaitExit();
    assertThat(exit.finalState()).isEqualTo(AppState.FINISHED);
    assertThat(exit.succeeded()).isTrue();
    assertThat(exit.outcomeUnknown()).isFalse();
  }

  @Test
  void theSecondMasterOfAnHaListAnswersWhenTheFirstIsDown() {
    FakeMaster active = master();
    active.driverState = "FAILED";
    active.message = "Exception from the cluster: boom";

    watch(FOREVER, downMaster(), active.uri());

    DriverExit exit = observer.awaitExit();
    assertThat(exit.finalState()).isEqualTo(AppState.FAILED);
    assertThat(exit.error()).isEqualTo("Exception from the cluster: boom");
  }

  @Test
  void aStandbyMasterIsPassedOverAndTheActiveOneIsAskedFirstFromThenOn() {
    FakeMaster standby = master();
    standby.standby = true;
    FakeMaster active = master();
    active.driverState = "RUNNING";

    watch(FOREVER, standby.uri(), active.uri());

    await().atMost(AWAIT).until(() -> active.statusRequests.get() >= 5);
    assertThat(observer.running.get()).isEqualTo(1);
    // Once the active master answered, the standby is no longer asked first.
    assertThat(standby.statusRequests.get()).isEqualTo(1);
    assertThat(observer.exit.get()).isNull();
  }

  @Test
  void aKillIsSentAgainUntilTheMasterReportsTheDriverKilled() {
    FakeMaster master = master();
    master.driverState = "RUNNING";
    // The first two kills are lost (a proxy answers in its place); the third is accepted.
    master.killsLost = 2;
    StandaloneClusterDriver driver = watch(FOREVER, master.uri());
    await().atMost(AWAIT).until(() -> observer.running.get() == 1);

    driver.requestStop();

    DriverExit exit = observer.awaitExit();
    assertThat(exit.finalState()).isEqualTo(AppState.KILLED);
    assertThat(exit.succeeded()).isFalse();
    assertThat(master.killRequests.get()).isEqualTo(3);
  }

  @Test
  void aKillGoesToTheActiveMasterOfAnHaList() {
    FakeMaster standby = master();
    standby.standby = true;
    FakeMaster active = master();
    active.driverState = "RUNNING";

    watch(FOREVER, standby.uri(), active.uri()).kill();

    assertThat(observer.awaitExit().finalState()).isEqualTo(AppState.KILLED);
    assertThat(active.killRequests.get()).isEqualTo(1);
  }

  @Test
  void noMasterAnsweringForLongerThanTheTimeoutReportsAnUnknownOutcome() {
    // A standby's answer is no answer about the driver: nobody can say whether it still runs.
    FakeMaster standby = master();
    standby.standby = true;
    watch(Duration.ofMinutes(10), downMaster(), standby.uri());
    await().atMost(AWAIT).until(() -> standby.statusRequests.get() >= 3);
    assertThat(observer.exit.get()).isNull();

    clock.advance(Duration.ofMinutes(10));

    DriverExit exit = observer.awaitExit();
    assertThat(exit.outcomeUnknown()).isTrue();
    assertThat(exit.finalState()).isEqualTo(AppState.LOST);
    assertThat(exit.succeeded()).isFalse();
    assertThat(exit.error())
        .isEqualTo("no master answered for 10 min; the driver's outcome is unknown");
  }

  @Test
  void anAnswerBeforeTheTimeoutStartsTheWaitAgain() {
    FakeMaster master = master();
    master.driverState = "RUNNING";
    watch(Duration.ofMinutes(10), master.uri());
    await().atMost(AWAIT).until(() -> observer.running.get() == 1);

    master.down = true;
    awaitPolls(master);
    clock.advance(Duration.ofMinutes(9));
    awaitPolls(master);
    master.down = false;
    awaitPolls(master);
    master.down = true;
    awaitPolls(master);
    clock.advance(Duration.ofMinutes(9));
    awaitPolls(master);
    assertThat(observer.exit.get()).isNull();

    clock.advance(Duration.ofMinutes(2));
    assertThat(observer.awaitExit().outcomeUnknown()).isTrue();
  }

  /** Waits until polls have certainly seen the master's current behaviour. */
  static void awaitPolls(FakeMaster master) {
    // The poll in flight may have been answered before the change; the next two were not.
    int seen = master.statusRequests.get();
    await().atMost(AWAIT).until(() -> master.statusRequests.get() >= seen + 3);
  }

  @Test
  void aDriverTheActiveMasterDoesNotKnowIsLost() {
    FakeMaster master = master();
    master.driverState = null;

    watch(FOREVER, master.uri());

    DriverExit exit = observer.awaitExit();
    assertThat(exit.finalState()).isEqualTo(AppState.LOST);
    assertThat(exit.outcomeUnknown()).isFalse();
    assertThat(master.statusRequests.get()).isGreaterThanOrEqualTo(10);
  }

  @Test
  void restBasesListEveryMasterOfAnHaUrl() {
    assertThat(StandaloneClusterDriver.restBases("spark://h1:6066,h2:6066"))
        .containsExactly(URI.create("http://h1:6066"), URI.create("http://h2:6066"));
    assertThat(StandaloneClusterDriver.restBases("spark://h1:6066"))
        .containsExactly(URI.create("http://h1:6066"));
  }

  FakeMaster master() {
    FakeMaster master = new FakeMaster();
    masters.add(master);
    return master;
  }

  /** A port nothing listens on: connections to it are refused. */
  static URI downMaster() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  record Raw(int status, String body) {}

  /**
   * Answers status and kill requests as Spark's StandaloneRestServer does: a standby master says
   * success=false with an exception message, the active one success=false without a message for a
   * driver it does not know.
   */
  static final class FakeMaster implements AutoCloseable {
    final HttpServer server;
    final Queue<Raw> raw = new ConcurrentLinkedQueue<>();
    final AtomicInteger statusRequests = new AtomicInteger();
    final AtomicInteger killRequests = new AtomicInteger();
    volatile String driverState;
    volatile String message;
    volatile boolean standby;
    volatile boolean down;
    volatile int killsLost;

    FakeMaster() {
      try {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      server.createContext("/v1/submissions/status/", this::status);
      server.createContext("/v1/submissions/kill/", this::kill);
      server.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void status(HttpExchange exchange) throws IOException {
      statusRequests.incrementAndGet();
      Raw scripted = raw.poll();
      if (scripted != null) {
        respond(exchange, scripted.status(), scripted.body());
      } else if (down) {
        respond(exchange, 502, "<html>502 Bad Gateway</html>");
      } else if (standby) {
        respond(
            exchange,
            200,
            """
            {"action": "SubmissionStatusResponse", "success": false, "submissionId": "%s",
             "message": "Exception from the cluster: Current state is not alive: STANDBY."}
            """
                .formatted(DRIVER));
      } else if (driverState == null) {
        respond(
            exchange,
            200,
            """
            {"action": "SubmissionStatusResponse", "success": false, "submissionId": "%s"}
            """
                .formatted(DRIVER));
      } else {
        String extra = message == null ? "" : ", \"message\": \"" + message + "\"";
        respond(
            exchange,
            200,
            """
            {"action": "SubmissionStatusResponse", "success": true, "submissionId": "%s",
             "driverState": "%s"%s}
            """
                .formatted(DRIVER, driverState, extra));
      }
    }

    private void kill(HttpExchange exchange) throws IOException {
      killRequests.incrementAndGet();
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, "");
      } else if (killsLost > 0) {
        killsLost--;
        respond(exchange, 502, "<html>502 Bad Gateway</html>");
      } else if (standby) {
        respond(
            exchange,
            200,
            """
            {"action": "KillSubmissionResponse", "success": false, "submissionId": "%s",
             "message": "Current state is not alive: STANDBY. Can only kill drivers in ALIVE state."}
            """
                .formatted(DRIVER));
      } else {
        driverState = "KILLED";
        respond(
            exchange,
            200,
            """
            {"action": "KillSubmissionResponse", "success": true, "submissionId": "%s",
             "message": "Kill request for %s submitted"}
            """
                .formatted(DRIVER, DRIVER));
      }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  static final class Recorder implements DriverObserver {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger exits = new AtomicInteger();
    final AtomicReference<DriverExit> exit = new AtomicReference<>();

    @Override
    public void onAppId(String sparkAppId) {}

    @Override
    public void onDriverId(String driverId) {}

    @Override
    public void onRunning() {
      running.incrementAndGet();
    }

    @Override
    public void onExit(DriverExit driverExit) {
      exits.incrementAndGet();
      exit.set(driverExit);
    }

    DriverExit awaitExit() {
      await().atMost(AWAIT).until(() -> exit.get() != null);
      assertThat(exits.get()).isEqualTo(1);
      return exit.get();
    }
  }
}
