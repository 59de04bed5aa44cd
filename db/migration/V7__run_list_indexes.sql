-- Run listings by state, with or without a job, newest first: one ordered index scan per state,
-- whether the state is rare (TIMED_OUT, a few live runs) or common, and however old its newest
-- run is. Without them a rare state was a scan of the newest-first index until enough rows passed
-- the filter, the whole table on a last page. The live-run gauges read the first as well (their
-- predicate, three live states, matches no partial index). On 1,000,000 runs each took 2 to 3 s
-- to build, during which writes to run wait.
create index run_state_created on run (state, created_at desc, id desc);
create index run_job_state_created on run (job_name, state, created_at desc, id desc);
