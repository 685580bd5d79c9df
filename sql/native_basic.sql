-- The native format: one object per change, its fields and their order.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE basic (id int PRIMARY KEY, name text, score float8);
SELECT 'init' FROM pg_create_logical_replication_slot('basic_slot', 'outflow');

INSERT INTO basic VALUES (1, 'one', 1.5), (2, 'two', NULL);
UPDATE basic SET name = 'uno' WHERE id = 1;
UPDATE basic SET id = 3 WHERE id = 2;
DELETE FROM basic WHERE id = 1;
SELECT * FROM changes('basic_slot');

-- seq numbers the changes of one transaction from 0; commit_lsn is shared
BEGIN;
INSERT INTO basic VALUES (10, 'a', 0);
INSERT INTO basic VALUES (11, 'b', 0);
DELETE FROM basic WHERE id = 10;
COMMIT;
SELECT data::jsonb->>'op' AS op, data::jsonb->'seq' AS seq,
       count(*) OVER (PARTITION BY data::jsonb->>'commit_lsn') AS same_commit
  FROM pg_logical_slot_get_changes('basic_slot', NULL, NULL);

-- every line is one valid JSON object
INSERT INTO basic SELECT g, 'n' || g, g / 3.0 FROM generate_series(100, 199) g;
SELECT count(*) AS rows, count(*) FILTER (WHERE jsonb_typeof(data::jsonb) = 'object') AS objects
  FROM pg_logical_slot_get_changes('basic_slot', NULL, NULL);

-- begin and commit objects on request; empty transactions skipped
BEGIN; INSERT INTO basic VALUES (20, 'x', 1); COMMIT;
BEGIN; CREATE TABLE basic_ddl_only (a int); COMMIT;
SELECT * FROM changes('basic_slot', 'include-transaction', 'on');
BEGIN; CREATE TABLE basic_ddl_only2 (a int); COMMIT;
SELECT * FROM changes('basic_slot', 'include-transaction', 'on', 'include-empty-transactions', 'on');

-- a rolled-back transaction sends nothing
BEGIN; INSERT INTO basic VALUES (30, 'gone', 1); ROLLBACK;
SELECT count(*) FROM pg_logical_slot_get_changes('basic_slot', NULL, NULL);

-- the slot name outflow_wal2json also loads, defaulting to the wal2json format
SELECT 'init' FROM pg_create_logical_replication_slot('basic_alias', 'outflow_wal2json');
INSERT INTO basic VALUES (40, 'alias', 2);
SELECT data::jsonb ? 'change' AS wal2json_shaped FROM pg_logical_slot_get_changes('basic_alias', NULL, NULL);
SELECT pg_drop_replication_slot('basic_alias');

SELECT pg_drop_replication_slot('basic_slot');
DROP TABLE basic, basic_ddl_only, basic_ddl_only2;
