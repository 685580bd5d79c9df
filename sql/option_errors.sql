-- Bad options: a clear ERROR naming the option, the value and what is
-- allowed; the slot keeps working afterwards.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE opt (id int PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('opt_slot', 'outflow');
INSERT INTO opt VALUES (1);

SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'no-such-option', '1');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'include-xids', 'perhaps');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'format', 'xml');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'format-version', '3');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'format', 'native', 'format-version', '2');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'actions', 'insert,upsert');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'actions', '');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'add-tables', 'no_dot');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'add-tables', 'a.b.c');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'filter-tables', 'public.t\');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'filter-tables', 'public.a,,public.b');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'filter-origins', 'abc');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'filter-origins', '0');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'origin', 'local');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'unchanged-toast', 'hide');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'include-unchanged-toast', '1');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'pretty-print', '1');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'add-msg-prefixes', 'a,,b');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'add-tables', repeat('x', 2000000));
-- boolean spellings PostgreSQL accepts
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'include-transaction', 'YES');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'include-transaction', 'of');

-- under the wal2json format, errors of wal2json's own options use wal2json's
-- message (consumers may match on it); errcode, detail and hint stay outflow's
SELECT 'init' FROM pg_create_logical_replication_slot('opt_w2j', 'outflow_wal2json');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_w2j', NULL, NULL, 'nosuchopt', '42');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_w2j', NULL, NULL, 'include-unchanged-toast', '1');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_w2j', NULL, NULL, 'actions', 'insert,upsert');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_w2j', NULL, NULL, 'include-xids', 'perhaps');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_w2j', NULL, NULL, 'format-version', 'two');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_w2j', NULL, NULL, 'filter-tables', 'public.a,no_dot');
-- outflow's own options keep outflow's wording, and so does format=native
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_w2j', NULL, NULL, 'origin', 'local');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_w2j', NULL, NULL, 'format', 'native', 'nosuchopt', '42');
-- on the plugin name outflow the format the options select decides, wherever it is named
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'nosuchopt', '42', 'format', 'wal2json');
SELECT count(*) FROM pg_logical_slot_peek_changes('opt_slot', NULL, NULL, 'actions', 'merge', 'format-version', '2');
SELECT pg_drop_replication_slot('opt_w2j');

-- after all that, the slot still streams the change
SELECT * FROM changes('opt_slot');
SELECT pg_drop_replication_slot('opt_slot');
DROP TABLE opt;
