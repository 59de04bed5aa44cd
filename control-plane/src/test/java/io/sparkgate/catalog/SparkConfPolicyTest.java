package io.sparkgate.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SparkConfPolicyTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spark.driver.extraJavaOptions",
        "spark.executor.extraJavaOptions",
        "spark.driver.defaultJavaOptions",
        "spark.driver.extraClassPath",
        "spark.executor.extraClassPath",
        "spark.driver.extraLibraryPath",
        "spark.jars",
        "spark.jars.packages",
        "spark.jars.repositories",
        "spark.jars.ivySettings",
        "spark.files",
        "spark.archives",
        "spark.submit.deployMode",
        "spark.submit.pyFiles",
        "spark.master",
        "spark.extraListeners",
        "spark.plugins",
        "spark.sql.extensions",
        "spark.sql.catalog.evil",
        "spark.serializer",
        "spark.kryo.registrator",
        "spark.executorEnv.LD_PRELOAD",
        "spark.driver.resource.gpu.discoveryScript",
        "spark.hadoop.fs.s3a.impl",
        "spark.kubernetes.driver.podTemplateFile",
        "spark.yarn.dist.jars",
        "spark.pyspark.python",
        "spark.sparkgate.runId",
        "spark.driver.userClassPathFirst",
        "SPARK.DRIVER.EXTRAJAVAOPTIONS",
        "java.io.tmpdir"
      })
  void denyListedKeysAreNeverAllowedEvenWhenTheJobAllowsThem(String key) {
    assertThat(SparkConfPolicy.isDenied(key)).isTrue();
    assertThat(SparkConfPolicy.mayOverride(List.of(key, "spark.*"), key)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spark.sql.shuffle.partitions",
        "spark.executor.memory",
        "spark.driver.memory",
        "spark.executor.cores",
        "spark.sql.adaptive.enabled",
        "spark.dynamicAllocation.maxExecutors"
      })
  void ordinaryTuningKeysPassTheDenyList(String key) {
    assertThat(SparkConfPolicy.isDenied(key)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"spark.sql.shuffle.partitions", "spark.sql.adaptive.enabled"})
  void aJobAllowsExactKeysAndPrefixes(String key) {
    assertThat(SparkConfPolicy.mayOverride(List.of("spark.sql.*"), key)).isTrue();
    assertThat(SparkConfPolicy.mayOverride(List.of("spark.executor.memory"), key)).isFalse();
    assertThat(SparkConfPolicy.mayOverride(List.of(), key)).isFalse();
  }
}
