package io.sparkgate.supervise;

import io.sparkgate.config.InstanceIdentity;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.launch.DriverHandle;
import io.sparkgate.launch.DriverRef;
import io.sparkgate.launch.OrphanDrivers;
import io.sparkgate.launch.SparkBackend;
import io.sparkgate.run.Attempt;
import io.sparkgate.run.AttemptRef;
import io.sparkgate.run.AttemptState;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunState;
import io.sparkgate.support.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Takes over the runs of dead instances: a cluster driver is adopted and followed to its true end
 * (no launch slot needed: adopting starts nothing), any other attempt ends LOST and the retry
 * policy decides. An instance is dead when its row is gone, or when this instance has seen its
 * heartbeat unchanged for the takeover time on its own clock, by reads that all succeeded; by then
 * it has fenced itself (see {@link Lease}). At start, it also settles the runs that an earlier
 * process with this instance id left behind.
 */
@Component
class Reaper {

  private static final Logger log = LoggerFactory.getLogger(Reaper.class);

  private final RunRepository runs;
  private final InstanceRepository instances;
  private final SparkBackend backend;
  private final AttemptEnding ending;
  private final ActiveAttempts active;
  private final InstanceIdentity instance;
  private final Ticker ticker;
  private final Liveness liveness;
  private final Duration interval;
  private final Duration takeover;

  private long lastReap;
  private boolean reapedOnce;
  // Runs of an earlier process with this id on another host: settled after the takeover time.
  private final Set<UUID> ownPending = new HashSet<>();
  private long ownPendingSince;

  Reaper(
      RunRepository runs,
      InstanceRepository instances,
      SparkBackend backend,
      AttemptEnding ending,
      ActiveAttempts active,
      InstanceIdentity instance,
      Ticker ticker,
      SparkgateProperties properties) {
    this.runs = runs;
    this.instances = instances;
    this.backend = backend;
    this.ending = ending;
    this.active = active;
    this.instance = instance;
    this.ticker = ticker;
    this.liveness = new Liveness(ticker);
    this.interval = properties.supervision().heartbeatInterval();
    this.takeover = properties.supervision().takeoverTime();
  }

  /** A read failed: what was seen of the others' heartbeats no longer spans a known time. */
  void forget() {
    liveness.forget();
  }

  boolean recovering(UUID runId) {
    return ownPending.contains(runId);
  }

  /**
   * Settles the live runs that an earlier process with this instance id owned, before this one
   * claims anything: its cluster drivers are re-attached; its other drivers died with it (they run
   * under a parent-death signal, and any that did not are killed here when it ran on this host), so
   * their attempts end LOST. When it ran on another host, nothing here can kill what it left, so
   * those attempts wait for the takeover time, by which that process has fenced itself.
   */
  void recoverOwn(Optional<InstanceRepository.Previous> previous, Instant now, Runnable wakeUp) {
    if (previous.isEmpty()) {
      return;
    }
    boolean sameHost = instance.host().equals(previous.get().host());
    for (Run run : runs.findLiveOwnedBy(instance.id())) {
      if (adopt(
          run,
          "driver re-attached by instance " + instance.id() + " after a restart",
          now,
          wakeUp)) {
        continue;
      }
      if (sameHost) {
        killOrphans(run);
        ending.lost(
            run,
            "instance " + instance.id() + " restarted; its driver did not survive",
            instance.id(),
            now);
      } else {
        ownPending.add(run.id());
      }
    }
    ownPendingSince = ticker.nanos();
  }

  void reap(Instant now, Runnable wakeUp) {
    long tick = ticker.nanos();
    if (reapedOnce && tick - lastReap < interval.toNanos()) {
      return;
    }
    reapedOnce = true;
    lastReap = tick;
    // Owners first, heartbeats second: an instance registers before it claims, so an owner seen
    // here is in the heartbeats read after, unless it is really gone.
    List<String> owners = instances.liveOwners();
    Map<String, Long> heartbeats = instances.heartbeats();
    liveness.observe(heartbeats);
    for (String owner : owners) {
      if (owner.equals(instance.id())) {
        continue;
      }
      if (isDead(owner, heartbeats)) {
        reapOwner(owner, now, wakeUp);
      }
    }
    for (String id : heartbeats.keySet()) {
      if (!id.equals(instance.id()) && isDead(id, heartbeats)) {
        // Its runs are settled: the row goes, unless it heartbeated since.
        instances.deleteIfUnchanged(id, heartbeats.get(id));
      }
    }
    if (!ownPending.isEmpty() && tick - ownPendingSince >= takeover.toNanos()) {
      for (Run run : runs.findLiveOwnedBy(instance.id())) {
        if (ownPending.contains(run.id())) {
          ending.lost(
              run,
              "instance " + instance.id() + " restarted elsewhere; its driver was lost",
              instance.id(),
              now);
        }
      }
      ownPending.clear();
    }
  }

  private boolean isDead(String id, Map<String, Long> heartbeats) {
    if (!heartbeats.containsKey(id)) {
      return true; // deregistered at shutdown or reaped before: nobody renews its lease
    }
    return liveness.unchangedFor(id).map(d -> d.compareTo(takeover) >= 0).orElse(false);
  }

  private void reapOwner(String dead, Instant now, Runnable wakeUp) {
    // Instance ids start with their host name, and a dead instance's row may already be gone.
    boolean sameHost =
        instances
            .host(dead)
            .map(instance.host()::equals)
            .orElse(dead.startsWith(instance.host() + "-"));
    for (Run run : runs.findLiveOwnedBy(dead)) {
      if (adopt(run, "driver adopted from instance " + dead, now, wakeUp)) {
        continue;
      }
      if (sameHost) {
        killOrphans(run);
      }
      if (ending.lost(run, "instance " + dead + " stopped heartbeating", instance.id(), now)
          != null) {
        log.warn("Run {} attempt {} LOST with instance {}", run.id(), run.attempt(), dead);
      }
    }
  }

  /**
   * Follows a run's cluster driver from here on, keeping its attempt. Returns false when the run's
   * driver does not outlive instances (or its id was never recorded), so the attempt must end LOST.
   */
  private boolean adopt(Run run, String reason, Instant now, Runnable wakeUp) {
    Attempt last =
        runs.findAttempts(run.id()).stream()
            .filter(a -> a.attempt() == run.attempt())
            .findFirst()
            .orElse(null);
    if (last == null || !last.onCluster()) {
      return false;
    }
    ActiveAttempt attempt =
        new ActiveAttempt(
            new AttemptRef(run.id(), run.attempt(), instance.id()), run.job(), true, now, wakeUp);
    attempt.appIdRecorded = true;
    attempt.driverIdRecorded = true;
    attempt.runningRecorded = run.state() == RunState.RUNNING;
    DriverRef ref =
        new DriverRef(
            run.id(),
            run.attempt(),
            last.master(),
            last.deployMode(),
            last.driverId(),
            last.logPath());
    Optional<DriverHandle> handle = backend.reattach(ref, attempt);
    if (handle.isEmpty()) {
      // This backend cannot follow the driver, and it may still run: a retry could run beside
      // it, so the run fails instead.
      ending.end(
          run,
          new AttemptOutcome(
              AttemptState.LOST,
              null,
              "driver "
                  + last.driverId()
                  + " cannot be followed from here; not retried, it may"
                  + " still run",
              null,
              false,
              false),
          "system",
          instance.id(),
          now);
      return true;
    }
    if (!runs.adopt(run.attemptRef(), instance.id(), reason, now)) {
      handle.get().detach();
      return true; // Another survivor was faster: it watches the driver now.
    }
    active.add(attempt);
    attempt.launched(handle.get());
    log.info("Run {}: {}; watching driver {}", run.id(), reason, last.driverId());
    return true;
  }

  private static void killOrphans(Run run) {
    int killed = OrphanDrivers.kill(run.id());
    if (killed > 0) {
      log.warn("Killed {} orphaned driver processes of run {}", killed, run.id());
    }
  }
}
