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
 * that its start overlaps Spring's reading of the bean definitions instead of following it. {@link
 * EmbeddedPostgresConfiguration} takes the started server, with the work-directory lock, from here;
 * if it has not taken it when the start fails, or by the time the context is refreshed or closed,
 * the server is stopped and the lock released here, so that no failed start leaves a PostgreSQL
 * running.
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

  /** The lock and the server, once started; handed out once. */
  static final class Started {

    private final CompletableFuture<Server> server = new CompletableFuture<>();
    private boolean taken;
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

    /** The started and prepared server, waiting for it if need be, or what made its start fail. */
    Server take() {
      Server started = await();
      synchronized (this) {
        if (stopped) {
          throw new IllegalStateException(
              "The embedded PostgreSQL was stopped: the context that started it was refreshed"
                  + " without it");
        }
        taken = true;
      }
      return started;
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
      boolean unused;
      synchronized (this) {
        unused = !taken && !stopped;
        stopped = true;
      }
      if (!unused) {
        return;
      }
      log.info("Stopping the embedded PostgreSQL: the service did not take it");
      started.close();
    }
  }

  /**
   * The lock on the work directory, and the server started while holding it. Closing stops the
   * server, then releases the lock.
   */
  record Server(WorkDirLock lock, EmbeddedPostgres postgres) implements AutoCloseable {

    static Server start(SparkgateProperties properties) throws Exception {
      WorkDirLock lock = WorkDirLock.acquire(properties.workDir());
      try {
        return new Server(lock, EmbeddedPostgresConfiguration.startPostgres(properties));
      } catch (Exception | Error e) {
        close(lock);
        throw e;
      }
    }

    @Override
    public void close() {
      close(postgres);
      close(lock);
    }

    private static void close(AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("Could not close {}", closeable, e);
      }
    }
  }
}
