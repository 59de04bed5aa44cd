package io.sparkgate.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * What an admin registers under a job name, stored verbatim (after validation) as one immutable job
 * version. It is a document, like a Kubernetes spec, so the API body and the stored form are
 * deliberately the same type.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(
    description = "A Spark application that Sparkgate may run, with typed parameters and limits.",
    example =
        """
        {"description": "Curate raw market data for one trading date",
         "type": "jvm",
         "appResource": "/opt/sparkgate/jobs/spark-jobs.jar",
         "mainClass": "io.sparkgate.jobs.market.Curate",
         "args": ["--date", "${date}", "--input", "${input}"],
         "parameters": {
           "date": {"type": "date", "required": true},
           "input": {"type": "string", "default": "data/raw", "pattern": "[A-Za-z0-9_./-]+"}},
         "sparkConf": {"spark.sql.shuffle.partitions": "8"},
         "allowedSparkConf": ["spark.sql.shuffle.partitions", "spark.executor.memory"],
         "master": "local[2]",
         "deployMode": "client",
         "maxConcurrentRuns": 1,
         "timeoutSeconds": 3600,
         "retry": {"maxAttempts": 2, "backoffSeconds": 30}}
        """)
public record JobDefinition(
    @Schema(description = "What the job does.", maxLength = 1000) String description,
    @Schema(
            description = "jvm (a jar with a main class) or python (a .py file)",
            allowableValues = {"jvm", "python"},
            requiredMode = Schema.RequiredMode.REQUIRED)
        JobType type,
    @Schema(
            description =
                "The jar or .py file: a path or URI the Spark runtime can read, under one of the"
                    + " service's artifact locations.",
            maxLength = 1024,
            requiredMode = Schema.RequiredMode.REQUIRED,
            example = "/opt/sparkgate/jobs/spark-jobs.jar")
        String appResource,
    @Schema(description = "Main class of a jvm job.", example = "io.sparkgate.jobs.demo.DemoJob")
        String mainClass,
    @Schema(
            description =
                "Application arguments; ${name} is replaced by a parameter's value, $${ is a"
                    + " literal ${. Each element is one argv entry: no shell is involved.")
        List<String> args,
    @Schema(description = "Typed parameters, by name.") Map<String, ParameterSpec> parameters,
    @Schema(
            description =
                "Default Spark conf of every run, within the conf policy: spark.jars,"
                    + " spark.files, spark.archives and spark.submit.pyFiles only with entries"
                    + " under the artifact locations; nothing else that loads code or files,"
                    + " passes JVM options, names a class or decides where the application runs.")
        Map<String, String> sparkConf,
    @Schema(
            description =
                "Spark conf keys a run may override; a trailing .* allows a prefix. The conf"
                    + " policy always wins: an entry may not name a refused key, and a prefix"
                    + " never unlocks one.")
        List<String> allowedSparkConf,
    @Schema(description = "Spark master URL; defaults to the service's.", example = "local[2]")
        String master,
    @Schema(
            description = "client or cluster; defaults to the service's.",
            allowableValues = {"client", "cluster"})
        String deployMode,
    @Schema(
            description = "Most runs of this job at once (all versions, all instances).",
            minimum = "1",
            maximum = "1000")
        Integer maxConcurrentRuns,
    @Schema(
            description = "A run's time limit per attempt; defaults to the service's.",
            minimum = "1",
            maximum = "604800")
        Integer timeoutSeconds,
    RetryPolicy retry,
    @Schema(
            description =
                "Python dependencies of a python job (spark-submit's --py-files): .py, .zip or"
                    + " .egg files, each a path or URI under the artifact locations. Sparkgate's"
                    + " own sparkgate_job module is always added.",
            example = "[\"/opt/sparkgate/jobs/deps.zip\"]")
        List<String> pyFiles,
    @Schema(
            description =
                "Files placed in the working directory of the driver (in cluster mode) and of each"
                    + " executor (spark-submit's --files), under the artifact locations; a"
                    + " #name suffix renames one.",
            example = "[\"/opt/sparkgate/jobs/lookup.csv\"]")
        List<String> files,
    @Schema(
            description =
                "Archives (.zip, .jar, .tar.gz, .tgz, .tar) unpacked in the working directory of"
                    + " each executor, and of the driver in cluster mode (spark-submit's"
                    + " --archives), under the artifact locations; #name names the directory, for"
                    + " example a packed Python environment: \"/opt/jobs/env.tar.gz#env\".",
            example = "[\"/opt/sparkgate/jobs/env.tar.gz#env\"]")
        List<String> archives,
    @Schema(
            description =
                "The interpreter of a python job's driver and workers: one of the service's"
                    + " sparkgate.spark.allowed-pythons; defaults to sparkgate.spark.python. A"
                    + " path inside one of the job's archives (./env/bin/python) serves the"
                    + " executors, and the driver in cluster mode only.",
            example = "/opt/python3.12/bin/python3")
        String python) {

  /**
   * A definition without dependencies; the three dependency lists came later, and most jobs have
   * none.
   */
  public JobDefinition(
      String description,
      JobType type,
      String appResource,
      String mainClass,
      List<String> args,
      Map<String, ParameterSpec> parameters,
      Map<String, String> sparkConf,
      List<String> allowedSparkConf,
      String master,
      String deployMode,
      Integer maxConcurrentRuns,
      Integer timeoutSeconds,
      RetryPolicy retry) {
    this(
        description,
        type,
        appResource,
        mainClass,
        args,
        parameters,
        sparkConf,
        allowedSparkConf,
        master,
        deployMode,
        maxConcurrentRuns,
        timeoutSeconds,
        retry,
        null,
        null,
        null,
        null);
  }

  /**
   * Whether {@code python} is a path inside an unpacked archive, relative to the working directory
   * ({@code ./env/bin/python}), rather than an absolute path or a command found on the PATH.
   */
  public static boolean isPackedInterpreter(String python) {
    return python != null && python.contains("/") && !python.startsWith("/");
  }

  /** The directory a packed interpreter's path starts with: {@code env} for ./env/bin/python. */
  public static String packedDirectory(String python) {
    String path = python.startsWith("./") ? python.substring(2) : python;
    int slash = path.indexOf('/');
    return slash < 0 ? path : path.substring(0, slash);
  }

  public List<String> pyFilesOrEmpty() {
    return pyFiles == null ? List.of() : pyFiles;
  }

  public List<String> filesOrEmpty() {
    return files == null ? List.of() : files;
  }

  public List<String> archivesOrEmpty() {
    return archives == null ? List.of() : archives;
  }

  public List<String> argsOrEmpty() {
    return args == null ? List.of() : args;
  }

  public Map<String, ParameterSpec> parametersOrEmpty() {
    return parameters == null ? Map.of() : parameters;
  }

  public Map<String, String> sparkConfOrEmpty() {
    return sparkConf == null ? Map.of() : sparkConf;
  }

  public List<String> allowedSparkConfOrEmpty() {
    return allowedSparkConf == null ? List.of() : allowedSparkConf;
  }

  public RetryPolicy retryOrDefault() {
    return retry == null ? RetryPolicy.NONE : retry;
  }
}
