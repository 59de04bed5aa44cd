package io.sparkgate.catalog;

import io.sparkgate.error.SparkgateException.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one Spark conf policy, for every source of conf: a job definition's own {@code sparkConf} (at
 * registration and again at every submit, so a version registered under an earlier policy or wider
 * artifact locations stops running) and a run's overrides. Sparkgate's own keys are set by the
 * launch backend after the run's conf, and every one of them is refused here.
 *
 * <p>The policy is an explicit table: each {@link Group} says why its keys are refused and lists
 * them as exact keys ({@code spark.jars}), prefixes ({@code spark.hadoop.*}) and, as a catch-all
 * for Spark's many keys that take a class or a command, name patterns ({@code *class*} anywhere in
 * the key, {@code *impl} at its end). An exact key decides before a prefix, a longer prefix before
 * a shorter one, and name patterns only when no key or prefix matches (in the order of the groups).
 * Spark's keys are case-sensitive, but a case variant of a refused key is refused all the same.
 *
 * <p>Every group is refused outright except {@link Group#ARTIFACTS}: a job definition may set those
 * keys when every comma-separated entry lies under the artifact locations. A run may never set
 * them, whatever its job allows: the job version is the record of which code and files its runs
 * get, and an operator choosing among artifacts would make runs of one version run different code.
 * An allow-list entry never unlocks a refused key, so {@code spark.sql.*} admits {@code
 * spark.sql.shuffle.partitions} but not {@code spark.sql.hive.metastore.jars}.
 */
public final class SparkConfPolicy {

  /** Keys the service itself sets on every application. */
  private static final String RESERVED_PREFIX = "spark.sparkgate.";

  /** The violation group of a key that no rule refuses but the job's allow list does not name. */
  public static final String NOT_ALLOWED_BY_JOB = "not-allowed-by-job";

  private static final Pattern KEY = Pattern.compile("spark\\.[A-Za-z0-9_.\\-]{0,250}");

  /** Why a key is refused, with the keys, prefixes and name patterns refused for that reason. */
  public enum Group {
    ARTIFACTS(
        "artifacts",
        "puts the listed files on the application's class path or in its working directories: a"
            + " job definition may set it when every comma-separated entry lies under the artifact"
            + " locations, a run never",
        "spark.jars",
        "spark.files",
        "spark.archives",
        "spark.submit.pyFiles"),
    CODE(
        "code",
        "fetches or loads code from somewhere other than the artifact locations: packages and"
            + " their repositories, class paths and their order, Hive metastore jars, REPL, Spark"
            + " Connect and session artifacts",
        "spark.jars.*",
        "spark.driver.extraClassPath",
        "spark.executor.extraClassPath",
        "spark.driver.defaultExtraClassPath",
        "spark.executor.defaultExtraClassPath",
        "spark.driver.userClassPathFirst",
        "spark.executor.userClassPathFirst",
        "spark.files.userClassPathFirst",
        "spark.repl.*",
        "spark.sql.hive.metastore.jars",
        "spark.sql.hive.metastore.jars.path",
        "spark.sql.hive.metastore.sharedPrefixes",
        "spark.sql.hive.metastore.barrierPrefixes",
        "spark.sql.maven.*",
        "spark.sql.artifact.*",
        "spark.connect.*",
        // Where the executors find the Spark installation they run.
        "spark.home",
        "*classpath*"),
    FILES(
        "files",
        "names a file or directory that Spark reads, writes or serves: scratch space, logs, event"
            + " logs, history, warehouse, checkpoints, fall-back storage",
        "spark.files.*",
        "spark.local.dir",
        "spark.driver.log.*",
        "spark.eventLog.*",
        "spark.history.*",
        "spark.sql.warehouse.dir",
        "spark.checkpoint.dir",
        "spark.sql.streaming.checkpointLocation",
        "spark.scheduler.allocation.file",
        "spark.driver.resourcesFile",
        "spark.executor.resourcesFile",
        "spark.storage.decommission.fallbackStorage.path",
        "spark.storage.replication.topologyFile",
        "spark.ui.store.path"),
    PROCESS(
        "process",
        "passes JVM options, native libraries, environment variables or commands to the processes"
            + " Spark starts, Python and R workers included",
        "spark.driver.extraJavaOptions",
        "spark.executor.extraJavaOptions",
        "spark.driver.defaultJavaOptions",
        "spark.executor.defaultJavaOptions",
        "spark.driver.extraLibraryPath",
        "spark.executor.extraLibraryPath",
        "spark.executorEnv.*",
        "spark.driverEnv.*",
        "spark.python.*",
        "spark.pyspark.*",
        "spark.sql.execution.pyspark.python",
        "spark.r.*",
        "spark.sparkr.*",
        "*javaoptions*",
        "*librarypath*",
        "*discoveryscript*",
        "*command"),
    CLASS_NAME(
        "class-name",
        "makes Spark, Hadoop or Hive load a class by name: serializers, codecs, listeners,"
            + " plugins, extensions, catalogs, data sources, committers, shuffle managers, UI"
            + " filters, metrics sinks",
        "spark.serializer",
        "spark.sql.cache.serializer",
        "spark.kryo.registrator",
        "spark.kryo.classesToRegister",
        "spark.io.compression.codec",
        "spark.extraListeners",
        "spark.plugins",
        "spark.plugins.*",
        "spark.executor.plugins",
        "spark.sql.extensions",
        "spark.sql.queryExecutionListeners",
        "spark.sql.streaming.streamingQueryListeners",
        "spark.sql.catalogImplementation",
        "spark.sql.catalog.*",
        "spark.sql.sources.*",
        "spark.shuffle.manager",
        "spark.shuffle.sort.io.plugin.class",
        "spark.storage.replication.policy",
        "spark.storage.replication.topologyMapper",
        "spark.ui.filters",
        "spark.metrics.*",
        // Hadoop and Hive load classes named in their conf (fs.<scheme>.impl, credential
        // providers, SerDes, hooks); Spark passes spark.hadoop.* and spark.hive.* on to them.
        "spark.hadoop.*",
        "spark.hive.*",
        "spark.sql.hive.*",
        // Catch-all: Spark's keys that take a class say so in their names (spark.sql.sources.
        // commitProtocolClass, spark.sql.streaming.stateStore.providerClass, spark.sql.orc.impl,
        // spark.shuffle.push.server.mergedShuffleFileManagerImpl, spark.resources.discoveryPlugin,
        // spark.eventLog.compression.codec, ...).
        "*class*",
        "*impl",
        "*implementation*",
        "*plugin*",
        "*extension*",
        "*listener*",
        "*provider*",
        "*factory*",
        "*codec*",
        "*registrator*",
        "*serializer"),
    SECURITY(
        "security",
        "changes authentication, encryption, access control, credentials, redaction, or the web"
            + " UI's security headers and links",
        "spark.security.*",
        "spark.authenticate",
        "spark.authenticate.*",
        "spark.ssl.*",
        "spark.network.crypto.*",
        "spark.network.sasl.*",
        "spark.io.encryption.*",
        "spark.io.crypto.*",
        "spark.kerberos.*",
        "spark.redaction.*",
        "spark.sql.redaction.*",
        "spark.acls.*",
        "spark.admin.acls",
        "spark.ui.view.acls",
        "spark.modify.acls",
        "spark.user.groups.mapping",
        "spark.ui.allowFramingFrom",
        "spark.ui.xXssProtection",
        "spark.ui.xContentTypeOptions.enabled",
        "spark.ui.strictTransportSecurity",
        "spark.ui.proxyBase",
        "spark.ui.proxyRedirectUri",
        "spark.ui.reverseProxy",
        "spark.ui.reverseProxyUrl",
        "spark.ui.custom.executor.log.url",
        "spark.kafka.clusters.*",
        "*acls*",
        "*secret*",
        "*password*"),
    DEPLOYMENT(
        "deployment",
        "decides where and how the application runs, which is Sparkgate's to set (a job names its"
            + " master and deploy mode in fields of its own)",
        "spark.master",
        "spark.master.*",
        "spark.remote",
        "spark.submit.*",
        "spark.deploy.*",
        "spark.worker.*",
        "spark.driver.supervise",
        "spark.driver.host",
        "spark.driver.bindAddress",
        "spark.driver.port",
        "spark.app.*",
        "spark.standalone.*",
        "spark.yarn.*",
        "spark.mesos.*",
        "spark.kubernetes.*",
        "spark.launcher.*",
        "spark.api.*"),
    RESERVED(
        "reserved",
        "is reserved: Sparkgate sets it on every application, or it is one of Spark's test hooks",
        RESERVED_PREFIX + "*",
        "spark.ui.enabled",
        "spark.ui.port",
        "spark.ui.killEnabled",
        "spark.test.*",
        "spark.testing",
        "spark.testing.*"),
    NOT_SPARK(
        "not-spark",
        "is not a spark.* key of at most 256 letters, digits, '.', '_' and '-': Spark would ignore"
            + " it or hand it to the JVM or Hadoop");

    private final String slug;
    private final String reason;
    private final List<String> patterns;

    Group(String slug, String reason, String... patterns) {
      this.slug = slug;
      this.reason = reason;
      this.patterns = List.of(patterns);
    }

    /** The stable name clients see in a violation's {@code group}. */
    public String slug() {
      return slug;
    }

    /** Why keys of this group are refused, to follow "it". */
    public String reason() {
      return reason;
    }

    /** Exact keys, prefixes ({@code p.*}) and name patterns ({@code *fragment*}, {@code *end}). */
    public List<String> patterns() {
      return patterns;
    }
  }

  /**
   * Keys the table refuses by their names (a codec, a data-source setting) that Spark also takes as
   * a short name from a fixed set, which loads nothing a job could supply. With such a value the
   * key is an ordinary tuning key (a run still needs its job's allow list); any other value, such
   * as a class name, is refused as the table says. Matched exactly, as Spark reads keys.
   */
  private static final Map<String, Pattern> SHORT_NAMES =
      Map.of(
          "spark.sql.sources.partitionOverwriteMode",
          Pattern.compile("(?i)static|dynamic"),
          "spark.sql.parquet.compression.codec",
          Pattern.compile("(?i)none|uncompressed|snappy|gzip|lzo|brotli|lz4|lz4_raw|zstd"),
          "spark.sql.orc.compression.codec",
          Pattern.compile("(?i)none|uncompressed|snappy|zlib|lzo|zstd|lz4|brotli"),
          "spark.sql.avro.compression.codec",
          Pattern.compile("(?i)uncompressed|deflate|snappy|bzip2|xz|zstandard"),
          "spark.io.compression.codec",
          Pattern.compile("(?i)lz4|lzf|snappy|zstd"));

  private SparkConfPolicy() {}

  /** The keys that are allowed with a short-name value, and the values each takes. */
  public static Map<String, Pattern> shortNameKeys() {
    return SHORT_NAMES;
  }

  /** The group that refuses this key with this value, or empty when the table lets it through. */
  public static Optional<Group> refusal(String key, String value) {
    Pattern shortNames = SHORT_NAMES.get(key);
    if (shortNames != null && value != null && shortNames.matcher(value.strip()).matches()) {
      return Optional.empty();
    }
    return refusal(key);
  }

  /** The group that refuses the key, or empty when the key is one a job's allow list may admit. */
  public static Optional<Group> refusal(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      return Optional.of(Group.NOT_SPARK);
    }
    String lower = key.toLowerCase(Locale.ROOT);
    Group byPrefix = null;
    int longest = 0;
    for (Group group : Group.values()) {
      for (String pattern : group.patterns) {
        String p = pattern.toLowerCase(Locale.ROOT);
        if (p.equals(lower)) {
          return Optional.of(group);
        }
        if (isPrefix(p) && lower.startsWith(stem(p)) && stem(p).length() > longest) {
          byPrefix = group;
          longest = stem(p).length();
        }
      }
    }
    if (byPrefix != null) {
      return Optional.of(byPrefix);
    }
    return Arrays.stream(Group.values())
        .filter(
            g -> g.patterns.stream().anyMatch(p -> matchesName(p.toLowerCase(Locale.ROOT), lower)))
        .findFirst();
  }

  /**
   * Every key of a job definition's own conf that the policy refuses. Artifact keys pass when each
   * of their comma-separated entries lies under the artifact locations; values that are missing or
   * too long are the definition's validation to report.
   */
  public static List<Violation> checkJobConf(
      Map<String, String> conf, ArtifactLocations artifacts) {
    List<Violation> violations = new ArrayList<>();
    conf.forEach(
        (key, value) ->
            refusal(key, value)
                .ifPresent(
                    group -> {
                      if (group != Group.ARTIFACTS) {
                        violations.add(refused(key, group));
                      } else if (value != null) {
                        outsideArtifacts(value, artifacts)
                            .ifPresent(
                                why ->
                                    violations.add(
                                        new Violation("sparkConf." + key, why, group.slug)));
                      }
                    }));
    return violations;
  }

  /**
   * Every key of a run's overrides that the policy refuses or the job's allow list does not name.
   */
  public static List<Violation> checkOverrides(
      List<String> allowList, Map<String, String> overrides) {
    List<Violation> violations = new ArrayList<>();
    overrides.forEach(
        (key, value) -> {
          Optional<Group> refused = refusal(key, value);
          if (refused.isPresent()) {
            violations.add(refused(key, refused.get()));
          } else if (!allows(allowList, key)) {
            violations.add(
                new Violation(
                    "sparkConf." + key,
                    "is not in the job's allowedSparkConf",
                    NOT_ALLOWED_BY_JOB));
          }
        });
    return violations;
  }

  /**
   * Every entry of a job's allow list that could only ever admit refused keys: a refused key, or a
   * prefix inside a refused prefix ({@code spark.hadoop.fs.*}) or whose every key matches a refused
   * name pattern. A prefix that also covers keys the policy lets through ({@code spark.sql.*}) is
   * fine: the policy still refuses the rest.
   */
  public static List<Violation> checkAllowList(List<String> allowList) {
    List<Violation> violations = new ArrayList<>();
    for (String entry : allowList) {
      String key =
          entry != null && entry.endsWith(".*") ? entry.substring(0, entry.length() - 2) : entry;
      Optional<Group> refused =
          entry != null && entry.endsWith(".*") ? prefixRefusal(key) : refusal(key);
      if (refused.isEmpty() || (entry != null && SHORT_NAMES.containsKey(entry))) {
        continue;
      }
      Group group = refused.get();
      String message =
          group == Group.NOT_SPARK
              ? "'" + entry + "' is not a spark.* key or prefix"
              : entry.endsWith(".*")
                  ? "'" + entry + "' covers only keys the conf policy refuses (" + group.slug + ")"
                  : "'" + entry + "' is refused by the conf policy: it " + group.reason;
      violations.add(new Violation("allowedSparkConf", message, group.slug));
    }
    return violations;
  }

  /** Whether an allow-list entry (an exact key or a {@code prefix.*}) admits the key. */
  public static boolean allows(List<String> allowList, String key) {
    for (String entry : allowList) {
      if (entry.endsWith(".*")) {
        if (key.startsWith(entry.substring(0, entry.length() - 1))) {
          return true;
        }
      } else if (entry.equals(key)) {
        return true;
      }
    }
    return false;
  }

  private static Violation refused(String key, Group group) {
    return new Violation("sparkConf." + key, "may not be set: it " + group.reason, group.slug);
  }

  /** Why some entry of an artifact key's value is not allowed, or empty when none is. */
  private static Optional<String> outsideArtifacts(String value, ArtifactLocations artifacts) {
    List<String> problems = new ArrayList<>();
    // As Spark reads these lists: split at commas, entries trimmed, empty ones skipped.
    for (String entry : value.split(",", -1)) {
      String trimmed = entry.trim();
      if (!trimmed.isEmpty()) {
        artifacts.check(trimmed).ifPresent(why -> problems.add("'" + trimmed + "' " + why));
      }
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }

  /** The group whose prefix or name pattern refuses every key under the prefix, if one does. */
  private static Optional<Group> prefixRefusal(String prefix) {
    if (prefix == null || !KEY.matcher(prefix + ".x").matches()) {
      return Optional.of(Group.NOT_SPARK);
    }
    String lower = prefix.toLowerCase(Locale.ROOT) + ".";
    for (Group group : Group.values()) {
      for (String pattern : group.patterns) {
        String p = pattern.toLowerCase(Locale.ROOT);
        if ((isPrefix(p) && lower.startsWith(stem(p)))
            || (isFragment(p) && lower.contains(p.substring(1, p.length() - 1)))) {
          return Optional.of(group);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean isPrefix(String pattern) {
    return pattern.endsWith(".*") && !pattern.startsWith("*");
  }

  private static boolean isFragment(String pattern) {
    return pattern.length() > 2 && pattern.startsWith("*") && pattern.endsWith("*");
  }

  /** A prefix pattern without its {@code *}: {@code spark.hadoop.}. */
  private static String stem(String prefixPattern) {
    return prefixPattern.substring(0, prefixPattern.length() - 1);
  }

  private static boolean matchesName(String pattern, String lowerKey) {
    if (isFragment(pattern)) {
      return lowerKey.contains(pattern.substring(1, pattern.length() - 1));
    }
    return pattern.startsWith("*") && lowerKey.endsWith(pattern.substring(1));
  }
}
