package io.sparkgate.supervise;

import io.sparkgate.config.SupervisionThreads;
import io.sparkgate.launch.LaunchException;
import io.sparkgate.launch.LaunchSpec;
import io.sparkgate.launch.SparkBackend;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Runs launches off the supervision loop, so that no launch waits for another. Local and
 * client-mode drivers start on one long-lived thread: they run under a parent-death signal and die
 * with the thread that started them, so it must not be a pooled thread that may come and go (and
 * starting a process is quick). Cluster submissions, which wait for a remote cluster manager and
 * leave no process of ours behind, each get a thread of their own.
 */
@Component
class Launches {

  private static final Logger log = LoggerFactory.getLogger(Launches.class);

  private final SparkBackend backend;
  private final ExecutorService local =
      Executors.newSingleThreadExecutor(SupervisionThreads.named("sparkgate-launcher"));
  private final ExecutorService cluster =
      Executors.newCachedThreadPool(SupervisionThreads.named("sparkgate-cluster-submit"));

  Launches(SparkBackend backend) {
    this.backend = backend;
  }

  void start(LaunchSpec spec, ActiveAttempt attempt) {
    (spec.offHost() ? cluster : local)
        .execute(
            () -> {
              try (MDC.MDCCloseable ignored = MDC.putCloseable("runId", spec.runId().toString())) {
                attempt.launched(backend.launch(spec, attempt));
              } catch (LaunchException e) {
                log.warn("Launch of run {} failed: {}", spec.runId(), e.getMessage());
                attempt.launchFailed(e.getMessage(), e.infrastructure());
              } catch (RuntimeException e) {
                log.warn("Launch of run {} failed: {}", spec.runId(), e.toString());
                attempt.launchFailed(e.toString(), true);
              }
            });
  }

  void shutdown() {
    local.shutdownNow();
    cluster.shutdownNow();
  }
}
