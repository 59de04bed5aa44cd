package io.sparkgate.supervise;

import io.sparkgate.run.RunMetrics;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** The attempts whose drivers this instance launched or adopted and watches now, by run. */
@Component
class ActiveAttempts {

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

  Collection<ActiveAttempt> all() {
    return byRun.values();
  }

  int size() {
    return byRun.size();
  }
}
