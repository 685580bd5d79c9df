\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
-- outflow.snapshot(): published rows as {"op":"read",...}, rendered exactly as
-- the slot streams them, whatever the session's settings.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE TYPE snap_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE snap_pair AS (x int, label text);
CREATE DOMAIN snap_positive AS numeric CHECK (VALUE > 0);
CREATE TABLE snap_types (
	id int PRIMARY KEY, i2 int2, i8 int8, num numeric(12,3), f4 float4, f8 float8, b bool, t text, bt bytea,
	d date, ts timestamp, tstz timestamptz, tm time, tmtz timetz, iv interval, u uuid, jb jsonb, js json,
	ia int[], ta text[], fa float8[], pair snap_pair, mood snap_mood, pos snap_positive, ip inet, pt point,
	gen int GENERATED ALWAYS AS (id * 10) STORED);
CREATE TABLE snap_cols (id int PRIMARY KEY, region text, amount numeric, hidden text);
CREATE TABLE snap_parted (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE snap_parted_eu PARTITION OF snap_parted FOR VALUES IN ('eu');
CREATE TABLE snap_parted_us PARTITION OF snap_parted FOR VALUES IN ('us');
SELECT outflow.publish_table('api_snap', 'snap_types');
SELECT outflow.publish_table('api_snap', 'snap_cols', '{id,region,amount}', 'id > 1');
SELECT outflow.publish_table('api_snap_leaf', 'snap_parted');
CREATE PUBLICATION api_snap_root FOR TABLE snap_parted WITH (publish_via_partition_root = true);
-- many columns (jsonb_build_object takes at most 100 arguments)
DO $$ BEGIN
  EXECUTE 'CREATE TABLE snap_wide (id int PRIMARY KEY, '
    || (SELECT string_agg(format('c%s numeric', g), ', ') FROM generate_series(1, 70) g) || ')';
END $$;
SELECT outflow.publish_table('api_snap', 'snap_wide');

-- slots first, then the rows: every row reaches both the stream and the snapshot
SELECT outflow.create_slot('api_snap_s', 'api_snap') IS NOT NULL AS created;
SELECT outflow.create_slot('api_snap_leaf_s', 'api_snap_leaf') IS NOT NULL AS created;
SELECT outflow.create_slot('api_snap_root_s', 'api_snap_root') IS NOT NULL AS created;
INSERT INTO snap_types VALUES
 (1, -32768, 9223372036854775807, 12345.678, 1.1, 0.1, true, E'Zoë "q" \\ \n\t\u0001 ☃', '\x00ff41',
  '2026-11-25', '2026-11-25 10:00:00.123456', '2026-11-25 10:00:00.1+05:30', '23:59:59.999999', '10:00+02',
  '1 year 2 mons 3 days 04:05:06.5', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": [1, 2.50, null], "a": "x"}',
  '{"dup": 1, "dup": 2}', '{{1,2},{3,NULL}}', '{"a","b c",NULL}', '{1.5,NaN,-Infinity}', '(7,"seven")', 'happy',
  0.5, '10.0.0.1/8', '(1.5,-2)'),
 (2, NULL, NULL, 'NaN', 'Infinity', -0.0, false, '', '\x', '-infinity', 'infinity', '2000-01-01 00:00:00+00',
  '00:00', '00:00:00-12:34', '-1 days +01:00:00', NULL, 'null', '[]', '{}', '{}', NULL, NULL, NULL, 1e-10, '::1', NULL),
 (3, 1, 1, 1.100, 3.4028235e38, 1.7976931348623157e308, NULL, NULL, NULL, '4713-01-01 BC', '0099-01-01 00:00:00 BC',
  '1999-12-31 23:59:59.999999-08', NULL, NULL, '0', NULL, '{"deep": {"n": 1e-5}}', '{"n": 1.0e2}', '{{{1}}}', '{"NULL"}',
  '{0.1}', '(,)', 'sad', 123456789012345678901234567890, NULL, '(0,0)');
INSERT INTO snap_cols VALUES (1, 'eu', 1.5, 'no'), (2, 'us', 2.25, 'never'), (3, 'eu', NULL, 'shown?');
INSERT INTO snap_parted VALUES (1, 'eu'), (2, 'us');
INSERT INTO snap_wide (id, c1, c35, c70) VALUES (1, 1.5, 35, 70);

-- odd consumer settings change nothing
SET TimeZone = 'America/St_Johns';
SET DateStyle = 'German, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = -3;
SET bytea_output = 'escape';
SET search_path = pg_temp;

-- byte for byte: each snapshot row (json) is the text of the streamed insert
-- of that row without its position fields
SELECT count(*) AS rows, count(*) FILTER (WHERE st.t IS NULL OR sn IS NULL) AS unmatched
FROM (SELECT regexp_replace(data, '^\{"op":"insert"(,"schema":"[^"]*","table":"[^"]*"),"lsn":"[^"]*","commit_lsn":"[^"]*","xid":[0-9]+,"seq":[0-9]+,"commit_time":"[^"]*"',
                            '{"op":"read"\1') AS t
      FROM pg_logical_slot_peek_changes('api_snap_s', NULL, NULL, 'publication_names', 'api_snap')
      WHERE data LIKE '{"op":"insert"%') st
FULL JOIN outflow.snapshot('api_snap') sn ON st.t = sn::text;
CREATE TEMP TABLE streamed AS
SELECT change FROM outflow.changes('api_snap_s') WHERE change->>'op' = 'insert';
CREATE TEMP TABLE snapped AS SELECT s::jsonb AS row FROM outflow.snapshot('api_snap') s;
-- one snapshot row in full
SELECT jsonb_pretty(row) FROM snapped WHERE row->>'table' = 'snap_types' AND row->'key'->>'id' = '1';
-- the column list and the row filter apply (snap_cols: id > 1, no "hidden")
SELECT row FROM snapped WHERE row->>'table' = 'snap_cols' ORDER BY row->'key'->>'id';
SELECT row->>'table' AS tab, count(*) FROM snapped GROUP BY 1 ORDER BY 1;
-- every snapshot row equals the streamed insert of that row (text equal, not only jsonb equal)
SELECT count(*) AS rows,
       count(*) FILTER (WHERE st.change IS NULL) AS only_in_snapshot,
       count(*) FILTER (WHERE sn.row IS NULL) AS only_in_stream,
       count(*) FILTER (WHERE (st.change - '{op,lsn,commit_lsn,xid,seq,commit_time}'::text[])::text
                              IS DISTINCT FROM (sn.row - 'op')::text) AS different
FROM streamed st FULL JOIN snapped sn
  ON st.change->>'table' = sn.row->>'table' AND st.change->'key' = sn.row->'key';
SELECT DISTINCT row->>'op' AS op FROM snapped;

-- numeric-data-types-as-string, in both
SELECT outflow.create_slot('api_snap_s2', 'api_snap') IS NOT NULL AS created;
INSERT INTO public.snap_types (id, i2, num, f8, fa, pos, ia, pair) VALUES (4, 7, 0.10, 2.5, '{1e300,NaN}', 3, '{{1},{2}}', '(5,five)');
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (st.change - '{op,lsn,commit_lsn,xid,seq,commit_time}'::text[])::text
                              IS DISTINCT FROM (sn::jsonb - 'op')::text) AS different
FROM outflow.changes('api_snap_s2', options => '{"numeric-data-types-as-string": true}') st
JOIN outflow.snapshot('api_snap', '{"numeric-data-types-as-string": "on"}') sn
  ON st.change->>'table' = sn->>'table' AND st.change->'key' = (sn->'key')::jsonb
WHERE st.change->>'op' = 'insert';
-- numbers inside composites too (the decoder's value code renders both)
SELECT sn->'new'->'i2' AS i2, sn->'new'->'num' AS num, sn->'new'->'fa' AS fa, sn->'new'->'pos' AS pos, sn->'new'->'ia' AS ia,
       sn->'new'->'pair' AS pair
FROM outflow.snapshot('api_snap', '{"numeric-data-types-as-string": true}') sn
WHERE sn->>'table' = 'snap_types' AND sn->'key'->>'id' = '4';
-- the SQL re-implementation of the renderer is gone
SELECT count(*) AS sql_renderers FROM pg_proc
WHERE pronamespace = 'outflow'::regnamespace AND proname IN ('_object_sql', '_number_kind', '_base_type');

-- partitions: as leaves, or as the root with publish_via_partition_root
SELECT s FROM outflow.snapshot('api_snap_leaf') s ORDER BY s::text;
SELECT change - '{lsn,commit_lsn,xid,seq,commit_time}'::text[] AS streamed FROM outflow.changes('api_snap_leaf_s') ORDER BY 1::text;
SELECT s FROM outflow.snapshot('api_snap_root') s ORDER BY s::text;
SELECT change - '{lsn,commit_lsn,xid,seq,commit_time}'::text[] AS streamed FROM outflow.changes('api_snap_root_s') ORDER BY 1::text;

-- bad arguments
SELECT outflow.snapshot(NULL);
SELECT outflow.snapshot('no_such_pub');
SELECT outflow.snapshot('api_snap', '{"format": "wal2json"}');
SELECT outflow.snapshot('api_snap', '{"numeric-data-types-as-string": "maybe"}');
SELECT outflow.snapshot('api_snap', '[]');
SELECT outflow.snapshot('api_snap', NULL);

RESET ALL;
SELECT outflow.drop_slot('api_snap_s');
SELECT outflow.drop_slot('api_snap_s2');
SELECT outflow.drop_slot('api_snap_leaf_s');
SELECT outflow.drop_slot('api_snap_root_s');
DROP PUBLICATION api_snap, api_snap_leaf, api_snap_root;
DROP TABLE snap_types, snap_cols, snap_parted, snap_wide;
DROP TYPE snap_pair;
DROP TYPE snap_mood;
DROP DOMAIN snap_positive;
