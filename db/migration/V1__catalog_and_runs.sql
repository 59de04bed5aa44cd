-- Sparkgate schema, version 1: the job catalog, runs, their attempts and state history, and the
-- control-plane instances that own runs. Invariants that matter are enforced here, not in Java.

create table job (
    name           text        primary key
                               check (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    enabled        boolean     not null default true,
    latest_version integer     not null check (latest_version >= 1),
    created_at     timestamptz not null,
    updated_at     timestamptz not null
);

-- Versions are immutable: rows are only ever inserted.
create table job_version (
    job_name     text        not null references job (name),
    version      integer     not null check (version >= 1),
    definition   jsonb       not null,
    content_hash text        not null,
    created_at   timestamptz not null,
    created_by   text        not null,
    primary key (job_name, version)
);

create table instance (
    id           text        primary key,
    host         text        not null,
    started_at   timestamptz not null,
    heartbeat_at timestamptz not null
);

create table run (
    id                  uuid        primary key,
    job_name            text        not null,
    job_version         integer     not null,
    state               text        not null check (state in
                          ('QUEUED', 'LAUNCHING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')),
    state_reason        text,
    params              jsonb       not null,
    spark_conf          jsonb       not null,
    labels              jsonb       not null,
    idempotency_key     text        check (length(idempotency_key) between 1 and 255),
    fingerprint         text        not null,
    previous_run_id     uuid        references run (id),
    submitted_by        text        not null,
    created_at          timestamptz not null,
    started_at          timestamptz,
    finished_at         timestamptz,
    attempt             integer     not null default 0 check (attempt >= 0),
    max_attempts        integer     not null check (max_attempts >= 1),
    timeout_seconds     integer     not null check (timeout_seconds >= 1),
    not_before          timestamptz not null,
    owner_instance      text,
    deadline_at         timestamptz,
    cancel_requested_at timestamptz,
    cancel_requested_by text,
    metrics             jsonb,
    foreign key (job_name, job_version) references job_version (job_name, version),
    check ((state in ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')) = (finished_at is not null)),
    check (state not in ('LAUNCHING', 'RUNNING') or owner_instance is not null)
);

-- The heart of idempotent submission: at most one run per key that is active or succeeded.
-- Concurrent identical submits race on this index, and exactly one insert wins.
create unique index run_idempotency_key_live
    on run (idempotency_key)
    where idempotency_key is not null and state in ('QUEUED', 'LAUNCHING', 'RUNNING', 'SUCCEEDED');

create index run_idempotency_key_latest on run (idempotency_key, created_at desc)
    where idempotency_key is not null;
-- Newest-first keyset pagination, overall and per job.
create index run_created on run (created_at desc, id desc);
create index run_job_created on run (job_name, created_at desc, id desc);
-- The dispatcher's queue scan: only queued rows, oldest first.
create index run_queue on run (created_at, id) where state = 'QUEUED';
-- Supervision scans of live runs.
create index run_live on run (owner_instance, state) where state in ('LAUNCHING', 'RUNNING');
create index run_labels on run using gin (labels jsonb_path_ops);

create table run_attempt (
    run_id       uuid        not null references run (id),
    attempt      integer     not null check (attempt >= 1),
    state        text        not null check (state in
                   ('LAUNCHING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'KILLED', 'TIMED_OUT', 'LOST')),
    instance_id  text        not null,
    spark_app_id text,
    started_at   timestamptz not null,
    finished_at  timestamptz,
    exit_code    integer,
    error        text,
    log_path     text,
    primary key (run_id, attempt)
);

create table run_event (
    id          bigint      generated always as identity primary key,
    run_id      uuid        not null references run (id),
    at          timestamptz not null,
    from_state  text,
    to_state    text        not null,
    reason      text,
    actor       text        not null,
    instance_id text,
    attempt     integer     not null
);
create index run_event_run on run_event (run_id, id);
