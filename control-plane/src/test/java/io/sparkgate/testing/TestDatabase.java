package io.sparkgate.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL for the whole test JVM, with a fresh database for each Spring context (so
 * cached contexts with their own supervision loops never share a run queue). The JVM's time zone is
 * not UTC (see the surefire configuration), so every session the tests open is not UTC either.
 */
public final class TestDatabase {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private TestDatabase() {}

  /** Creates an empty database and returns its JDBC URL. */
  public static synchronized String newDatabaseUrl() {
    try {
      if (postgres == null) {
        postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
      }
      String name = "sparkgate_test_" + DATABASES.incrementAndGet();
      try (Connection connection = postgres.getPostgresDatabase().getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("create database " + name);
      }
      return postgres.getJdbcUrl("postgres", name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
