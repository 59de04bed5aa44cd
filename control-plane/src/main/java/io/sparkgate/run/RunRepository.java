package io.sparkgate.run;

import io.sparkgate.support.CustomPlans;
import io.sparkgate.support.Json;
import io.sparkgate.support.SqlTime;
import io.sparkgate.support.Text;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs, attempts and events in PostgreSQL. Every state change is a compare-and-set on the current
 * state that writes its event row in the same statement; a result of {@code false} means another
 * writer changed the run first, and the caller must re-read rather than overwrite.
 */
@Repository
public class RunRepository {

  static final String RUN_COLUMNS =
      """
      id, job_name, job_version, state, state_reason, params, spark_conf, labels,
      idempotency_key, fingerprint, previous_run_id, submitted_by, created_at, started_at,
      finished_at, attempt, max_attempts, timeout_seconds, not_before, owner_instance,
      deadline_at, cancel_requested_at, cancel_requested_by, metrics
      """;

  private final JdbcClient jdbc;
  private final Json json;
  private final TransactionTemplate tx;

  public RunRepository(JdbcClient jdbc, Json json, TransactionTemplate tx) {
    this.jdbc = jdbc;
    this.json = json;
    this.tx = tx;
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

  /** A run with its attempts, oldest first. */
  public record WithAttempts(Run run, List<Attempt> attempts) {}

  /** {@link #RUN_COLUMNS} of the run aliased {@code r}, for statements that join it. */
  private static final String RUN_COLUMNS_OF_R =
      String.join(
          ", ",
          Arrays.stream(RUN_COLUMNS.split(",")).map(column -> "r." + column.strip()).toList());

  /** The columns of an attempt, each prefixed {@code a_}, for statements that join it. */
  private static final String ATTEMPT_COLUMNS_AS_A =
      """
      a.attempt as a_attempt, a.state as a_state, a.instance_id as a_instance_id,
      a.spark_app_id as a_spark_app_id, a.started_at as a_started_at,
      a.finished_at as a_finished_at, a.exit_code as a_exit_code, a.error as a_error,
      a.log_path as a_log_path, a.master as a_master, a.deploy_mode as a_deploy_mode,
      a.driver_id as a_driver_id, a.progress as a_progress, a.resources as a_resources,
      a.spark_ui_url as a_spark_ui_url, a.event_log_dir as a_event_log_dir
      """;

  /**
   * A run and its attempts in one statement (one row per attempt, or one without any): what {@code
   * GET /runs/{id}} shows, at the cost of one round trip instead of two.
   */
  public Optional<WithAttempts> findWithAttempts(UUID id) {
    return jdbc.sql(
            "select "
                + RUN_COLUMNS_OF_R
                + ", "
                + ATTEMPT_COLUMNS_AS_A
                + " from run r left join run_attempt a on a.run_id = r.id where r.id = :id"
                + " order by a.attempt")
        .param("id", id)
        .query(
            rs -> {
              Run run = null;
              List<Attempt> attempts = new ArrayList<>();
              while (rs.next()) {
                if (run == null) {
                  run = mapRun(rs, 0);
                }
                if (rs.getObject("a_attempt") != null) {
                  attempts.add(mapAttempt(rs, run.id(), "a_"));
                }
              }
              return Optional.ofNullable(run).map(r -> new WithAttempts(r, List.copyOf(attempts)));
            });
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

  /**
   * A newest-first page of runs after the cursor (exclusive), by one ordered scan per state (see
   * {@link RunListSql}).
   *
   * <p>The statement is planned for its values ({@link CustomPlans}), never with a generic plan of
   * a prepared statement: whether a state, job or label is rare decides the plan.
   */
  public List<Run> list(RunFilter filter, PageCursor after, int limit) {
    RunListSql.Statement page = new RunListSql(filter, json).page(after, limit);
    return tx.execute(
        status -> {
          // A label's scan with a further condition looks costly enough to the planner for a
          // parallel plan, whose workers take longer to start (about 15 ms) than the page.
          jdbc.sql("set local max_parallel_workers_per_gather = 0").update();
          return CustomPlans.during(
              () -> jdbc.sql(page.sql()).params(page.params()).query(this::mapRun).list());
        });
  }

  public List<Attempt> findAttempts(UUID runId) {
    return findAttempts(List.of(runId)).getOrDefault(runId, List.of());
  }

  /**
   * The attempts of each of the runs, oldest first, in one query; runs without any are left out.
   */
  public Map<UUID, List<Attempt>> findAttempts(Collection<UUID> runIds) {
    if (runIds.isEmpty()) {
      return Map.of();
    }
    Map<UUID, List<Attempt>> byRun = new HashMap<>();
    jdbc.sql(
            """
            select run_id, attempt, state, instance_id, spark_app_id, started_at, finished_at,
                   exit_code, error, log_path, master, deploy_mode, driver_id, progress,
                   resources, spark_ui_url, event_log_dir
            from run_attempt where run_id = any(:runIds) order by run_id, attempt
            """)
        .param("runIds", new SqlArrayValue("uuid", runIds.toArray()))
        .query(this::mapAttempt)
        .list()
        .forEach(a -> byRun.computeIfAbsent(a.runId(), id -> new ArrayList<>()).add(a));
    return byRun;
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
   * The events of several runs at once, each run's after its own event id ({@code afterIds[i]} for
   * {@code runIds[i]}), in the order of the runs' event ids: one index range scan per run.
   */
  public List<RunEvent> findEventsAfter(UUID[] runIds, Long[] afterIds) {
    return jdbc.sql(
            """
            select e.id, e.run_id, e.at, e.from_state, e.to_state, e.reason, e.actor,
                   e.instance_id, e.attempt
            from unnest(:runIds, :afterIds) as f(run_id, after_id)
            join lateral (
                select * from run_event
                where run_event.run_id = f.run_id and run_event.id > f.after_id
                order by run_event.id) e on true
            order by e.run_id, e.id
            """)
        .param("runIds", new SqlArrayValue("uuid", (Object[]) runIds))
        .param("afterIds", new SqlArrayValue("bigint", (Object[]) afterIds))
        .query(RunRepository::mapEvent)
        .list();
  }

  /** Where a run's attempts log, with the run's and each attempt's state. */
  public record LogSource(
      UUID runId, RunState runState, int attempt, AttemptState attemptState, String logPath) {}

  /**
   * The attempts of each of the runs with their log paths and states, oldest first, in one
   * statement; a run without attempts yields one source of attempt 0 (what log followers poll).
   */
  public List<LogSource> findLogSources(UUID[] runIds) {
    return jdbc.sql(
            """
            select r.id, r.state as run_state, a.attempt, a.state, a.log_path
            from run r left join run_attempt a on a.run_id = r.id
            where r.id = any(:runIds)
            order by r.id, a.attempt
            """)
        .param("runIds", new SqlArrayValue("uuid", (Object[]) runIds))
        .query(
            (rs, row) ->
                new LogSource(
                    rs.getObject("id", UUID.class),
                    RunState.valueOf(rs.getString("run_state")),
                    rs.getInt("attempt"),
                    rs.getString("state") == null
                        ? null
                        : AttemptState.valueOf(rs.getString("state")),
                    rs.getString("log_path")))
        .list();
  }

  /**
   * Claims up to {@code limit} queued runs for this instance and moves them to LAUNCHING with a new
   * attempt and an event. Per-job limits are applied before the global window: only jobs below
   * their {@code maxConcurrentRuns} take part, each with at most as many runs as it has room for,
   * and among those the oldest runs win. So a backlog of one job at its limit never delays another
   * job's run, however long it is. The caller holds the claim lock (see {@link #lockClaims()}), so
   * per-job counts are exact across instances.
   */
  public List<Run> claimQueued(String instanceId, int limit, Instant now) {
    return jdbc.sql(
            """
            with active as (
              select job_name, count(*) as n from run
              where state in ('LAUNCHING', 'RUNNING') group by job_name
            ),
            room as (
              select j.name,
                     coalesce((v.definition ->> 'maxConcurrentRuns')::int - coalesce(a.n, 0),
                              :limit) as free
              from job j
              join job_version v on v.job_name = j.name and v.version = j.latest_version
              left join active a on a.job_name = j.name
            ),
            candidates as (
              select q.id, q.created_at
              from room r
              cross join lateral (
                select id, created_at from run
                where job_name = r.name and state = 'QUEUED' and not_before <= :now
                order by created_at, id
                limit least(r.free, :limit)
                for update skip locked
              ) q
              where r.free > 0
            ),
            chosen as (
              select id from candidates order by created_at, id limit :limit
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
        .query(this::mapRun)
        .list();
  }

  /** Serializes claiming across instances until the transaction ends. */
  public void lockClaims() {
    jdbc.sql("select pg_advisory_xact_lock(7306544218419118593)").query().singleValue();
  }

  /**
   * Moves a run from the state this copy of it shows to {@code to}, with its event, if the run is
   * still in that state, at that attempt and with that owner: a copy that has gone stale (another
   * instance ended the attempt, adopted the run or claimed it again) changes nothing. Sets {@code
   * started_at} on the first RUNNING, {@code finished_at} on a terminal state, and clears the owner
   * when the run goes back to the queue.
   */
  public boolean transition(
      Run seen,
      RunState to,
      String reason,
      String actor,
      String instanceId,
      Instant now,
      Instant notBefore) {
    seen.state().checkCanMoveTo(to);
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
                  where id = :id and state = :from and attempt = :attempt
                    and owner_instance is not distinct from :owner
                  returning id, attempt
                )
                insert into run_event (run_id, at, from_state, to_state, reason, actor,
                                       instance_id, attempt)
                select id, :now, :from, :to, :reason, :actor, :instance, attempt from changed
                """)
            .param("id", seen.id())
            .param("from", seen.state().name())
            .param("attempt", seen.attempt())
            .param("owner", seen.ownerInstance())
            .params(moveParams(to, reason, actor, instanceId, now, notBefore))
            .update()
        == 1;
  }

  /**
   * Ends an attempt and moves its run on, in one statement: the attempt and the run change together
   * or not at all. The run must still be at {@code ref}'s attempt, owned by {@code ref}'s owner and
   * in {@code from}; a move back to the queue (a retry) also needs that no cancel was requested
   * meanwhile, so a cancel that lands while an attempt ends is never lost to the retry. Returns
   * false when any of that no longer holds: the caller lost a race and must re-read.
   */
  public boolean endAttempt(
      AttemptRef ref,
      RunState from,
      AttemptState attemptState,
      Integer exitCode,
      String error,
      RunState to,
      String reason,
      String actor,
      String instanceId,
      Instant now,
      Instant notBefore) {
    from.checkCanMoveTo(to);
    return jdbc.sql(
                """
                with moved as (
                  update run set state = :to, state_reason = :reason,
                    finished_at = case when :terminal then :now else null end,
                    owner_instance = case when :to = 'QUEUED' then null else owner_instance end,
                    deadline_at = case when :to = 'QUEUED' then null else deadline_at end,
                    not_before = coalesce(:notBefore, not_before)
                  where id = :id and state = :from and attempt = :attempt
                    and owner_instance = :owner
                    and (:to <> 'QUEUED' or cancel_requested_at is null)
                  returning id, attempt
                ),
                ended as (
                  update run_attempt a set state = :attemptState, exit_code = :exitCode,
                                           error = :error, finished_at = :now
                  from moved
                  where a.run_id = moved.id and a.attempt = moved.attempt
                    and a.state in ('LAUNCHING', 'RUNNING')
                )
                insert into run_event (run_id, at, from_state, to_state, reason, actor,
                                       instance_id, attempt)
                select id, :now, :from, :to, :reason, :actor, :instance, attempt from moved
                """)
            .param("id", ref.runId())
            .param("attempt", ref.attempt())
            .param("owner", ref.owner())
            .param("from", from.name())
            .param("attemptState", attemptState.name())
            .param("exitCode", exitCode)
            .param("error", Text.printable(error))
            .params(moveParams(to, reason, actor, instanceId, now, notBefore))
            .update()
        == 1;
  }

  /** The parameters every move of a run names: where to, why, by whom, from where, when. */
  private static Map<String, Object> moveParams(
      RunState to, String reason, String actor, String instanceId, Instant now, Instant notBefore) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("to", to.name());
    params.put("terminal", to.isTerminal());
    params.put("reason", Text.printable(reason));
    params.put("actor", actor);
    params.put("instance", instanceId);
    params.put("now", SqlTime.param(now));
    params.put("notBefore", SqlTime.param(notBefore));
    return params;
  }

  /**
   * Puts a run whose launch failed for a reason of the infrastructure (no runtime, a disk that
   * cannot take the run's directory) back in the queue without using up an attempt: the attempt
   * that never started a driver is removed and the run's attempt number goes back. The event keeps
   * what happened.
   */
  public boolean requeueUncounted(
      AttemptRef ref, String reason, String instanceId, Instant now, Instant notBefore) {
    return jdbc.sql(
                """
                with moved as (
                  update run set state = 'QUEUED', state_reason = :reason, owner_instance = null,
                                 deadline_at = null, attempt = attempt - 1, not_before = :notBefore
                  where id = :id and state = 'LAUNCHING' and attempt = :attempt
                    and owner_instance = :owner
                  returning id
                ),
                removed as (
                  delete from run_attempt a using moved
                  where a.run_id = moved.id and a.attempt = :attempt
                )
                insert into run_event (run_id, at, from_state, to_state, reason, actor,
                                       instance_id, attempt)
                select id, :now, 'LAUNCHING', 'QUEUED', :reason, 'system', :instance, :attempt
                from moved
                """)
            .param("id", ref.runId())
            .param("attempt", ref.attempt())
            .param("owner", ref.owner())
            .param("reason", Text.printable(reason))
            .param("instance", instanceId)
            .param("now", SqlTime.param(now))
            .param("notBefore", SqlTime.param(notBefore))
            .update()
        == 1;
  }

  /**
   * Moves a launching attempt and its run to RUNNING, with the application id if known, in one
   * statement fenced by the attempt and its owner.
   */
  public boolean markRunning(AttemptRef ref, String sparkAppId, String instanceId, Instant now) {
    return jdbc.sql(
                """
                with moved as (
                  update run set state = 'RUNNING', state_reason = :reason,
                                 started_at = coalesce(started_at, :now)
                  where id = :id and state = 'LAUNCHING' and attempt = :attempt
                    and owner_instance = :owner
                  returning id, attempt
                ),
                attempt as (
                  update run_attempt a set state = 'RUNNING',
                                           spark_app_id = coalesce(:appId, a.spark_app_id)
                  from moved where a.run_id = moved.id and a.attempt = moved.attempt
                    and a.state = 'LAUNCHING'
                )
                insert into run_event (run_id, at, from_state, to_state, reason, actor,
                                       instance_id, attempt)
                select id, :now, 'LAUNCHING', 'RUNNING', :reason, 'system', :instance, attempt
                from moved
                """)
            .param("id", ref.runId())
            .param("attempt", ref.attempt())
            .param("owner", ref.owner())
            .param("appId", sparkAppId)
            .param(
                "reason", sparkAppId == null ? "driver running" : "driver running as " + sparkAppId)
            .param("instance", instanceId)
            .param("now", SqlTime.param(now))
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

  /** Records where an attempt is being launched and where its log goes; false if fenced out. */
  public boolean setAttemptLaunch(
      AttemptRef ref,
      String logPath,
      String master,
      String deployMode,
      String metricsTokenHash,
      String eventLogDir,
      Integer sparkUiPort) {
    return jdbc.sql(
                """
                update run_attempt a set log_path = :path, master = :master,
                                         deploy_mode = :deployMode, metrics_token_hash = :tokenHash,
                                         event_log_dir = :eventLogDir, spark_ui_port = :uiPort
                from run r
                where a.run_id = :runId and a.attempt = :attempt
                  and r.id = a.run_id and r.attempt = a.attempt and r.owner_instance = :owner
                  and a.state = 'LAUNCHING'
                """)
            .param("runId", ref.runId())
            .param("attempt", ref.attempt())
            .param("owner", ref.owner())
            .param("path", logPath)
            .param("master", master)
            .param("deployMode", deployMode)
            .param("tokenHash", metricsTokenHash)
            .param("eventLogDir", eventLogDir)
            .param("uiPort", sparkUiPort, java.sql.Types.INTEGER)
            .update()
        == 1;
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

  /**
   * Records what the application of the run's current attempt reported from inside (its progress,
   * resource usage and UI address); false if that attempt is no longer live or already made its
   * final report, so that a report held up in transit never overwrites the last one.
   */
  public boolean recordProgress(
      UUID runId,
      int attempt,
      String progressJson,
      String resourcesJson,
      String sparkUiUrl,
      int sparkUiPort) {
    // The address is kept only on the port the service gave the UI, or one of the 16 after it
    // that Spark tries when that one is taken.
    return jdbc.sql(
                """
                update run_attempt a set progress = cast(:progress as jsonb),
                                         resources = cast(:resources as jsonb),
                                         spark_ui_url = case
                                           when a.spark_ui_port > 0
                                            and :uiPort between a.spark_ui_port
                                                            and a.spark_ui_port + 16
                                           then :uiUrl end
                from run r
                where a.run_id = :runId and a.attempt = :attempt
                  and r.id = a.run_id and r.attempt = a.attempt
                  and r.state in ('LAUNCHING', 'RUNNING') and a.state in ('LAUNCHING', 'RUNNING')
                  and coalesce(a.resources ->> 'final', 'false') <> 'true'
                """)
            .param("runId", runId)
            .param("attempt", attempt)
            .param("progress", progressJson)
            .param("resources", resourcesJson)
            .param("uiUrl", sparkUiUrl)
            .param("uiPort", sparkUiPort)
            .update()
        == 1;
  }

  /** Records a cluster driver's id on its attempt; false if fenced out. */
  public boolean setAttemptDriverId(AttemptRef ref, String driverId) {
    return updateLiveAttempt(ref, "driver_id = :value", driverId);
  }

  /** Records the Spark application id on its attempt, once; false if fenced out. */
  public boolean setAttemptAppId(AttemptRef ref, String sparkAppId) {
    return updateLiveAttempt(ref, "spark_app_id = coalesce(a.spark_app_id, :value)", sparkAppId);
  }

  private boolean updateLiveAttempt(AttemptRef ref, String assignment, String value) {
    return jdbc.sql(
                "update run_attempt a set "
                    + assignment
                    + """
                     from run r
                    where a.run_id = :runId and a.attempt = :attempt
                      and r.id = a.run_id and r.attempt = a.attempt and r.owner_instance = :owner
                      and a.state in ('LAUNCHING', 'RUNNING')
                    """)
            .param("runId", ref.runId())
            .param("attempt", ref.attempt())
            .param("owner", ref.owner())
            .param("value", value)
            .update()
        == 1;
  }

  /**
   * Moves a live run from its owner to {@code newOwner}, keeping its attempt: for drivers that
   * outlive their instance (cluster deploy mode), or an instance that takes back its own runs after
   * a restart. Fenced by the attempt and the old owner, so of two survivors only one adopts; the
   * takeover is recorded as an event.
   */
  public boolean adopt(AttemptRef ref, String newOwner, String reason, Instant now) {
    return jdbc.sql(
                """
                with adopted as (
                  update run set owner_instance = :instance
                  where id = :id and owner_instance = :owner and attempt = :attempt
                    and state in ('LAUNCHING', 'RUNNING')
                  returning id, state, attempt
                )
                insert into run_event (run_id, at, from_state, to_state, reason, actor,
                                       instance_id, attempt)
                select id, :now, state, state, :reason, 'system', :instance, attempt
                from adopted
                """)
            .param("id", ref.runId())
            .param("attempt", ref.attempt())
            .param("owner", ref.owner())
            .param("instance", newOwner)
            .param("reason", reason)
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

  private Attempt mapAttempt(ResultSet rs, int row) throws SQLException {
    return mapAttempt(rs, rs.getObject("run_id", UUID.class), "");
  }

  /** An attempt of the run from columns named with the prefix. */
  private Attempt mapAttempt(ResultSet rs, UUID runId, String prefix) throws SQLException {
    return new Attempt(
        runId,
        rs.getInt(prefix + "attempt"),
        AttemptState.valueOf(rs.getString(prefix + "state")),
        rs.getString(prefix + "instance_id"),
        rs.getString(prefix + "spark_app_id"),
        SqlTime.get(rs, prefix + "started_at"),
        SqlTime.get(rs, prefix + "finished_at"),
        (Integer) rs.getObject(prefix + "exit_code"),
        rs.getString(prefix + "error"),
        rs.getString(prefix + "log_path"),
        rs.getString(prefix + "master"),
        rs.getString(prefix + "deploy_mode"),
        rs.getString(prefix + "driver_id"),
        jsonOrNull(rs.getString(prefix + "progress")),
        jsonOrNull(rs.getString(prefix + "resources")),
        rs.getString(prefix + "spark_ui_url"),
        rs.getString(prefix + "event_log_dir"));
  }

  private Map<String, Object> jsonOrNull(String text) {
    return text == null ? null : json.readMap(text);
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
