-- stream-changes: transactions larger than logical_decoding_work_mem (64kB
-- here) arrive in stream blocks before their commit; small ones unchanged.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;
-- the lines of one read, in order, as jsonb (emptied by a statement of its
-- own: a decoding call in a transaction that has changed the catalogs would
-- make the next call miss transactions)
CREATE TEMP TABLE got (n int, line text, j jsonb);
CREATE FUNCTION read_stream(slot name, VARIADIC options text[] DEFAULT '{}') RETURNS bigint LANGUAGE sql AS $$
  INSERT INTO got SELECT n, data, data::jsonb FROM pg_logical_slot_get_changes(slot, NULL, NULL, VARIADIC options)
    WITH ORDINALITY AS c(lsn, xid, data, n);
  SELECT count(*) FROM got;
$$;

CREATE TABLE big (id int PRIMARY KEY, pad text);
CREATE TABLE small (id int PRIMARY KEY, v text);
SELECT 'init' FROM pg_create_logical_replication_slot('stream_slot', 'outflow');

-- bad values, and formats without streaming
SELECT count(*) FROM pg_logical_slot_peek_changes('stream_slot', NULL, NULL, 'stream-changes', 'maybe');
SELECT count(*) FROM pg_logical_slot_peek_changes('stream_slot', NULL, NULL, 'format', 'wal2json', 'stream-changes', '1');
SELECT count(*) FROM pg_logical_slot_peek_changes('stream_slot', NULL, NULL, 'format-version', '2', 'stream-changes', 'false');

-- 1. a large transaction and a small one, streaming off: today's form
INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g;
INSERT INTO small VALUES (1, 'one');
TRUNCATE got;
SELECT read_stream('stream_slot');
SELECT j->>'op' AS op, count(*), count(DISTINCT j->>'commit_lsn') AS txns, bool_and(j ? 'commit_lsn') AS has_commit_lsn
FROM got GROUP BY 1 ORDER BY 1;

-- 2. the same with stream-changes: the large one in blocks, the small one as today
BEGIN;
INSERT INTO big SELECT g, repeat('y', 100) FROM generate_series(2001, 4000) g;
UPDATE big SET pad = 'z' WHERE id <= 10;
DELETE FROM big WHERE id > 3990;
COMMIT;
INSERT INTO small VALUES (2, 'two');
TRUNCATE got;
SELECT read_stream('stream_slot', 'stream-changes', 'on', 'include-transaction', 'on') > 4000 AS many_lines;
-- what kinds of lines arrived
SELECT j->>'op' AS op, count(*) > 0 AS present FROM got GROUP BY 1 ORDER BY 1;
-- blocks: stream_start .. stream_stop, one xid each, first_segment only on the first
SELECT count(*) FILTER (WHERE j->>'op' = 'stream_start') = count(*) FILTER (WHERE j->>'op' = 'stream_stop') AS paired,
       count(*) FILTER (WHERE j->>'op' = 'stream_start' AND (j->>'first_segment')::bool) AS first_segments,
       count(*) FILTER (WHERE j->>'op' = 'stream_start') > 1 AS several_blocks
FROM got;
SELECT stable(line) FROM got WHERE n = 1;
-- streamed changes: xid and seq, no commit fields; seq 0.. without gaps or repeats
SELECT count(*) AS changes, count(DISTINCT j->>'seq') AS distinct_seq, min((j->>'seq')::int), max((j->>'seq')::int),
       bool_or(j ? 'commit_lsn' OR j ? 'commit_time' OR j ? 'subxid') AS commit_fields_or_subxid
FROM got WHERE j->>'op' IN ('insert', 'update', 'delete') AND j->>'table' = 'big';
-- every change lies inside a block of its xid
SELECT count(*) AS outside_blocks FROM got c
WHERE c.j->>'op' IN ('insert', 'update', 'delete') AND c.j->>'table' = 'big' AND NOT EXISTS (
  SELECT FROM got s WHERE s.j->>'op' = 'stream_start' AND s.j->'xid' = c.j->'xid' AND s.n < c.n
    AND NOT EXISTS (SELECT FROM got e WHERE e.j->>'op' = 'stream_stop' AND e.n > s.n AND e.n < c.n));
SELECT stable(line) FROM got WHERE j->>'op' IN ('stream_commit', 'begin', 'commit') OR j->>'table' = 'small' ORDER BY n;
SELECT (SELECT (j->>'changes')::int FROM got WHERE j->>'op' = 'stream_commit')
     = (SELECT count(*) FROM got WHERE j->>'op' IN ('insert', 'update', 'delete') AND j->>'table' = 'big') AS count_matches;

-- 3. savepoints rolled back inside a streamed transaction
BEGIN;
INSERT INTO big SELECT g, 'top' FROM generate_series(5001, 5500) g;
SAVEPOINT a;
INSERT INTO big SELECT g, 'in a, rolled back' FROM generate_series(6001, 7000) g;
ROLLBACK TO SAVEPOINT a;
SAVEPOINT b;
INSERT INTO big SELECT g, 'in b, kept' FROM generate_series(7001, 7600) g;
RELEASE SAVEPOINT b;
RELEASE SAVEPOINT a;
INSERT INTO big SELECT g, 'top again' FROM generate_series(8001, 8500) g;
COMMIT;
TRUNCATE got;
SELECT read_stream('stream_slot', 'stream-changes', '1') > 0;
SELECT stable(line) FROM got WHERE j->>'op' IN ('stream_abort', 'stream_commit') ORDER BY n;
-- changes by who made them: the subtransactions carry subxid
-- (how much of the rolled-back one was streamed before its rollback was read depends on sizes)
SELECT j->'new'->>'pad' AS pad, j ? 'subxid' AS has_subxid, CASE WHEN j->'new'->>'pad' LIKE '%rolled back' THEN count(*) > 0 ELSE NULL END AS some, CASE WHEN j->'new'->>'pad' LIKE '%rolled back' THEN NULL ELSE count(*) END AS count
FROM got WHERE j->>'op' = 'insert' GROUP BY 1, 2 ORDER BY 1;
-- the aborted subtransaction's changes are the ones stream_abort names
SELECT count(*) FILTER (WHERE c.j->'subxid' = a.j->'subxid') > 0 AS dropped_by_abort,
       bool_and(c.j->'new'->>'pad' LIKE '%rolled back') FILTER (WHERE c.j->'subxid' = a.j->'subxid') AS only_rolled_back,
       count(*) FILTER (WHERE c.j->'subxid' IS DISTINCT FROM a.j->'subxid') AS kept
FROM got c, got a WHERE c.j->>'op' = 'insert' AND a.j->>'op' = 'stream_abort';
-- stream_commit counts what is left after the rollback
SELECT (j->>'changes')::int AS changes FROM got WHERE j->>'op' = 'stream_commit';
-- seq runs on across subtransactions and blocks, one sequence
SELECT count(DISTINCT j->>'seq') = count(*) AS unique_seq, max((j->>'seq')::int) + 1 = count(*) AS no_gaps
FROM got WHERE j->>'op' = 'insert';

-- 4. a transaction that rolled back before decoding reached it is not
-- streamed at all (PostgreSQL skips aborted transactions); tests/tap covers
-- one that rolls back after its first blocks were sent
BEGIN;
INSERT INTO big SELECT g, 'never' FROM generate_series(10001, 12000) g;
ROLLBACK;
INSERT INTO small VALUES (3, 'after the rollback');
TRUNCATE got;
SELECT read_stream('stream_slot', 'stream-changes', '1') > 0;
SELECT j->>'op' AS op, count(*) > 0 AS present FROM got GROUP BY 1 ORDER BY 1;
SELECT stable(line) FROM got WHERE j->>'op' IN ('stream_abort', 'stream_commit') OR j->>'table' = 'small' ORDER BY n;

-- 5. filters apply inside blocks; a streamed transaction with nothing left
-- sends nothing (also with include-empty-transactions)
BEGIN;
INSERT INTO big SELECT g, repeat('f', 50) FROM generate_series(20001, 22000) g;
COMMIT;
TRUNCATE got;
SELECT read_stream('stream_slot', 'stream-changes', '1', 'add-tables', 'public.small', 'include-empty-transactions', '1');
-- a message and a truncate inside a streamed transaction
BEGIN;
INSERT INTO big SELECT g, repeat('m', 100) FROM generate_series(30001, 32000) g;
SELECT 'msg' FROM pg_logical_emit_message(true, 'streamed', 'inside');
TRUNCATE small;
COMMIT;
TRUNCATE got;
SELECT read_stream('stream_slot', 'stream-changes', '1', 'actions', 'truncate');
SELECT stable(line) FROM got ORDER BY n;

SELECT pg_drop_replication_slot('stream_slot');
DROP TABLE big, small;
DROP FUNCTION read_stream;
