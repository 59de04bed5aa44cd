package io.sparkgate.testing;

import io.sparkgate.catalog.SparkConfPolicy.Group;
import java.util.Arrays;
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
