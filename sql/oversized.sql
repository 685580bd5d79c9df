-- Values too large to send: max-value-bytes leaves them out and names them in
-- "oversized" (key columns never); a WARNING names table, key and column.
-- The 1 GB limit itself (200 MB of control characters) is tests/tap/t/012_oversized.pl.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

-- the option: a whole number of bytes from 1 to 1073741823
SELECT 'init' FROM pg_create_logical_replication_slot('big_slot', 'outflow');
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '0');
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '-5');
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '10kB');
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '1073741824');
SELECT count(*) FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '1073741823');

-- 20 bytes of JSON: a value of exactly 20 is sent, one of 21 is left out
CREATE TABLE big (id int PRIMARY KEY, t text, b bytea, j jsonb, a int[], n numeric, i int, ts timestamptz);
INSERT INTO big VALUES (1, repeat('x', 18), '\x01020304050607', '{"k": "12345678901"}', '{1,2,3}', 12.5, 7, NULL);
INSERT INTO big VALUES (2, repeat('x', 19), '\x0102030405060708', '{"k": "123456789012"}', '{1,2,3,4,5,6,7,8}', 1e30, 7,
                        '2026-01-01 00:00:00+00');
-- control characters are escaped to six bytes: three fit in 20, four do not
INSERT INTO big (id, t) VALUES (3, repeat(chr(1), 3)), (4, repeat(chr(1), 4));
SELECT stable(data) FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '20');
-- without the option everything is sent
SELECT data::jsonb->'new'->>'t' AS t FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL) ORDER BY 1;

-- wal2json formats: the column leaves every array (format 1) or the columns
-- array (format 2); "oversized" names it
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'format-version', '2',
    'max-value-bytes', '20', 'include-transaction', 'off');
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'format-version', '1',
    'max-value-bytes', '20', 'include-types', 'off');
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'format-version', '1',
    'max-value-bytes', '20', 'pretty-print', 'on', 'write-in-chunks', 'on', 'include-types', 'off')
  WHERE data LIKE '%oversized%';
SELECT count(*) FROM pg_logical_slot_get_changes('big_slot', NULL, NULL);

-- key columns are never left out, however small max-value-bytes is
CREATE TABLE keyed (code text PRIMARY KEY, v text);
INSERT INTO keyed VALUES ('a-rather-long-key', 'value');
UPDATE keyed SET code = 'another-long-key', v = 'value2';
DELETE FROM keyed;
SELECT stable(data) FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '3');
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'format-version', '2',
    'max-value-bytes', '3', 'include-transaction', 'off', 'include-types', 'off');
SELECT count(*) FROM pg_logical_slot_get_changes('big_slot', NULL, NULL);

-- REPLICA IDENTITY FULL: old and new both checked, the column named once
ALTER TABLE big REPLICA IDENTITY FULL;
UPDATE big SET i = 8 WHERE id = 2;
SELECT stable(data) FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '20');
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'format-version', '1',
    'max-value-bytes', '20', 'include-types', 'off');
SELECT count(*) FROM pg_logical_slot_get_changes('big_slot', NULL, NULL);

-- an out-of-line value, measured without being written; the next change arrives
CREATE TABLE doc (id int PRIMARY KEY, body text);
ALTER TABLE doc ALTER body SET STORAGE EXTERNAL;
INSERT INTO doc VALUES (1, repeat(chr(2), 100000)), (2, 'after');
SELECT id, data::jsonb->'new'->'body' IS NULL AS body_left_out, data::jsonb->'oversized' AS oversized,
       length(data) < 300 AS short
  FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '599999') c,
       LATERAL (SELECT (data::jsonb->'key'->>'id')::int AS id) k ORDER BY id;
SELECT id, length(data::jsonb->'new'->>'body') AS body_len, data::jsonb->'oversized' AS oversized
  FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '600002') c,
       LATERAL (SELECT (data::jsonb->'key'->>'id')::int AS id) k ORDER BY id;
SELECT count(*) FROM pg_logical_slot_get_changes('big_slot', NULL, NULL);

-- a jsonb value is measured exactly (its text walked without being written):
-- kept at exactly its size, left out one byte below, in the native format
-- (the text as JSON) and in format 2 (the text inside a JSON string)
CREATE TABLE jdoc (id int PRIMARY KEY, j jsonb);
INSERT INTO jdoc VALUES
    (1, '{"a": [1, 2.50, -3e-2, true, false, null, "x\"y\\z\n"], "b": {"c": {}, "d": []}}'),
    (2, '"ünïcödé \u0001 tab\t"'),
    (3, '[[[[1]]], {"k": "v"}, 12345678901234567890.123, 1e30, -0.000001]'),
    (4, '{"key with \"quote\"": "é", "n": 1000000000000}');
CREATE FUNCTION pg_temp.kept(id int, bytes bigint, format text) RETURNS bool LANGUAGE sql AS $$
    SELECT CASE format WHEN 'native' THEN (data::jsonb->'new') ? 'j'
                       ELSE position('"name":"j"' in data) > 0 END
      FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, VARIADIC
               ARRAY['max-value-bytes', bytes::text] || CASE format WHEN 'native' THEN '{}'::text[]
                   ELSE '{format-version,2,include-transaction,off}' END)
     WHERE CASE format WHEN 'native' THEN (data::jsonb->'key'->>'id')::int
                       ELSE (data::jsonb->'columns'->0->>'value')::int END = id $$;
-- (one statement per row, made by \gexec: a query that has jdoc open while
-- it decodes jdoc's creation fails on 13, "could not find pg_class tuple for index")
SET client_min_messages = error; -- each peek warns about the other rows' values
SELECT format('SELECT %s AS id, %s AS native_bytes, pg_temp.kept(%1$s, %2$s, ''native'') AS native_kept_at_size, '
              'pg_temp.kept(%1$s, %2$s - 1, ''native'') AS native_kept_below, '
              'pg_temp.kept(%1$s, %3$s, ''v2'') AS v2_kept_at_size, pg_temp.kept(%1$s, %3$s - 1, ''v2'') AS v2_kept_below',
              id, octet_length(j::text), octet_length(to_json(j::text)::text))
  FROM jdoc ORDER BY id \gexec
RESET client_min_messages;
SELECT count(*) FROM pg_logical_slot_get_changes('big_slot', NULL, NULL);

-- logical messages: content too large is left out and named as a value is
\set VERBOSITY terse
SELECT 'msg' FROM pg_logical_emit_message(true, 'p', repeat('m', 18));
SELECT 'msg' FROM pg_logical_emit_message(true, 'p', repeat('m', 19));
SELECT 'msg' FROM pg_logical_emit_message(true, 'p', '\x0001020304050607'::bytea);
SELECT regexp_replace(stable(data), '"lsn":"[0-9A-F/]+"', '"lsn":"L"')
  FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'max-value-bytes', '20');
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'format-version', '2',
    'max-value-bytes', '20', 'include-transaction', 'off');
SELECT data FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL, 'format-version', '1',
    'max-value-bytes', '20');
\set VERBOSITY default
SELECT 'stop' FROM pg_drop_replication_slot('big_slot');
DROP TABLE big, keyed, doc, jdoc;
