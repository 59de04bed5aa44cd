package io.sparkgate.supervise;

import io.sparkgate.config.InstanceIdentity;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.springframework.stereotype.Component;

/**
 * Acts on what the database says about this instance's live runs: cancel requests and deadlines
 * stop drivers, a driver that ignores a stop is killed after the grace period, a run owned here
 * with no driver in memory ends LOST, and a driver whose run is no longer ours is let go.
 */
@Component
class Enforcer {

  private final RunRepository runs;
  private final AttemptEnding ending;
  private final ActiveAttempts active;
  private final InstanceIdentity instance;
  private final SparkgateProperties properties;

  Enforcer(
      RunRepository runs,
      AttemptEnding ending,
      ActiveAttempts active,
      InstanceIdentity instance,
      SparkgateProperties properties) {
    this.runs = runs;
    this.ending = ending;
    this.active = active;
    this.instance = instance;
    this.properties = properties;
  }

  /**
   * @param recovering runs owned here by an earlier process with this instance id, which the reaper
   *     has not settled yet: they have no driver in memory, and that is expected
   */
  void enforce(Instant now, Predicate<UUID> recovering) {
    List<Run> live = runs.findLiveOwnedBy(instance.id());
    Set<UUID> liveIds = new HashSet<>();
    for (Run run : live) {
      liveIds.add(run.id());
      ActiveAttempt attempt = active.get(run.id());
      if (attempt == null || attempt.attempt != run.attempt()) {
        if (!recovering.test(run.id())) {
          ending.lost(run, "no driver was started for this attempt", instance.id(), now);
        }
        continue;
      }
      if (run.cancelRequestedAt() != null) {
        attempt.requestStop(StopReason.CANCEL, run.cancelRequestedBy(), now);
      } else if (run.deadlineAt() != null && !now.isBefore(run.deadlineAt())) {
        attempt.requestStop(StopReason.TIMEOUT, "system", now);
      }
    }
    Duration grace = properties.spark().stopGrace();
    for (ActiveAttempt attempt : active.all()) {
      if (!liveIds.contains(attempt.runId) && attempt.snapshot().exit() == null) {
        Run current = runs.find(attempt.runId).orElse(null);
        if (!attempt.isCurrentIn(current)) {
          active.letGo(attempt, current);
          continue;
        }
      }
      attempt.killIfOverdue(now, grace);
    }
  }
}
