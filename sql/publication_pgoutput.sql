-- publication_names against pgoutput itself: the same workload read through a
-- pgoutput slot (protocol 1, decoded below in SQL) and an outflow slot gives the
-- same changes, in the same order, with the same tables, operations and column
-- values (unchanged TOAST values left out on both sides, as outflow's default).
\set ECHO none
\i sql/include/helpers.sql
SET client_min_messages = warning;
-- Decodes pgoutput (protocol 1) messages of a slot into one line per change:
-- "op schema.table new{...} old{...}" with non-null text values, in order.
CREATE OR REPLACE FUNCTION pubo_pgoutput(slot name, pubs text) RETURNS TABLE (n bigint, line text)
LANGUAGE plpgsql AS $f$
DECLARE
  m bytea; p int; kind text; relid bigint; rels jsonb := '{}'; cols text[]; nm text; nsp text;
  natts int; i int; k int; part text; newpart text; oldpart text; cnt bigint := 0; tmp text; ncol int;
  len int; val text; vals text[];
BEGIN
  FOR m IN SELECT data FROM pg_logical_slot_peek_binary_changes(slot, NULL, NULL,
      'proto_version', '1', 'publication_names', pubs) LOOP
    kind := chr(get_byte(m, 0));
    p := 1;
    IF kind = 'R' THEN
      relid := (get_byte(m,p)::bigint << 24) | (get_byte(m,p+1) << 16) | (get_byte(m,p+2) << 8) | get_byte(m,p+3);
      p := p + 4;
      nsp := convert_from(substring(m from p+1 for position('\x00'::bytea in substring(m from p+1)) - 1), 'UTF8');
      p := p + length(convert_to(nsp, 'UTF8')) + 1;
      nm := convert_from(substring(m from p+1 for position('\x00'::bytea in substring(m from p+1)) - 1), 'UTF8');
      p := p + length(convert_to(nm, 'UTF8')) + 1;
      p := p + 1; -- replident
      natts := (get_byte(m,p) << 8) | get_byte(m,p+1); p := p + 2;
      cols := '{}';
      FOR i IN 1..natts LOOP
        p := p + 1; -- flags
        tmp := convert_from(substring(m from p+1 for position('\x00'::bytea in substring(m from p+1)) - 1), 'UTF8');
        p := p + length(convert_to(tmp, 'UTF8')) + 1 + 8;
        cols := cols || tmp;
      END LOOP;
      rels := rels || jsonb_build_object(relid::text, jsonb_build_object('name', nsp || '.' || nm, 'cols', to_jsonb(cols)));
    ELSIF kind IN ('I', 'U', 'D') THEN
      relid := (get_byte(m,p)::bigint << 24) | (get_byte(m,p+1) << 16) | (get_byte(m,p+2) << 8) | get_byte(m,p+3);
      p := p + 4;
      newpart := NULL; oldpart := NULL;
      WHILE p < length(m) LOOP
        part := chr(get_byte(m, p)); p := p + 1;
        ncol := (get_byte(m,p) << 8) | get_byte(m,p+1); p := p + 2;
        vals := '{}';
        FOR i IN 1..ncol LOOP
          k := get_byte(m, p); p := p + 1;
          IF chr(k) = 't' THEN
            len := (get_byte(m,p) << 24) | (get_byte(m,p+1) << 16) | (get_byte(m,p+2) << 8) | get_byte(m,p+3);
            p := p + 4;
            val := convert_from(substring(m from p+1 for len), 'UTF8'); p := p + len;
            vals := vals || ((rels->relid::text->'cols'->>(i-1)) || '=' ||
                             CASE WHEN length(val) > 40 THEN 'len:' || length(val) ELSE val END);
          END IF;
        END LOOP;
        tmp := array_to_string(ARRAY(SELECT v FROM unnest(vals) v ORDER BY 1), ',');
        IF part = 'N' THEN newpart := tmp; ELSE oldpart := tmp; END IF;
      END LOOP;
      cnt := cnt + 1; n := cnt;
      line := lower(CASE kind WHEN 'I' THEN 'insert' WHEN 'U' THEN 'update' ELSE 'delete' END) || ' ' ||
              (rels->relid::text->>'name') || coalesce(' new{' || newpart || '}', '') || coalesce(' old{' || oldpart || '}', '');
      RETURN NEXT;
    ELSIF kind = 'T' THEN
      natts := (get_byte(m,p) << 24) | (get_byte(m,p+1) << 16) | (get_byte(m,p+2) << 8) | get_byte(m,p+3);
      p := p + 5;
      FOR i IN 1..natts LOOP
        relid := (get_byte(m,p)::bigint << 24) | (get_byte(m,p+1) << 16) | (get_byte(m,p+2) << 8) | get_byte(m,p+3);
        p := p + 4;
        cnt := cnt + 1; n := cnt; line := 'truncate ' || (rels->relid::text->>'name'); RETURN NEXT;
      END LOOP;
    END IF;
  END LOOP;
END
$f$;
-- The same lines from outflow's native format.
CREATE OR REPLACE FUNCTION pubo_outflow(slot name, pubs text) RETURNS TABLE (n bigint, line text)
LANGUAGE sql AS $f$
  SELECT row_number() OVER (), (d->>'op') || ' ' || (d->>'schema') || '.' || (d->>'table') ||
    CASE WHEN d ? 'new' THEN ' new{' || (SELECT coalesce(string_agg(kv, ',' ORDER BY kv), '') FROM (SELECT key || '=' ||
      CASE WHEN length(value) > 40 THEN 'len:' || length(value) ELSE value END AS kv
      FROM jsonb_each_text(d->'new') WHERE value IS NOT NULL) e) || '}' ELSE '' END ||
    CASE WHEN d ? 'old' AND d->>'op' <> 'insert' THEN ' old{' || (SELECT coalesce(string_agg(kv, ',' ORDER BY kv), '') FROM (SELECT key || '=' ||
      CASE WHEN length(value) > 40 THEN 'len:' || length(value) ELSE value END AS kv
      FROM jsonb_each_text(d->'old') WHERE value IS NOT NULL) e) || '}' ELSE '' END
  FROM (SELECT data::jsonb AS d FROM pg_logical_slot_peek_changes(slot, NULL, NULL, 'publication_names', pubs)) c
  WHERE d->>'op' IN ('insert', 'update', 'delete', 'truncate')
$f$;
\set ECHO all
SET client_min_messages = warning;

CREATE SCHEMA pubo_s;
CREATE TABLE pubo_t (id int PRIMARY KEY, n int, note text, secret text);
ALTER TABLE pubo_t REPLICA IDENTITY FULL;
CREATE TABLE pubo_k (id int PRIMARY KEY, v text, secret text, big text, g int GENERATED ALWAYS AS (id * 10) STORED);
ALTER TABLE pubo_k ALTER COLUMN big SET STORAGE EXTERNAL;
CREATE TABLE pubo_s.c (id int PRIMARY KEY, v text);
CREATE TABLE pubo_p (id int, region text, secret text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE pubo_p_eu (dropme int, v int, secret text, region text NOT NULL, id int NOT NULL);
ALTER TABLE pubo_p_eu DROP COLUMN dropme;
ALTER TABLE pubo_p ATTACH PARTITION pubo_p_eu FOR VALUES IN ('eu');
CREATE TABLE pubo_p_us PARTITION OF pubo_p FOR VALUES IN ('us');
CREATE TABLE pubo_late (id int PRIMARY KEY, v text);

CREATE PUBLICATION pubo_1 FOR TABLE pubo_t WHERE (n > 10), pubo_k (id, v, big) WHERE (id % 2 = 0);
CREATE PUBLICATION pubo_2 FOR TABLE pubo_t WHERE (note = 'x'), TABLES IN SCHEMA pubo_s WITH (publish = 'insert, delete');
CREATE PUBLICATION pubo_root FOR TABLE pubo_p (id, region, v) WHERE (region <> 'us' OR id > 1)
  WITH (publish_via_partition_root = true);
CREATE PUBLICATION pubo_leaf FOR TABLE pubo_p;
CREATE PUBLICATION pubo_alter FOR TABLE pubo_s.c;

SELECT 'init' FROM pg_create_logical_replication_slot('pubo_sp', 'pgoutput');
SELECT 'init' FROM pg_create_logical_replication_slot('pubo_so', 'outflow');

INSERT INTO pubo_t VALUES (1, 5, 'a', 's'), (2, 20, 'b', 's'), (3, 1, 'x', 's'), (4, NULL, 'c', 's');
UPDATE pubo_t SET n = 30 WHERE id = 1;
UPDATE pubo_t SET n = 1 WHERE id = 2;
UPDATE pubo_t SET n = 2 WHERE id = 2;
UPDATE pubo_t SET n = 40, note = 'y' WHERE id = 3;
UPDATE pubo_t SET n = 50 WHERE id = 4;
DELETE FROM pubo_t WHERE id IN (1, 3);
INSERT INTO pubo_k VALUES (1, 'x', 's', repeat('b', 3000)), (2, 'y', 's', repeat('c', 3000));
UPDATE pubo_k SET id = 4 WHERE id = 1;
UPDATE pubo_k SET v = 'z' WHERE id = 2;
UPDATE pubo_k SET id = 5 WHERE id = 2;
DELETE FROM pubo_k;
INSERT INTO pubo_s.c VALUES (1, 'c1'), (2, 'c2');
UPDATE pubo_s.c SET v = 'c1b' WHERE id = 1;
DELETE FROM pubo_s.c WHERE id = 2;
INSERT INTO pubo_p VALUES (1, 'eu', 's1', 10), (1, 'us', 's2', 20), (2, 'us', 's3', 30);
UPDATE pubo_p SET v = 11 WHERE id = 1 AND region = 'eu';
DELETE FROM pubo_p WHERE id = 2;
BEGIN;
INSERT INTO pubo_late VALUES (1, 'l1');
ALTER PUBLICATION pubo_alter ADD TABLE pubo_late;
INSERT INTO pubo_late VALUES (2, 'l2');
COMMIT;
ALTER PUBLICATION pubo_alter SET TABLE pubo_late (id) WHERE (id > 2);
INSERT INTO pubo_late VALUES (3, 'l3'), (-3, 'l-3');
INSERT INTO pubo_s.c VALUES (5, 'c5');
ALTER PUBLICATION pubo_alter SET (publish = 'truncate');
INSERT INTO pubo_late VALUES (4, 'l4');
TRUNCATE pubo_t, pubo_k, pubo_s.c, pubo_p, pubo_late;

-- outflow's lines for each set of publications; then the differences with pgoutput (none)
SELECT line FROM pubo_outflow('pubo_so', 'pubo_1') ORDER BY n;
SELECT line FROM pubo_outflow('pubo_so', 'pubo_2') ORDER BY n;
SELECT line FROM pubo_outflow('pubo_so', 'pubo_1,pubo_2') ORDER BY n;
SELECT line FROM pubo_outflow('pubo_so', 'pubo_root') ORDER BY n;
SELECT line FROM pubo_outflow('pubo_so', 'pubo_leaf') ORDER BY n;
SELECT line FROM pubo_outflow('pubo_so', 'pubo_alter') ORDER BY n;
SELECT pubs, count(*) AS changes, count(*) FILTER (WHERE oline IS DISTINCT FROM pline) AS differences
  FROM unnest(ARRAY['pubo_1', 'pubo_2', 'pubo_1,pubo_2', 'pubo_root', 'pubo_leaf', 'pubo_leaf,pubo_root',
                    'pubo_alter', 'pubo_2,pubo_alter,pubo_root']) AS pubs,
       LATERAL (SELECT n, o.line AS oline, p.line AS pline
                  FROM pubo_outflow('pubo_so', pubs) o FULL JOIN pubo_pgoutput('pubo_sp', pubs) p USING (n)) j
 GROUP BY pubs ORDER BY pubs;
-- any difference in detail (none)
SELECT pubs, n, oline AS outflow, pline AS pgoutput
  FROM unnest(ARRAY['pubo_1', 'pubo_2', 'pubo_1,pubo_2', 'pubo_root', 'pubo_leaf', 'pubo_leaf,pubo_root',
                    'pubo_alter', 'pubo_2,pubo_alter,pubo_root']) AS pubs,
       LATERAL (SELECT n, o.line AS oline, p.line AS pline
                  FROM pubo_outflow('pubo_so', pubs) o FULL JOIN pubo_pgoutput('pubo_sp', pubs) p USING (n)) j
 WHERE oline IS DISTINCT FROM pline;

SELECT pg_drop_replication_slot('pubo_sp');
SELECT pg_drop_replication_slot('pubo_so');
DROP PUBLICATION pubo_1, pubo_2, pubo_root, pubo_leaf, pubo_alter;
DROP TABLE pubo_t, pubo_k, pubo_s.c, pubo_p, pubo_late;
DROP SCHEMA pubo_s;
DROP FUNCTION pubo_pgoutput(name, text);
DROP FUNCTION pubo_outflow(name, text);
