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
