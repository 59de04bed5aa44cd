package io.sparkgate.config;

import com.zaxxer.hikari.HikariDataSource;
import java.io.Closeable;
import java.sql.Connection;
import java.sql.ConnectionBuilder;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The service's one DataSource: two Hikari pools on the same database, the connection coming from
 * the one the current thread belongs to. Supervision work ({@link SupervisionThreads}) gets the
 * small supervision pool, every other thread the API pool, so that requests holding every API
 * connection (a slow listing, a burst of submits) never make a heartbeat wait for one.
 *
 * <p>Repositories, transactions and Flyway see one DataSource: a transaction keeps the connection
 * it started with, which comes from the pool of the thread that runs it. In everything but handing
 * out connections the API pool stands for both, so Boot's health indicator validates an API
 * connection (the supervision side reports through the supervision health indicator, which a stuck
 * pool turns DOWN) and unwrapping finds the API pool.
 *
 * <p>While the database is unreachable, API threads do not each wait the pool's {@code
 * connection-timeout} for it: once the API pool has failed to reach it, one thread at a time tries
 * again and every other fails at once, so that a burst of requests during an outage cannot hold
 * every request thread (and with them the liveness probe) for seconds. The first connection after
 * the outage lets every thread through again. A pool that is merely busy (every connection lent,
 * the database fine) is not an outage: its threads wait as before.
 */
public final class ConnectionPools extends DelegatingDataSource implements Closeable {

  /** The API pool's name, unless {@code spring.datasource.hikari.pool-name} sets another. */
  public static final String API = "sparkgate-api";

  /** The supervision pool's name. */
  public static final String SUPERVISION = "sparkgate-supervision";

  private static final Logger log = LoggerFactory.getLogger(ConnectionPools.class);

  private final HikariDataSource api;
  private final HikariDataSource supervision;

  /** Why the API pool last failed to reach the database; null while it reaches it. */
  private volatile SQLException unreachable;

  /** Held by the one API thread that tries the database while it is unreachable. */
  private final AtomicBoolean trying = new AtomicBoolean();

  ConnectionPools(HikariDataSource api, HikariDataSource supervision) {
    super(api);
    this.api = api;
    this.supervision = supervision;
  }

  @Override
  public Connection getConnection() throws SQLException {
    HikariDataSource pool = current();
    if (pool == supervision) {
      return pool.getConnection();
    }
    SQLException known = unreachable;
    if (known == null) {
      return tryApi();
    }
    if (!trying.compareAndSet(false, true)) {
      throw new SQLTransientConnectionException(
          api.getPoolName() + " - the database is unreachable; not waiting for it",
          known.getSQLState(),
          known);
    }
    try {
      return tryApi();
    } finally {
      trying.set(false);
    }
  }

  /** Whether an API thread is trying the database while it is unreachable (for tests). */
  boolean tryingTheDatabase() {
    return trying.get();
  }

  private Connection tryApi() throws SQLException {
    try {
      Connection connection = api.getConnection();
      if (unreachable != null) {
        unreachable = null;
        log.info("The database is reachable again: API requests wait for connections as before");
      }
      return connection;
    } catch (SQLTransientConnectionException e) {
      // Hikari's timeout carries the last failure to connect as its cause while the database
      // cannot be reached, and none when every connection was merely lent out.
      if (e.getCause() != null) {
        if (unreachable == null) {
          log.warn(
              "The database is unreachable ({}): API requests fail at once, one at a time tries"
                  + " it",
              e.getCause().getMessage());
        }
        unreachable = e;
      }
      throw e;
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return current().getConnection(username, password);
  }

  @Override
  public ConnectionBuilder createConnectionBuilder() throws SQLException {
    return current().createConnectionBuilder();
  }

  /** The pool the current thread takes its connections from. */
  HikariDataSource current() {
    return SupervisionThreads.current() ? supervision : api;
  }

  List<HikariDataSource> pools() {
    return List.of(api, supervision);
  }

  @Override
  public void close() {
    supervision.close();
    api.close();
  }
}
