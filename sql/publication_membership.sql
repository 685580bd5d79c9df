-- publication_names: which tables and actions a set of publications publishes
-- (FOR TABLE, FOR TABLES IN SCHEMA, FOR ALL TABLES, publish = ..., several
-- publications combined as pgoutput combines them), and a missing publication.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE SCHEMA pubm_s;
CREATE TABLE pubm_a (id int PRIMARY KEY, v text);
CREATE TABLE pubm_b (id int PRIMARY KEY, v text);
CREATE TABLE pubm_s.c (id int PRIMARY KEY, v text);
CREATE PUBLICATION pubm_table FOR TABLE pubm_a;
CREATE PUBLICATION pubm_schema FOR TABLES IN SCHEMA pubm_s;
CREATE PUBLICATION pubm_ins FOR TABLE pubm_b WITH (publish = 'insert');
CREATE PUBLICATION pubm_upd_del FOR TABLE pubm_b WITH (publish = 'update, delete');
CREATE PUBLICATION pubm_trunc FOR TABLE pubm_a, pubm_b WITH (publish = 'truncate');
SELECT 'init' FROM pg_create_logical_replication_slot('pubm_slot', 'outflow');

BEGIN;
INSERT INTO pubm_a VALUES (1, 'a');
INSERT INTO pubm_b VALUES (1, 'b');
INSERT INTO pubm_s.c VALUES (1, 'c');
UPDATE pubm_a SET v = 'a2';
UPDATE pubm_b SET v = 'b2';
UPDATE pubm_s.c SET v = 'c2';
DELETE FROM pubm_a;
DELETE FROM pubm_b;
DELETE FROM pubm_s.c;
COMMIT;
TRUNCATE pubm_a, pubm_b, pubm_s.c;
INSERT INTO pubm_a VALUES (2, 'a');

-- FOR TABLE: every action of pubm_a, nothing else
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubm_slot', NULL, NULL, 'publication_names', 'pubm_table');
-- FOR TABLES IN SCHEMA
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubm_slot', NULL, NULL, 'publication_names', 'pubm_schema');
-- publish = 'insert' only
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubm_slot', NULL, NULL, 'publication_names', 'pubm_ins');
-- actions are the union over the publications that include the table
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubm_slot', NULL, NULL, 'publication_names', 'pubm_ins, pubm_upd_del');
-- publish = 'truncate': only the truncate, only of the tables it lists
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubm_slot', NULL, NULL, 'publication_names', 'pubm_trunc');
-- several publications: tables and actions combined; empty transactions stay silent
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubm_slot', NULL, NULL,
  'publication_names', 'pubm_schema,pubm_ins', 'include-transaction', '1');
-- the same in both wal2json formats
SELECT data FROM pg_logical_slot_peek_changes('pubm_slot', NULL, NULL,
  'publication_names', 'pubm_schema,pubm_ins', 'format', 'wal2json');
SELECT data FROM pg_logical_slot_peek_changes('pubm_slot', NULL, NULL,
  'publication_names', 'pubm_schema,pubm_ins', 'format', 'wal2json', 'format-version', '2');
-- publication filters combine with the plugin's own filters
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubm_slot', NULL, NULL,
  'publication_names', 'pubm_table,pubm_schema', 'actions', 'insert', 'filter-tables', 'pubm_s.*');

-- a missing publication: a clear error naming it, at the first change
\set SHOW_CONTEXT never
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubm_slot', NULL, NULL, 'publication_names', 'pubm_table, pubm_nope');
\set SHOW_CONTEXT errors
SELECT pg_drop_replication_slot('pubm_slot');

-- FOR ALL TABLES: every table, tables created later included
CREATE PUBLICATION pubm_all FOR ALL TABLES;
SELECT 'init' FROM pg_create_logical_replication_slot('pubm_slot', 'outflow');
CREATE TABLE pubm_later (id int PRIMARY KEY);
INSERT INTO pubm_later VALUES (1);
INSERT INTO pubm_s.c VALUES (3, 'c');
SELECT * FROM changes('pubm_slot', 'publication_names', 'pubm_all');
DROP PUBLICATION pubm_all;
SELECT pg_drop_replication_slot('pubm_slot');

DROP PUBLICATION pubm_table, pubm_schema, pubm_ins, pubm_upd_del, pubm_trunc;
DROP TABLE pubm_a, pubm_b, pubm_s.c, pubm_later;
DROP SCHEMA pubm_s;
