-- Two-phase commit (PostgreSQL 15+): on a slot with two-phase decoding a
-- prepared transaction arrives at PREPARE, then commit_prepared or
-- rollback_prepared; without it, at COMMIT PREPARED as today.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE tp (id int PRIMARY KEY, v text);
SELECT 'init' FROM pg_create_logical_replication_slot('tp_slot', 'outflow', false, true);
SELECT 'init' FROM pg_create_logical_replication_slot('tp_plain', 'outflow');
SELECT slot_name, two_phase FROM pg_replication_slots WHERE slot_name LIKE 'tp_%' ORDER BY 1;

-- prepared, then committed
BEGIN;
INSERT INTO tp VALUES (1, 'a');
UPDATE tp SET v = 'a2' WHERE id = 1;
INSERT INTO tp VALUES (2, 'b');
PREPARE TRANSACTION 'tp "one"';
SELECT stable(data) FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL);
COMMIT PREPARED 'tp "one"';
SELECT stable(data) FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL);

-- prepared, then rolled back; with include-transaction: begin_prepare
BEGIN;
DELETE FROM tp WHERE id = 2;
PREPARE TRANSACTION 'tp2';
SELECT stable(data) FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'include-transaction', '1');
ROLLBACK PREPARED 'tp2';
SELECT stable(data) FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'include-transaction', '1');

-- an empty prepared transaction (its only table filtered): prepare still says it
BEGIN;
INSERT INTO tp VALUES (3, 'c');
PREPARE TRANSACTION 'tp3';
COMMIT PREPARED 'tp3';
SELECT stable(data) FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'filter-tables', 'public.tp');

-- a large prepared transaction, streamed: blocks, stream_prepare, commit_prepared
BEGIN;
INSERT INTO tp SELECT g, repeat('s', 100) FROM generate_series(1000, 2999) g;
PREPARE TRANSACTION 'tp_big';
COMMIT PREPARED 'tp_big';
SELECT stable(data) FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'stream-changes', '1')
WHERE data NOT LIKE '{"op":"insert"%' AND data NOT LIKE '{"op":"stream_st%';
-- the same without stream-changes on the slot without two-phase: one ordinary transaction, as today
SELECT data::jsonb->>'op' AS op, count(*), count(DISTINCT data::jsonb->>'commit_lsn') AS txns,
       bool_or(data::jsonb ? 'gid') AS gid
FROM pg_logical_slot_get_changes('tp_plain', NULL, NULL) GROUP BY 1 ORDER BY 1;

-- the wal2json formats ignore the slot's two-phase decoding: at COMMIT PREPARED
BEGIN;
INSERT INTO tp VALUES (4, 'd');
PREPARE TRANSACTION 'tp4';
SELECT count(*) FROM pg_logical_slot_peek_changes('tp_slot', NULL, NULL, 'format', 'wal2json', 'format-version', '2');
COMMIT PREPARED 'tp4';
SELECT data FROM pg_logical_slot_peek_changes('tp_slot', NULL, NULL, 'format', 'wal2json', 'format-version', '2');
SELECT stable(data) FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL);

-- outflow.create_slot(two_phase => true) makes a two-phase slot
SELECT outflow.create_slot('tp_api', two_phase => true) IS NOT NULL;
SELECT two_phase FROM pg_replication_slots WHERE slot_name = 'tp_api';
SELECT outflow.drop_slot('tp_api');

SELECT pg_drop_replication_slot('tp_slot');
SELECT pg_drop_replication_slot('tp_plain');
DROP TABLE tp;
