-- wal2json formats: options, 2.6 behaviour where it differs from 2.5, and the
-- places where wal2json writes invalid JSON and we write valid JSON.
SET client_min_messages = warning;
\pset format unaligned
SET TimeZone = 'Asia/Kolkata';
SET DateStyle = 'Postgres, DMY';
SET extra_float_digits = 0;
SET IntervalStyle = 'sql_standard';

CREATE SCHEMA w2j_hidden;
CREATE TYPE "W2jType" AS ENUM ('x', 'y');
CREATE TYPE "w2j""q" AS ENUM ('z');
CREATE TYPE w2j_hidden."Hidden" AS ENUM ('h');
CREATE DOMAIN w2j_dom AS numeric(6,2) CHECK (VALUE > 0);
CREATE TABLE w2j_opt (
	id int PRIMARY KEY,
	i2 smallint, i8 bigint, o oid, f4 real, f8 float8, n numeric,
	by bytea, ts timestamptz, iv interval,
	qt "W2jType", qa "W2jType"[], qq "w2j""q", hid w2j_hidden."Hidden",
	d w2j_dom,
	dflt text DEFAULT 'it''s "quoted" \ here',
	seq bigint DEFAULT nextval(pg_get_serial_sequence('w2j_opt', 'id')),
	gen int GENERATED ALWAYS AS (i2 + 1) STORED,
	nn text NOT NULL DEFAULT 'n'
);
CREATE SEQUENCE "W2j Seq";
ALTER TABLE w2j_opt ALTER COLUMN seq SET DEFAULT nextval('"W2j Seq"');
CREATE TABLE w2j_dom_tab (id int PRIMARY KEY, d w2j_dom, n numeric(5,1), ts timestamp(3));
CREATE TABLE w2j_full_pk (a int, b text, c int, PRIMARY KEY (b, a));
ALTER TABLE w2j_full_pk REPLICA IDENTITY FULL;
CREATE TABLE w2j_index_pk (id int PRIMARY KEY, k int NOT NULL UNIQUE, v text);
ALTER TABLE w2j_index_pk REPLICA IDENTITY USING INDEX w2j_index_pk_k_key;

SELECT 'init' FROM pg_create_logical_replication_slot('w2j_opt', 'outflow_wal2json');

-- row 1's numeric 'Infinity' needs PostgreSQL 14 (13: an ERROR, expected/wal2json_options_1.out)
INSERT INTO w2j_opt (id, i2, i8, o, f4, f8, n, by, ts, iv, qt, qa, qq, hid, d)
VALUES (1, 1, -9223372036854775808, 4294967295, 'NaN', '-Infinity', 'Infinity', '\x00ffab',
	'2026-07-01 12:00:00+00', '1 day 2 hours', 'y', '{x,y}', 'z', 'h', 12.5);
INSERT INTO w2j_opt (id, f4, f8, n) VALUES (2, 1.5, 0.1, 1e-20);
INSERT INTO w2j_dom_tab VALUES (1, 99.5, 1.5, '2026-01-01 10:00:00.123');
INSERT INTO w2j_full_pk VALUES (1, 'one', 1);
UPDATE w2j_full_pk SET c = 2;
DELETE FROM w2j_full_pk;
INSERT INTO w2j_index_pk VALUES (1, 10, 'ten');
UPDATE w2j_index_pk SET k = 11;
DELETE FROM w2j_index_pk;

-- numeric-data-types-as-string (2.6): numbers, NaN and infinities as strings
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_opt',
	'numeric-data-types-as-string', '1', 'include-types', '0');
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_opt',
	'format-version', '2', 'numeric-data-types-as-string', '1', 'include-types', '0', 'include-transaction', '0');
-- type names: "W2jType" is printed as wal2json does; names wal2json would
-- print unescaped ("w2j""q", w2j_hidden."Hidden") are escaped as a whole;
-- default expressions with quotes and backslashes are escaped too
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_opt',
	'pretty-print', '1', 'include-default', '1', 'include-not-null', '1', 'include-column-positions', '1');
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_opt',
	'format-version', '2', 'include-default', '1', 'include-transaction', '0');
-- include-typmod off (format 1 only), domains replaced by their base type;
-- format 1 then also classifies the value by the base type (a number)
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_opt',
	'include-typmod', '0', 'include-domain-data-type', '1');
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_opt',
	'format-version', '2', 'include-domain-data-type', '1', 'include-transaction', '0');
-- type oids: format 1 shows the base type's oid when it shows the base type
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_dom_tab',
	'include-domain-data-type', '1', 'include-type-oids', '1');
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_dom_tab',
	'include-domain-data-type', '1', 'include-type-oids', '1', 'include-typmod', '0');
-- (without types the domain stays, and its oid is masked; optionals are then empty, as in wal2json)
SELECT regexp_replace(data, '([\[,])\d{5,}([,\]])', '\1U\2', 'g') FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL,
	'add-tables', 'public.w2j_dom_tab', 'include-domain-data-type', '1', 'include-type-oids', '1', 'include-types', '0',
	'include-not-null', '1');
SELECT regexp_replace(data, '"typeoid":\d{5,}', '"typeoid":U') FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL,
	'add-tables', 'public.w2j_dom_tab', 'format-version', '2', 'include-domain-data-type', '1', 'include-type-oids', '1',
	'include-transaction', '0');
-- bytea_output = escape: the whole escape-format text (wal2json drops two bytes)
SET bytea_output = 'escape';
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_opt',
	'format-version', '2', 'include-transaction', '0', 'actions', 'insert');
RESET bytea_output;
-- include-pk (2.6): the primary key also for REPLICA IDENTITY FULL and INDEX
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_full_pk,public.w2j_index_pk',
	'include-pk', '1');
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_full_pk,public.w2j_index_pk',
	'format-version', '2', 'include-pk', '1', 'include-transaction', '0');
-- transaction fields, masked
SELECT regexp_replace(regexp_replace(regexp_replace(data, '"xid": ?[0-9]+', '"xid":X', 'g'),
		'"(lsn|nextlsn)": ?"[0-9A-F]+/[0-9A-F]+"', '"\1":"L"', 'g'),
		'"timestamp": ?"[^"]+"', '"timestamp":"T"', 'g')
	FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_index_pk',
		'include-xids', '1', 'include-lsn', '1', 'include-timestamp', '1', 'include-origin', '1',
		'include-schemas', '0', 'include-types', '0');
SELECT regexp_replace(regexp_replace(regexp_replace(data, '"xid": ?[0-9]+', '"xid":X', 'g'),
		'"(lsn|nextlsn)": ?"[0-9A-F]+/[0-9A-F]+"', '"\1":"L"', 'g'),
		'"timestamp": ?"[^"]+"', '"timestamp":"T"', 'g')
	FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'add-tables', 'public.w2j_index_pk',
		'format-version', '2', 'include-xids', '1', 'include-lsn', '1', 'include-timestamp', '1',
		'include-origin', '1', 'include-schemas', '0', 'include-types', '0');
-- commit timestamps follow the session's TimeZone, as in wal2json
SELECT count(*) FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'format-version', '2',
	'include-timestamp', '1') WHERE data ~ '"timestamp":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+05:30"';
-- partition-root (wal2json 2.6): a partition's changes under the name of the
-- partition tree's root, also for add-tables/filter-tables; the columns stay the partition's
SELECT 'init' FROM pg_create_logical_replication_slot('w2j_pr', 'outflow_wal2json');
CREATE TABLE w2j_pr (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE w2j_pr_eu PARTITION OF w2j_pr FOR VALUES IN ('eu') PARTITION BY RANGE (id);
CREATE TABLE w2j_pr_eu_low PARTITION OF w2j_pr_eu FOR VALUES FROM (0) TO (100);
CREATE TABLE w2j_pr_us (v int, region text, id int, PRIMARY KEY (id, region));
ALTER TABLE w2j_pr ATTACH PARTITION w2j_pr_us FOR VALUES IN ('us');
INSERT INTO w2j_pr VALUES (1, 'eu', 10), (2, 'us', 20);
UPDATE w2j_pr SET v = 11 WHERE id = 1;
TRUNCATE w2j_pr_us;
ALTER TABLE w2j_pr RENAME TO w2j_pr_renamed;
INSERT INTO w2j_pr_renamed VALUES (3, 'eu', 30);
SELECT data FROM pg_logical_slot_peek_changes('w2j_pr', NULL, NULL, 'format-version', '2', 'include-transaction', '0');
SELECT data FROM pg_logical_slot_peek_changes('w2j_pr', NULL, NULL, 'format-version', '2', 'include-transaction', '0',
	'partition-root', '1');
SELECT data FROM pg_logical_slot_peek_changes('w2j_pr', NULL, NULL, 'partition-root', '1', 'include-empty-transactions', '0');
SELECT data FROM pg_logical_slot_peek_changes('w2j_pr', NULL, NULL, 'format-version', '2', 'include-transaction', '0',
	'partition-root', '1', 'add-tables', 'public.w2j_pr');
SELECT data FROM pg_logical_slot_peek_changes('w2j_pr', NULL, NULL, 'format-version', '2', 'include-transaction', '0',
	'partition-root', '1', 'filter-tables', 'public.w2j_pr*');
SELECT data FROM pg_logical_slot_peek_changes('w2j_pr', NULL, NULL, 'format-version', '2', 'include-transaction', '0',
	'partition-root', '0', 'add-tables', 'public.w2j_pr');
SELECT data FROM pg_logical_slot_peek_changes('w2j_pr', NULL, NULL, 'format', 'native', 'partition-root', '1');
SELECT pg_drop_replication_slot('w2j_pr');
DROP TABLE w2j_pr_renamed;
-- bad format versions
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'format-version', '3');
SELECT data FROM pg_logical_slot_peek_changes('w2j_opt', NULL, NULL, 'format-version', '0');

SELECT pg_drop_replication_slot('w2j_opt');
DROP TABLE w2j_opt, w2j_dom_tab, w2j_full_pk, w2j_index_pk;
DROP SEQUENCE "W2j Seq";
DROP TYPE "W2jType", "w2j""q";
DROP DOMAIN w2j_dom;
DROP SCHEMA w2j_hidden CASCADE;
