-- ALTER EXTENSION outflow UPDATE gives what a fresh install gives: from
-- 0.1 to 0.2 what a fresh 0.2 gives, and then, as from 0.2, what a fresh
-- 0.3 gives: the same member objects, function
-- definitions, privileges, table columns, constraints and views
-- (sql/include/extension_objects.sql lists them), with the slot
-- publications remembered kept. Each side in a database of its own, with
-- the same grants and revokes (sql/include/upgrade_grants_*.sql).
SET client_min_messages = warning;
CREATE ROLE regress_outflow_upgrade;
CREATE DATABASE regress_outflow_from01;
CREATE DATABASE regress_outflow_from02;
CREATE DATABASE regress_outflow_fresh;
RESET client_min_messages;

-- 0.1, with state: remembered publications, grants to a role and a revoke
\c regress_outflow_from01
CREATE EXTENSION outflow VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'outflow';
INSERT INTO outflow.slot_publication (slot_name, publication, created_at)
VALUES ('upgrade_a', 'pub_a', '2026-11-29 15:00:00+00'), ('upgrade_b', 'Pub B', '2026-11-29 16:00:00+00');
\i sql/include/upgrade_grants_0.1.sql
ALTER EXTENSION outflow UPDATE TO '0.2';
SELECT extversion FROM pg_extension WHERE extname = 'outflow';
-- the remembered rows, each publication now a list of one
SELECT slot_name, publications, created_at FROM outflow.slot_publication ORDER BY slot_name;
\set ECHO none
\i sql/include/extension_objects.sql
\set ECHO all
\set from01_at02_described :described
\set from01_at02_members :members
\set from01_at02_functions :functions
\i sql/include/upgrade_grants_0.2.sql
ALTER EXTENSION outflow UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'outflow';
SELECT slot_name, publications, created_at FROM outflow.slot_publication ORDER BY slot_name;
-- the updated API works
CREATE TABLE upgrade_t (id int PRIMARY KEY, note text);
SELECT outflow.publish_table('upgrade_pub', 'upgrade_t');
SELECT outflow.publish_table('upgrade_pub', 'upgrade_t');
SELECT table_name, columns, row_filter, ready FROM outflow.publication_tables('upgrade_pub');
SELECT * FROM outflow._identity('upgrade_t');
DROP PUBLICATION upgrade_pub;
DROP TABLE upgrade_t;
\set ECHO none
\i sql/include/extension_objects.sql
\set ECHO all
\set from01_described :described
\set from01_members :members
\set from01_functions :functions

-- 0.2, with state and the same grants
\c regress_outflow_from02
CREATE EXTENSION outflow VERSION '0.2';
INSERT INTO outflow.slot_publication (slot_name, publications, created_at)
VALUES ('upgrade_a', '{pub_a}', '2026-11-29 15:00:00+00'), ('upgrade_b', '{Pub B,pub_c}', '2026-11-29 16:00:00+00');
\i sql/include/upgrade_grants_0.1.sql
\set ECHO none
\i sql/include/extension_objects.sql
\set ECHO all
-- compared: 0.1 -> 0.2 with this fresh 0.2 (the same grants so far)
\set updated_described :from01_at02_described
\set updated_members :from01_at02_members
\set updated_functions :from01_at02_functions
\i sql/include/extension_compare.sql
\i sql/include/upgrade_grants_0.2.sql
ALTER EXTENSION outflow UPDATE TO '0.3';
SELECT extversion FROM pg_extension WHERE extname = 'outflow';
SELECT slot_name, publications, created_at FROM outflow.slot_publication ORDER BY slot_name;
CREATE TABLE upgrade_t (id int, note text, PRIMARY KEY (note, id));
SELECT * FROM outflow._identity('upgrade_t');
DROP TABLE upgrade_t;
\set ECHO none
\i sql/include/extension_objects.sql
\set ECHO all
\set from02_described :described
\set from02_members :members
\set from02_functions :functions

-- a fresh 0.3 with the same grants
\c regress_outflow_fresh
CREATE EXTENSION outflow;
SELECT extversion FROM pg_extension WHERE extname = 'outflow';
\i sql/include/upgrade_grants_0.1.sql
\i sql/include/upgrade_grants_0.2.sql
\set ECHO none
\i sql/include/extension_objects.sql
\set ECHO all

-- compared: 0.1 -> 0.2 -> 0.3 with the fresh 0.3
\set updated_described :from01_described
\set updated_members :from01_members
\set updated_functions :from01_functions
\i sql/include/extension_compare.sql
-- 0.2 -> 0.3 with the fresh 0.3
\set updated_described :from02_described
\set updated_members :from02_members
\set updated_functions :from02_functions
\i sql/include/extension_compare.sql

\c contrib_regression
DROP DATABASE regress_outflow_from01;
DROP DATABASE regress_outflow_from02;
DROP DATABASE regress_outflow_fresh;
DROP ROLE regress_outflow_upgrade;
