-- ALTER EXTENSION outflow UPDATE from 0.1 gives what a fresh 0.2 gives:
-- the same member objects, function definitions, privileges, table
-- columns, constraints and views (sql/include/extension_objects.sql lists
-- them), with the slot publications 0.1 remembered kept. Each side in a
-- database of its own, with the same grants to a role.
SET client_min_messages = warning;
CREATE ROLE regress_outflow_upgrade;
CREATE DATABASE regress_outflow_updated;
CREATE DATABASE regress_outflow_fresh;
RESET client_min_messages;

-- 0.1, with state: remembered publications, grants to a role and a revoke
\c regress_outflow_updated
CREATE EXTENSION outflow VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'outflow';
INSERT INTO outflow.slot_publication (slot_name, publication, created_at)
VALUES ('upgrade_a', 'pub_a', '2026-11-29 15:00:00+00'), ('upgrade_b', 'Pub B', '2026-11-29 16:00:00+00');
GRANT EXECUTE ON FUNCTION outflow.publish_table(name, regclass, name[], text, text[]) TO regress_outflow_upgrade;
REVOKE EXECUTE ON FUNCTION outflow.drop_slot(name) FROM PUBLIC;
GRANT TRUNCATE ON outflow.slot_publication TO regress_outflow_upgrade;
GRANT UPDATE (created_at) ON outflow.slot_publication TO regress_outflow_upgrade;
ALTER EXTENSION outflow UPDATE TO '0.2';
SELECT extversion FROM pg_extension WHERE extname = 'outflow';
-- the remembered rows, each publication now a list of one
SELECT slot_name, publications, created_at FROM outflow.slot_publication ORDER BY slot_name;
-- the updated API works
CREATE TABLE upgrade_t (id int PRIMARY KEY, note text);
SELECT outflow.publish_table('upgrade_pub', 'upgrade_t');
SELECT outflow.publish_table('upgrade_pub', 'upgrade_t');
SELECT table_name, columns, row_filter, ready FROM outflow.publication_tables('upgrade_pub');
DROP PUBLICATION upgrade_pub;
DROP TABLE upgrade_t;
\set ECHO none
\i sql/include/extension_objects.sql
\set ECHO all
\set updated_described :described
\set updated_members :members
\set updated_functions :functions

-- a fresh 0.2 with the same grants
\c regress_outflow_fresh
CREATE EXTENSION outflow;
GRANT EXECUTE ON FUNCTION outflow.publish_table(name, regclass, name[], text, text[]) TO regress_outflow_upgrade;
REVOKE EXECUTE ON FUNCTION outflow.drop_slot(name) FROM PUBLIC;
GRANT TRUNCATE ON outflow.slot_publication TO regress_outflow_upgrade;
GRANT UPDATE (created_at) ON outflow.slot_publication TO regress_outflow_upgrade;
\set ECHO none
\i sql/include/extension_objects.sql
\set ECHO all

-- compared: no line only on one side, and something was compared
SELECT :updated_members = :members AS same_members, :updated_functions = :functions AS same_functions,
	:functions >= 50 AS functions_compared, cardinality(string_to_array(:'described', E'\n')) > 300 AS facts_compared;
(SELECT 'only updated' AS side, line FROM unnest(string_to_array(:'updated_described', E'\n')) AS u(line)
 EXCEPT SELECT 'only updated', line FROM unnest(string_to_array(:'described', E'\n')) AS f(line))
UNION ALL
(SELECT 'only fresh', line FROM unnest(string_to_array(:'described', E'\n')) AS f(line)
 EXCEPT SELECT 'only fresh', line FROM unnest(string_to_array(:'updated_described', E'\n')) AS u(line))
ORDER BY 1, 2;

\c contrib_regression
DROP DATABASE regress_outflow_updated;
DROP DATABASE regress_outflow_fresh;
DROP ROLE regress_outflow_upgrade;
