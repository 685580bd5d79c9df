-- Generated columns on PostgreSQL 18 and later (this suite runs there only).
-- Virtual generated columns are computed when read and are not in WAL: no
-- format ever shows them (never a made-up NULL), with or without
-- publications. Stored generated columns are in WAL: shown without
-- publication_names; with it, published as pgoutput 18 publishes them (a
-- column list that names them, or publish_generated_columns = stored).
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE gen_t (
  id int PRIMARY KEY,
  price numeric,
  with_tax numeric GENERATED ALWAYS AS (price * 1.2) STORED,
  label text GENERATED ALWAYS AS ('item ' || id) VIRTUAL
);
CREATE PUBLICATION gen_none FOR TABLE gen_t;
CREATE PUBLICATION gen_stored FOR TABLE gen_t WITH (publish_generated_columns = stored);
CREATE PUBLICATION gen_list FOR TABLE gen_t (id, with_tax);
SELECT 'init' FROM pg_create_logical_replication_slot('gen_slot', 'outflow');

INSERT INTO gen_t (id, price) VALUES (1, 10);
UPDATE gen_t SET price = 20 WHERE id = 1;
DELETE FROM gen_t WHERE id = 1;

-- no publications: the stored column with its value, never the virtual one
SELECT stable(data) FROM pg_logical_slot_peek_changes('gen_slot', NULL, NULL);
SELECT data FROM pg_logical_slot_peek_changes('gen_slot', NULL, NULL, 'format', 'wal2json', 'format-version', '2');
SELECT data FROM pg_logical_slot_peek_changes('gen_slot', NULL, NULL, 'format', 'wal2json');
-- publish_generated_columns = none (the default): no generated column
SELECT stable(data) FROM pg_logical_slot_peek_changes('gen_slot', NULL, NULL, 'publication_names', 'gen_none');
-- publish_generated_columns = stored: the stored one
SELECT stable(data) FROM pg_logical_slot_peek_changes('gen_slot', NULL, NULL, 'publication_names', 'gen_stored');
-- a column list naming the stored one
SELECT stable(data) FROM pg_logical_slot_peek_changes('gen_slot', NULL, NULL, 'publication_names', 'gen_list');
-- two publications publishing different columns of the table: an error, as in pgoutput
\set SHOW_CONTEXT never
SELECT stable(data) FROM pg_logical_slot_peek_changes('gen_slot', NULL, NULL, 'publication_names', 'gen_none,gen_stored');
\set SHOW_CONTEXT errors
-- the virtual column's name appears in no line of any format
SELECT count(*) AS lines, count(*) FILTER (WHERE data LIKE '%label%' OR data LIKE '%item %') AS leaks FROM (
  SELECT data FROM pg_logical_slot_peek_changes('gen_slot', NULL, NULL, 'include-transaction', '1')
  UNION ALL
  SELECT data FROM pg_logical_slot_peek_changes('gen_slot', NULL, NULL, 'format', 'wal2json', 'format-version', '2',
    'include-pk', '1', 'include-types', '1', 'include-type-oids', '1', 'include-not-null', '1',
    'include-default', '1', 'include-column-positions', '1')
  UNION ALL
  SELECT data FROM pg_logical_slot_peek_changes('gen_slot', NULL, NULL, 'format', 'wal2json', 'include-pk', '1')
) o;

SELECT 'dropped' FROM pg_drop_replication_slot('gen_slot');
DROP PUBLICATION gen_none, gen_stored, gen_list;
DROP TABLE gen_t;
