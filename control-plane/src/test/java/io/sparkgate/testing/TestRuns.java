package io.sparkgate.testing;

import io.sparkgate.support.SqlTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Test data builders for runs in any state, as another instance (alive, dead or long gone) would
 * have left them: {@code aRunningRun("job").ownedBy("ghost").onCluster(master, driverId)
 * .insert(jdbc)}. The one place where tests write run rows directly; everything else goes through
 * the API or the repository.
 */
public final class TestRuns {

  private final String job;
  private final String state;
  private String owner;
  private int attempt;
  private int maxAttempts = 1;
  private String master = "local[1]";
  private String deployMode = "client";
  private String driverId;
  private Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);

  private TestRuns(String job, String state, int attempt) {
    this.job = job;
    this.state = state;
    this.attempt = attempt;
  }

  public static TestRuns aQueuedRun(String job) {
    return new TestRuns(job, "QUEUED", 0);
  }

  public static TestRuns aLaunchingRun(String job) {
    return new TestRuns(job, "LAUNCHING", 1).ownedBy("ghost");
  }

  public static TestRuns aRunningRun(String job) {
    return new TestRuns(job, "RUNNING", 1).ownedBy("ghost");
  }

  public TestRuns ownedBy(String instance) {
    this.owner = instance;
    return this;
  }

  public TestRuns atAttempt(int attempt, int maxAttempts) {
    this.attempt = attempt;
    this.maxAttempts = maxAttempts;
    return this;
  }

  public TestRuns maxAttempts(int maxAttempts) {
    this.maxAttempts = maxAttempts;
    return this;
  }

  public TestRuns onCluster(String master, String driverId) {
    this.master = master;
    this.deployMode = "cluster";
    this.driverId = driverId;
    return this;
  }

  public TestRuns createdAt(Instant at) {
    this.createdAt = at.truncatedTo(ChronoUnit.MICROS);
    return this;
  }

  /** Inserts the run (of the job's latest version) with its attempt and events; returns its id. */
  public UUID insert(JdbcClient jdbc) {
    UUID id = UUID.randomUUID();
    jdbc.sql(
            """
            insert into run (id, job_name, job_version, state, params, spark_conf, labels,
                             fingerprint, submitted_by, created_at, started_at, attempt,
                             max_attempts, timeout_seconds, not_before, owner_instance, deadline_at)
            select :id, name, latest_version, :state, '{}', '{}', '{}', 'fp-' || cast(:id as text), 'test',
                   cast(:createdAt as timestamptz),
                   case when :state = 'RUNNING' then cast(:createdAt as timestamptz) end,
                   :attempt, :maxAttempts, 3600, cast(:createdAt as timestamptz), cast(:owner as text),
                   case when cast(:owner as text) is null then null else now() + interval '1 hour' end
            from job where name = :job
            """)
        .param("id", id)
        .param("job", job)
        .param("state", state)
        .param("createdAt", SqlTime.param(createdAt))
        .param("attempt", attempt)
        .param("maxAttempts", maxAttempts)
        .param("owner", owner)
        .update();
    jdbc.sql(
            """
            insert into run_event (run_id, at, from_state, to_state, reason, actor, attempt)
            values (:id, now(), null, 'QUEUED', 'submitted', 'test', 0)
            """)
        .param("id", id)
        .update();
    if (attempt > 0 && owner != null) {
      jdbc.sql(
              """
              insert into run_attempt (run_id, attempt, state, instance_id, started_at, master,
                                       deploy_mode, driver_id)
              values (:id, :attempt, :state, :owner, now(), :master, :deployMode, :driverId)
              """)
          .param("id", id)
          .param("attempt", attempt)
          .param("state", state)
          .param("owner", owner)
          .param("master", master)
          .param("deployMode", deployMode)
          .param("driverId", driverId)
          .update();
    }
    return id;
  }

  /** Registers an instance as another process would have, with the given heartbeat number. */
  public static void anInstance(JdbcClient jdbc, String id, String host, long heartbeatSeq) {
    jdbc.sql(
            """
            insert into instance (id, host, started_at, heartbeat_at, heartbeat_seq, incarnation)
            values (:id, :host, now(), now(), :seq, gen_random_uuid())
            on conflict (id) do update set heartbeat_seq = excluded.heartbeat_seq
            """)
        .param("id", id)
        .param("host", host)
        .param("seq", heartbeatSeq)
        .update();
  }
}
