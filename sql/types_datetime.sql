-- Native values: dates and times. date, timestamp and timestamptz in ISO 8601
-- as to_jsonb writes them, timestamptz always in UTC; time, timetz and
-- interval (IntervalStyle postgres) as their text. None of it depends on the
-- consumer's TimeZone, DateStyle or IntervalStyle.
SET client_min_messages = warning;
CREATE DOMAIN td_when AS timestamptz;
CREATE TABLE td (id int PRIMARY KEY, d date, t time, tz timetz, ts timestamp, tstz timestamptz, ts0 timestamp(0),
                 iv interval, w td_when, tsa timestamptz[], dr daterange, tr tstzrange);
SELECT 'init' FROM pg_create_logical_replication_slot('types_datetime', 'outflow');
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
INSERT INTO td VALUES
  (1, '2024-02-29', '13:45:06.789', '13:45:06.789+05:30', '2024-02-29 13:45:06.5',
      '2024-02-29 13:45:06.123456+02', '2024-02-29 13:45:06.6', '1 year 2 mons 3 days 04:05:06.789',
      '2024-07-01 00:00+00', '{"2024-01-01 00:00+00","2024-06-01 12:00-07"}',
      '[2024-01-01,2024-02-01)', '[2024-01-01 10:00+02,2024-01-01 11:00+02)'),
  (2, 'infinity', '00:00', '00:00-00:00:01', 'infinity', 'infinity', '-infinity', '-178000000 years',
      '-infinity', '{infinity,-infinity}', '[2024-01-01,infinity)', '(,infinity]'),
  (3, '4714-11-24 BC', '24:00', '23:59:59.999999-15:59', '294276-12-31 23:59:59.999999',
      '4714-11-24 00:00:00+00 BC', '0001-01-01 00:00 BC', '-1 years -2 mons +3 days -04:05:06.000001',
      '1900-01-01 00:00+00', '{}', 'empty', 'empty'),
  (4, '5874897-12-31', '23:59:59.999999', '12:00+14', '1999-12-31 23:59:59.999999',
      '1999-12-31 23:59:59.999999-12', '2000-01-01', '0', NULL, '{NULL}', NULL, NULL);
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SELECT substring(data FROM '"new":(.*)}$') AS new
  FROM pg_logical_slot_peek_changes('types_datetime', NULL, NULL);
SET TimeZone = 'Asia/Kathmandu';
SET DateStyle = 'German';
SET IntervalStyle = 'iso_8601';
SELECT count(DISTINCT data) AS same_output
  FROM (SELECT data FROM pg_logical_slot_peek_changes('types_datetime', NULL, NULL)
        UNION ALL
        SELECT data FROM pg_logical_slot_get_changes('types_datetime', NULL, NULL)) s;
-- The consumer's settings are untouched.
SHOW TimeZone;
SHOW DateStyle;
SHOW IntervalStyle;
RESET TimeZone;
RESET DateStyle;
RESET IntervalStyle;
SELECT 'dropped' FROM pg_drop_replication_slot('types_datetime');
DROP TABLE td;
DROP DOMAIN td_when;
