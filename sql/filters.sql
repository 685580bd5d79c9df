-- Filters shared by all formats: actions, table patterns, origins.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE SCHEMA fa;
CREATE SCHEMA "f.b";
CREATE TABLE fa.t1 (id int PRIMARY KEY);
CREATE TABLE fa.t2 (id int PRIMARY KEY);
CREATE TABLE fa.other (id int PRIMARY KEY);
CREATE TABLE "f.b"."odd*name" (id int PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('filter_slot', 'outflow');

INSERT INTO fa.t1 VALUES (1);
INSERT INTO fa.t2 VALUES (1);
INSERT INTO fa.other VALUES (1);
INSERT INTO "f.b"."odd*name" VALUES (1);
UPDATE fa.t1 SET id = 2;
DELETE FROM fa.t2;

CREATE FUNCTION seen(VARIADIC options text[]) RETURNS TABLE (op text, tbl text) LANGUAGE sql AS $$
  SELECT data::jsonb->>'op', (data::jsonb->>'schema') || '.' || (data::jsonb->>'table')
    FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, VARIADIC options)
$$;

SELECT * FROM seen('actions', 'insert');
SELECT * FROM seen('actions', 'update, delete');
SELECT * FROM seen('add-tables', 'fa.t1');
SELECT * FROM seen('add-tables', 'fa.t*', 'actions', 'insert');
SELECT * FROM seen('add-tables', '*.other, fa.t2', 'actions', 'insert');
SELECT * FROM seen('filter-tables', 'fa.*');
SELECT * FROM seen('add-tables', 'f\.b.odd\*name');
SELECT * FROM seen('add-tables', 'fa.*', 'filter-tables', 'fa.t2', 'actions', 'insert');

-- origins: changes replayed under a replication origin
SELECT pg_replication_origin_create('upstream') AS origin_id \gset
SELECT count(*) > 0 AS consumed FROM pg_logical_slot_get_changes('filter_slot', NULL, NULL);
SELECT pg_replication_origin_session_setup('upstream');
INSERT INTO fa.t1 VALUES (100);
SELECT pg_replication_origin_session_reset();
INSERT INTO fa.t1 VALUES (101);
SELECT data::jsonb->'new'->'id' AS id, data::jsonb->>'origin' AS origin
  FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL);
SELECT data::jsonb->'new'->'id' AS id FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'origin', 'none');
SELECT data::jsonb->'new'->'id' AS id FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'filter-origins', :'origin_id');
SELECT data::jsonb->'new'->'id' AS id FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'filter-origins', '999');

SELECT pg_drop_replication_slot('filter_slot');
SELECT pg_replication_origin_drop('upstream');
DROP FUNCTION seen;
DROP SCHEMA fa, "f.b" CASCADE;
