-- Native values equal to_jsonb under fixed settings (TimeZone UTC, DateStyle
-- ISO YMD, IntervalStyle postgres, extra_float_digits 1, bytea_output hex),
-- while the decoding session has very different settings.
-- The mismatch queries must return no rows.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hstore;

CREATE TYPE tj_mood AS ENUM ('sad', 'ok', 'happy "quoted"', 'ñ');
CREATE TYPE tj_inner AS (x int, ts timestamptz, tags text[]);
CREATE TYPE tj_comp AS (a int, gone text, b text, f float8, inner_v tj_inner, j jsonb, d date);
ALTER TYPE tj_comp DROP ATTRIBUTE gone;
CREATE DOMAIN tj_posint AS int CHECK (VALUE > 0);
CREATE DOMAIN tj_dts AS timestamptz;
CREATE DOMAIN tj_dnum AS numeric(12, 3);
CREATE DOMAIN tj_darr AS int[];
CREATE DOMAIN tj_dcomp AS tj_comp;
CREATE DOMAIN tj_dd AS tj_posint;
CREATE TYPE tj_floatrange AS RANGE (subtype = float8);

CREATE TABLE tj (
  id int PRIMARY KEY,
  c_int2 int2, c_int4 int4, c_int8 int8,
  c_float4 float4, c_float8 float8, c_numeric numeric, c_numeric_s numeric(10, 2),
  c_bool bool,
  c_text text, c_varchar varchar(20), c_bpchar char(5), c_name name, c_char "char",
  c_bytea bytea, c_uuid uuid,
  c_date date, c_time time, c_timetz timetz, c_ts timestamp, c_tstz timestamptz, c_ts3 timestamp(3),
  c_interval interval,
  c_json json, c_jsonb jsonb,
  c_int_arr int[], c_text_arr text[], c_float_arr float8[], c_num_arr numeric[],
  c_tstz_arr timestamptz[], c_date_2d date[], c_jsonb_arr jsonb[], c_json_arr json[],
  c_bool_arr bool[], c_comp_arr tj_comp[], c_mood_arr tj_mood[], c_dom_arr tj_posint[],
  c_bytea_arr bytea[], c_interval_arr interval[], c_int_3d int[], c_range_arr int4range[],
  c_int2vector int2vector, c_oidvector oidvector,
  c_mood tj_mood, c_comp tj_comp, c_inner tj_inner,
  c_posint tj_posint, c_dts tj_dts, c_dnum tj_dnum, c_darr tj_darr, c_dcomp tj_dcomp, c_dd tj_dd,
  c_int4range int4range, c_numrange numrange, c_daterange daterange, c_tsrange tsrange,
  c_tstzrange tstzrange, c_int4multirange int4multirange, c_datemultirange datemultirange,
  c_tstzmultirange tstzmultirange, c_floatrange tj_floatrange,
  c_point point, c_line line, c_lseg lseg, c_box box, c_path path, c_polygon polygon, c_circle circle,
  c_inet inet, c_cidr cidr, c_macaddr macaddr, c_macaddr8 macaddr8,
  c_money money, c_bit bit(4), c_varbit varbit,
  c_tsvector tsvector, c_tsquery tsquery, c_xml xml,
  c_oid oid, c_pg_lsn pg_lsn, c_xid8 xid8, c_regclass regclass, c_jsonpath jsonpath,
  c_hstore hstore,
  c_big_text text, c_big_jsonb jsonb, c_big_arr text[]
);
-- Rows stay in line (compressed if needed), so the update below carries every
-- value; big_* columns hold compressed and out-of-line values.
ALTER TABLE tj SET (toast_tuple_target = 8160);

-- The expected values: to_jsonb of every column, one value at a time (SQL NULL as null).
CREATE FUNCTION tj_expected() RETURNS TABLE (id int, col name, val jsonb) LANGUAGE plpgsql AS $$
DECLARE
  a name;
BEGIN
  FOR a IN SELECT attname FROM pg_attribute
            WHERE attrelid = 'tj'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
  LOOP
    RETURN QUERY EXECUTE format('SELECT id, %L::name, coalesce(to_jsonb(%I), ''null'') FROM tj', a, a);
  END LOOP;
END $$;

SELECT 'init' FROM pg_create_logical_replication_slot('to_jsonb_slot', 'outflow');

-- Values are written under the fixed settings, so literals read the same way.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;
SET bytea_output = 'hex';

-- 1: ordinary values
INSERT INTO tj VALUES (1,
  12, 123456, 1234567890123,
  1.5, 0.1, 123.4500, 9.5,
  true,
  'hello', 'var', 'ab', 'a name', 'x',
  '\x00017f80ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '2024-02-29', '13:45:06.789', '13:45:06.789+05:30', '2024-02-29 13:45:06.5', '2024-02-29 13:45:06.123456+02', '2024-02-29 13:45:06.123',
  '1 year 2 mons 3 days 04:05:06.789',
  '{"b": 1, "a": [1, 2.50, {"c": null}], "s": "x\ty"}', '{"b": 1, "a": [1, 2.50, {"c": null}]}',
  '{1,2,3}', '{"a","b c",NULL,"\""}', '{1.5,-2.25}', '{1.10,2}',
  '{"2024-01-01 00:00+00","2024-06-01 12:00-07"}', '{{2024-01-01,2024-01-02},{2024-01-03,2024-01-04}}',
  ARRAY['{"k": [1]}'::jsonb, '3', 'null', '"s"'], ARRAY['{"k": 1, "k": 2}'::json, '[ 1 , 2 ]'],
  '{t,f,NULL}', ARRAY[ROW(1, 'b', 1.5, ROW(2, '2024-01-01 00:00+00', '{x}'), '{"z": 1}', '2024-01-01')::tj_comp], '{sad,"happy \"quoted\""}', '{1,2}',
  '{"\\x01","\\x"}', '{"1 day","-00:00:01"}', '{{{1,2},{3,4}},{{5,6},{7,8}}}', '{"[1,5)",empty}',
  '1 2 3', '23 24',
  'ok', ROW(1, 'b', 1.5, ROW(2, '2024-01-01 00:00+00', '{x,y}'), '{"z": [true]}', '2024-01-01'), ROW(7, '2000-01-01 00:00:00.5+00', '{}'),
  5, '2024-02-29 13:45:06+02', 12.3456, '{4,5}', ROW(1, 'b', 2.5, NULL, NULL, NULL), 9,
  '[1,10)', '[1.5,2.5]', '[2024-01-01,2024-02-01)', '[2024-01-01 10:00,2024-01-01 11:00)',
  '[2024-01-01 10:00+02,2024-01-01 11:00+02)', '{[1,3),[5,7)}', '{[2024-01-01,2024-01-05)}',
  '{[2024-01-01 10:00+00,2024-01-01 11:00+00)}', '[0.1,1.5)',
  '(1.5,-2.25)', '{1,-1,0.5}', '[(0,0),(1.1,2.2)]', '((0,0),(1,1))', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(2,0))', '<(1,2),3.5>',
  '192.168.1.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
  '12.34', B'1010', B'101',
  'a fat cat sat', 'fat & (cat | rat)', '<a b="1">x &amp; y</a>',
  12345, '16/B374D848', '42', 'tj', '$.a[*] ? (@ > 1)',
  'a=>1, "b c"=>NULL, "q\"t"=>"v"',
  repeat('compressible ', 1000), NULL, NULL
);

-- 2: extremes and special values
INSERT INTO tj (id, c_int2, c_int4, c_int8, c_float4, c_float8, c_numeric, c_numeric_s, c_bool,
  c_text, c_varchar, c_bpchar, c_name, c_char, c_bytea,
  c_date, c_time, c_timetz, c_ts, c_tstz, c_interval, c_json, c_jsonb,
  c_int_arr, c_text_arr, c_float_arr, c_num_arr, c_tstz_arr, c_date_2d, c_jsonb_arr, c_json_arr,
  c_dom_arr, c_int_3d, c_mood, c_comp, c_dts, c_darr, c_daterange, c_tstzrange, c_floatrange,
  c_point, c_circle, c_money)
VALUES (2, -32768, -2147483648, -9223372036854775808, 'NaN', 'NaN', 'NaN', -99999999.99, false,
  '', '', '', '', '', '\x',
  '-infinity', '00:00', '00:00+00', '-infinity', '-infinity', '-178000000 years',
  '[]', '{}',
  '{}', '{}', '{NaN,Infinity,-Infinity,-0,1e300,5e-324,1.7976931348623157e308,1e-5,100,0.30000000000000004}',
  '{NaN,Infinity,-Infinity,0.000000000000000000001,1e100}', '{infinity,-infinity}', '{}', '{}', '{}',
  '{}', '[2:3]={7,8}', 'sad', ROW(NULL, NULL, NULL, NULL, NULL, NULL), 'infinity', '{}',
  'empty', '(-infinity,infinity)', '(-Infinity,Infinity)',
  '(NaN,-0)', '<(1e300,-1e-300),0>', '-92233720368547758.08'
);

-- 3: the other extremes, text with control characters, quotes, backslashes, non-ASCII
INSERT INTO tj (id, c_int2, c_int4, c_int8, c_float4, c_float8, c_numeric, c_bool,
  c_text, c_varchar, c_bpchar, c_name, c_char, c_bytea,
  c_date, c_time, c_timetz, c_ts, c_tstz, c_ts3, c_interval, c_json, c_jsonb,
  c_text_arr, c_float_arr, c_tstz_arr, c_jsonb_arr, c_json_arr, c_mood, c_mood_arr,
  c_tsrange, c_tstzrange, c_datemultirange, c_point, c_box, c_tsvector, c_hstore, c_money)
VALUES (3, 32767, 2147483647, 9223372036854775807, '-Infinity', '-Infinity', '-Infinity', NULL,
  E'\x01\x07\x1f\b\f\n\r\t"\\/ ñ € 😀 \x7f', E'tab\there', E'\\a"', E'na"me\\', E'\\',
  '\x5c22',
  '5874897-12-31', '24:00', '23:59:59.999999-15:59', '294276-12-31 23:59:59.999999', '4714-11-24 00:00:00+00 BC', '0001-01-01 00:00 BC',
  '-1 years -2 mons +3 days -04:05:06.000001',
  '{"a": "é\n\"\\", "n": 1.0e2, "e": -0, "big": 123456789012345678901234567890, "a": "dup"}',
  '{"a": "é\n\"\\", "n": 1.0e2, "nested": {"x": [[], {}]}}',
  ARRAY[E'\x01', E'"\\', 'ñ', ''], '{-0,0.1,1e-7,123456789012345680000}',
  '{"1999-12-31 23:59:59.999999-12","0001-01-01 00:00+00 BC"}', ARRAY['[]'::jsonb, '{}'], ARRAY['"\\u00e9"'::json],
  'ñ', '{ñ,ok,NULL}',
  '[-infinity,2024-01-01)', '["2024-03-10 01:59:59+00",infinity]', '{[-infinity,2024-01-01),[2024-06-01,infinity)}',
  '(1e-300,-1.5e300)', '((1.00000000000001,2),(0,0.1))', E'''a\\b'' ''c"d'' ñ:1A', E'"k\\\\"=>"v\\"1", ñ=>"é"', '0'
);
-- 5: out-of-line values, reassembled by the decoder
INSERT INTO tj (id, c_big_text, c_big_jsonb, c_big_arr) VALUES (5,
  (SELECT string_agg(md5(g::text), E'\n') FROM generate_series(1, 2000) g),
  (SELECT jsonb_agg(jsonb_build_object(md5(g::text), g)) FROM generate_series(1, 1000) g),
  (SELECT array_agg(md5(g::text)) FROM generate_series(1, 1000) g));

-- 4: every column NULL
INSERT INTO tj (id) VALUES (4);
CREATE TEMP TABLE tj_want AS SELECT 'insert' AS op, * FROM tj_expected();
-- 6: an update renders values the same way
UPDATE tj SET c_float8 = 2.5, c_tstz = '2030-01-01 00:00+00', c_comp = ROW(3, 'u', -0.0, NULL, '"s"', '2030-01-01') WHERE id = 1;
INSERT INTO tj_want SELECT 'update', * FROM tj_expected() WHERE id = 1;

-- Decode under different settings.
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = 0;
SET bytea_output = 'escape';
CREATE TEMP TABLE tj_decoded AS
  SELECT row_number() OVER () AS n, data::jsonb AS j
    FROM pg_logical_slot_get_changes('to_jsonb_slot', NULL, NULL)
   WHERE data::jsonb->>'table' = 'tj';
-- The consumer's settings are still in place after decoding.
SHOW TimeZone;
SHOW extra_float_digits;

-- Compare under the fixed settings (to_jsonb itself does not depend on them
-- here: the expected values were computed while they were set).
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;
SET bytea_output = 'hex';

CREATE TEMP TABLE tj_got AS
  SELECT j->>'op' AS op, (j->'new'->>'id')::int AS id, j->'new' AS new FROM tj_decoded;

-- Mismatches (must be none): compared as jsonb text, which keeps numeric scale.
SELECT w.op, w.id, w.col, w.val AS to_jsonb, g.new->w.col AS outflow
  FROM tj_want w JOIN tj_got g USING (op, id)
 WHERE (g.new->w.col)::text IS DISTINCT FROM w.val::text
 ORDER BY 1, 2, 3;
-- Keys present in "new" but not columns (must be none).
SELECT g.op, g.id, k AS extra_key
  FROM tj_got g, jsonb_object_keys(g.new) k
 WHERE NOT EXISTS (SELECT FROM tj_want w WHERE w.op = g.op AND w.id = g.id AND w.col = k);
-- What was compared: rows, columns, non-null values.
SELECT count(DISTINCT (op, id)) AS changes, count(DISTINCT col) AS columns,
       count(*) FILTER (WHERE val <> 'null') AS non_null_values
  FROM tj_want w WHERE EXISTS (SELECT FROM tj_got g WHERE g.op = w.op AND g.id = w.id);
-- Every change decoded: 5 inserts and 1 update.
SELECT j->>'op' AS op, count(*) FROM tj_decoded GROUP BY 1 ORDER BY 1;

-- The test has teeth: under the consumer's settings, to_jsonb of these values differs.
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = 0;
SET bytea_output = 'escape';
CREATE TEMP TABLE tj_want_other AS SELECT * FROM tj_expected();
SELECT count(*) > 20 AS settings_matter
  FROM tj_want_other o JOIN tj_want w USING (id, col)
 WHERE (w.op = 'update' OR w.id <> 1) AND o.val::text <> w.val::text;
RESET TimeZone;
RESET DateStyle;
RESET IntervalStyle;
RESET extra_float_digits;
RESET bytea_output;

-- Randomized values (fixed seed): 500 rows of numbers, times, text with any
-- character from 1 to U+2FFF, arrays and composites, decoded under odd settings.
CREATE TABLE tj_rand (id int PRIMARY KEY, f4 float4, f8 float8, n numeric, i8 int8, ts timestamp,
  tstz timestamptz, d date, iv interval, t text, b bytea, fa float8[], tsa timestamptz[], c tj_inner,
  r tstzrange, p point);
SELECT setseed(0.42);
INSERT INTO tj_rand
SELECT g,
  (random() - 0.5) * 10 ^ (random() * 60 - 30),
  (random() - 0.5) * 10 ^ (random() * 600 - 300),
  round(((random() - 0.5) * 10 ^ (random() * 40 - 20))::numeric, (random() * 30)::int),
  ((random() - 0.5) * 1.8e19)::int8,
  '2000-01-01'::timestamp + (random() - 0.5) * interval '800000 days',
  '2000-01-01 00:00+00'::timestamptz + (random() - 0.5) * interval '3000000 days',
  '2000-01-01'::date + ((random() - 0.5) * 4000000)::int,
  make_interval(years => (random() * 2000 - 1000)::int, days => (random() * 200 - 100)::int,
                secs => (random() - 0.5) * 1e7),
  (SELECT string_agg(chr(1 + (random() ^ 3 * 12286)::int), '') FROM generate_series(1, (random() * 40)::int + g % 2)),
  (SELECT string_agg(lpad(to_hex((random() * 255)::int), 2, '0'), '')::bytea FROM generate_series(1, 5)),
  ARRAY[random() * 1e10, -random(), random() / 1e10],
  ARRAY['epoch'::timestamptz + random() * interval '20000 days', NULL],
  ROW(g, '1990-01-01 00:00+00'::timestamptz + random() * interval '20000 days', ARRAY[md5(g::text)])::tj_inner,
  tstzrange('2020-01-01 00:00+00'::timestamptz + random() * interval '400 days', NULL),
  point(random() * 1e6, -random())
FROM generate_series(1, 500) g;

CREATE FUNCTION tj_rand_expected() RETURNS TABLE (id int, col name, val jsonb) LANGUAGE plpgsql AS $$
DECLARE
  a name;
BEGIN
  FOR a IN SELECT attname FROM pg_attribute
            WHERE attrelid = 'tj_rand'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
  LOOP
    RETURN QUERY EXECUTE format('SELECT id, %L::name, coalesce(to_jsonb(%I), ''null'') FROM tj_rand', a, a);
  END LOOP;
END $$;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;
SET bytea_output = 'hex';
CREATE TEMP TABLE tj_rand_want AS SELECT * FROM tj_rand_expected();

SET TimeZone = 'Asia/Kathmandu';
SET DateStyle = 'German, DMY';
SET IntervalStyle = 'iso_8601';
SET extra_float_digits = -15;
SET bytea_output = 'escape';
CREATE TEMP TABLE tj_rand_got AS
  SELECT (data::jsonb->'new'->>'id')::int AS id, data::jsonb->'new' AS new
    FROM pg_logical_slot_get_changes('to_jsonb_slot', NULL, NULL)
   WHERE data::jsonb->>'table' = 'tj_rand';
RESET TimeZone;
RESET DateStyle;
RESET IntervalStyle;
RESET extra_float_digits;
RESET bytea_output;
-- Mismatches (must be none), then what was compared.
SELECT w.id, w.col, w.val AS to_jsonb, g.new->w.col AS outflow
  FROM tj_rand_want w LEFT JOIN tj_rand_got g USING (id)
 WHERE (g.new->w.col)::text IS DISTINCT FROM w.val::text
 ORDER BY 1, 2 LIMIT 20;
SELECT count(DISTINCT g.id) AS rows, count(*) AS values
  FROM tj_rand_want w JOIN tj_rand_got g USING (id);
DROP TABLE tj_rand;
DROP FUNCTION tj_rand_expected();


SELECT 'dropped' FROM pg_drop_replication_slot('to_jsonb_slot');

DROP TABLE tj;
DROP FUNCTION tj_expected();
DROP DOMAIN tj_dcomp, tj_darr, tj_dnum, tj_dts, tj_dd, tj_posint;
DROP TYPE tj_comp, tj_inner, tj_mood, tj_floatrange;
