package io.sparkgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.sparkgate.testing.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The API pool against a real PostgreSQL that is not there yet, then is: while it cannot be reached
 * one thread tries it and the others fail at once; once it is back every thread waits for
 * connections as before. A pool that is only busy is no outage.
 */
class ConnectionPoolsTest {

  static final String NOT_WAITING = "the database is unreachable; not waiting for it";

  static HikariDataSource pool(int port, int size) {
    HikariDataSource pool = new HikariDataSource();
    pool.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
    pool.setUsername("postgres");
    pool.setConnectionTimeout(1000);
    pool.setMaximumPoolSize(size);
    // The database may be away when the pool starts, as after a restart during an outage.
    pool.setInitializationFailTimeout(-1);
    return pool;
  }

  @Test
  void whileTheDatabaseIsUnreachableOneThreadTriesAndTheOthersFailAtOnce() throws Exception {
    int port = ServiceProcess.freePort();
    try (ConnectionPools pools = new ConnectionPools(pool(port, 4), pool(port, 1))) {
      // Nothing listens yet: the first caller waits the pool's timeout and learns why.
      assertThatThrownBy(pools::getConnection)
          .isInstanceOf(SQLTransientConnectionException.class)
          .hasMessageContaining("request timed out")
          .hasCauseInstanceOf(SQLException.class);

      // One caller tries the database again; while it waits, another does not.
      CompletableFuture<Connection> trying =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return pools.getConnection();
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      await().atMost(Duration.ofSeconds(5)).until(pools::tryingTheDatabase);
      assertThatThrownBy(pools::getConnection)
          .isInstanceOf(SQLTransientConnectionException.class)
          .hasMessageContaining(NOT_WAITING)
          .hasCauseInstanceOf(SQLTransientConnectionException.class);
      assertThat(trying).failsWithin(Duration.ofSeconds(10));

      // Supervision has its own pool and its own waits: no shortcut there.
      SQLException[] supervisionFailure = new SQLException[1];
      SupervisionThreads.run(
          () -> {
            try {
              pools.getConnection().close();
            } catch (SQLException e) {
              supervisionFailure[0] = e;
            }
          });
      assertThat((Throwable) supervisionFailure[0]).hasMessageContaining("request timed out");

      // The database comes back: the next caller that tries reaches it, and then all do.
      try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setPort(port).start()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(
                () -> {
                  try (Connection connection = pools.getConnection()) {
                    return connection.isValid(1);
                  }
                });
        assertThat(pools.tryingTheDatabase()).isFalse();
        Connection[] held = new Connection[4];
        for (int i = 0; i < held.length; i++) {
          held[i] = pools.getConnection();
        }
        // Every connection lent and the database fine: a busy pool, so callers wait as before.
        assertThatThrownBy(pools::getConnection)
            .hasMessageContaining("request timed out")
            .hasNoCause();
        assertThatThrownBy(pools::getConnection)
            .hasMessageContaining("request timed out")
            .hasNoCause();
        for (Connection connection : held) {
          connection.close();
        }
        try (Connection connection = pools.getConnection()) {
          assertThat(connection.isValid(1)).isTrue();
        }
      }
    }
  }
}
