\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
-- The direct renderings of numeric and timestamps (numeric_out.h,
-- value_format.h) against PostgreSQL's own text, over many generated
-- values: short and long stored numerics, every scale up to 40, weights
-- from 1e-300 to 1e300, trailing zeros; timestamps over years 1 to 9999
-- and the ones the general path takes (infinities, BC, 5-digit years).
-- Native values must equal to_jsonb, wal2json values numeric_out/timestamp
-- text; every mismatch is listed (none expected).
SET client_min_messages = warning;
CREATE TABLE fp (id int PRIMARY KEY, n numeric, ts timestamp, tstz timestamptz);
SELECT 'init' FROM pg_create_logical_replication_slot('fast_paths', 'outflow');
SELECT setseed(0.4242);
INSERT INTO fp (id, n)
SELECT g, round(((random() - 0.5) * 10 ^ (random() * 60 - 30))::numeric, g % 41)
  FROM generate_series(1, 3000) g;
INSERT INTO fp (id, n)
SELECT 10000 + row_number() OVER (), v::numeric FROM unnest(ARRAY[
  '0', '0.0', '0.00000', '-0.5', '0.5', '1', '-1', '9999', '10000', '99999999', '100000000',
  '0.0001', '0.00010', '0.000100', '-0.0001', '1e-1000', '-1e-1000', '1e1000', '-1e1000',
  '1e300', '1e-300', '123456789012345678901234567890.123456789012345678901234567890',
  '1.5', '15', '150', '1500', '15000', '150000', '0.15', '0.015', '0.0015', '0.00015',
  '9999.9999', '99990000.00009999', '1234.5678e100', '3.14159265358979323846264338327950288419716939937510'
]) v;
INSERT INTO fp (id, n) VALUES (20000, '1.5'::numeric(200, 100)), (20001, '-7'::numeric(100, 80)),
  (20002, round(1e120::numeric, 70)), (20003, 'NaN');
-- numeric infinities exist from PostgreSQL 14 (13: an ERROR, expected/fast_paths_1.out)
INSERT INTO fp (id, n) VALUES (20004, 'Infinity'), (20005, '-Infinity');
INSERT INTO fp (id, ts, tstz)
SELECT 30000 + g, t, t::timestamptz
  FROM (SELECT g, timestamp '0001-01-01' + random() * (timestamp '9999-12-31 23:59:59' - timestamp '0001-01-01')
                  + (CASE g % 3 WHEN 0 THEN 0 WHEN 1 THEN (random() * 999999)::int ELSE (random() * 1000)::int * 1000 END)
                    * interval '1 microsecond' AS t
          FROM generate_series(1, 3000) g) s;
INSERT INTO fp (id, ts, tstz)
SELECT 40000 + row_number() OVER (), v::timestamp, v::timestamptz FROM unnest(ARRAY[
  'infinity', '-infinity', '0001-01-01 00:00:00', '9999-12-31 23:59:59.999999', '10000-01-01 00:00:00',
  '294276-12-31 23:59:59.999999', '0001-12-31 23:59:59.5 BC', '4713-01-01 00:00 BC', '2000-02-29 12:00:00.000001',
  '1900-02-28 23:59:59.99', '2000-01-01 00:00:00', '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00.1'
]) v;
-- Different session settings change nothing in the native format.
SET TimeZone = 'Asia/Kathmandu';
SET DateStyle = 'SQL, DMY';
CREATE TEMP TABLE native AS
SELECT (data::jsonb -> 'new' ->> 'id')::int AS id,
       substring(data FROM '"n":([^,}]*)') AS n, substring(data FROM '"ts":("[^"]*"|null)') AS ts,
       substring(data FROM '"tstz":("[^"]*"|null)') AS tstz
  FROM pg_logical_slot_peek_changes('fast_paths', NULL, NULL);
SELECT count(*) AS native_rows FROM native;
SELECT f.id, nv.n, to_jsonb(f.n)::text AS expected FROM fp f JOIN native nv USING (id)
 WHERE nv.n IS DISTINCT FROM coalesce(to_jsonb(f.n)::text, 'null') ORDER BY f.id;
SET TimeZone = 'UTC';
SELECT f.id, nv.ts, nv.tstz FROM fp f JOIN native nv USING (id)
 WHERE nv.ts IS DISTINCT FROM coalesce(to_jsonb(f.ts)::text, 'null')
    OR nv.tstz IS DISTINCT FROM coalesce(to_jsonb(f.tstz)::text, 'null')
 ORDER BY f.id;
RESET TimeZone;
RESET DateStyle;
-- The wal2json format: numeric_out's text (NaN and infinities as null), or quoted.
CREATE TEMP TABLE w2j AS
SELECT (c ->> 'id')::int AS id, c ->> 'n' AS n, c -> 'n' AS nj
  FROM (SELECT jsonb_object_agg(col ->> 'name', col -> 'value') AS c
          FROM pg_logical_slot_peek_changes('fast_paths', NULL, NULL, 'format-version', '2') p,
               jsonb_array_elements(p.data::jsonb -> 'columns') col
         WHERE p.data::jsonb ->> 'action' = 'I'
         GROUP BY p.lsn) s;
SELECT count(*) AS wal2json_rows FROM w2j;
SELECT f.id, w.n, f.n::text AS expected FROM fp f JOIN w2j w USING (id)
 WHERE f.n IS NOT NULL AND f.n::text NOT IN ('NaN', 'Infinity', '-Infinity')
   AND (w.n IS DISTINCT FROM f.n::text OR jsonb_typeof(w.nj) <> 'number') ORDER BY f.id;
SELECT f.id, w.nj FROM fp f JOIN w2j w USING (id)
 WHERE f.n::text IN ('NaN', 'Infinity', '-Infinity') AND w.nj <> 'null'::jsonb;
SELECT count(*) AS quoted_mismatches
  FROM fp f JOIN (SELECT (data::jsonb -> 'new' ->> 'id')::int AS id, substring(data FROM '"n":([^,}]*)') AS n
                    FROM pg_logical_slot_peek_changes('fast_paths', NULL, NULL, 'numeric-data-types-as-string', '1')) q
    USING (id)
 WHERE f.n IS NOT NULL AND q.n IS DISTINCT FROM '"' || f.n::text || '"';
SELECT 'drop' FROM pg_drop_replication_slot('fast_paths');
DROP TABLE fp;
-- The escaper's word-at-a-time scan: every special byte at every position of
-- strings of 0 to 40 bytes, against to_jsonb.
CREATE TABLE fp_text (id int PRIMARY KEY, t text);
SELECT 'init' FROM pg_create_logical_replication_slot('fast_paths_text', 'outflow');
INSERT INTO fp_text
SELECT row_number() OVER (), repeat('a', pos) || c || repeat('é', (len - pos) / 2)
  FROM generate_series(0, 40) len, generate_series(0, 40) pos,
       unnest(ARRAY[E'\x01', E'\x1f', ' ', '"', '\', '/', E'\x7f', 'ÿ', E'\n', '!', '#', '[', ']']) c
 WHERE pos <= len;
INSERT INTO fp_text VALUES (100000, ''), (100001, repeat('x', 100000)), (100002, repeat('"', 1000));
SELECT count(*) AS text_rows,
       count(*) FILTER (WHERE substring(c.data FROM '"new":\{"id":[0-9]+,"t":(.*)\}\}$') IS DISTINCT FROM to_jsonb(f.t)::text)
         AS mismatches
  FROM pg_logical_slot_get_changes('fast_paths_text', NULL, NULL) c
  JOIN fp_text f ON f.id = (c.data::jsonb -> 'new' ->> 'id')::int;
SELECT 'drop' FROM pg_drop_replication_slot('fast_paths_text');
DROP TABLE fp_text;
-- The wal2json style's fast paths (value_kinds.cpp kOutputKinds, value_render.cpp):
-- every value equals the output function's text under the session's settings,
-- classified as wal2json does (numbers bare, NaN and infinities null, bool
-- true/false, bytea without \x, the rest a JSON string), under settings that
-- take each fast path and ones that send it to the output function. The
-- native style's follow (and to_jsonb.sql checks every type against to_jsonb).
CREATE DOMAIN fpw_dint AS int;
CREATE DOMAIN fpw_dbool AS bool;
CREATE TABLE fpw (id int PRIMARY KEY, ts timestamp, tstz timestamptz, ta text[], va varchar(20)[],
  jb jsonb, u uuid, f4 real, f8 float8, b bytea, nm name, bo bool, i2 int2, i4 int4, i8 int8,
  n numeric, t text, js json, o oid, di fpw_dint, dbo fpw_dbool, ia int[]);
SELECT 'init' FROM pg_create_logical_replication_slot('fast_paths_w2j', 'outflow');
INSERT INTO fpw VALUES
  (1, '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.789+00', '{a,b}', '{x}', '{"a": [1, "x\"y", null]}',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1.5, 0.1, '\x00ff10', 'na"me', true, -32768, 2147483647,
   -9223372036854775808, 123.4500, E'tab\there', '{"k" : [1,2]}', 4294967295, 7, false, '{1,2}'),
  (2, 'infinity', '-infinity', '{}', '{"", NULL, "NULL", "null"}', '"str\\ing \u0001"', NULL, 'NaN',
   'Infinity', '', '', false, 0, 0, 0, 'NaN', '', 'null', 0, -1, true, '{{1,2},{3,4}}'),
  (3, '0001-01-01 00:00:00 BC', '10000-01-01 00:00:00+00', E'{"a b","c,d","e\\"f","g\\\\h","{i}",\tj}',
   '{" lead",trail }', '[1.50, 2e3, -0.0, true, false, {}, []]', NULL, '-Infinity', '-0', '\x5c78',
   E'ctl\x01', NULL, 1, 1, 1, '-1.5', repeat('é"\', 20), '[1, {"a":"\u00e9"}]', 1, NULL, NULL,
   '[0:1]={5,6}'),
  (4, '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00.000001+00', '[0:1]={a,b}', '{{a,b},{c,d}}',
   '12.5', '00000000-0000-0000-0000-000000000000', 3.4028235e38, 1e-310, '\xdeadbeef', 'x', true,
   32767, -2147483648, 9223372036854775807, '1e-20', 'é', '"s"', 42, 0, false, '{}'),
  (5, '2000-01-01', '2000-01-01 00:00:00+05:45', E'{"\\\\",x\x01y,é}', NULL, '{"e": "\n\t\"\\\\/"}',
   NULL, 1e-45, 1.7976931348623157e308, NULL, NULL, NULL, NULL, NULL, NULL, 0.000, NULL, NULL, NULL,
   NULL, NULL, NULL);
-- Mismatches between the slot's values (format-version 2) and the output
-- functions' text under the current settings; no rows expected.
CREATE FUNCTION fpw_mismatches(as_string text) RETURNS TABLE (id int, col text, got jsonb, expected jsonb)
LANGUAGE sql AS $$
  WITH w AS (
    SELECT (SELECT (c ->> 'value')::int FROM jsonb_array_elements(p.data::jsonb -> 'columns') c
             WHERE c ->> 'name' = 'id') AS id, c ->> 'name' AS col, c -> 'value' AS got
      FROM pg_logical_slot_peek_changes('fast_paths_w2j', NULL, NULL, 'format-version', '2',
                                        'numeric-data-types-as-string', as_string) p,
           jsonb_array_elements(p.data::jsonb -> 'columns') c
     WHERE p.data::jsonb ->> 'action' = 'I'),
  num AS (SELECT f.id, x.col, x.v FROM fpw f,
            LATERAL (VALUES ('f4', f.f4::text), ('f8', f.f8::text), ('i2', f.i2::text), ('i4', f.i4::text),
                            ('i8', f.i8::text), ('n', f.n::text), ('o', f.o::text)) x(col, v)),
  txt AS (SELECT f.id, x.col, x.v FROM fpw f,
            LATERAL (VALUES ('ts', f.ts::text), ('tstz', f.tstz::text), ('ta', f.ta::text), ('va', f.va::text),
                            ('jb', f.jb::text), ('u', f.u::text), ('nm', f.nm::text), ('t', f.t),
                            ('js', f.js::text), ('di', f.di::text), ('dbo', boolout(f.dbo)::text),
                            ('ia', f.ia::text)) x(col, v)),
  expected AS (
    SELECT id, col, CASE WHEN v IS NULL THEN 'null'::jsonb
                         WHEN as_string = '1' THEN to_jsonb(v)
                         WHEN v IN ('NaN', 'Infinity', '-Infinity') THEN 'null'::jsonb
                         ELSE v::jsonb END FROM num
    UNION ALL
    SELECT id, col, coalesce(to_jsonb(v), 'null') FROM txt
    UNION ALL
    SELECT id, 'bo', coalesce(to_jsonb(bo), 'null') FROM fpw
    UNION ALL
    SELECT id, 'b', coalesce(to_jsonb(CASE WHEN left(b::text, 2) = '\x' THEN substr(b::text, 3) ELSE b::text END), 'null')
      FROM fpw)
  SELECT e.id, e.col, w.got, e.expected FROM expected e(id, col, expected) LEFT JOIN w USING (id, col)
   WHERE w.got IS DISTINCT FROM e.expected
      -- numbers: the same digits, not only the same value
      OR (jsonb_typeof(e.expected) = 'number' AND w.got::text IS DISTINCT FROM e.expected::text)
   ORDER BY 1, 2
$$;
-- The fast paths: DateStyle ISO, zones with one fixed offset, extra_float_digits > 0, bytea hex.
SET DateStyle = 'ISO, MDY';
SET TimeZone = 'UTC';
SELECT * FROM fpw_mismatches('0');
SELECT * FROM fpw_mismatches('1');
SET TimeZone = '+05:30';
SET extra_float_digits = 3;
SELECT * FROM fpw_mismatches('0');
SET TimeZone = 'Etc/GMT+11';
SELECT * FROM fpw_mismatches('0');
SET TimeZone = 'Asia/Kathmandu'; -- offsets that change over time: timestamptz_out decides
SELECT * FROM fpw_mismatches('0');
-- The output functions: other DateStyles, extra_float_digits <= 0, bytea escape.
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'America/New_York';
SET extra_float_digits = 0;
SET bytea_output = 'escape';
SELECT * FROM fpw_mismatches('0');
SELECT * FROM fpw_mismatches('1');
SET DateStyle = 'German';
SET extra_float_digits = -15;
SELECT * FROM fpw_mismatches('0');
RESET DateStyle;
RESET TimeZone;
RESET extra_float_digits;
RESET bytea_output;
-- Format 1 classifies a domain by its base type only with include-domain-data-type
-- (and include-types): 7 and false bare, else as strings.
SELECT d AS include_domain_data_type, j -> 'change' -> 0 -> 'columnvalues' -> 19 AS dint,
       j -> 'change' -> 0 -> 'columnvalues' -> 20 AS dbool
  FROM (VALUES ('0'), ('1')) v(d),
       LATERAL (SELECT data::jsonb AS j
                  FROM pg_logical_slot_peek_changes('fast_paths_w2j', NULL, NULL, 'format-version', '1',
                                                    'include-domain-data-type', d)
                 LIMIT 1) s;
SELECT 'drop' FROM pg_drop_replication_slot('fast_paths_w2j');
DROP FUNCTION fpw_mismatches(text);
DROP TABLE fpw;
DROP DOMAIN fpw_dint;
DROP DOMAIN fpw_dbool;
-- The native style's fast paths (value_kinds.cpp kBuiltinKinds), byte for
-- byte: under the fixed settings row_to_json writes these types as to_jsonb
-- does, compactly, as the native format does; json values (parsed as jsonb)
-- against to_jsonb's text. The decoding session's own settings differ.
CREATE TABLE fpn (id int PRIMARY KEY, bo bool, i2 int2, i4 int4, i8 int8, f4 real, f8 float8, n numeric,
  t text, vc varchar(10), bp char(4), nm name, b bytea, u uuid, d date, ts timestamp, tstz timestamptz,
  iv interval, jb jsonb);
CREATE TABLE fpn_json (id int PRIMARY KEY, js json);
SELECT 'init' FROM pg_create_logical_replication_slot('fast_paths_native', 'outflow');
INSERT INTO fpn VALUES
  (1, true, -32768, 2147483647, -9223372036854775808, 1.5, 0.1, 123.4500, E'tab\t"q"\\', 'vc', 'ab',
   'na"me', '\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-02-29', '2024-02-29 12:34:56.789',
   '2024-02-29 12:34:56.789+05:30', '1 year 2 mons 3 days 04:05:06.789', '{"a": [1, "x\"y", null]}'),
  (2, false, 0, 0, 0, 'NaN', 'Infinity', 'NaN', '', '', '', '', '', '00000000-0000-0000-0000-000000000000',
   'infinity', '-infinity', 'infinity', '-3 days -04:00:00', '"s\u0001"'),
  (3, NULL, 1, -1, 1, '-Infinity', '-0', '1e-20', repeat('é', 30), NULL, NULL, E'ctl\x01', '\x5c78', NULL,
   '0044-03-15 BC', '0001-01-01 00:00:00 BC', '10000-01-01 00:00:00+00', '0', '[1.50, 2e3, -0.0, true, {}, []]'),
  (4, NULL, NULL, NULL, NULL, 3.4028235e38, 1e-310, '-0.000', NULL, NULL, NULL, NULL, NULL, NULL,
   '5874897-12-31', '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00.000001+00', '-178000000 years', '12.5');
INSERT INTO fpn_json VALUES (1, '{"k" : [1,2], "k" : 3}'), (2, '"\u00e9\n"'), (3, '[1e2, 1.0E+1, -0]'), (4, 'null');
SET TimeZone = 'Asia/Kathmandu';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = 0;
SET bytea_output = 'escape';
CREATE TEMP TABLE fpn_got AS
SELECT data::jsonb ->> 'table' AS tab, (data::jsonb -> 'new' ->> 'id')::int AS id,
       substring(data FROM '"new":(\{.*\})\}$') AS row_text,
       substring(data FROM '"new":\{"id":[0-9]+,"js":(.*)\}\}$') AS js_text
  FROM pg_logical_slot_peek_changes('fast_paths_native', NULL, NULL);
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;
SET bytea_output = 'hex';
SELECT count(*) AS native_rows FROM fpn_got;
SELECT f.id, g.row_text, row_to_json(f)::text AS expected FROM fpn f JOIN fpn_got g ON g.tab = 'fpn' AND g.id = f.id
 WHERE g.row_text IS DISTINCT FROM row_to_json(f)::text ORDER BY 1;
SELECT f.id, g.js_text, to_jsonb(f.js)::text AS expected FROM fpn_json f JOIN fpn_got g ON g.tab = 'fpn_json' AND g.id = f.id
 WHERE g.js_text IS DISTINCT FROM to_jsonb(f.js)::text ORDER BY 1;
RESET TimeZone;
RESET DateStyle;
RESET IntervalStyle;
RESET extra_float_digits;
RESET bytea_output;
SELECT 'drop' FROM pg_drop_replication_slot('fast_paths_native');
DROP TABLE fpn, fpn_json;
