-- Run listings by label, newest first, with or without states: one ordered index scan of the
-- label's runs. The GIN index on run.labels finds a label's runs in no order, so a listing had to
-- sort all of them (50,000 for a label on 5 % of a million runs) or walk the newest runs until a
-- page of them carried it (the whole table for a rare one, worse with a rare state).
--
-- One row per label of a run, with the run's job and created_at (neither changes) and its state,
-- kept by the trigger below on every write to run, so no write path can forget it: a state change
-- is copied, any other change of what the rows hold rewrites them. The job is in the indexes (not
-- part of their order), so a listing by job and label skips other jobs' runs without reading them.
create table run_label (
    run_id         uuid        not null references run (id) on delete cascade,
    key            text        not null,
    value          text        not null,
    run_job_name   text        not null,
    run_state      text        not null,
    run_created_at timestamptz not null,
    primary key (run_id, key)
);

insert into run_label (run_id, key, value, run_job_name, run_state, run_created_at)
select r.id, l.key, l.value, r.job_name, r.state, r.created_at
from run r cross join lateral jsonb_each_text(r.labels) as l;

create index run_label_created
    on run_label (key, value, run_created_at desc, run_id desc) include (run_job_name);
create index run_label_state_created
    on run_label (key, value, run_state, run_created_at desc, run_id desc) include (run_job_name);

create function run_label_sync() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' and new.labels = old.labels and new.job_name = old.job_name
            and new.created_at = old.created_at then
        if new.state <> old.state then
            update run_label set run_state = new.state where run_id = new.id;
        end if;
        return null;
    end if;
    if tg_op = 'UPDATE' then
        delete from run_label where run_id = new.id;
    end if;
    insert into run_label (run_id, key, value, run_job_name, run_state, run_created_at)
    select new.id, l.key, l.value, new.job_name, new.state, new.created_at
    from jsonb_each_text(new.labels) as l;
    return null;
end
$$;

create trigger run_label_sync after insert or update of state, labels, job_name, created_at on run
    for each row execute function run_label_sync();

