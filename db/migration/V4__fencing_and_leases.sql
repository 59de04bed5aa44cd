-- Liveness on one clock. An instance's heartbeat writes the database's time and bumps a sequence
-- number; a survivor declares an instance dead only after it has seen the same number for the
-- takeover time on its own clock, so no host's clock is ever compared with another's and a
-- database outage (which stops every heartbeat alike) never makes a healthy instance look dead.
-- The incarnation tells two processes that use one instance id apart: a heartbeat only renews the
-- row of the process that registered it last.
alter table instance
    add column heartbeat_seq bigint not null default 0,
    add column incarnation   uuid;

-- The fair queue: per job, its queued runs oldest first, so a claim takes the head of every job
-- that has room instead of scanning a backlog of one job at its limit.
create index run_queue_job on run (job_name, created_at, id) where state = 'QUEUED';
