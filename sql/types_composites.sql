-- Native values: composites as objects of their live attributes (dropped ones
-- skipped), nested composites and arrays inside them, domains as their base
-- type, enums as their label.
SET client_min_messages = warning;
CREATE TYPE tc_mood AS ENUM ('sad', 'ok', 'very "happy"', 'ñ');
CREATE TYPE tc_addr AS (street text, zip int, geo point);
CREATE TYPE tc_person AS (name text, gone int, born date, addr tc_addr, tags text[], mood tc_mood, seen timestamptz);
ALTER TYPE tc_person DROP ATTRIBUTE gone;
CREATE DOMAIN tc_email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN tc_pos AS int CHECK (VALUE > 0);
CREATE DOMAIN tc_pos2 AS tc_pos;
CREATE DOMAIN tc_dperson AS tc_person;
CREATE DOMAIN tc_ints AS int[];
CREATE TABLE tc (id int PRIMARY KEY, p tc_person, dp tc_dperson, e tc_email, pos tc_pos2, ints tc_ints,
                 mood tc_mood, moods tc_mood[], rec_arr tc_addr[]);
SELECT 'init' FROM pg_create_logical_replication_slot('types_composites', 'outflow');
SET TimeZone = 'UTC';
INSERT INTO tc VALUES
  (1, ROW('Ann', '1990-05-01', ROW('Main St 1', 12345, '(1.5,2)'), '{a,b}', 'ok', '2024-01-01 12:00+00'),
      ROW('Bob', NULL, NULL, '{}', 'ñ', NULL), 'a@b.c', 3, '{1,2}', 'very "happy"', '{sad,NULL,ñ}',
      ARRAY[ROW('x', 1, NULL)::tc_addr]),
  (2, ROW(NULL, NULL, NULL, NULL, NULL, NULL), NULL, NULL, NULL, '{}', NULL, '{}', '{}');
-- a column added to the composite type after the slot was made
ALTER TYPE tc_addr ADD ATTRIBUTE country text;
INSERT INTO tc VALUES (3, ROW('Cy', NULL, ROW('Side St', 1, NULL, 'NP'), NULL, 'sad', NULL), NULL, NULL, NULL, NULL,
                       'sad', NULL, ARRAY[ROW('y', 2, '(0,0)', 'IS')::tc_addr]);
SET TimeZone = 'Pacific/Chatham';
SET DateStyle = 'Postgres, DMY';
SELECT substring(data FROM '"new":(.*)}$') AS new
  FROM pg_logical_slot_get_changes('types_composites', NULL, NULL);
RESET TimeZone;
RESET DateStyle;
SELECT 'dropped' FROM pg_drop_replication_slot('types_composites');
DROP TABLE tc;
DROP DOMAIN tc_ints, tc_dperson, tc_pos2, tc_pos, tc_email;
DROP TYPE tc_person, tc_addr, tc_mood;
