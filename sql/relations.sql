-- include-relations: a relation record before a table's first change in a
-- decoding session, and again when its shape, name or replica identity
-- changed; not for invalidations that change nothing shown.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;
-- user types' oids differ from run to run
CREATE FUNCTION rel_stable(data text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(stable(data), '"type_oid":[0-9]{5,}', '"type_oid":U', 'g')
$$;

CREATE TYPE rel_mood AS ENUM ('sad', 'ok');
CREATE TABLE rel_a (id int PRIMARY KEY, amount numeric(10,2) NOT NULL, note varchar(20), tags text[],
	at timestamptz(3), mood rel_mood, big bigint);
ALTER TABLE rel_a DROP COLUMN big;
SELECT 'init' FROM pg_create_logical_replication_slot('rel_slot', 'outflow');

-- bad values, and the wal2json formats (they describe columns in each change)
SELECT count(*) FROM pg_logical_slot_peek_changes('rel_slot', NULL, NULL, 'include-relations', 'perhaps');
SELECT count(*) FROM pg_logical_slot_peek_changes('rel_slot', NULL, NULL, 'format', 'wal2json', 'include-relations', '1');

INSERT INTO rel_a VALUES (1, 1.5, 'x', '{a}', '2026-01-01 00:00+00', 'ok');
INSERT INTO rel_a VALUES (2, 2.5, 'y', NULL, NULL, NULL);
ANALYZE rel_a;                 -- invalidates the entry, changes nothing shown: no record
INSERT INTO rel_a VALUES (3, 3, 'z', NULL, NULL, 'sad');
ALTER TABLE rel_a ADD COLUMN extra int NOT NULL DEFAULT 0;
INSERT INTO rel_a VALUES (4, 4, 'w', NULL, NULL, NULL, 7);
ALTER TABLE rel_a REPLICA IDENTITY FULL;
UPDATE rel_a SET note = 'u' WHERE id = 4;
ALTER TABLE rel_a RENAME TO rel_b;
DELETE FROM rel_b WHERE id = 1;
ALTER TABLE rel_b DROP COLUMN tags, ALTER COLUMN note TYPE text;
CREATE UNIQUE INDEX rel_b_note ON rel_b (note);
ALTER TABLE rel_b ALTER COLUMN note SET NOT NULL, REPLICA IDENTITY USING INDEX rel_b_note;
INSERT INTO rel_b VALUES (5, 5, 'v', NULL, NULL, 9);
TRUNCATE rel_b;
SELECT rel_stable(data) FROM pg_logical_slot_peek_changes('rel_slot', NULL, NULL, 'include-relations', '1');
-- relid is the table's oid
SELECT DISTINCT (data::jsonb->>'relid')::oid = 'rel_b'::regclass AS relid_is_oid
FROM pg_logical_slot_peek_changes('rel_slot', NULL, NULL, 'include-relations', '1') WHERE data LIKE '{"op":"relation"%';
-- without the option: no records; each decoding session sends them again
SELECT count(*) FROM pg_logical_slot_peek_changes('rel_slot', NULL, NULL) WHERE data LIKE '{"op":"relation"%';
SELECT count(*) FROM pg_logical_slot_get_changes('rel_slot', NULL, NULL, 'include-relations', '1') WHERE data LIKE '{"op":"relation"%';

-- inside a transaction's begin and commit, right before the change; filtered tables get none
CREATE TABLE rel_c (k text PRIMARY KEY);
CREATE TABLE rel_skip (k text PRIMARY KEY);
BEGIN;
INSERT INTO rel_skip VALUES ('s');
INSERT INTO rel_c VALUES ('a');
INSERT INTO rel_c VALUES ('b');
COMMIT;
SELECT rel_stable(data) FROM pg_logical_slot_get_changes('rel_slot', NULL, NULL, 'include-relations', '1',
	'include-transaction', '1', 'filter-tables', 'public.rel_skip');

-- a partition published as its root: the root's record, the root's columns
CREATE TABLE rel_parted (region text, id int, v text, PRIMARY KEY (region, id)) PARTITION BY LIST (region);
CREATE TABLE rel_parted_eu (id int, v text, region text, PRIMARY KEY (region, id));
ALTER TABLE rel_parted ATTACH PARTITION rel_parted_eu FOR VALUES IN ('eu');
CREATE PUBLICATION rel_pub FOR TABLE rel_parted WITH (publish_via_partition_root = true);
INSERT INTO rel_parted VALUES ('eu', 1, 'one');
SELECT rel_stable(data) FROM pg_logical_slot_get_changes('rel_slot', NULL, NULL, 'include-relations', '1',
	'publication_names', 'rel_pub');

SELECT pg_drop_replication_slot('rel_slot');
DROP PUBLICATION rel_pub;
DROP TABLE rel_b, rel_c, rel_skip, rel_parted;
DROP TYPE rel_mood;
DROP FUNCTION rel_stable;
