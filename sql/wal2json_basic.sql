-- wal2json formats (format-version 1 and 2): the shapes of every kind of
-- change, as wal2json 2.6 writes them, under fixed session settings.
SET client_min_messages = warning;
\pset format unaligned
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';
SET extra_float_digits = 0;
SET bytea_output = 'hex';

CREATE TABLE w2j_basic (id int PRIMARY KEY, n numeric, f float8, b bool, t text, by bytea, ts timestamptz,
	ia int[], j jsonb);
CREATE TABLE w2j_nothing (id int PRIMARY KEY, a text);
ALTER TABLE w2j_nothing REPLICA IDENTITY NOTHING;
CREATE TABLE w2j_full (id int PRIMARY KEY, a text, b int);
ALTER TABLE w2j_full REPLICA IDENTITY FULL;

SELECT 'init' FROM pg_create_logical_replication_slot('w2j_basic', 'outflow_wal2json');

BEGIN;
INSERT INTO w2j_basic VALUES (1, 1.50, 0.1, true, E'q" b\\ nl\n tab\t é', '\x00ff', '2026-01-02 03:04:05+00',
	'{1,NULL}', '{"a": [1, null]}');
INSERT INTO w2j_basic VALUES (2, 'NaN', '-Infinity', false, NULL, NULL, NULL, NULL, NULL);
UPDATE w2j_basic SET t = 'new' WHERE id = 1;
UPDATE w2j_basic SET id = 3 WHERE id = 2;
DELETE FROM w2j_basic WHERE id = 3;
COMMIT;
INSERT INTO w2j_full VALUES (1, 'one', NULL);
UPDATE w2j_full SET a = 'uno';
DELETE FROM w2j_full;
INSERT INTO w2j_nothing VALUES (1, 'a');
-- no replica identity: wal2json skips the change with a WARNING, and the
-- transaction, now empty, is not sent (wal2json would send it empty)
UPDATE w2j_nothing SET a = 'b';
BEGIN;
SELECT 'm' FROM pg_logical_emit_message(true, 'tx', 'in a transaction');
SELECT 'm' FROM pg_logical_emit_message(false, 'nontx', 'right away');
INSERT INTO w2j_nothing VALUES (2, 'c');
COMMIT;
-- full message content, NUL bytes included (wal2json cuts at the first NUL)
SELECT 'm' FROM pg_logical_emit_message(true, 'nul', '\x61006200'::bytea);
TRUNCATE w2j_nothing;
BEGIN;
INSERT INTO w2j_nothing VALUES (3, 'd');
TRUNCATE w2j_nothing, w2j_full;
COMMIT;

-- format 1 (the default of the wal2json formats); TRUNCATE is not shown
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL);
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL, 'pretty-print', '1');
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL, 'write-in-chunks', '1');
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL, 'write-in-chunks', '1', 'pretty-print', '1');
-- format 2
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL, 'format-version', '2');
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL, 'format-version', '2',
	'include-transaction', '0', 'actions', 'truncate,delete');
-- the plugin name outflow with format=wal2json is the same thing
SELECT 'init' FROM pg_create_logical_replication_slot('w2j_basic2', 'outflow');
INSERT INTO w2j_nothing VALUES (4, 'e');
SELECT data FROM pg_logical_slot_get_changes('w2j_basic2', NULL, NULL, 'format', 'wal2json');

-- empty transactions (DDL only, every change filtered out) by default, as
-- wal2json writes them; include-empty-transactions=false skips them
CREATE TABLE w2j_empty (a int);
UPDATE w2j_nothing SET a = 'f';
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL);
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL, 'format-version', '2');
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL, 'include-empty-transactions', '0');
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL, 'format-version', '2',
	'include-empty-transactions', 'false');
-- (format 2 without begin and commit: nothing to show for them)
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic', NULL, NULL, 'format-version', '2',
	'include-transaction', '0');
-- the same through the plugin name outflow: format=wal2json or format-version alone
INSERT INTO w2j_nothing VALUES (5, 'g');
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic2', NULL, NULL, 'format', 'wal2json');
SELECT data FROM pg_logical_slot_peek_changes('w2j_basic2', NULL, NULL, 'format-version', '2');
SELECT count(*) FROM pg_logical_slot_get_changes('w2j_basic', NULL, NULL);

SELECT pg_drop_replication_slot('w2j_basic');
SELECT pg_drop_replication_slot('w2j_basic2');
DROP TABLE w2j_basic, w2j_nothing, w2j_full, w2j_empty;
