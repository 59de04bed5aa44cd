package io.sparkgate.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.core.env.Environment;

/**
 * Starts the embedded PostgreSQL on a thread of its own as soon as the environment is known, so
 * that its start overlaps Spring's reading of the bean definitions instead of following it: with
 * the embedded defaults that is most of the database's share of a start. {@link
 * EmbeddedPostgresConfiguration} takes the started server and the work-directory lock from here;
 * whatever it has not taken when the start fails, or by the time the context is refreshed or
 * closed, is stopped and released here, so that no failed start leaves a PostgreSQL running.
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
    if (!EmbeddedPostgresConfiguration.NoDatasourceUrl.matches(context.getEnvironment())
        || context.getBeanFactory().containsSingleton(BEAN_NAME)) {
      return;
    }
    Started started = new Started();
    context.getBeanFactory().registerSingleton(BEAN_NAME, started);
    context.addApplicationListener(
        event -> {
          // A refreshed context has taken what it needs; what it has not it never will.
          if (event instanceof ApplicationFailedEvent failed
                  && failed.getApplicationContext() == context
              || event instanceof ContextRefreshedEvent refreshed
                  && refreshed.getApplicationContext() == context
              || event instanceof ContextClosedEvent closed
                  && closed.getApplicationContext() == context) {
            started.stopWhatWasNotTaken();
          }
        });
    started.begin(context.getEnvironment());
  }

  /** The lock and the server, once started; handed out once each. */
  static final class Started {

    private final CompletableFuture<Server> server = new CompletableFuture<>();
    private boolean lockTaken;
    private boolean postgresTaken;
    private boolean stopped;

    private void begin(Environment environment) {
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
    WorkDirLock takeLock() {
      WorkDirLock lock = await().lock();
      synchronized (this) {
        requireNotStopped();
        lockTaken = true;
      }
      return lock;
    }

    /** The started and prepared server, or what made its start fail. */
    EmbeddedPostgres takePostgres() {
      EmbeddedPostgres postgres = await().postgres();
      synchronized (this) {
        requireNotStopped();
        postgresTaken = true;
      }
      return postgres;
    }

    private void requireNotStopped() {
      if (stopped) {
        throw new IllegalStateException(
            "The embedded PostgreSQL was stopped: the context that started it was refreshed"
                + " without it");
      }
    }

    /** Waits for the start, interruptibly: a shutdown during start-up must not hang here. */
    private Server await() {
      try {
        return server.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while the embedded PostgreSQL started", e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException runtime
            ? runtime
            : new IllegalStateException(e.getCause().getMessage(), e.getCause());
      }
    }

    void stopWhatWasNotTaken() {
      Server started;
      try {
        started = server.join();
      } catch (CompletionException | CancellationException e) {
        return; // the start failed and released what it had
      }
      boolean stopPostgres;
      boolean releaseLock;
      synchronized (this) {
        stopped = true;
        stopPostgres = !postgresTaken;
        releaseLock = !lockTaken;
        postgresTaken = true;
        lockTaken = true;
      }
      if (stopPostgres) {
        log.info("Stopping the embedded PostgreSQL: the service did not take it");
        Server.close(started.postgres());
      }
      if (releaseLock) {
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
