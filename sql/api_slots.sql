\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
-- outflow.create_slot(), drop_slot(), changes(), peek(), the slots view, heartbeat()
\set VERBOSITY default
\set SHOW_CONTEXT never
-- masks what changes from run to run
CREATE FUNCTION masked(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN j ? 'content' AND j->>'prefix' = 'outflow.heartbeat' THEN jsonb_set(j, '{content}', '"T"') ELSE j END
         - '{lsn,commit_lsn,end_lsn,xid,commit_time}'::text[]
$$;
CREATE TABLE sl_a (id int PRIMARY KEY, v text, secret text);
CREATE TABLE sl_b (id int PRIMARY KEY);
SELECT outflow.publish_table('api_sl', 'sl_a', '{id,v}');

-- a slot that remembers its publication, and one that streams everything
SELECT outflow.create_slot('api_s1', 'api_sl') IS NOT NULL AS created;
SELECT outflow.create_slot('api_s2') IS NOT NULL AS created;
SELECT outflow.create_slot('api_s5', 'api_sl') IS NOT NULL AS created;
SELECT sp.slot_name, sp.publications, sp.created_at <= now() AS dated FROM outflow.slot_publication sp WHERE sp.slot_name LIKE 'api\_%' ORDER BY 1;
SELECT slot_name, plugin, database = current_database() AS here, temporary, active, active_pid, wal_status,
       lag_bytes >= 0 AS lag_known, retained_wal_bytes > 0 AS retains, safe_wal_size, publications
FROM outflow.slots WHERE slot_name LIKE 'api\_%' ORDER BY slot_name;

INSERT INTO sl_a VALUES (1, 'one', 's1'), (2, 'two', 's2');
INSERT INTO sl_b VALUES (10);
UPDATE sl_a SET v = 'uno' WHERE id = 1;
-- peek does not consume; the remembered publication applies
SELECT masked(change) FROM outflow.peek('api_s1');
SELECT count(*) FROM outflow.peek('api_s1');
-- lsn and xid columns are those of each change
SELECT bool_and(lsn = (change->>'lsn')::pg_lsn AND xid::text = change->>'xid') AS columns_match
FROM outflow.peek('api_s1');
-- changes consumes, here with an option
SELECT masked(change) FROM outflow.changes('api_s1', options => '{"include-transaction": true, "actions": "insert"}');
SELECT count(*) FROM outflow.changes('api_s1');
-- the other slot sees every table and column; options override the remembered publication
SELECT masked(change) FROM outflow.peek('api_s2', options => '{"add-tables": "public.sl_b"}');
-- upto_nchanges stops after the first transaction; outflow's own bookkeeping
-- row (written when api_s5 was made) is never streamed
SELECT masked(change) FROM outflow.changes('api_s2', NULL, 1);
SELECT masked(change) FROM outflow.changes('api_s2');
-- {"publication_names": null}: a slot with a publication streams every table
INSERT INTO sl_b VALUES (11);
SELECT masked(change) FROM outflow.peek('api_s1');
SELECT masked(change) FROM outflow.changes('api_s1', options => '{"publication_names": null}');
-- the lag is gone once consumed
SELECT slot_name, lag_bytes FROM outflow.slots WHERE slot_name = 'api_s1' AND lag_bytes > 1000;

-- heartbeat: a message every slot receives, so idle or filtered slots advance
SELECT outflow.heartbeat() IS NOT NULL AS sent;
SELECT masked(change) FROM outflow.changes('api_s1');
SELECT masked(change) FROM outflow.changes('api_s2');

-- a temporary slot with a publication given by name
SELECT outflow.create_slot('api_tmp', 'api_sl', temporary => true) IS NOT NULL AS created;
SELECT slot_name, temporary, publications FROM outflow.slots WHERE slot_name = 'api_tmp';
SELECT outflow.drop_slot('api_tmp');

-- a slot dropped behind outflow's back leaves its row, which a new slot of that name replaces
SELECT pg_drop_replication_slot('api_s1');
SELECT count(*) FROM outflow.slots WHERE slot_name = 'api_s1';
SELECT outflow.create_slot('api_s1') IS NOT NULL AS created;
SELECT slot_name, publications FROM outflow.slots WHERE slot_name = 'api_s1';
SELECT count(*) FROM outflow.slot_publication WHERE slot_name = 'api_s1';

-- bad arguments
SELECT outflow.create_slot('api_s2');
SELECT outflow.create_slot('api_s3', 'no_such_pub');
SELECT outflow.create_slot(NULL);
SELECT outflow.create_slot('api_s3', temporary => NULL);
SELECT * FROM outflow.changes('no_such_slot');
SELECT * FROM outflow.peek(NULL);
SELECT * FROM outflow.changes('api_s2', options => NULL);
SELECT * FROM outflow.changes('api_s2', options => '[1]');
SELECT * FROM outflow.changes('api_s2', options => '{"actions": ["insert"]}');
SELECT * FROM outflow.changes('api_s2', options => '{"format": "wal2json"}');
SELECT * FROM outflow.changes('api_s2', options => '{"include-transaction": null}');
SELECT * FROM outflow.changes('api_s2', options => '{"no-such-option": 1}');
SELECT * FROM outflow.changes('api_s2', upto_nchanges => -1);
SELECT outflow.drop_slot('no_such_slot');
SELECT outflow.drop_slot(NULL);
-- a slot of the outflow_wal2json plugin name reads in the native format too
SELECT 'made' FROM pg_create_logical_replication_slot('api_w2j', 'outflow_wal2json');
INSERT INTO sl_b VALUES (20);
SELECT masked(change) FROM outflow.changes('api_w2j');
SELECT outflow.drop_slot('api_w2j');
-- slots of other plugins are left alone
SELECT 'made' FROM pg_create_logical_replication_slot('api_other', 'test_decoding');
SELECT * FROM outflow.peek('api_other');
SELECT outflow.drop_slot('api_other');
SELECT slot_name, plugin, publications FROM outflow.slots WHERE slot_name = 'api_other';
SELECT pg_drop_replication_slot('api_other');

-- the caller's privileges: without REPLICATION no slot, and no changing the remembered publications
CREATE ROLE outflow_api_plain;
GRANT USAGE ON SCHEMA public TO outflow_api_plain;
SET ROLE outflow_api_plain;
SELECT outflow.create_slot('api_s4');
SELECT outflow.drop_slot('api_s2');
SELECT * FROM outflow.peek('api_s2');
INSERT INTO outflow.slot_publication (slot_name, publications) VALUES ('api_s2', '{api_sl}');
UPDATE outflow.slot_publication SET publications = '{x}';
DELETE FROM outflow.slot_publication;
SELECT count(*) >= 0 AS can_read FROM outflow.slots;
RESET ROLE;
SELECT sp.slot_name, sp.publications FROM outflow.slot_publication sp WHERE sp.slot_name LIKE 'api\_%';
REVOKE USAGE ON SCHEMA public FROM outflow_api_plain;
DROP ROLE outflow_api_plain;
-- a REPLICATION role can
CREATE ROLE outflow_api_repl REPLICATION;
SET ROLE outflow_api_repl;
SELECT outflow.create_slot('api_s4', 'api_sl') IS NOT NULL AS created;
SELECT slot_name, publications FROM outflow.slots WHERE slot_name = 'api_s4';
SELECT outflow.drop_slot('api_s4');
RESET ROLE;
DROP ROLE outflow_api_repl;

-- several publications: a slot streams what any of them publishes, each
-- table with the actions of the publications that publish it
CREATE TABLE sl_c (id int PRIMARY KEY, v text);
SELECT outflow.publish_table('api_sl_ins', 'sl_c', actions => '{insert}');
SELECT outflow.create_slot('api_m1', ARRAY['api_sl', 'api_sl_ins']) IS NOT NULL AS created;
SELECT outflow.create_slot('api_m2', publications => '{api_sl_ins}', two_phase => false) IS NOT NULL AS created;
SELECT outflow.create_slot(slot_name => 'api_m3', publication => 'api_sl_ins') IS NOT NULL AS created;
SELECT outflow.create_slot('api_m4', NULL) IS NOT NULL AS created;
SELECT outflow.create_slot('api_m5', NULL::text[], false) IS NOT NULL AS created;
SELECT outflow.create_slot('api_m6', 'api_sl', false, false) IS NOT NULL AS created;
SELECT slot_name, publications FROM outflow.slots WHERE slot_name LIKE 'api\_m%' ORDER BY 1;
SELECT slot_name, publications FROM outflow.slot_publication WHERE slot_name LIKE 'api\_m%' ORDER BY 1;
INSERT INTO sl_a VALUES (5, 'five', 'x');
INSERT INTO sl_c VALUES (1, 'c');
UPDATE sl_c SET v = 'cc';
UPDATE sl_a SET v = 'cinq' WHERE id = 5;
INSERT INTO sl_b VALUES (30);
DELETE FROM sl_c;
SELECT masked(change) FROM outflow.peek('api_m1');
-- publication_names in options still overrides the remembered list
SELECT masked(change) FROM outflow.peek('api_m1', options => '{"publication_names": "api_sl_ins"}');
SELECT masked(change) FROM outflow.changes('api_m1', options => '{"actions": "update"}');
SELECT count(*) FROM outflow.peek('api_m1');
SELECT masked(change) FROM outflow.changes('api_m2');
SELECT masked(change) FROM outflow.changes('api_m3');
-- the list, as it is passed on, keeps odd names intact
CREATE PUBLICATION "api Odd,Pub" FOR TABLE sl_b;
SELECT outflow.create_slot('api_m7', ARRAY['api Odd,Pub', 'api_sl_ins']) IS NOT NULL AS created;
SELECT slot_name, publications FROM outflow.slots WHERE slot_name = 'api_m7';
INSERT INTO sl_b VALUES (31);
INSERT INTO sl_c VALUES (2, 'two');
SELECT masked(change) FROM outflow.changes('api_m7');
-- bad lists
SELECT outflow.create_slot('api_m9', ARRAY['api_sl', 'no_such_pub']);
SELECT outflow.create_slot('api_m9', '{}'::text[]);
SELECT outflow.create_slot('api_m9', ARRAY['api_sl', NULL]);
SELECT outflow.create_slot('api_m9', ARRAY['api_sl', '']);
SELECT outflow.create_slot('api_m9', ARRAY['api_sl', 'api_sl']);
SELECT outflow.create_slot('api_m9', publications => 'api_sl');
-- (terse: the failing row's detail shows the time)
\set VERBOSITY terse
INSERT INTO outflow.slot_publication (slot_name, publications) VALUES ('api_m9', '{}');
INSERT INTO outflow.slot_publication (slot_name, publications) VALUES ('api_m9', '{api_sl,NULL}');
\set VERBOSITY default
SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'api_m9';
SELECT outflow.drop_slot(slot_name) FROM outflow.slots WHERE slot_name LIKE 'api\_m%';
DROP PUBLICATION api_sl_ins, "api Odd,Pub";
DROP TABLE sl_c;

SELECT outflow.drop_slot('api_s1');
SELECT outflow.drop_slot('api_s2');
SELECT outflow.drop_slot('api_s5');
SELECT count(*) FROM outflow.slots WHERE slot_name LIKE 'api\_%';
SELECT count(*) FROM outflow.slot_publication WHERE slot_name LIKE 'api\_%';
DROP PUBLICATION api_sl;
DROP TABLE sl_a, sl_b;
DROP FUNCTION masked(jsonb);
