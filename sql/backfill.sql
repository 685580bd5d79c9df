\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
-- outflow.backfill(): a publication's rows copied into the stream of every
-- slot that follows it, as "read" records rendered like inserts, in chunks.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE TYPE bf_pair AS (x int, label text);
CREATE TABLE bf_items (id int PRIMARY KEY, name text, price numeric, pair bf_pair, doc text);
CREATE TABLE bf_cols (id int PRIMARY KEY, region text, amount numeric, hidden text);
CREATE TABLE bf_ri (a int NOT NULL, b text NOT NULL, v text);
CREATE UNIQUE INDEX bf_ri_ab ON bf_ri (b, a);
ALTER TABLE bf_ri REPLICA IDENTITY USING INDEX bf_ri_ab;
CREATE TABLE bf_parted (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE bf_parted_eu PARTITION OF bf_parted FOR VALUES IN ('eu');
CREATE TABLE bf_parted_us PARTITION OF bf_parted FOR VALUES IN ('us');
CREATE TABLE bf_nokey (v text);
CREATE TABLE bf_empty (id int PRIMARY KEY);
-- filled before any slot exists
ALTER TABLE bf_items ALTER COLUMN doc SET STORAGE EXTERNAL;
INSERT INTO bf_items SELECT g, 'item ' || g, g * 1.25, ROW(g, 'p' || g)::bf_pair,
       CASE WHEN g = 3 THEN repeat('x', 100000) WHEN g = 6 THEN (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i) END
FROM generate_series(1, 7) g;
INSERT INTO bf_cols VALUES (1, 'eu', 1.5, 'no'), (2, 'us', 2.25, 'never'), (3, 'eu', NULL, 'x');
INSERT INTO bf_ri VALUES (1, 'b', 'one'), (2, 'a', 'two'), (1, 'a', 'three');
INSERT INTO bf_parted VALUES (1, 'eu', 10), (2, 'us', 20), (3, 'eu', 30);
CREATE PUBLICATION bf_pub FOR TABLE bf_items, bf_cols (id, region, amount) WHERE (id > 1), bf_ri, bf_empty;
CREATE PUBLICATION bf_root FOR TABLE bf_parted WITH (publish_via_partition_root = true);
CREATE PUBLICATION bf_other FOR TABLE bf_items;
CREATE PUBLICATION bf_bad FOR TABLE bf_nokey, bf_items;
CREATE ROLE bf_plain;
GRANT SELECT ON bf_items TO bf_plain;
SELECT outflow.create_slot('bf_s', 'bf_pub') IS NOT NULL AS created;
SELECT outflow.create_slot('bf_o', 'bf_other') IS NOT NULL AS created;
SELECT outflow.create_slot('bf_r', 'bf_root') IS NOT NULL AS created;
SELECT 'init' FROM pg_create_logical_replication_slot('bf_td', 'test_decoding');

-- the whole publication, two rows per chunk
CALL outflow.backfill('bf_pub', chunk_rows => 2);
SELECT publication, relation, state, rows_done, chunks_done, chunk_rows, key_columns, last_key,
       started_at IS NOT NULL AS started, finished_at >= started_at AS finished
FROM outflow.backfill_status ORDER BY id;
-- the stream of bf_s: start, reads in key order, end, per table, each chunk its own transaction
SELECT (change - '{lsn,commit_lsn,xid,commit_time}'::text[]) #- '{new,doc}' AS change
FROM outflow.peek('bf_s') ORDER BY lsn;
SELECT count(DISTINCT xid::text) AS transactions, count(*) FILTER (WHERE change->>'op' = 'read') AS reads
FROM outflow.peek('bf_s');
-- every read equals the snapshot() row of that row, which is the streamed insert (api_snapshot)
SELECT count(*) AS rows,
       count(*) FILTER (WHERE st.change IS NULL) AS only_in_snapshot,
       count(*) FILTER (WHERE sn IS NULL) AS only_in_stream,
       count(*) FILTER (WHERE (st.change - '{lsn,commit_lsn,xid,seq,commit_time}'::text[])::text IS DISTINCT FROM sn::jsonb::text) AS different
FROM (SELECT change FROM outflow.peek('bf_s') WHERE change->>'op' = 'read') st
FULL JOIN outflow.snapshot('bf_pub') sn ON st.change->>'table' = sn->>'table' AND st.change->'key' = (sn->'key')::jsonb;
SELECT length(change->'new'->>'doc') AS toasted_doc FROM outflow.peek('bf_s') WHERE change->'key'->>'id' = '3' AND change->>'table' = 'bf_items';
-- a slot on another publication sees none of it; another plugin sees messages
SELECT count(*) AS other_slot FROM outflow.peek('bf_o');
SELECT count(*) FILTER (WHERE data LIKE 'message: transactional: 1 prefix: outflow.backfill,%') AS td_messages,
       count(*) FILTER (WHERE data LIKE 'table%') AS td_rows
FROM pg_logical_slot_get_changes('bf_td', NULL, NULL);
-- wal2json: reads are inserts unless reads-as-inserts is off; start/end are messages
SELECT stable(data) FROM pg_logical_slot_peek_changes('bf_s', NULL, NULL, 'format', 'wal2json', 'format-version', '2',
       'publication_names', 'bf_pub', 'add-tables', 'public.bf_ri', 'include-types', 'false');
SELECT data::jsonb->>'action' AS action, count(*) FROM pg_logical_slot_peek_changes('bf_s', NULL, NULL, 'format-version', '2',
       'publication_names', 'bf_pub', 'reads-as-inserts', 'false') GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM pg_logical_slot_peek_changes('bf_s', NULL, NULL, 'publication_names', 'bf_pub', 'reads-as-inserts', 'false');
-- the native format: reads follow the actions option as inserts do
SELECT count(*) AS without_insert FROM outflow.peek('bf_s', options => '{"actions": "update,delete"}') WHERE change->>'op' = 'read';
-- no publication_names: the slot streams every table, so it sees every backfill
SELECT count(*) FILTER (WHERE change->>'op' = 'read') AS reads_without_publications
FROM outflow.peek('bf_s', options => '{"publication_names": null}');
SELECT count(*) FROM outflow.changes('bf_s');
SELECT count(*) FROM outflow.changes('bf_o');
-- no backfill trigger is left once the backfills are done
SELECT count(*) AS backfill_triggers FROM pg_trigger WHERE tgname LIKE 'outflow_backfill%';

-- a partitioned table published through its root: reads as the root
CALL outflow.backfill('bf_root', 'bf_parted', 2);
SELECT change - '{lsn,commit_lsn,xid,seq,commit_time}'::text[] AS change FROM outflow.changes('bf_r') ORDER BY lsn;

-- resuming: one chunk done, then the call resumes after it (NOTICE); the estimate comes from statistics
ANALYZE bf_items;
SELECT outflow._backfill_prepare('bf_pub', 'bf_items', 3) = ARRAY[max(id) + 1] AS one_new FROM outflow.backfills;
-- while it runs, the table has the backfill trigger (always enabled, also for replication's writes)
SELECT tgrelid::regclass AS tab, tgname = 'outflow_backfill_' || tgrelid::oid AS named, tgenabled, tgnargs,
       split_part(encode(tgargs, 'escape'), '\000', 2) AS for_key
FROM pg_trigger WHERE tgname LIKE 'outflow_backfill%';
SELECT outflow._backfill_chunk(max(id)) FROM outflow.backfills;
SELECT state, rows_done, last_key, rows_estimated FROM outflow.backfill_status WHERE id = (SELECT max(id) FROM outflow.backfills);
-- a row not copied yet (id 6, with its out-of-line doc untouched) moved into the copied range by
-- a role that cannot write into streams itself: its update is followed by a read of the
-- whole row; a key moved up or a row already copied needs none
GRANT UPDATE ON bf_items TO bf_plain;
SET ROLE bf_plain;
UPDATE bf_items SET id = 0, doc = NULL WHERE id = 3;
UPDATE bf_items SET id = -6, name = 'moved down' WHERE id = 6;
UPDATE bf_items SET id = 70 WHERE id = 7;
RESET ROLE;
SELECT change->>'op' AS op, change->'key'->>'id' AS key, change->'new'->>'id' AS id, change->'new'->>'name' AS name,
       length(change->'new'->>'doc') AS doc, change->'unchanged' AS unchanged
FROM outflow.peek('bf_s') WHERE change->>'op' <> 'read' OR change->'new'->>'id' = '-6' ORDER BY lsn;
-- resumed after that chunk (as after a cancel): the trigger goes when it is done
CALL outflow.backfill('bf_pub', 'bf_items', 3);
SELECT state, rows_done, chunks_done, last_key FROM outflow.backfill_status WHERE id = (SELECT max(id) FROM outflow.backfills);
SELECT change->>'op' AS op, change->'key'->>'id' AS id FROM outflow.changes('bf_s') ORDER BY lsn;
SELECT count(*) AS backfill_triggers FROM pg_trigger WHERE tgname LIKE 'outflow_backfill%';
UPDATE bf_items SET id = 3 WHERE id = 0;
UPDATE bf_items SET id = 6, name = 'item 6' WHERE id = -6;
UPDATE bf_items SET id = 7 WHERE id = 70;
SELECT count(*) FILTER (WHERE change->>'op' = 'read') AS reads, count(*) AS changes FROM outflow.changes('bf_s');
-- two backfills of one table (two publications) share the trigger; it goes with the last one
SELECT cardinality(outflow._backfill_prepare('bf_pub', 'bf_items', 100)) + cardinality(outflow._backfill_prepare('bf_other', 'bf_items', 100)) AS prepared;
SELECT count(*) AS backfill_triggers FROM pg_trigger WHERE tgrelid = 'bf_items'::regclass AND tgname LIKE 'outflow_backfill%';
CALL outflow.backfill('bf_other', 'bf_items');
SELECT count(*) AS backfill_triggers FROM pg_trigger WHERE tgrelid = 'bf_items'::regclass AND tgname LIKE 'outflow_backfill%';
CALL outflow.backfill('bf_pub', 'bf_items');
SELECT count(*) AS backfill_triggers FROM pg_trigger WHERE tgrelid = 'bf_items'::regclass AND tgname LIKE 'outflow_backfill%';
SELECT count(*) FROM outflow.changes('bf_s');
SELECT count(*) FROM outflow.changes('bf_o');
-- a chunk refuses to run without its trigger; the next call puts it back
SELECT cardinality(outflow._backfill_prepare('bf_pub', 'bf_items', 100)) AS prepared;
DO $$ BEGIN EXECUTE format('ALTER TABLE bf_items DISABLE TRIGGER %I', 'outflow_backfill_' || 'bf_items'::regclass::oid); END $$;
SELECT outflow._backfill_chunk(max(id)) FROM outflow.backfills;
CALL outflow.backfill('bf_pub', 'bf_items');
SELECT count(*) AS backfill_triggers FROM pg_trigger WHERE tgname LIKE 'outflow_backfill%';
SELECT count(*) FROM outflow.changes('bf_s');
-- a trigger whose backfill is gone (its row deleted) is dropped by the next backfill() (or by _backfill_guard)
SELECT cardinality(outflow._backfill_prepare('bf_pub', 'bf_items', 100)) AS prepared;
DELETE FROM outflow.backfills WHERE state <> 'done';
SELECT outflow._backfill_guard('bf_items') AS guard, outflow._backfill_guard('bf_items') AS again;
SELECT count(*) AS backfill_triggers FROM pg_trigger WHERE tgname LIKE 'outflow_backfill%';
-- only a superuser can put the trigger function on a table
SET ROLE bf_plain;
CREATE TEMP TABLE bf_mine (id int PRIMARY KEY);
CREATE TRIGGER bf_mine_t AFTER UPDATE ON bf_mine FOR EACH ROW EXECUTE FUNCTION outflow._backfill_moved('1');
DROP TABLE bf_mine;
RESET ROLE;
-- a finished backfill is not resumed: the next call starts a new one
CALL outflow.backfill('bf_pub', 'bf_empty');
SELECT count(*) AS backfills_of_bf_empty FROM outflow.backfills WHERE relation = 'bf_empty'::regclass;
SELECT count(*) AS locks_left FROM pg_locks WHERE relation IN ('bf_items'::regclass, 'bf_empty'::regclass);

-- outflow's own tables (in a FOR ALL TABLES or schema publication) are left out, as the stream leaves them out
CREATE PUBLICATION bf_own FOR TABLES IN SCHEMA outflow;
SELECT count(*) AS published FROM pg_publication_tables WHERE pubname = 'bf_own';
SELECT outflow._backfill_prepare('bf_own', NULL, 100) AS backfills;
DROP PUBLICATION bf_own;

-- errors
CALL outflow.backfill(NULL);
CALL outflow.backfill('no_such_pub');
CALL outflow.backfill('bf_pub', chunk_rows => 0);
CALL outflow.backfill('bf_pub', 'bf_nokey');
CALL outflow.backfill('bf_bad');
CALL outflow.backfill('bf_bad', 'bf_nokey');
BEGIN;
CALL outflow.backfill('bf_pub', 'bf_empty');
ROLLBACK;
REVOKE UPDATE ON bf_items FROM bf_plain;
SET ROLE bf_plain;
CALL outflow.backfill('bf_pub', 'bf_items');
SELECT outflow._backfill_row(1, 'bf_pub', 'bf_items', t) FROM bf_items t;
SELECT outflow._backfill_mark('start', 1, 'bf_pub', 'bf_items', 0);
SELECT count(*) >= 0 AS status_readable FROM outflow.backfill_status;
RESET ROLE;
-- a role with REPLICATION (not a superuser) may
CREATE ROLE bf_repl REPLICATION;
GRANT SELECT ON bf_empty TO bf_repl;
SET ROLE bf_repl;
CALL outflow.backfill('bf_pub', 'bf_empty');
RESET ROLE;
GRANT UPDATE ON bf_empty TO bf_repl;
SET ROLE bf_repl;
CALL outflow.backfill('bf_pub', 'bf_empty');
RESET ROLE;
SELECT state, rows_done FROM outflow.backfill_status WHERE id = (SELECT max(id) FROM outflow.backfills);
REVOKE ALL ON bf_empty FROM bf_repl;
DROP ROLE bf_repl;
SELECT outflow._backfill_row(1, 'bf_pub', 'bf_items', t) FROM bf_cols t;
SELECT outflow._backfill_mark('middle', 1, 'bf_pub', 'bf_items', 0);
-- nothing from the failed calls: only the backfills of bf_empty (superuser, then REPLICATION role)
SELECT change->>'op' AS op, change->>'table' AS tab FROM outflow.changes('bf_s') ORDER BY lsn;

-- messages with the backfill prefix that outflow.backfill() did not write (any
-- role may write one): a WARNING, nothing rendered, never an ERROR that stops the slot
SET ROLE bf_plain;
SELECT 'sent' FROM pg_logical_emit_message(true, 'outflow.backfill', 'not a backfill');
SELECT 'sent' FROM pg_logical_emit_message(true, 'outflow.backfill', decode('3242464f52000000' || repeat('00', 120), 'hex'));
RESET ROLE;
INSERT INTO bf_items (id, name) VALUES (9001, 'after the forged messages');
\set VERBOSITY terse
SET client_min_messages = warning;
SELECT change->>'op' AS op, change->>'table' AS tab, change->'new'->>'name' AS name FROM outflow.changes('bf_s') ORDER BY lsn;
RESET client_min_messages;
\set VERBOSITY default
DELETE FROM bf_items WHERE id = 9001;

-- the key changed between two chunks: an ERROR that says how to start again
SELECT cardinality(outflow._backfill_prepare('bf_pub', 'bf_ri', 1)) AS prepared;
SELECT outflow._backfill_chunk(max(id)) FROM outflow.backfills;
ALTER TABLE bf_ri RENAME COLUMN b TO bb;
SELECT outflow._backfill_chunk(max(id)) FROM outflow.backfills;
-- (the trigger follows the table's key)
SELECT outflow._backfill_guard('bf_ri') AS guard;
SELECT split_part(encode(tgargs, 'escape'), '\000', 2) AS for_key
FROM pg_trigger WHERE tgrelid = 'bf_ri'::regclass AND tgname LIKE 'outflow_backfill%';
ALTER TABLE bf_ri RENAME COLUMN bb TO b;
SELECT outflow._backfill_guard('bf_ri') AS guard;
DELETE FROM outflow.backfills WHERE relation = 'bf_ri'::regclass AND state <> 'done';
SELECT outflow._backfill_guard('bf_ri') AS guard;

REVOKE ALL ON bf_items FROM bf_plain;
DROP ROLE bf_plain;
SELECT outflow.drop_slot('bf_s');
SELECT outflow.drop_slot('bf_o');
SELECT outflow.drop_slot('bf_r');
SELECT pg_drop_replication_slot('bf_td');
DELETE FROM outflow.backfills;
DROP PUBLICATION bf_pub, bf_root, bf_other, bf_bad;
DROP TABLE bf_items, bf_cols, bf_ri, bf_parted, bf_nokey, bf_empty;
DROP TYPE bf_pair;
