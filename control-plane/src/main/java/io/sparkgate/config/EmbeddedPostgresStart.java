package io.sparkgate.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.Environment;

/**
 * Starts the embedded PostgreSQL on a thread of its own as soon as the environment is known, so
 * that its start overlaps Spring's reading of the bean definitions instead of following it: with
 * the embedded defaults that is most of the database's share of a start. {@link
 * EmbeddedPostgresConfiguration} takes the started server and the work-directory lock from here;
 * whatever it has not taken when the start fails or the context closes is stopped and released
 * here, so that no failed start leaves a PostgreSQL running.
 *
 * <p>Registered in {@code META-INF/spring.factories}, so every context of the application starts it
 * this way, tests included. It does nothing when {@code spring.datasource.url} is set.
 */
public final class EmbeddedPostgresStart
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  static final String BEAN_NAME = "sparkgate.embeddedPostgresStart";

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresStart.class);

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    if (!EmbeddedPostgresConfiguration.NoDatasourceUrl.matches(context.getEnvironment())) {
      return;
    }
    Started started = new Started(context.getEnvironment());
    context.getBeanFactory().registerSingleton(BEAN_NAME, started);
    context.addApplicationListener(
        event -> {
          if (event instanceof ApplicationFailedEvent || event instanceof ContextClosedEvent) {
            started.stopWhatWasNotTaken();
          }
        });
  }

  /** The lock and the server, once started; handed out once each. */
  static final class Started {

    private final CompletableFuture<Server> server;
    private boolean lockTaken;
    private boolean postgresTaken;

    private Started(Environment environment) {
      server = new CompletableFuture<>();
      Thread thread =
          new Thread(
              () -> {
                try {
                  // Bound again, and validated, as a bean: a value the bean refuses fails the
                  // start there, and this server is then stopped by the failure.
                  SparkgateProperties properties =
                      Binder.get(environment).bindOrCreate("sparkgate", SparkgateProperties.class);
                  server.complete(Server.start(properties));
                } catch (Throwable e) {
                  server.completeExceptionally(e);
                }
              },
              "embedded-postgres-start");
      thread.setDaemon(true);
      thread.start();
    }

    /** The work-directory lock, waiting for the start if it is still running. */
    synchronized WorkDirLock takeLock() {
      WorkDirLock lock = await().lock();
      lockTaken = true;
      return lock;
    }

    /** The started and prepared server, or what made its start fail. */
    synchronized EmbeddedPostgres takePostgres() {
      EmbeddedPostgres postgres = await().postgres();
      postgresTaken = true;
      return postgres;
    }

    private Server await() {
      try {
        return server.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException runtime
            ? runtime
            : new IllegalStateException(e.getCause().getMessage(), e.getCause());
      }
    }

    synchronized void stopWhatWasNotTaken() {
      Server started;
      try {
        started = server.join();
      } catch (CompletionException e) {
        return; // the start failed and released what it had
      }
      if (!postgresTaken) {
        postgresTaken = true;
        log.info("Stopping the embedded PostgreSQL: the service did not start");
        Server.close(started.postgres());
      }
      if (!lockTaken) {
        lockTaken = true;
        Server.close(started.lock());
      }
    }
  }

  /** The lock on the work directory, and the server started while holding it. */
  record Server(WorkDirLock lock, EmbeddedPostgres postgres) {

    static Server start(SparkgateProperties properties) throws Exception {
      WorkDirLock lock = WorkDirLock.acquire(properties.workDir());
      try {
        return new Server(lock, EmbeddedPostgresConfiguration.startPostgres(properties));
      } catch (Exception | Error e) {
        close(lock);
        throw e;
      }
    }

    static void close(AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("Could not close {}", closeable, e);
      }
    }
  }
}
