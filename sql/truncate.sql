-- TRUNCATE: one object per table, with the cascade and restart identity flags.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE tr_parent (id int PRIMARY KEY);
CREATE TABLE tr_child (id int PRIMARY KEY, p int REFERENCES tr_parent);
CREATE TABLE tr_other (id serial PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('tr_slot', 'outflow');

TRUNCATE tr_other;
TRUNCATE tr_parent, tr_other RESTART IDENTITY CASCADE;
BEGIN;
INSERT INTO tr_other DEFAULT VALUES;
TRUNCATE tr_child;
INSERT INTO tr_other DEFAULT VALUES;
COMMIT;
SELECT * FROM changes('tr_slot', 'include-transaction', '1');

-- truncate can be left out by actions, and by table filters
TRUNCATE tr_parent, tr_other CASCADE;
SELECT * FROM changes('tr_slot', 'actions', 'insert,update,delete');
TRUNCATE tr_parent, tr_other CASCADE;
SELECT * FROM changes('tr_slot', 'filter-tables', 'public.tr_other');

SELECT pg_drop_replication_slot('tr_slot');
DROP TABLE tr_child, tr_parent, tr_other;
