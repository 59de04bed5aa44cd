package io.sparkgate.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.error.SparkgateException.Violation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobDefinitionValidatorTest {

  static JobDefinition jvm(List<String> args, Map<String, ParameterSpec> parameters) {
    return new JobDefinition(
        "d",
        JobType.JVM,
        "/opt/jobs/app.jar",
        "com.example.Main",
        args,
        parameters,
        Map.of(),
        List.of(),
        null,
        null,
        null,
        null,
        null);
  }

  static JobDefinition python(String master, String deployMode) {
    return new JobDefinition(
        "d",
        JobType.PYTHON,
        "/opt/jobs/report.py",
        null,
        List.of(),
        Map.of(),
        Map.of(),
        List.of(),
        master,
        deployMode,
        null,
        null,
        null);
  }

  @Test
  void aPythonJobInClusterModeOnAStandaloneMasterIsRefused() {
    assertThat(JobDefinitionValidator.validate(python("spark://master:7077", "cluster")))
        .singleElement()
        .satisfies(
            violation -> {
              assertThat(violation.field()).isEqualTo("deployMode");
              assertThat(violation.message()).contains("client mode only");
            });
    assertThat(JobDefinitionValidator.validate(python("spark://master:7077", "client"))).isEmpty();
    assertThat(JobDefinitionValidator.validate(python("yarn", "cluster"))).isEmpty();
    assertThat(JobDefinitionValidator.validate(python("local[2]", null))).isEmpty();
  }

  static JobDefinition pythonWith(List<String> pyFiles, List<String> files, List<String> archives) {
    JobDefinition d = python("local[2]", null);
    return new JobDefinition(
        d.description(),
        d.type(),
        d.appResource(),
        d.mainClass(),
        d.args(),
        d.parameters(),
        d.sparkConf(),
        d.allowedSparkConf(),
        d.master(),
        d.deployMode(),
        d.maxConcurrentRuns(),
        d.timeoutSeconds(),
        d.retry(),
        pyFiles,
        files,
        archives,
        null);
  }

  static List<String> fieldsOf(JobDefinition d) {
    return JobDefinitionValidator.validate(d).stream().map(Violation::field).toList();
  }

  @Test
  void dependenciesOfTheirKindPass() {
    assertThat(
            JobDefinitionValidator.validate(
                pythonWith(
                    List.of("/opt/jobs/deps.zip", "/opt/jobs/util.py", "s3a://b/lib.egg"),
                    List.of("/opt/jobs/lookup.csv", "/opt/jobs/app.conf#conf"),
                    List.of("/opt/jobs/env.tar.gz#env", "/opt/jobs/data.zip", "/opt/x.tgz"))))
        .isEmpty();
  }

  @Test
  void malformedDependenciesAreRefusedEachByItsPlace() {
    assertThat(fieldsOf(pythonWith(List.of("/opt/jobs/deps.tar.gz"), null, null)))
        .containsExactly("pyFiles[0]");
    assertThat(fieldsOf(pythonWith(List.of("/opt/jobs/a.zip#alias"), null, null)))
        .containsExactly("pyFiles[0]");
    assertThat(fieldsOf(pythonWith(null, List.of("/a.csv", "/b.csv,/c.csv", " /d.csv"), null)))
        .containsExactly("files[1]", "files[2]");
    assertThat(fieldsOf(pythonWith(null, null, List.of("/opt/env.rar", "/opt/env.zip#../up"))))
        .containsExactly("archives[0]", "archives[1]");
    assertThat(fieldsOf(pythonWith(null, java.util.Arrays.asList("", null), null)))
        .containsExactly("files[0]", "files[1]");
    assertThat(
            fieldsOf(
                pythonWith(
                    java.util.Collections.nCopies(
                        JobDefinitionValidator.MAX_DEPENDENCIES + 1, "/a.py"),
                    null,
                    null)))
        .containsExactly("pyFiles");
    // Python files belong to Python jobs only.
    JobDefinition jvm = jvm(List.of(), Map.of());
    assertThat(
            JobDefinitionValidator.validate(
                new JobDefinition(
                    jvm.description(),
                    jvm.type(),
                    jvm.appResource(),
                    jvm.mainClass(),
                    jvm.args(),
                    jvm.parameters(),
                    jvm.sparkConf(),
                    jvm.allowedSparkConf(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    List.of("/opt/jobs/deps.zip"),
                    List.of("/opt/jobs/lookup.csv"),
                    null,
                    "/usr/bin/python3")))
        .extracting(Violation::field)
        .containsExactly("pyFiles", "python");
  }

  @Test
  void aCompleteDefinitionIsValid() {
    JobDefinition definition =
        new JobDefinition(
            "Curate",
            JobType.JVM,
            "/opt/jobs/app.jar",
            "io.sparkgate.jobs.market.Curate",
            List.of("--date", "${date}", "--input", "${input}"),
            Map.of(
                "date",
                new ParameterSpec(ParameterType.DATE, true, null, null, null, null, null, null),
                "input",
                new ParameterSpec(
                    ParameterType.STRING,
                    null,
                    "data/raw",
                    "[A-Za-z0-9_./-]+",
                    null,
                    null,
                    null,
                    null)),
            Map.of("spark.sql.shuffle.partitions", "8"),
            List.of("spark.sql.shuffle.partitions", "spark.executor.memory"),
            "local[2]",
            "client",
            1,
            3600,
            new RetryPolicy(2, 30));
    assertThat(JobDefinitionValidator.validate(definition)).isEmpty();
  }

  @Test
  void argsMayOnlyReferToParametersThatAlwaysHaveAValue() {
    List<Violation> violations =
        JobDefinitionValidator.validate(
            jvm(
                List.of("${undeclared}", "${optional}"),
                Map.of(
                    "optional",
                    new ParameterSpec(
                        ParameterType.STRING, null, null, null, null, null, null, null))));
    assertThat(violations)
        .extracting(Violation::message)
        .containsExactlyInAnyOrder(
            "refers to undeclared parameter undeclared",
            "parameter optional must be required or have a default");
  }

  /** Which conf keys a job may set is the conf policy's to say (SparkConfPolicyTest). */
  @Test
  void refusesOverlongConfValuesRefusedAllowListEntriesAndBadLimits() {
    JobDefinition definition =
        new JobDefinition(
            null,
            JobType.JVM,
            "/a.jar",
            "A",
            List.of(),
            Map.of(),
            Map.of("spark.sql.shuffle.partitions", "8".repeat(4097)),
            List.of("spark.driver.extraJavaOptions", "not-spark"),
            "nonsense://",
            "sideways",
            0,
            0,
            new RetryPolicy(0, -1));
    assertThat(JobDefinitionValidator.validate(definition))
        .extracting(Violation::field)
        .contains(
            "sparkConf.spark.sql.shuffle.partitions",
            "allowedSparkConf",
            "master",
            "deployMode",
            "maxConcurrentRuns",
            "timeoutSeconds",
            "retry.maxAttempts",
            "retry.backoffSeconds");
  }

  @Test
  void pythonJobsRunPyFilesWithoutMainClass() {
    JobDefinition bad =
        new JobDefinition(
            null,
            JobType.PYTHON,
            "/a.jar",
            "A",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThat(JobDefinitionValidator.validate(bad))
        .extracting(Violation::field)
        .containsExactlyInAnyOrder("appResource", "mainClass");
  }

  @Test
  void jobNamesAreDnsLabels() {
    assertThat(JobDefinitionValidator.JOB_NAME.matcher("market-curate-2").matches()).isTrue();
    for (String bad : List.of("", "-a", "a-", "A", "a_b", "../etc", "a".repeat(64))) {
      assertThat(JobDefinitionValidator.JOB_NAME.matcher(bad).matches()).as(bad).isFalse();
    }
  }
}
