package io.sparkgate.config;

import io.sparkgate.support.SecretFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * With no {@code spring.datasource.url}, the service starts a real PostgreSQL of its own, keeps its
 * data under the work directory and stops it on shutdown. This is what makes {@code java -jar
 * control-plane.jar} work on a machine with nothing but Java.
 *
 * <p>It is as closed as a database on a shared host should be: every connection, from the host too,
 * needs a password (SCRAM-SHA-256); the passwords are generated on first start and kept in {@code
 * <workDir>/postgres-superuser.password} and {@code <workDir>/postgres.password}, readable by their
 * owner only; the service connects as the role {@code sparkgate}, which is no superuser and owns
 * the database {@code sparkgate} (see {@link EmbeddedDatabaseSetup}).
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedPostgresConfiguration.NoDatasourceUrl.class)
public class EmbeddedPostgresConfiguration {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

  /** The superuser's password, also initdb's {@code --pwfile}. */
  static Path superuserPasswordFile(SparkgateProperties properties) {
    return properties.workDir().resolve("postgres-superuser.password");
  }

  /** The password of the role the service connects as. */
  static Path servicePasswordFile(SparkgateProperties properties) {
    return properties.workDir().resolve("postgres.password");
  }

  /**
   * The server {@link EmbeddedPostgresStart} started while Spring read the bean definitions, with
   * the lock on the work directory it holds: two services on one embedded database would corrupt
   * each other's view of their drivers. Closing it stops the server, then releases the lock; the OS
   * releases the lock when the process dies, however it dies.
   */
  @Bean(destroyMethod = "close")
  EmbeddedPostgresStart.Server embeddedPostgresServer(EmbeddedPostgresStart.Started started) {
    return started.take();
  }

  /** Stopped by its {@link #embeddedPostgresServer}, not on its own. */
  @Bean(destroyMethod = "")
  EmbeddedPostgres embeddedPostgres(EmbeddedPostgresStart.Server server) {
    return server.postgres();
  }

  /**
   * Starts the server on the data directory and prepares its roles and database, with the work
   * directory locked by the caller.
   */
  static EmbeddedPostgres startPostgres(SparkgateProperties properties) throws IOException {
    Path dataDir =
        properties.embeddedDb().dataDir().isBlank()
            ? properties.workDir().resolve("postgres")
            : Path.of(properties.embeddedDb().dataDir());
    Files.createDirectories(dataDir);
    stopOrphanedServer(dataDir);
    Path superuserFile = superuserPasswordFile(properties).toAbsolutePath();
    boolean initialized = Files.exists(dataDir.resolve("postgresql.conf"));
    if (initialized
        && !Files.exists(superuserFile)
        && !EmbeddedDatabaseSetup.trustsConnections(dataDir)) {
      throw new IllegalStateException(
          "The embedded PostgreSQL in "
              + dataDir.toAbsolutePath()
              + " needs the superuser password that was in "
              + superuserFile
              + ": restore that file, or start on a new data directory");
    }
    String superuserPassword = SecretFiles.readOrCreate(superuserFile);
    Path binaries = properties.workDir().resolve("postgres-binaries");
    Files.createDirectories(binaries);
    EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setOverrideWorkingDirectory(binaries.toFile())
            .setPort(properties.embeddedDb().port())
            // Spring closes it after everything that uses the database has stopped.
            .setRegisterShutdownHook(false)
            .setServerConfig("timezone", "UTC")
            // For a new data directory the library runs initdb with -A trust, followed by each
            // "locale" setting as --key=value: the one way to give initdb options. The later
            // --auth wins, for local and host connections alike; --pwfile sets the superuser's
            // password. An existing data directory is upgraded by EmbeddedDatabaseSetup instead.
            .setLocaleConfig("auth", "scram-sha-256")
            .setLocaleConfig("pwfile", superuserFile.toString())
            // Every connection the library opens itself (its readiness check) is the superuser's.
            .setConnectConfig("password", superuserPassword)
            .start();
    try {
      EmbeddedDatabaseSetup.prepare(
          postgres,
          dataDir,
          superuserPassword,
          SecretFiles.readOrCreate(servicePasswordFile(properties)));
    } catch (IOException | SQLException | RuntimeException e) {
      postgres.close();
      throw new IllegalStateException(
          "Could not prepare the embedded PostgreSQL in " + dataDir.toAbsolutePath(), e);
    }
    log.info(
        "Started embedded PostgreSQL on 127.0.0.1:{} with data in {}",
        postgres.getPort(),
        dataDir.toAbsolutePath());
    return postgres;
  }

  /**
   * After a crash (kill -9) of the service, its PostgreSQL keeps running. With the work-dir lock
   * held, no live service owns that server, so it is shut down before a new one starts on the same
   * data.
   */
  static void stopOrphanedServer(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
    long pid;
    try {
      pid = Long.parseLong(first);
    } catch (NumberFormatException e) {
      return;
    }
    java.util.Optional<ProcessHandle> server = ProcessHandle.of(pid);
    if (server.isEmpty()
        || !server.get().info().command().map(c -> c.endsWith("postgres")).orElse(false)) {
      return;
    }
    log.warn("Stopping PostgreSQL (pid {}) left running by a previous run of the service", pid);
    // SIGTERM is PostgreSQL's smart shutdown; its clients died with the old service.
    server.get().destroy();
    try {
      server.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      server.get().destroyForcibly();
    }
  }

  /** How both connection pools log in: as the service's role, with its generated password. */
  @Bean
  DatabaseLogin embeddedDatabaseLogin(EmbeddedPostgres postgres, SparkgateProperties properties)
      throws IOException {
    return new DatabaseLogin(
        postgres.getJdbcUrl(EmbeddedDatabaseSetup.ROLE, EmbeddedDatabaseSetup.DATABASE),
        EmbeddedDatabaseSetup.ROLE,
        SecretFiles.readOrCreate(servicePasswordFile(properties)),
        null);
  }

  /** Matches when no external database is configured. */
  static class NoDatasourceUrl implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return matches(context.getEnvironment());
    }

    static boolean matches(Environment environment) {
      String url = environment.getProperty("spring.datasource.url");
      return url == null || url.isBlank();
    }
  }
}
