package io.sparkgate.supervise;

import io.sparkgate.catalog.JobDefinition;
import io.sparkgate.catalog.JobRepository;
import io.sparkgate.config.InstanceIdentity;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.launch.LaunchSpec;
import io.sparkgate.launch.LaunchSpecs;
import io.sparkgate.launch.SparkBackend;
import io.sparkgate.launch.SparkInsight;
import io.sparkgate.run.AttemptRef;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunMetrics;
import io.sparkgate.run.RunRepository;
import io.sparkgate.support.RunSecrets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Claims queued runs while this instance has free slots, and starts their launches. */
@Component
class Dispatcher {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final RunRepository runs;
  private final JobRepository jobs;
  private final SparkBackend backend;
  private final LaunchSpecs specs;
  private final Launches launches;
  private final ActiveAttempts active;
  private final TransactionTemplate tx;
  private final InstanceIdentity instance;
  private final SparkgateProperties properties;
  private final RunMetrics metrics;

  Dispatcher(
      RunRepository runs,
      JobRepository jobs,
      SparkBackend backend,
      LaunchSpecs specs,
      Launches launches,
      ActiveAttempts active,
      TransactionTemplate tx,
      InstanceIdentity instance,
      SparkgateProperties properties,
      RunMetrics metrics) {
    this.runs = runs;
    this.jobs = jobs;
    this.backend = backend;
    this.specs = specs;
    this.launches = launches;
    this.active = active;
    this.tx = tx;
    this.instance = instance;
    this.properties = properties;
    this.metrics = metrics;
  }

  void dispatch(Instant now, Runnable wakeUp) {
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
    // Versions are immutable: one read per job version and pass, however many runs it claimed.
    Map<String, JobDefinition> definitions = new HashMap<>();
    for (Run run : claimed) {
      metrics.queueWait(run.job(), Duration.between(run.notBefore(), now));
      start(run, now, wakeUp, definitions);
    }
  }

  private void start(
      Run run, Instant now, Runnable wakeUp, Map<String, JobDefinition> definitions) {
    try (MDC.MDCCloseable ignored = MDC.putCloseable("runId", run.id().toString())) {
      AttemptRef ref = run.attemptRef();
      ActiveAttempt attempt;
      try {
        JobDefinition definition =
            definitions.computeIfAbsent(
                run.job() + "/" + run.jobVersion(),
                key -> jobs.findVersion(run.job(), run.jobVersion()).orElseThrow().definition());
        String metricsToken = RunSecrets.newToken();
        LaunchSpec spec =
            specs.assemble(
                run.id(),
                run.attempt(),
                run.job(),
                definition,
                run.params(),
                run.sparkConf(),
                metricsToken);
        attempt = new ActiveAttempt(ref, run.job(), spec.offHost(), now, wakeUp);
        active.add(attempt);
        if (!runs.setAttemptLaunch(
            ref,
            spec.logFile().toString(),
            spec.master(),
            spec.deployMode(),
            RunSecrets.hash(metricsToken),
            spec.insightConf().get(SparkInsight.EVENT_LOG_DIR_CONF),
            uiPort(spec))) {
          // Claimed a moment ago and already not ours: leave it to whoever has it now.
          active.remove(attempt);
          return;
        }
        log.info("Launching run {} attempt {} of job {}", run.id(), run.attempt(), run.job());
        launches.start(spec, attempt);
      } catch (RuntimeException e) {
        // The database or the catalog failed us, not the job: the attempt is not counted.
        attempt = active.get(run.id());
        if (attempt == null) {
          attempt = new ActiveAttempt(ref, run.job(), false, now, wakeUp);
          active.add(attempt);
        }
        attempt.launchFailed(e.toString(), true);
      }
    }
  }

  private static Integer uiPort(LaunchSpec spec) {
    String port = spec.insightConf().get(SparkInsight.UI_PORT_CONF);
    return port == null ? null : Integer.valueOf(port);
  }
}
