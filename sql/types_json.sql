-- Native values: json and jsonb are nested as JSON, not strings. json is
-- rendered as to_jsonb renders it: parsed as jsonb (keys sorted, last
-- duplicate wins, numbers as numeric, insignificant whitespace dropped).
-- json that jsonb cannot hold is written as its text instead of failing.
SET client_min_messages = warning;
CREATE DOMAIN tjs_doc AS jsonb CHECK (VALUE ? 'kind');
CREATE TABLE tjs (id int PRIMARY KEY, j json, jb jsonb, doc tjs_doc, ja json[], jba jsonb[]);
SELECT 'init' FROM pg_create_logical_replication_slot('types_json', 'outflow');
INSERT INTO tjs VALUES
  (1, '{}', '{}', '{"kind": "empty"}', '{}', '{}'),
  (2, '[]', '[]', NULL, ARRAY['1'::json, 'null', '"s"', 'true'], ARRAY['1'::jsonb, 'null', '"s"', 'false']),
  (3, ' { "b" : 1 , "a" : [ 1 , 2.50 , 1.0e2 , -0 ] , "a" : "dup" } ', '{"b": 1, "a": [1, 2.50, 1.0e2, -0]}',
      '{"kind": {"nested": [[], {}, [null]]}}', ARRAY['{"z": 1, "y": 2}'::json], ARRAY['{"z": 1, "y": 2}'::jsonb]),
  (4, '"str\ting \"q\" \\ \u0041 é"', '"str\ting \"q\" \\ \u0041 é"', '{"kind": "x\ny"}', NULL, NULL),
  (5, '123456789012345678901234567890.000', '0.0001', NULL, NULL, NULL),
  (6, 'null', 'null', NULL, NULL, NULL),
  (7, 'true', 'false', NULL, NULL, NULL),
  -- valid json without a jsonb form (to_jsonb would fail): written as its own text
  (8, '{"a": "x\u0000y", "b": 1e1000000}', NULL, NULL, ARRAY['"\u0000"'::json, ' [ 1 ] '], NULL);
SELECT substring(data FROM '"new":(.*)}$') AS new
  FROM pg_logical_slot_get_changes('types_json', NULL, NULL);
SELECT 'dropped' FROM pg_drop_replication_slot('types_json');
DROP TABLE tjs;
DROP DOMAIN tjs_doc;
