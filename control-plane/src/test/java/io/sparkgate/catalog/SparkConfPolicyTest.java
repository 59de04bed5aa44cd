package io.sparkgate.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.catalog.SparkConfPolicy.Group;
import io.sparkgate.error.SparkgateException.Violation;
import io.sparkgate.testing.ConfPolicyCases;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SparkConfPolicyTest {

  static final ArtifactLocations OPT = new ArtifactLocations(List.of("/opt"));

  static boolean mayOverride(List<String> allowList, String key) {
    return SparkConfPolicy.checkOverrides(allowList, Map.of(key, "v")).isEmpty();
  }

  static Optional<String> slug(String key) {
    return SparkConfPolicy.refusal(key).map(Group::slug);
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("io.sparkgate.testing.ConfPolicyCases#everyEntry")
  void everyEntryOfTheTableIsRefusedForItsReasonInAnyCaseWhateverTheJobAllows(
      String key, String group) {
    assertThat(slug(key)).contains(group);
    String otherCase = "spark." + swapCase(key.substring("spark.".length()));
    assertThat(slug(otherCase)).as(otherCase).contains(group);
    assertThat(mayOverride(List.of("spark.*", key), key)).isFalse();
  }

  @ParameterizedTest
  @MethodSource("io.sparkgate.testing.ConfPolicyCases#notSparkKeys")
  void keysThatAreNotSparksAreRefused(String key) {
    assertThat(slug(key)).contains("not-spark");
  }

  /** The keys issue 11 found unrefused, each with the reason it is refused now. */
  @ParameterizedTest(name = "{0} ({1})")
  @CsvSource({
    "spark.jars, artifacts",
    "spark.driver.extraJavaOptions, process",
    "spark.driver.defaultJavaOptions, process",
    "spark.sql.catalogImplementation, class-name",
    "spark.sql.hive.metastore.jars, code",
    "spark.sql.hive.metastore.jars.path, code",
    "spark.sql.maven.additionalRemoteRepositories, code",
    "spark.hive.metastore.uris, class-name",
    "spark.driver.supervise, deployment",
    "spark.io.compression.codec, class-name",
    "spark.driver.log.dfsDir, files",
    // An exact key decides before a prefix, a longer prefix before a shorter one.
    "spark.submit.pyFiles, artifacts",
    "spark.submit.deployMode, deployment",
    "spark.files.userClassPathFirst, code",
    "spark.files.overwrite, files",
    "spark.sql.hive.convertMetastoreParquet, class-name",
    // Name patterns catch what no entry names.
    "spark.sql.sources.commitProtocolClass, class-name",
    "spark.sql.streaming.stateStore.providerClass, class-name",
    "spark.shuffle.push.server.mergedShuffleFileManagerImpl, class-name",
    "spark.eventLog.compression.codec, files",
    "spark.sql.parquet.compression.codec, class-name",
    "spark.executor.resource.gpu.discoveryScript, process",
    "spark.driver.libraryPath, process",
    "spark.Driver.ExtraJavaOptions, process",
    "spark.sparkgate.runId, reserved"
  })
  void theKeysOfTheIssueAreRefused(String key, String group) {
    assertThat(slug(key)).contains(group);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spark.sql.shuffle.partitions",
        "spark.sql.adaptive.enabled",
        "spark.executor.memory",
        "spark.executor.memoryOverhead",
        "spark.executor.cores",
        "spark.executor.instances",
        "spark.driver.memory",
        "spark.driver.cores",
        "spark.driver.maxResultSize",
        "spark.dynamicAllocation.maxExecutors",
        "spark.default.parallelism",
        "spark.sql.files.maxPartitionBytes",
        "spark.sql.autoBroadcastJoinThreshold",
        "spark.kryoserializer.buffer.max",
        "spark.serializer.objectStreamReset",
        "spark.sql.lateralColumnAlias.enableImplicitResolution",
        "spark.hadoopRDD.ignoreEmptySplits",
        "spark.sql.session.timeZone"
      })
  void ordinaryTuningKeysAreLeftToTheJobsAllowList(String key) {
    assertThat(slug(key)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"spark.sql.shuffle.partitions", "spark.sql.adaptive.enabled"})
  void aJobAllowsExactKeysAndPrefixes(String key) {
    assertThat(mayOverride(List.of("spark.sql.*"), key)).isTrue();
    assertThat(mayOverride(List.of("spark.executor.memory"), key)).isFalse();
    assertThat(mayOverride(List.of(), key)).isFalse();
  }

  private static final Pattern WELL_FORMED =
      Pattern.compile(
          "spark\\.([A-Za-z0-9_\\-]+\\.)*[A-Za-z0-9_\\-]+(\\.\\*)?|\\*[a-z]+\\*?",
          Pattern.CASE_INSENSITIVE);

  @Test
  void theTableIsWellFormedAndNamesEachEntryOnce() {
    Set<String> seen = new HashSet<>();
    for (Group group : Group.values()) {
      assertThat(group.reason()).isNotBlank();
      for (String pattern : group.patterns()) {
        assertThat(pattern).matches(WELL_FORMED);
        assertThat(seen.add(pattern.toLowerCase(Locale.ROOT))).as(pattern).isTrue();
      }
    }
    assertThat(Arrays.stream(Group.values()).map(Group::slug)).doesNotHaveDuplicates();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/opt/jobs/lib.jar",
        "file:/opt/jobs/lib.jar",
        " /opt/jobs/a.jar , /opt/jobs/b.jar ",
        "/opt/jobs/a.jar,,",
        ""
      })
  void aJobMaySetArtifactKeysToEntriesUnderTheArtifactLocations(String value) {
    for (String key : ConfPolicyCases.artifactKeys()) {
      assertThat(SparkConfPolicy.checkJobConf(Map.of(key, value), OPT)).as(key).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("io.sparkgate.testing.ConfPolicyCases#outsideOpt")
  void aJobMayNotSetArtifactKeysToAnythingElse(String value) {
    List<Violation> violations = SparkConfPolicy.checkJobConf(Map.of("spark.jars", value), OPT);
    assertThat(violations)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("sparkConf.spark.jars");
              assertThat(v.group()).isEqualTo("artifacts");
              assertThat(v.message()).doesNotContain("'/opt/jobs/a.jar'");
            });
  }

  @Test
  void aJobsConfIsCheckedKeyByKeyAndEveryRefusedKeyIsNamed() {
    List<Violation> violations =
        SparkConfPolicy.checkJobConf(
            Map.of(
                "spark.jars", "/tmp/evil.jar",
                "spark.driver.extraJavaOptions", "-javaagent:/tmp/evil.jar",
                "spark.driver.defaultJavaOptions", "-javaagent:/tmp/evil.jar",
                "spark.sql.shuffle.partitions", "8"),
            OPT);
    assertThat(violations)
        .extracting(Violation::field, Violation::group)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("sparkConf.spark.jars", "artifacts"),
            org.assertj.core.groups.Tuple.tuple(
                "sparkConf.spark.driver.extraJavaOptions", "process"),
            org.assertj.core.groups.Tuple.tuple(
                "sparkConf.spark.driver.defaultJavaOptions", "process"));
  }

  @Test
  void aRunNeverSetsArtifactKeysAndOnlyWhatItsJobAllows() {
    List<Violation> violations =
        SparkConfPolicy.checkOverrides(
            List.of("spark.*"),
            Map.of(
                "spark.jars", "/opt/jobs/lib.jar",
                "spark.sql.hive.metastore.jars", "path",
                "spark.executor.memory", "2g"));
    assertThat(violations)
        .extracting(Violation::field)
        .containsExactlyInAnyOrder(
            "sparkConf.spark.jars", "sparkConf.spark.sql.hive.metastore.jars");
    assertThat(
            SparkConfPolicy.checkOverrides(
                List.of("spark.sql.*"), Map.of("spark.executor.memory", "2g")))
        .extracting(Violation::group)
        .containsExactly(SparkConfPolicy.NOT_ALLOWED_BY_JOB);
  }

  @Test
  void anAllowListMayNotNameWhatNoRunCanSet() {
    List<String> entries =
        Arrays.asList(
            "spark.jars",
            "spark.driver.extraJavaOptions",
            "spark.hadoop.*",
            "spark.hadoop.fs.*",
            "spark.sql.catalog.*",
            "spark.sql.hive.*",
            "spark.sparkgate.*",
            "spark.kryo.classesToRegister.*",
            "not-spark",
            "spark.*x",
            null,
            // Fine: these cover keys the policy lets through as well as ones it refuses.
            "spark.*",
            "spark.sql.*",
            "spark.executor.*",
            "spark.sql.shuffle.partitions");
    assertThat(SparkConfPolicy.checkAllowList(entries))
        .extracting(Violation::group)
        .containsExactly(
            "artifacts",
            "process",
            "class-name",
            "class-name",
            "class-name",
            "class-name",
            "reserved",
            "class-name",
            "not-spark",
            "not-spark",
            "not-spark");
  }

  private static String swapCase(String text) {
    StringBuilder swapped = new StringBuilder();
    for (char c : text.toCharArray()) {
      swapped.append(
          Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
    }
    return swapped.toString();
  }

  @Test
  void codecsAndTheOverwriteModeAreOrdinaryKeysWithTheirShortNamesOnly() {
    assertThat(
            SparkConfPolicy.checkJobConf(
                Map.of(
                    "spark.sql.sources.partitionOverwriteMode", "dynamic",
                    "spark.sql.parquet.compression.codec", "zstd",
                    "spark.io.compression.codec", " LZ4 "),
                OPT))
        .isEmpty();
    assertThat(
            SparkConfPolicy.checkJobConf(
                Map.of(
                    "spark.sql.sources.partitionOverwriteMode", "com.evil.Mode",
                    "spark.io.compression.codec", "com.evil.Codec",
                    "spark.IO.compression.codec", "zstd"),
                OPT))
        .extracting(Violation::group)
        .containsOnly("class-name")
        .hasSize(3);
    // A run still needs its job's allow list, and may name the key there.
    assertThat(SparkConfPolicy.checkAllowList(List.of("spark.io.compression.codec"))).isEmpty();
    assertThat(
            SparkConfPolicy.checkOverrides(
                List.of("spark.io.compression.codec", "spark.sql.*"),
                Map.of(
                    "spark.io.compression.codec", "snappy",
                    "spark.sql.parquet.compression.codec", "gzip")))
        .isEmpty();
    assertThat(
            SparkConfPolicy.checkOverrides(
                List.of("spark.sql.*"),
                Map.of(
                    "spark.io.compression.codec", "snappy",
                    "spark.sql.orc.compression.codec", "org.x.Codec")))
        .extracting(Violation::group)
        .containsExactlyInAnyOrder(SparkConfPolicy.NOT_ALLOWED_BY_JOB, "class-name");
  }
}
