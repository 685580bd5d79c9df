-- PostgreSQL 13 and 14 only (the Makefile leaves this suite out from 15 on,
-- where the publication_* and api_* suites cover the same ground with row
-- filters, column lists and FOR TABLES IN SCHEMA). What applies before 15:
-- publication_names following FOR TABLE, FOR ALL TABLES, the publish actions
-- and publish_via_partition_root; the SQL API without filters and lists; and
-- clear ERRORs naming the version for what needs 15.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;

CREATE TABLE cp_a (id int PRIMARY KEY, v text, secret text);
CREATE TABLE cp_b (id int PRIMARY KEY);
CREATE TABLE cp_p (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
-- a partition with another column order
CREATE TABLE cp_p_eu (v int, region text NOT NULL, id int NOT NULL);
ALTER TABLE cp_p ATTACH PARTITION cp_p_eu FOR VALUES IN ('eu');
CREATE PUBLICATION cp_table FOR TABLE cp_a;
CREATE PUBLICATION cp_ins FOR TABLE cp_b WITH (publish = 'insert');
CREATE PUBLICATION cp_root FOR TABLE cp_p WITH (publish_via_partition_root = true);
CREATE PUBLICATION cp_leaf FOR TABLE cp_p;
CREATE PUBLICATION cp_all FOR ALL TABLES;
SELECT 'init' FROM pg_create_logical_replication_slot('cp_slot', 'outflow');

INSERT INTO cp_a VALUES (1, 'one', 's1');
INSERT INTO cp_b VALUES (10);
INSERT INTO cp_p VALUES (1, 'eu', 100);
UPDATE cp_a SET v = 'uno' WHERE id = 1;
UPDATE cp_b SET id = 11;
DELETE FROM cp_a;
TRUNCATE cp_b;

-- FOR TABLE: only cp_a, every column
SELECT stable(data) FROM pg_logical_slot_peek_changes('cp_slot', NULL, NULL, 'publication_names', 'cp_table');
-- publish = 'insert': cp_b's insert only
SELECT stable(data) FROM pg_logical_slot_peek_changes('cp_slot', NULL, NULL, 'publication_names', 'cp_ins');
-- two publications: their tables united
SELECT count(*) FROM pg_logical_slot_peek_changes('cp_slot', NULL, NULL, 'publication_names', 'cp_table,cp_ins');
-- publish_via_partition_root: as cp_p, in its column order; without: as the partition
SELECT stable(data) FROM pg_logical_slot_peek_changes('cp_slot', NULL, NULL, 'publication_names', 'cp_root');
SELECT stable(data) FROM pg_logical_slot_peek_changes('cp_slot', NULL, NULL, 'publication_names', 'cp_leaf');
-- FOR ALL TABLES: every table, every change
SELECT count(*) FROM pg_logical_slot_peek_changes('cp_slot', NULL, NULL, 'publication_names', 'cp_all');
SELECT count(*) FROM pg_logical_slot_peek_changes('cp_slot', NULL, NULL);
SELECT 'dropped' FROM pg_drop_replication_slot('cp_slot');

-- the SQL API: column lists and row filters are ERRORs that name the version
SELECT outflow.publish_table('cp_api', 'cp_a', '{id,v}');
SELECT outflow.publish_table('cp_api', 'cp_a', row_filter => 'id > 1');
SELECT outflow.publish_table('cp_api', 'cp_a', '{id,v}', 'id > 1');
-- bad arguments are still reported as such first
SELECT outflow.publish_table('cp_api', 'cp_a', '{id,nope}');
SELECT outflow.publish_table('cp_api', 'cp_a', row_filter => ' ');
-- nothing was created
SELECT count(*) FROM pg_publication WHERE pubname = 'cp_api';
-- without them it works
SELECT outflow.publish_table('cp_api', 'cp_a');
SELECT outflow.publish_table('cp_api', 'cp_a');
SELECT outflow.set_actions('cp_api', '{insert,update,delete}');
SELECT outflow.publish_table('cp_api', 'cp_p');
SELECT table_name, columns, row_filter, replica_identity, identity_columns, actions, ready
FROM outflow.publication_tables('cp_api');
SELECT outflow.publish_table('cp_api', 'cp_b');
SELECT outflow.unpublish_table('cp_api', 'cp_b');
SELECT outflow.unpublish_table('cp_api', 'cp_b');
SELECT table_name FROM outflow.publication_tables('cp_api');
SELECT table_name, columns, row_filter FROM outflow.publication_tables('cp_root');
-- a table without a usable identity is refused while updates are published
CREATE TABLE cp_nokey (a int);
SELECT outflow.publish_table('cp_api', 'cp_nokey');
SELECT outflow.publish_table('cp_ins', 'cp_nokey');

-- snapshot(): every row, every column
INSERT INTO cp_a VALUES (1, 'one', 's1'), (2, 'two', 's2');
INSERT INTO cp_p VALUES (2, 'eu', 200);
SELECT * FROM outflow.snapshot('cp_api');
SELECT * FROM outflow.snapshot('cp_root', '{"numeric-data-types-as-string": true}');

-- slots: the remembered publication applies; two_phase and failover need newer majors
SELECT outflow.create_slot('cp_s1', 'cp_api') IS NOT NULL AS created;
INSERT INTO cp_a VALUES (3, 'three', 's3');
INSERT INTO cp_b VALUES (20);
SELECT change - '{lsn,commit_lsn,xid,commit_time}'::text[] AS change FROM outflow.changes('cp_s1');
SELECT slot_name, plugin, temporary, active, wal_status, failover, synced, conflicting, invalidation_reason, publications
FROM outflow.slots WHERE slot_name = 'cp_s1';
SELECT outflow.drop_slot('cp_s1');
SELECT outflow.create_slot('cp_s2', failover => true);
SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'cp_s2';

DROP PUBLICATION cp_table, cp_ins, cp_root, cp_leaf, cp_all, cp_api;
DROP TABLE cp_a, cp_b, cp_p, cp_nokey;
