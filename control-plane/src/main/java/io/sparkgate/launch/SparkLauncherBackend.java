package io.sparkgate.launch;

import io.sparkgate.config.SparkHome;
import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.config.SupervisionThreads;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.SparkAppHandle;
import org.apache.spark.launcher.SparkLauncher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Launches applications with Spark's {@link SparkLauncher}: a {@code bin/spark-submit} child
 * process per attempt, whose state and application id arrive over the launcher protocol.
 *
 * <p>The outcome is decided when the child process has exited, from its exit code: in local mode a
 * failing job first reports FINISHED and only its non-zero exit says it failed.
 */
@Component
@ConditionalOnProperty(
    name = "sparkgate.spark.backend",
    havingValue = "launcher",
    matchIfMissing = true)
public class SparkLauncherBackend implements SparkBackend {

  private static final Logger log = LoggerFactory.getLogger(SparkLauncherBackend.class);

  // A standalone master prints driver ids as driver-<yyyyMMddHHmmss>-<sequence>.
  private static final Pattern DRIVER_ID = Pattern.compile("driver-\\d{14}-\\d{4,}");
  private static final Duration CLUSTER_POLL = Duration.ofSeconds(1);
  // Often enough that a stop lost to a master fail-over is repeated within the stop grace.
  private static final Duration CLUSTER_KILL_RESEND = Duration.ofSeconds(3);
  // How long the log may still take to reach its end once the driver has exited: a process it
  // left behind may hold its output open, and the exit must not wait for that forever.
  private static final Duration LOG_DRAIN_GRACE = Duration.ofSeconds(30);
  private static final Field CHILD_PROC = childProcField();

  /** What submitting to a standalone master in cluster mode adds (see submitToCluster). */
  static final Map<String, String> CLUSTER_SUBMIT_CONF =
      Map.of(
          "spark.master.rest.enabled", "true",
          "spark.standalone.submit.waitAppCompletion", "false");

  private final SparkgateProperties properties;
  private final Clock clock;
  private final Optional<Path> sparkHome;
  private final ScheduledExecutorService clusterPoller =
      Executors.newSingleThreadScheduledExecutor(
          SupervisionThreads.named("sparkgate-cluster-poller"));

  public SparkLauncherBackend(SparkgateProperties properties, SparkHome home, Clock clock) {
    this.properties = properties;
    this.clock = clock;
    this.sparkHome = home.path();
    if (sparkHome.isPresent()) {
      log.info("Launching Spark applications with the Spark home {}", sparkHome.get());
    } else {
      log.warn(
          "No Spark home found: set sparkgate.spark.home or SPARK_HOME, or build the local"
              + " runtime with ./mvnw package. Runs stay queued until one is available.");
    }
  }

  @Override
  public boolean isAvailable() {
    return sparkHome.isPresent();
  }

  @Override
  public String describe() {
    return sparkHome.map(Path::toString).orElse("no Spark home");
  }

  @Override
  public DriverHandle launch(LaunchSpec spec, DriverObserver observer) throws LaunchException {
    Path home =
        sparkHome.orElseThrow(() -> new LaunchException("no Spark home is configured", null, true));
    try {
      Files.createDirectories(spec.logFile().getParent());
      Files.createDirectories(spec.scratchDir());
    } catch (IOException e) {
      throw new LaunchException("cannot create the run's directories: " + e.getMessage(), e, true);
    }
    Map<String, String> env = new HashMap<>();
    env.put("SPARK_HOME", home.toString());
    // Honoured by the bin/spark-submit of the runtime this repository builds: the driver dies
    // with this service instead of running on unobserved after a crash.
    env.put("SPARKGATE_PDEATHSIG", "1");
    if (System.getenv("JAVA_HOME") == null) {
      env.put("JAVA_HOME", System.getProperty("java.home"));
    }
    if (spec.master().startsWith("local") && System.getenv("SPARK_LOCAL_IP") == null) {
      // A local driver needs no network: its RPC and its UI listen on loopback only, with any
      // Spark home (this repository's runtime does so already).
      env.put("SPARK_LOCAL_IP", "127.0.0.1");
    }
    if (spec.metricsToken() != null) {
      env.put(LaunchSpec.METRICS_TOKEN_ENV, spec.metricsToken());
    }
    SparkLauncher launcher =
        new SparkLauncher(env)
            .setSparkHome(home.toString())
            .setAppResource(spec.appResource())
            .setAppName("sparkgate-" + spec.job() + "-" + spec.runId())
            .setMaster(spec.master())
            .setDeployMode(spec.deployMode())
            .redirectOutput(spec.logFile().toFile())
            .redirectError();
    Map<String, String> conf = launchConf(spec);
    if (spec.mainClass() != null) {
      launcher.setMainClass(spec.mainClass());
    } else {
      try {
        addPyFile(conf, PythonHelper.writeInto(spec.scratchDir()).toString());
      } catch (IOException e) {
        throw new LaunchException("cannot write the Python helper: " + e.getMessage(), e, true);
      }
    }
    conf.forEach(launcher::setConf);
    launcher.addAppArgs(spec.args().toArray(String[]::new));

    if (StandaloneClusterDriver.applies(spec.master(), spec.deployMode())) {
      return submitToCluster(launcher, spec, observer);
    }
    // Spark's launcher attaches no reader of its own to a child whose output is redirected (see
    // SparkLauncher#startApplication), so with PIPE the driver's output is ours to cap. We can
    // read it only through the child process, so without a way to reach that, the file it is.
    boolean capped = CHILD_PROC != null;
    if (capped) {
      launcher.redirectOutput(ProcessBuilder.Redirect.PIPE);
    } else {
      log.warn("The driver log of {} is not capped: its process is out of reach", spec.logFile());
    }
    Facts facts = new Facts(observer, spec.logFile());
    SparkAppHandle handle;
    try {
      handle = launcher.startApplication(facts);
    } catch (IOException e) {
      throw new LaunchException("spark-submit could not be started: " + e.getMessage(), e, true);
    }
    Process process = childProcess(handle);
    CompletableFuture<Void> logWritten = CompletableFuture.completedFuture(null);
    if (capped) {
      try {
        if (process == null) {
          throw new IOException("the spark-submit process is out of reach");
        }
        logWritten = copyOutput(process, spec);
      } catch (IOException e) {
        // Nobody would read its output, so it would block on a full pipe: better not run.
        handle.kill();
        throw new LaunchException("cannot log the driver's output: " + e.getMessage(), e);
      }
    }
    facts.watch(handle, process, logWritten);
    return new LauncherHandle(handle, process);
  }

  /**
   * Adds a file to a Python application's {@code spark.submit.pyFiles}, after the job's own. In the
   * conf, not as {@code --py-files}: spark-submit takes {@code --py-files} instead of that key, so
   * the job's entries would be lost.
   */
  static void addPyFile(Map<String, String> conf, String file) {
    conf.merge(PY_FILES_CONF, file, (own, added) -> own.isBlank() ? added : own + "," + added);
  }

  static final String PY_FILES_CONF = "spark.submit.pyFiles";

  /**
   * The conf an attempt is launched with: the run's, then Sparkgate's own keys over it, so that
   * ours win even if the conf policy (which refuses every one of them) ever let one through.
   */
  static Map<String, String> launchConf(LaunchSpec spec) {
    Map<String, String> conf = new LinkedHashMap<>(spec.sparkConf());
    Map<String, String> own = serviceConf(spec);
    // The plugin's jar joins the job's own jars instead of replacing them.
    String jars = own.remove(JARS_CONF);
    conf.putAll(own);
    if (jars != null) {
      conf.merge(JARS_CONF, jars, (job, added) -> job.isBlank() ? added : job + "," + added);
    }
    return conf;
  }

  static final String JARS_CONF = "spark.jars";

  /**
   * The conf Sparkgate sets on every application, over the run's: the run's identity, where its
   * driver reports metrics (not the secret it reports with, which is in its environment), and its
   * scratch space (Spark's local dir and the driver's temporary directory). The app name, master,
   * deploy mode, resource and main class are set through the launcher's own arguments, which
   * spark-submit prefers to conf.
   */
  static Map<String, String> serviceConf(LaunchSpec spec) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put(LaunchSpec.RUN_ID_CONF, spec.runId().toString());
    conf.put(LaunchSpec.ATTEMPT_CONF, Integer.toString(spec.attempt()));
    if (spec.metricsToken() != null) {
      // The secret itself goes in the environment (LaunchSpec.METRICS_TOKEN_ENV), never in conf.
      conf.put(LaunchSpec.METRICS_URL_CONF, spec.metricsUrl());
    }
    String scratch = spec.scratchDir().toAbsolutePath().toString();
    conf.put("spark.local.dir", scratch);
    conf.put(SparkLauncher.DRIVER_EXTRA_JAVA_OPTIONS, "-Djava.io.tmpdir=" + scratch);
    conf.putAll(spec.insightConf());
    if (spec.master().startsWith("yarn")) {
      conf.put("spark.yarn.tags", "sparkgate-run-" + spec.runId());
    }
    return conf;
  }

  /**
   * Copies the driver's output (stdout with stderr merged) into its capped log on a daemon thread
   * of its own; the future completes when the output has ended and the log is in its final form.
   */
  private CompletableFuture<Void> copyOutput(Process process, LaunchSpec spec) throws IOException {
    CappedDriverLog driverLog =
        CappedDriverLog.open(spec.logFile(), properties.runs().maxLogBytes().toBytes());
    CompletableFuture<Void> written = new CompletableFuture<>();
    SupervisionThreads.named("sparkgate-driver-log-" + spec.runId() + "-" + spec.attempt())
        .newThread(
            () -> {
              try {
                driverLog.drain(process.getInputStream());
              } finally {
                written.complete(null);
              }
            })
        .start();
    return written;
  }

  /**
   * Cluster deploy mode on a standalone master: spark-submit hands the driver to the master's REST
   * submission server and exits, so no JVM of ours stays per running run. The driver id it prints
   * is recorded at once; from then on the master is asked for the driver's state.
   */
  private DriverHandle submitToCluster(
      SparkLauncher launcher, LaunchSpec spec, DriverObserver observer) throws LaunchException {
    CLUSTER_SUBMIT_CONF.forEach(launcher::setConf);
    // The submission's output apart: the attempt's log is the driver's own, copied from its
    // worker after it (ClusterDriverLog).
    Path submitLog = submitLogOf(spec.logFile());
    launcher.redirectOutput(submitLog.toFile());
    try {
      Process submit = launcher.launch();
      if (!submit.waitFor(properties.spark().stopGrace().toSeconds() + 120, TimeUnit.SECONDS)) {
        submit.destroyForcibly();
        throw new LaunchException("spark-submit did not finish submitting to the cluster", null);
      }
      String output = Files.readString(submitLog);
      Matcher id = DRIVER_ID.matcher(output);
      if (submit.exitValue() != 0 || !id.find()) {
        Files.copy(submitLog, spec.logFile(), StandardCopyOption.REPLACE_EXISTING);
        String error = DriverLogs.errorExcerpt(spec.logFile());
        throw new LaunchException(
            "the cluster did not accept the driver (spark-submit exited "
                + submit.exitValue()
                + (error == null ? "" : ": " + error)
                + ")",
            null);
      }
      StandaloneClusterDriver driver =
          clusterDriver(spec.master(), id.group(), observer, spec.logFile());
      observer.onDriverId(id.group());
      driver.watch(clusterPoller);
      return driver;
    } catch (IOException e) {
      throw new LaunchException("spark-submit could not be started: " + e.getMessage(), e, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException("interrupted while submitting", e);
    }
  }

  @Override
  public Optional<DriverHandle> reattach(DriverRef ref, DriverObserver observer) {
    if (ref.driverId() == null
        || !StandaloneClusterDriver.applies(ref.master(), ref.deployMode())) {
      return Optional.empty();
    }
    // Its log is copied anew where the attempt recorded it, when that is on this host.
    Path logFile =
        ref.logPath() != null && Files.isDirectory(Path.of(ref.logPath()).getParent())
            ? Path.of(ref.logPath())
            : null;
    StandaloneClusterDriver driver = clusterDriver(ref.master(), ref.driverId(), observer, logFile);
    driver.watch(clusterPoller);
    return Optional.of(driver);
  }

  /** Where the output of a cluster submission goes, beside the attempt's log. */
  static Path submitLogOf(Path logFile) {
    return logFile.resolveSibling("submit.log");
  }

  private StandaloneClusterDriver clusterDriver(
      String master, String driverId, DriverObserver observer, Path logFile) {
    List<URI> masterUis =
        properties.spark().masterUi().isBlank()
            ? ClusterDriverLog.defaultMasterUis(master, 8080)
            : Arrays.stream(properties.spark().masterUi().split(","))
                .map(String::strip)
                .filter(ui -> !ui.isEmpty())
                .map(URI::create)
                .toList();
    return new StandaloneClusterDriver(
        StandaloneClusterDriver.restBases(master),
        driverId,
        observer,
        clock,
        new StandaloneClusterDriver.Timing(
            CLUSTER_POLL, CLUSTER_KILL_RESEND, properties.spark().masterUnreachableTimeout()),
        logFile == null
            ? null
            : new ClusterDriverLog(
                masterUis,
                driverId,
                logFile,
                submitLogOf(logFile),
                properties.runs().maxLogBytes().toBytes()));
  }

  /** Spark's state, mapped to ours: the one place where Spark's states are interpreted. */
  static AppState map(SparkAppHandle.State state) {
    return switch (state) {
      case UNKNOWN, CONNECTED, SUBMITTED -> AppState.STARTING;
      case RUNNING -> AppState.RUNNING;
      case FINISHED -> AppState.FINISHED;
      case FAILED -> AppState.FAILED;
      case KILLED -> AppState.KILLED;
      case LOST -> AppState.LOST;
    };
  }

  /** A standalone master's driver state, mapped to ours: the other place Spark's view enters. */
  static AppState mapDriverState(String driverState) {
    return switch (driverState) {
      case "SUBMITTED", "RELAUNCHING", "UNKNOWN" -> AppState.STARTING;
      case "RUNNING" -> AppState.RUNNING;
      case "FINISHED" -> AppState.FINISHED;
      case "KILLED" -> AppState.KILLED;
      case "FAILED", "ERROR" -> AppState.FAILED;
      default -> AppState.STARTING;
    };
  }

  /**
   * The spark-submit child process behind a handle. SparkAppHandle exposes neither the exit code
   * nor the process, and a non-zero exit is the only reliable failure signal in local mode, so we
   * read the handle's private field once, right after the launch. If a Spark version renames it, we
   * fall back to the handle's states alone (no exit code) and say so in the log.
   */
  static Process childProcess(SparkAppHandle handle) {
    if (CHILD_PROC == null) {
      return null;
    }
    try {
      return (Process) CHILD_PROC.get(handle);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "Cannot reach the spark-submit process ({}); exit codes will be unknown", e.toString());
      return null;
    }
  }

  // Looked up before any launch: whether we can reach the process decides how its output is
  // redirected (see launch).
  private static Field childProcField() {
    try {
      Field field =
          Class.forName(
                  "org.apache.spark.launcher.ChildProcAppHandle",
                  false,
                  SparkLauncher.class.getClassLoader())
              .getDeclaredField("childProc");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "Cannot reach spark-submit processes ({}): exit codes will be unknown and driver logs"
              + " not capped",
          e.toString());
      return null;
    }
  }

  /** Turns handle callbacks and the process exit into observer facts, each at most once. */
  private static final class Facts implements SparkAppHandle.Listener {
    private final DriverObserver observer;
    private final Path logFile;
    private final AtomicReference<AppState> lastState = new AtomicReference<>(AppState.STARTING);
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean appIdSeen = new AtomicBoolean();
    private final AtomicBoolean exited = new AtomicBoolean();
    private volatile boolean exitFromStates;

    Facts(DriverObserver observer, Path logFile) {
      this.observer = observer;
      this.logFile = logFile;
    }

    /**
     * Starts watching; the exit is reported once the process has exited and {@code logWritten} has
     * completed (or its grace has passed), so that its error excerpt sees the log's tail.
     */
    void watch(SparkAppHandle handle, Process process, CompletableFuture<Void> logWritten) {
      exitFromStates = process == null;
      infoChanged(handle);
      stateChanged(handle);
      if (process != null) {
        process
            .onExit()
            .thenCompose(
                p ->
                    logWritten
                        .copy()
                        .completeOnTimeout(null, LOG_DRAIN_GRACE.toMillis(), TimeUnit.MILLISECONDS))
            .thenRun(
                () -> {
                  if (!logWritten.isDone()) {
                    log.warn(
                        "The output of the driver logging to {} is still open {} after it exited;"
                            + " reporting its exit now",
                        logFile,
                        LOG_DRAIN_GRACE);
                  }
                  exit(process.exitValue());
                });
      }
    }

    @Override
    public void stateChanged(SparkAppHandle handle) {
      AppState state = map(handle.getState());
      if (state.isFinal() || state == AppState.RUNNING) {
        lastState.set(state);
      }
      if (state == AppState.RUNNING && running.compareAndSet(false, true)) {
        observer.onRunning();
      }
      if (state == AppState.FINISHED) {
        observer.onFinished();
      }
      infoChanged(handle);
      if (state.isFinal() && exitFromStates) {
        exit(null);
      }
    }

    @Override
    public void infoChanged(SparkAppHandle handle) {
      String appId = handle.getAppId();
      if (appId != null && appIdSeen.compareAndSet(false, true)) {
        observer.onAppId(appId);
      }
    }

    private void exit(Integer exitCode) {
      if (exited.compareAndSet(false, true)) {
        AppState last = lastState.get();
        boolean failed = exitCode == null ? last != AppState.FINISHED : exitCode != 0;
        String error = failed ? DriverLogs.errorExcerpt(logFile) : null;
        if (failed && error == null && exitCode != null) {
          error = "spark-submit exited with code " + exitCode;
        }
        observer.onExit(new DriverExit(exitCode, last, error));
      }
    }
  }

  private static final class LauncherHandle implements DriverHandle {
    private final SparkAppHandle handle;
    private final Process process;

    LauncherHandle(SparkAppHandle handle, Process process) {
      this.handle = handle;
      this.process = process;
    }

    @Override
    public void requestStop() {
      try {
        handle.stop();
      } catch (IllegalStateException notConnected) {
        // The driver has not connected back yet; the kill after the grace period ends it.
        log.debug("Stop requested before the driver connected: {}", notConnected.getMessage());
      }
    }

    @Override
    public void kill() {
      if (process != null) {
        // The script execs the driver, so this is the driver itself; children go first so that
        // none is re-parented and left behind.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      handle.kill();
    }

    @Override
    public OptionalLong pid() {
      return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
    }
  }
}
