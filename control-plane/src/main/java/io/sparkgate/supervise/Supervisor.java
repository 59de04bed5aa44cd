package io.sparkgate.supervise;

import io.sparkgate.catalog.ArgTemplate;
import io.sparkgate.catalog.JobDefinition;
import io.sparkgate.catalog.JobRepository;
import io.sparkgate.config.InstanceIdentity;
import io.sparkgate.config.PublicUrl;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.launch.DriverHandle;
import io.sparkgate.launch.DriverRef;
import io.sparkgate.launch.LaunchException;
import io.sparkgate.launch.LaunchSpec;
import io.sparkgate.launch.OrphanDrivers;
import io.sparkgate.launch.SparkBackend;
import io.sparkgate.run.Attempt;
import io.sparkgate.run.AttemptState;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunMetrics;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunSecrets;
import io.sparkgate.run.RunState;
import io.sparkgate.run.RunWakeUp;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The supervision loop of this instance. One thread does all of it, in passes: record what the
 * drivers reported, act on cancel requests and timeouts, end the attempts of dead instances, and
 * claim and launch queued runs while slots are free. A pass runs every poll interval and whenever a
 * submit, cancel or driver event asks for one.
 */
@Component
public class Supervisor implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  // An instance is dead after this many missed heartbeats.
  static final int MISSED_HEARTBEATS = 3;

  private final RunRepository runs;
  private final JobRepository jobs;
  private final SparkBackend backend;
  private final AttemptEnding ending;
  private final InstanceRepository instances;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final InstanceIdentity instance;
  private final SparkgateProperties properties;
  private final RunMetrics metrics;
  private final PublicUrl publicUrl;

  private final Map<UUID, ActiveAttempt> active = new ConcurrentHashMap<>();
  private final AtomicBoolean passPending = new AtomicBoolean();
  private volatile boolean running;
  private volatile Instant lastPassAt;
  private volatile String lastFailure;
  private volatile Instant lastReapAt = Instant.EPOCH;
  private volatile Instant lastMetricsAt = Instant.EPOCH;
  private volatile boolean stopping;
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(named("sparkgate-supervisor"));
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(named("sparkgate-heartbeat"));
  // One long-lived launcher thread: drivers started under a parent-death signal die with the
  // thread that started them, so it must not be a pooled thread that may come and go.
  private final ExecutorService launcher =
      Executors.newSingleThreadExecutor(named("sparkgate-launcher"));

  public Supervisor(
      RunRepository runs,
      JobRepository jobs,
      SparkBackend backend,
      AttemptEnding ending,
      InstanceRepository instances,
      TransactionTemplate tx,
      Clock clock,
      InstanceIdentity instance,
      SparkgateProperties properties,
      RunMetrics metrics,
      PublicUrl publicUrl) {
    this.runs = runs;
    this.jobs = jobs;
    this.backend = backend;
    this.ending = ending;
    this.instances = instances;
    this.tx = tx;
    this.clock = clock;
    this.instance = instance;
    this.properties = properties;
    this.metrics = metrics;
    this.publicUrl = publicUrl;
    metrics.activeRuns(active::size);
  }

  @Override
  public void start() {
    instances.register(instance.id(), instance.host(), now());
    long poll = properties.supervision().pollInterval().toMillis();
    long beat = properties.supervision().heartbeatInterval().toMillis();
    running = true;
    loop.scheduleWithFixedDelay(this::pass, 0, poll, TimeUnit.MILLISECONDS);
    heartbeat.scheduleWithFixedDelay(this::beat, beat, beat, TimeUnit.MILLISECONDS);
    log.info(
        "Instance {} supervising up to {} concurrent runs",
        instance.id(),
        properties.runs().effectiveMaxConcurrent());
  }

  /**
   * Stops what this instance started: each live driver is stopped and its attempt ends LOST, after
   * which the retry policy decides whether another instance (or the next start) runs it again.
   */
  @Override
  public void stop() {
    running = false;
    stopping = true;
    Instant now = now();
    // Cluster drivers outlive this instance: stop watching them; whoever starts next adopts them.
    active
        .values()
        .removeIf(
            a -> {
              if (a.survivesInstance()) {
                a.detach();
                return true;
              }
              return false;
            });
    active.values().forEach(a -> a.requestStop(StopReason.SHUTDOWN, "system", now));
    active.values().forEach(ActiveAttempt::killNow);
    try {
      loop.submit(this::recordEndings).get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Could not record every driver's end before shutdown: {}", e.toString());
    }
    loop.shutdownNow();
    heartbeat.shutdownNow();
    launcher.shutdownNow();
    try {
      instances.delete(instance.id());
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

  /** Health: when the loop last completed a pass, and why the last one failed, if it did. */
  public record Status(Instant lastPassAt, String lastFailure, int activeRuns, String instanceId) {}

  public Status status() {
    return new Status(lastPassAt, lastFailure, active.size(), instance.id());
  }

  /** One pass of the loop; tests with auto-start off call it directly. */
  void pass() {
    if (stopping) {
      return;
    }
    try {
      Instant now = now();
      recordFacts(now);
      enforceRequests(now);
      reapDeadInstances(now);
      dispatch(now);
      refreshMetrics(now);
      lastPassAt = now;
      lastFailure = null;
    } catch (RuntimeException e) {
      // Typically the database is unreachable: facts stay in memory and the next pass retries.
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
    while (active.values().stream().anyMatch(a -> a.snapshot().exit() == null)
        && now().isBefore(deadline)) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    try {
      recordFacts(now());
    } catch (RuntimeException e) {
      log.warn("Could not record the end of {} runs at shutdown: {}", active.size(), e.toString());
    }
  }

  /** Writes what drivers reported since the last pass. */
  private void recordFacts(Instant now) {
    for (ActiveAttempt attempt : active.values()) {
      ActiveAttempt.Snapshot facts = attempt.snapshot();
      try (MDC.MDCCloseable ignored = MDC.putCloseable("runId", attempt.runId.toString())) {
        if (facts.appId() != null && !attempt.appIdRecorded) {
          runs.setAttemptAppId(attempt.runId, attempt.attempt, facts.appId());
          attempt.appIdRecorded = true;
        }
        if (facts.driverId() != null && !attempt.driverIdRecorded) {
          runs.setAttemptDriverId(attempt.runId, attempt.attempt, facts.driverId());
          attempt.driverIdRecorded = true;
        }
        if (facts.running() && !attempt.runningRecorded) {
          tx.executeWithoutResult(
              status -> {
                runs.markAttemptRunning(attempt.runId, attempt.attempt, facts.appId());
                runs.transition(
                    attempt.runId,
                    RunState.LAUNCHING,
                    RunState.RUNNING,
                    facts.appId() == null ? "driver running" : "driver running as " + facts.appId(),
                    "system",
                    instance.id(),
                    now,
                    null);
              });
          attempt.runningRecorded = true;
          metrics.launchLatency(attempt.job, Duration.between(attempt.claimedAt, now));
        }
        if (facts.exit() != null) {
          finish(attempt, facts, now);
        }
      }
    }
  }

  private void finish(ActiveAttempt attempt, ActiveAttempt.Snapshot facts, Instant now) {
    Run run = runs.find(attempt.runId).orElse(null);
    if (run == null
        || run.attempt() != attempt.attempt
        || run.state().isTerminal()
        || !instance.id().equals(run.ownerInstance())) {
      // The run has moved on without us (another instance declared us dead): nothing to record.
      active.remove(attempt.runId);
      return;
    }
    AttemptOutcome outcome = AttemptOutcome.decide(facts, run.timeoutSeconds());
    String actor =
        facts.stopReason() == StopReason.CANCEL && facts.stoppedBy() != null
            ? facts.stoppedBy()
            : "system";
    RunState next =
        ending.end(
            run,
            outcome.state(),
            outcome.exitCode(),
            outcome.reason(),
            outcome.error(),
            actor,
            instance.id(),
            now);
    if (next != null) {
      metrics.attemptDuration(
          run.job(), outcome.state().name(), Duration.between(attempt.claimedAt, now));
      if (next.isTerminal()) {
        metrics.finished(run.job(), next.name());
      }
      log.info(
          "Run {} attempt {} ended {}: {}",
          run.id(),
          run.attempt(),
          outcome.state(),
          outcome.reason());
      active.remove(attempt.runId);
    }
    // Otherwise the run changed under us; the next pass reads it again.
  }

  /** Acts on cancel requests and deadlines, and kills drivers that ignored a stop. */
  private void enforceRequests(Instant now) {
    List<Run> live = runs.findLiveOwnedBy(instance.id());
    Set<UUID> liveIds = new HashSet<>();
    for (Run run : live) {
      liveIds.add(run.id());
      ActiveAttempt attempt = active.get(run.id());
      if (attempt == null) {
        // Owned here in the database but no driver in memory: the launch never happened.
        ending.end(
            run,
            AttemptState.LOST,
            null,
            "no driver was started for this attempt",
            null,
            "system",
            instance.id(),
            now);
        continue;
      }
      if (run.cancelRequestedAt() != null) {
        attempt.requestStop(StopReason.CANCEL, run.cancelRequestedBy(), now);
      } else if (run.deadlineAt() != null && !now.isBefore(run.deadlineAt())) {
        attempt.requestStop(StopReason.TIMEOUT, "system", now);
      }
    }
    Duration grace = properties.spark().stopGrace();
    for (ActiveAttempt attempt : active.values()) {
      if (!liveIds.contains(attempt.runId) && attempt.snapshot().exit() == null) {
        Run run = runs.find(attempt.runId).orElse(null);
        if (run == null || run.state().isTerminal() || !instance.id().equals(run.ownerInstance())) {
          // Another instance took the run over: this driver must not run beside its successor.
          attempt.killNow();
          active.remove(attempt.runId);
          continue;
        }
      }
      attempt.killIfOverdue(now, grace);
    }
  }

  /** Ends the attempts of instances that stopped heartbeating; their runs retry or fail. */
  private void reapDeadInstances(Instant now) {
    Duration interval = properties.supervision().heartbeatInterval();
    if (now.isBefore(lastReapAt.plus(interval))) {
      return;
    }
    lastReapAt = now;
    Instant staleBefore = now.minus(interval.multipliedBy(MISSED_HEARTBEATS));
    for (String dead : instances.deadOwners(staleBefore)) {
      if (dead.equals(instance.id())) {
        continue;
      }
      // Instance ids start with their host name, and a dead instance's row may already be gone.
      boolean sameHost =
          instances
              .host(dead)
              .map(instance.host()::equals)
              .orElse(dead.startsWith(instance.host() + "-"));
      for (Run run : runs.findLiveOwnedBy(dead)) {
        if (adopt(run, dead, now)) {
          continue;
        }
        if (sameHost) {
          int killed = OrphanDrivers.kill(run.id());
          if (killed > 0) {
            log.warn("Killed {} orphaned driver processes of run {}", killed, run.id());
          }
        }
        if (ending.end(
                run,
                AttemptState.LOST,
                null,
                "instance " + dead + " stopped heartbeating",
                null,
                "system",
                instance.id(),
                now)
            != null) {
          log.warn("Run {} attempt {} LOST with instance {}", run.id(), run.attempt(), dead);
        }
      }
    }
    instances.deleteStale(staleBefore);
  }

  /**
   * Takes over a dead instance's run whose driver outlives instances (cluster deploy mode): the run
   * keeps its attempt and ends with the driver's true outcome. Returns false when the driver cannot
   * be found again, and the attempt must end LOST.
   */
  private boolean adopt(Run run, String dead, Instant now) {
    if (active.size() >= properties.runs().effectiveMaxConcurrent()) {
      return false;
    }
    Attempt last =
        runs.findAttempts(run.id()).stream()
            .filter(a -> a.attempt() == run.attempt())
            .findFirst()
            .orElse(null);
    if (last == null || !last.onCluster()) {
      return false;
    }
    ActiveAttempt attempt =
        new ActiveAttempt(run.id(), run.attempt(), run.job(), now, this::wakeUp);
    attempt.appIdRecorded = true;
    attempt.driverIdRecorded = true;
    attempt.runningRecorded = run.state() == RunState.RUNNING;
    DriverRef ref =
        new DriverRef(run.id(), run.attempt(), last.master(), last.deployMode(), last.driverId());
    Optional<DriverHandle> handle = backend.reattach(ref, attempt);
    if (handle.isEmpty()) {
      return false;
    }
    if (!runs.adopt(run.id(), run.attempt(), dead, instance.id(), now)) {
      handle.get().detach();
      return true; // Another survivor was faster: it watches the driver now.
    }
    active.put(run.id(), attempt);
    attempt.launched(handle.get());
    log.info(
        "Run {} adopted from instance {}: watching driver {}", run.id(), dead, last.driverId());
    return true;
  }

  private void dispatch(Instant now) {
    if (!backend.isAvailable()) {
      return;
    }
    int free = properties.runs().effectiveMaxConcurrent() - active.size();
    if (free <= 0) {
      return;
    }
    List<Run> claimed =
        tx.execute(
            status -> {
              runs.lockClaims();
              return runs.claimQueued(instance.id(), free, now);
            });
    for (Run run : claimed) {
      metrics.queueWait(run.job(), Duration.between(run.notBefore(), now));
      start(run, now);
    }
  }

  private void start(Run run, Instant now) {
    ActiveAttempt attempt =
        new ActiveAttempt(run.id(), run.attempt(), run.job(), now, this::wakeUp);
    active.put(run.id(), attempt);
    try (MDC.MDCCloseable ignored = MDC.putCloseable("runId", run.id().toString())) {
      JobDefinition definition =
          jobs.findVersion(run.job(), run.jobVersion()).orElseThrow().definition();
      Path dir =
          properties
              .workDir()
              .resolve("runs")
              .resolve(run.id().toString())
              .resolve("attempt-" + run.attempt())
              .toAbsolutePath();
      Path logFile = dir.resolve("driver.log");
      String master =
          definition.master() != null ? definition.master() : properties.spark().master();
      String deployMode =
          definition.deployMode() != null
              ? definition.deployMode()
              : properties.spark().deployMode();
      String metricsToken = RunSecrets.newToken();
      runs.setAttemptLaunch(
          run.id(),
          run.attempt(),
          logFile.toString(),
          master,
          deployMode,
          RunSecrets.hash(metricsToken));
      LaunchSpec spec =
          new LaunchSpec(
              run.id(),
              run.attempt(),
              run.job(),
              definition.appResource(),
              definition.mainClass(),
              ArgTemplate.render(definition.argsOrEmpty(), run.params()),
              run.sparkConf(),
              master,
              deployMode,
              logFile,
              dir.resolve("tmp"),
              publicUrl.resolve("/api/v1/runs/" + run.id() + "/metrics"),
              metricsToken);
      log.info("Launching run {} attempt {} of job {}", run.id(), run.attempt(), run.job());
      launcher.execute(
          () -> {
            try (MDC.MDCCloseable inner = MDC.putCloseable("runId", run.id().toString())) {
              attempt.launched(backend.launch(spec, attempt));
            } catch (LaunchException | RuntimeException e) {
              log.warn("Launch of run {} failed: {}", run.id(), e.getMessage());
              attempt.launchFailed(e.getMessage());
            }
          });
    } catch (RuntimeException e) {
      attempt.launchFailed(e.getMessage());
    }
  }

  private void refreshMetrics(Instant now) {
    if (now.isBefore(lastMetricsAt.plusSeconds(5))) {
      return;
    }
    lastMetricsAt = now;
    metrics.refreshFromDatabase();
  }

  private void beat() {
    try {
      if (!instances.heartbeat(instance.id(), now())) {
        log.warn(
            "Instance {} was declared dead by another instance; registering again", instance.id());
        instances.register(instance.id(), instance.host(), now());
      }
    } catch (RuntimeException e) {
      log.warn("Heartbeat failed: {}", e.toString());
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
