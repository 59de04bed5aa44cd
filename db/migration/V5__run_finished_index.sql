-- Log retention pages through finished runs by (finished_at, id), oldest first, from where it stopped.
create index run_finished on run (finished_at, id) where finished_at is not null;
