-- Out-of-line (TOAST) values: reassembled when changed, never faked when not.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE toasted (id int PRIMARY KEY, small text, big text, other text);
ALTER TABLE toasted ALTER COLUMN big SET STORAGE EXTERNAL;
SELECT 'init' FROM pg_create_logical_replication_slot('toast_slot', 'outflow');

-- an incompressible, out-of-line value of 9000 characters
INSERT INTO toasted VALUES (1, 's', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 282) g), 'o');
UPDATE toasted SET small = 's2';              -- big untouched: unchanged
UPDATE toasted SET big = big || 'tail';       -- big changed: full value
UPDATE toasted SET small = 's3', other = NULL; -- untouched again
DELETE FROM toasted;
SELECT j->>'op' AS op, j->'new'->>'small' AS small, length(j->'new'->>'big') AS big_len,
       j->'new' ? 'big' AS has_big, j->'unchanged' AS unchanged
  FROM (SELECT data::jsonb AS j FROM pg_logical_slot_peek_changes('toast_slot', NULL, NULL)) c;

-- marker mode: the column is present, with the marker text
SELECT left(j->'new'->>'big', 30) AS big, j->'unchanged' AS unchanged
  FROM (SELECT data::jsonb AS j FROM pg_logical_slot_peek_changes('toast_slot', NULL, NULL,
        'unchanged-toast', 'marker')) c WHERE j->>'op' = 'update';
SELECT left(j->'new'->>'big', 30) AS big
  FROM (SELECT data::jsonb AS j FROM pg_logical_slot_peek_changes('toast_slot', NULL, NULL,
        'unchanged-toast-marker', '__unavailable__')) c WHERE j->>'op' = 'update';

-- REPLICA IDENTITY FULL logs the whole old row, out-of-line values included,
-- so new is complete: the untouched value is taken from the old row
ALTER TABLE toasted REPLICA IDENTITY FULL;
SELECT count(*) FROM pg_logical_slot_get_changes('toast_slot', NULL, NULL);
INSERT INTO toasted VALUES (2, 's', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 282) g), 'o');
UPDATE toasted SET small = 'full';
SELECT j->>'op' AS op, length(j->'old'->>'big') AS old_big_len, length(j->'new'->>'big') AS new_big_len,
       j->'old'->'big' = j->'new'->'big' AS same,
       j->'unchanged' AS unchanged
  FROM (SELECT data::jsonb AS j FROM pg_logical_slot_get_changes('toast_slot', NULL, NULL)) c;

-- a large transaction of toasted rows, spilled to disk (logical_decoding_work_mem = 64kB)
INSERT INTO toasted SELECT g, 's', (SELECT string_agg(md5((g * 1000 + i)::text), '') FROM generate_series(1, 100) i), 'o'
  FROM generate_series(10, 209) g;
SELECT count(*) AS rows, min(length(data::jsonb->'new'->>'big')) AS min_len
  FROM pg_logical_slot_get_changes('toast_slot', NULL, NULL);

SELECT pg_drop_replication_slot('toast_slot');
DROP TABLE toasted;

-- reassembled out-of-line values of every kind the renderers read in place
-- (text, bytea, jsonb): stored uncompressed (EXTERNAL) and compressed
-- (EXTENDED), each equal to to_jsonb of the value, in both formats' text
CREATE TABLE toasted_kinds (id int PRIMARY KEY, t text, b bytea, j jsonb, tc text, bc bytea, jc jsonb);
ALTER TABLE toasted_kinds ALTER t SET STORAGE EXTERNAL, ALTER b SET STORAGE EXTERNAL,
  ALTER j SET STORAGE EXTERNAL;
SELECT 'init' FROM pg_create_logical_replication_slot('toast_kinds_slot', 'outflow');
-- v: incompressible; w: a 3200-byte period (compressed to about a tenth, still out of line)
INSERT INTO toasted_kinds SELECT 1, v || E'"\\\n', convert_to(v, 'UTF8'), jsonb_build_object('k', v, 'n', 1.50),
       w, convert_to(w, 'UTF8'), jsonb_build_array(w, v)
  FROM (SELECT string_agg(md5(g::text), '') AS v, string_agg(md5((g % 100)::text), '') AS w
          FROM generate_series(1, 1000) g) s;
UPDATE toasted_kinds SET t = t || 'x', b = b || '\x00', j = j || '{"x": true}',
       tc = tc || 'x', bc = bc || '\x01', jc = jc || '[2]';
SELECT c.op, c.col, c.v = to_jsonb(r) -> c.col AS native_equal, length(c.v::text) AS json_len
  FROM (SELECT j->>'op' AS op, (j->'new'->>'id')::int AS id, col, j->'new'->col AS v
          FROM (SELECT data::jsonb AS j FROM pg_logical_slot_peek_changes('toast_kinds_slot', NULL, NULL)) x,
               unnest('{t,b,j,tc,bc,jc}'::text[]) col) c
  JOIN toasted_kinds r ON r.id = c.id AND c.op = 'update'
 ORDER BY c.col;
-- compressed (stored in less than 3/4 of its length: pg_column_compression is 14+): only tc, bc, jc
SELECT pg_column_size(t) * 4 < 3 * octet_length(t) AS t, pg_column_size(b) * 4 < 3 * octet_length(b) AS b,
       pg_column_size(j) * 4 < 3 * octet_length(j::text) AS j,
       pg_column_size(tc) * 4 < 3 * octet_length(tc) AS tc, pg_column_size(bc) * 4 < 3 * octet_length(bc) AS bc,
       pg_column_size(jc) * 4 < 3 * octet_length(jc::text) AS jc,
       pg_column_size(tc) > 2000 AND pg_column_size(bc) > 2000 AND pg_column_size(jc) > 2000 AS out_of_line
  FROM toasted_kinds;
-- format 2 writes the same values (text as they are, bytea as hex without \x, jsonb as its text)
SELECT col->>'name' AS name, col->>'value' = CASE col->>'name' WHEN 't' THEN r.t WHEN 'tc' THEN r.tc
         WHEN 'b' THEN substr(r.b::text, 3) WHEN 'bc' THEN substr(r.bc::text, 3) WHEN 'j' THEN r.j::text ELSE r.jc::text END AS equal
  FROM (SELECT data::jsonb AS j FROM pg_logical_slot_peek_changes('toast_kinds_slot', NULL, NULL,
        'format-version', '2')) x, jsonb_array_elements(x.j->'columns') col, toasted_kinds r
 WHERE x.j->>'action' = 'U' AND col->>'name' <> 'id'
 ORDER BY 1;
SELECT pg_drop_replication_slot('toast_kinds_slot');
DROP TABLE toasted_kinds;

-- the other kinds read in place when reassembled (arrays, json, a type
-- written by its output function), out of line and uncompressed
CREATE TABLE toasted_more (id int PRIMARY KEY, a int[], ta text[], js json, tv tsvector);
ALTER TABLE toasted_more ALTER a SET STORAGE EXTERNAL, ALTER ta SET STORAGE EXTERNAL,
  ALTER js SET STORAGE EXTERNAL, ALTER tv SET STORAGE EXTERNAL;
SELECT 'init' FROM pg_create_logical_replication_slot('toast_more_slot', 'outflow');
INSERT INTO toasted_more SELECT 1, array_agg(g * 7919), array_agg(md5(g::text)), json_agg(md5(g::text)),
       to_tsvector('simple', string_agg(md5(g::text), ' '))
  FROM generate_series(1, 1000) g;
SELECT col, j->'new'->col = to_jsonb(r) -> col AS native_equal, CASE col WHEN 'a' THEN pg_column_size(r.a)
         WHEN 'ta' THEN pg_column_size(r.ta) WHEN 'js' THEN pg_column_size(r.js) ELSE pg_column_size(r.tv) END > 2000 AS out_of_line
  FROM (SELECT data::jsonb AS j FROM pg_logical_slot_get_changes('toast_more_slot', NULL, NULL)) x,
       unnest('{a,ta,js,tv}'::text[]) col, toasted_more r
 ORDER BY col;
SELECT pg_drop_replication_slot('toast_more_slot');
DROP TABLE toasted_more;
