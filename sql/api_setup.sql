\set ECHO none
\i sql/include/helpers.sql
\set ECHO all
-- outflow.setup_check(): one row per check; numbers masked.
-- (output_plugin_libraries exists from 15.19 on: its detail is shown below)
SELECT check_name, ok,
       CASE WHEN check_name <> 'output_plugin_libraries' THEN regexp_replace(detail, '[0-9]+', 'N', 'g') END AS detail,
       hint IS NOT NULL AS has_hint
FROM outflow.setup_check() ORDER BY check_name;
SELECT current_setting('output_plugin_libraries', true) IS NOT NULL AS has_opl \gset
SELECT detail = CASE WHEN :'has_opl'::boolean
         THEN format('output_plugin_libraries = %L in this session: outflow is allowed, outflow_wal2json is allowed',
                     current_setting('output_plugin_libraries', true))
         ELSE format('this server (%s) has no output_plugin_libraries setting: every installed plugin may be used',
                     current_setting('server_version')) END AS detail_as_expected
FROM outflow.setup_check() WHERE check_name = 'output_plugin_libraries';
-- every failed check has a hint
SELECT count(*) AS failed_without_hint FROM outflow.setup_check() WHERE ok IS DISTINCT FROM true AND hint IS NULL;
-- as seen by this session: a superuser may narrow the allowed plugins
DO $$ BEGIN
  IF current_setting('output_plugin_libraries', true) IS NOT NULL THEN
    EXECUTE 'SET output_plugin_libraries = pgoutput';
  END IF;
END $$;
SELECT ok IS NOT TRUE OR current_setting('output_plugin_libraries', true) IS NULL AS refused_or_absent,
       hint IS NULL OR hint LIKE '%ALTER SYSTEM SET output_plugin_libraries%' AS hint_says_how
FROM outflow.setup_check() WHERE check_name = 'output_plugin_libraries';
DO $$ BEGIN
  IF current_setting('output_plugin_libraries', true) IS NOT NULL THEN  -- before 15.19 RESET would not know it
    EXECUTE 'RESET output_plugin_libraries';
  END IF;
END $$;
-- a role without REPLICATION or CREATE on the database
CREATE ROLE outflow_api_plain;
SET ROLE outflow_api_plain;
SELECT check_name, ok, regexp_replace(detail, '[0-9]+', 'N', 'g') AS detail, hint
FROM outflow.setup_check() WHERE check_name IN ('privilege_slots', 'privilege_publications')
ORDER BY check_name;
-- it cannot read output_plugin_libraries (where it exists): unknown, and says whom to ask
SELECT CASE WHEN :'has_opl'::boolean THEN ok IS NULL AND hint LIKE 'Ask a superuser%' ELSE ok END AS as_expected
FROM outflow.setup_check() WHERE check_name = 'output_plugin_libraries';
RESET ROLE;
-- a REPLICATION role may manage slots
CREATE ROLE outflow_api_repl REPLICATION;
SET ROLE outflow_api_repl;
SELECT check_name, ok, detail FROM outflow.setup_check() WHERE check_name = 'privilege_slots';
RESET ROLE;
DROP ROLE outflow_api_plain;
DROP ROLE outflow_api_repl;
-- the functions run with the caller's privileges (but the two of the backfill trigger) and a pinned search_path
SELECT p.proname, p.prosecdef, p.proconfig
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'outflow' ORDER BY p.proname, p.oid;
SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'outflow' AND c.relkind = 'v';
-- the slot/publication table is kept by pg_dump
SELECT e.extconfig::regclass[] FROM pg_extension e WHERE e.extname = 'outflow';
