-- publication_names: column lists. Only listed columns appear anywhere in the
-- output (new, old, key, unchanged, pk, identity), in every format; generated
-- columns are never published (as pgoutput does). Different lists for one
-- table in two publications are an error, as in pgoutput.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE pubc_t (id int, region text, secret text, note text, PRIMARY KEY (id, region));
ALTER TABLE pubc_t ALTER COLUMN secret SET STORAGE EXTERNAL;
CREATE PUBLICATION pubc_cols FOR TABLE pubc_t (id, region, note);
CREATE PUBLICATION pubc_same FOR TABLE pubc_t (note, region, id);
CREATE PUBLICATION pubc_whole FOR TABLE pubc_t;
SELECT 'init' FROM pg_create_logical_replication_slot('pubc_slot', 'outflow');

INSERT INTO pubc_t VALUES (1, 'eu', 'secret-1', 'n1'), (2, 'us', repeat('secret', 1000), 'n2');
UPDATE pubc_t SET note = 'n1b' WHERE id = 1;
UPDATE pubc_t SET note = 'n2b' WHERE id = 2;       -- secret: unchanged TOAST
UPDATE pubc_t SET region = 'ap' WHERE id = 1;      -- key change: old key logged
DELETE FROM pubc_t WHERE id = 2;

SELECT stable(data) FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_cols');
SELECT data FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_cols',
  'format', 'wal2json', 'format-version', '2', 'include-pk', '1', 'include-column-positions', '1');
SELECT data FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_cols',
  'format', 'wal2json', 'include-pk', '1', 'include-not-null', '1', 'include-default', '1', 'include-type-oids', '1');

-- the column left out never appears, whatever the format and options
SELECT count(*) AS lines, count(*) FILTER (WHERE data LIKE '%secret%') AS leaks FROM (
  SELECT data FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_cols')
  UNION ALL
  SELECT data FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_cols',
    'include-transaction', '1', 'unchanged-toast', 'marker')
  UNION ALL
  SELECT data FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_cols',
    'format', 'wal2json', 'format-version', '2', 'include-pk', '1', 'include-types', '1', 'include-type-oids', '1',
    'include-not-null', '1', 'include-default', '1', 'include-column-positions', '1')
  UNION ALL
  SELECT data FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_cols',
    'format', 'wal2json', 'include-pk', '1', 'include-type-oids', '1', 'include-not-null', '1',
    'include-default', '1', 'include-column-positions', '1', 'pretty-print', '1')
  UNION ALL
  SELECT data FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_cols',
    'format', 'wal2json', 'write-in-chunks', '1', 'include-pk', '1')
) o;
-- the same list, in another order, in a second publication: the same columns
SELECT count(*) FILTER (WHERE data LIKE '%secret%') AS leaks
  FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_cols,pubc_same');
-- without a column list every column is published
SELECT count(*) FILTER (WHERE data LIKE '%secret%') AS secrets
  FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_whole');
-- a list and no list for the same table: an error, as in pgoutput
\set SHOW_CONTEXT never
SELECT count(*) FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_cols,pubc_whole');
\set SHOW_CONTEXT errors
SELECT pg_drop_replication_slot('pubc_slot');

-- REPLICA IDENTITY FULL: a column list must then cover every column for
-- updates and deletes (PostgreSQL refuses them otherwise), so a list goes with
-- inserts only. The primary key left out of the list is not in "key" or "pk".
CREATE TABLE pubc_full (id int PRIMARY KEY, secret text, note text);
ALTER TABLE pubc_full REPLICA IDENTITY FULL;
CREATE PUBLICATION pubc_full_ins FOR TABLE pubc_full (note) WITH (publish = 'insert');
SELECT 'init' FROM pg_create_logical_replication_slot('pubc_slot', 'outflow');
INSERT INTO pubc_full VALUES (1, 'secret-1', 'n1');
UPDATE pubc_full SET note = 'n1b';
DELETE FROM pubc_full;
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_full_ins');
SELECT data FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_full_ins',
  'format', 'wal2json', 'format-version', '2', 'include-pk', '1');
SELECT data FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_full_ins',
  'format', 'wal2json', 'include-pk', '1');
SELECT pg_drop_replication_slot('pubc_slot');

-- generated columns are not published; a column list naming every column is no list
CREATE TABLE pubc_gen (id int PRIMARY KEY, a int, doubled int GENERATED ALWAYS AS (a * 2) STORED);
CREATE PUBLICATION pubc_gen_all FOR TABLE pubc_gen (id, a);
CREATE PUBLICATION pubc_gen_none FOR TABLE pubc_gen;
SELECT 'init' FROM pg_create_logical_replication_slot('pubc_slot', 'outflow');
INSERT INTO pubc_gen VALUES (1, 21);
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL, 'publication_names', 'pubc_gen_all,pubc_gen_none');
-- without publication_names, everything as before
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubc_slot', NULL, NULL);
SELECT pg_drop_replication_slot('pubc_slot');

DROP PUBLICATION pubc_cols, pubc_same, pubc_whole, pubc_full_ins, pubc_gen_all, pubc_gen_none;
DROP TABLE pubc_t, pubc_full, pubc_gen;
