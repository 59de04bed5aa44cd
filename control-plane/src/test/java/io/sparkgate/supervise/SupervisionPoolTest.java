package io.sparkgate.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.config.ConnectionPools;
import io.sparkgate.config.InstanceIdentity;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.config.SupervisionThreads;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Supervision has database connections of its own: requests that hold every connection of the API
 * pool delay no heartbeat. Which pool a statement used is told by its session's application_name,
 * the name of the pool.
 */
class SupervisionPoolTest extends FakeBackendTest {

  // Boot's and Hikari's default; the shared test context does not change it.
  static final int API_POOL_SIZE = 10;

  @Autowired InstanceIdentity instance;
  @Autowired SparkgateProperties properties;
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;

  @Value("${spring.datasource.url}")
  String url;

  /** A connection of the test's own, from neither pool. */
  Connection direct() throws SQLException {
    return DriverManager.getConnection(url, "postgres", "");
  }

  record Beat(long seq, Instant at) {}

  Beat heartbeat(Connection connection) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "select heartbeat_seq, heartbeat_at from instance where id = ?")) {
      statement.setString(1, instance.id());
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return new Beat(row.getLong(1), row.getTimestamp(2).toInstant());
      }
    }
  }

  /** Threads waiting for a connection from any pool, as Hikari reports them. */
  double threadsAwaitingConnection() {
    return api.get("/actuator/prometheus")
        .raw()
        .body()
        .lines()
        .filter(line -> line.startsWith("hikaricp_connections_pending{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void heartbeatsKeepTheirIntervalWhileRequestsHoldEveryApiConnection() throws Exception {
    Duration interval = properties.supervision().heartbeatInterval();
    int clients = 3 * API_POOL_SIZE;
    ExecutorService load = Executors.newFixedThreadPool(clients);
    AtomicBoolean loading = new AtomicBoolean(true);
    try (Connection lock = direct();
        Connection sampler = direct()) {
      // Every listing waits for this lock, holding its connection, until the test lets go.
      lock.setAutoCommit(false);
      try (Statement statement = lock.createStatement()) {
        statement.execute("lock table run in access exclusive mode");
      }
      for (int i = 0; i < clients; i++) {
        load.execute(
            () -> {
              while (loading.get()) {
                try {
                  api.get("/api/v1/runs");
                } catch (RuntimeException e) {
                  // A request that gave up waiting for a connection; the next one waits again.
                }
              }
            });
      }
      // Saturated: every API connection waits for the lock and further requests for a connection.
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> threadsAwaitingConnection() > 0);

      List<Beat> beats = new ArrayList<>(List.of(heartbeat(sampler)));
      int wanted = 4;
      await()
          .atMost(interval.multipliedBy(2L * wanted).plusSeconds(2))
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(
              () -> {
                Beat beat = heartbeat(sampler);
                if (beat.seq() != beats.get(beats.size() - 1).seq()) {
                  beats.add(beat);
                }
                assertThat(beats).as("heartbeats seen under load").hasSizeGreaterThan(wanted);
              });
      double waiting = threadsAwaitingConnection();
      assertThat(waiting).as("requests still waiting for a connection").isPositive();
      List<Long> gaps = new ArrayList<>();
      for (int i = 1; i < beats.size(); i++) {
        Beat before = beats.get(i - 1);
        Beat after = beats.get(i);
        // Per heartbeat: a sample that came late may see two at once.
        gaps.add(
            Duration.between(before.at(), after.at()).toMillis() / (after.seq() - before.seq()));
      }
      System.out.println(
          "heartbeat gaps (ms) with " + waiting + " requests waiting for a connection: " + gaps);
      // A heartbeat that waited for a connection would leave a gap of the connection timeout (5 s).
      assertThat(gaps)
          .as("gaps between heartbeats %s", beats)
          .allSatisfy(gap -> assertThat(gap).isLessThan(interval.multipliedBy(2).toMillis()));
      lock.rollback();
    } finally {
      loading.set(false);
      load.shutdown();
      assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** The pool the current thread's statements use. */
  String poolOfThisThread() {
    return jdbc.sql("select current_setting('application_name')").query(String.class).single();
  }

  /** The pools of the sessions waiting for a lock in a statement like {@code pattern}. */
  List<String> waitingForALock(Connection connection, String pattern) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            """
            select application_name from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like ?
            """)) {
      statement.setString(1, pattern);
      List<String> pools = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          pools.add(rows.getString(1));
        }
      }
      return pools;
    }
  }

  @Test
  void supervisionWorkUsesTheSupervisionPoolAndEveryOtherThreadTheApiPool() throws Exception {
    assertThat(poolOfThisThread()).isEqualTo(ConnectionPools.API);
    AtomicReference<String> onSupervisionThread = new AtomicReference<>();
    Thread thread =
        SupervisionThreads.named("test-supervision")
            .newThread(() -> onSupervisionThread.set(poolOfThisThread()));
    thread.start();
    thread.join(Duration.ofSeconds(10).toMillis());
    assertThat(onSupervisionThread).hasValue(ConnectionPools.SUPERVISION);
    // Supervision work on a thread of someone else's, in a transaction too, and only for its time.
    SupervisionThreads.run(
        () -> {
          assertThat(poolOfThisThread()).isEqualTo(ConnectionPools.SUPERVISION);
          String inTransaction = tx.execute(status -> poolOfThisThread());
          assertThat(inTransaction).isEqualTo(ConnectionPools.SUPERVISION);
        });
    assertThat(poolOfThisThread()).isEqualTo(ConnectionPools.API);

    // The service's own threads, caught in flight: a listing on a request thread and the heartbeat
    // on its thread each wait for the test's locks in a session of their pool.
    ExecutorService client = Executors.newSingleThreadExecutor();
    try (Connection lock = direct();
        Connection observer = direct()) {
      lock.setAutoCommit(false);
      try (Statement statement = lock.createStatement()) {
        statement.execute("lock table run, instance in access exclusive mode");
      }
      Future<Api.Response> listing = client.submit(() -> api.get("/api/v1/runs"));
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(
              () -> {
                assertThat(waitingForALock(observer, "%order by created_at desc, id desc limit $%"))
                    .as("the listing's session")
                    .containsExactly(ConnectionPools.API);
                assertThat(waitingForALock(observer, "update instance set heartbeat_at%"))
                    .as("the heartbeat's session")
                    .containsExactly(ConnectionPools.SUPERVISION);
              });
      lock.rollback();
      assertThat(listing.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    } finally {
      client.shutdownNow();
    }
  }

  @Test
  void hikariReportsBothPools() {
    assertThat(api.get("/actuator/prometheus").raw().body())
        .contains("hikaricp_connections_max{application=\"sparkgate\",pool=\"sparkgate-api\"} 10.0")
        .contains(
            "hikaricp_connections_max{application=\"sparkgate\",pool=\"sparkgate-supervision\"}"
                + " 4.0");
  }
}
