-- What Sparkgate's plugin reports from inside each attempt's application (see
-- io.sparkgate.listener.SparkgatePlugin): its progress (jobs, stages and tasks done and total, rows
-- and bytes in and out), its resource usage (executor CPU and run time, peak execution memory,
-- shuffle and spilled bytes, failed tasks; marked final when the application ended) and where its
-- driver's web UI listens while it runs (the service proxies it; never shown to clients as such);
-- the port the service gave the driver's UI (a reported address is taken only near it); and where
-- the attempt wrote its Spark event log (null: none), for its History Server link.
alter table run_attempt
  add column progress jsonb,
  add column resources jsonb,
  add column spark_ui_url text,
  add column spark_ui_port integer,
  add column event_log_dir text;
