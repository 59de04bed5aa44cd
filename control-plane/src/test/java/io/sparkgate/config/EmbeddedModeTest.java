package io.sparkgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgate.SparkgateApplication;
import io.sparkgate.catalog.CatalogService;
import io.sparkgate.testing.Jobs;
import io.sparkgate.testing.TestSecrets;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * With no datasource configured the service starts its own PostgreSQL, keeps its data in the work
 * directory across restarts, and stops it on shutdown. Every connection needs a password, and the
 * service connects (from both its pools) as a role that is no superuser, also on a data directory
 * of an earlier version.
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedModeTest {

  @TempDir Path workDir;

  ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(SparkgateApplication.class)
        .run(
            "--server.port=0",
            "--sparkgate.work-dir=" + workDir,
            "--sparkgate.spark.home=" + System.getProperty("sparkgate.test.spark-home"));
  }

  @Test
  void startsItsOwnPostgresAndKeepsTheDataAcrossRestarts() throws Exception {
    int port;
    try (ConfigurableApplicationContext first = start()) {
      EmbeddedPostgres postgres = first.getBean(EmbeddedPostgres.class);
      port = postgres.getPort();
      assertThat(first.getBean(DataSource.class).getConnection().getMetaData().getURL())
          .contains(":" + port + "/");
      first
          .getBean(CatalogService.class)
          .register("kept", Jobs.jvm(workDir.resolve("artifacts/a.jar").toString(), "A"), "test");
      assertThat(Files.isDirectory(workDir.resolve("postgres"))).isTrue();
      // Secure by default: with no tokens configured, an admin token only its owner can read.
      assertOwnerOnlySecret(workDir.resolve("admin.token"));
      assertClosedToAllButTheServiceRole(first, port);
      // Every migration ran as the service's role.
      assertThat(
              first
                  .getBean(JdbcClient.class)
                  .sql("select distinct installed_by from flyway_schema_history")
                  .query(String.class)
                  .list())
          .containsExactly("sparkgate");
    }
    // Stopping the service stopped its database.
    assertThat(isListening(port)).isFalse();

    try (ConfigurableApplicationContext second = start()) {
      assertThat(second.getBean(CatalogService.class).get("kept").latestVersion()).isEqualTo(1);
      // The shipped pipeline jobs were registered by both starts, creating one version.
      assertThat(second.getBean(CatalogService.class).get("market-curate").latestVersion())
          .isEqualTo(1);
      assertThat(
              second
                  .getBean(JdbcClient.class)
                  .sql("select count(*) from flyway_schema_history where success")
                  .query(Integer.class)
                  .single())
          .isPositive();
    }

    // Without its superuser password the data directory is of no use: the start says so at once.
    Files.delete(workDir.resolve("postgres-superuser.password"));
    assertThatThrownBy(this::start)
        .rootCause()
        .hasMessageContaining("needs the superuser password that was in");
  }

  /**
   * The database starts while Spring reads the bean definitions; a start that fails after it stops
   * it and releases the work directory, so the next start on the same directory works.
   */
  @Test
  void aStartThatFailsAfterItsDatabaseStartedStopsTheDatabase(CapturedOutput output)
      throws Exception {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(SparkgateApplication.class)
                    .run(
                        "--server.port=0",
                        "--sparkgate.work-dir=" + workDir,
                        "--sparkgate.spark.home=" + System.getProperty("sparkgate.test.spark-home"),
                        "--sparkgate.runs.max-concurrent=5000"))
        .hasStackTraceContaining("runs.maxConcurrent");
    // It had started (initdb made the data directory), and it was stopped.
    assertThat(workDir.resolve("postgres/PG_VERSION")).exists();
    assertThat(output).contains("Stopping the embedded PostgreSQL: the service did not take it");
    assertThat(workDir.resolve("postgres/postmaster.pid")).doesNotExist();
    WorkDirLock.acquire(workDir).close();

    try (ConfigurableApplicationContext next = start()) {
      assertThat(next.getBean(CatalogService.class).get("market-curate").latestVersion())
          .isEqualTo(1);
    }
  }

  /**
   * A data directory as versions before passwords left it: trust for every connection, the tables
   * in the database postgres, owned by the superuser postgres that the service connected as. The
   * service in external mode on that database is what those versions ran; it stops one migration
   * short, so that the upgraded service must change a table the superuser owned.
   */
  @Test
  void upgradesADataDirectoryOfAnEarlierVersion() throws Exception {
    try (EmbeddedPostgres earlier =
            EmbeddedPostgres.builder()
                .setDataDirectory(workDir.resolve("postgres"))
                .setCleanDataDirectory(false)
                .setServerConfig("timezone", "UTC")
                .start();
        ConfigurableApplicationContext old =
            new SpringApplicationBuilder(SparkgateApplication.class)
                .run(
                    "--server.port=0",
                    "--sparkgate.work-dir=" + workDir.resolve("earlier"),
                    "--sparkgate.spark.home=" + System.getProperty("sparkgate.test.spark-home"),
                    "--spring.datasource.url=" + earlier.getJdbcUrl("postgres", "postgres"),
                    "--spring.datasource.username=postgres",
                    "--spring.flyway.target=4")) {
      old.getBean(CatalogService.class)
          .register(
              "kept", Jobs.jvm(workDir.resolve("earlier/artifacts/a.jar").toString(), "A"), "test");
    }
    assertThat(Files.readString(workDir.resolve("postgres/pg_hba.conf"))).contains("trust");

    try (ConfigurableApplicationContext upgraded = start()) {
      int port = upgraded.getBean(EmbeddedPostgres.class).getPort();
      assertThat(upgraded.getBean(CatalogService.class).get("kept").latestVersion()).isEqualTo(1);
      assertClosedToAllButTheServiceRole(upgraded, port);
      JdbcClient jdbc = upgraded.getBean(JdbcClient.class);
      // The last migration ran on the tables of the earlier version, as the service's role.
      assertThat(
              jdbc.sql("select installed_by from flyway_schema_history where version = '5'")
                  .query(String.class)
                  .single())
          .isEqualTo("sparkgate");
      assertThat(
              jdbc.sql(
                      """
                      select count(*) from pg_class c
                      join pg_namespace n on n.oid = c.relnamespace
                      where n.nspname = 'public' and pg_get_userbyid(c.relowner) <> 'sparkgate'
                      """)
                  .query(Integer.class)
                  .single())
          .isZero();
    }
  }

  /**
   * The passwords are files only their owner can read; without a password, or with a wrong one, no
   * role gets in; the service is connected as its own role, which is no superuser.
   */
  static void assertClosedToAllButTheServiceRole(ConfigurableApplicationContext context, int port)
      throws Exception {
    Path workDir = context.getBean(SparkgateProperties.class).workDir();
    String superuserPassword =
        assertOwnerOnlySecret(workDir.resolve("postgres-superuser.password"));
    assertOwnerOnlySecret(workDir.resolve("postgres.password"));
    assertThat(Files.readString(workDir.resolve("postgres/pg_hba.conf")))
        .doesNotContainPattern("(?m)^[^#]*\\btrust\\b")
        .containsPattern("(?m)^local +all +all +scram-sha-256")
        .containsPattern("(?m)^host +all +all +127.0.0.1/32 +scram-sha-256");
    for (String role : List.of("sparkgate", "postgres")) {
      for (String database : List.of("sparkgate", "postgres")) {
        assertThatThrownBy(() -> connect(port, role, database, null))
            .as(role + " on " + database + " without a password")
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("no password was provided");
        assertThatThrownBy(() -> connect(port, role, database, "wrong-" + superuserPassword))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("password authentication failed");
      }
    }
    assertThat(
            context
                .getBean(JdbcClient.class)
                .sql(
                    "select current_user || ' ' || rolsuper from pg_roles"
                        + " where rolname = current_user")
                .query(String.class)
                .single())
        .isEqualTo("sparkgate false");
    // Supervision's own pool logs in the same way.
    AtomicReference<String> supervision = new AtomicReference<>();
    SupervisionThreads.run(
        () ->
            supervision.set(
                context
                    .getBean(JdbcClient.class)
                    .sql("select current_user || ' ' || current_setting('application_name')")
                    .query(String.class)
                    .single()));
    assertThat(supervision).hasValue("sparkgate " + ConnectionPools.SUPERVISION);
  }

  static String assertOwnerOnlySecret(Path file) throws Exception {
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    String secret = Files.readString(file).strip();
    assertThat(secret).hasSizeGreaterThan(40);
    TestSecrets.remember(secret);
    return secret;
  }

  static void connect(int port, String role, String database, String password) throws SQLException {
    DriverManager.getConnection(
            "jdbc:postgresql://127.0.0.1:" + port + "/" + database, role, password)
        .close();
  }

  static boolean isListening(int port) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
