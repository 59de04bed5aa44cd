package io.sparkgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.SparkgateApplication;
import io.sparkgate.catalog.CatalogService;
import io.sparkgate.testing.Jobs;
import io.sparkgate.testing.TestSecrets;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * With no datasource configured the service starts its own PostgreSQL, keeps its data in the work
 * directory across restarts, and stops it on shutdown.
 */
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
      Path token = workDir.resolve("admin.token");
      assertThat(java.nio.file.Files.getPosixFilePermissions(token))
          .containsExactlyInAnyOrder(
              java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
      assertThat(Files.readString(token).strip()).hasSizeGreaterThan(40);
      TestSecrets.remember(Files.readString(token));
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
  }

  static boolean isListening(int port) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
