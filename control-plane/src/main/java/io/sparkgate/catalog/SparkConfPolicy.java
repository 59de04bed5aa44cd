package io.sparkgate.catalog;

import java.util.List;
import java.util.Locale;

/**
 * Which Spark conf keys a client may set on a run. A key must be allowed by the job and must not be
 * on the built-in deny list, which the job cannot override: it covers everything that puts code or
 * files on a classpath, passes JVM options, changes where or how the application is submitted, or
 * makes Spark load a class by name.
 */
public final class SparkConfPolicy {

  /** Keys the service itself sets on every application. */
  public static final String RESERVED_PREFIX = "spark.sparkgate.";

  private static final List<String> DENIED_KEYS =
      List.of(
          "spark.master",
          "spark.app.id",
          "spark.extraListeners",
          "spark.plugins",
          "spark.serializer",
          "spark.kryo.registrator",
          "spark.kryo.classesToRegister",
          "spark.sql.extensions",
          "spark.sql.queryExecutionListeners",
          "spark.sql.streaming.streamingQueryListeners",
          "spark.sql.warehouse.dir",
          "spark.driver.userClassPathFirst",
          "spark.executor.userClassPathFirst",
          "spark.driver.host",
          "spark.driver.bindAddress",
          "spark.local.dir",
          "spark.redaction.regex",
          "spark.pyspark.python",
          "spark.pyspark.driver.python",
          "spark.python.worker.module",
          "spark.python.daemon.module",
          "spark.r.command",
          "spark.r.driver.command",
          "spark.shuffle.manager",
          "spark.eventLog.dir");

  private static final List<String> DENIED_PREFIXES =
      List.of(
          RESERVED_PREFIX,
          "spark.jars",
          "spark.files",
          "spark.archives",
          "spark.submit.",
          "spark.yarn.",
          "spark.kubernetes.",
          "spark.mesos.",
          "spark.standalone.",
          "spark.executorEnv.",
          "spark.driverEnv.",
          "spark.launcher.",
          "spark.hadoop.",
          "spark.sql.catalog.",
          "spark.sql.sources.",
          "spark.security.",
          "spark.authenticate",
          "spark.ssl",
          "spark.ui.filters",
          "spark.history.",
          "spark.metrics.",
          "spark.api.");

  // Any option, class path, library path or command of the driver or executors
  // (extraJavaOptions, defaultJavaOptions, extraClassPath, extraLibraryPath, resource discovery
  // scripts, ...), and any key naming a class to load.
  private static final List<String> DENIED_FRAGMENTS =
      List.of(
          "javaoptions",
          "classpath",
          "librarypath",
          "discoveryscript",
          "class",
          ".impl",
          "plugin",
          "extension",
          "listener",
          "provider",
          "factory",
          "command",
          "script",
          "codec.");

  private SparkConfPolicy() {}

  /** Whether a key is on the built-in deny list. */
  public static boolean isDenied(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("spark.")) {
      // Spark ignores keys outside spark.*, except through Hadoop or system properties: refuse.
      return true;
    }
    for (String denied : DENIED_KEYS) {
      if (lower.equals(denied.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    for (String prefix : DENIED_PREFIXES) {
      if (lower.startsWith(prefix.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    for (String fragment : DENIED_FRAGMENTS) {
      if (lower.contains(fragment)) {
        return true;
      }
    }
    return false;
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

  /** Whether a client may set the key on a run of a job with this allow list. */
  public static boolean mayOverride(List<String> allowList, String key) {
    return !isDenied(key) && allows(allowList, key);
  }
}
