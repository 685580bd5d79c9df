-- Native values: text-like types. Escaped as PostgreSQL's escape_json does
-- (\" \\ \b \f \n \r \t by name, other control characters as \u00XX,
-- everything else as is); bytea as hex whatever bytea_output is.
SET client_min_messages = warning;
CREATE TABLE tt (id int PRIMARY KEY, t text, v varchar(10), c char(4), n name, ch "char", u uuid, b bytea,
                 bool_v bool, ta text[]);
SELECT 'init' FROM pg_create_logical_replication_slot('types_text', 'outflow');
INSERT INTO tt VALUES
  (1, '', '', '', '', '', '00000000-0000-0000-0000-000000000000', '', false, '{}'),
  (2, 'plain', 'v', 'ab', 'pg_class', 'x', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '\x00ff10', true, '{a,"b c"}'),
  (3, E'quote " backslash \\ slash /', E'\\', E'"', E'we\\ird"', E'\\', NULL, E'\\x5c22'::bytea, NULL,
      ARRAY[E'"', E'\\', NULL, 'NULL']),
  (4, E'\b\f\n\r\t \x01\x02\x1b\x1f \x7f', E'a\tb', E'\n', E'\x01', E'\x01', NULL,
      decode('000102030405060708090a0b0c0d0e0f', 'hex'), NULL, ARRAY[E'\n', E'\x1f']),
  (5, 'ñ € 𝄞 😀 日本語', 'ñ', 'é', '日本', NULL, NULL, convert_to('ñ', 'UTF8'), NULL, '{ñ,😀}');
SET bytea_output = 'escape';
SELECT substring(data FROM '"new":(.*)}$') AS new
  FROM pg_logical_slot_get_changes('types_text', NULL, NULL);
RESET bytea_output;
SELECT 'dropped' FROM pg_drop_replication_slot('types_text');
DROP TABLE tt;
