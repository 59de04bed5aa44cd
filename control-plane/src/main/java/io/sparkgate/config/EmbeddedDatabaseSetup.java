package io.sparkgate.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the superuser of the embedded PostgreSQL does at every start, before anything else connects:
 * the service's own role {@value #ROLE} (not a superuser) with its password, the database {@value
 * #DATABASE} that role owns, and every object in it owned by that role too. Each step is
 * idempotent, so a start interrupted anywhere is finished by the next one.
 *
 * <p>Data directories of earlier versions trusted every connection from the host and kept the
 * tables in the database {@code postgres}, owned by the superuser. They are upgraded: the superuser
 * gets its password while the old rules still let it in, the rules then ask every connection for a
 * password, and {@value #DATABASE} is created as a copy of {@code postgres}.
 */
final class EmbeddedDatabaseSetup {

  /** The role the service connects as. */
  static final String ROLE = "sparkgate";

  /** The database it owns, with the schema {@code public} in it. */
  static final String DATABASE = "sparkgate";

  static final String SUPERUSER = "postgres";

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseSetup.class);
  private static final Pattern TRUST = Pattern.compile("\\btrust\\b");
  private static final String PASSWORD_METHOD = "scram-sha-256";

  private EmbeddedDatabaseSetup() {}

  /**
   * Whether the data directory's pg_hba.conf lets some connection in without a password, as those
   * of versions before the embedded database had passwords did.
   */
  static boolean trustsConnections(Path dataDir) throws IOException {
    return hbaRules(dataDir).stream().anyMatch(rule -> TRUST.matcher(rule).find());
  }

  /**
   * Runs every step, as the superuser: the server was started with its password to connect with,
   * which is also the password it is given if it had none.
   */
  static void prepare(
      EmbeddedPostgres postgres, Path dataDir, String superuserPassword, String servicePassword)
      throws IOException, SQLException {
    boolean earlierTables;
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      if (trustsConnections(dataDir)) {
        requirePasswords(connection, dataDir, superuserPassword);
      }
      earlierTables =
          exists(
              connection,
              "select 1 from pg_tables where schemaname = 'public' and tablename = ?",
              "flyway_schema_history");
    }
    // Not connected to the database postgres, which is the template of the copy below.
    try (Connection connection = postgres.getDatabase(SUPERUSER, "template1").getConnection()) {
      ensureServiceRole(connection, servicePassword);
      ensureDatabase(connection, earlierTables);
    }
    try (Connection connection = postgres.getDatabase(SUPERUSER, DATABASE).getConnection()) {
      ownEverything(connection);
    }
  }

  /**
   * Sets the superuser's password, then changes every trust rule to a password rule. Until the
   * configuration is reloaded the old rules stand, which is what lets the superuser in to set its
   * password.
   */
  private static void requirePasswords(Connection connection, Path dataDir, String password)
      throws IOException, SQLException {
    log.warn(
        "The embedded PostgreSQL in {} lets connections in without a password (a data directory"
            + " of an earlier version): setting passwords and requiring them from now on",
        dataDir.toAbsolutePath());
    setPassword(connection, SUPERUSER, password);
    Path hba = dataDir.resolve("pg_hba.conf");
    List<String> lines =
        Files.readAllLines(hba).stream()
            .map(line -> isRule(line) ? TRUST.matcher(line).replaceAll(PASSWORD_METHOD) : line)
            .toList();
    Path rewritten =
        Files.createTempFile(
            dataDir,
            ".pg_hba",
            ".conf",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(rewritten, lines);
    Files.move(rewritten, hba, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    execute(connection, "select pg_reload_conf()");
  }

  private static void ensureServiceRole(Connection connection, String password)
      throws SQLException {
    if (!exists(connection, "select 1 from pg_roles where rolname = ?", ROLE)) {
      execute(connection, "create role " + ROLE);
    }
    // Also taken back from a role someone changed: the service needs none of these.
    execute(
        connection,
        "alter role "
            + ROLE
            + " login nosuperuser nocreatedb nocreaterole noreplication nobypassrls");
    setPassword(connection, ROLE, password);
  }

  /**
   * Creates the service's database as a copy of {@code postgres}: empty on a new server, the data
   * of an earlier version on an upgraded one (whose tables then also stay in {@code postgres},
   * unused, as they were).
   */
  private static void ensureDatabase(Connection connection, boolean earlierTables)
      throws SQLException {
    if (!exists(connection, "select 1 from pg_database where datname = ?", DATABASE)) {
      execute(connection, "create database " + DATABASE + " owner " + ROLE + " template postgres");
      if (earlierTables) {
        log.info(
            "Copied the tables of the database postgres into the database {}, now owned by {};"
                + " the originals in postgres are no longer used",
            DATABASE,
            ROLE);
      }
    }
    execute(connection, "alter database " + DATABASE + " owner to " + ROLE);
  }

  /**
   * Gives the service's role the schema public and every relation in it (tables, with their indexes
   * and identity sequences, and whatever else an earlier version created as the superuser), so that
   * its migrations may change them.
   */
  private static void ownEverything(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute("alter schema public owner to " + ROLE);
      // Only the owner creates objects in it (PostgreSQL 15's default; 14 lets everybody).
      statement.execute("revoke create on schema public from public");
      statement.execute(
          """
          do $$
          declare
            relation record;
          begin
            for relation in
              select c.oid::regclass as name from pg_class c
              join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
                and c.relowner <> '%1$s'::regrole
                -- a sequence of an identity or serial column changes owner with its table
                and not exists (select 1 from pg_depend d
                                where d.classid = 'pg_class'::regclass and d.objid = c.oid
                                  and d.deptype in ('a', 'i'))
            loop
              execute format('alter table %%s owner to %1$s', relation.name);
            end loop;
          end $$
          """
              .formatted(ROLE));
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    }
  }

  /**
   * Sends the password as a SCRAM verifier computed here, so that the password itself is in no SQL
   * text the server could log.
   */
  private static void setPassword(Connection connection, String role, String password)
      throws SQLException {
    connection
        .unwrap(PGConnection.class)
        .alterUserPassword(role, password.toCharArray(), PASSWORD_METHOD);
  }

  private static boolean exists(Connection connection, String sql, String... params)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setString(i + 1, params[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static List<String> hbaRules(Path dataDir) throws IOException {
    return Files.readAllLines(dataDir.resolve("pg_hba.conf")).stream()
        .filter(EmbeddedDatabaseSetup::isRule)
        .toList();
  }

  private static boolean isRule(String line) {
    String rule = line.strip();
    return !rule.isEmpty() && !rule.startsWith("#");
  }
}
