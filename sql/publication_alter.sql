-- publication_names while publications change: ALTER PUBLICATION ADD/DROP/SET
-- TABLE, changed filters and column lists, changed publish actions, schemas
-- added: each takes effect at its point in the stream (the decoder looks the
-- publications up as of each change, through cache invalidation), also inside
-- one transaction and with changes before and after in one read.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE SCHEMA puba_s;
CREATE TABLE puba_a (id int PRIMARY KEY, n int, secret text);
CREATE TABLE puba_b (id int PRIMARY KEY);
CREATE TABLE puba_s.c (id int PRIMARY KEY);
CREATE PUBLICATION puba FOR TABLE puba_b;
SELECT 'init' FROM pg_create_logical_replication_slot('puba_slot', 'outflow');

INSERT INTO puba_a VALUES (1, 1, 'x');                       -- not published yet
INSERT INTO puba_b VALUES (1);
ALTER PUBLICATION puba ADD TABLE puba_a;
INSERT INTO puba_a VALUES (2, 2, 'x');                       -- all columns
BEGIN;
INSERT INTO puba_a VALUES (3, 3, 'x');                       -- all columns
ALTER PUBLICATION puba SET TABLE puba_a (id, n) WHERE (id > 3);
INSERT INTO puba_a VALUES (4, 4, 'x');                       -- id, n
INSERT INTO puba_a VALUES (0, 0, 'x');                       -- filtered out
COMMIT;
INSERT INTO puba_b VALUES (5);                               -- puba_b left the publication
ALTER PUBLICATION puba SET TABLE puba_a (id, n) WHERE (id > 4);
INSERT INTO puba_a VALUES (5, 5, 'x'), (-5, -5, 'x');        -- the new filter: 5 only
ALTER PUBLICATION puba SET (publish = 'update');
INSERT INTO puba_a VALUES (7, 7, 'x');                       -- inserts no longer published
UPDATE puba_a SET n = 70 WHERE id = 7;
ALTER PUBLICATION puba SET (publish = 'insert, update, delete, truncate');
ALTER PUBLICATION puba DROP TABLE puba_a;
UPDATE puba_a SET n = 71 WHERE id = 7;                       -- no longer published
ALTER PUBLICATION puba ADD TABLES IN SCHEMA puba_s;
INSERT INTO puba_s.c VALUES (1);
TRUNCATE puba_a, puba_s.c;                                   -- puba_s.c only
SELECT * FROM changes('puba_slot', 'publication_names', 'puba');

-- a publication dropped while the slot streams: the first change after it is an error
INSERT INTO puba_s.c VALUES (2);
DROP PUBLICATION puba;
INSERT INTO puba_s.c VALUES (3);
\set SHOW_CONTEXT never
SELECT * FROM changes('puba_slot', 'publication_names', 'puba');
\set SHOW_CONTEXT errors
-- a publication is looked up as of each change: one created after the changes does not count
CREATE PUBLICATION puba FOR ALL TABLES;
\set SHOW_CONTEXT never
SELECT count(*) FROM pg_logical_slot_peek_changes('puba_slot', NULL, NULL, 'publication_names', 'puba');
\set SHOW_CONTEXT errors
SELECT pg_drop_replication_slot('puba_slot');
SELECT 'init' FROM pg_create_logical_replication_slot('puba_slot', 'outflow');
INSERT INTO puba_s.c VALUES (4);
SELECT * FROM changes('puba_slot', 'publication_names', 'puba');
SELECT pg_drop_replication_slot('puba_slot');

DROP PUBLICATION puba;
DROP TABLE puba_a, puba_b, puba_s.c;
DROP SCHEMA puba_s;
