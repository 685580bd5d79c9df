-- What create_slot() and the slots view do on each major: two_phase slots
-- need PostgreSQL 14, failover slots 17 (older majors: an ERROR naming the
-- version); the view has the same columns everywhere, NULL where the server
-- lacks them; setup_check() reports what failover slots need once there are some.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute a WHERE a.attrelid = 'outflow.slots'::regclass AND a.attnum > 0 ORDER BY a.attnum;

-- two_phase
SELECT outflow.create_slot('ver_2pc', two_phase => true) IS NOT NULL AS created;
SELECT to_jsonb(s)->'two_phase' AS two_phase FROM pg_replication_slots s WHERE s.slot_name = 'ver_2pc';
SELECT outflow.drop_slot(s.slot_name) FROM pg_replication_slots s WHERE s.slot_name = 'ver_2pc';

-- failover: no failover slot yet, so no failover rows in setup_check
SELECT count(*) AS failover_checks FROM outflow.setup_check()
WHERE check_name IN ('synchronized_standby_slots', 'hot_standby_feedback', 'sync_replication_slots', 'primary_slot_name');
SELECT outflow.create_slot('ver_fo', failover => NULL);
SELECT outflow.create_slot('ver_fo', failover => true) IS NOT NULL AS created;
SELECT outflow.create_slot('ver_plain') IS NOT NULL AS created;
SELECT slot_name, failover, synced, conflicting, invalidation_reason
FROM outflow.slots WHERE slot_name LIKE 'ver\_%' ORDER BY slot_name;
-- what a failover slot needs, as this primary sees it (no standby here)
SELECT check_name, ok, detail, hint FROM outflow.setup_check()
WHERE check_name IN ('synchronized_standby_slots', 'hot_standby_feedback', 'sync_replication_slots', 'primary_slot_name')
ORDER BY check_name;
SELECT count(*) AS failed_without_hint FROM outflow.setup_check() WHERE ok IS DISTINCT FROM true AND hint IS NULL;
SELECT outflow.drop_slot(s.slot_name) FROM pg_replication_slots s WHERE s.slot_name LIKE 'ver\_%';
