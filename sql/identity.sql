-- outflow._identity() (C, the decoder's decision in decoder/identity.cpp)
-- against the SQL query that computed it in 0.2, over tables of every kind
-- of replica identity, dropped columns, partitions and inheritance, and over
-- every relation of the database: a difference is listed (the expected
-- ones are explained below), so a new one fails the test.
CREATE SCHEMA ident;
SET search_path = ident, public;

-- 0.2's _identity, as released: read from the installed (frozen)
-- outflow--0.2.sql and created here as ident.sql_identity
DO $read$
DECLARE
	script text := pg_read_file((SELECT c.setting FROM pg_config c WHERE c.name = 'SHAREDIR') || '/extension/outflow--0.2.sql');
	def text := substring(script FROM 'CREATE FUNCTION _identity\(.*?\n\$fn\$;');
BEGIN
	IF def IS NULL OR def NOT LIKE '%LANGUAGE sql%' THEN
		RAISE EXCEPTION 'outflow--0.2.sql has no SQL _identity()';
	END IF;
	EXECUTE replace(def, 'CREATE FUNCTION _identity(', 'CREATE FUNCTION ident.sql_identity(');
END
$read$;
SELECT pg_get_function_arguments('sql_identity'::regproc) AS sql_identity_arguments;

-- primary keys with columns out of attnum order, none, FULL, NOTHING
CREATE TABLE pk_default (a int, b text, c int, PRIMARY KEY (c, a));
CREATE TABLE nopk_default (a int, b text);
CREATE TABLE pk_full (a int, b text, c int PRIMARY KEY);
ALTER TABLE pk_full REPLICA IDENTITY FULL;
CREATE TABLE nopk_full (a int, b text);
ALTER TABLE nopk_full REPLICA IDENTITY FULL;
CREATE TABLE pk_nothing (a int, b text, c int, PRIMARY KEY (c, b));
ALTER TABLE pk_nothing REPLICA IDENTITY NOTHING;
CREATE TABLE nopk_nothing (a int);
ALTER TABLE nopk_nothing REPLICA IDENTITY NOTHING;
-- USING INDEX: index columns out of attnum order, with and without a primary key, index dropped
CREATE TABLE idx_pk (a int PRIMARY KEY, b int NOT NULL, c int NOT NULL, d text);
CREATE UNIQUE INDEX idx_pk_dcb ON idx_pk (c, b);
ALTER TABLE idx_pk REPLICA IDENTITY USING INDEX idx_pk_dcb;
CREATE TABLE idx_nopk (a int, b int NOT NULL, c int NOT NULL);
CREATE UNIQUE INDEX idx_nopk_cb ON idx_nopk (c, b);
ALTER TABLE idx_nopk REPLICA IDENTITY USING INDEX idx_nopk_cb;
CREATE TABLE idx_gone (a int PRIMARY KEY, b int NOT NULL);
CREATE UNIQUE INDEX idx_gone_b ON idx_gone (b);
ALTER TABLE idx_gone REPLICA IDENTITY USING INDEX idx_gone_b;
DROP INDEX idx_gone_b;
-- dropped columns (before, inside and after the key), with each kind
CREATE TABLE dropped_default (x int, a int, y int, b int, z int, PRIMARY KEY (b, a));
ALTER TABLE dropped_default DROP COLUMN x, DROP COLUMN y, DROP COLUMN z;
CREATE TABLE dropped_full (x int, a int PRIMARY KEY, y int, b text);
ALTER TABLE dropped_full DROP COLUMN x, DROP COLUMN y, REPLICA IDENTITY FULL;
CREATE TABLE dropped_index (x int, a int NOT NULL, y int, b int NOT NULL);
CREATE UNIQUE INDEX dropped_index_ba ON dropped_index (b, a);
ALTER TABLE dropped_index DROP COLUMN x, DROP COLUMN y, REPLICA IDENTITY USING INDEX dropped_index_ba;
CREATE TABLE no_columns ();
CREATE TABLE no_columns_full ();
ALTER TABLE no_columns_full REPLICA IDENTITY FULL;
CREATE TABLE all_dropped (a int);
ALTER TABLE all_dropped DROP COLUMN a, REPLICA IDENTITY FULL;
-- partitioned: the root, partitions with their own column order and identity
CREATE TABLE parted (k int, id int, v text, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE TABLE parted_2 (x int, v text, id int NOT NULL, k int NOT NULL);
ALTER TABLE parted_2 DROP COLUMN x;
ALTER TABLE parted ATTACH PARTITION parted_2 FOR VALUES FROM (10) TO (20);
ALTER TABLE parted_2 REPLICA IDENTITY FULL;
CREATE TABLE parted_3 PARTITION OF parted FOR VALUES FROM (20) TO (30) PARTITION BY RANGE (k);
CREATE TABLE parted_3a PARTITION OF parted_3 FOR VALUES FROM (20) TO (25);
CREATE TABLE parted_nopk (k int, v text) PARTITION BY LIST (k);
CREATE TABLE parted_nopk_1 PARTITION OF parted_nopk FOR VALUES IN (1);
CREATE TABLE parted_full (k int PRIMARY KEY, v text) PARTITION BY LIST (k);
ALTER TABLE parted_full REPLICA IDENTITY FULL;
CREATE TABLE parted_full_1 PARTITION OF parted_full FOR VALUES IN (1);
-- inheritance: the child has no primary key of its own, or another one
CREATE TABLE inh_parent (a int PRIMARY KEY, b text);
CREATE TABLE inh_child (c int) INHERITS (inh_parent);
CREATE TABLE inh_child_pk (c int PRIMARY KEY) INHERITS (inh_parent);
ALTER TABLE inh_child_pk REPLICA IDENTITY NOTHING;
-- a materialized view (DEFAULT, no key), a view, a sequence, an index, a composite type
CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a, 'x'::text AS b;
CREATE MATERIALIZED VIEW mv_full AS SELECT 1 AS a, 'x'::text AS b;
ALTER MATERIALIZED VIEW mv_full REPLICA IDENTITY FULL;
CREATE VIEW v AS SELECT * FROM pk_default;
CREATE SEQUENCE s;
CREATE TYPE comp AS (a int, b text);
-- where PostgreSQL's replica identity is not 0.2's reading of pg_index:
-- INCLUDE columns are not part of a key, a deferrable primary key is none
CREATE TABLE pk_include (a int, b int, c text, PRIMARY KEY (a) INCLUDE (b));
CREATE TABLE pk_include_full (a int, b int, c text, PRIMARY KEY (a) INCLUDE (b));
ALTER TABLE pk_include_full REPLICA IDENTITY FULL;
CREATE TABLE idx_include (a int NOT NULL, b int, c text);
CREATE UNIQUE INDEX idx_include_a ON idx_include (a) INCLUDE (c);
ALTER TABLE idx_include REPLICA IDENTITY USING INDEX idx_include_a;
CREATE TABLE pk_deferrable (a int PRIMARY KEY DEFERRABLE, b text);
-- a deferrable primary key is no "key" with FULL either, on every major (17
-- and later would count it, as their rd_pkindex may be deferrable)
CREATE TABLE pk_deferrable_full (a int PRIMARY KEY DEFERRABLE, b text);
ALTER TABLE pk_deferrable_full REPLICA IDENTITY FULL;

-- what _identity says of each relation of this schema
SELECT c.relname, c.relkind, i.kind, i.identity_attnums, i.key_attnums
FROM pg_class c CROSS JOIN LATERAL outflow._identity(c.oid) i
WHERE c.relnamespace = 'ident'::regnamespace AND c.relkind NOT IN ('i', 'I', 't')
ORDER BY c.relname;

-- where it differs from 0.2's query, over every relation of the database
-- (catalogs, indexes and TOAST tables too) and a missing relation: only
-- the INCLUDE and deferrable cases above, where 0.3 follows PostgreSQL (the
-- key it logs; a deferrable primary key is no replica identity) and 0.2 did not
SELECT coalesce(c.relname, 'missing') AS relname, outflow._identity(r)::text AS c_identity, sql_identity(r)::text AS sql_identity
FROM (SELECT c.oid FROM pg_class c WHERE c.relpersistence <> 't' UNION ALL SELECT 0) r(r)
LEFT JOIN pg_class c ON c.oid = r.r
WHERE outflow._identity(r)::text IS DISTINCT FROM sql_identity(r)::text
ORDER BY 1;
-- and it compared many
SELECT count(*) > 300 AS many, count(*) FILTER (WHERE (outflow._identity(c.oid)).key_attnums IS NOT NULL) > 20 AS many_with_keys
FROM pg_class c WHERE c.relpersistence <> 't';

-- what publish_table() and publication_tables() check follows: a column
-- list may leave out an INCLUDE column; a deferrable primary key is no identity
SELECT e.problem, e.fix IS NOT NULL AS has_fix FROM outflow._entry_problem('pk_include', '{1,3}', NULL, true) e;
SELECT e.problem, e.fix IS NOT NULL AS has_fix FROM outflow._entry_problem('pk_deferrable', NULL, NULL, true) e;

-- a backfill walks by the key columns of the index, in its order, without INCLUDE columns
SELECT c.relname, outflow._backfill_key(c.oid) FROM pg_class c
WHERE c.relnamespace = 'ident'::regnamespace AND c.relname IN ('pk_include', 'pk_include_full', 'idx_include', 'pk_default', 'idx_pk')
ORDER BY 1;

-- NULL and a missing relation give NULL (not a row of NULLs), as 0.2's
SELECT outflow._identity(NULL) IS NULL AS null_rel, outflow._identity(0)::text IS NULL AS missing_rel,
	sql_identity(0)::text IS NULL AS sql_missing_rel;

-- the stream reports the same "key" (native format) as _identity
SELECT 'init' FROM pg_create_logical_replication_slot('ident_slot', 'outflow');
INSERT INTO pk_default VALUES (1, 'x', 2);
INSERT INTO idx_pk VALUES (1, 2, 3, 'd');
INSERT INTO pk_full VALUES (1, 'b', 2);
INSERT INTO dropped_default VALUES (1, 2);
SELECT c.table_name, c.key,
	(SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(c.key) k)
	= (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
	   WHERE a.attrelid = c.rel AND a.attnum = ANY ((outflow._identity(c.rel)).key_attnums)) AS same_key
FROM (SELECT d->>'table' AS table_name, d->'key' AS key, ('ident.' || (d->>'table'))::regclass AS rel
	  FROM (SELECT data::jsonb AS d FROM pg_logical_slot_get_changes('ident_slot', NULL, NULL)) g
	  WHERE d->>'op' = 'insert') c;
SELECT 'stop' FROM pg_drop_replication_slot('ident_slot');

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ident CASCADE;
RESET client_min_messages;
