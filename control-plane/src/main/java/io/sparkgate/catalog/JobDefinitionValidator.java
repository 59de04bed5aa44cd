package io.sparkgate.catalog;

import io.sparkgate.error.SparkgateException.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks a job definition before it becomes a version; returns every violation at once. */
public final class JobDefinitionValidator {

  /** Lowercase letters, digits and '-', at most 63 characters, no leading or trailing '-'. */
  public static final String JOB_NAME_PATTERN = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";

  public static final Pattern JOB_NAME = Pattern.compile(JOB_NAME_PATTERN);

  private static final Pattern PARAMETER_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final Pattern CLASS_NAME =
      Pattern.compile("([A-Za-z_$][A-Za-z0-9_$]*\\.)*[A-Za-z_$][A-Za-z0-9_$]*");
  private static final Pattern MASTER =
      Pattern.compile("local(\\[(\\*|\\d{1,4})(,\\d{1,4})?])?|(spark|k8s|mesos)://\\S{1,250}|yarn");

  static final int MAX_ARGS = 256;
  static final int MAX_CONF_VALUE = 4096;
  static final int MAX_PARAMETERS = 100;
  static final int MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

  private JobDefinitionValidator() {}

  static final int MAX_DEPENDENCIES = 100;
  private static final Pattern PY_FILE = Pattern.compile("(?i).+\\.(py|zip|egg)");
  private static final Pattern ARCHIVE = Pattern.compile("(?i).+\\.(zip|jar|tar\\.gz|tgz|tar)");
  private static final String ARCHIVE_KINDS = "a .zip, .jar, .tar.gz, .tgz or .tar archive";
  // What follows '#' names the file or directory in the working directory: one plain name.
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  /**
   * The path of a dependency entry: what precedes a {@code #alias}, which Spark reads as the name
   * to give the file or directory in the working directory.
   */
  public static String dependencyPath(String entry) {
    int hash = entry.lastIndexOf('#');
    return hash < 0 ? entry : entry.substring(0, hash);
  }

  /**
   * The name a dependency entry gets in the working directory: its {@code #alias}, else the file
   * name of its path ({@code env} for /opt/jobs/env.tar.gz#env, {@code env.tar.gz} without one).
   */
  public static String dependencyName(String entry) {
    String path = dependencyPath(entry);
    return path.length() < entry.length()
        ? entry.substring(path.length() + 1)
        : path.substring(path.lastIndexOf('/') + 1);
  }

  /**
   * The form of each entry of a dependency list: present, at most 1024 characters, no comma (Spark
   * splits these lists at commas), of the kind the list takes, with a plain alias after '#' (not
   * for pyFiles). Whether the path lies under the artifact locations is the catalog's to check.
   */
  private static void checkDependencies(
      String field, List<String> entries, Pattern kind, String kindText, List<Violation> v) {
    if (entries.size() > MAX_DEPENDENCIES) {
      v.add(new Violation(field, "at most " + MAX_DEPENDENCIES + " entries"));
      return;
    }
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      String at = field + "[" + i + "]";
      if (entry == null || entry.isBlank()) {
        v.add(new Violation(at, "must not be empty"));
        continue;
      }
      if (entry.length() > 1024) {
        v.add(new Violation(at, "must be at most 1024 characters"));
        continue;
      }
      if (entry.contains(",") || !entry.strip().equals(entry)) {
        v.add(new Violation(at, "must hold no comma and no surrounding spaces"));
        continue;
      }
      String path = dependencyPath(entry);
      if (entry.contains("#") && field.equals("pyFiles")) {
        v.add(new Violation(at, "a Python file takes no #name: it keeps its own"));
      } else if (entry.contains("#") && !ALIAS.matcher(dependencyName(entry)).matches()) {
        v.add(new Violation(at, "the name after # must be a plain file name"));
      }
      if (kind != null && !kind.matcher(path).matches()) {
        v.add(new Violation(at, "must be " + kindText));
      }
    }
  }

  public static List<Violation> validate(JobDefinition d) {
    List<Violation> v = new ArrayList<>();
    if (d.description() != null && d.description().length() > 1000) {
      v.add(new Violation("description", "must be at most 1000 characters"));
    }
    if (d.type() == null) {
      v.add(new Violation("type", "is required (jvm or python)"));
    }
    if (d.appResource() == null || d.appResource().isBlank()) {
      v.add(new Violation("appResource", "is required"));
    } else if (d.appResource().length() > 1024) {
      v.add(new Violation("appResource", "must be at most 1024 characters"));
    } else if (d.type() == JobType.PYTHON && !d.appResource().endsWith(".py")) {
      v.add(new Violation("appResource", "a python job runs a .py file"));
    }
    if (d.type() == JobType.JVM
        && (d.mainClass() == null || !CLASS_NAME.matcher(d.mainClass()).matches())) {
      v.add(new Violation("mainClass", "a jvm job needs a fully qualified main class"));
    }
    if (d.type() == JobType.PYTHON && d.mainClass() != null) {
      v.add(new Violation("mainClass", "a python job has no main class"));
    }
    Map<String, ParameterSpec> parameters = d.parametersOrEmpty();
    if (parameters.size() > MAX_PARAMETERS) {
      v.add(new Violation("parameters", "at most " + MAX_PARAMETERS + " parameters"));
    }
    parameters.forEach(
        (name, spec) -> {
          if (!PARAMETER_NAME.matcher(name).matches()) {
            v.add(new Violation("parameters." + name, "name must match " + PARAMETER_NAME));
          }
          v.addAll(ParameterBinder.checkSpec(name, spec));
        });
    checkArgs(d, parameters, v);
    // Which keys a job may set is the conf policy's to say (CatalogService); here only the form.
    d.sparkConfOrEmpty()
        .forEach(
            (key, value) -> {
              if (value == null || value.length() > MAX_CONF_VALUE) {
                v.add(
                    new Violation(
                        "sparkConf." + key,
                        "value must be 0 to " + MAX_CONF_VALUE + " characters"));
              }
            });
    v.addAll(SparkConfPolicy.checkAllowList(d.allowedSparkConfOrEmpty()));
    if (d.master() != null && !MASTER.matcher(d.master()).matches()) {
      v.add(new Violation("master", "must be local[...], spark://, k8s://, mesos:// or yarn"));
    }
    if (d.deployMode() != null
        && !d.deployMode().equals("client")
        && !d.deployMode().equals("cluster")) {
      v.add(new Violation("deployMode", "must be client or cluster"));
    }
    if (d.type() == JobType.PYTHON
        && "cluster".equals(d.deployMode())
        && d.master() != null
        && d.master().startsWith("spark://")) {
      // Spark's own refusal, said at registration instead of by a failed run.
      v.add(
          new Violation(
              "deployMode",
              "a standalone master (spark://) runs Python applications in client mode only:"
                  + " Spark does not support cluster deploy mode for Python there"));
    }
    checkDependencies("pyFiles", d.pyFilesOrEmpty(), PY_FILE, "a .py, .zip or .egg file", v);
    checkDependencies("files", d.filesOrEmpty(), null, null, v);
    checkDependencies("archives", d.archivesOrEmpty(), ARCHIVE, ARCHIVE_KINDS, v);
    if (d.type() == JobType.JVM && !d.pyFilesOrEmpty().isEmpty()) {
      v.add(new Violation("pyFiles", "only a python job has Python dependencies"));
    }
    if (d.python() != null && d.type() != JobType.PYTHON) {
      v.add(new Violation("python", "only a python job names an interpreter"));
    }
    if (d.maxConcurrentRuns() != null
        && (d.maxConcurrentRuns() < 1 || d.maxConcurrentRuns() > 1000)) {
      v.add(new Violation("maxConcurrentRuns", "must be between 1 and 1000"));
    }
    if (d.timeoutSeconds() != null
        && (d.timeoutSeconds() < 1 || d.timeoutSeconds() > MAX_TIMEOUT_SECONDS)) {
      v.add(new Violation("timeoutSeconds", "must be between 1 and " + MAX_TIMEOUT_SECONDS));
    }
    RetryPolicy retry = d.retry();
    if (retry != null) {
      if (retry.maxAttempts() != null && (retry.maxAttempts() < 1 || retry.maxAttempts() > 10)) {
        v.add(new Violation("retry.maxAttempts", "must be between 1 and 10"));
      }
      if (retry.backoffSeconds() != null
          && (retry.backoffSeconds() < 0 || retry.backoffSeconds() > 86400)) {
        v.add(new Violation("retry.backoffSeconds", "must be between 0 and 86400"));
      }
    }
    return v;
  }

  private static void checkArgs(
      JobDefinition d, Map<String, ParameterSpec> parameters, List<Violation> v) {
    List<String> args = d.argsOrEmpty();
    if (args.size() > MAX_ARGS) {
      v.add(new Violation("args", "at most " + MAX_ARGS + " arguments"));
      return;
    }
    for (int i = 0; i < args.size(); i++) {
      String template = args.get(i);
      String field = "args[" + i + "]";
      if (template == null || template.length() > 4096) {
        v.add(new Violation(field, "must be 0 to 4096 characters"));
        continue;
      }
      try {
        for (String name : ArgTemplate.references(template)) {
          ParameterSpec spec = parameters.get(name);
          if (spec == null) {
            v.add(new Violation(field, "refers to undeclared parameter " + name));
          } else if (!spec.mandatory() && spec.defaultValue() == null) {
            // Otherwise the argument would have no value for runs that omit the parameter.
            v.add(
                new Violation(field, "parameter " + name + " must be required or have a default"));
          }
        }
      } catch (IllegalArgumentException e) {
        v.add(new Violation(field, e.getMessage()));
      }
    }
  }
}
