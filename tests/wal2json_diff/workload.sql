-- Workload for tests/tap/t/015_wal2json_diff.pl: decoded by wal2json and by outflow
-- from two slots created at the same point. Deterministic apart from xids,
-- LSNs and commit timestamps, which are the same for both slots.

-- numeric has infinities from PostgreSQL 14 on; before that NaN stands in.
SELECT CASE WHEN current_setting('server_version_num')::int >= 140000 THEN 'Infinity' ELSE 'NaN' END AS num_inf,
	CASE WHEN current_setting('server_version_num')::int >= 140000 THEN '-Infinity' ELSE 'NaN' END AS num_ninf \gset

CREATE SCHEMA "Odd Schema";
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN shortvc AS varchar(10);
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE "MyEnum" AS ENUM ('a', 'b');
CREATE TYPE pair AS (x integer, y text);

CREATE TABLE t_types (
	id serial PRIMARY KEY,
	i2 int2, i4 int4, i8 int8, o oid,
	f4 float4, f8 float8, n numeric, n2 numeric(10,3),
	b bool, t text, vc varchar(20), c char(5), bin bytea,
	ts timestamp, tstz timestamptz, d date, tm time, tmtz timetz, iv interval,
	j json, jb jsonb, ia int[], ta text[], u uuid, ip inet, pt point,
	"MixedCase" text, dom posint, dvc shortvc, e mood, qe "MyEnum", qea "MyEnum"[], pr pair,
	bits bit varying(8), nn text NOT NULL DEFAULT 'x'
);

INSERT INTO t_types (i2, i4, i8, o, f4, f8, n, n2, b, t, vc, c, bin, ts, tstz, d, tm, tmtz, iv, j, jb, ia, ta, u, ip, pt,
	"MixedCase", dom, dvc, e, qe, qea, pr, bits)
VALUES
	(1, 2, 3, 4, 1.5, 0.1, 123.456, 7.5, true, 'plain', 'vc', 'ab', '\x00ff10'::bytea,
	 '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678+00', '2026-02-28', '12:34:56', '12:34:56+02', '1 day 02:03:04',
	 '{"a": [1, 2, {"b": null}]}', '{"k": "v", "n": 1.50}', '{1,2,NULL}', '{"q\"uote","back\\slash",NULL}',
	 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24', '(1.5,-2)',
	 'mc', 5, 'short', 'happy', 'b', '{a,b}', '(1,"x y")', B'1010'),
	(-32768, -2147483648, -9223372036854775808, 0, 'NaN', 'Infinity', 'NaN', -0.001, false,
	 E'quote " backslash \\ tab \t nl \n cr \r bs \b ff \f ctl \x01 \x1f del \x7f',
	 'é日本🙂', 'x', ''::bytea,
	 'infinity', '-infinity', '0001-01-01 BC', '00:00', '00:00+00', '-1 year -2 mons +3 days -04:05:06.7',
	 '"str"', '[]', '{}', '{}', NULL, '::1', NULL,
	 NULL, NULL, NULL, 'sad', 'a', '{}', NULL, B''),
	(32767, 2147483647, 9223372036854775807, 4294967295, '-Infinity', '-Infinity', :'num_inf', NULL, NULL,
	 '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'null', 'null', NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(0, 0, 0, 1, 3.4028235e+38, 1.7976931348623157e+308, :'num_ninf', 1e6, true,
	 'unicode \u00e9', '', '', '\x'::bytea, '2000-02-29 23:59:59.999999', '1999-12-31 23:30:00-05', '2000-01-01',
	 '23:59:59.999999', '23:59:59-11:30', '0', '1e10', '1e10', '{{1,2},{3,4}}', '{"","NULL"}', NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, '(,)', NULL),
	(NULL, NULL, NULL, NULL, 1e-45, 5e-324, 0.000000001, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE t_types2 (id int PRIMARY KEY, m money, r int4range, tr tstzrange, dr daterange, nr numrange,
	mac macaddr, cid cidr, tsv tsvector, tsq tsquery, ch "char", nm name, rc regclass, rt regtype,
	tsa timestamptz[], ia2 int2[], na numeric[], fa float8[], ba bool[], ja jsonb[], x xml, ivs interval[],
	tm time(2), ts0 timestamp(0), vb varbit, bx box, ln line, ci circle, pg polygon, pth path, ls lseg);
INSERT INTO t_types2 VALUES
	(1, 12.34, '[1,10)', '[2026-01-01 00:00+00,2026-06-01 12:30+02)', '[2026-01-01,2026-02-01)', '(1.5,2.5]',
	 '08:00:2b:01:02:03', '10.0.0.0/8', 'a fat cat', 'fat & cat', 'x', 'a name', 't_types', 'double precision',
	 '{"2026-01-01 00:00:00+00","2026-07-01 12:00:00+05"}', '{1,-2}', '{1.5,NaN,-0}', '{0.1,1e300,-Infinity}',
	 '{t,f,NULL}', ARRAY['{"a":1}'::jsonb, '[]'], '<a x="1">t</a>', '{1 day,-2 hours}',
	 '12:34:56.789', '2026-01-01 10:00:00.6', B'101', '((0,0),(1,1))', '{1,-1,0}', '<(0,0),1>', '((0,0),(1,0),(0,1))',
	 '[(0,0),(1,1)]', '[(0,0),(2,2)]'),
	(2, -0.5, 'empty', '(,)', NULL, 'empty', NULL, NULL, '', NULL, E'\\', 'x"y', 'pg_class', 'int4',
	 '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE t_types2 SET m = m * 2, tr = '[2026-03-29 00:30+00,)';

-- The edges of outflow's direct renderings of array_out (text and varchar
-- arrays) and of timestamp_out/timestamptz_out under DateStyle ISO.
CREATE TABLE t_fast (id int PRIMARY KEY, ta text[], va varchar(10)[], ts timestamp, tstz timestamptz);
INSERT INTO t_fast VALUES
	(1, '{"a b","c,d","{x}","",NULL,"null","NuLL","tab\there"}', '{"x y",z}', '2026-07-01 12:00:00',
	 '2026-07-01 12:00:00.5+00'),
	(2, '[0:1]={a,b}', '[2:3]={c,d}', '1999-12-31 23:59:59.000001', '1900-01-01 00:00:00+00'),
	(3, '{{a,b},{c,d}}', '{}', '0001-01-01 00:00:00', '0044-03-15 12:00:00+00 BC'),
	(4, ARRAY[E'nl\nx', E'cr\rx', E'vt\x0bx', E'ff\fx', 'q"x', E'b\\x', '}', '{', ' '], ARRAY[]::varchar[],
	 '9999-12-31 23:59:59.999999', '9999-12-31 23:00:00+00'),
	(5, ARRAY['é日本', NULL, ''], ARRAY[NULL]::varchar[], '2000-01-01 00:00:00 BC', '0001-01-01 00:00:00+00'),
	(6, NULL, NULL, 'infinity', '-infinity');

UPDATE t_types SET t = 'updated', f8 = 2.5 WHERE id = 1;
UPDATE t_types SET id = 100 WHERE id = 2;
DELETE FROM t_types WHERE id = 3;

-- Replica identities.
CREATE TABLE t_full (id int PRIMARY KEY, a text, b int);
ALTER TABLE t_full REPLICA IDENTITY FULL;
CREATE TABLE t_nothing (id int PRIMARY KEY, a text);
ALTER TABLE t_nothing REPLICA IDENTITY NOTHING;
CREATE TABLE t_nopk (a int, b text);
CREATE TABLE t_index (id int PRIMARY KEY, k int NOT NULL, v text);
CREATE UNIQUE INDEX t_index_k ON t_index (k);
ALTER TABLE t_index REPLICA IDENTITY USING INDEX t_index_k;
CREATE TABLE t_multi (a int, b text, c int, PRIMARY KEY (b, a));

BEGIN;
INSERT INTO t_full VALUES (1, 'one', 1), (2, NULL, 2), (3, 'three', NULL);
INSERT INTO t_nothing VALUES (1, 'one'), (2, 'two');
INSERT INTO t_nopk VALUES (1, 'one'), (2, 'two');
INSERT INTO t_index VALUES (1, 10, 'ten'), (2, 20, 'twenty');
INSERT INTO t_multi VALUES (1, 'k1', 1), (2, 'k2', 2);
COMMIT;

BEGIN;
UPDATE t_full SET a = 'uno' WHERE id = 1;
UPDATE t_full SET id = 20 WHERE id = 2;
DELETE FROM t_full WHERE id = 3;
UPDATE t_nothing SET a = 'uno' WHERE id = 1;
DELETE FROM t_nothing WHERE id = 2;
UPDATE t_nopk SET b = 'uno' WHERE a = 1;
DELETE FROM t_nopk WHERE a = 2;
UPDATE t_index SET v = 'TEN' WHERE id = 1;
UPDATE t_index SET k = 11 WHERE id = 1;
UPDATE t_index SET id = 3 WHERE id = 2;
DELETE FROM t_index WHERE id = 3;
UPDATE t_multi SET c = 10 WHERE a = 1;
UPDATE t_multi SET b = 'k1b' WHERE a = 1;
DELETE FROM t_multi WHERE a = 2;
COMMIT;

-- A transaction with only skipped changes (no identity): empty in outflow.
UPDATE t_nothing SET a = 'again' WHERE id = 1;

-- TOAST: unchanged out-of-line values are left out of UPDATEs.
CREATE TABLE t_toast (id int PRIMARY KEY, big text, other int, big2 text);
ALTER TABLE t_toast ALTER COLUMN big SET STORAGE EXTERNAL;
INSERT INTO t_toast SELECT 1, string_agg(md5(i::text), ''), 1, 'small' FROM generate_series(1, 300) i;
INSERT INTO t_toast SELECT 2, 'small', 2, string_agg(md5(i::text), ',') FROM generate_series(1, 400) i;
UPDATE t_toast SET other = 10 WHERE id = 1;
UPDATE t_toast SET other = 20, big = 'now small' WHERE id = 2;
UPDATE t_toast SET id = 3 WHERE id = 1;
DELETE FROM t_toast WHERE id = 2;
CREATE TABLE t_toast_full (id int PRIMARY KEY, big text, other int);
ALTER TABLE t_toast_full REPLICA IDENTITY FULL;
ALTER TABLE t_toast_full ALTER COLUMN big SET STORAGE EXTERNAL;
INSERT INTO t_toast_full SELECT 1, string_agg(md5(i::text), ''), 1 FROM generate_series(1, 300) i;
UPDATE t_toast_full SET other = 2;
DELETE FROM t_toast_full;

-- Defaults, generated columns, dropped columns, odd names.
CREATE TABLE "Odd Schema"."Tab""le" (
	id bigint PRIMARY KEY,
	"col ""q""" text DEFAULT 'dflt',
	n int DEFAULT 42,
	g int GENERATED ALWAYS AS (n * 2) STORED,
	ts timestamptz DEFAULT now(),
	gone int
);
ALTER TABLE "Odd Schema"."Tab""le" DROP COLUMN gone;
INSERT INTO "Odd Schema"."Tab""le" (id, "col ""q""", ts) VALUES (1, 'v1', '2026-03-04 05:06:07+00');
INSERT INTO "Odd Schema"."Tab""le" (id, n, ts) VALUES (2, NULL, NULL);
-- (A default with quotes, such as nextval('"Odd Schema"...'), would be
-- written unescaped by wal2json: see sql/wal2json_options.sql.)
CREATE TABLE t_defaults (id bigserial PRIMARY KEY, a text DEFAULT 'a' || 'b', b numeric(5,2) DEFAULT 1.5,
	c date DEFAULT '2020-01-01', d int[] DEFAULT '{1,2}', e bool DEFAULT true);
INSERT INTO t_defaults DEFAULT VALUES;
INSERT INTO t_defaults (a, b, c, d, e) VALUES (NULL, NULL, NULL, NULL, NULL);
UPDATE "Odd Schema"."Tab""le" SET n = 7 WHERE id = 1;

-- Multi-statement transaction with savepoints and messages.
BEGIN;
INSERT INTO t_multi VALUES (3, 'k3', 3);
SELECT pg_logical_emit_message(true, 'pfx', 'transactional "msg" with \ and
newline é');
SAVEPOINT s1;
INSERT INTO t_multi VALUES (4, 'k4', 4);
ROLLBACK TO SAVEPOINT s1;
SAVEPOINT s2;
INSERT INTO t_multi VALUES (5, 'k5', 5);
RELEASE SAVEPOINT s2;
SELECT pg_logical_emit_message(false, 'nontx', 'non-transactional in a transaction');
SELECT pg_logical_emit_message(true, 'bin', '\x01020300'::bytea::text);
COMMIT;
SELECT pg_logical_emit_message(false, 'nontx "q"', E'alone\ttab');
SELECT pg_logical_emit_message(true, 'tx', 'alone transactional');

-- Truncate: one table, then several (format 1 shows nothing for it).
TRUNCATE t_nopk;
BEGIN;
INSERT INTO t_full VALUES (50, 'fifty', 50);
TRUNCATE t_full, t_multi;
INSERT INTO t_multi VALUES (9, 'k9', 9);
COMMIT;

-- A replication origin.
SELECT pg_replication_origin_create('w2j_origin');
SELECT pg_replication_origin_session_setup('w2j_origin');
INSERT INTO t_multi VALUES (10, 'k10', 10);
SELECT pg_replication_origin_session_reset();

-- A bigger transaction.
INSERT INTO t_multi SELECT i, 'bulk' || i, i FROM generate_series(100, 400) i;

-- Schema changes between (and inside) transactions.
CREATE TABLE t_alter (id int PRIMARY KEY, a text);
INSERT INTO t_alter VALUES (1, 'a');
ALTER TABLE t_alter ADD COLUMN b int DEFAULT 5;
INSERT INTO t_alter VALUES (2, 'b', 6);
UPDATE t_alter SET a = 'aa' WHERE id = 1;
ALTER TABLE t_alter RENAME COLUMN a TO a2;
ALTER TABLE t_alter ALTER COLUMN b TYPE bigint;
INSERT INTO t_alter VALUES (3, 'c', 7);
BEGIN;
INSERT INTO t_alter VALUES (4, 'd', 8);
ALTER TABLE t_alter ADD COLUMN c text DEFAULT 'cc', DROP COLUMN a2;
INSERT INTO t_alter VALUES (5, 9, 'e');
UPDATE t_alter SET c = 'changed' WHERE id = 1;
DELETE FROM t_alter WHERE id = 2;
COMMIT;
-- replica identity changed inside a transaction
CREATE TABLE t_ri_change (id int PRIMARY KEY, a text);
INSERT INTO t_ri_change VALUES (1, 'a'), (2, 'b');
BEGIN;
UPDATE t_ri_change SET a = 'aa' WHERE id = 1;
ALTER TABLE t_ri_change REPLICA IDENTITY FULL;
UPDATE t_ri_change SET a = 'bb' WHERE id = 2;
DELETE FROM t_ri_change WHERE id = 1;
COMMIT;

-- Partitions: changes arrive under the partition's name.
CREATE TABLE t_part (id int PRIMARY KEY, k text) PARTITION BY RANGE (id);
CREATE TABLE t_part_1 PARTITION OF t_part FOR VALUES FROM (0) TO (100);
CREATE TABLE t_part_2 PARTITION OF t_part FOR VALUES FROM (100) TO (200);
INSERT INTO t_part VALUES (1, 'a'), (150, 'b');
UPDATE t_part SET id = 160 WHERE id = 1;
UPDATE t_part SET k = 'bb' WHERE id = 150;
DELETE FROM t_part WHERE id = 150;

-- jsonb written from its stored form: raw scalars, empty and nested
-- containers, escapes inside keys and strings, more than 32 keys or elements
-- (entries that hold offsets), numerics of every shape, a compressed value.
CREATE TABLE t_jsonb (id int PRIMARY KEY, j jsonb, ja jsonb[]);
INSERT INTO t_jsonb VALUES
	(1, '"s"', NULL), (2, '-1.50', NULL), (3, 'true', NULL), (4, 'null', NULL), (5, '{}', '{}'), (6, '[]', NULL),
	(7, '{"q\"k\\": "tab\t nl\n cr\r bs\b ff\f \u0001 \u001f \"x\" \\\\", "é日本🙂": [[], {}, [[]], {"x": {}}]}',
	 ARRAY['{"a\"b": "c\\d"}'::jsonb, '"\n"']),
	(8, '[0, -0, 1e20, 1e-20, 0.000001, -123456789012345678901234567890.123456789, 10000, 1.0000]', NULL),
	(9, (SELECT jsonb_object_agg('k' || g, CASE g % 4 WHEN 0 THEN to_jsonb(g) WHEN 1 THEN to_jsonb('v' || g)
	     WHEN 2 THEN jsonb_build_array(g, null, g % 3 = 0) ELSE jsonb_build_object('n', g * 1.25) END)
	     FROM generate_series(1, 70) g), NULL),
	(10, (SELECT jsonb_agg(repeat('s"', g % 5) || g) FROM generate_series(1, 100) g), NULL),
	(11, (SELECT jsonb_object_agg(md5(g::text), repeat(md5(g::text), 20)) FROM generate_series(1, 200) g), NULL);
UPDATE t_jsonb SET ja = ARRAY[j, '1'] WHERE id IN (2, 9);
-- Arrays stored out of line (TOAST pointers, which decoding turns into
-- indirect ones), and short ones kept inline.
CREATE TABLE t_arrays (id int PRIMARY KEY, ta text[], ja jsonb[]);
ALTER TABLE t_arrays ALTER ta SET STORAGE EXTERNAL, ALTER ja SET STORAGE EXTERNAL;
INSERT INTO t_arrays VALUES
	(1, (SELECT array_agg(md5(g::text) || CASE WHEN g % 7 = 0 THEN ' "q"' ELSE '' END) FROM generate_series(1, 400) g),
	 (SELECT array_agg(jsonb_build_object('k', g)) FROM generate_series(1, 300) g)),
	(2, '{a,"b c"}', '{"[1]"}');
UPDATE t_arrays SET id = id + 10;
