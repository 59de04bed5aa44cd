package io.sparkgate.supervise;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.config.SupervisionThreads;
import io.sparkgate.support.SqlTime;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes the work directories (driver logs, scratch space) of runs that finished longer ago than
 * {@code sparkgate.runs.log-retention}. Live runs and directories unknown to the database are left
 * alone.
 *
 * <p>Expired runs are read from the run table in pages ordered by (finished_at, id), and the last
 * one handled is remembered, so each sweep reads only the runs that expired since the previous one.
 * That is complete because the cutoff only moves forward and a run finishes at about "now", long
 * after any cutoff; after a restart the first sweep walks every finished run once.
 */
@Component
public class LogRetention {

  private static final Logger log = LoggerFactory.getLogger(LogRetention.class);

  // Small enough for a quick query and a short list in memory, large enough for few round trips.
  static final int BATCH = 500;

  /** The last finished run a sweep handled: the next page starts after it. */
  private record Position(Instant finishedAt, UUID id) {}

  // Before every run: no run finished before 1970, and no id sorts before the nil UUID.
  private static final Position START = new Position(Instant.EPOCH, new UUID(0, 0));

  private final JdbcClient jdbc;
  private final SparkgateProperties properties;
  private final Clock clock;
  private Position handled = START;

  public LogRetention(JdbcClient jdbc, SparkgateProperties properties, Clock clock) {
    this.jdbc = jdbc;
    this.properties = properties;
    this.clock = clock;
  }

  /** Runs on Spring's scheduler thread, with supervision's connections. */
  @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
  public void sweep() {
    SupervisionThreads.run(this::sweepOnce);
  }

  private void sweepOnce() {
    try {
      int deleted = deleteExpired(clock.instant().minus(properties.runs().logRetention()));
      if (deleted > 0) {
        log.info("Deleted the logs of {} runs past their retention", deleted);
      }
    } catch (RuntimeException e) {
      log.warn("Log retention sweep failed: {}", e.toString());
    }
  }

  /**
   * Deletes the directories of runs that finished before {@code cutoff} and after the last run an
   * earlier call handled; returns how many directories it deleted.
   */
  public synchronized int deleteExpired(Instant cutoff) {
    Path runs = properties.workDir().resolve("runs");
    int deleted = 0;
    List<Position> page;
    do {
      page = expiredAfter(handled, cutoff);
      deleteEventLogs(page.stream().map(Position::id).toList());
      for (Position run : page) {
        if (delete(runs.resolve(run.id().toString()))) {
          deleted++;
        }
        // A directory that cannot be deleted is reported, not retried forever ahead of the rest.
        handled = run;
      }
    } while (page.size() == BATCH);
    return deleted;
  }

  private List<Position> expiredAfter(Position after, Instant cutoff) {
    return jdbc.sql(
            """
            select id, finished_at from run
            where finished_at < :cutoff and (finished_at, id) > (:afterFinishedAt, :afterId)
            order by finished_at, id
            limit :limit
            """)
        .param("cutoff", SqlTime.param(cutoff))
        .param("afterFinishedAt", SqlTime.param(after.finishedAt()))
        .param("afterId", after.id())
        .param("limit", BATCH)
        .query(
            (rs, row) ->
                new Position(SqlTime.get(rs, "finished_at"), rs.getObject("id", UUID.class)))
        .list();
  }

  /**
   * Deletes the Spark event logs that the runs' attempts wrote to a local directory: a file named
   * by the application's id (with a codec's suffix, or {@code .inprogress}) or, rolled over, a
   * directory {@code eventlog_v2_<id>}.
   */
  private void deleteEventLogs(List<UUID> runIds) {
    if (runIds.isEmpty()) {
      return;
    }
    record EventLog(String appId, String dir) {}
    List<EventLog> logs =
        jdbc.sql(
                """
                select spark_app_id, event_log_dir from run_attempt
                where run_id = any(:runIds) and spark_app_id is not null
                  and event_log_dir like 'file:%'
                """)
            .param("runIds", new SqlArrayValue("uuid", runIds.toArray()))
            .query((rs, row) -> new EventLog(rs.getString(1), rs.getString(2)))
            .list();
    // Each directory is listed once for the page's applications.
    Map<String, Set<String>> idsByDir = new HashMap<>();
    for (EventLog eventLog : logs) {
      if (APP_ID.matcher(eventLog.appId()).matches()) {
        idsByDir.computeIfAbsent(eventLog.dir(), d -> new HashSet<>()).add(eventLog.appId());
      }
    }
    idsByDir.forEach(
        (uri, ids) -> {
          Path dir = Path.of(URI.create(uri));
          try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
              if (ids.contains(appIdOf(entry.getFileName().toString()))) {
                delete(entry);
              }
            }
          } catch (NoSuchFileException | NotDirectoryException gone) {
            // Nothing left to delete there.
          } catch (IOException | RuntimeException e) {
            log.warn("Cannot delete event logs in {}: {}", dir, e.toString());
          }
        });
  }

  /**
   * The application id an event log's name is made of: {@code <id>}, {@code <id>.<codec>}, {@code
   * <id>.inprogress}, {@code <id>_<attempt>…}, {@code eventlog_v2_<id>[_<attempt>]}.
   */
  static String appIdOf(String name) {
    String id = name.startsWith("eventlog_v2_") ? name.substring("eventlog_v2_".length()) : name;
    int dot = id.indexOf('.');
    if (dot >= 0) {
      id = id.substring(0, dot);
    }
    // YARN's ids carry underscores of their own (application_<ts>_<n>), attempts one more.
    if (!id.startsWith("application_")) {
      int underscore = id.indexOf('_');
      if (underscore >= 0) {
        id = id.substring(0, underscore);
      }
    }
    return id;
  }

  /** Spark's application ids (local-…, app-…, application_…): nothing that names another path. */
  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,200}");

  /** Deletes a run's directory tree if there is one; returns whether it did. */
  private static boolean delete(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (Stream<Path> tree = Files.walk(dir)) {
      for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
      return true;
    } catch (NoSuchFileException goneMeanwhile) {
      return false;
    } catch (IOException | RuntimeException e) {
      log.warn("Cannot delete the expired run directory {}: {}", dir, e.toString());
      return false;
    }
  }
}
