package io.sparkgate.supervise;

import io.sparkgate.config.InstanceIdentity;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Renews this instance's lease with each heartbeat and, when the lease runs out, fences the
 * instance: every local and client-mode driver is killed at once (its attempt then ends LOST and
 * the retry policy decides), before any other instance may take the runs over. Cluster drivers are
 * left alone: whoever holds the run next adopts them. Runs on its own threads, so that a
 * supervision pass stuck on an unreachable database cannot delay either.
 */
@Component
class LeaseKeeper {

  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

  private final InstanceRepository instances;
  private final InstanceIdentity instance;
  private final Lease lease;
  private final ActiveAttempts active;
  private final Clock clock;
  private volatile boolean fenced;
  private volatile boolean taken;
  private volatile String lastError;

  LeaseKeeper(
      InstanceRepository instances,
      InstanceIdentity instance,
      Lease lease,
      ActiveAttempts active,
      Clock clock) {
    this.instances = instances;
    this.instance = instance;
    this.lease = lease;
    this.active = active;
    this.clock = clock;
  }

  /** Registers this process and takes the lease; returns what an earlier process left. */
  Optional<InstanceRepository.Previous> register() {
    long sent = lease.renewalStarts();
    Optional<InstanceRepository.Previous> previous =
        instances.register(instance.id(), instance.host(), instance.incarnation());
    lease.renewed(sent);
    return previous;
  }

  void beat() {
    if (taken) {
      return;
    }
    long sent = lease.renewalStarts();
    try {
      switch (instances.heartbeat(instance.id(), instance.incarnation())) {
        case RENEWED -> lease.renewed(sent);
        case GONE -> {
          log.warn(
              "Instance {} was declared dead by another instance; registering again",
              instance.id());
          instances.register(instance.id(), instance.host(), instance.incarnation());
          lease.renewed(sent);
        }
        case TAKEN -> {
          taken = true;
          log.error(
              "Another process registered instance id {}: this one no longer renews its lease"
                  + " and stops its drivers. Give every instance its own sparkgate.instance-id.",
              instance.id());
        }
      }
      if (lastError != null) {
        log.info("Heartbeat renewed again after failures ({})", lastError);
        lastError = null;
      }
    } catch (RuntimeException e) {
      if (lastError == null) {
        log.warn("Heartbeat failed: {}", e.toString());
      }
      lastError = e.toString();
    }
  }

  /** Fences this instance if its lease has run out; cheap, called often. */
  void watch() {
    if (lease.held()) {
      if (fenced) {
        log.info("Instance {} holds its lease again", instance.id());
        fenced = false;
      }
      return;
    }
    if (!fenced) {
      Duration since = lease.sinceRenewal();
      log.warn(
          "Instance {} lost its lease (last renewal sent {} ago): stopping its local drivers"
              + " and claiming nothing until the database is back",
          instance.id(),
          since);
      fenced = true;
    }
    java.time.Instant now = clock.instant();
    active.all().forEach(a -> a.fence(now));
  }
}
