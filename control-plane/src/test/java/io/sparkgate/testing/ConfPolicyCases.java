package io.sparkgate.testing;

import io.sparkgate.catalog.SparkConfPolicy.Group;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Cases for the Spark conf policy's tests, unit and API alike. */
public final class ConfPolicyCases {

  private ConfPolicyCases() {}

  /** One key for every entry of the policy's table, with the slug of the group that refuses it. */
  public static Stream<Arguments> everyEntry() {
    return Arrays.stream(Group.values())
        .flatMap(g -> g.patterns().stream().map(p -> Arguments.of(exampleKey(p), g.slug())));
  }

  /** Keys that are not Spark's, refused whatever a job allows. */
  public static Stream<String> notSparkKeys() {
    return Stream.of("java.io.tmpdir", "hive.metastore.uris", "SPARK.JARS", "spark.jars x", "");
  }

  /** The keys a job definition may set to artifacts under the artifact locations. */
  public static List<String> artifactKeys() {
    return Group.ARTIFACTS.patterns();
  }

  /**
   * Values an artifact key may not have where only /opt is an artifact location: one entry of
   * several outside it, climbing out, encoded, remote, another scheme or host, relative, a sibling
   * that only starts like it, a fragment (Spark's archive alias).
   */
  public static Stream<String> outsideOpt() {
    return Stream.of(
        "/tmp/evil.jar",
        "/opt/jobs/a.jar,/tmp/evil.jar",
        "/opt/../tmp/evil.jar",
        "/opt/jobs/%2e%2e/%2e%2e/tmp/evil.jar",
        "https://evil.example/opt/evil.jar",
        "hdfs://nn/opt/evil.jar",
        "file://evil/opt/evil.jar",
        "ivy://org.evil:evil:1.0",
        "evil.jar",
        "/optional/evil.jar",
        "/opt/env.zip#env");
  }

  /**
   * A key an entry covers: the key itself, a key under a prefix, or a key with a name pattern in
   * it. "probe" is in no pattern, so the entry alone decides.
   */
  static String exampleKey(String pattern) {
    if (pattern.startsWith("*") && pattern.endsWith("*")) {
      return "spark.probe." + pattern.substring(1, pattern.length() - 1) + ".probe";
    }
    if (pattern.startsWith("*")) {
      return "spark.probe." + pattern.substring(1);
    }
    if (pattern.endsWith(".*")) {
      return pattern.substring(0, pattern.length() - 1) + "probe";
    }
    return pattern;
  }
}
