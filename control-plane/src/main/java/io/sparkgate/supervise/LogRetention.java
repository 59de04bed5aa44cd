package io.sparkgate.supervise;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.support.SqlTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes the work directories (driver logs, scratch space) of runs that finished longer ago than
 * {@code sparkgate.runs.log-retention}. Live runs and runs unknown to the database are left alone.
 */
@Component
public class LogRetention {

  private static final Logger log = LoggerFactory.getLogger(LogRetention.class);

  private final JdbcClient jdbc;
  private final SparkgateProperties properties;
  private final Clock clock;

  public LogRetention(JdbcClient jdbc, SparkgateProperties properties, Clock clock) {
    this.jdbc = jdbc;
    this.properties = properties;
    this.clock = clock;
  }

  @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
  public void sweep() {
    try {
      int deleted = deleteExpired(clock.instant().minus(properties.runs().logRetention()));
      if (deleted > 0) {
        log.info("Deleted the logs of {} runs past their retention", deleted);
      }
    } catch (RuntimeException | IOException e) {
      log.warn("Log retention sweep failed: {}", e.toString());
    }
  }

  /** Deletes the directories of runs that finished before {@code cutoff}; returns how many. */
  public int deleteExpired(Instant cutoff) throws IOException {
    Path runs = properties.workDir().resolve("runs");
    if (!Files.isDirectory(runs)) {
      return 0;
    }
    List<UUID> present = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(runs)) {
      dirs.forEach(
          dir -> {
            try {
              present.add(UUID.fromString(dir.getFileName().toString()));
            } catch (IllegalArgumentException notARunDirectory) {
              // Leave anything we did not create alone.
            }
          });
    }
    if (present.isEmpty()) {
      return 0;
    }
    List<UUID> expired =
        jdbc.sql("select id from run where id in (:ids) and finished_at < :cutoff")
            .param("ids", present)
            .param("cutoff", SqlTime.param(cutoff))
            .query(UUID.class)
            .list();
    for (UUID id : expired) {
      try (Stream<Path> tree = Files.walk(runs.resolve(id.toString()))) {
        for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
    return expired.size();
  }
}
