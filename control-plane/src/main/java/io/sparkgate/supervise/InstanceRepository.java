package io.sparkgate.supervise;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Control-plane instances and their heartbeats. Every time written here is the database's own
 * ({@code now()}), and liveness is judged by whether an instance's heartbeat sequence changes, so
 * no host's clock is ever compared with another's.
 */
@Repository
public class InstanceRepository {

  private final JdbcClient jdbc;

  public InstanceRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** What an instance id was before this process registered it. */
  public record Previous(String host, UUID incarnation) {}

  /**
   * Registers this process under its instance id, taking the row over from an earlier process with
   * the same id (whose heartbeats then fail). Returns what the row held before, if anything.
   */
  public Optional<Previous> register(String id, String host, UUID incarnation) {
    Optional<Previous> previous =
        jdbc.sql("select host, incarnation from instance where id = :id")
            .param("id", id)
            .query((rs, row) -> new Previous(rs.getString(1), rs.getObject(2, UUID.class)))
            .optional();
    jdbc.sql(
            """
            insert into instance (id, host, started_at, heartbeat_at, heartbeat_seq, incarnation)
            values (:id, :host, now(), now(), 1, :incarnation)
            on conflict (id) do update
              set host = excluded.host, started_at = excluded.started_at,
                  heartbeat_at = excluded.heartbeat_at,
                  heartbeat_seq = instance.heartbeat_seq + 1,
                  incarnation = excluded.incarnation
            """)
        .param("id", id)
        .param("host", host)
        .param("incarnation", incarnation)
        .update();
    return previous;
  }

  /** The outcome of one heartbeat. */
  public enum Beat {
    /** Renewed. */
    RENEWED,
    /** The row is gone: other instances declared this one dead, or it never registered. */
    GONE,
    /** Another process registered the same instance id since: two processes share one id. */
    TAKEN
  }

  public Beat heartbeat(String id, UUID incarnation) {
    int renewed =
        jdbc.sql(
                """
                update instance set heartbeat_at = now(), heartbeat_seq = heartbeat_seq + 1
                where id = :id and incarnation = :incarnation
                """)
            .param("id", id)
            .param("incarnation", incarnation)
            .update();
    if (renewed == 1) {
      return Beat.RENEWED;
    }
    return jdbc.sql("select 1 from instance where id = :id")
            .param("id", id)
            .query(Integer.class)
            .optional()
            .isPresent()
        ? Beat.TAKEN
        : Beat.GONE;
  }

  /** Deregisters this process, unless another process has taken its id since. */
  public void delete(String id, UUID incarnation) {
    jdbc.sql("delete from instance where id = :id and incarnation = :incarnation")
        .param("id", id)
        .param("incarnation", incarnation)
        .update();
  }

  /** Every registered instance with its heartbeat sequence number. */
  public Map<String, Long> heartbeats() {
    return jdbc
        .sql("select id, heartbeat_seq from instance")
        .query((rs, row) -> Map.entry(rs.getString(1), rs.getLong(2)))
        .list()
        .stream()
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  /** The host an instance runs on, if it is registered. */
  public Optional<String> host(String id) {
    return jdbc.sql("select host from instance where id = :id")
        .param("id", id)
        .query(String.class)
        .optional();
  }

  /** Instances that own live runs. */
  public List<String> liveOwners() {
    return jdbc.sql(
            """
            select distinct owner_instance from run
            where state in ('LAUNCHING', 'RUNNING') and owner_instance is not null
            """)
        .query(String.class)
        .list();
  }

  /** Removes a dead instance's row, unless it has heartbeated since it was seen dead. */
  public void deleteIfUnchanged(String id, long heartbeatSeq) {
    jdbc.sql("delete from instance where id = :id and heartbeat_seq = :seq")
        .param("id", id)
        .param("seq", heartbeatSeq)
        .update();
  }
}
