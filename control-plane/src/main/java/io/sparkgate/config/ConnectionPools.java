package io.sparkgate.config;

import com.zaxxer.hikari.HikariDataSource;
import java.io.Closeable;
import java.sql.Connection;
import java.sql.ConnectionBuilder;
import java.sql.SQLException;
import java.util.List;
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
 */
public final class ConnectionPools extends DelegatingDataSource implements Closeable {

  /** The API pool's name, unless {@code spring.datasource.hikari.pool-name} sets another. */
  public static final String API = "sparkgate-api";

  /** The supervision pool's name. */
  public static final String SUPERVISION = "sparkgate-supervision";

  private final HikariDataSource api;
  private final HikariDataSource supervision;

  ConnectionPools(HikariDataSource api, HikariDataSource supervision) {
    super(api);
    this.api = api;
    this.supervision = supervision;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return current().getConnection();
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
