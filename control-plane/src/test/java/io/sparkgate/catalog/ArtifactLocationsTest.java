package io.sparkgate.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactLocationsTest {

  private final ArtifactLocations locations =
      new ArtifactLocations(
          List.of("/opt/sparkgate/jobs/", "hdfs://NameNode:8020/jobs", "local:/srv/jars"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/opt/sparkgate/jobs/spark-jobs.jar",
        "/opt/sparkgate/jobs/team-a/etl.jar",
        "/opt/sparkgate/jobs/./x.jar",
        "/opt/sparkgate//jobs/x.jar",
        "file:/opt/sparkgate/jobs/x.jar",
        "file:///opt/sparkgate/jobs/x.jar",
        "hdfs://namenode:8020/jobs/x.jar",
        "HDFS://namenode:8020/jobs/deep/x.jar",
        "local:/srv/jars/x.jar"
      })
  void acceptsResourcesUnderALocation(String resource) {
    assertThat(locations.check(resource)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/etc/passwd",
        "/opt/sparkgate/jobs",
        "/opt/sparkgate/jobs-old/x.jar",
        "/opt/sparkgate/x.jar",
        "opt/sparkgate/jobs/x.jar",
        "spark-jobs.jar",
        "file:/etc/x.jar",
        "file://otherhost/opt/sparkgate/jobs/x.jar",
        "hdfs://namenode:9000/jobs/x.jar",
        "hdfs://evil/jobs/x.jar",
        "hdfs:///jobs/x.jar",
        "s3a://bucket/jobs/x.jar",
        "https://example.com/opt/sparkgate/jobs/x.jar",
        "local:/opt/sparkgate/jobs/x.jar",
        "/srv/jars/x.jar"
      })
  void refusesResourcesElsewhere(String resource) {
    assertThat(locations.check(resource))
        .hasValueSatisfying(reason -> assertThat(reason).contains("artifact locations"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/opt/sparkgate/jobs/../../../etc/passwd",
        "/opt/sparkgate/jobs/a/../x.jar",
        "file:/opt/sparkgate/jobs/../x.jar",
        "hdfs://namenode:8020/jobs/../tmp/x.jar",
        "/opt/sparkgate/jobs/%2e%2e/x.jar",
        "/opt/sparkgate/jobs/..%2F..%2Fetc/passwd",
        "/opt/sparkgate/jobs/x.jar?raw=1",
        "hdfs://namenode:8020/jobs/x.jar#frag",
        "/opt/sparkgate/jobs\\..\\x.jar",
        "/opt/sparkgate/jobs/x.jar\n/etc/passwd",
        "jar:file:/opt/sparkgate/jobs/x.jar!/"
      })
  void refusesTraversalAndEncodedForms(String resource) {
    assertThat(locations.check(resource))
        .hasValueSatisfying(reason -> assertThat(reason).doesNotContain("artifact locations"));
  }

  @Test
  void describesTheLocationsInForce() {
    assertThat(locations.describe())
        .containsExactly("/opt/sparkgate/jobs", "hdfs://namenode:8020/jobs", "local:/srv/jars");
  }

  @Test
  void refusesUnusableLocations() {
    assertThatThrownBy(() -> new ArtifactLocations(List.of("relative/dir")))
        .hasMessageContaining("artifact-locations");
    assertThatThrownBy(() -> new ArtifactLocations(List.of("/opt/../etc")))
        .hasMessageContaining("'..'");
  }
}
