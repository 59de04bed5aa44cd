package io.sparkgate.testing;

import io.sparkgate.support.SqlTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;

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

  /**
   * Inserts a history of {@code count} runs of the jobs (their latest versions), newest at {@code
   * newest} and three to a second before it, so many runs share a creation time: 90 % SUCCEEDED, a
   * few percent FAILED and CANCELLED, rare TIMED_OUT, and about 1 % QUEUED (due in a year),
   * LAUNCHING and RUNNING (owned by {@code owner}), spread over the whole history. Labels {@code
   * team} (4 values) and {@code dag} (20 values, 5 to a team); the oldest fifth has {@code
   * dag=dag-old} instead, one run in 500 also {@code rare=yes}. Runs that got an attempt have one,
   * a tenth of them two (the first failed); runs cancelled while queued have none.
   */
  public static void aHistory(
      JdbcClient jdbc, List<String> jobs, int count, String owner, Instant newest) {
    jdbc.sql(
            """
            with seeded as (
              select i, abs(hashint4(i)) % 1000 as s, abs(hashint4(i + 7919)) % 20 as dag,
                     cast(:newest as timestamptz) - (i / 3) * interval '1 second' as created_at,
                     (cast(:jobs as text[]))[1 + i % cardinality(cast(:jobs as text[]))] as job
              from generate_series(1, :count) as i
            ),
            shaped as (
              select *,
                     case when s < 900 then 'SUCCEEDED' when s < 950 then 'FAILED'
                          when s < 980 then 'CANCELLED' when s < 990 then 'TIMED_OUT'
                          when s < 994 then 'QUEUED' when s < 998 then 'RUNNING'
                          else 'LAUNCHING' end as state,
                     case when s between 980 and 982 then 0 when i % 10 = 0 then 2
                          when s between 990 and 993 and i % 2 = 0 then 0 else 1 end as attempts
              from seeded
            )
            insert into run (id, job_name, job_version, state, params, spark_conf, labels,
                             fingerprint, submitted_by, created_at, started_at, finished_at,
                             attempt, max_attempts, timeout_seconds, not_before, owner_instance,
                             deadline_at)
            select gen_random_uuid(), x.job, j.latest_version, x.state, '{}', '{}',
                   jsonb_build_object('team', 'team-' || x.dag % 4,
                                      'dag', case when x.i > :count * 4 / 5 then 'dag-old'
                                                  else 'dag-' || x.dag end)
                     || case when x.i % 500 = 7 then '{"rare": "yes"}'::jsonb else '{}' end,
                   'fp-' || x.i, 'test', x.created_at,
                   case when x.attempts > 0 and x.state <> 'LAUNCHING' then x.created_at end,
                   case when x.state in ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
                        then x.created_at + interval '1 minute' end,
                   x.attempts, 2, 3600,
                   case when x.state = 'QUEUED' then x.created_at + interval '1 year'
                        else x.created_at end,
                   case when x.state in ('LAUNCHING', 'RUNNING') then cast(:owner as text) end,
                   case when x.state in ('LAUNCHING', 'RUNNING')
                        then x.created_at + interval '1 year' end
            from shaped x join job j on j.name = x.job
            """)
        .param("jobs", new SqlArrayValue("text", jobs.toArray()))
        .param("count", count)
        .param("owner", owner)
        .param("newest", SqlTime.param(newest.truncatedTo(ChronoUnit.MICROS)))
        .update();
    jdbc.sql(
            """
            insert into run_attempt (run_id, attempt, state, instance_id, started_at, finished_at)
            select r.id, n,
                   case when n < r.attempt then 'FAILED'
                        when r.state = 'CANCELLED' then 'KILLED'
                        when r.state = 'QUEUED' then 'FAILED'
                        else r.state end,
                   coalesce(r.owner_instance, 'test'), r.created_at,
                   case when n < r.attempt or r.finished_at is not null or r.state = 'QUEUED'
                        then r.created_at + interval '30 seconds' end
            from run r cross join lateral generate_series(1, r.attempt) as n
            where r.job_name = any(:jobs)
            """)
        .param("jobs", new SqlArrayValue("text", jobs.toArray()))
        .update();
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
