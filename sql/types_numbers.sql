-- Native values: numbers. Bare JSON numbers as to_jsonb gives them (floats in
-- their shortest exact form whatever extra_float_digits is), NaN and the
-- infinities as strings; numeric-data-types-as-string quotes every number.
SET client_min_messages = warning;
CREATE DOMAIN tn_money_amount AS numeric(12, 2);
CREATE TABLE tn (id int PRIMARY KEY, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric,
                 n2 numeric(6, 2), d tn_money_amount, arr float8[]);
SELECT 'init' FROM pg_create_logical_replication_slot('types_numbers', 'outflow');
INSERT INTO tn VALUES
  (1, 0, 0, 0, 0, 0, 0, 0, 0, '{}'),
  (2, -32768, -2147483648, -9223372036854775808, '-3.4028235e38', '-1.7976931348623157e308',
      '-123456789012345678901234567890.123456789', -9999.99, -0.5, '{-0,-1e-300}'),
  (3, 32767, 2147483647, 9223372036854775807, '3.4028235e38', '1.7976931348623157e308',
      '0.000000000000000000000000000001', 9999.99, 1e9, '{5e-324,2.2250738585072014e-308}'),
  (4, 1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.1, '{0.1,0.2,0.30000000000000004}'),
  (5, -1, -1, -1, 'NaN', 'NaN', 'NaN', NULL, NULL, '{NaN,NULL}');
-- numeric infinities exist from PostgreSQL 14 (13: an ERROR, expected/types_numbers_1.out)
INSERT INTO tn VALUES
  (6, NULL, NULL, NULL, 'Infinity', 'Infinity', 'Infinity', NULL, NULL, '{Infinity,-Infinity}'),
  (7, NULL, NULL, NULL, '-Infinity', '-Infinity', '-Infinity', NULL, NULL, NULL);
INSERT INTO tn VALUES
  (8, NULL, NULL, NULL, '-0', '-0', '-0', '-0', '-0', '{1e22,1e21,123456789012345680000,1e-7}'),
  (9, NULL, NULL, NULL, 1.5e-45, 1e100, '1e100', 1.005, 3.14159, '{3.141592653589793,2.718281828459045}');
-- Different session settings change nothing.
SET extra_float_digits = -15;
SET lc_numeric = 'C';
SELECT substring(data FROM '"new":(.*)}$') AS new
  FROM pg_logical_slot_peek_changes('types_numbers', NULL, NULL);
SET extra_float_digits = 3;
SELECT substring(data FROM '"new":(.*)}$') AS new
  FROM pg_logical_slot_get_changes('types_numbers', NULL, NULL, 'numeric-data-types-as-string', '1');
RESET extra_float_digits;
RESET lc_numeric;
SELECT 'dropped' FROM pg_drop_replication_slot('types_numbers');
DROP TABLE tn;
DROP DOMAIN tn_money_amount;
