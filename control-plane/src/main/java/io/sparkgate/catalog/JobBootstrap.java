package io.sparkgate.catalog;

import io.sparkgate.config.SparkHome;
import io.sparkgate.config.SparkgateProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers the job definitions that ship with the service when it starts: every {@code
 * <name>.json} of the bootstrap directory becomes (a version of) job {@code <name>}. Registering
 * the same content again creates no version, so restarts are no-ops.
 */
@Component
public class JobBootstrap implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(JobBootstrap.class);

  private final CatalogService catalog;
  private final SparkgateProperties properties;
  private final JsonMapper json;
  private final SparkHome sparkHome;

  public JobBootstrap(
      CatalogService catalog,
      SparkgateProperties properties,
      JsonMapper json,
      SparkHome sparkHome) {
    this.catalog = catalog;
    this.properties = properties;
    this.json = json;
    this.sparkHome = sparkHome;
  }

  @Override
  public void run(ApplicationArguments args) throws IOException {
    SparkgateProperties.Catalog settings = properties.catalog();
    if ("none".equals(settings.bootstrapDir())) {
      return;
    }
    Optional<Path> dir =
        settings.bootstrapDir().isBlank()
            ? sparkHome.builtJobDefinitions().filter(Files::isDirectory)
            : Optional.of(Path.of(settings.bootstrapDir()));
    if (dir.isEmpty()) {
      return;
    }
    String jobsJar =
        !settings.jobsJar().isBlank()
            ? settings.jobsJar()
            : sparkHome.builtJobsJar().map(Path::toString).orElse("");
    // The PySpark stages sit in python/ beside the jobs jar, in the build and in the image.
    String pythonDir =
        jobsJar.isBlank()
            ? ""
            : Path.of(jobsJar).toAbsolutePath().normalize().resolveSibling("python").toString();
    String dataDir =
        !settings.dataDir().isBlank()
            ? settings.dataDir()
            : properties.workDir().resolve("data").toAbsolutePath().normalize().toString();
    List<Path> files;
    try (Stream<Path> list = Files.list(dir.get())) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString().replaceFirst("\\.json$", "");
      try {
        String text =
            Files.readString(file)
                .replace("@JOBS_JAR@", jobsJar)
                .replace("@JOBS_PYTHON@", pythonDir)
                .replace("@DATA_DIR@", dataDir);
        CatalogService.Registration registration =
            catalog.register(name, json.readValue(text, JobDefinition.class), "bootstrap");
        if (registration.created()) {
          log.info(
              "Registered job {} version {} from {}", name, registration.version().version(), file);
        }
      } catch (RuntimeException e) {
        // A broken shipped definition must not stop the service; it is reported loudly.
        log.error("Could not register job {} from {}: {}", name, file, e.getMessage());
      }
    }
  }
}
