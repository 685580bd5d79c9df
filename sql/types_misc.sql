-- Native values: everything else is its output function's text as a JSON
-- string, produced under the fixed settings (DateStyle, TimeZone and
-- extra_float_digits matter for ranges of times and for geometric types);
-- a non-built-in type with a cast to json (hstore) goes through the cast.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE TYPE tm_floatrange AS RANGE (subtype = float8);
CREATE TABLE tm (id int PRIMARY KEY,
  r_int int4range, r_num numrange, r_date daterange, r_ts tsrange, r_tstz tstzrange, r_float tm_floatrange,
  g_point point, g_line line, g_lseg lseg, g_box box, g_path path, g_polygon polygon, g_circle circle,
  n_inet inet, n_cidr cidr, n_mac macaddr, n_mac8 macaddr8,
  m money, bits bit(4), vbits varbit, tsv tsvector, tsq tsquery, x xml, o oid, lsn pg_lsn, jp jsonpath,
  h hstore);
-- multiranges exist from PostgreSQL 14 (13: ERRORs, expected/types_misc_2.out)
CREATE TABLE tm_mr (id int PRIMARY KEY, mr_int int4multirange, mr_tstz tstzmultirange);
SELECT 'init' FROM pg_create_logical_replication_slot('types_misc', 'outflow');
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET extra_float_digits = 1;
INSERT INTO tm VALUES
  (1, '[1,10)', '[1.5,2.50]', '[2024-01-01,2024-02-01)', '[2024-01-01 10:00,2024-01-01 11:30)',
      '[2024-01-01 10:00+02,infinity)', '[0.1,0.30000000000000004)',
      '(0.1,-2.5)', '{1,-1,0.3}', '[(0,0),(1.1,2.2)]', '((0,0),(1,1))', '[(0,0),(1,1),(2,0)]',
      '((0,0),(1,1),(2,0))', '<(1,2),0.1>',
      '192.168.1.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
      '12.34', B'1010', B'101', 'a fat cat', 'fat & (cat | !rat)', '<a b="1">x &amp; "y"</a>', 4294967295,
      '16/B374D848', '$.a[*] ? (@ > 1)', 'a=>1, "b c"=>NULL, "q\"t"=>"v"'),
  (2, 'empty', '(,)', '[2024-01-01,infinity)', '(,)', 'empty', '(-Infinity,Infinity)',
      '(NaN,-0)', NULL, NULL, NULL, NULL, NULL, '<(1e300,-1e-300),0>',
      '::1', '::/0', NULL, NULL, '-92233720368547758.08', NULL, B'', '', NULL, NULL, 0, '0/0', '$', '');
INSERT INTO tm_mr VALUES (1, '{[1,3),[5,7)}', '{[2024-01-01 00:00+00,2024-01-02 00:00+00)}'), (2, '{}', '{}');
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';
SET extra_float_digits = 0;
SELECT substring(data FROM '"new":(.*)}$') AS new
  FROM pg_logical_slot_get_changes('types_misc', NULL, NULL);
RESET TimeZone;
RESET DateStyle;
RESET extra_float_digits;
SELECT 'dropped' FROM pg_drop_replication_slot('types_misc');
DROP TABLE tm;
DROP TABLE tm_mr;
DROP TYPE tm_floatrange;
