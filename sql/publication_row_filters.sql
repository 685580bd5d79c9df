-- publication_names: row filters, evaluated on the old and the new row as
-- pgoutput does. An UPDATE whose old row fails and new row passes is sent as an
-- INSERT, the reverse as a DELETE, both failing: nothing. NULL counts as false.
-- Filters of several publications are OR-ed; a publication without a filter
-- for the table means every row.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

-- REPLICA IDENTITY FULL: filters may use any column (updates and deletes are published)
CREATE TABLE pubr_t (id int PRIMARY KEY, n int, tag text);
ALTER TABLE pubr_t REPLICA IDENTITY FULL;
CREATE PUBLICATION pubr_n FOR TABLE pubr_t WHERE (n > 10);
CREATE PUBLICATION pubr_tag FOR TABLE pubr_t WHERE (tag = 'x');
CREATE PUBLICATION pubr_all_rows FOR TABLE pubr_t;
CREATE PUBLICATION pubr_ins FOR TABLE pubr_t WHERE (n < 0) WITH (publish = 'insert');
SELECT 'init' FROM pg_create_logical_replication_slot('pubr_slot', 'outflow');

INSERT INTO pubr_t VALUES (1, 5, 'a'), (2, 20, 'b'), (3, NULL, 'c'), (4, 1, 'x'), (5, -1, 'd');
UPDATE pubr_t SET n = 30 WHERE id = 1;   -- moves into the filter: INSERT
UPDATE pubr_t SET n = 1 WHERE id = 2;    -- moves out of it: DELETE
UPDATE pubr_t SET n = 2 WHERE id = 2;    -- out before and after: nothing
UPDATE pubr_t SET n = 31 WHERE id = 1;   -- in before and after: UPDATE
UPDATE pubr_t SET n = NULL WHERE id = 1; -- NULL is false: DELETE
UPDATE pubr_t SET n = 40 WHERE id = 3;   -- from NULL into the filter: INSERT
DELETE FROM pubr_t WHERE id = 1;         -- NULL: nothing
DELETE FROM pubr_t WHERE id = 4;         -- only pubr_tag's filter passes
DELETE FROM pubr_t WHERE id = 3;         -- passes

SELECT stable(data) FROM pg_logical_slot_peek_changes('pubr_slot', NULL, NULL, 'publication_names', 'pubr_n');
-- the same in the wal2json formats
SELECT data FROM pg_logical_slot_peek_changes('pubr_slot', NULL, NULL, 'publication_names', 'pubr_n',
  'format', 'wal2json', 'format-version', '2');
SELECT data FROM pg_logical_slot_peek_changes('pubr_slot', NULL, NULL, 'publication_names', 'pubr_n',
  'format', 'wal2json');
-- two filters OR-ed: rows with tag 'x' too
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubr_slot', NULL, NULL, 'publication_names', 'pubr_n,pubr_tag');
-- a publication without a filter: every row
SELECT count(*) FROM pg_logical_slot_peek_changes('pubr_slot', NULL, NULL, 'publication_names', 'pubr_n,pubr_all_rows');
SELECT count(*) FROM pg_logical_slot_peek_changes('pubr_slot', NULL, NULL, 'publication_names', 'pubr_all_rows');
-- filters are per action: pubr_ins adds inserts with n < 0, nothing else
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubr_slot', NULL, NULL, 'publication_names', 'pubr_ins');
SELECT count(*) FROM pg_logical_slot_peek_changes('pubr_slot', NULL, NULL, 'publication_names', 'pubr_n,pubr_ins');
SELECT pg_drop_replication_slot('pubr_slot');

-- DEFAULT identity: the filter uses key columns only. An UPDATE that keeps the
-- key logs no old row: only the new row is tested (as pgoutput does), and it
-- stays an UPDATE. A key change logs the old key.
CREATE TABLE pubr_k (id int PRIMARY KEY, v text);
CREATE PUBLICATION pubr_key FOR TABLE pubr_k WHERE (id % 2 = 0);
SELECT 'init' FROM pg_create_logical_replication_slot('pubr_slot', 'outflow');
INSERT INTO pubr_k VALUES (1, 'one'), (2, 'two');
UPDATE pubr_k SET v = 'two!' WHERE id = 2;  -- UPDATE
UPDATE pubr_k SET v = 'one!' WHERE id = 1;  -- nothing
UPDATE pubr_k SET id = 4 WHERE id = 1;      -- key 1 -> 4: INSERT
UPDATE pubr_k SET id = 5 WHERE id = 2;      -- key 2 -> 5: DELETE
UPDATE pubr_k SET id = 6 WHERE id = 4;      -- key 4 -> 6: UPDATE
DELETE FROM pubr_k;
SELECT * FROM changes('pubr_slot', 'publication_names', 'pubr_key');
SELECT pg_drop_replication_slot('pubr_slot');

-- Unchanged TOAST values: with FULL identity the old row has the value and the
-- new row only a pointer. An UPDATE turned into an INSERT carries the whole
-- value (taken from the old row), never an "unchanged" placeholder.
CREATE TABLE pubr_toast (id int PRIMARY KEY, n int, big text);
ALTER TABLE pubr_toast REPLICA IDENTITY FULL;
ALTER TABLE pubr_toast ALTER COLUMN big SET STORAGE EXTERNAL;
CREATE PUBLICATION pubr_big FOR TABLE pubr_toast WHERE (n > 10 AND length(big) > 1000);
INSERT INTO pubr_toast VALUES (1, 1, repeat('x', 5000));
SELECT 'init' FROM pg_create_logical_replication_slot('pubr_slot', 'outflow');
UPDATE pubr_toast SET n = 20;   -- INSERT, with big
UPDATE pubr_toast SET n = 21;   -- UPDATE
UPDATE pubr_toast SET n = 2;    -- DELETE
SELECT d->>'op' AS op, d->'new'->'n' AS new_n, length(d->'new'->>'big') AS new_big,
       d->'old'->'n' AS old_n, length(d->'old'->>'big') AS old_big, d->'unchanged' AS unchanged
  FROM (SELECT data::jsonb AS d FROM pg_logical_slot_peek_changes('pubr_slot', NULL, NULL,
        'publication_names', 'pubr_big')) c;
SELECT data::jsonb->'columns'->2->'value' IS NOT NULL AS has_big
  FROM pg_logical_slot_peek_changes('pubr_slot', NULL, NULL, 'publication_names', 'pubr_big',
        'format', 'wal2json', 'format-version', '2') WHERE data LIKE '{"action":"I"%';
SELECT pg_drop_replication_slot('pubr_slot');

DROP PUBLICATION pubr_n, pubr_tag, pubr_all_rows, pubr_ins, pubr_key, pubr_big;
DROP TABLE pubr_t, pubr_k, pubr_toast;
