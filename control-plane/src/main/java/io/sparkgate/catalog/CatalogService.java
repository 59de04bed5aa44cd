package io.sparkgate.catalog;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.error.SparkgateException.Violation;
import io.sparkgate.support.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** The job catalog: registering versions, enabling and disabling, and looking jobs up. */
@Service
public class CatalogService {

  private final JobRepository jobs;
  private final Json json;
  private final Clock clock;
  private final TransactionTemplate tx;
  private final ArtifactLocations artifacts;
  private final SparkgateProperties.Spark spark;

  public CatalogService(
      JobRepository jobs,
      Json json,
      Clock clock,
      TransactionTemplate tx,
      ArtifactLocations artifacts,
      SparkgateProperties properties) {
    this.jobs = jobs;
    this.json = json;
    this.clock = clock;
    this.tx = tx;
    this.artifacts = artifacts;
    this.spark = properties.spark();
  }

  /** The outcome of a registration: the current version and whether this call created it. */
  public record Registration(JobVersion version, boolean created, boolean newJob) {}

  /**
   * Registers a definition under a name. The same content as the latest version creates nothing;
   * anything else becomes the next version.
   */
  public Registration register(String name, JobDefinition definition, String actor) {
    checkName(name);
    List<Violation> violations = new ArrayList<>(JobDefinitionValidator.validate(definition));
    if (violations.stream().noneMatch(v -> v.field().equals("appResource"))) {
      artifacts
          .check(definition.appResource())
          .ifPresent(reason -> violations.add(new Violation("appResource", reason)));
    }
    violations.addAll(outsideArtifacts(definition, violations));
    notAllowedPython(definition).ifPresent(violations::add);
    packedPythonProblem(definition).ifPresent(violations::add);
    pythonOnStandaloneCluster(definition).ifPresent(violations::add);
    violations.addAll(SparkConfPolicy.checkJobConf(definition.sparkConfOrEmpty(), artifacts));
    if (!violations.isEmpty()) {
      // Only the conf policy's violations carry a group: when they are all there is, the answer
      // says so with its own kind; otherwise the definition is invalid, and all are listed.
      if (violations.stream().allMatch(v -> v.group() != null)) {
        throw SparkgateException.withViolations(
            ErrorKind.DISALLOWED_SPARK_CONF,
            "The job sets Spark conf the conf policy refuses.",
            violations);
      }
      throw SparkgateException.withViolations(
          ErrorKind.INVALID_JOB_DEFINITION, "The job definition is not valid.", violations);
    }
    String hash = json.hash(definition);
    // A concurrent first registration of the same name loses the insert race once; the retry
    // then sees the row and takes the versioning path under its lock.
    try {
      return tx.execute(status -> registerLocked(name, definition, hash, actor));
    } catch (DuplicateKeyException raced) {
      return tx.execute(status -> registerLocked(name, definition, hash, actor));
    }
  }

  private Registration registerLocked(
      String name, JobDefinition definition, String hash, String actor) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Optional<Job> existing = jobs.findForUpdate(name);
    if (existing.isEmpty()) {
      jobs.insertJob(name, now);
      JobVersion first = new JobVersion(name, 1, definition, hash, now, actor);
      jobs.insertVersion(first);
      return new Registration(first, true, true);
    }
    Job job = existing.get();
    JobVersion latest = jobs.findVersion(name, job.latestVersion()).orElseThrow();
    if (latest.contentHash().equals(hash)) {
      return new Registration(latest, false, false);
    }
    JobVersion next = new JobVersion(name, job.latestVersion() + 1, definition, hash, now, actor);
    jobs.insertVersion(next);
    jobs.updateLatestVersion(name, next.version(), now);
    return new Registration(next, true, false);
  }

  public Job get(String name) {
    checkName(name);
    return jobs.find(name)
        .orElseThrow(
            () -> new SparkgateException(ErrorKind.JOB_NOT_FOUND, "No job named " + name + "."));
  }

  public JobVersion latest(String name) {
    Job job = get(name);
    return jobs.findVersion(name, job.latestVersion()).orElseThrow();
  }

  public JobVersion version(String name, int version) {
    get(name);
    return jobs.findVersion(name, version)
        .orElseThrow(
            () ->
                new SparkgateException(
                    ErrorKind.JOB_VERSION_NOT_FOUND,
                    "Job " + name + " has no version " + version + "."));
  }

  public List<JobVersion> versions(String name) {
    get(name);
    return jobs.findVersions(name);
  }

  public List<Job> list() {
    return jobs.findAll();
  }

  /** Enables or disables new runs of a job; history and queued runs are kept. */
  public Job setEnabled(String name, boolean enabled) {
    get(name);
    jobs.setEnabled(name, enabled, clock.instant().truncatedTo(ChronoUnit.MICROS));
    return get(name);
  }

  /**
   * Every entry of the definition's pyFiles, files and archives whose path lies outside the
   * artifact locations, as appResource is checked; entries the form check already refused (in
   * {@code known}) are not checked again.
   */
  private List<Violation> outsideArtifacts(JobDefinition definition, List<Violation> known) {
    List<Violation> violations = new ArrayList<>();
    Map<String, List<String>> lists =
        Map.of(
            "pyFiles", definition.pyFilesOrEmpty(),
            "files", definition.filesOrEmpty(),
            "archives", definition.archivesOrEmpty());
    lists.forEach(
        (field, entries) -> {
          for (int i = 0; i < entries.size() && i < JobDefinitionValidator.MAX_DEPENDENCIES; i++) {
            String at = field + "[" + i + "]";
            String entry = entries.get(i);
            if (entry == null || known.stream().anyMatch(v -> v.field().equals(at))) {
              continue;
            }
            artifacts
                .check(JobDefinitionValidator.dependencyPath(entry))
                .ifPresent(reason -> violations.add(new Violation(at, reason)));
          }
        });
    violations.sort(java.util.Comparator.comparing(Violation::field));
    return violations;
  }

  /**
   * Why the definition's interpreter may not be used: it is neither the service's own nor one of
   * its allowed others. Clients never choose one; an admin does, from the service's list.
   */
  private Optional<Violation> notAllowedPython(JobDefinition definition) {
    String python = definition.python();
    if (python == null
        || python.equals(spark.python())
        || spark.allowedPythons().contains(python)) {
      return Optional.empty();
    }
    return Optional.of(
        new Violation(
            "python",
            "is not an interpreter this service allows (sparkgate.spark.allowed-pythons: "
                + String.join(", ", spark.allowedPythons())
                + ")"));
  }

  /**
   * Why the definition's interpreter, a path inside one of its archives ({@code ./env/bin/python},
   * an admin's allowed entry for packed environments), cannot serve it: none of its archives is
   * unpacked as that directory, or its runs would go to a local master, whose Python workers run
   * beside the driver, where Spark unpacks no archive into the working directory.
   */
  private Optional<Violation> packedPythonProblem(JobDefinition definition) {
    String python = definition.python();
    if (definition.type() != JobType.PYTHON || !JobDefinition.isPackedInterpreter(python)) {
      return Optional.empty();
    }
    String directory = JobDefinition.packedDirectory(python);
    boolean unpacked =
        definition.archivesOrEmpty().stream()
            .anyMatch(archive -> JobDefinitionValidator.dependencyName(archive).equals(directory));
    if (!unpacked) {
      return Optional.of(
          new Violation(
              "python",
              "is a path inside an archive unpacked as "
                  + directory
                  + ", and none of the job's archives is: add one ending in #"
                  + directory));
    }
    String master =
        spark.masterOf(definition.master(), spark.deployModeOf(definition.deployMode()));
    if (master.startsWith("local")) {
      return Optional.of(
          new Violation(
              "python",
              "is a path inside an archive, which only executors on a cluster unpack in their"
                  + " working directory; this job's runs go to "
                  + master
                  + (definition.master() != null ? "" : " by default")
                  + ", where Python workers run beside the driver: name a cluster \"master\""));
    }
    return Optional.empty();
  }

  /**
   * Why a Python job cannot run where the service would send it: on a standalone master in cluster
   * deploy mode, which Spark refuses for Python. Checks what the definition leaves to the service's
   * defaults ({@code sparkgate.spark.master}, {@code .deploy-mode}); a definition that names both
   * itself is refused by its form check already.
   */
  private Optional<Violation> pythonOnStandaloneCluster(JobDefinition definition) {
    if (definition.type() != JobType.PYTHON
        || (definition.master() != null && definition.deployMode() != null)) {
      return Optional.empty();
    }
    String deployMode = spark.deployModeOf(definition.deployMode());
    String master = spark.masterOf(definition.master(), deployMode);
    if (!master.startsWith("spark://") || !"cluster".equals(deployMode)) {
      return Optional.empty();
    }
    return Optional.of(
        new Violation(
            "deployMode",
            "this service runs jobs on a standalone master ("
                + master
                + ") in "
                + deployMode
                + " deploy mode"
                + (definition.deployMode() != null ? "" : " by default")
                + ", and Spark runs Python applications there in client mode only: set"
                + " \"deployMode\": \"client\""));
  }

  /** Refuses a run of a version registered under earlier settings for the violation, if any. */
  private static void refuseIf(Optional<Violation> violation, JobVersion version, String why) {
    if (violation.isPresent()) {
      throw SparkgateException.withViolations(
          ErrorKind.INVALID_JOB_DEFINITION,
          stale(version, why + "; an admin must register a new version."),
          List.of(violation.get()));
    }
  }

  /** The version a new run of the job uses, refusing unknown and disabled jobs (422). */
  public JobVersion runnableVersion(String name) {
    Optional<Job> job =
        name != null && JobDefinitionValidator.JOB_NAME.matcher(name).matches()
            ? jobs.find(name)
            : Optional.empty();
    if (job.isEmpty()) {
      throw new SparkgateException(
          ErrorKind.UNKNOWN_JOB, "No job named " + name + " is registered.");
    }
    if (!job.get().enabled()) {
      throw new SparkgateException(
          ErrorKind.JOB_DISABLED, "Job " + name + " is disabled and accepts no new runs.");
    }
    JobVersion version = jobs.findVersion(name, job.get().latestVersion()).orElseThrow();
    JobDefinition definition = version.definition();
    // Registered before the locations were narrowed: such a version may no longer run.
    Optional<String> outside = artifacts.check(definition.appResource());
    if (outside.isPresent()) {
      throw new SparkgateException(
          ErrorKind.JOB_ARTIFACT_NOT_ALLOWED,
          stale(
              version,
              "has an appResource outside the configured artifact locations; an admin must"
                  + " register a new version."));
    }
    refuseIf(
        notAllowedPython(definition), version, "names an interpreter the service no longer allows");
    refuseIf(
        packedPythonProblem(definition),
        version,
        "runs on an interpreter inside an archive that its runs would not have where the service"
            + " sends them");
    refuseIf(
        pythonOnStandaloneCluster(definition),
        version,
        "is a Python job the service's Spark master cannot run in the deploy mode it would get");
    List<Violation> dependencies = outsideArtifacts(definition, List.of());
    if (!dependencies.isEmpty()) {
      throw SparkgateException.withViolations(
          ErrorKind.JOB_ARTIFACT_NOT_ALLOWED,
          stale(
              version,
              "has dependencies outside the configured artifact locations; an admin must"
                  + " register a new version."),
          dependencies);
    }
    // Registered under an earlier conf policy or wider locations: the same check as registration.
    List<Violation> conf = SparkConfPolicy.checkJobConf(definition.sparkConfOrEmpty(), artifacts);
    if (!conf.isEmpty()) {
      throw SparkgateException.withViolations(
          ErrorKind.DISALLOWED_SPARK_CONF,
          stale(
              version,
              "sets Spark conf the conf policy refuses; an admin must register a new version."),
          conf);
    }
    return version;
  }

  /** Why a version registered under earlier settings may not run now, for its problem detail. */
  private static String stale(JobVersion version, String why) {
    return "Job " + version.jobName() + " version " + version.version() + " " + why;
  }

  private static void checkName(String name) {
    if (name == null || !JobDefinitionValidator.JOB_NAME.matcher(name).matches()) {
      throw new SparkgateException(
          ErrorKind.INVALID_REQUEST,
          "A job name has 1 to 63 lowercase letters, digits and '-', and starts and ends with a"
              + " letter or digit.");
    }
  }
}
