package io.sparkgate.supervise;

import io.sparkgate.config.SqlTime;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Control-plane instances and their heartbeats. */
@Repository
public class InstanceRepository {

  private final JdbcClient jdbc;

  public InstanceRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public void register(String id, String host, Instant now) {
    jdbc.sql(
            """
            insert into instance (id, host, started_at, heartbeat_at) values (:id, :host, :now, :now)
            on conflict (id) do update set heartbeat_at = excluded.heartbeat_at
            """)
        .param("id", id)
        .param("host", host)
        .param("now", SqlTime.param(now))
        .update();
  }

  /** Returns false if the row is gone, that is, other instances have declared this one dead. */
  public boolean heartbeat(String id, Instant now) {
    return jdbc.sql("update instance set heartbeat_at = :now where id = :id")
            .param("id", id)
            .param("now", SqlTime.param(now))
            .update()
        == 1;
  }

  public void delete(String id) {
    jdbc.sql("delete from instance where id = :id").param("id", id).update();
  }

  /** The host an instance runs on, if it is registered. */
  public java.util.Optional<String> host(String id) {
    return jdbc.sql("select host from instance where id = :id")
        .param("id", id)
        .query(String.class)
        .optional();
  }

  /**
   * Owners of live runs that are not alive: no heartbeat since {@code staleBefore}, or no row at
   * all (an instance that shut down or was already reaped).
   */
  public List<String> deadOwners(Instant staleBefore) {
    return jdbc.sql(
            """
            select distinct r.owner_instance from run r
            left join instance i on i.id = r.owner_instance
            where r.state in ('LAUNCHING', 'RUNNING')
              and (i.id is null or i.heartbeat_at < :staleBefore)
            """)
        .param("staleBefore", SqlTime.param(staleBefore))
        .query(String.class)
        .list();
  }

  public void deleteStale(Instant staleBefore) {
    jdbc.sql("delete from instance where heartbeat_at < :staleBefore")
        .param("staleBefore", SqlTime.param(staleBefore))
        .update();
  }
}
