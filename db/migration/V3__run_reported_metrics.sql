-- Each attempt gets a secret with which its driver may report metrics for its run, and only for
-- its run; the database keeps a SHA-256 of it, never the secret.
alter table run_attempt add column metrics_token_hash text;
