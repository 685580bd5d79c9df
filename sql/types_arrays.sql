-- Native values: arrays as JSON arrays of their elements' values, nested by
-- dimension; NULL elements are null, empty arrays [], lower bounds ignored.
SET client_min_messages = warning;
CREATE TYPE ta_pair AS (k text, v int);
CREATE DOMAIN ta_pos AS int CHECK (VALUE > 0);
CREATE TABLE ta (id int PRIMARY KEY, i int[], t text[], n numeric[], b bool[], f float4[], ts timestamptz[],
                 u uuid[], by bytea[], p ta_pair[], dp ta_pos[], r int4range[], pt point[], vec int2vector);
SELECT 'init' FROM pg_create_logical_replication_slot('types_arrays', 'outflow');
SET TimeZone = 'UTC';
INSERT INTO ta VALUES
  (1, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', ''),
  (2, '{1,NULL,3}', '{a,NULL,"NULL",""}', '{1.50,NaN}', '{t,f,NULL}', '{1.5,NaN,-0}',
      '{"2024-01-01 00:00+00",NULL,infinity}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', '{"\\x00",NULL,"\\x"}',
      ARRAY[ROW('a', 1), NULL, ROW(NULL, NULL)]::ta_pair[], '{1,2}', '{"[1,3)",empty,NULL}',
      '{"(1,2)","(0.5,-1e-5)"}', '1 2 3'),
  (3, '{{1,2,3},{4,5,6}}', '{{a,b},{c,NULL}}', '{{1},{2}}', '{{{t}}}', '{{1},{2}}',
      '{{"2024-01-01 00:00+00"},{"2024-06-01 00:00+00"}}', NULL, NULL,
      ARRAY[[ROW('x', 1)::ta_pair], [ROW('y', 2)::ta_pair]], '{{1},{2}}', NULL, NULL, NULL),
  (4, '{{{1,2},{3,4}},{{5,6},{7,8}}}', '[0:1]={x,y}', '[-5:-4]={1,2}', NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, NULL),
  (5, '{{NULL,NULL},{NULL,NULL}}', '{{"",""}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
-- numeric infinities exist from PostgreSQL 14 (13: an ERROR, expected/types_arrays_1.out)
INSERT INTO ta (id, n) VALUES (6, '{1.50,NaN,-Infinity,Infinity}');
SET TimeZone = 'America/New_York';
SET extra_float_digits = 0;
SELECT substring(data FROM '"new":(.*)}$') AS new
  FROM pg_logical_slot_get_changes('types_arrays', NULL, NULL);
RESET TimeZone;
RESET extra_float_digits;
SELECT 'dropped' FROM pg_drop_replication_slot('types_arrays');
DROP TABLE ta;
DROP DOMAIN ta_pos;
DROP TYPE ta_pair;
