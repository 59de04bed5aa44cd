package io.sparkgate.testing;

import java.nio.file.Path;

/** The spark-jobs build's jar, as the tests get it (system property sparkgate.test.jobs-jar). */
public final class BuiltJobs {

  private BuiltJobs() {}

  /**
   * Its absolute, normalised path: an appResource with '..' segments is refused by the artifact
   * locations check.
   */
  public static String jar() {
    return Path.of(System.getProperty("sparkgate.test.jobs-jar"))
        .toAbsolutePath()
        .normalize()
        .toString();
  }
}
