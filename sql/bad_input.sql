-- Bad input: every option with malformed values, unknown options, patterns
-- with stray escapes, huge values, publications that do not exist, the SQL
-- API with NULLs and wrong types, and columns whose type's extension was
-- dropped. Each is a clear ERROR (or a sensible result), and the slot keeps
-- working afterwards: the same change is read again at the end.
-- (tests/tap/t/011_bad_input_server_log.pl replays this file and checks the server log for
-- crashed backends.)
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;

CREATE TABLE bad (id int PRIMARY KEY, v text);
SELECT 'init' FROM pg_create_logical_replication_slot('bad_slot', 'outflow');
INSERT INTO bad VALUES (1, 'one');
-- peek(): the change, masked; the slot is never consumed until the end
CREATE FUNCTION peek1(VARIADIC options text[] DEFAULT '{}') RETURNS SETOF text LANGUAGE sql AS $$
  SELECT stable(data) FROM pg_logical_slot_peek_changes('bad_slot', NULL, NULL, VARIADIC options)
$$;
SELECT * FROM peek1();

-- unknown options: names are exact (no case folding, no _ for -)
SELECT * FROM peek1('nope', '1');
SELECT * FROM peek1('Include-Transaction', 'on');
SELECT * FROM peek1('include_transaction', 'on');
SELECT * FROM peek1('', 'on');
SELECT * FROM peek1(' actions', 'insert');

-- format and format-version
SELECT * FROM peek1('format', '');
SELECT * FROM peek1('format', 'NATIVE');
SELECT * FROM peek1('format', 'wal2json ');
SELECT * FROM peek1('format-version', '0');
SELECT * FROM peek1('format-version', '-1');
SELECT * FROM peek1('format-version', '1.0');
SELECT * FROM peek1('format-version', '2x');
SELECT * FROM peek1('format-version', '');
SELECT * FROM peek1('format-version', '99999999999999999999');
SELECT * FROM peek1('format-version', ' 2');

-- every boolean option with a malformed value; try_peek() catches the error
-- in a subtransaction, so this also checks that a failed startup in a
-- subtransaction leaves the slot usable for the next call in the same session
CREATE FUNCTION try_peek(VARIADIC options text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  SELECT count(*) INTO n FROM pg_logical_slot_peek_changes('bad_slot', NULL, NULL, VARIADIC options);
  RETURN n || ' rows';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
SELECT o, try_peek(o, 'perhaps') AS perhaps, try_peek(o, '') AS empty, try_peek(o, 'on') AS "on"
  FROM unnest(ARRAY['include-transaction', 'include-empty-transactions', 'numeric-data-types-as-string',
                    'include-xids', 'include-timestamp', 'include-origin', 'include-lsn', 'include-schemas',
                    'include-types', 'include-typmod', 'include-type-oids', 'include-domain-data-type',
                    'include-column-positions', 'include-not-null', 'include-default', 'include-pk',
                    'pretty-print', 'write-in-chunks']) o;
SELECT o, try_peek('format', 'wal2json', o, 'perhaps') AS wal2json_1, try_peek('format-version', '2', o, 'perhaps') AS wal2json_2
  FROM unnest(ARRAY['include-xids', 'include-pk', 'include-typmod', 'pretty-print']) o;
SELECT * FROM peek1('include-transaction', '');
SELECT * FROM peek1('include-transaction', '2');
SELECT * FROM peek1('include-transaction', 'tru');
SELECT * FROM peek1('include-transaction', 'true ');
SELECT * FROM peek1('numeric-data-types-as-string', 'null');
SELECT * FROM peek1('format', 'wal2json', 'include-pk', 'maybe');
SELECT * FROM peek1('format-version', '2', 'include-xids', '-1');

-- wal2json-only options with the native format, and format-1-only with format 2
SELECT * FROM peek1('include-xids', 'on');
SELECT * FROM peek1('write-in-chunks', 'on');
SELECT * FROM peek1('format-version', '2', 'pretty-print', 'on');

-- actions
SELECT * FROM peek1('actions', 'insert,,update');
SELECT * FROM peek1('actions', ',insert');
SELECT * FROM peek1('actions', 'insert,');
SELECT * FROM peek1('actions', 'INSERT');
SELECT * FROM peek1('actions', 'insert;update');
SELECT * FROM peek1('actions', 'select');
SELECT * FROM peek1('actions', repeat('insert,', 200000) || 'bogus');

-- origins
SELECT * FROM peek1('origin', '');
SELECT * FROM peek1('origin', 'ANY');
SELECT * FROM peek1('origin', 'none,any');
SELECT * FROM peek1('filter-origins', '');
SELECT * FROM peek1('filter-origins', '-1');
SELECT * FROM peek1('filter-origins', '65536');
SELECT * FROM peek1('filter-origins', '4294967296');
SELECT * FROM peek1('filter-origins', '1,,2');
SELECT * FROM peek1('filter-origins', '1 2');
SELECT * FROM peek1('filter-origins', '0x10');

-- unchanged TOAST
SELECT * FROM peek1('unchanged-toast', '');
SELECT * FROM peek1('unchanged-toast', 'Marker');
SELECT * FROM peek1('unchanged-toast', 'omit', 'unchanged-toast-marker', 'm');
SELECT * FROM peek1('format', 'wal2json', 'unchanged-toast', 'marker');
SELECT * FROM peek1('include-unchanged-toast', '0');

-- table patterns with stray escapes and empty parts
SELECT * FROM peek1('add-tables', '\');
SELECT * FROM peek1('add-tables', 'public.bad\');
SELECT * FROM peek1('add-tables', 'public\.bad');
SELECT * FROM peek1('add-tables', '.bad');
SELECT * FROM peek1('add-tables', 'public.');
SELECT * FROM peek1('add-tables', '.');
SELECT * FROM peek1('add-tables', '');
SELECT * FROM peek1('add-tables', ',');
SELECT * FROM peek1('add-tables', 'public.bad,');
SELECT * FROM peek1('filter-tables', 'a.b.c');
SELECT * FROM peek1('filter-tables', 'public.b\,');
-- escapes that are fine: an escaped ordinary character, an escaped backslash, an escaped star
SELECT * FROM peek1('add-tables', 'pub\lic.b\ad');
SELECT * FROM peek1('add-tables', 'public.bad\\');
SELECT * FROM peek1('add-tables', 'public.ba\*');
SELECT * FROM peek1('add-tables', '*.*');
SELECT * FROM peek1('add-tables', '**.b**');

-- message prefixes
SELECT * FROM peek1('add-msg-prefixes', '');
SELECT * FROM peek1('filter-msg-prefixes', ',');
SELECT * FROM peek1('filter-msg-prefixes', 'a\');

-- huge values: refused above 1 MB, accepted (and applied) below
SELECT * FROM peek1('add-tables', repeat('public.x', 150000));
SELECT * FROM peek1('filter-msg-prefixes', repeat('p', 1048577));
SELECT * FROM peek1('unchanged-toast-marker', repeat('m', 1048577));
SELECT * FROM peek1('publication_names', repeat('p', 1048577));
SELECT * FROM peek1('add-tables', (SELECT string_agg('public.t' || g, ',') FROM generate_series(1, 70000) g) || ',public.bad');
SELECT * FROM peek1('filter-tables', (SELECT string_agg('public.t' || g, ',') FROM generate_series(1, 70000) g) || ',public.bad');
SELECT length(stable) FROM peek1('unchanged-toast-marker', repeat('m', 1000000)) stable;

-- options given without a value (NULL): fine for booleans, an error otherwise
SELECT * FROM peek1('include-transaction', NULL);
SELECT * FROM peek1('actions', NULL);
SELECT * FROM peek1('add-tables', NULL);
SELECT * FROM peek1('format', NULL);
SELECT * FROM peek1('format-version', NULL);
SELECT * FROM peek1('filter-origins', NULL);
SELECT * FROM peek1('publication_names', NULL);
SELECT * FROM peek1(NULL, 'on');
SELECT * FROM peek1('include-transaction');

-- publications: missing, malformed lists, quoting. Publications are looked
-- up as of each change, so these use a slot and a change made after
-- bad_pub was created.
SELECT * FROM peek1('publication_names', 'no_such_pub');
CREATE TABLE bad2 (id int PRIMARY KEY);
CREATE PUBLICATION bad_pub FOR TABLE bad2;
SELECT 'init' FROM pg_create_logical_replication_slot('bad_pub_slot', 'outflow');
INSERT INTO bad2 VALUES (2);
CREATE FUNCTION peek2(VARIADIC options text[]) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT stable(data) FROM pg_logical_slot_peek_changes('bad_pub_slot', NULL, NULL, VARIADIC options)
$$;
SELECT * FROM peek2('publication_names', 'bad_pub');
SELECT * FROM peek2('publication_names', 'no_such_pub');
SELECT * FROM peek2('publication_names', 'bad_pub,no_such_pub');
SELECT * FROM peek2('publication_names', '');
SELECT * FROM peek2('publication_names', 'a,,b');
SELECT * FROM peek2('publication_names', 'bad_pub,');
SELECT * FROM peek2('publication_names', '"unterminated');
SELECT * FROM peek2('publication_names', '"');
SELECT * FROM peek2('publication_names', '""');
SELECT * FROM peek2('publication_names', repeat('p', 100));
SELECT * FROM peek2('publication_names', 'BAD_PUB');
SELECT * FROM peek2('publication_names', '"BAD_PUB"');
SELECT * FROM peek2('publication_names', '"bad_pub"');
SELECT * FROM peek2('publication_names', ' bad_pub , bad_pub ');
SELECT * FROM peek2('publication_names', 'bad_pub', 'format-version', '2', 'actions', 'delete');
SELECT pg_drop_replication_slot('bad_pub_slot');
DROP PUBLICATION bad_pub;
DROP FUNCTION peek2(text[]);

-- wal2json formats take the same checks
SELECT * FROM peek1('format', 'wal2json', 'add-tables', 'public.x\');
SELECT * FROM peek1('format-version', '2', 'actions', 'merge');

-- the SQL API: NULLs, wrong types, malformed values
SELECT outflow.create_slot('bad api slot');
SELECT outflow.create_slot('');
SELECT outflow.create_slot(repeat('s', 70)) IS NOT NULL AS created;  -- a name is cut at 63 bytes, as everywhere
SELECT outflow.drop_slot(repeat('s', 70));
SELECT outflow.create_slot('bad_api', '');
SELECT outflow.create_slot('bad_api', two_phase => NULL);
-- (terse: the server words the hint for a missing function by major)
\set VERBOSITY terse
SELECT outflow.create_slot(42);
\set VERBOSITY default
SELECT outflow.drop_slot('');
SELECT 'init' FROM pg_create_logical_replication_slot('bad_td', 'test_decoding');
SELECT outflow.drop_slot('bad_td');
SELECT * FROM outflow.peek('bad_td');
SELECT pg_drop_replication_slot('bad_td');
SELECT * FROM outflow.peek('bad_slot', 'not an lsn');
SELECT * FROM outflow.peek('bad_slot', upto_nchanges => -1);
SELECT * FROM outflow.peek('bad_slot', upto_nchanges => 'x');
SELECT * FROM outflow.peek('bad_slot', options => '[]');
SELECT * FROM outflow.peek('bad_slot', options => '"actions"');
SELECT * FROM outflow.peek('bad_slot', options => 'null');
SELECT * FROM outflow.peek('bad_slot', options => '{"actions": ["insert"]}');
SELECT * FROM outflow.peek('bad_slot', options => '{"actions": {"insert": true}}');
SELECT * FROM outflow.peek('bad_slot', options => '{"actions": null}');
SELECT * FROM outflow.peek('bad_slot', options => '{"actions": 1}');
SELECT * FROM outflow.peek('bad_slot', options => '{"nope": true}');
SELECT * FROM outflow.peek('bad_slot', options => '{"format": "wal2json"}');
SELECT * FROM outflow.peek('bad_slot', options => '{"add-tables": "public.bad\\"}');
SELECT * FROM outflow.peek('bad_slot', options => '{"publication_names": "no_such_pub"}');
SELECT * FROM outflow.peek('bad_slot', options => '{"publication_names": 7}');
SELECT * FROM outflow.peek('bad_slot', options => '{"include-transaction": "sure"}');
SELECT * FROM outflow.peek('bad_slot', options => '{"include-transaction": 2}');
-- upto_lsn 0/0 is "no limit", as for pg_logical_slot_peek_changes()
SELECT change->>'table' AS t, change->'new' AS new FROM outflow.peek('bad_slot', options => '{"actions": "insert"}', upto_lsn => '0/0');
SELECT outflow.publish_table('', 'bad');
SELECT outflow.publish_table('bad_p', 'bad', '{NULL}');
SELECT outflow.publish_table('bad_p', 'bad', '{""}');
SELECT outflow.publish_table('bad_p', 'bad', actions => '{NULL}');
SELECT outflow.publish_table('bad_p', 'bad', actions => '{INSERT}');
SELECT outflow.publish_table('bad_p', 'bad', row_filter => '');
SELECT outflow.publish_table('bad_p', 'bad', row_filter => 'id >');
SELECT outflow.publish_table('bad_p', 'bad', row_filter => 'v::int > 1; DROP TABLE bad');
SELECT outflow.publish_table('bad_p', 'bad', row_filter => 'random() > 0.5');
SELECT outflow.publish_table('bad_p', 0);
SELECT outflow.publish_table('bad_p', '4000000000'::oid);
SELECT outflow.unpublish_table('bad_p', NULL);
SELECT outflow.unpublish_table('', 'bad');
SELECT * FROM outflow.publication_tables('');
SELECT * FROM outflow.snapshot('');
SELECT * FROM outflow.snapshot('no_such_pub', '{}');
CREATE PUBLICATION bad_pub2 FOR TABLE bad;
SELECT * FROM outflow.snapshot('bad_pub2', '[]');
SELECT * FROM outflow.snapshot('bad_pub2', '{"numeric-data-types-as-string": "maybe"}');
SELECT * FROM outflow.snapshot('bad_pub2', '{"nope": 1}');
SELECT * FROM outflow.snapshot('bad_pub2', '{"numeric-data-types-as-string": true}');
DROP PUBLICATION bad_pub2;
DROP PUBLICATION bad_p;
SELECT count(*) FROM pg_publication WHERE pubname LIKE 'bad\_%';
SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'bad\_api%' OR slot_name LIKE 'sss%';

-- after all that, the slot still streams the changes, once
SELECT * FROM changes('bad_slot');
SELECT * FROM changes('bad_slot');

-- a column whose type belongs to an extension or type dropped later: the
-- changes made before the drop are decoded with the type as it was then
CREATE EXTENSION citext;
CREATE EXTENSION hstore;
CREATE TYPE bad_mood AS ENUM ('ok', 'meh');
CREATE TYPE bad_pair AS (a int, b citext);
CREATE DOMAIN bad_dom AS hstore CHECK (VALUE IS NOT NULL);
CREATE TABLE bad_types (id int PRIMARY KEY, c citext, h hstore, m bad_mood, p bad_pair, d bad_dom, ca citext[]);
INSERT INTO bad_types VALUES (1, 'MiXed', 'a=>1, b=>NULL', 'meh', (2, 'Two'), 'k=>v', '{X,y}');
UPDATE bad_types SET c = 'changed' WHERE id = 1;
DROP TYPE bad_mood CASCADE;
INSERT INTO bad_types VALUES (2, 'after enum drop', 'x=>y', (3, 'Three'), 'k=>w', NULL);
DROP EXTENSION citext CASCADE;
INSERT INTO bad_types VALUES (3, 'z=>1', ROW(4), 'k=>x');
DROP EXTENSION hstore CASCADE;
INSERT INTO bad_types VALUES (4);
DELETE FROM bad_types WHERE id = 1;
-- read in a new session, which has loaded neither citext nor hstore
\c -
SET client_min_messages = warning;
SELECT * FROM peek1('format-version', '2');
SELECT * FROM changes('bad_slot');
-- DROP TYPE of a composite used by a column and an array column
CREATE TYPE bad_pair2 AS (a int, b text);
CREATE TABLE bad_types2 (id int PRIMARY KEY, p bad_pair2, ps bad_pair2[]);
INSERT INTO bad_types2 VALUES (1, (1, 'x'), ARRAY[(2, 'y')::bad_pair2]);
DROP TYPE bad_pair2 CASCADE;
INSERT INTO bad_types2 VALUES (2);
\c -
SET client_min_messages = warning;
SELECT * FROM changes('bad_slot', 'format', 'wal2json', 'include-types', 'on');
SELECT * FROM changes('bad_slot');

SELECT pg_drop_replication_slot('bad_slot');
DROP TABLE bad, bad2, bad_types, bad_types2;
DROP TYPE bad_pair;
DROP FUNCTION peek1(text[]), try_peek(text[]);
