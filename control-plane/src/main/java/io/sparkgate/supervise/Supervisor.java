package io.sparkgate.supervise;

import io.sparkgate.config.InstanceIdentity;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.config.SupervisionThreads;
import io.sparkgate.run.RunMetrics;
import io.sparkgate.run.RunWakeUp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The supervision loop of this instance. One thread drives every duty, in passes, so each decision
 * has one writer: record what the drivers reported ({@link Recorder}), act on cancel requests,
 * deadlines and takeovers ({@link Enforcer}), take over the runs of dead instances ({@link Reaper})
 * and claim and launch queued runs ({@link Dispatcher}). A pass runs every poll interval and
 * whenever a submit, cancel or driver event asks for one. The lease is kept on threads of its own
 * ({@link LeaseKeeper}); without it a pass only records facts and enforces stops.
 */
@Component
public class Supervisor implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
  private static final long FENCE_WATCH_MILLIS = 250;

  private final Recorder recorder;
  private final Enforcer enforcer;
  private final Reaper reaper;
  private final Dispatcher dispatcher;
  private final LeaseKeeper leaseKeeper;
  private final Lease lease;
  private final ActiveAttempts active;
  private final Launches launches;
  private final InstanceRepository instances;
  private final Clock clock;
  private final InstanceIdentity instance;
  private final SparkgateProperties properties;
  private final RunMetrics metrics;

  private final AtomicBoolean passPending = new AtomicBoolean();
  private volatile boolean running;
  private volatile boolean registered;
  private volatile Instant lastPassAt;
  private volatile String lastFailure;
  private volatile Instant lastMetricsAt = Instant.EPOCH;
  private volatile boolean stopping;
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(SupervisionThreads.named("sparkgate-supervisor"));
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(SupervisionThreads.named("sparkgate-heartbeat"));
  private final ScheduledExecutorService fenceWatch =
      Executors.newSingleThreadScheduledExecutor(SupervisionThreads.named("sparkgate-lease-watch"));

  public Supervisor(
      Recorder recorder,
      Enforcer enforcer,
      Reaper reaper,
      Dispatcher dispatcher,
      LeaseKeeper leaseKeeper,
      Lease lease,
      ActiveAttempts active,
      Launches launches,
      InstanceRepository instances,
      Clock clock,
      InstanceIdentity instance,
      SparkgateProperties properties,
      RunMetrics metrics) {
    this.recorder = recorder;
    this.enforcer = enforcer;
    this.reaper = reaper;
    this.dispatcher = dispatcher;
    this.leaseKeeper = leaseKeeper;
    this.lease = lease;
    this.active = active;
    this.launches = launches;
    this.instances = instances;
    this.clock = clock;
    this.instance = instance;
    this.properties = properties;
    this.metrics = metrics;
  }

  @Override
  public void start() {
    // On the thread that starts the service, while requests may already be served.
    SupervisionThreads.run(this::register);
    long poll = properties.supervision().pollInterval().toMillis();
    long beat = properties.supervision().heartbeatInterval().toMillis();
    running = true;
    heartbeat.scheduleWithFixedDelay(leaseKeeper::beat, beat, beat, TimeUnit.MILLISECONDS);
    fenceWatch.scheduleWithFixedDelay(
        leaseKeeper::watch, FENCE_WATCH_MILLIS, FENCE_WATCH_MILLIS, TimeUnit.MILLISECONDS);
    loop.scheduleWithFixedDelay(this::pass, 0, poll, TimeUnit.MILLISECONDS);
    log.info(
        "Instance {} supervising up to {} concurrent runs (lease {}, takeover after {})",
        instance.id(),
        properties.runs().effectiveMaxConcurrent(),
        properties.supervision().leaseTime(),
        properties.supervision().takeoverTime());
  }

  private synchronized void register() {
    if (!registered) {
      reaper.recoverOwn(leaseKeeper.register(), now(), this::wakeUp);
      registered = true;
    }
  }

  /**
   * Stops what this instance started: each local driver is stopped and its attempt ends LOST, after
   * which the retry policy decides whether another instance (or the next start) runs it again.
   * Cluster drivers outlive the instance: it stops watching them, and whoever runs next adopts
   * them.
   */
  @Override
  public void stop() {
    running = false;
    stopping = true;
    Instant now = now();
    for (ActiveAttempt attempt : active.all()) {
      if (attempt.survivesInstance()) {
        attempt.detach();
        active.remove(attempt);
      }
    }
    active.all().forEach(a -> a.requestStop(StopReason.SHUTDOWN, "system", now));
    active.all().forEach(ActiveAttempt::killNow);
    try {
      loop.submit(this::recordEndings).get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Could not record every driver's end before shutdown: {}", e.toString());
    }
    loop.shutdownNow();
    heartbeat.shutdownNow();
    fenceWatch.shutdownNow();
    launches.shutdown();
    SupervisionThreads.run(this::deregister);
  }

  private void deregister() {
    try {
      instances.delete(instance.id(), instance.incarnation());
    } catch (RuntimeException e) {
      log.warn("Could not deregister instance {}: {}", instance.id(), e.toString());
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public boolean isAutoStartup() {
    return properties.supervision().autoStart();
  }

  /** Asks for a pass soon; many requests in a burst cause one pass. */
  public void wakeUp() {
    if (running && passPending.compareAndSet(false, true)) {
      loop.execute(
          () -> {
            passPending.set(false);
            pass();
          });
    }
  }

  @EventListener
  void onWakeUp(RunWakeUp event) {
    wakeUp();
  }

  /** Health: when the loop last completed a pass, why the last one failed, and the lease. */
  public record Status(
      Instant lastPassAt,
      String lastFailure,
      int activeRuns,
      String instanceId,
      boolean leaseHeld) {}

  public Status status() {
    return new Status(lastPassAt, lastFailure, active.size(), instance.id(), lease.held());
  }

  /**
   * One pass of the loop. Tests with auto-start off call it directly, and then the pass also renews
   * the lease, as the heartbeat thread does otherwise.
   */
  void pass() {
    if (stopping) {
      return;
    }
    try {
      if (!running) {
        register();
        leaseKeeper.beat();
        leaseKeeper.watch();
      }
      Instant now = now();
      recorder.record(now);
      enforcer.enforce(now, reaper::recovering);
      if (lease.held()) {
        reaper.reap(now, this::wakeUp);
        dispatcher.dispatch(now, this::wakeUp);
      }
      refreshMetrics(now);
      lastPassAt = now;
      lastFailure = lease.held() ? null : "this instance does not hold its lease";
    } catch (RuntimeException e) {
      // Typically the database is unreachable: facts stay in memory and the next pass retries.
      reaper.forget();
      lastFailure = e.toString();
      log.warn("Supervision pass failed, retrying: {}", e.toString());
    }
  }

  /**
   * Waits (briefly) for the killed drivers to exit, then records their endings once. If the
   * database is gone too, the attempts stay live in the database and are ended LOST by the next
   * instance to start (or a surviving one), like after a crash.
   */
  private void recordEndings() {
    Instant deadline = now().plusSeconds(10);
    while (active.all().stream().anyMatch(a -> a.snapshot().exit() == null)
        && now().isBefore(deadline)) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    try {
      recorder.record(now());
    } catch (RuntimeException e) {
      log.warn("Could not record the end of {} runs at shutdown: {}", active.size(), e.toString());
    }
  }

  private void refreshMetrics(Instant now) {
    if (now.isBefore(lastMetricsAt.plusSeconds(5))) {
      return;
    }
    lastMetricsAt = now;
    metrics.refreshFromDatabase();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
