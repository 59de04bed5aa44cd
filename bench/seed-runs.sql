-- Fills a migrated, empty Sparkgate database with a year of run history, for the list benchmark
-- (bench/run-lists.sh) and for reading query plans:
--
--   psql -v runs=1000000 -f bench/seed-runs.sql postgresql://postgres@127.0.0.1/sparkgate_lists
--
-- The mix: 10 jobs; about 90 % SUCCEEDED, 7 % FAILED, 2.5 % CANCELLED, 0.5 % TIMED_OUT, and among
-- the newest runs (the last day or so) a few hundred QUEUED, RUNNING and LAUNCHING ones; labels
-- {"team": one of 8, "dag": one of 40}, each DAG owned by one team, so a DAG label matches 2.5 %
-- of runs and the teams 5 % (team-0) to 17.5 % (team-7); one attempt per run that got one, two
-- for about 5 % (a failed or lost first attempt). Runs are inserted oldest first, as a live system
-- would have written them, so the heap's order follows created_at.
--
-- Every constraint of the schema holds: finished_at exactly for terminal states, an owner for
-- LAUNCHING and RUNNING, idempotency keys unique, attempts numbered from 1 with the run's attempt
-- the last. Live runs stay put while a benchmarked service runs beside them: QUEUED runs wait on a
-- not_before a month away (a retry backoff), LAUNCHING and RUNNING runs belong to the instance
-- bench-peer, which the benchmark keeps heartbeating, so no dispatcher claims and no reaper takes
-- over anything. No run_event rows: nothing a listing reads needs them.
\set ON_ERROR_STOP on
\if :{?runs}
\else
  \set runs 1000000
\endif
set synchronous_commit = off;
set maintenance_work_mem = '256MB';
select setseed(0.15);

begin;

insert into job (name, enabled, latest_version, created_at, updated_at)
select name, true, 1, now() - interval '400 days', now() - interval '400 days'
from unnest(array['curate-bars', 'adjust-prices', 'analytics-daily', 'risk-report',
                  'pnl-attribution', 'fx-rates', 'positions-snapshot', 'compliance-scan',
                  'model-features', 'archive-logs']) as name
on conflict (name) do nothing;

insert into job_version (job_name, version, definition, content_hash, created_at, created_by)
select j.name, 1, d.definition, md5(d.definition::text), j.created_at, 'bench'
from job j
cross join lateral (
  select jsonb_build_object(
           'type', 'jvm', 'appResource', '/opt/bench/' || j.name || '.jar',
           'mainClass', 'bench.Main', 'maxConcurrentRuns', 50,
           'retry', jsonb_build_object('maxAttempts', 2, 'backoffSeconds', 30)) as definition
) d
where j.name in ('curate-bars', 'adjust-prices', 'analytics-daily', 'risk-report',
                 'pnl-attribution', 'fx-rates', 'positions-snapshot', 'compliance-scan',
                 'model-features', 'archive-logs')
on conflict do nothing;

insert into instance (id, host, started_at, heartbeat_at, heartbeat_seq, incarnation)
values ('bench-peer', 'bench-peer-host', now(), now(), 1, gen_random_uuid())
on conflict (id) do nothing;

-- One row per run: its draws first, then the columns derived from them.
create temporary table seed on commit drop as
select i,
       now() - interval '365 days' + (i - 1) * (interval '365 days' / :runs)
         + random() * (interval '365 days' / :runs) as created_at,
       floor(random() * 10)::int as job,
       floor(random() * 40)::int as dag,
       random() as s,
       random() as r,
       (random() < 0.05) as retried,
       floor(random() * 3600)::int as duration_s
from generate_series(1, :runs) as i;

-- DAG d belongs to team t where the teams own 2, 3, 4, 5, 6, 6, 7 and 7 DAGs.
create temporary table team_of on commit drop as
select d as dag,
       case when d < 2 then 0 when d < 5 then 1 when d < 9 then 2 when d < 14 then 3
            when d < 20 then 4 when d < 26 then 5 when d < 33 then 6 else 7 end as team
from generate_series(0, 39) as d;

create temporary table seeded on commit drop as
select s.i, gen_random_uuid() as id, s.created_at, s.duration_s,
       (array['curate-bars', 'adjust-prices', 'analytics-daily', 'risk-report',
              'pnl-attribution', 'fx-rates', 'positions-snapshot', 'compliance-scan',
              'model-features', 'archive-logs'])[s.job + 1] as job_name,
       s.dag, t.team,
       case
         -- The newest ~3,000 runs (about a day) are where live runs are.
         when s.i > :runs - 3000 and s.s < 0.15 then 'QUEUED'
         when s.i > :runs - 3000 and s.s < 0.23 then 'RUNNING'
         when s.i > :runs - 3000 and s.s < 0.24 then 'LAUNCHING'
         when s.r < 0.900 then 'SUCCEEDED'
         when s.r < 0.970 then 'FAILED'
         when s.r < 0.995 then 'CANCELLED'
         else 'TIMED_OUT'
       end as state,
       s.retried, s.r
from seed s join team_of t on t.dag = s.dag;

-- How far each run got: attempts, and whether it was ever running.
create temporary table shaped on commit drop as
select x.*,
       case
         when state = 'QUEUED' then case when retried then 1 else 0 end
         when state = 'CANCELLED' and r > 0.99 then 0 -- cancelled while still queued
         when retried then 2
         else 1
       end as attempts,
       created_at + (1 + (i % 30)) * interval '1 second' as launched_at
from seeded x;

insert into run (id, job_name, job_version, state, state_reason, params, spark_conf, labels,
                 idempotency_key, fingerprint, previous_run_id, submitted_by, created_at,
                 started_at, finished_at, attempt, max_attempts, timeout_seconds, not_before,
                 owner_instance, deadline_at, cancel_requested_at, cancel_requested_by, metrics)
select id, job_name, 1, state,
       case state
         when 'FAILED' then 'driver exited with code 1: org.apache.spark.SparkException: Job aborted due to stage failure'
         when 'CANCELLED' then 'cancelled by airflow'
         when 'TIMED_OUT' then 'exceeded the time limit of 3600 s'
         when 'QUEUED' then case when attempts = 1 then 'retrying after attempt 1 failed' end
       end,
       jsonb_build_object('date', to_char(created_at, 'YYYY-MM-DD'), 'rows', 1000 + i % 5000),
       jsonb_build_object('spark.sql.shuffle.partitions', '16', 'spark.executor.memory', '4g',
                          'spark.executor.cores', '2'),
       jsonb_build_object('team', 'team-' || team, 'dag', 'dag-' || dag),
       'dag-' || dag || '/scheduled__' || to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS')
         || '/' || job_name || '/' || i,
       md5(job_name || i),
       null, 'airflow', created_at,
       case when attempts > 0 and not (state = 'LAUNCHING' and attempts = 1) then launched_at end,
       case when state in ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
            then least(launched_at + duration_s * interval '1 second', now()) end,
       attempts, 2, 3600,
       case when state = 'QUEUED' then now() + interval '30 days' else created_at end,
       case when state in ('LAUNCHING', 'RUNNING') then 'bench-peer' end,
       case when state in ('LAUNCHING', 'RUNNING') then now() + interval '1 day' end,
       case when state = 'CANCELLED' and attempts > 0
            then launched_at + duration_s * interval '0.5 second' end,
       case when state = 'CANCELLED' and attempts > 0 then 'airflow' end,
       case when state = 'SUCCEEDED' and i % 4 = 0
            then jsonb_build_object('rowsWritten', i % 100000, 'inputFiles', i % 40) end
from shaped
order by i;

-- The first of two attempts failed (or its instance was lost); the last attempt matches the run.
insert into run_attempt (run_id, attempt, state, instance_id, spark_app_id, started_at,
                         finished_at, exit_code, error, log_path, master, deploy_mode)
select id, 1, case when i % 3 = 0 then 'LOST' else 'FAILED' end,
       case when i % 2 = 0 then 'bench-a' else 'bench-b' end,
       'local-' || (extract(epoch from launched_at) * 1000)::bigint,
       launched_at, launched_at + (duration_s / 2) * interval '1 second',
       case when i % 3 = 0 then null else 1 end,
       case when i % 3 = 0 then 'instance stopped heartbeating' else 'java.lang.OutOfMemoryError: Java heap space' end,
       '/var/lib/sparkgate/runs/' || id || '/attempt-1/driver.log', 'local[2]', 'client'
from shaped
where attempts = 2 or (state = 'QUEUED' and attempts = 1)
order by i;

insert into run_attempt (run_id, attempt, state, instance_id, spark_app_id, started_at,
                         finished_at, exit_code, error, log_path, master, deploy_mode)
select id, attempts,
       case state when 'SUCCEEDED' then 'SUCCEEDED' when 'FAILED' then 'FAILED'
                  when 'CANCELLED' then 'KILLED' when 'TIMED_OUT' then 'TIMED_OUT'
                  else state end,
       case when state in ('LAUNCHING', 'RUNNING') then 'bench-peer'
            when i % 2 = 0 then 'bench-a' else 'bench-b' end,
       case when state <> 'LAUNCHING'
            then 'local-' || (extract(epoch from launched_at) * 1000)::bigint + attempts end,
       launched_at + (attempts - 1) * (duration_s / 2) * interval '1 second',
       case when state in ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
            then least(launched_at + duration_s * interval '1 second', now()) end,
       case state when 'SUCCEEDED' then 0 when 'FAILED' then 1 when 'CANCELLED' then 143
                  when 'TIMED_OUT' then 143 end,
       case when state = 'FAILED'
            then 'org.apache.spark.SparkException: Job aborted due to stage failure' end,
       '/var/lib/sparkgate/runs/' || id || '/attempt-' || attempts || '/driver.log',
       'local[2]', 'client'
from shaped
where attempts >= 1 and not (state = 'QUEUED')
order by i;

commit;

vacuum analyze job, job_version, instance, run, run_attempt;

select state, count(*) as runs, round(100.0 * count(*) / sum(count(*)) over (), 3) as percent
from run group by state order by runs desc;
select count(*) as attempts from run_attempt;
