package io.sparkgate.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The module {@code sparkgate_job} (its {@code report(spark, metrics)} reports a run's metrics, as
 * {@code RunMetrics} does for JVM jobs), shipped inside the service and added to every Python
 * application's {@code --py-files}, so that any Python job can import it, whatever Spark home runs
 * it and without packaging it.
 */
final class PythonHelper {

  static final String MODULE_FILE = "sparkgate_job.py";
  private static final String RESOURCE = "/python/" + MODULE_FILE;

  private PythonHelper() {}

  /** Writes the module into {@code dir} (an attempt's scratch directory) and returns its path. */
  static Path writeInto(Path dir) throws IOException {
    Path file = dir.resolve(MODULE_FILE).toAbsolutePath();
    try (InputStream in = PythonHelper.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException(RESOURCE + " is missing from the service's jar");
      }
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }
}
