-- publication_names and partitions. publish_via_partition_root: changes to a
-- partition are reported as the published root, with its schema, name, column
-- names and column order, its column list and its row filter (rows converted
-- to the root's row type). Without it: as the partition itself. A partitioned
-- table's TRUNCATE is reported once, as the root, when published through it.
\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
SET client_min_messages = warning;

CREATE TABLE pubp (id int, region text, secret text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
-- a partition with another column order and a dropped column
CREATE TABLE pubp_eu (dropme int, v int, secret text, region text NOT NULL, id int NOT NULL);
ALTER TABLE pubp_eu DROP COLUMN dropme;
ALTER TABLE pubp ATTACH PARTITION pubp_eu FOR VALUES IN ('eu');
-- a partition that is itself partitioned
CREATE TABLE pubp_us PARTITION OF pubp FOR VALUES IN ('us') PARTITION BY RANGE (id);
CREATE TABLE pubp_us_low PARTITION OF pubp_us FOR VALUES FROM (0) TO (100);
CREATE PUBLICATION pubp_root FOR TABLE pubp (id, region, v) WHERE (region <> 'us' OR id > 1)
  WITH (publish_via_partition_root = true);
CREATE PUBLICATION pubp_leaf FOR TABLE pubp;
CREATE PUBLICATION pubp_all_root FOR ALL TABLES WITH (publish_via_partition_root = true);
SELECT 'init' FROM pg_create_logical_replication_slot('pubp_slot', 'outflow');

INSERT INTO pubp VALUES (1, 'eu', 's1', 10), (1, 'us', 's2', 20), (2, 'us', 's3', 30);
UPDATE pubp SET v = 11 WHERE id = 1 AND region = 'eu';
DELETE FROM pubp WHERE id = 2;
TRUNCATE pubp;

-- as the root: name, column names and order of pubp; its list and filter
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubp_slot', NULL, NULL, 'publication_names', 'pubp_root');
SELECT data FROM pg_logical_slot_peek_changes('pubp_slot', NULL, NULL, 'publication_names', 'pubp_root',
  'format', 'wal2json', 'format-version', '2', 'include-pk', '1');
SELECT data FROM pg_logical_slot_peek_changes('pubp_slot', NULL, NULL, 'publication_names', 'pubp_root',
  'format', 'wal2json');
-- as the partitions: their own names and columns
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubp_slot', NULL, NULL, 'publication_names', 'pubp_leaf');
-- both: the top-most ancestor wins, with the list and filter of the publication that publishes it
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubp_slot', NULL, NULL, 'publication_names', 'pubp_leaf,pubp_root');
-- FOR ALL TABLES via the root: every row and column, as pubp
SELECT stable(data) FROM pg_logical_slot_peek_changes('pubp_slot', NULL, NULL, 'publication_names', 'pubp_all_root');
-- table filters apply to the name a change is published as: the root; a root
-- they drop drops its partitions' changes (every format), a partition they
-- keep does not bring the root back
SELECT count(*) FROM pg_logical_slot_peek_changes('pubp_slot', NULL, NULL, 'publication_names', 'pubp_root',
  'filter-tables', 'public.pubp');
SELECT count(*) FROM pg_logical_slot_peek_changes('pubp_slot', NULL, NULL, 'publication_names', 'pubp_root',
  'filter-tables', 'public.pubp', 'format', 'wal2json', 'format-version', '2', 'include-empty-transactions', 'false');
SELECT count(*) FROM pg_logical_slot_peek_changes('pubp_slot', NULL, NULL, 'publication_names', 'pubp_root',
  'add-tables', 'public.pubp_eu', 'format', 'wal2json', 'include-empty-transactions', 'false');
SELECT count(*) FROM pg_logical_slot_peek_changes('pubp_slot', NULL, NULL, 'publication_names', 'pubp_root',
  'add-tables', 'public.pubp', 'format', 'wal2json', 'format-version', '2', 'include-empty-transactions', 'false');
SELECT pg_drop_replication_slot('pubp_slot');

DROP PUBLICATION pubp_root, pubp_leaf, pubp_all_root;
DROP TABLE pubp;
