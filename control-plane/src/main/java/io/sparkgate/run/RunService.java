package io.sparkgate.run;

import io.sparkgate.catalog.CatalogService;
import io.sparkgate.catalog.JobDefinition;
import io.sparkgate.catalog.JobType;
import io.sparkgate.catalog.JobVersion;
import io.sparkgate.catalog.ParameterBinder;
import io.sparkgate.catalog.SparkConfPolicy;
import io.sparkgate.config.InstanceIdentity;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.error.SparkgateException.Violation;
import io.sparkgate.support.Json;
import io.sparkgate.support.RunSecrets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/** Submitting, reading and cancelling runs. */
@Service
public class RunService {

  /** Printable ASCII, 1 to 255 characters. */
  /** Printable ASCII, no leading or trailing space (HTTP would strip it anyway). */
  public static final String IDEMPOTENCY_KEY_PATTERN = "^[!-~]([ -~]{0,253}[!-~])?$";

  static final Pattern IDEMPOTENCY_KEY = Pattern.compile(IDEMPOTENCY_KEY_PATTERN);

  /** A label key, unanchored. */
  public static final String LABEL_KEY_CHARS = "[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?";

  public static final String LABEL_KEY_PATTERN = "^" + LABEL_KEY_CHARS + "$";

  public static final Pattern LABEL_KEY = Pattern.compile(LABEL_KEY_PATTERN);
  public static final int MAX_LABELS = 32;
  public static final int MAX_LABEL_VALUE = 255;
  static final int MAX_CONF_OVERRIDES = 64;
  static final int MAX_CONF_VALUE = 4096;

  // A submit loses at most one race per concurrent state change of the key's run; more than a few
  // in a row means something else is wrong.
  private static final int MAX_SUBMIT_ROUNDS = 5;

  private final RunRepository runs;
  private final CatalogService catalog;
  private final Json json;
  private final Clock clock;
  private final InstanceIdentity instance;
  private final SparkgateProperties properties;
  private final ApplicationEventPublisher events;
  private final RunMetrics metrics;

  public RunService(
      RunRepository runs,
      CatalogService catalog,
      Json json,
      Clock clock,
      InstanceIdentity instance,
      SparkgateProperties properties,
      ApplicationEventPublisher events,
      RunMetrics metrics) {
    this.runs = runs;
    this.catalog = catalog;
    this.json = json;
    this.clock = clock;
    this.instance = instance;
    this.properties = properties;
    this.events = events;
    this.metrics = metrics;
  }

  /** A submitted run and whether an earlier submit with the same key returned it. */
  public record Submission(Run run, boolean replayed) {}

  /**
   * Submits a run. With an idempotency key: the same request again returns the run that holds the
   * key (live or succeeded) and launches nothing; after that run failed, was cancelled or timed
   * out, it creates a new run pointing to it; a different request with the key is refused.
   */
  public Submission submit(SubmitRequest request, String idempotencyKey, String actor) {
    if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
      throw new SparkgateException(
          ErrorKind.INVALID_IDEMPOTENCY_KEY,
          "An Idempotency-Key is 1 to 255 printable ASCII characters, no leading or trailing space.");
    }
    if (request.job() == null || request.job().isBlank()) {
      throw SparkgateException.withViolations(
          ErrorKind.INVALID_REQUEST,
          "The request is not valid.",
          List.of(new Violation("job", "is required")));
    }
    Map<String, String> labels = checkLabels(request.labels());
    JobVersion version = catalog.runnableVersion(request.job());
    JobDefinition definition = version.definition();
    Map<String, Object> params =
        ParameterBinder.bind(
            definition.parametersOrEmpty(), request.params() == null ? Map.of() : request.params());
    Map<String, String> sparkConf = effectiveConf(definition, request.sparkConf());
    int timeoutSeconds = timeoutSeconds(definition, request.timeoutSeconds());

    Map<String, Object> fingerprinted = new LinkedHashMap<>();
    fingerprinted.put("job", version.jobName());
    fingerprinted.put("params", params);
    fingerprinted.put("sparkConf", sparkConf);
    String fingerprint = json.hash(fingerprinted);

    for (int round = 0; round < MAX_SUBMIT_ROUNDS; round++) {
      UUID previousRunId = null;
      if (idempotencyKey != null) {
        Optional<Run> latest = runs.findLatestByKey(idempotencyKey);
        if (latest.isPresent()) {
          Run holder = latest.get();
          if (!holder.fingerprint().equals(fingerprint)) {
            throw new SparkgateException(
                ErrorKind.IDEMPOTENCY_KEY_REUSED,
                "Idempotency-Key was used for a different request (run "
                    + holder.id()
                    + "); use a new key for a new request.",
                Map.of("runId", holder.id()));
          }
          if (holder.state().holdsIdempotencyKey()) {
            return new Submission(holder, true);
          }
          previousRunId = holder.id();
        }
      }
      NewRun run =
          new NewRun(
              UUID.randomUUID(),
              version.jobName(),
              version.version(),
              params,
              sparkConf,
              labels,
              idempotencyKey,
              fingerprint,
              previousRunId,
              actor,
              now(),
              definition.retryOrDefault().maxAttemptsOrDefault(),
              timeoutSeconds);
      if (runs.insertQueued(run, instance.id())) {
        events.publishEvent(new RunWakeUp(run.id()));
        metrics.submitted(run.job());
        // Answer with the run as created: the dispatcher may already be claiming it.
        return new Submission(run.asQueued(), false);
      }
      // Another submit with this key won the race: read what it created and answer with that.
    }
    throw new SparkgateException(
        ErrorKind.SERVICE_UNAVAILABLE, "The submit kept racing with other submits; try again.");
  }

  public Run get(UUID id) {
    return runs.find(id).orElseThrow(() -> noRun(id));
  }

  private static SparkgateException noRun(UUID id) {
    return new SparkgateException(ErrorKind.RUN_NOT_FOUND, "No run " + id + ".");
  }

  /** A run with its attempts, read together. */
  public RunRepository.WithAttempts getWithAttempts(UUID id) {
    return runs.findWithAttempts(id).orElseThrow(() -> noRun(id));
  }

  public List<Attempt> attempts(UUID id) {
    return runs.findAttempts(id);
  }

  public List<RunEvent> events(UUID id) {
    get(id);
    return runs.findEvents(id);
  }

  /**
   * A page of runs, newest first, with the attempts of each (read in one query), and the cursor of
   * the next page if there may be one.
   */
  public record Page(List<Run> runs, Map<UUID, List<Attempt>> attempts, PageCursor next) {

    /** The attempts of one of the page's runs, oldest first. */
    public List<Attempt> attemptsOf(Run run) {
      return attempts.getOrDefault(run.id(), List.of());
    }
  }

  public Page list(RunFilter filter, String cursor, Integer limit) {
    int max = properties.api().maxPageSize();
    int size = limit == null ? properties.api().defaultPageSize() : limit;
    if (size < 1 || size > max) {
      throw new SparkgateException(
          ErrorKind.INVALID_REQUEST, "limit must be between 1 and " + max + ".");
    }
    if (filter.job() != null && filter.job().length() > 63) {
      throw new SparkgateException(ErrorKind.INVALID_REQUEST, "job must be a job name.");
    }
    PageCursor after = cursor == null || cursor.isEmpty() ? null : PageCursor.decode(cursor);
    List<Run> page = runs.list(filter, after, size);
    PageCursor next =
        page.size() == size
            ? new PageCursor(page.get(size - 1).createdAt(), page.get(size - 1).id())
            : null;
    return new Page(page, runs.findAttempts(page.stream().map(Run::id).toList()), next);
  }

  /**
   * Cancels a run: a queued run ends CANCELLED at once; a launching or running one is stopped by
   * the instance that owns it, which then ends it CANCELLED. A terminal run is a conflict (409).
   */
  public Run cancel(UUID id, String actor) {
    for (int round = 0; round < MAX_SUBMIT_ROUNDS; round++) {
      Run run = get(id);
      switch (run.state()) {
        case SUCCEEDED, FAILED, CANCELLED, TIMED_OUT ->
            throw new SparkgateException(
                ErrorKind.INVALID_STATE,
                "Run " + id + " is already " + run.state() + ".",
                Map.of("state", run.state().name()));
        case QUEUED -> {
          if (runs.transition(
              run,
              RunState.CANCELLED,
              "cancelled by " + actor + " before launch",
              actor,
              instance.id(),
              now(),
              null)) {
            return get(id);
          }
        }
        case LAUNCHING, RUNNING -> {
          // Recorded only while the run is live: a run that went back to the queue for a retry
          // in the meantime is cancelled as a queued run in the next round, never left to launch.
          if (runs.requestCancel(id, actor, now()) || run.cancelRequestedAt() != null) {
            events.publishEvent(new RunWakeUp(id));
            return get(id);
          }
        }
      }
      // The run changed state under us: look again.
    }
    throw new SparkgateException(
        ErrorKind.SERVICE_UNAVAILABLE, "The run kept changing state; try again.");
  }

  static final int MAX_METRICS_BYTES = 64 * 1024;

  /**
   * Merges metrics that a run's driver reported. Only the run's current attempt holds the secret
   * that allows it, and only while the run is live.
   */
  public void reportMetrics(UUID runId, String bearerToken, Map<String, Object> reported) {
    checkDriverToken(runId, bearerToken, "metrics");
    String text = json.write(reported == null ? Map.of() : reported);
    if (text.length() > MAX_METRICS_BYTES) {
      throw new SparkgateException(
          ErrorKind.PAYLOAD_TOO_LARGE, "Metrics may be at most " + MAX_METRICS_BYTES + " bytes.");
    }
    if (!runs.mergeMetrics(runId, text)) {
      throw new SparkgateException(ErrorKind.INVALID_STATE, "Run " + runId + " is not running.");
    }
  }

  /**
   * What the application of the run's current attempt reports from inside (Sparkgate's plugin),
   * with the attempt's own secret.
   *
   * @param sparkUiUrl where the driver's web UI listens ({@code http://host:port}), or null once it
   *     has stopped
   */
  public record ProgressReport(
      int attempt,
      String sparkUiUrl,
      Map<String, Object> progress,
      Map<String, Object> resources) {}

  /** Only a UI's root: the service appends the paths it proxies. */
  static final Pattern SPARK_UI_URL =
      Pattern.compile("https?://([A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:]+\\]):([0-9]{1,5})/?");

  /**
   * Records a progress report of the run's current attempt.
   *
   * @throws SparkgateException 401 without a token, 403 with another's, 409 when the attempt is no
   *     longer live (or made its final report), 422 for a malformed report, 413 past 64 KiB
   */
  public void reportProgress(UUID runId, String bearerToken, ProgressReport report) {
    checkDriverToken(runId, bearerToken, "progress");
    List<Violation> violations = new ArrayList<>();
    if (report.attempt() < 1) {
      violations.add(new Violation("attempt", "must be the attempt's number (from 1)"));
    }
    if (report.sparkUiUrl() != null && !SPARK_UI_URL.matcher(report.sparkUiUrl()).matches()) {
      violations.add(new Violation("sparkUiUrl", "must be http(s)://host:port"));
    }
    if (report.progress() == null) {
      violations.add(new Violation("progress", "is required"));
    }
    if (!violations.isEmpty()) {
      throw SparkgateException.withViolations(
          ErrorKind.INVALID_REQUEST, "The progress report is not valid.", violations);
    }
    String progress = json.write(report.progress());
    String resources = report.resources() == null ? null : json.write(report.resources());
    if (progress.length() + (resources == null ? 0 : resources.length()) > MAX_METRICS_BYTES) {
      throw new SparkgateException(
          ErrorKind.PAYLOAD_TOO_LARGE,
          "A progress report may be at most " + MAX_METRICS_BYTES + " bytes.");
    }
    // Only the port is taken from the report, and only near the one the service gave the UI
    // (see recordProgress): the UI of a driver this instance launched listens on this host, and
    // the proxy reaches it on loopback, never at a host a job's code could name.
    String uiUrl = null;
    int uiPort = 0;
    if (report.sparkUiUrl() != null) {
      Matcher address = SPARK_UI_URL.matcher(report.sparkUiUrl());
      if (address.matches()) {
        uiPort = Integer.parseInt(address.group(2));
        uiUrl = "http://127.0.0.1:" + uiPort;
      }
    }
    if (!runs.recordProgress(runId, report.attempt(), progress, resources, uiUrl, uiPort)) {
      throw new SparkgateException(
          ErrorKind.INVALID_STATE,
          "Attempt " + report.attempt() + " of run " + runId + " is not running.");
    }
  }

  /** The caller must hold the secret of the run's current, live attempt. */
  private void checkDriverToken(UUID runId, String bearerToken, String what) {
    get(runId);
    if (bearerToken == null || bearerToken.isBlank()) {
      throw new SparkgateException(
          ErrorKind.UNAUTHENTICATED,
          "The driver reports " + what + " with the run's own bearer token.");
    }
    String expected =
        runs.liveMetricsTokenHash(runId)
            .orElseThrow(
                () ->
                    new SparkgateException(
                        ErrorKind.INVALID_STATE, "Run " + runId + " is not running."));
    if (!RunSecrets.matches(bearerToken, expected)) {
      throw new SparkgateException(
          ErrorKind.FORBIDDEN, "This token may not report " + what + " for run " + runId + ".");
    }
  }

  private static void appendList(Map<String, String> conf, String key, List<String> entries) {
    if (entries.isEmpty()) {
      return;
    }
    String own = conf.getOrDefault(key, "").strip();
    String added = String.join(",", entries);
    conf.put(key, own.isEmpty() ? added : own + "," + added);
  }

  private Map<String, String> effectiveConf(
      JobDefinition definition, Map<String, String> overrides) {
    Map<String, String> conf = new TreeMap<>(definition.sparkConfOrEmpty());
    // The definition's dependencies after those of its conf, as spark-submit's lists: in the run's
    // conf, where they are recorded with it. A run cannot override these keys (conf policy).
    appendList(conf, "spark.submit.pyFiles", definition.pyFilesOrEmpty());
    appendList(conf, "spark.files", definition.filesOrEmpty());
    appendList(conf, "spark.archives", definition.archivesOrEmpty());
    if (definition.type() == JobType.PYTHON) {
      // The interpreter is the service's, or one it allows the job to name (checked by the
      // catalog); neither jobs nor runs may set spark.pyspark.* themselves (conf policy).
      String python =
          definition.python() != null ? definition.python() : properties.spark().python();
      conf.put("spark.pyspark.python", python);
      // One inside an archive (./env/bin/python) is in the executors' working directories, and
      // the driver's only in cluster mode: a driver here runs on the service's own.
      boolean driverHere =
          JobDefinition.isPackedInterpreter(python)
              && !"cluster".equals(properties.spark().deployModeOf(definition.deployMode()));
      conf.put("spark.pyspark.driver.python", driverHere ? properties.spark().python() : python);
    }
    if (overrides == null || overrides.isEmpty()) {
      return conf;
    }
    List<Violation> violations = new ArrayList<>();
    if (overrides.size() > MAX_CONF_OVERRIDES) {
      violations.add(new Violation("sparkConf", "at most " + MAX_CONF_OVERRIDES + " keys"));
    }
    violations.addAll(
        SparkConfPolicy.checkOverrides(definition.allowedSparkConfOrEmpty(), overrides));
    overrides.forEach(
        (key, value) -> {
          if (value == null || value.length() > MAX_CONF_VALUE) {
            violations.add(
                new Violation(
                    "sparkConf." + key, "value must be 0 to " + MAX_CONF_VALUE + " chars"));
          }
        });
    if (!violations.isEmpty()) {
      throw SparkgateException.withViolations(
          ErrorKind.DISALLOWED_SPARK_CONF, "The run sets Spark conf it may not set.", violations);
    }
    conf.putAll(overrides);
    return conf;
  }

  private int timeoutSeconds(JobDefinition definition, Integer requested) {
    int limit =
        definition.timeoutSeconds() != null
            ? definition.timeoutSeconds()
            : (int) Math.min(Integer.MAX_VALUE, properties.runs().defaultTimeout().toSeconds());
    if (requested == null) {
      return limit;
    }
    if (requested < 1 || requested > limit) {
      throw SparkgateException.withViolations(
          ErrorKind.INVALID_PARAMETER,
          "A run may only shorten its job's time limit.",
          List.of(new Violation("timeoutSeconds", "must be between 1 and " + limit)));
    }
    return requested;
  }

  private static Map<String, String> checkLabels(Map<String, String> labels) {
    if (labels == null) {
      return Map.of();
    }
    List<Violation> violations = new ArrayList<>();
    if (labels.size() > MAX_LABELS) {
      violations.add(new Violation("labels", "at most " + MAX_LABELS + " labels"));
    }
    labels.forEach(
        (key, value) -> {
          if (!LABEL_KEY.matcher(key).matches()) {
            violations.add(
                new Violation("labels." + key, "key must be 1 to 63 letters, digits, . _ / -"));
          }
          if (value == null || value.length() > MAX_LABEL_VALUE) {
            violations.add(
                new Violation("labels." + key, "value must be 0 to " + MAX_LABEL_VALUE + " chars"));
          }
        });
    if (!violations.isEmpty()) {
      throw SparkgateException.withViolations(
          ErrorKind.INVALID_REQUEST, "The run's labels are not valid.", violations);
    }
    return new TreeMap<>(labels);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
