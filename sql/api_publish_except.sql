-- PostgreSQL 19 and later (FOR ALL TABLES EXCEPT): the SQL API follows the
-- EXCEPT list. publish_table() does not report a table the publication
-- leaves out as "unchanged"; unpublish_table() of it changes nothing.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE TABLE ex_in (id int PRIMARY KEY, v text);
CREATE TABLE ex_out (id int PRIMARY KEY, v text);
CREATE TABLE ex_parted (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE ex_parted_1 PARTITION OF ex_parted FOR VALUES FROM (0) TO (100);
CREATE PUBLICATION ex_all FOR ALL TABLES EXCEPT (TABLE ex_out, ex_parted);
SELECT table_name, columns, row_filter FROM outflow.publication_tables('ex_all')
WHERE table_name LIKE 'ex\_%' ORDER BY table_name;
RESET client_min_messages;
SELECT outflow.publish_table('ex_all', 'ex_in');
SELECT outflow.publish_table('ex_all', 'ex_out');
SELECT outflow.publish_table('ex_all', 'ex_parted_1');
SELECT outflow.unpublish_table('ex_all', 'ex_out');
SELECT outflow.unpublish_table('ex_all', 'ex_in');
-- snapshot() reads only what the publication publishes
INSERT INTO ex_in VALUES (1, 'in');
INSERT INTO ex_out VALUES (2, 'out');
INSERT INTO ex_parted VALUES (3);
SELECT s FROM outflow.snapshot('ex_all') s WHERE s->>'table' LIKE 'ex\_%';
DROP PUBLICATION ex_all;
DROP TABLE ex_in, ex_out, ex_parted;
