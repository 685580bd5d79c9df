-- Logical messages: transactional and not, content that round-trips exactly.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

SELECT 'init' FROM pg_create_logical_replication_slot('msg_slot', 'outflow');

SELECT 'm' FROM pg_logical_emit_message(false, 'plain', 'hello "world"');
SELECT 'm' FROM pg_logical_emit_message(true, 'tx', E'line1\nline2\t\\');
SELECT 'm' FROM pg_logical_emit_message(false, 'utf8', 'héllo ✓');
SELECT 'm' FROM pg_logical_emit_message(false, 'empty', '');
-- bytes that are not text (a NUL, invalid UTF-8) arrive as base64
SELECT 'm' FROM pg_logical_emit_message(false, 'binary', '\x00ff41'::bytea);
BEGIN;
SELECT 'm' FROM pg_logical_emit_message(true, 'in-tx', 'first');
SELECT 'm' FROM pg_logical_emit_message(false, 'not-in-tx', 'immediate');
SELECT 'm' FROM pg_logical_emit_message(true, 'in-tx', 'second');
COMMIT;
-- a transactional message of a rolled-back transaction is never sent
BEGIN;
SELECT 'm' FROM pg_logical_emit_message(true, 'rolled-back', 'no');
ROLLBACK;
SELECT * FROM changes('msg_slot');

-- base64 content decodes to the original bytes
SELECT 'm' FROM pg_logical_emit_message(false, 'binary', '\x00ff41'::bytea);
-- a non-transactional message is not flushed by itself (decoding reads only
-- flushed WAL, and the WAL writer's timing is not the test's): a checkpoint flushes it
CHECKPOINT;
SELECT decode(data::jsonb->>'content_base64', 'base64') = '\x00ff41'::bytea AS round_trips
  FROM pg_logical_slot_get_changes('msg_slot', NULL, NULL);

-- prefix filters
SELECT 'm' FROM pg_logical_emit_message(false, 'keep', 'k');
SELECT 'm' FROM pg_logical_emit_message(false, 'drop', 'd');
SELECT 'm' FROM pg_logical_emit_message(false, 'other', 'o');
CHECKPOINT;
SELECT data::jsonb->>'prefix' FROM pg_logical_slot_peek_changes('msg_slot', NULL, NULL, 'filter-msg-prefixes', 'drop');
SELECT data::jsonb->>'prefix' FROM pg_logical_slot_peek_changes('msg_slot', NULL, NULL, 'add-msg-prefixes', 'keep, other');
SELECT data::jsonb->>'prefix' FROM pg_logical_slot_peek_changes('msg_slot', NULL, NULL, 'add-msg-prefixes', 'keep,other', 'filter-msg-prefixes', 'other');

SELECT pg_drop_replication_slot('msg_slot');
