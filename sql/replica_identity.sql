-- key and old under each REPLICA IDENTITY mode.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE ri_default (id int PRIMARY KEY, a text, b int);
CREATE TABLE ri_nopk (a text, b int);
CREATE TABLE ri_index (id int NOT NULL, code text NOT NULL, v text);
CREATE UNIQUE INDEX ri_index_code ON ri_index (code);
ALTER TABLE ri_index REPLICA IDENTITY USING INDEX ri_index_code;
CREATE TABLE ri_full (id int PRIMARY KEY, a text, b int);
ALTER TABLE ri_full REPLICA IDENTITY FULL;
CREATE TABLE ri_full_nopk (a text, b int);
ALTER TABLE ri_full_nopk REPLICA IDENTITY FULL;
CREATE TABLE ri_nothing (id int PRIMARY KEY, a text);
ALTER TABLE ri_nothing REPLICA IDENTITY NOTHING;
SELECT 'init' FROM pg_create_logical_replication_slot('ri_slot', 'outflow');

-- DEFAULT: key from the primary key; old only when the key changed
INSERT INTO ri_default VALUES (1, 'x', 1);
UPDATE ri_default SET a = 'y';
UPDATE ri_default SET id = 2;
DELETE FROM ri_default;
-- DEFAULT without a primary key: inserts only (updates would fail)
INSERT INTO ri_nopk VALUES ('p', 1);
-- USING INDEX: key is the index's columns
INSERT INTO ri_index VALUES (1, 'c1', 'v');
UPDATE ri_index SET v = 'w';
UPDATE ri_index SET code = 'c2';
DELETE FROM ri_index;
-- FULL: old is the whole row, key the primary key
INSERT INTO ri_full VALUES (1, 'x', 1);
UPDATE ri_full SET a = 'y';
DELETE FROM ri_full;
-- FULL without a primary key: no key, old is the whole row
INSERT INTO ri_full_nopk VALUES ('x', 1);
UPDATE ri_full_nopk SET b = 2;
DELETE FROM ri_full_nopk;
-- NOTHING: key from the new row where there is one, no old
INSERT INTO ri_nothing VALUES (1, 'x');
UPDATE ri_nothing SET a = 'y';
DELETE FROM ri_nothing;
SELECT * FROM changes('ri_slot');

SELECT pg_drop_replication_slot('ri_slot');
DROP TABLE ri_default, ri_nopk, ri_index, ri_full, ri_full_nopk, ri_nothing;
