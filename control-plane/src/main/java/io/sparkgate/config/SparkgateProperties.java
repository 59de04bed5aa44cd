package io.sparkgate.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting of the service, under {@code sparkgate.*}. Each can be set as a Spring property or
 * environment variable (for example {@code SPARKGATE_RUNS_MAX_CONCURRENT=4}). The README's
 * configuration reference lists them with their defaults.
 *
 * @param workDir where the service keeps driver logs, Spark scratch space and, in embedded mode,
 *     the PostgreSQL data directory
 * @param instanceId this process's identity among instances sharing a database; blank means host
 *     name, process id and a random suffix
 */
@Validated
@ConfigurationProperties("sparkgate")
public record SparkgateProperties(
    @DefaultValue(".sparkgate") @NotNull Path workDir,
    @DefaultValue("") String instanceId,
    @DefaultValue("") String publicUrl,
    @DefaultValue @Valid Spark spark,
    @DefaultValue @Valid Runs runs,
    @DefaultValue @Valid Supervision supervision,
    @DefaultValue @Valid Api api,
    @DefaultValue @Valid EmbeddedDb embeddedDb,
    @DefaultValue @Valid Catalog catalog,
    @DefaultValue @Valid Security security,
    @DefaultValue @Valid Memory memory,
    @DefaultValue @Valid History history) {

  /**
   * Spark event logs and the History Server that shows finished applications.
   *
   * @param eventLogDir where every attempt writes its Spark event log (compressed, rolled over at
   *     {@code rollingMaxFileSize}): a directory or a URI every driver can write ({@code
   *     hdfs://nn:8020/spark-events}); blank means {@code <workDir>/event-logs}; {@code none}
   *     writes none. Event logs in a local directory are deleted with the run's driver logs after
   *     {@code sparkgate.runs.log-retention}
   * @param url the History Server that attempts' {@code historyUrl} link to: blank means the one
   *     the service starts itself from its Spark home on loopback (for a local event-log directory;
   *     started on the first request under {@code /api/v1/spark-history/}, stopped with the
   *     service), {@code none} means no links, anything else is an external History Server's URL
   *     reading the same directory
   * @param port the embedded History Server's port on 127.0.0.1; 0 picks a free one
   * @param rollingMaxFileSize the size at which an event log is rolled over to a new file
   * @param compress whether event logs are compressed (Spark's default codec, zstd)
   */
  public record History(
      @DefaultValue("") String eventLogDir,
      @DefaultValue("") String url,
      @DefaultValue("0") @Min(0) @Max(65535) int port,
      @DefaultValue("128MB") @NotNull DataSize rollingMaxFileSize,
      @DefaultValue("true") boolean compress) {

    /** Where event logs go, as a URI; empty when none are written. */
    public java.util.Optional<java.net.URI> eventLogUri(Path workDir) {
      if (eventLogDir.equals("none")) {
        return java.util.Optional.empty();
      }
      if (eventLogDir.isBlank()) {
        return java.util.Optional.of(workDir.resolve("event-logs").toAbsolutePath().toUri());
      }
      return java.util.Optional.of(
          eventLogDir.contains("://")
              ? java.net.URI.create(eventLogDir)
              : Path.of(eventLogDir).toAbsolutePath().toUri());
    }

    /** The event-log directory on this machine, when it is one. */
    public java.util.Optional<Path> localEventLogDir(Path workDir) {
      return eventLogUri(workDir).filter(uri -> "file".equals(uri.getScheme())).map(Path::of);
    }

    /** Whether the service runs a History Server of its own. */
    public boolean embedded(Path workDir) {
      return url.isBlank() && localEventLogDir(workDir).isPresent();
    }

    // Spark rolls event logs over at 10 MiB at the least.
    @AssertTrue(message = "sparkgate.history.rolling-max-file-size must be at least 10MB")
    public boolean isRollingMaxFileSizeAtLeastTenMegabytes() {
      return rollingMaxFileSize == null || rollingMaxFileSize.toMegabytes() >= 10;
    }
  }

  /**
   * How the service gives memory back when it is idle (see {@link IdleHeap}).
   *
   * @param idleHeapRelease after this long without a garbage collection, the JVM (G1) runs a
   *     concurrent one and returns the free heap above 30 % to the operating system, and on the
   *     same interval an idle service trims its C heap; zero turns both off. JVM flags given on the
   *     command line ({@code -XX:G1PeriodicGCInterval}, {@code -XX:MaxHeapFreeRatio}, {@code
   *     -XX:MinHeapFreeRatio}, {@code -XX:TrimNativeHeapInterval}) win over it
   */
  public record Memory(@DefaultValue("10s") @NotNull Duration idleHeapRelease) {

    @AssertTrue(message = "sparkgate.memory.idle-heap-release must be 0s or at least 1s")
    public boolean isIdleHeapReleaseZeroOrOneSecond() {
      return idleHeapRelease == null
          || idleHeapRelease.isZero()
          || idleHeapRelease.compareTo(Duration.ofSeconds(1)) >= 0;
    }
  }

  /**
   * API authentication.
   *
   * @param tokens the API tokens: a name (recorded as the actor of what it does), a role (viewer,
   *     operator, admin) and the SHA-256 of the token in hex, never the token itself. With none,
   *     the service creates an admin token on first start in {@code <workDir>/admin.token}. Tokens
   *     created through {@code /api/v1/tokens} are kept in the database and work besides these.
   * @param jwt how JWTs from an identity provider map to callers; the provider itself is set with
   *     Spring Boot's {@code spring.security.oauth2.resourceserver.jwt.*} properties
   */
  public record Security(
      @DefaultValue({}) java.util.List<@Valid Token> tokens, @DefaultValue @Valid Jwt jwt) {

    /**
     * Single sign-on.
     *
     * @param rolesClaim the claim holding the caller's roles: viewer, operator or admin (a string
     *     or a list; the highest wins). Keycloak puts realm roles under {@code realm_access.roles}:
     *     map them to a top-level claim, or name a dotted path here.
     */
    public record Jwt(@DefaultValue("roles") @NotBlank String rolesClaim) {}

    /** One API token, as configured. */
    public record Token(
        @NotBlank @jakarta.validation.constraints.Pattern(regexp = "[A-Za-z0-9_.@-]{1,64}")
            String name,
        @NotBlank @jakarta.validation.constraints.Pattern(regexp = "viewer|operator|admin")
            String role,
        @NotBlank @jakarta.validation.constraints.Pattern(regexp = "[0-9a-f]{64}") String sha256) {}
  }

  /**
   * Job definitions registered at start-up.
   *
   * @param bootstrapDir a directory of {@code <job-name>.json} definitions; blank means the
   *     definitions this repository's build puts next to its Spark runtime
   *     (spark-jobs/target/jobs), if that runtime is the one in use; "none" registers nothing
   * @param jobsJar what {@code @JOBS_JAR@} in a definition stands for; blank means the built
   *     spark-jobs jar next to the runtime; {@code @JOBS_PYTHON@} is the {@code python} directory
   *     beside it, which holds the PySpark stages
   * @param dataDir what {@code @DATA_DIR@} stands for; blank means {@code <workDir>/data}
   * @param artifactLocations where job artifacts may live: absolute directories or URI prefixes
   *     ({@code hdfs://nn:8020/jobs}); a job's appResource must lie below one of them. Empty means
   *     {@code <workDir>/artifacts} and the directory of the jobs jar
   */
  public record Catalog(
      @DefaultValue("") String bootstrapDir,
      @DefaultValue("") String jobsJar,
      @DefaultValue("") String dataDir,
      @DefaultValue({}) java.util.List<String> artifactLocations) {}

  /**
   * The Spark runtime.
   *
   * @param home a Spark home; blank means {@code SPARK_HOME}, else the runtime this repository's
   *     build assembles (spark-jobs/target/spark-home)
   * @param master master URL of jobs that name none
   * @param deployMode deploy mode of jobs that name none
   * @param stopGrace how long a stopped driver may take to exit before it is killed
   * @param backend {@code launcher} (Spark's SparkLauncher, the default) or {@code simulated} (no
   *     Spark at all: each run "runs" for its {@code --sleep-seconds} argument, else for
   *     simulatedRunDuration, and succeeds; for benchmarks and tests of the control plane itself)
   * @param simulatedRunDuration how long a simulated run takes when its args do not say
   * @param masterUnreachableTimeout how long a cluster-mode driver is watched while no standalone
   *     master answers about it; after that its attempt ends with an unknown outcome (the driver
   *     may still be running). Long enough to ride out a master restart or fail-over
   * @param python the interpreter of Python jobs' drivers and workers
   * @param allowedPythons other interpreters a Python job definition may name ({@code python});
   *     none by default: every Python job runs on {@code python}
   * @param clientMaster the master of runs in client deploy mode whose definition names no master;
   *     blank means {@code master}. For a standalone master whose {@code master} is its REST server
   *     (spark://host:6066, where cluster-mode drivers are submitted), this is its RPC port
   *     (spark://host:7077), where a client-mode driver, such as every Python job's, registers
   * @param progress whether every application gets Sparkgate's plugin, which reports its progress,
   *     resource usage and UI address to the run (io.sparkgate.listener.SparkgatePlugin)
   * @param listenerJar where drivers find that plugin when the Spark home does not have it in its
   *     {@code jars/} (as the runtime this repository builds does): a path or URI every driver can
   *     read, added to {@code spark.jars}. Runs in cluster deploy mode get the plugin only with
   *     this set, since their drivers run on another Spark installation. Blank: the Spark home's
   *     own
   * @param ui whether drivers in local and client mode run Spark's web UI (on a free port, without
   *     its kill buttons), which the service proxies under {@code /api/v1/runs/{id}/spark-ui/}
   * @param masterUi the web UI of a standalone master (comma-separated with several), where the
   *     service finds the worker of a cluster-mode driver to copy the driver's own log from; blank
   *     means port 8080 of each master host
   */
  public record Spark(
      @DefaultValue("") String home,
      @DefaultValue("local[2]") @NotBlank String master,
      @DefaultValue("client") @NotBlank String deployMode,
      @DefaultValue("10s") @NotNull Duration stopGrace,
      @DefaultValue("launcher")
          @jakarta.validation.constraints.Pattern(regexp = "launcher|simulated")
          String backend,
      @DefaultValue("0s") @NotNull Duration simulatedRunDuration,
      @DefaultValue("10m") @NotNull Duration masterUnreachableTimeout,
      @DefaultValue("python3") @NotBlank String python,
      @DefaultValue({}) java.util.List<@NotBlank String> allowedPythons,
      @DefaultValue("") String clientMaster,
      @DefaultValue("true") boolean progress,
      @DefaultValue("") String listenerJar,
      @DefaultValue("true") boolean ui,
      @DefaultValue("") String masterUi) {

    /** The deploy mode of a run whose definition names {@code named} (null: none). */
    public String deployModeOf(String named) {
      return named != null ? named : deployMode;
    }

    /**
     * The master of a run whose definition names {@code named} (null: none), in the given deploy
     * mode: the client-mode master, where one is set, for client mode.
     */
    public String masterOf(String named, String deployMode) {
      if (named != null) {
        return named;
      }
      return "client".equals(deployMode) && !clientMaster.isBlank() ? clientMaster : master;
    }
  }

  /**
   * Runs.
   *
   * @param maxConcurrent most runs this instance launches at once; 0 means the number of cores
   * @param defaultTimeout a run's time limit per attempt when its job sets none
   * @param logRetention how long driver logs of finished runs are kept
   * @param infrastructureRetryDelay how long a run waits in the queue after its launch failed for a
   *     reason of this instance rather than the job (no Spark runtime, a run directory that cannot
   *     be created); such a launch does not use up one of the run's attempts
   * @param maxLogBytes most bytes of driver output kept per attempt (client and local mode): the
   *     first half and the last half of it, with a line saying how much between was dropped
   */
  public record Runs(
      @DefaultValue("0") @Min(0) @Max(1000) int maxConcurrent,
      @DefaultValue("6h") @NotNull Duration defaultTimeout,
      @DefaultValue("14d") @NotNull Duration logRetention,
      @DefaultValue("30s") @NotNull Duration infrastructureRetryDelay,
      @DefaultValue("100MB") @NotNull DataSize maxLogBytes) {

    // Bean validation has no constraint for DataSize; a tiny cap would keep no useful log.
    @AssertTrue(message = "sparkgate.runs.max-log-bytes must be at least 1KB")
    public boolean isMaxLogBytesAtLeastOneKilobyte() {
      return maxLogBytes == null || maxLogBytes.toBytes() >= 1024;
    }

    public int effectiveMaxConcurrent() {
      return maxConcurrent > 0 ? maxConcurrent : Runtime.getRuntime().availableProcessors();
    }
  }

  /**
   * The supervision loops, liveness and leases.
   *
   * @param pollInterval how often the loop looks for queued runs, cancel requests and timeouts (a
   *     submit or a driver event wakes it sooner)
   * @param heartbeatInterval how often this instance renews its lease in the database
   * @param leaseTime how long this instance may go without renewing its lease (the database
   *     unreachable, the process stalled) before it fences itself: it stops claiming runs and stops
   *     its local and client-mode drivers, whose attempts end LOST. Long enough to ride out a
   *     database restart or failover; a shorter outage ends no run. Other instances take over the
   *     runs of an instance only after its heartbeat has not changed for {@link #takeoverTime()} on
   *     their own clock, so it has always fenced itself by then
   * @param autoStart whether the loop starts with the service (tests drive it pass by pass)
   * @param poolSize database connections of supervision's own pool, apart from those serving API
   *     requests, so that no request load delays a heartbeat. At the busiest the loop, the
   *     heartbeat and the log retention sweep each hold one; at least 2, so that the heartbeat
   *     never waits for a pass
   */
  public record Supervision(
      @DefaultValue("1s") @NotNull Duration pollInterval,
      @DefaultValue("5s") @NotNull Duration heartbeatInterval,
      @DefaultValue("60s") @NotNull Duration leaseTime,
      @DefaultValue("true") boolean autoStart,
      @DefaultValue("4") @Min(2) int poolSize) {

    public Supervision {
      if (heartbeatInterval != null
          && leaseTime != null
          && leaseTime.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException(
            "sparkgate.supervision.lease-time must be at least twice the heartbeat interval");
      }
    }

    /**
     * How long a survivor must see another instance's heartbeat unchanged before it takes over that
     * instance's runs: the lease time plus two heartbeats, the margin in which the instance that
     * lost its lease has stopped its drivers.
     */
    public Duration takeoverTime() {
      return leaseTime.plus(heartbeatInterval.multipliedBy(2));
    }
  }

  /**
   * Limits of the REST API.
   *
   * @param maxBodyBytes largest accepted request body (413 above)
   * @param defaultPageSize runs per page when the client asks for no limit
   * @param maxPageSize largest page a client may ask for
   * @param maxLogChunkBytes largest slice of a driver log in one response
   * @param statementTimeout how long any SQL statement run for a request may take (whole seconds,
   *     rounded up) before it is cancelled and the client gets 503; the supervision loop has no
   *     such limit
   * @param streams streams that follow a run as it changes
   */
  public record Api(
      @DefaultValue("1048576") @Min(1024) long maxBodyBytes,
      @DefaultValue("50") @Min(1) int defaultPageSize,
      @DefaultValue("500") @Min(1) int maxPageSize,
      @DefaultValue("1048576") @Min(1024) int maxLogChunkBytes,
      @DefaultValue("5s") @NotNull Duration statementTimeout,
      @DefaultValue @Valid Streams streams) {

    @AssertTrue(message = "sparkgate.api.statement-timeout must be positive")
    public boolean isStatementTimeoutPositive() {
      return statementTimeout == null
          || (!statementTimeout.isNegative() && !statementTimeout.isZero());
    }
  }

  /**
   * Streams that follow a run (its state changes as Server-Sent Events, its log as it grows).
   *
   * @param pollInterval how often the database is asked for what changed, in one statement for
   *     every followed run of this instance
   * @param perCaller most streams one caller (API token or JWT subject) may hold open on one
   *     instance (429 beyond)
   * @param max most streams open on one instance
   * @param timeout a stream is ended after this long (a client resumes with Last-Event-ID)
   * @param keepAlive an idle stream gets a comment this often, so proxies keep it open and a gone
   *     client is noticed
   */
  public record Streams(
      @DefaultValue("500ms") @NotNull Duration pollInterval,
      @DefaultValue("8") @Min(1) int perCaller,
      @DefaultValue("200") @Min(1) int max,
      @DefaultValue("30m") @NotNull Duration timeout,
      @DefaultValue("15s") @NotNull Duration keepAlive) {

    @AssertTrue(message = "sparkgate.api.streams durations must be positive")
    public boolean isPositive() {
      return Stream.of(pollInterval, timeout, keepAlive)
          .allMatch(d -> d == null || (!d.isNegative() && !d.isZero()));
    }
  }

  /**
   * The PostgreSQL the service starts itself when {@code spring.datasource.url} is not set.
   *
   * @param port port on 127.0.0.1; 0 picks a free one
   * @param dataDir data directory; blank means {@code <workDir>/postgres}
   */
  public record EmbeddedDb(@DefaultValue("0") @Min(0) int port, @DefaultValue("") String dataDir) {}
}
