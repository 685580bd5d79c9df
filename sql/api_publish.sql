\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
-- outflow.publish_table(), unpublish_table(), publication_tables()
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE TABLE pub_orders (id int PRIMARY KEY, customer text, total numeric, secret text,
	doubled int GENERATED ALWAYS AS (id * 2) STORED);
CREATE TABLE pub_nokey (a int, b int);
CREATE TABLE pub_full (a int, b int);
ALTER TABLE pub_full REPLICA IDENTITY FULL;
CREATE TABLE pub_idx (a int NOT NULL, b int, c int);
CREATE UNIQUE INDEX pub_idx_a ON pub_idx (a);
ALTER TABLE pub_idx REPLICA IDENTITY USING INDEX pub_idx_a;
CREATE SCHEMA "Odd Schema";
CREATE TABLE "Odd Schema"."Mixed Case" ("Id" int PRIMARY KEY, "some col" text);
CREATE VIEW pub_view AS SELECT 1 AS x;
CREATE UNLOGGED TABLE pub_unlogged (a int);

-- creates the publication (all actions), then idempotent
SELECT outflow.publish_table('api_pub', 'pub_orders');
SELECT outflow.publish_table('api_pub', 'pub_orders');
SELECT pubname, pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = 'api_pub';
-- a column list and a row filter on identity columns: the entry is updated, then unchanged
SELECT outflow.publish_table('api_pub', 'pub_orders', '{id,customer,total}', 'id > 10');
SELECT outflow.publish_table('api_pub', 'pub_orders', '{total,customer,id}', '(id>10)');
SELECT schema_name, table_name, columns, row_filter, replica_identity, identity_columns, actions, ready
FROM outflow.publication_tables('api_pub');
-- quoted identifiers everywhere
SELECT outflow.publish_table('api_pub', '"Odd Schema"."Mixed Case"', '{Id,"some col"}', '"Id" <> 0');
SELECT table_name, columns, row_filter FROM outflow.publication_tables('api_pub');
SELECT * FROM pg_publication_tables WHERE pubname = 'api_pub' ORDER BY tablename;

-- refused: updates/deletes of a table without a usable replica identity
SELECT outflow.publish_table('api_pub', 'pub_nokey');
-- ... fine when only inserts and truncates are published (for the whole publication)
SELECT outflow.publish_table('api_ins', 'pub_nokey', actions => '{INSERT, truncate,insert}');
SELECT pubname, pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = 'api_ins';
-- ... and then the publication cannot start publishing updates (set_actions checks every table)
SELECT outflow.set_actions('api_ins', '{insert,update}');
-- publish_table() cannot change them either: they are pub_nokey's actions too
SELECT outflow.publish_table('api_ins', 'pub_orders', actions => '{insert,update}');
SELECT pubname, pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = 'api_ins';
SELECT table_name FROM outflow.publication_tables('api_ins');
-- refused: a column list without the identity columns
SELECT outflow.publish_table('api_pub', 'pub_orders', '{customer,total}');
-- with REPLICA IDENTITY FULL every column is in the identity
SELECT outflow.publish_table('api_pub', 'pub_full', '{a}');
-- refused: a row filter on columns outside the identity
SELECT outflow.publish_table('api_pub', 'pub_orders', row_filter => 'total > 10');
SELECT outflow.publish_table('api_pub', 'pub_idx', row_filter => 'b > 0');
-- ... allowed with FULL, with the identity index's columns, or insert-only
SELECT outflow.publish_table('api_pub', 'pub_full', row_filter => 'b > 0');
SELECT outflow.publish_table('api_pub', 'pub_idx', '{a,b}', 'a > 0');
SELECT outflow.publish_table('api_ins', 'pub_orders', '{id,total}', 'total > 10');
-- the refused calls changed nothing
SELECT table_name, columns, row_filter, replica_identity, identity_columns, ready
FROM outflow.publication_tables('api_pub');

-- bad arguments
SELECT outflow.publish_table('api_pub', 'pub_orders', actions => '{insert,upsert}');
SELECT outflow.publish_table('api_pub', 'pub_orders', actions => '{}');
SELECT outflow.publish_table('api_pub', 'pub_orders', '{id,nope}');
SELECT outflow.publish_table('api_pub', 'pub_orders', '{id,doubled}');
SELECT outflow.publish_table('api_pub', 'pub_orders', '{id,id}');
SELECT outflow.publish_table('api_pub', 'pub_orders', '{}');
SELECT outflow.publish_table('api_pub', 'pub_orders', row_filter => 'idd > 1');
SELECT outflow.publish_table('api_pub', 'pub_orders', row_filter => 'id > (SELECT 1)');
SELECT outflow.publish_table('api_pub', 'pub_orders', row_filter => 'id > 1) , TABLE public.pub_nokey WHERE (true');
SELECT outflow.publish_table('api_pub', 'pub_orders', row_filter => 'id > 1); DROP TABLE pub_nokey; SELECT (true');
SELECT outflow.publish_table('api_pub', 'pub_orders', row_filter => ' ');
SELECT outflow.publish_table(NULL, 'pub_orders');
SELECT outflow.publish_table('api_pub', NULL);
SELECT outflow.publish_table('api_pub', 'pub_view');
SELECT outflow.publish_table('api_pub', 'pub_unlogged');
SELECT outflow.publish_table('api_pub', 'no_such_table');
-- a FOR ALL TABLES publication already has every table, but no column lists
CREATE PUBLICATION api_all FOR ALL TABLES WITH (publish = 'insert');
SELECT outflow.publish_table('api_all', 'pub_orders');
SELECT outflow.publish_table('api_all', 'pub_orders', '{id}');
SELECT outflow.unpublish_table('api_all', 'pub_orders');
SELECT table_name, ready FROM outflow.publication_tables('api_all') WHERE table_name LIKE 'pub\_%' ORDER BY 1;
-- publication_tables reports what is not ready (made outside outflow)
CREATE PUBLICATION api_raw FOR TABLE pub_nokey, pub_orders (customer) WITH (publish = 'insert, delete');
SELECT table_name, columns, ready, problem, fix FROM outflow.publication_tables('api_raw');
SELECT outflow.publication_tables(NULL);
SELECT outflow.publication_tables('no_such_pub');

-- unpublish_table
SELECT outflow.unpublish_table('api_pub', '"Odd Schema"."Mixed Case"');
SELECT outflow.unpublish_table('api_pub', '"Odd Schema"."Mixed Case"');
SELECT table_name FROM outflow.publication_tables('api_pub');
SELECT outflow.unpublish_table('no_such_pub', 'pub_orders');
SELECT outflow.unpublish_table(NULL, 'pub_orders');
CREATE PUBLICATION api_schema FOR TABLES IN SCHEMA "Odd Schema";
SELECT outflow.unpublish_table('api_schema', '"Odd Schema"."Mixed Case"');
-- a table published through its schema takes no column list or row filter
SELECT outflow.publish_table('api_schema', '"Odd Schema"."Mixed Case"', row_filter => '"Id" > 1');
SELECT outflow.publish_table('api_schema', '"Odd Schema"."Mixed Case"', '{Id}');
SELECT table_name, columns, row_filter FROM outflow.publication_tables('api_schema');

-- exactly the table named: inheritance children are not added with it
CREATE TABLE pub_parent (id int PRIMARY KEY);
CREATE TABLE pub_child (extra text) INHERITS (pub_parent);
SELECT outflow.publish_table('api_inh', 'pub_parent');
SELECT table_name FROM outflow.publication_tables('api_inh');
SELECT outflow.unpublish_table('api_inh', 'pub_parent');
SELECT count(*) FROM outflow.publication_tables('api_inh');
DROP PUBLICATION api_inh;
DROP TABLE pub_child, pub_parent;

-- the caller's privileges: a role that does not own the table
CREATE ROLE outflow_api_other;
GRANT CREATE ON DATABASE contrib_regression TO outflow_api_other;
SET ROLE outflow_api_other;
SELECT outflow.publish_table('api_other', 'pub_orders');
RESET ROLE;
SELECT count(*) FROM pg_publication WHERE pubname = 'api_other';
REVOKE CREATE ON DATABASE contrib_regression FROM outflow_api_other;
DROP ROLE outflow_api_other;

-- actions belong to the publication: publish_table() changes them only while
-- the publication publishes no other table
CREATE TABLE act_accounts (id int PRIMARY KEY, balance int);
CREATE TABLE act_events (id int PRIMARY KEY, what text);
CREATE TABLE act_log (msg text);  -- no replica identity
SELECT outflow.publish_table('act_pub', 'act_accounts');
-- refused, naming the other table; nothing changed
SELECT outflow.publish_table('act_pub', 'act_events', actions => ARRAY['insert']);
SELECT table_name, actions FROM outflow.publication_tables('act_pub');
-- the actions the publication already has: nothing to refuse
SELECT outflow.publish_table('act_pub', 'act_events', actions => '{truncate,DELETE,update,insert}');
-- a table already in it: the hint says to take it out first
SELECT outflow.publish_table('act_pub', 'act_events', actions => '{insert}');
SELECT table_name, actions FROM outflow.publication_tables('act_pub');
-- the publication's only table: its actions may change
SELECT outflow.publish_table('act_one', 'act_events', actions => '{insert}');
SELECT outflow.publish_table('act_one', 'act_events', actions => '{insert,delete}');
SELECT table_name, actions FROM outflow.publication_tables('act_one');
-- a partitioned table: its partitions are not other tables; another
-- publication's partitioned table is named, not its partitions
CREATE TABLE act_parted (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE act_parted_1 PARTITION OF act_parted FOR VALUES FROM (0) TO (10);
CREATE TABLE act_parted_2 PARTITION OF act_parted FOR VALUES FROM (10) TO (20);
SELECT outflow.publish_table('act_part', 'act_parted', actions => '{insert}');
SELECT outflow.publish_table('act_part', 'act_parted', actions => '{insert,update}');
SELECT outflow.publish_table('act_part', 'act_events', actions => '{insert}');
SELECT outflow.publish_table('act_part', 'act_parted_1', actions => '{insert}');
-- tables published through their schema are named, ten at most
CREATE SCHEMA act_many;
SELECT format('CREATE TABLE act_many.t%s (id int PRIMARY KEY)', lpad(i::text, 2, '0')) FROM generate_series(1, 12) i \gexec
CREATE PUBLICATION act_schema FOR TABLES IN SCHEMA act_many;
SELECT outflow.publish_table('act_schema', 'act_events', actions => '{insert}');
SELECT outflow.publish_table('act_schema', 'act_many.t01', actions => '{insert}');
SELECT pubinsert, pubupdate FROM pg_publication WHERE pubname = 'act_schema';
-- FOR ALL TABLES: every other table counts (which ones depends on the database)
CREATE PUBLICATION act_all FOR ALL TABLES;
DO $$
DECLARE
	hint text;
BEGIN
	PERFORM outflow.publish_table('act_all', 'act_events', actions => '{insert}');
	RAISE 'not refused';
EXCEPTION WHEN object_not_in_prerequisite_state THEN
	GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
	RAISE NOTICE 'refused: %, naming other tables: %, hint: %', SQLERRM LIKE 'publication "act_all" also publishes % and % more: actions => ''{insert}'' %',
		position('public.act_events' IN SQLERRM) = 0, hint LIKE '%outflow.set_actions(''act_all'', ''{insert}'')%';
END
$$;

-- set_actions(): the publication's actions for all its tables, named in a NOTICE
SELECT outflow.set_actions('act_pub', ARRAY['insert']);
SELECT table_name, actions FROM outflow.publication_tables('act_pub');
SELECT outflow.set_actions('act_pub', '{INSERT, insert }');
SELECT outflow.set_actions('act_schema', '{insert,update}');
CREATE PUBLICATION act_empty;
SELECT outflow.set_actions('act_empty', '{delete}');
-- refused, rolling back: updates of a table without a usable replica identity
SELECT outflow.publish_table('act_pub', 'act_log');
SELECT outflow.set_actions('act_pub', '{insert,update}');
SELECT pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = 'act_pub';
SELECT outflow.set_actions('act_pub', '{truncate,insert}');
-- bad arguments
SELECT outflow.set_actions('act_pub', '{insert,upsert}');
SELECT outflow.set_actions('act_pub', '{}');
SELECT outflow.set_actions('act_pub', '{insert,NULL}');
SELECT outflow.set_actions('act_pub', NULL);
SELECT outflow.set_actions(NULL, '{insert}');
SELECT outflow.set_actions('no_such_pub', '{insert}');
-- the caller's privileges: only the publication's owner
CREATE ROLE outflow_act_other;
SET ROLE outflow_act_other;
SELECT outflow.set_actions('act_pub', '{truncate,insert}');
SELECT outflow.set_actions('act_pub', '{insert,delete}');
RESET ROLE;
DROP ROLE outflow_act_other;
DROP PUBLICATION act_pub, act_one, act_part, act_schema, act_all, act_empty;
DROP TABLE act_accounts, act_events, act_log, act_parted;
DROP SCHEMA act_many CASCADE;

DROP PUBLICATION api_pub, api_ins, api_all, api_raw, api_schema;
DROP TABLE pub_orders, pub_nokey, pub_full, pub_idx, pub_unlogged, "Odd Schema"."Mixed Case";
DROP VIEW pub_view;
DROP SCHEMA "Odd Schema";
