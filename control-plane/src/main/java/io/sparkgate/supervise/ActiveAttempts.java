package io.sparkgate.supervise;

import io.sparkgate.run.Run;
import io.sparkgate.run.RunMetrics;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The attempts whose drivers this instance launched or adopted and watches now, by run. */
@Component
class ActiveAttempts {

  private static final Logger log = LoggerFactory.getLogger(ActiveAttempts.class);

  private final Map<UUID, ActiveAttempt> byRun = new ConcurrentHashMap<>();

  ActiveAttempts(RunMetrics metrics) {
    metrics.activeRuns(byRun::size);
  }

  void add(ActiveAttempt attempt) {
    byRun.put(attempt.runId, attempt);
  }

  ActiveAttempt get(UUID runId) {
    return byRun.get(runId);
  }

  void remove(ActiveAttempt attempt) {
    byRun.remove(attempt.runId, attempt);
  }

  /**
   * Lets an attempt go whose run is no longer this instance's ({@code current} is the run as it is
   * now, or null): its driver is detached or killed (see {@link ActiveAttempt#letGo}) and it is
   * watched no more.
   */
  void letGo(ActiveAttempt attempt, Run current) {
    log.warn(
        "Run {} attempt {} is no longer this instance's (now attempt {}, owner {}): letting go",
        attempt.runId,
        attempt.attempt,
        current == null ? null : current.attempt(),
        current == null ? null : current.ownerInstance());
    attempt.letGo(current);
    remove(attempt);
  }

  Collection<ActiveAttempt> all() {
    return byRun.values();
  }

  int size() {
    return byRun.size();
  }
}
