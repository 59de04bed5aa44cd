-- Where each attempt was launched, and the driver id a standalone master gave it in cluster
-- deploy mode: what an instance needs to find a driver again after a restart.
alter table run_attempt
    add column master      text,
    add column deploy_mode text check (deploy_mode in ('client', 'cluster')),
    add column driver_id   text;
