-- Table definitions that change between changes: each change is rendered
-- with the columns it was written with.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE evolving (id int PRIMARY KEY, a text);
SELECT 'init' FROM pg_create_logical_replication_slot('ddl_slot', 'outflow');

BEGIN;
INSERT INTO evolving VALUES (1, 'before');
ALTER TABLE evolving ADD COLUMN b int DEFAULT 7;
INSERT INTO evolving VALUES (2, 'added', 8);
ALTER TABLE evolving RENAME COLUMN a TO a_renamed;
INSERT INTO evolving VALUES (3, 'renamed', 9);
ALTER TABLE evolving DROP COLUMN b;
INSERT INTO evolving VALUES (4, 'dropped');
COMMIT;
ALTER TABLE evolving ADD COLUMN c text;
UPDATE evolving SET c = 'new column' WHERE id = 1;
ALTER TABLE evolving ALTER COLUMN c TYPE int USING 5;
UPDATE evolving SET c = c + 1 WHERE id = 1;
ALTER TABLE evolving RENAME TO evolved;
INSERT INTO evolved VALUES (5, 'table renamed', 1);
CREATE SCHEMA ddl_other;
ALTER TABLE evolved SET SCHEMA ddl_other;
INSERT INTO ddl_other.evolved VALUES (6, 'schema moved', 1);
SELECT * FROM changes('ddl_slot');

-- a table dropped after its changes were written is still decoded
INSERT INTO ddl_other.evolved VALUES (7, 'then dropped', 2);
DROP TABLE ddl_other.evolved;
SELECT * FROM changes('ddl_slot');

SELECT pg_drop_replication_slot('ddl_slot');
DROP SCHEMA ddl_other;
