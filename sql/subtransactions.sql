-- Savepoints and subtransactions: only what committed, in order, one seq sequence.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE sub (id int PRIMARY KEY, v text);
SELECT 'init' FROM pg_create_logical_replication_slot('sub_slot', 'outflow');

BEGIN;
INSERT INTO sub VALUES (1, 'top');
SAVEPOINT a;
INSERT INTO sub VALUES (2, 'in a');
SAVEPOINT b;
INSERT INTO sub VALUES (3, 'in b, rolled back');
ROLLBACK TO SAVEPOINT b;
INSERT INTO sub VALUES (4, 'in a again');
RELEASE SAVEPOINT a;
SAVEPOINT c;
UPDATE sub SET v = 'updated in c' WHERE id = 1;
ROLLBACK TO SAVEPOINT c;
DELETE FROM sub WHERE id = 2;
COMMIT;
SELECT * FROM changes('sub_slot', 'include-transaction', 'true');

-- a function with an exception block (an implicit subtransaction)
CREATE FUNCTION sub_insert(n int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sub VALUES (n, 'from function');
  BEGIN
    INSERT INTO sub VALUES (n, 'duplicate');
  EXCEPTION WHEN unique_violation THEN
    INSERT INTO sub VALUES (n + 1, 'after exception');
  END;
END $$;
SELECT sub_insert(10);
SELECT * FROM changes('sub_slot');

SELECT pg_drop_replication_slot('sub_slot');
DROP FUNCTION sub_insert;
DROP TABLE sub;
