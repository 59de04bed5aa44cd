package io.sparkgate.run;

import io.sparkgate.config.Json;
import io.sparkgate.config.SqlTime;
import io.sparkgate.launch.DriverLogs;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Runs, attempts and events in PostgreSQL. Every state change is a compare-and-set on the current
 * state that writes its event row in the same statement; a result of {@code false} means another
 * writer changed the run first, and the caller must re-read rather than overwrite.
 */
@Repository
public class RunRepository {

  private static final String RUN_COLUMNS =
      """
      id, job_name, job_version, state, state_reason, params, spark_conf, labels,
      idempotency_key, fingerprint, previous_run_id, submitted_by, created_at, started_at,
      finished_at, attempt, max_attempts, timeout_seconds, not_before, owner_instance,
      deadline_at, cancel_requested_at, cancel_requested_by, metrics
      """;

  private final JdbcClient jdbc;
  private final Json json;

  public RunRepository(JdbcClient jdbc, Json json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Inserts a queued run with its creation event, unless another live or succeeded run holds the
   * same idempotency key. Returns whether the run was inserted. The partial unique index decides
   * races between concurrent submits: exactly one insert wins.
   */
  public boolean insertQueued(NewRun run, String instanceId) {
    int inserted =
        jdbc.sql(
                """
                with inserted as (
                  insert into run (id, job_name, job_version, state, params, spark_conf, labels,
                                   idempotency_key, fingerprint, previous_run_id, submitted_by,
                                   created_at, attempt, max_attempts, timeout_seconds, not_before)
                  values (:id, :job, :jobVersion, 'QUEUED', cast(:params as jsonb),
                          cast(:sparkConf as jsonb), cast(:labels as jsonb), :key, :fingerprint,
                          :previousRunId, :submittedBy, :createdAt, 0, :maxAttempts,
                          :timeoutSeconds, :createdAt)
                  on conflict (idempotency_key)
                    where idempotency_key is not null
                      and state in ('QUEUED', 'LAUNCHING', 'RUNNING', 'SUCCEEDED')
                    do nothing
                  returning id
                )
                insert into run_event (run_id, at, from_state, to_state, reason, actor,
                                       instance_id, attempt)
                select id, :createdAt, null, 'QUEUED', :reason, :submittedBy, :instance, 0
                from inserted
                """)
            .param("id", run.id())
            .param("job", run.job())
            .param("jobVersion", run.jobVersion())
            .param("params", json.write(run.params()))
            .param("sparkConf", json.write(run.sparkConf()))
            .param("labels", json.write(run.labels()))
            .param("key", run.idempotencyKey())
            .param("fingerprint", run.fingerprint())
            .param("previousRunId", run.previousRunId())
            .param("submittedBy", run.submittedBy())
            .param("createdAt", SqlTime.param(run.createdAt()))
            .param("maxAttempts", run.maxAttempts())
            .param("timeoutSeconds", run.timeoutSeconds())
            .param(
                "reason",
                run.previousRunId() == null
                    ? "submitted"
                    : "resubmitted after " + run.previousRunId())
            .param("instance", instanceId)
            .update();
    return inserted == 1;
  }

  public Optional<Run> find(UUID id) {
    return jdbc.sql("select " + RUN_COLUMNS + " from run where id = :id")
        .param("id", id)
        .query(this::mapRun)
        .optional();
  }

  /** The latest run created with an idempotency key. */
  public Optional<Run> findLatestByKey(String key) {
    return jdbc.sql(
            "select "
                + RUN_COLUMNS
                + """
                from run where idempotency_key = :key
                order by created_at desc, id desc limit 1
                """)
        .param("key", key)
        .query(this::mapRun)
        .optional();
  }

  /** A newest-first page of runs after the cursor (exclusive). */
  public List<Run> list(RunFilter filter, PageCursor after, int limit) {
    StringBuilder sql = new StringBuilder("select " + RUN_COLUMNS + " from run where true");
    Map<String, Object> params = new LinkedHashMap<>();
    if (filter.job() != null) {
      sql.append(" and job_name = :job");
      params.put("job", filter.job());
    }
    if (filter.states() != null && !filter.states().isEmpty()) {
      sql.append(" and state in (:states)");
      params.put("states", filter.states().stream().map(Enum::name).toList());
    }
    List<RunFilter.Label> labels = filter.labels() == null ? List.of() : filter.labels();
    for (int i = 0; i < labels.size(); i++) {
      sql.append(" and labels @> cast(:label").append(i).append(" as jsonb)");
      params.put("label" + i, json.write(Map.of(labels.get(i).key(), labels.get(i).value())));
    }
    if (after != null) {
      sql.append(" and (created_at, id) < (:afterCreatedAt, :afterId)");
      params.put("afterCreatedAt", SqlTime.param(after.createdAt()));
      params.put("afterId", after.id());
    }
    sql.append(" order by created_at desc, id desc limit :limit");
    params.put("limit", limit);
    return jdbc.sql(sql.toString()).params(params).query(this::mapRun).list();
  }

  public List<Attempt> findAttempts(UUID runId) {
    return jdbc.sql(
            """
            select run_id, attempt, state, instance_id, spark_app_id, started_at, finished_at,
                   exit_code, error, log_path, master, deploy_mode, driver_id
            from run_attempt where run_id = :runId order by attempt
            """)
        .param("runId", runId)
        .query(RunRepository::mapAttempt)
        .list();
  }

  public List<RunEvent> findEvents(UUID runId) {
    return jdbc.sql(
            """
            select id, run_id, at, from_state, to_state, reason, actor, instance_id, attempt
            from run_event where run_id = :runId order by id
            """)
        .param("runId", runId)
        .query(RunRepository::mapEvent)
        .list();
  }

  /**
   * Claims up to {@code limit} queued runs for this instance, oldest first, within each job's
   * {@code maxConcurrentRuns}, and moves them to LAUNCHING with a new attempt and an event. The
   * caller holds the claim lock (see {@link #lockClaims()}), so per-job counts are exact across
   * instances; SKIP LOCKED keeps the scan clear of rows another transaction is changing.
   */
  public List<Run> claimQueued(String instanceId, int limit, Instant now) {
    return jdbc.sql(
            """
            with queued as (
              select id, job_name, created_at from run
              where state = 'QUEUED' and not_before <= :now
              order by created_at, id
              for update skip locked
              limit :scan
            ),
            ranked as (
              select q.id, q.job_name, q.created_at,
                     row_number() over (partition by q.job_name order by q.created_at, q.id)
                       as position,
                     (v.definition ->> 'maxConcurrentRuns')::int as job_limit
              from queued q
              join job j on j.name = q.job_name
              join job_version v on v.job_name = j.name and v.version = j.latest_version
            ),
            active as (
              select job_name, count(*) as n from run
              where state in ('LAUNCHING', 'RUNNING') group by job_name
            ),
            chosen as (
              select r.id from ranked r left join active a on a.job_name = r.job_name
              where r.job_limit is null or coalesce(a.n, 0) + r.position <= r.job_limit
              order by r.created_at, r.id
              limit :limit
            ),
            claimed as (
              update run set state = 'LAUNCHING', state_reason = null,
                             owner_instance = :instance, attempt = attempt + 1,
                             deadline_at = :now + timeout_seconds * interval '1 second'
              from chosen where run.id = chosen.id and run.state = 'QUEUED'
              returning run.*
            ),
            attempts as (
              insert into run_attempt (run_id, attempt, state, instance_id, started_at)
              select id, attempt, 'LAUNCHING', :instance, :now from claimed
            ),
            events as (
              insert into run_event (run_id, at, from_state, to_state, reason, actor,
                                     instance_id, attempt)
              select id, :now, 'QUEUED', 'LAUNCHING', 'claimed for attempt ' || attempt,
                     'system', :instance, attempt
              from claimed
            )
            select
            """
                + RUN_COLUMNS
                + " from claimed order by created_at, id")
        .param("now", SqlTime.param(now))
        .param("instance", instanceId)
        .param("limit", limit)
        // Look past runs of jobs at their limit, so they do not block other jobs' runs.
        .param("scan", Math.max(limit * 20, 100))
        .query(this::mapRun)
        .list();
  }

  /** Serializes claiming across instances until the transaction ends. */
  public void lockClaims() {
    jdbc.sql("select pg_advisory_xact_lock(7306544218419118593)").query().singleValue();
  }

  /**
   * Moves a run from {@code from} to {@code to} if it is still in {@code from}, with its event.
   * Sets {@code started_at} on the first RUNNING, {@code finished_at} on a terminal state, and
   * clears the owner when the run goes back to the queue.
   */
  public boolean transition(
      UUID id,
      RunState from,
      RunState to,
      String reason,
      String actor,
      String instanceId,
      Instant now,
      Instant notBefore) {
    from.checkCanMoveTo(to);
    return jdbc.sql(
                """
                with changed as (
                  update run set state = :to, state_reason = :reason,
                    started_at = case when :to = 'RUNNING' then coalesce(started_at, :now)
                                      else started_at end,
                    finished_at = case when :terminal then :now else null end,
                    owner_instance = case when :to = 'QUEUED' then null else owner_instance end,
                    deadline_at = case when :to = 'QUEUED' then null else deadline_at end,
                    not_before = coalesce(:notBefore, not_before)
                  where id = :id and state = :from
                  returning id, attempt
                )
                insert into run_event (run_id, at, from_state, to_state, reason, actor,
                                       instance_id, attempt)
                select id, :now, :from, :to, :reason, :actor, :instance, attempt from changed
                """)
            .param("id", id)
            .param("from", from.name())
            .param("to", to.name())
            .param("terminal", to.isTerminal())
            .param("reason", DriverLogs.printable(reason))
            .param("actor", actor)
            .param("instance", instanceId)
            .param("now", SqlTime.param(now))
            .param("notBefore", SqlTime.param(notBefore))
            .update()
        == 1;
  }

  /** Records a cancel request on a live run; returns whether it was recorded now. */
  public boolean requestCancel(UUID id, String actor, Instant now) {
    return jdbc.sql(
                """
                update run set cancel_requested_at = :now, cancel_requested_by = :actor
                where id = :id and state in ('LAUNCHING', 'RUNNING')
                  and cancel_requested_at is null
                """)
            .param("id", id)
            .param("actor", actor)
            .param("now", SqlTime.param(now))
            .update()
        == 1;
  }

  /** Live runs owned by an instance. */
  public List<Run> findLiveOwnedBy(String instanceId) {
    return jdbc.sql(
            "select "
                + RUN_COLUMNS
                + " from run where owner_instance = :instance"
                + " and state in ('LAUNCHING', 'RUNNING')")
        .param("instance", instanceId)
        .query(this::mapRun)
        .list();
  }

  /** Records where an attempt is being launched and where its log goes. */
  public void setAttemptLaunch(
      UUID runId,
      int attempt,
      String logPath,
      String master,
      String deployMode,
      String metricsTokenHash) {
    jdbc.sql(
            """
            update run_attempt set log_path = :path, master = :master, deploy_mode = :deployMode,
                                   metrics_token_hash = :tokenHash
            where run_id = :runId and attempt = :attempt
            """)
        .param("runId", runId)
        .param("attempt", attempt)
        .param("path", logPath)
        .param("master", master)
        .param("deployMode", deployMode)
        .param("tokenHash", metricsTokenHash)
        .update();
  }

  /** The metrics-token hash of the run's current attempt, if the run is live. */
  public Optional<String> liveMetricsTokenHash(UUID runId) {
    return jdbc.sql(
            """
            select a.metrics_token_hash from run r
            join run_attempt a on a.run_id = r.id and a.attempt = r.attempt
            where r.id = :runId and r.state in ('LAUNCHING', 'RUNNING')
              and a.metrics_token_hash is not null
            """)
        .param("runId", runId)
        .query(String.class)
        .optional();
  }

  /** Merges reported metrics into the run's (top-level keys of later reports win). */
  public boolean mergeMetrics(UUID runId, String metricsJson) {
    return jdbc.sql(
                """
                update run set metrics = coalesce(metrics, '{}'::jsonb) || cast(:metrics as jsonb)
                where id = :runId and state in ('LAUNCHING', 'RUNNING')
                """)
            .param("runId", runId)
            .param("metrics", metricsJson)
            .update()
        == 1;
  }

  public void setAttemptDriverId(UUID runId, int attempt, String driverId) {
    jdbc.sql(
            "update run_attempt set driver_id = :driverId where run_id = :runId and attempt = :attempt")
        .param("runId", runId)
        .param("attempt", attempt)
        .param("driverId", driverId)
        .update();
  }

  /**
   * Moves a live run from a dead owner to this instance, keeping its attempt: for drivers that
   * outlive their instance (cluster deploy mode). Records the takeover as an event.
   */
  public boolean adopt(UUID id, int attempt, String deadOwner, String instanceId, Instant now) {
    return jdbc.sql(
                """
                with adopted as (
                  update run set owner_instance = :instance
                  where id = :id and owner_instance = :dead and attempt = :attempt
                    and state in ('LAUNCHING', 'RUNNING')
                  returning id, state, attempt
                )
                insert into run_event (run_id, at, from_state, to_state, reason, actor,
                                       instance_id, attempt)
                select id, :now, state, state, 'driver adopted from instance ' || :dead, 'system',
                       :instance, attempt
                from adopted
                """)
            .param("id", id)
            .param("attempt", attempt)
            .param("dead", deadOwner)
            .param("instance", instanceId)
            .param("now", SqlTime.param(now))
            .update()
        == 1;
  }

  /** Moves a launching attempt to RUNNING and records the application id, if still launching. */
  public void markAttemptRunning(UUID runId, int attempt, String sparkAppId) {
    jdbc.sql(
            """
            update run_attempt set state = 'RUNNING',
                                   spark_app_id = coalesce(:appId, spark_app_id)
            where run_id = :runId and attempt = :attempt and state = 'LAUNCHING'
            """)
        .param("runId", runId)
        .param("attempt", attempt)
        .param("appId", sparkAppId)
        .update();
  }

  public void setAttemptAppId(UUID runId, int attempt, String sparkAppId) {
    jdbc.sql(
            """
            update run_attempt set spark_app_id = :appId
            where run_id = :runId and attempt = :attempt and spark_app_id is null
            """)
        .param("runId", runId)
        .param("attempt", attempt)
        .param("appId", sparkAppId)
        .update();
  }

  /** Ends a live attempt; returns false if it had already ended. */
  public boolean finishAttempt(
      UUID runId, int attempt, AttemptState state, Integer exitCode, String error, Instant now) {
    return jdbc.sql(
                """
                update run_attempt set state = :state, exit_code = :exitCode, error = :error,
                                       finished_at = :now
                where run_id = :runId and attempt = :attempt
                  and state in ('LAUNCHING', 'RUNNING')
                """)
            .param("runId", runId)
            .param("attempt", attempt)
            .param("state", state.name())
            .param("exitCode", exitCode)
            .param("error", DriverLogs.printable(error))
            .param("now", SqlTime.param(now))
            .update()
        == 1;
  }

  private Run mapRun(ResultSet rs, int row) throws SQLException {
    return new Run(
        rs.getObject("id", UUID.class),
        rs.getString("job_name"),
        rs.getInt("job_version"),
        RunState.valueOf(rs.getString("state")),
        rs.getString("state_reason"),
        json.readMap(rs.getString("params")),
        stringMap(rs.getString("spark_conf")),
        stringMap(rs.getString("labels")),
        rs.getString("idempotency_key"),
        rs.getString("fingerprint"),
        rs.getObject("previous_run_id", UUID.class),
        rs.getString("submitted_by"),
        SqlTime.get(rs, "created_at"),
        SqlTime.get(rs, "started_at"),
        SqlTime.get(rs, "finished_at"),
        rs.getInt("attempt"),
        rs.getInt("max_attempts"),
        rs.getInt("timeout_seconds"),
        SqlTime.get(rs, "not_before"),
        rs.getString("owner_instance"),
        SqlTime.get(rs, "deadline_at"),
        SqlTime.get(rs, "cancel_requested_at"),
        rs.getString("cancel_requested_by"),
        json.readMap(rs.getString("metrics")));
  }

  private Map<String, String> stringMap(String text) {
    Map<String, Object> raw = json.readMap(text);
    Map<String, String> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  private static Attempt mapAttempt(ResultSet rs, int row) throws SQLException {
    return new Attempt(
        rs.getObject("run_id", UUID.class),
        rs.getInt("attempt"),
        AttemptState.valueOf(rs.getString("state")),
        rs.getString("instance_id"),
        rs.getString("spark_app_id"),
        SqlTime.get(rs, "started_at"),
        SqlTime.get(rs, "finished_at"),
        (Integer) rs.getObject("exit_code"),
        rs.getString("error"),
        rs.getString("log_path"),
        rs.getString("master"),
        rs.getString("deploy_mode"),
        rs.getString("driver_id"));
  }

  private static RunEvent mapEvent(ResultSet rs, int row) throws SQLException {
    String from = rs.getString("from_state");
    return new RunEvent(
        rs.getLong("id"),
        rs.getObject("run_id", UUID.class),
        SqlTime.get(rs, "at"),
        from == null ? null : RunState.valueOf(from),
        RunState.valueOf(rs.getString("to_state")),
        rs.getString("reason"),
        rs.getString("actor"),
        rs.getString("instance_id"),
        rs.getInt("attempt"));
  }
}
