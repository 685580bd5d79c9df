-- stream-changes needs PostgreSQL 14 or later (on 13 an ERROR naming the
-- version: expected/stream_option_1.out); the wal2json formats refuse it.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE so (id int PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('so_slot', 'outflow');
INSERT INTO so VALUES (1);
SELECT stable(data) FROM pg_logical_slot_peek_changes('so_slot', NULL, NULL, 'stream-changes', 'true');
SELECT stable(data) FROM pg_logical_slot_peek_changes('so_slot', NULL, NULL, 'stream-changes', 'off');
SELECT count(*) FROM pg_logical_slot_peek_changes('so_slot', NULL, NULL, 'stream-changes', '2');
SELECT count(*) FROM pg_logical_slot_peek_changes('so_slot', NULL, NULL, 'format', 'wal2json', 'stream-changes', 'true');
SELECT pg_drop_replication_slot('so_slot');
DROP TABLE so;
