-- outflow 0.3: the SQL side of the outflow output plugin (from 0.2: outflow--0.2--0.3.sql).
-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION outflow" to load this file. \quit

-- The version of the loaded outflow library.
CREATE FUNCTION version() RETURNS text
AS 'MODULE_PATHNAME', 'outflow_version'
LANGUAGE C STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION version() IS 'version of the outflow library';

-- ---------------------------------------------------------------------------
-- Compatibility with PostgreSQL 13 to 19. The catalogs outflow reads differ
-- by major (row filters, column lists and FOR TABLES IN SCHEMA from 15;
-- pg_get_publication_tables' result shape; slot columns and the arguments
-- of pg_create_logical_replication_slot). Each function below gets the body
-- that fits the server running CREATE EXTENSION (the DO block picks it by
-- server_version_num); the rest of this file reads those catalogs only
-- through them.
-- ---------------------------------------------------------------------------

-- Raises feature_not_supported naming the server's major when it is older
-- than min_num (a server_version_num such as 150000).
CREATE FUNCTION _require_version(feature text, min_num int, hint text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	have int := current_setting('server_version_num')::int;
BEGIN
	IF have < min_num THEN
		RAISE EXCEPTION '% need PostgreSQL % or later (this server is PostgreSQL %)', feature, min_num / 10000, have / 10000
			USING ERRCODE = 'feature_not_supported', HINT = hint;
	END IF;
END
$fn$;

DO $compat$
DECLARE
	num int := current_setting('server_version_num')::int;
	-- _pub_entries(pub): every table the publication publishes (as
	-- pg_get_publication_tables gives them) with its own column list (NULL:
	-- none; 16+ lists every column there, which is normalised back to NULL)
	-- and row filter (NULL: none).
	pub_entries text := $sql$
		CREATE OR REPLACE FUNCTION outflow._pub_entries(pub name) RETURNS TABLE (relid oid, attrs int2[], qual pg_node_tree)
		LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp
		AS $body$ %s $body$ $sql$;
	-- _pub_rel(pub): the publication's own table entries (pg_publication_rel).
	pub_rel text := $sql$
		CREATE OR REPLACE FUNCTION outflow._pub_rel(pub oid) RETURNS TABLE (relid oid, attrs int2[], qual pg_node_tree)
		LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp
		AS $body$ %s $body$ $sql$;
	-- _pub_excepted(pub): the tables a FOR ALL TABLES publication leaves out (EXCEPT, 19+).
	pub_excepted text := $sql$
		CREATE OR REPLACE FUNCTION outflow._pub_excepted(pub oid) RETURNS oid[]
		LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp
		AS $body$ %s $body$ $sql$;
	-- _pub_schemas(pub): the schemas published FOR TABLES IN SCHEMA.
	pub_schemas text := $sql$
		CREATE OR REPLACE FUNCTION outflow._pub_schemas(pub oid) RETURNS oid[]
		LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp
		AS $body$ %s $body$ $sql$;
	-- _create_logical_slot(...): pg_create_logical_replication_slot with the
	-- arguments this major has (twophase 14+, failover 17+).
	create_slot text := $sql$
		CREATE OR REPLACE FUNCTION outflow._create_logical_slot(slot_name name, plugin name, temporary boolean, two_phase boolean, failover boolean)
		RETURNS pg_lsn
		LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp
		AS $body$
		DECLARE
			start pg_lsn;
		BEGIN
			IF two_phase THEN
				PERFORM outflow._require_version('two-phase slots', 150000, 'Create the slot with two_phase => false: prepared transactions are then decoded at COMMIT PREPARED.');
			END IF;
			IF failover THEN
				PERFORM outflow._require_version('failover slots', 170000, 'Create the slot with failover => false; after a failover to a standby, create it again there.');
			END IF;
			%s
			RETURN start;
		END
		$body$ $sql$;
	-- _slot_extras(): per logical slot, the columns of pg_replication_slots
	-- that only some majors have (no row: none of them).
	slot_extras text := $sql$
		CREATE OR REPLACE FUNCTION outflow._slot_extras()
		RETURNS TABLE (slot_name name, failover boolean, synced boolean, conflicting boolean, invalidation_reason text)
		LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp
		AS $body$ %s $body$ $sql$;
BEGIN
	IF num >= 150000 THEN
		EXECUTE format(pub_entries, $q$
			SELECT g.relid, r.prattrs::int2[], g.qual
			FROM pg_get_publication_tables(pub::text) g
			LEFT JOIN pg_publication_rel r ON r.prrelid = g.relid
				AND r.prpubid = (SELECT p.oid FROM pg_publication p WHERE p.pubname = pub) $q$);
		EXECUTE format(pub_rel, CASE WHEN num >= 190000 THEN $q$
			SELECT r.prrelid, r.prattrs::int2[], r.prqual FROM pg_publication_rel r WHERE r.prpubid = pub AND NOT r.prexcept $q$
			ELSE $q$
			SELECT r.prrelid, r.prattrs::int2[], r.prqual FROM pg_publication_rel r WHERE r.prpubid = pub $q$ END);
		EXECUTE format(pub_schemas, $q$
			SELECT coalesce(array_agg(s.pnnspid ORDER BY s.pnnspid), '{}') FROM pg_publication_namespace s WHERE s.pnpubid = pub $q$);
	ELSE
		EXECUTE format(pub_entries, $q$
			SELECT g.relid, NULL::int2[], NULL::pg_node_tree FROM pg_get_publication_tables(pub::text) g $q$);
		EXECUTE format(pub_rel, $q$
			SELECT r.prrelid, NULL::int2[], NULL::pg_node_tree FROM pg_publication_rel r WHERE r.prpubid = pub $q$);
		EXECUTE format(pub_schemas, $q$ SELECT '{}'::oid[] $q$);
	END IF;
	EXECUTE format(pub_excepted, CASE WHEN num >= 190000 THEN $q$
		SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), '{}') FROM pg_publication_rel r WHERE r.prpubid = pub AND r.prexcept $q$
		ELSE $q$ SELECT '{}'::oid[] $q$ END);

	IF num >= 170000 THEN
		EXECUTE format(create_slot, $q$
			SELECT s.lsn INTO start FROM pg_create_logical_replication_slot(_create_logical_slot.slot_name, _create_logical_slot.plugin, _create_logical_slot.temporary, _create_logical_slot.two_phase, _create_logical_slot.failover) s; $q$);
		EXECUTE format(slot_extras, $q$
			SELECT s.slot_name, s.failover, s.synced, s.conflicting, s.invalidation_reason
			FROM pg_replication_slots s WHERE s.slot_type = 'logical' $q$);
	ELSIF num >= 140000 THEN
		EXECUTE format(create_slot, $q$
			SELECT s.lsn INTO start FROM pg_create_logical_replication_slot(_create_logical_slot.slot_name, _create_logical_slot.plugin, _create_logical_slot.temporary, _create_logical_slot.two_phase) s; $q$);
		EXECUTE format(slot_extras, CASE WHEN num >= 160000 THEN $q$
			SELECT s.slot_name, NULL::boolean, NULL::boolean, s.conflicting, NULL::text
			FROM pg_replication_slots s WHERE s.slot_type = 'logical' $q$ ELSE $q$
			SELECT NULL::name, NULL::boolean, NULL::boolean, NULL::boolean, NULL::text WHERE false $q$ END);
	ELSE
		EXECUTE format(create_slot, $q$
			SELECT s.lsn INTO start FROM pg_create_logical_replication_slot(_create_logical_slot.slot_name, _create_logical_slot.plugin, _create_logical_slot.temporary) s; $q$);
		EXECUTE format(slot_extras, $q$
			SELECT NULL::name, NULL::boolean, NULL::boolean, NULL::boolean, NULL::text WHERE false $q$);
	END IF;
END
$compat$;

-- ---------------------------------------------------------------------------
-- The SQL API. Every function runs with the caller's privileges (SECURITY
-- INVOKER), pins its search_path, and answers bad arguments with an ERROR
-- that has an errcode, a message naming what was wrong and a hint.
-- ---------------------------------------------------------------------------

-- The publications remembered for each slot made by outflow.create_slot()
-- (a slot streams what any of them publishes). Kept by pg_dump (extension
-- configuration table). Everyone may read it; only roles that may manage
-- slots (superuser or REPLICATION) may change it, which a trigger checks
-- (row level security would make pg_dump fail for every non-superuser
-- dumping the database).
-- fresh install only { (an update keeps the table: update--0.1--0.2.sql altered 0.1's)
CREATE TABLE slot_publication (
	slot_name name PRIMARY KEY,
	publications name[] NOT NULL
		CONSTRAINT publications_listed CHECK (cardinality(publications) > 0 AND array_position(publications, NULL) IS NULL
			AND array_position(publications, '') IS NULL),
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE slot_publication IS 'publications remembered for each slot created by outflow.create_slot()';
SELECT pg_catalog.pg_extension_config_dump('slot_publication', '');
-- }

-- The guard of outflow's bookkeeping tables: only superusers and REPLICATION
-- roles change them (TG_ARGV[0]: the hint saying why).
CREATE FUNCTION _replication_roles_only() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = CURRENT_USER AND (r.rolsuper OR r.rolreplication)) THEN
		RAISE EXCEPTION 'permission denied to change outflow.%', TG_TABLE_NAME
			USING ERRCODE = 'insufficient_privilege', HINT = TG_ARGV[0];
	END IF;
	RETURN NULL;
END
$fn$;
-- fresh install only { (0.2 has it)
CREATE TRIGGER slot_managers_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON slot_publication
	FOR EACH STATEMENT EXECUTE FUNCTION _replication_roles_only(
		'Only superusers and roles with REPLICATION manage slots and the publications remembered for them.');
-- }
-- fresh install only { (earlier versions granted these already; granting again would record
-- later grants as initial privileges, which pg_dump leaves out, and undo revokes)
GRANT USAGE ON SCHEMA outflow TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON slot_publication TO PUBLIC;
-- }

-- What failover slots (17+) need to actually fail over, as far as this
-- server can tell. On the primary: synchronized_standby_slots naming the
-- standby's physical slot (so consumers never get ahead of the standby) and
-- that standby sending hot_standby_feedback (its slot has an xmin); its
-- sync_replication_slots is only visible on the standby. On a standby:
-- sync_replication_slots, hot_standby_feedback and primary_slot_name.
CREATE FUNCTION _failover_checks(nfail int)
RETURNS TABLE (check_name text, ok boolean, detail text, hint text)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	standby boolean := pg_is_in_recovery();
	v text;
	named text[];
	missing text[];
	fed text[];
BEGIN
	IF standby THEN
		FOREACH check_name IN ARRAY ARRAY['sync_replication_slots', 'hot_standby_feedback'] LOOP
			v := current_setting(check_name, true);
			ok := v = 'on';
			detail := format('%s = %s on this standby (%s failover slot(s)): synchronizing failover slots from the primary needs it on',
				check_name, coalesce(v, 'unknown'), nfail);
			hint := CASE WHEN NOT ok THEN format('As a superuser: ALTER SYSTEM SET %s = on; SELECT pg_reload_conf();', check_name) END;
			RETURN NEXT;
		END LOOP;
		v := current_setting('primary_slot_name', true);
		check_name := 'primary_slot_name';
		ok := coalesce(v, '') <> '';
		detail := format('primary_slot_name = ''%s'' on this standby: slot synchronization needs the standby to stream through a physical slot', coalesce(v, ''));
		hint := CASE WHEN NOT ok THEN 'On the primary: SELECT pg_create_physical_replication_slot(''standby1''); here, as a superuser: ALTER SYSTEM SET primary_slot_name = ''standby1''; SELECT pg_reload_conf();' END;
		RETURN NEXT;
		RETURN;
	END IF;

	-- the primary: synchronized_standby_slots must name existing physical slots
	v := coalesce(current_setting('synchronized_standby_slots', true), '');
	SELECT coalesce(array_agg(btrim(x, ' "')), '{}') INTO named
	FROM regexp_split_to_table(v, ',') AS x WHERE btrim(x, ' "') <> '';
	SELECT array_agg(x) INTO missing FROM unnest(named) x
	WHERE NOT EXISTS (SELECT FROM pg_replication_slots s WHERE s.slot_name = x AND s.slot_type = 'physical');
	check_name := 'synchronized_standby_slots';
	ok := cardinality(named) > 0 AND missing IS NULL;
	detail := CASE
		WHEN cardinality(named) = 0 THEN format('warning: %s failover slot(s), but synchronized_standby_slots is empty: their consumers can receive changes the standby has not, and after a failover the synchronized slots would be behind them', nfail)
		WHEN missing IS NOT NULL THEN format('synchronized_standby_slots = ''%s'' names %s, which %s no physical slot on this server', v, array_to_string(missing, ', '), CASE WHEN cardinality(missing) = 1 THEN 'is' ELSE 'are' END)
		ELSE format('synchronized_standby_slots = ''%s'': %s failover slot(s) wait for that standby', v, nfail) END;
	hint := CASE WHEN NOT ok THEN 'As a superuser: ALTER SYSTEM SET synchronized_standby_slots = ''<physical slot of the standby>''; SELECT pg_reload_conf(); and on the standby: sync_replication_slots = on, hot_standby_feedback = on, primary_slot_name = that slot, dbname in primary_conninfo.' END;
	RETURN NEXT;

	-- the standby's hot_standby_feedback shows as an xmin on its physical slot
	SELECT array_agg(s.slot_name::text ORDER BY s.slot_name) INTO fed FROM pg_replication_slots s
	WHERE s.slot_type = 'physical' AND s.active AND (s.xmin IS NOT NULL OR s.catalog_xmin IS NOT NULL)
	  AND (cardinality(named) = 0 OR s.slot_name = ANY (named));
	check_name := 'hot_standby_feedback';
	ok := fed IS NOT NULL;
	detail := CASE WHEN ok THEN format('the standby on physical slot(s) %s sends hot_standby_feedback (its sync_replication_slots can only be checked on the standby)', array_to_string(fed, ', '))
		ELSE 'no standby streaming through a physical slot of this server sends hot_standby_feedback: failover slots cannot be synchronized to it' END;
	hint := CASE WHEN NOT ok THEN 'On the standby, as a superuser: ALTER SYSTEM SET hot_standby_feedback = on; ALTER SYSTEM SET sync_replication_slots = on; set primary_slot_name and a dbname in primary_conninfo; SELECT pg_reload_conf();' END;
	RETURN NEXT;
END
$fn$;

-- ---------------------------------------------------------------------------
-- setup_check(): is this server and this role ready for outflow?
-- ---------------------------------------------------------------------------
CREATE FUNCTION setup_check()
RETURNS TABLE (check_name text, ok boolean, detail text, hint text)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	v text;
	maxn int;
	used int;
	libs text[];
	readable boolean := true;
	is_super boolean;
	is_repl boolean;
	nfail int;
BEGIN
	-- wal_level
	v := current_setting('wal_level');
	check_name := 'wal_level';
	ok := v = 'logical';
	detail := format('wal_level = %s', v);
	hint := CASE WHEN NOT ok THEN
		'As a superuser: ALTER SYSTEM SET wal_level = logical; then restart the server.' END;
	RETURN NEXT;

	-- replication slots
	maxn := current_setting('max_replication_slots')::int;
	SELECT count(*) INTO used FROM pg_replication_slots;
	check_name := 'replication_slots';
	ok := maxn - used > 0;
	detail := format('%s of max_replication_slots = %s in use, %s free', used, maxn, greatest(maxn - used, 0));
	hint := CASE WHEN NOT ok THEN
		'Drop slots nobody reads (SELECT * FROM outflow.slots; SELECT outflow.drop_slot(''name'')), or as a superuser: '
		|| format('ALTER SYSTEM SET max_replication_slots = %s; then restart the server.', maxn + 10) END;
	RETURN NEXT;

	-- WAL senders (replication-protocol consumers such as pg_recvlogical)
	maxn := current_setting('max_wal_senders')::int;
	SELECT count(*) INTO used FROM pg_stat_activity a WHERE a.backend_type = 'walsender';
	check_name := 'wal_senders';
	ok := maxn - used > 0;
	detail := format('%s of max_wal_senders = %s in use, %s free (needed by replication-protocol consumers such as pg_recvlogical)',
		used, maxn, greatest(maxn - used, 0));
	hint := CASE WHEN NOT ok THEN
		format('As a superuser: ALTER SYSTEM SET max_wal_senders = %s; then restart the server.', maxn + 10) END;
	RETURN NEXT;

	-- output_plugin_libraries (15.19 and later): must allow outflow
	check_name := 'output_plugin_libraries';
	BEGIN
		v := current_setting('output_plugin_libraries', true);
	EXCEPTION WHEN insufficient_privilege THEN
		readable := false;
	END;
	IF NOT readable THEN
		ok := NULL;
		detail := 'this server has output_plugin_libraries (15.19 and later), but only superusers and members of pg_read_all_settings may read it';
		hint := 'Ask a superuser to run SHOW output_plugin_libraries: it must list outflow (and outflow_wal2json if you use that name).';
	ELSIF v IS NULL THEN
		ok := true;
		detail := format('this server (%s) has no output_plugin_libraries setting: every installed plugin may be used',
			current_setting('server_version'));
		hint := NULL;
	ELSE
		SELECT coalesce(array_agg(btrim(x, ' "')), '{}') INTO libs
		FROM regexp_split_to_table(v, ',') AS x WHERE btrim(x, ' "') <> '';
		ok := 'outflow' = ANY (libs);
		detail := format('output_plugin_libraries = ''%s'' in this session: outflow is %s, outflow_wal2json is %s',
			v, CASE WHEN ok THEN 'allowed' ELSE 'not allowed' END,
			CASE WHEN 'outflow_wal2json' = ANY (libs) THEN 'allowed' ELSE 'not allowed' END);
		hint := CASE WHEN NOT ok THEN
			format('As a superuser: ALTER SYSTEM SET output_plugin_libraries = %L; SELECT pg_reload_conf(); '
				|| '(or for one session: SET output_plugin_libraries = %s)',
				array_to_string(libs || ARRAY['outflow', 'outflow_wal2json'], ', '),
				array_to_string(libs || ARRAY['outflow', 'outflow_wal2json'], ', ')) END;
	END IF;
	RETURN NEXT;

	-- max_slot_wal_keep_size: unlimited means an abandoned slot can fill the disk
	v := current_setting('max_slot_wal_keep_size');
	check_name := 'max_slot_wal_keep_size';
	ok := v <> '-1';
	detail := CASE WHEN ok THEN format('max_slot_wal_keep_size = %s: a slot that falls further behind is invalidated (wal_status lost) instead of filling the disk', v)
		ELSE 'warning: max_slot_wal_keep_size = -1 (unlimited): a slot nobody reads keeps all WAL and can fill the disk' END;
	hint := CASE WHEN NOT ok THEN
		'As a superuser: ALTER SYSTEM SET max_slot_wal_keep_size = ''10GB''; SELECT pg_reload_conf(); (choose a size your disk can hold), and watch outflow.slots.' END;
	RETURN NEXT;

	-- privileges: slots need superuser or REPLICATION
	SELECT r.rolsuper, r.rolreplication INTO is_super, is_repl FROM pg_roles r WHERE r.rolname = CURRENT_USER;
	check_name := 'privilege_slots';
	ok := is_super OR is_repl;
	detail := format('role %s is %s', CURRENT_USER,
		CASE WHEN is_super THEN 'a superuser' WHEN is_repl THEN 'not a superuser but has REPLICATION'
		ELSE 'neither a superuser nor has REPLICATION: it cannot create, read or drop slots' END);
	hint := CASE WHEN NOT ok THEN format('As a superuser: ALTER ROLE %I REPLICATION;', CURRENT_USER) END;
	RETURN NEXT;

	-- privileges: publications need CREATE on the database (and ownership of the tables)
	check_name := 'privilege_publications';
	ok := has_database_privilege(current_database(), 'CREATE');
	detail := format('role %s %s CREATE on database %s (publishing a table also needs ownership of the table)',
		CURRENT_USER, CASE WHEN ok THEN 'has' ELSE 'does not have' END, current_database());
	hint := CASE WHEN NOT ok THEN format('As the database owner or a superuser: GRANT CREATE ON DATABASE %I TO %I;',
		current_database(), CURRENT_USER) END;
	RETURN NEXT;

	-- failover slots (17+): only reported when there are some
	nfail := (SELECT count(*) FROM outflow._slot_extras() x WHERE x.failover);
	IF nfail > 0 THEN
		RETURN QUERY SELECT * FROM outflow._failover_checks(nfail);
	END IF;
END
$fn$;
COMMENT ON FUNCTION setup_check() IS 'checks the server settings and the caller''s privileges that outflow needs; each failed check has a hint';

-- ---------------------------------------------------------------------------
-- Internal helpers for publications.
-- ---------------------------------------------------------------------------

-- A table's replica identity as the stream decides it (decoder/identity.h,
-- through extension/identity_sql.cpp): the kind, the identity columns (all
-- columns with FULL; NULL when there is none) and the columns the native
-- format reports as "key" (the identity with DEFAULT/INDEX, the primary key
-- with FULL/NOTHING), sorted by attnum; NULL for a missing relation.
CREATE FUNCTION _identity(rel regclass, OUT kind text, OUT identity_attnums int2[], OUT key_attnums int2[])
AS 'MODULE_PATHNAME', 'outflow_identity'
LANGUAGE C STABLE PARALLEL SAFE;

-- Raises the one error for a publication that does not exist (the
-- functions that take a publication's name call it when the name is not in
-- pg_publication).
CREATE FUNCTION _publication_missing(publication name, also text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RAISE EXCEPTION 'publication "%" does not exist', publication
		USING ERRCODE = 'undefined_object',
		HINT = 'List the publications with SELECT pubname FROM pg_publication; create one with outflow.publish_table(publication, table) or CREATE PUBLICATION.'
			|| coalesce(' ' || also, '');
END
$fn$;

-- Column names of rel for attnums, in attnum order.
CREATE FUNCTION _attnames(rel regclass, attnums int2[]) RETURNS name[]
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
	WHERE a.attrelid = rel AND a.attnum = ANY (attnums) AND NOT a.attisdropped
$fn$;

-- The actions a publication publishes, in canonical order.
CREATE FUNCTION _pub_actions(pub oid) RETURNS text[]
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT array_remove(ARRAY[
		CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
		CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END], NULL)
	FROM pg_publication p WHERE p.oid = pub
$fn$;

-- The columns of its one relation that an expression (a row filter)
-- references, sorted; 0 stands for the whole row
-- (extension/publication_sql.cpp: pull_varattnos over the node tree).
CREATE FUNCTION _expr_attnums(expr pg_node_tree) RETURNS int2[]
AS 'MODULE_PATHNAME', 'outflow_expr_attnums'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- What would break if rel were published with this column list (attnums,
-- NULL = all columns) and row filter (NULL = all rows), when the
-- publication publishes UPDATE or DELETE (changes). NULL problem = ready.
CREATE FUNCTION _entry_problem(rel regclass, attrs int2[], qual pg_node_tree, changes boolean,
	OUT problem text, OUT fix text)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	id record;
	rel_id record;	-- rel's own identity (the loop's first leaf)
	missing int2[];
	used int2[];
	r regclass;
	leaf regclass;
	qname text;
BEGIN
	IF NOT changes THEN
		RETURN;
	END IF;
	qname := format('%I.%I', (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel),
		(SELECT c.relname FROM pg_class c WHERE c.oid = rel));
	-- a usable replica identity, on the table and (partitioned) on every leaf partition
	FOR leaf IN SELECT rel UNION ALL
		SELECT t.relid FROM pg_partition_tree(rel) t WHERE t.isleaf AND t.relid <> rel
	LOOP
		id := outflow._identity(leaf);
		IF id.identity_attnums IS NULL THEN
			problem := format('table %s has no usable replica identity (REPLICA IDENTITY %s%s), so its UPDATE and DELETE would fail while the publication publishes them',
				leaf::text, upper(id.kind),
				CASE WHEN id.kind = 'index' THEN ' with its index gone'
				     WHEN id.kind <> 'default' THEN ''
				     WHEN EXISTS (SELECT FROM pg_index i WHERE i.indrelid = leaf AND i.indisprimary AND NOT i.indimmediate)
				     THEN ' and only a DEFERRABLE primary key'
				     ELSE ' and no primary key' END);
			fix := format('Give %1$s a primary key, or ALTER TABLE %1$s REPLICA IDENTITY USING INDEX <unique index on NOT NULL columns>, or ALTER TABLE %1$s REPLICA IDENTITY FULL; or publish only inserts and truncates (actions => ''{insert,truncate}'').',
				leaf::text);
			RETURN;
		END IF;
		IF leaf = rel THEN
			rel_id := id;
		END IF;
	END LOOP;
	id := rel_id;
	-- a column list must cover the identity
	IF attrs IS NOT NULL THEN
		SELECT array_agg(x ORDER BY x) INTO missing FROM unnest(id.identity_attnums) x WHERE x <> ALL (attrs);
		IF missing IS NOT NULL THEN
			problem := format('the column list of %s leaves out replica identity column(s) %s%s',
				qname, array_to_string(outflow._attnames(rel, missing), ', '),
				CASE WHEN id.kind = 'full' THEN ' (with REPLICA IDENTITY FULL every column is part of the identity)' ELSE '' END);
			fix := format('Add %s to the column list, or publish only inserts and truncates (actions => ''{insert,truncate}'').',
				array_to_string(outflow._attnames(rel, missing), ', '));
			RETURN;
		END IF;
	END IF;
	-- a row filter may only use identity columns (FULL: any column)
	IF qual IS NOT NULL AND id.kind <> 'full' THEN
		used := outflow._expr_attnums(qual);
		SELECT array_agg(x ORDER BY x) INTO missing FROM unnest(used) x WHERE x <> ALL (id.identity_attnums);
		IF missing IS NOT NULL THEN
			problem := format('the row filter of %s uses column(s) %s, which are not part of the replica identity (%s)',
				qname, coalesce(array_to_string(outflow._attnames(rel, missing), ', '), 'the whole row'),
				array_to_string(outflow._attnames(rel, id.identity_attnums), ', '));
			fix := format('Filter only on %s, or ALTER TABLE %s REPLICA IDENTITY FULL, or publish only inserts and truncates (actions => ''{insert,truncate}'').',
				array_to_string(outflow._attnames(rel, id.identity_attnums), ', '), qname);
			RETURN;
		END IF;
	END IF;
END
$fn$;

-- Raises the first problem of the publication's tables (only rel's when given).
CREATE FUNCTION _check_publication(pub name, only_rel regclass) RETURNS void
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	p record;
	t record;
	e record;
BEGIN
	SELECT * INTO p FROM pg_publication WHERE pubname = pub;
	FOR t IN SELECT g.relid, g.attrs, g.qual FROM outflow._pub_entries(pub) g
		WHERE only_rel IS NULL OR g.relid = only_rel
		   OR g.relid IN (SELECT x.relid FROM pg_partition_tree(only_rel) x)
		ORDER BY g.relid
	LOOP
		e := outflow._entry_problem(t.relid, t.attrs, t.qual, p.pubupdate OR p.pubdelete);
		IF e.problem IS NOT NULL THEN
			RAISE EXCEPTION 'publication "%" cannot publish updates and deletes of %', pub, t.relid::regclass
				USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = e.problem || '.', HINT = e.fix;
		END IF;
	END LOOP;
END
$fn$;

-- actions (insert, update, delete, truncate, any case, repeats allowed)
-- checked and in canonical order; raises on an empty list, NULLs or an
-- unknown action.
CREATE FUNCTION _actions(actions text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	all_actions CONSTANT text[] := ARRAY['insert', 'update', 'delete', 'truncate'];
	bad text;
BEGIN
	IF cardinality(actions) = 0 OR array_position(actions, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'actions must name at least one action and contain no NULL'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Allowed actions: insert, update, delete, truncate.';
	END IF;
	SELECT min(a) INTO bad FROM unnest(actions) a WHERE lower(btrim(a)) <> ALL (all_actions);
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'unknown action "%"', bad
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Allowed actions: insert, update, delete, truncate.';
	END IF;
	RETURN (SELECT array_agg(a ORDER BY array_position(all_actions, a))
		FROM (SELECT DISTINCT lower(btrim(x)) AS a FROM unnest(actions) x) d);
END
$fn$;

-- The tables a publication publishes (FOR TABLE, FOR TABLES IN SCHEMA, FOR
-- ALL TABLES), by qualified name and sorted, a partition under the
-- outermost table through which the publication names it; without
-- except_rel and its partitions (NULL: none left out). pg_partition_
-- ancestors() and pg_partition_tree() give no row for a plain table.
CREATE FUNCTION _published_tables(pub name, except_rel regclass) RETURNS text[]
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH p AS (SELECT pp.oid, pp.puballtables FROM pg_publication pp WHERE pp.pubname = pub),
	shown AS (
		SELECT coalesce((SELECT a.relid FROM pg_partition_ancestors(g.relid) WITH ORDINALITY AS a(relid, depth)
		        JOIN pg_class c ON c.oid = a.relid
		        WHERE p.puballtables
		           OR EXISTS (SELECT FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = a.relid)
		           OR c.relnamespace = ANY (outflow._pub_schemas(p.oid))
		        ORDER BY a.depth DESC LIMIT 1), g.relid) AS relid
		FROM p, pg_get_publication_tables(pub::text) g)
	SELECT coalesce(array_agg(DISTINCT format('%I.%I', n.nspname, c.relname) COLLATE "C"
		ORDER BY format('%I.%I', n.nspname, c.relname) COLLATE "C"), '{}')
	FROM shown
	JOIN pg_class c ON c.oid = shown.relid
	JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE except_rel IS NULL
	   OR (shown.relid <> except_rel AND shown.relid NOT IN (SELECT t.relid FROM pg_partition_tree(except_rel) t))
$fn$;

-- names as "a, b, c" (at most the first ten, then how many more).
CREATE FUNCTION _name_list(names text[]) RETURNS text
LANGUAGE sql IMMUTABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT array_to_string(names[1:10], ', ')
		|| CASE WHEN cardinality(names) > 10 THEN format(' and %s more', cardinality(names) - 10) ELSE '' END
$fn$;

-- Raises when changing publication pub's actions to want, asked for by
-- publish_table() about rel, would change what pub publishes of other tables.
CREATE FUNCTION _refuse_actions_change(pub name, rel regclass, want text[]) RETURNS void
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	others text[] := outflow._published_tables(pub, rel);
	qname text;
	listed boolean;
BEGIN
	IF cardinality(others) = 0 THEN
		RETURN;
	END IF;
	SELECT format('%I.%I', n.nspname, c.relname) INTO qname
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel;
	listed := EXISTS (SELECT FROM pg_get_publication_tables(pub::text) g
		WHERE g.relid = rel OR g.relid IN (SELECT t.relid FROM pg_partition_tree(rel) t));
	RAISE EXCEPTION 'publication "%" also publishes %: actions => % would change what it publishes of them', pub,
		outflow._name_list(others), quote_literal(want::text)
		USING ERRCODE = 'object_not_in_prerequisite_state',
		DETAIL = format('PostgreSQL keeps actions per publication: "%s" publishes %s for every one of its tables.',
			pub, array_to_string(outflow._pub_actions((SELECT pp.oid FROM pg_publication pp WHERE pp.pubname = pub)), ', ')),
		HINT = format('Publish %1$s in a publication of its own%2$s: SELECT outflow.publish_table(%3$L, %4$L, actions => %5$L); '
			|| 'a slot streams several publications: SELECT outflow.create_slot(''slot'', ARRAY[%6$L, %3$L]). '
			|| 'Or change the actions of every table of "%7$s": SELECT outflow.set_actions(%6$L, %5$L);',
			qname, CASE WHEN listed THEN format(' (after SELECT outflow.unpublish_table(%L, %L): a table gets the actions of every publication of the slot that publishes it)', pub, qname) ELSE '' END,
			left(pub || '_' || (SELECT c.relname FROM pg_class c WHERE c.oid = rel), 63), qname, want::text, pub::text, pub);
END
$fn$;

-- ---------------------------------------------------------------------------
-- publish_table(): creates the publication if needed and sets the table's
-- entry (column list, row filter) to exactly what is asked. actions, when
-- given, may set the publication's actions (PostgreSQL keeps them per
-- publication) only while it publishes no other table: set_actions() does
-- that explicitly. Refuses what would make the table's UPDATE/DELETE fail.
-- Returns 'created', 'added', 'updated' or 'unchanged'. The steps below
-- each check or do one thing, in this order.
-- ---------------------------------------------------------------------------

-- The row filter as ALTER PUBLICATION ... ADD TABLE rel WHERE (row_filter)
-- parses and stores it, shown as pg_get_expr() shows a stored filter; NULL
-- when the text is not one expression of one table entry; parse errors are
-- raised (extension/publication_sql.cpp).
CREATE FUNCTION _row_filter(rel regclass, row_filter text) RETURNS text
AS 'MODULE_PATHNAME', 'outflow_row_filter'
LANGUAGE C STABLE STRICT;

-- Raises when publish_table() is called without a publication or relation.
CREATE FUNCTION _check_publish_args(publication name, relation regclass) RETURNS void
LANGUAGE plpgsql IMMUTABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF publication IS NULL OR relation IS NULL THEN
		RAISE EXCEPTION 'outflow.publish_table: % must not be NULL', CASE WHEN publication IS NULL THEN 'publication' ELSE 'relation' END
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Call outflow.publish_table(''publication'', ''schema.table'').';
	END IF;
	IF publication = '' THEN
		RAISE EXCEPTION 'outflow.publish_table: publication must not be an empty name'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Call outflow.publish_table(''publication'', ''schema.table'').';
	END IF;
END
$fn$;

-- The qualified name of relation, checked to be a table PostgreSQL can
-- publish (it exists, is an ordinary or partitioned table, is permanent).
CREATE FUNCTION _publishable_table(relation regclass) RETURNS text
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	rel record;
	qname text;
BEGIN
	SELECT c.relkind, c.relpersistence, c.relname, n.nspname INTO rel
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = relation;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'outflow.publish_table: relation with OID % does not exist', relation::oid
			USING ERRCODE = 'undefined_table', HINT = 'Pass the table by name: ''schema.table''.';
	END IF;
	qname := format('%I.%I', rel.nspname, rel.relname);
	IF rel.relkind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION 'cannot publish %: it is not a table', qname
			USING ERRCODE = 'wrong_object_type', HINT = 'Only ordinary and partitioned tables can be published.';
	END IF;
	IF rel.relpersistence <> 'p' THEN
		RAISE EXCEPTION 'cannot publish %: it is %', qname, CASE rel.relpersistence WHEN 't' THEN 'a temporary table' ELSE 'an unlogged table' END
			USING ERRCODE = 'wrong_object_type', HINT = 'Only permanent tables are written to WAL and can be published.';
	END IF;
	RETURN qname;
END
$fn$;

-- The attnums of a column list of relation (qname), sorted as PostgreSQL
-- stores them; NULL for NULL (every column). Raises on an empty list,
-- NULLs, a missing or generated column, or a column named twice.
CREATE FUNCTION _column_list(relation regclass, qname text, columns name[]) RETURNS int2[]
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	col name;
	att record;
BEGIN
	IF columns IS NULL THEN
		RETURN NULL;
	END IF;
	IF cardinality(columns) = 0 OR array_position(columns, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'columns must name at least one column and contain no NULL'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass NULL to publish every column.';
	END IF;
	FOREACH col IN ARRAY columns LOOP
		SELECT a.attnum, a.attgenerated INTO att FROM pg_attribute a
		WHERE a.attrelid = relation AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'column "%" of table % does not exist', col, qname
				USING ERRCODE = 'undefined_column',
				HINT = format('Columns of %s: %s.', qname, (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
					FROM pg_attribute a WHERE a.attrelid = relation AND a.attnum > 0 AND NOT a.attisdropped));
		END IF;
		IF att.attgenerated <> '' THEN
			RAISE EXCEPTION 'column "%" of table % is a generated column', col, qname
				USING ERRCODE = 'invalid_column_reference',
				HINT = 'Generated columns are never streamed (PostgreSQL before 18 refuses them in column lists): leave it out, or pass NULL to publish every column.';
		END IF;
	END LOOP;
	IF (SELECT count(DISTINCT c) FROM unnest(columns) c) <> cardinality(columns) THEN
		RAISE EXCEPTION 'columns names a column more than once'
			USING ERRCODE = 'duplicate_column', HINT = 'Name each column once.';
	END IF;
	RETURN (SELECT array_agg(a.attnum ORDER BY a.attnum) FROM pg_attribute a
		WHERE a.attrelid = relation AND a.attname = ANY (columns) AND a.attnum > 0 AND NOT a.attisdropped);
END
$fn$;

-- Raises on an empty row filter, and on a column list or row filter where
-- the server has none (before 15).
CREATE FUNCTION _check_entry_features(columns name[], row_filter text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF row_filter IS NOT NULL AND btrim(row_filter) = '' THEN
		RAISE EXCEPTION 'row_filter is empty'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass NULL to publish every row, or a boolean expression on the table''s columns.';
	END IF;
	IF columns IS NOT NULL THEN
		PERFORM outflow._require_version('column lists', 150000,
			'Pass columns => NULL to publish every column (consumers can ignore the ones they do not need), or upgrade the server.');
	END IF;
	IF row_filter IS NOT NULL THEN
		PERFORM outflow._require_version('row filters', 150000,
			'Pass row_filter => NULL to publish every row (consumers can skip the ones they do not need), or upgrade the server.');
	END IF;
END
$fn$;

-- The publication, created publishing want (NULL: every action) when it
-- does not exist yet (created).
CREATE FUNCTION _publication_for(publication name, want text[], OUT pub oid, OUT all_tables boolean, OUT created boolean)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	created := NOT EXISTS (SELECT FROM pg_publication pp WHERE pp.pubname = publication);
	IF created THEN
		EXECUTE format('CREATE PUBLICATION %I WITH (publish = %L)', publication,
			array_to_string(coalesce(want, ARRAY['insert', 'update', 'delete', 'truncate']), ', '));
	END IF;
	SELECT pp.oid, pp.puballtables INTO pub, all_tables FROM pg_publication pp WHERE pp.pubname = publication;
END
$fn$;

-- Raises when FOR ALL TABLES publication pub cannot take relation's entry:
-- it has no column lists or row filters (narrowed), and a table in its
-- EXCEPT list (19+), or under a partitioned table there, is not published.
CREATE FUNCTION _check_all_tables_entry(publication name, pub oid, relation regclass, qname text, narrowed boolean) RETURNS void
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	excepted text;
BEGIN
	IF narrowed THEN
		RAISE EXCEPTION 'publication "%" is FOR ALL TABLES: it cannot have a column list or row filter for %', publication, qname
			USING ERRCODE = 'feature_not_supported',
			HINT = 'Column lists and row filters need a FOR TABLE publication: use another publication name.';
	END IF;
	SELECT min(x::regclass::text) INTO excepted FROM unnest(outflow._pub_excepted(pub)) x
	WHERE x = relation OR x IN (SELECT a.relid FROM pg_partition_ancestors(relation) a);
	IF excepted IS NOT NULL THEN
		RAISE EXCEPTION 'publication "%" is FOR ALL TABLES but leaves out % (EXCEPT %)', publication, qname, excepted
			USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = 'Create the publication again without the table in EXCEPT, or use another publication name (a FOR TABLE publication).';
	END IF;
END
$fn$;

-- Sets publication's actions to want when given and different (refusing
-- what would change what it publishes of other tables); true when changed.
CREATE FUNCTION _change_actions(publication name, pub oid, relation regclass, want text[]) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF want IS NULL OR want IS NOT DISTINCT FROM outflow._pub_actions(pub) THEN
		RETURN false;
	END IF;
	PERFORM outflow._refuse_actions_change(publication, relation, want);
	EXECUTE format('ALTER PUBLICATION %I SET (publish = %L)', publication, array_to_string(want, ', '));
	RETURN true;
END
$fn$;

-- Raises when publication pub publishes relation's schema (FOR TABLES IN
-- SCHEMA) and a column list or row filter is asked for the table.
CREATE FUNCTION _check_schema_entry(publication name, pub oid, relation regclass, qname text, columns name[], row_filter text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF (columns IS NOT NULL OR row_filter IS NOT NULL)
	   AND (SELECT c.relnamespace FROM pg_class c WHERE c.oid = relation) = ANY (outflow._pub_schemas(pub)) THEN
		RAISE EXCEPTION 'publication "%" publishes schema % (FOR TABLES IN SCHEMA): it cannot have a % for %', publication,
			(SELECT quote_ident(n.nspname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = relation),
			CASE WHEN columns IS NOT NULL THEN 'column list' ELSE 'row filter' END, qname
			USING ERRCODE = 'feature_not_supported',
			HINT = 'PostgreSQL refuses column lists there and ignores row filters of tables published through their schema: use another publication name (a FOR TABLE publication).';
	END IF;
END
$fn$;

-- Raises again an error (st, msg, det, hnt) of reading the row filter or of
-- ALTER PUBLICATION for qname's entry, naming the table and the
-- publication: a row filter's error with what a row filter may contain,
-- any other with what publishing needs.
CREATE FUNCTION _raise_entry_error(publication name, qname text, row_filter text, st text, msg text, det text, hnt text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF row_filter IS NOT NULL AND (st LIKE '42%' OR st LIKE '22%' OR st = '0A000') THEN
		RAISE EXCEPTION 'row filter for % in publication "%" is not valid: %', qname, publication, msg
			USING ERRCODE = st, DETAIL = coalesce(nullif(det, ''), format('row_filter: %s', row_filter)),
			HINT = coalesce(nullif(hnt, '') || ' ', '') || 'A row filter is a boolean expression on the table''s columns using built-in immutable functions and operators only: no subqueries, user-defined functions or types, or system columns.';
	END IF;
	hnt := coalesce(nullif(hnt, ''), 'Publishing a table needs ownership of the table and of the publication; a table in a FOR TABLES IN SCHEMA publication cannot have a column list.');
	IF coalesce(det, '') = '' THEN
		RAISE EXCEPTION 'cannot publish % in publication "%": %', qname, publication, msg
			USING ERRCODE = st, HINT = hnt;
	END IF;
	RAISE EXCEPTION 'cannot publish % in publication "%": %', qname, publication, msg
		USING ERRCODE = st, DETAIL = det, HINT = hnt;
END
$fn$;

-- The row filter as PostgreSQL will store and show it (NULL: none); raises
-- when it is not valid or not a single expression.
CREATE FUNCTION _row_filter_checked(publication name, relation regclass, qname text, row_filter text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	filter text;
	st text; msg text; det text; hnt text;
BEGIN
	IF row_filter IS NULL THEN
		RETURN NULL;
	END IF;
	BEGIN
		filter := outflow._row_filter(relation, row_filter);
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
		PERFORM outflow._raise_entry_error(publication, qname, row_filter, st, msg, det, hnt);
	END;
	IF filter IS NULL THEN
		RAISE EXCEPTION 'row filter for % is not a single expression: %', qname, row_filter
			USING ERRCODE = 'syntax_error', HINT = 'Pass one boolean expression on the table''s columns, without WHERE.';
	END IF;
	RETURN filter;
END
$fn$;

-- The table of ALTER PUBLICATION ... ADD TABLE: ONLY a plain table (a
-- partitioned one with its partitions), its column list, its row filter
-- (filter: as _row_filter() gives it).
CREATE FUNCTION _table_entry_sql(relation regclass, columns name[], filter text) RETURNS text
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT format('%s%I.%I', CASE WHEN c.relkind = 'r' THEN 'ONLY ' ELSE '' END, n.nspname, c.relname)
		|| CASE WHEN columns IS NOT NULL THEN format(' (%s)', (SELECT string_agg(format('%I', x), ', ' ORDER BY o)
			FROM unnest(columns) WITH ORDINALITY AS u(x, o))) ELSE '' END
		|| CASE WHEN filter IS NOT NULL THEN format(' WHERE (%s)', filter) ELSE '' END
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = relation
$fn$;

-- Sets relation's entry in FOR TABLE publication pub to the column list
-- (columns, their attnums) and row filter (filter, as _row_filter() gives
-- it): 'added', 'updated', or 'unchanged' when it already was that entry.
CREATE FUNCTION _set_table_entry(publication name, pub oid, relation regclass, qname text,
	columns name[], attnums int2[], filter text, row_filter text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	old record;
	listed boolean;
	st text; msg text; det text; hnt text;
BEGIN
	-- (prattrs is an int2vector: its array starts at 0, so the lists are compared as text)
	SELECT array_to_string(r.attrs, ' ') AS attrs, pg_get_expr(r.qual, r.relid) AS filter INTO old
	FROM outflow._pub_rel(pub) r WHERE r.relid = relation;
	listed := FOUND;
	IF listed AND old.attrs IS NOT DISTINCT FROM array_to_string(attnums, ' ') AND old.filter IS NOT DISTINCT FROM filter THEN
		RETURN 'unchanged';
	END IF;
	BEGIN
		IF listed THEN
			EXECUTE format('ALTER PUBLICATION %I DROP TABLE %s', publication, outflow._table_entry_sql(relation, NULL, NULL));
		END IF;
		EXECUTE format('ALTER PUBLICATION %I ADD TABLE %s', publication, outflow._table_entry_sql(relation, columns, filter));
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
		PERFORM outflow._raise_entry_error(publication, qname, row_filter, st, msg, det, hnt);
	END;
	RETURN CASE WHEN listed THEN 'updated' ELSE 'added' END;
END
$fn$;

CREATE FUNCTION publish_table(publication name, relation regclass, columns name[] DEFAULT NULL,
	row_filter text DEFAULT NULL, actions text[] DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	qname text;
	want text[];
	attnums int2[];
	p record;
	actions_changed boolean := false;
	status text;
BEGIN
	PERFORM outflow._check_publish_args(publication, relation);
	qname := outflow._publishable_table(relation);
	want := CASE WHEN actions IS NOT NULL THEN outflow._actions(actions) END;
	attnums := outflow._column_list(relation, qname, columns);
	PERFORM outflow._check_entry_features(columns, row_filter);

	p := outflow._publication_for(publication, want);
	IF p.all_tables THEN
		PERFORM outflow._check_all_tables_entry(publication, p.pub, relation, qname, columns IS NOT NULL OR row_filter IS NOT NULL);
	END IF;
	IF NOT p.created THEN
		actions_changed := outflow._change_actions(publication, p.pub, relation, want);
	END IF;
	PERFORM outflow._check_schema_entry(publication, p.pub, relation, qname, columns, row_filter);

	IF p.all_tables THEN
		status := CASE WHEN actions_changed THEN 'updated' ELSE 'unchanged' END;
	ELSE
		status := outflow._set_table_entry(publication, p.pub, relation, qname, columns, attnums,
			outflow._row_filter_checked(publication, relation, qname, row_filter), row_filter);
		status := CASE WHEN p.created THEN 'created' WHEN status = 'unchanged' AND actions_changed THEN 'updated' ELSE status END;
	END IF;

	-- refuse what would make UPDATE/DELETE fail (everything rolls back)
	PERFORM outflow._check_publication(publication, CASE WHEN actions_changed THEN NULL ELSE relation END);
	RETURN status;
END
$fn$;
COMMENT ON FUNCTION publish_table(name, regclass, name[], text, text[]) IS 'adds or updates a table''s entry in a publication (created if needed), refusing entries that would break UPDATE/DELETE';

-- set_actions(): sets what a publication publishes (for every one of its
-- tables, as PostgreSQL keeps actions per publication), refusing what would
-- make a table's UPDATE/DELETE fail, and names the tables it affects in a
-- NOTICE. Returns 'updated' or 'unchanged'.
CREATE FUNCTION set_actions(publication name, actions text[]) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	p record;
	want text[];
	tables text[];
	st text; msg text;
BEGIN
	IF publication IS NULL OR actions IS NULL THEN
		RAISE EXCEPTION 'outflow.set_actions: % must not be NULL', CASE WHEN publication IS NULL THEN 'publication' ELSE 'actions' END
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Call outflow.set_actions(''publication'', ''{insert,update,delete,truncate}'') with the actions to publish.';
	END IF;
	SELECT pp.oid INTO p FROM pg_publication pp WHERE pp.pubname = publication;
	IF NOT FOUND THEN
		PERFORM outflow._publication_missing(publication);
	END IF;
	want := outflow._actions(actions);
	IF want = outflow._pub_actions(p.oid) THEN
		RETURN 'unchanged';
	END IF;
	BEGIN
		EXECUTE format('ALTER PUBLICATION %I SET (publish = %L)', publication, array_to_string(want, ', '));
	EXCEPTION WHEN insufficient_privilege THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
		RAISE EXCEPTION 'cannot set the actions of publication "%": %', publication, msg
			USING ERRCODE = st, HINT = 'Changing a publication''s actions needs ownership of the publication.';
	END;
	-- refuse what would make UPDATE/DELETE fail (everything rolls back)
	PERFORM outflow._check_publication(publication, NULL);
	tables := outflow._published_tables(publication, NULL);
	RAISE NOTICE 'publication "%" now publishes % for %', publication, array_to_string(want, ', '),
		CASE WHEN cardinality(tables) = 0 THEN 'no table yet'
			WHEN (SELECT pp.puballtables FROM pg_publication pp WHERE pp.oid = p.oid) THEN 'every table (FOR ALL TABLES): ' || outflow._name_list(tables)
			ELSE format('%s table%s: %s', cardinality(tables), CASE WHEN cardinality(tables) > 1 THEN 's' ELSE '' END, outflow._name_list(tables)) END;
	RETURN 'updated';
END
$fn$;
COMMENT ON FUNCTION set_actions(name, text[]) IS 'sets the actions a publication publishes for all its tables, naming them in a NOTICE';

-- unpublish_table(): removes a table's entry; false when it had none.
CREATE FUNCTION unpublish_table(publication name, relation regclass) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	p record;
	rel record;
	qname text;
BEGIN
	IF publication IS NULL OR relation IS NULL THEN
		RAISE EXCEPTION 'outflow.unpublish_table: % must not be NULL', CASE WHEN publication IS NULL THEN 'publication' ELSE 'relation' END
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Call outflow.unpublish_table(''publication'', ''schema.table'').';
	END IF;
	SELECT pp.oid, pp.puballtables INTO p FROM pg_publication pp WHERE pp.pubname = publication;
	IF NOT FOUND THEN
		PERFORM outflow._publication_missing(publication);
	END IF;
	SELECT c.relkind, c.relname, n.nspname, c.relnamespace INTO rel
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = relation;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'outflow.unpublish_table: relation with OID % does not exist', relation::oid
			USING ERRCODE = 'undefined_table', HINT = 'Pass the table by name: ''schema.table''.';
	END IF;
	qname := format('%I.%I', rel.nspname, rel.relname);
	IF p.puballtables AND relation = ANY (outflow._pub_excepted(p.oid)) THEN
		RAISE NOTICE 'table % is not in publication "%" (it is in its EXCEPT list)', qname, publication;
		RETURN false;
	END IF;
	IF p.puballtables THEN
		RAISE EXCEPTION 'publication "%" is FOR ALL TABLES: % cannot be removed from it', publication, qname
			USING ERRCODE = 'feature_not_supported', HINT = 'Use a FOR TABLE publication to choose tables.';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = relation) THEN
		IF rel.relnamespace = ANY (outflow._pub_schemas(p.oid)) THEN
			RAISE EXCEPTION 'publication "%" publishes % through FOR TABLES IN SCHEMA %', publication, qname, quote_ident(rel.nspname)
				USING ERRCODE = 'feature_not_supported',
				HINT = format('Remove the schema instead: ALTER PUBLICATION %I DROP TABLES IN SCHEMA %I;', publication, rel.nspname);
		END IF;
		RAISE NOTICE 'table % is not in publication "%"', qname, publication;
		RETURN false;
	END IF;
	EXECUTE format('ALTER PUBLICATION %I DROP TABLE %s', publication, outflow._table_entry_sql(relation, NULL, NULL));
	RETURN true;
END
$fn$;
COMMENT ON FUNCTION unpublish_table(name, regclass) IS 'removes a table''s entry from a publication';

-- publication_tables(): every table the publication publishes, with its
-- column list (NULL: all columns), row filter, replica identity, and
-- whether UPDATE/DELETE of it work with this publication (ready).
CREATE FUNCTION publication_tables(publication name)
RETURNS TABLE (schema_name name, table_name name, relation regclass, columns name[], row_filter text,
	replica_identity text, identity_columns name[], actions text[], ready boolean, problem text, fix text)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	p record;
BEGIN
	IF publication IS NULL THEN
		RAISE EXCEPTION 'outflow.publication_tables: publication must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Existing publications: SELECT pubname FROM pg_publication;';
	END IF;
	SELECT pp.oid, pp.pubupdate OR pp.pubdelete AS changes INTO p FROM pg_publication pp WHERE pp.pubname = publication;
	IF NOT FOUND THEN
		PERFORM outflow._publication_missing(publication);
	END IF;
	RETURN QUERY
	SELECT n.nspname, c.relname, c.oid::regclass, outflow._attnames(c.oid, g.attrs), pg_get_expr(g.qual, g.relid),
		id.kind, outflow._attnames(c.oid, id.identity_attnums), outflow._pub_actions(p.oid),
		e.problem IS NULL, e.problem, e.fix
	FROM outflow._pub_entries(publication) g
	JOIN pg_class c ON c.oid = g.relid
	JOIN pg_namespace n ON n.oid = c.relnamespace
	CROSS JOIN LATERAL outflow._identity(c.oid) id
	CROSS JOIN LATERAL outflow._entry_problem(c.oid, g.attrs, g.qual, p.changes) e
	ORDER BY n.nspname, c.relname;
END
$fn$;
COMMENT ON FUNCTION publication_tables(name) IS 'tables of a publication with columns, filter, replica identity and readiness';

-- ---------------------------------------------------------------------------
-- Slots.
-- ---------------------------------------------------------------------------

-- create_slot(): a logical slot with the outflow plugin; the publications
-- are remembered so that outflow.changes()/peek() follow them (NULL: every
-- table). Returns the LSN from which the slot streams.
CREATE FUNCTION create_slot(slot_name name, publications text[] DEFAULT NULL,
	temporary boolean DEFAULT false, two_phase boolean DEFAULT false, failover boolean DEFAULT false)
RETURNS pg_lsn
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	start pg_lsn;
	pub text;
BEGIN
	IF create_slot.slot_name IS NULL OR temporary IS NULL OR two_phase IS NULL OR failover IS NULL THEN
		RAISE EXCEPTION 'outflow.create_slot: % must not be NULL',
			CASE WHEN create_slot.slot_name IS NULL THEN 'slot_name' WHEN temporary IS NULL THEN 'temporary'
			WHEN two_phase IS NULL THEN 'two_phase' ELSE 'failover' END
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Call outflow.create_slot(''slot_name'', ''publication'').';
	END IF;
	IF cardinality(publications) = 0 OR array_position(publications, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'outflow.create_slot: publications must name at least one publication and contain no NULL'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass publications'' names, e.g. ARRAY[''pub_a'', ''pub_b''], or NULL to stream every table.';
	END IF;
	FOREACH pub IN ARRAY coalesce(publications, '{}') LOOP
		IF pub = '' THEN
			RAISE EXCEPTION 'outflow.create_slot: publication must not be an empty name'
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass a publication''s name, or NULL to stream every table.';
		END IF;
		IF NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = pub) THEN
			PERFORM outflow._publication_missing(pub, 'Or pass NULL to stream every table.');
		END IF;
	END LOOP;
	IF (SELECT count(DISTINCT x::name) FROM unnest(publications) x) <> cardinality(publications) THEN
		RAISE EXCEPTION 'outflow.create_slot: publications names a publication more than once'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Name each publication once.';
	END IF;
	IF EXISTS (SELECT FROM pg_replication_slots s WHERE s.slot_name = create_slot.slot_name) THEN
		RAISE EXCEPTION 'replication slot "%" already exists', create_slot.slot_name
			USING ERRCODE = 'duplicate_object',
			HINT = format('Choose another name, or drop it first: SELECT outflow.drop_slot(%L);', create_slot.slot_name);
	END IF;
	-- the slot first: a transaction that has written cannot create a logical slot
	start := outflow._create_logical_slot(create_slot.slot_name, 'outflow', temporary, two_phase, failover);
	DELETE FROM outflow.slot_publication sp WHERE sp.slot_name = create_slot.slot_name; -- left over from a slot dropped directly
	IF publications IS NOT NULL THEN
		INSERT INTO outflow.slot_publication (slot_name, publications) VALUES (create_slot.slot_name, publications::name[]);
	END IF;
	RETURN start;
END
$fn$;
COMMENT ON FUNCTION create_slot(name, text[], boolean, boolean, boolean) IS 'creates a logical slot with the outflow plugin and remembers its publications';

-- create_slot() with one publication by name: create_slot('slot', 'pub').
-- publication has no default, so create_slot('slot') is the function above;
-- an untyped literal or NULL prefers this text parameter to text[].
CREATE FUNCTION create_slot(slot_name name, publication text,
	temporary boolean DEFAULT false, two_phase boolean DEFAULT false, failover boolean DEFAULT false)
RETURNS pg_lsn
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT outflow.create_slot(slot_name, CASE WHEN publication IS NOT NULL THEN ARRAY[publication] END, temporary, two_phase, failover)
$fn$;
COMMENT ON FUNCTION create_slot(name, text, boolean, boolean, boolean) IS 'creates a logical slot with the outflow plugin and remembers its publication';

-- The slot's row, checked: exists, logical, an outflow plugin, this database.
CREATE FUNCTION _outflow_slot(slot_name name, caller text) RETURNS pg_replication_slots
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	s pg_replication_slots;
BEGIN
	IF _outflow_slot.slot_name IS NULL THEN
		RAISE EXCEPTION '%: slot_name must not be NULL', caller
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Slots: SELECT slot_name FROM outflow.slots;';
	END IF;
	SELECT * INTO s FROM pg_replication_slots r WHERE r.slot_name = _outflow_slot.slot_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'replication slot "%" does not exist', _outflow_slot.slot_name
			USING ERRCODE = 'undefined_object',
			HINT = format('Slots: SELECT slot_name FROM outflow.slots; create one with SELECT outflow.create_slot(%L, ''publication'');', _outflow_slot.slot_name);
	END IF;
	IF s.slot_type <> 'logical' OR s.plugin NOT IN ('outflow', 'outflow_wal2json') THEN
		RAISE EXCEPTION 'replication slot "%" is not an outflow slot (% slot, plugin %)', s.slot_name, s.slot_type, coalesce(s.plugin::text, 'none')
			USING ERRCODE = 'wrong_object_type',
			HINT = 'outflow''s functions work on slots with the outflow plugin only: use pg_drop_replication_slot() and pg_logical_slot_get_changes() for other slots.';
	END IF;
	IF s.database <> current_database() THEN
		RAISE EXCEPTION 'replication slot "%" belongs to database "%"', s.slot_name, s.database
			USING ERRCODE = 'object_not_in_prerequisite_state', HINT = format('Connect to database %I to use it.', s.database);
	END IF;
	RETURN s;
END
$fn$;

-- drop_slot(): drops an outflow slot and forgets its publications.
CREATE FUNCTION drop_slot(slot_name name) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	s pg_replication_slots;
BEGIN
	s := outflow._outflow_slot(drop_slot.slot_name, 'outflow.drop_slot');
	IF s.active AND s.active_pid IS DISTINCT FROM pg_backend_pid() THEN -- a session's own temporary slot is active for it
		RAISE EXCEPTION 'replication slot "%" is in use by process %', s.slot_name, s.active_pid
			USING ERRCODE = 'object_in_use', HINT = 'Stop its consumer (or SELECT pg_terminate_backend(active_pid) FROM outflow.slots WHERE slot_name = ...) first.';
	END IF;
	PERFORM pg_drop_replication_slot(drop_slot.slot_name);
	DELETE FROM outflow.slot_publication sp WHERE sp.slot_name = drop_slot.slot_name;
END
$fn$;
COMMENT ON FUNCTION drop_slot(name) IS 'drops an outflow slot and forgets its publications';

-- The changes of a slot as (lsn, xid, change jsonb), native format.
CREATE FUNCTION _read(slot_name name, upto_lsn pg_lsn, upto_nchanges integer, options jsonb, consume boolean, caller text)
RETURNS TABLE (lsn pg_lsn, xid xid, change jsonb)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	s pg_replication_slots;
	opts text[] := '{}';
	k text;
	v jsonb;
	pubs text;
BEGIN
	s := outflow._outflow_slot(_read.slot_name, caller);
	IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
		RAISE EXCEPTION '%: options must be a JSON object, not %', caller, coalesce(jsonb_typeof(options), 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass plugin options as {"name": value}, e.g. ''{"include-transaction": true, "actions": "insert,update"}''.';
	END IF;
	IF upto_nchanges IS NOT NULL AND upto_nchanges < 0 THEN
		RAISE EXCEPTION '%: upto_nchanges must not be negative', caller
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass NULL for no limit.';
	END IF;
	IF s.plugin = 'outflow_wal2json' THEN
		opts := ARRAY['format', 'native'];
	END IF;
	FOR k, v IN SELECT e.key, e.value FROM jsonb_each(options) e ORDER BY e.key LOOP
		IF k IN ('format', 'format-version', 'pretty-print', 'write-in-chunks') THEN
			RAISE EXCEPTION '%: option "%" is not available here', caller, k
				USING ERRCODE = 'invalid_parameter_value',
				HINT = 'outflow.changes() and outflow.peek() return the native format; for the wal2json formats use pg_logical_slot_get_changes().';
		END IF;
		CASE jsonb_typeof(v)
			WHEN 'string' THEN opts := opts || ARRAY[k, v #>> '{}'];
			WHEN 'number', 'boolean' THEN opts := opts || ARRAY[k, v::text];
			WHEN 'null' THEN
				IF k <> 'publication_names' THEN
					RAISE EXCEPTION '%: option "%" is null', caller, k
						USING ERRCODE = 'invalid_parameter_value',
						HINT = 'Give the option a value (true for a boolean), or leave it out; null is accepted only for publication_names, to stream every table.';
				END IF;
				-- publication_names null: no publication, every table
			ELSE
				RAISE EXCEPTION '%: option "%" has a JSON % value', caller, k, jsonb_typeof(v)
					USING ERRCODE = 'invalid_parameter_value',
					HINT = 'Option values are strings, numbers, booleans or null; lists are one comma-separated string, e.g. {"actions": "insert,update"}.';
		END CASE;
	END LOOP;
	IF NOT options ? 'publication_names' THEN
		SELECT string_agg(quote_ident(x), ',' ORDER BY o) INTO pubs
		FROM outflow.slot_publication sp, unnest(sp.publications) WITH ORDINALITY AS u(x, o)
		WHERE sp.slot_name = _read.slot_name;
		IF pubs IS NOT NULL THEN
			opts := opts || ARRAY['publication_names', pubs];
		END IF;
	END IF;
	IF consume THEN
		RETURN QUERY SELECT c.lsn, c.xid, c.data::jsonb
			FROM pg_logical_slot_get_changes(_read.slot_name, upto_lsn, upto_nchanges, VARIADIC opts) c;
	ELSE
		RETURN QUERY SELECT c.lsn, c.xid, c.data::jsonb
			FROM pg_logical_slot_peek_changes(_read.slot_name, upto_lsn, upto_nchanges, VARIADIC opts) c;
	END IF;
END
$fn$;

-- changes(): reads and consumes; peek(): reads without consuming.
CREATE FUNCTION changes(slot_name name, upto_lsn pg_lsn DEFAULT NULL, upto_nchanges integer DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS TABLE (lsn pg_lsn, xid xid, change jsonb)
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT r.lsn, r.xid, r.change FROM outflow._read(slot_name, upto_lsn, upto_nchanges, options, true, 'outflow.changes') r
$fn$;
COMMENT ON FUNCTION changes(name, pg_lsn, integer, jsonb) IS 'consumes a slot''s changes (native format), following the slot''s publications';

CREATE FUNCTION peek(slot_name name, upto_lsn pg_lsn DEFAULT NULL, upto_nchanges integer DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS TABLE (lsn pg_lsn, xid xid, change jsonb)
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT r.lsn, r.xid, r.change FROM outflow._read(slot_name, upto_lsn, upto_nchanges, options, false, 'outflow.peek') r
$fn$;
COMMENT ON FUNCTION peek(name, pg_lsn, integer, jsonb) IS 'reads a slot''s changes (native format) without consuming them';

-- slots: every logical slot, how far behind it is and what WAL it keeps.
-- failover, synced, conflicting and invalidation_reason are NULL on majors
-- without them (outflow._slot_extras). security_invoker (15+) is set below.
CREATE VIEW slots AS
SELECT s.slot_name, s.plugin, s.database, s.temporary, s.active, s.active_pid, s.wal_status,
	s.restart_lsn, s.confirmed_flush_lsn,
	pg_catalog.pg_wal_lsn_diff(w.current, s.confirmed_flush_lsn)::bigint AS lag_bytes,
	pg_catalog.pg_wal_lsn_diff(w.current, s.restart_lsn)::bigint AS retained_wal_bytes,
	s.safe_wal_size,
	x.failover, x.synced, x.conflicting, x.invalidation_reason,
	sp.publications
FROM pg_catalog.pg_replication_slots s
CROSS JOIN (SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
                        ELSE pg_catalog.pg_current_wal_lsn() END AS current) w
LEFT JOIN outflow._slot_extras() x ON x.slot_name = s.slot_name
LEFT JOIN outflow.slot_publication sp ON sp.slot_name = s.slot_name AND s.database = pg_catalog.current_database()
WHERE s.slot_type = 'logical';
COMMENT ON VIEW slots IS 'logical slots: plugin, activity, lag and retained WAL in bytes, failover state, and the publications outflow remembers';
-- The view runs with the caller's privileges where views can (15+); before
-- that it reads only what every role may read anyway.
DO $compat$
BEGIN
	IF current_setting('server_version_num')::int >= 150000 THEN
		ALTER VIEW outflow.slots SET (security_invoker = true);
	END IF;
END
$compat$;
-- fresh install only { (as the grants above; CREATE OR REPLACE VIEW keeps 0.2's)
GRANT SELECT ON slots TO PUBLIC;
-- }

-- heartbeat(): a logical message (prefix outflow.heartbeat, content the
-- time), so that idle or fully filtered slots get something to confirm and
-- can advance. Returns its LSN. Transactional on purpose: decoding reads
-- only flushed WAL, and on 15 a non-transactional message is not flushed
-- until something else flushes WAL (never, on an idle server); the commit
-- flushes it. Call it in its own transaction.
CREATE FUNCTION heartbeat() RETURNS pg_lsn
LANGUAGE sql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, YMD'
AS $fn$
	SELECT pg_logical_emit_message(true, 'outflow.heartbeat', now()::text)
$fn$;
COMMENT ON FUNCTION heartbeat() IS 'emits a logical message (prefix outflow.heartbeat) so idle or filtered slots can advance; returns its LSN';

-- ---------------------------------------------------------------------------
-- snapshot(): every row the publication publishes, as {"op":"read",
-- "schema","table","key","new"}, rendered by the decoder's own C++ code
-- (extension/snapshot.cpp): the same text as a streamed insert of the row,
-- column lists, row filters and publish_via_partition_root applied; json,
-- not jsonb, so that the text is the decoder's own (and is not parsed again). STABLE: every table is read with one snapshot;
-- inside a REPEATABLE READ transaction that imported a slot's exported
-- snapshot it is the initial copy that precedes that slot's stream.
-- ---------------------------------------------------------------------------

-- The rows, rendered by the decoder's own code (extension/snapshot.cpp).
CREATE FUNCTION _snapshot(publication name, numbers_as_string boolean) RETURNS SETOF json
AS 'MODULE_PATHNAME', 'outflow_snapshot'
LANGUAGE C STABLE STRICT;

CREATE FUNCTION snapshot(publication name, options jsonb DEFAULT '{}')
RETURNS SETOF json
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	numbers_as_string boolean := false;
	k text;
	v jsonb;
BEGIN
	IF publication IS NULL THEN
		RAISE EXCEPTION 'outflow.snapshot: publication must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Existing publications: SELECT pubname FROM pg_publication;';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = publication) THEN
		PERFORM outflow._publication_missing(publication);
	END IF;
	IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
		RAISE EXCEPTION 'outflow.snapshot: options must be a JSON object, not %', coalesce(jsonb_typeof(options), 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass ''{}'' or ''{"numeric-data-types-as-string": true}''.';
	END IF;
	FOR k, v IN SELECT e.key, e.value FROM jsonb_each(options) e LOOP
		IF k <> 'numeric-data-types-as-string' THEN
			RAISE EXCEPTION 'outflow.snapshot: unknown option "%"', k
				USING ERRCODE = 'invalid_parameter_value',
				HINT = 'outflow.snapshot() takes numeric-data-types-as-string; other options do not change how rows are rendered.';
		END IF;
		IF jsonb_typeof(v) = 'boolean' THEN
			numbers_as_string := v::text::boolean;
		ELSIF jsonb_typeof(v) = 'null' THEN
			numbers_as_string := true;
		ELSIF jsonb_typeof(v) = 'string' AND lower(v #>> '{}') IN ('true', 'on', 'yes', '1', 'false', 'off', 'no', '0') THEN
			numbers_as_string := (v #>> '{}')::boolean;
		ELSE
			RAISE EXCEPTION 'outflow.snapshot: option "%" must be a boolean, not %', k, v::text
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass true or false.';
		END IF;
	END LOOP;

	RETURN QUERY SELECT r FROM outflow._snapshot(publication, numbers_as_string) r;
END
$fn$;
COMMENT ON FUNCTION snapshot(name, jsonb) IS 'every published row as {"op":"read",...}, rendered like streamed rows; the initial copy when run under a slot''s exported snapshot';

-- ---------------------------------------------------------------------------
-- backfill(): the initial copy (or a re-copy) of a publication's tables
-- delivered through the stream of every slot that follows the publication,
-- in short transactions ("chunks") of chunk_rows rows walked in key order.
--
-- Why applying a slot's stream in order gives exactly the source table
-- (reads and inserts as upserts, updates as "remove key, add new", deletes
-- as deletes), whatever writers do meanwhile:
-- - Each chunk is one READ COMMITTED transaction. It first finds its upper
--   bound hi (the chunk_rows-th key after the last chunk's bound lo, none
--   for the last chunk), then reads the rows with lo < key <= hi FOR SHARE
--   and writes each one as a transactional logical message of its own
--   transaction (outflow._backfill_row), so the rows take the chunk's place
--   in commit order; outflow.backfills records hi in the same transaction.
-- - FOR SHARE: a write to a row of the chunk either committed before the
--   chunk locked the row, and the chunk reads its result (READ COMMITTED
--   follows the update chain and re-checks lo < key <= hi on the newest
--   version), or waits until the chunk commits, and then follows the chunk
--   in the stream. Either way the later record in the stream carries the
--   newer row.
-- - A row the chunk does not read (inserted after the chunk's snapshot, or
--   moved out of (lo, hi] by a key update) reaches the consumer through its
--   own insert or update in the stream; a row read twice (moved into a later
--   range) is an upsert of the same row.
-- - Rows moved below the bound. An update's out-of-line (TOAST) value it
--   leaves untouched is not in the stream ("unchanged": the consumer takes it
--   from the row it has). With REPLICA IDENTITY DEFAULT or INDEX the old row
--   in WAL has only the key, so a key update that moves a row the consumer
--   does not have yet to a key no later chunk reads would leave it unable to
--   complete the row. (With REPLICA IDENTITY FULL the old row in WAL is
--   whole, and the decoder takes the value from it: nothing to do.) So while
--   a table has an unfinished backfill it has a trigger (_backfill_moved,
--   created by _backfill_prepare before the first chunk, dropped after the
--   last): after an update that lowers a row's key from old > L (L: the last
--   bound the updater can see, or none yet), it writes the row, as it is now,
--   as a backfill row message in the updater's transaction, right after the
--   update in the stream. Why that suffices: let B be the bound of the last
--   chunk before the update U in commit order. The consumer lacks the row
--   only if old > B, and only then can it need the message; L <= B always
--   (L was committed before U commits, and bounds only grow; a stale
--   snapshot only lowers L), so old > B implies old > L: the trigger writes
--   it. A row whose key goes up needs nothing: a chunk after U reads it (the
--   chunk that covers old waits for U on the row lock and follows the
--   update; one that starts after U sees it), and so does a row whose new
--   key is beyond every bound. Note it must not test new <= L: a chunk
--   (L, hi] can be running while U moves a row from beyond hi into (L, hi]
--   and commit before U; the chunk does not see U's uncommitted row, the next
--   chunk starts after hi, and U's trigger still saw L. The trigger is
--   created in a transaction of its own that commits before the first chunk:
--   CREATE TRIGGER waits for every writer of the table in progress, so every
--   update that commits after the first chunk fires it. Extra rows it writes
--   (the consumer had the row, or a chunk reads it again) are upserts of the
--   current row.
-- So after the chunk with bound hi is applied, the consumer's rows with
-- key <= hi equal the source's at that commit, and every row it has with a
-- larger key is the source's row for that key (it came from a later change
-- of that row; only out-of-line values left untouched by an update may be
-- missing until a chunk reads it). After the last chunk (no bound) that is
-- every row.
-- A cancelled, killed or crashed chunk rolls back its messages and its
-- progress together: the next call resumes after the last committed chunk,
-- nothing missing, nothing sent twice. Locks live only as long as a chunk:
-- DDL on the table waits for at most one chunk.
-- ---------------------------------------------------------------------------

-- One row per table being (or having been) backfilled.
-- fresh install only { (0.2 has the table, its guard and its grants)
CREATE TABLE backfills (
	id bigserial PRIMARY KEY,
	publication name NOT NULL,
	relation regclass NOT NULL,
	key_columns name[] NOT NULL,
	chunk_rows integer NOT NULL CHECK (chunk_rows > 0),
	last_key text[],						-- bound of the last committed chunk (NULL: none yet)
	rows_done bigint NOT NULL DEFAULT 0,
	chunks_done bigint NOT NULL DEFAULT 0,
	state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done')),
	created_at timestamptz NOT NULL DEFAULT now(),
	started_at timestamptz,
	updated_at timestamptz,
	finished_at timestamptz
);
COMMENT ON TABLE backfills IS 'progress of outflow.backfill(), one row per table, updated in each chunk''s transaction';

CREATE TRIGGER backfill_writers_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON backfills
	FOR EACH STATEMENT EXECUTE FUNCTION _replication_roles_only(
		'Only superusers and roles with REPLICATION run backfills: they write into the streams of slots.');
GRANT SELECT, INSERT, UPDATE, DELETE ON backfills TO PUBLIC;
GRANT USAGE ON SEQUENCE backfills_id_seq TO PUBLIC;
-- }

-- The message writers (extension/backfill.cpp): rows and start/end marks.
CREATE FUNCTION _backfill_row(id bigint, publication name, relation regclass, table_row record) RETURNS boolean
AS 'MODULE_PATHNAME', 'outflow_backfill_row'
LANGUAGE C VOLATILE STRICT;
CREATE FUNCTION _backfill_mark(kind text, id bigint, publication name, relation regclass, rows bigint) RETURNS pg_lsn
AS 'MODULE_PATHNAME', 'outflow_backfill_mark'
LANGUAGE C VOLATILE STRICT;
-- (Executable by everyone: they check themselves that the caller is a
-- superuser or has REPLICATION, the roles backfill() is for.)

-- The columns a backfill walks rel by, in the index's order: its replica
-- identity index when it has one (REPLICA IDENTITY USING INDEX), else its
-- primary key (its key columns, not INCLUDE ones; a valid index); NULL if none.
CREATE FUNCTION _backfill_key(rel regclass) RETURNS name[]
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT ARRAY(SELECT a.attname FROM unnest((i.indkey::int2[])[0:i.indnkeyatts - 1]) WITH ORDINALITY AS k(attnum, ord)
	             JOIN pg_attribute a ON a.attrelid = rel AND a.attnum = k.attnum ORDER BY k.ord)
	FROM pg_index i
	JOIN pg_class c ON c.oid = i.indrelid
	WHERE i.indrelid = rel AND i.indisvalid AND (i.indisreplident OR (i.indisprimary AND c.relreplident <> 'i'))
	ORDER BY i.indisreplident DESC
	LIMIT 1
$fn$;

-- The trigger that closes the one gap of a chunked copy (see the comment at
-- the top of this section: "Rows moved below the bound"). While a table has
-- an unfinished backfill it has an AFTER UPDATE FOR EACH ROW trigger named
-- outflow_backfill_<table OID>, which runs only when the update changed the
-- key (its WHEN clause) and then calls this function. SECURITY DEFINER: the
-- updating role need not be able to write into slots' streams (the messages
-- need a superuser or REPLICATION, and the key file is readable only by the
-- server); its EXECUTE is revoked from PUBLIC, so only a superuser can put it
-- on a table (firing a trigger checks no privilege), and it writes nothing
-- but the current row of the very table it fires on, for a backfill of that
-- table that is running. TG_ARGV[0] is the OID of the table the backfill
-- walks (the root for a partitioned table: the trigger fires on its
-- partitions), TG_ARGV[1] the key it was made for (for _backfill_guard; the
-- key of each backfill is read from outflow.backfills).
CREATE FUNCTION _backfill_moved() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	rel regclass;
	b record;
	old_key text;	-- ($1)."k1", ($1)."k2": the key of the first parameter (OLD, then NEW)
	new_key text;	-- ($2)."k1", ...: the key after the update
	row_key text;	-- __outflow_row."k1", ...
	typed text;		-- $3[1]::type1, ...: the last key copied
	moved boolean;
BEGIN
	IF TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'ROW' OR TG_OP <> 'UPDATE' OR TG_NARGS <> 2 THEN
		RAISE EXCEPTION 'outflow._backfill_moved() is the AFTER UPDATE FOR EACH ROW trigger outflow.backfill() creates'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	rel := TG_ARGV[0]::oid::regclass;
	FOR b IN SELECT x.id, x.publication, x.key_columns, x.last_key FROM outflow.backfills x
	         WHERE x.relation = rel AND x.state <> 'done' ORDER BY x.id LOOP
		SELECT string_agg(format('($1).%I', k), ', ' ORDER BY o),
		       string_agg(format('($2).%I', k), ', ' ORDER BY o),
		       string_agg(format('__outflow_row.%I', k), ', ' ORDER BY o),
		       string_agg(format('$3[%s]::%s', o, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY o)
		INTO old_key, new_key, row_key, typed
		FROM unnest(b.key_columns) WITH ORDINALITY AS u(k, o)
		JOIN pg_attribute a ON a.attrelid = rel AND a.attname = u.k AND NOT a.attisdropped;
		CONTINUE WHEN old_key IS NULL;	-- the key changed: the next chunk says so
		-- The row was not copied (old key beyond the last bound, or no bound
		-- yet) and its key went down: a chunk may never read it.
		EXECUTE format('SELECT ROW(%s) < ROW(%s) AND ($3 IS NULL OR ROW(%s) > ROW(%s))', new_key, old_key, old_key, typed)
			INTO moved USING OLD, NEW, b.last_key;
		IF moved THEN
			-- the row as it is now in this transaction (NULL if a later
			-- change of this statement removed it), written as a chunk writes it
			EXECUTE format('SELECT count(*) FILTER (WHERE outflow._backfill_row($2, $3, $4, __outflow_row)) '
			               'FROM %s%s __outflow_row WHERE ROW(%s) = ROW(%s)',
			               -- ONLY for the table the trigger is on; a partitioned table's fires on its leaves
			               CASE WHEN TG_RELID = rel THEN 'ONLY ' ELSE '' END,
			               rel, row_key, old_key)	-- ($1): NEW here
				USING NEW, b.id, b.publication, rel;
		END IF;
	END LOOP;
	RETURN NULL;
END
$fn$;
-- fresh install only { (0.2 revoked it; revoking again would undo a later grant)
REVOKE EXECUTE ON FUNCTION _backfill_moved() FROM PUBLIC;
-- }

-- Makes rel's backfill trigger exist exactly while rel has an unfinished
-- backfill, enabled ALWAYS and for rel's current key (its arguments: rel's
-- OID and the key columns): creates it, recreates it, or drops it. Returns
-- 'created', 'dropped', 'unchanged' or 'left' (a drop given up: see below).
-- The DDL lock (SHARE ROW EXCLUSIVE, which waits for writers in progress and
-- holds new ones behind it) is taken only when something must change, with
-- a short lock_timeout, and tried again after a pause, so writers never
-- queue behind it for long; a drop is given up after a few tries (the
-- trigger then does nothing and the next backfill() removes it). SECURITY
-- DEFINER because a backfill's caller needs only SELECT and UPDATE on the
-- table, not TRIGGER; any role may call it, and all it can do is bring the
-- trigger in line with outflow.backfills (which only superusers and
-- REPLICATION roles change), after which it changes nothing.
CREATE FUNCTION _backfill_guard(rel regclass) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	trig name;
	keys name[];
	args bytea;		-- the trigger's arguments as pg_trigger keeps them
	want boolean;
	have boolean;	-- as it should be
	locked boolean := false;
	part regclass;
	tries int := 0;
	timeout text := current_setting('lock_timeout');
BEGIN
	IF rel IS NULL OR NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = rel) THEN
		RETURN 'unchanged';
	END IF;
	trig := 'outflow_backfill_' || rel::oid;
	-- look; if something must change, lock and look again (another backfill may have changed it)
	LOOP
		want := EXISTS (SELECT FROM outflow.backfills b WHERE b.relation = rel AND b.state <> 'done');
		keys := outflow._backfill_key(rel);
		args := convert_to(rel::oid::text, getdatabaseencoding()) || decode('00', 'hex')
		        || convert_to(keys::text, getdatabaseencoding()) || decode('00', 'hex');
		have := EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = rel AND t.tgname = trig
		                AND t.tgenabled = 'A' AND t.tgargs = args);
		-- (without a backfill, or without a key to make it for: no trigger of that name at all)
		IF NOT (want AND keys IS NOT NULL) THEN
			have := NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = rel AND t.tgname = trig);
		END IF;
		IF have THEN
			RETURN 'unchanged';
		END IF;
		EXIT WHEN locked;
		BEGIN
			PERFORM set_config('lock_timeout', '200ms', true);
			EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', rel);
			PERFORM set_config('lock_timeout', timeout, true);
			locked := true;
		EXCEPTION WHEN lock_not_available THEN
			tries := tries + 1;
			IF tries = 1 THEN
				RAISE NOTICE 'outflow.backfill: waiting for writers of % to let it % its trigger', rel,
					CASE WHEN want THEN 'create' ELSE 'drop' END
					USING DETAIL = 'A transaction that wrote to the table is still open; writers are held back for at most 200 ms at each try.';
			END IF;
			IF NOT want AND tries >= 20 THEN
				RAISE NOTICE 'outflow.backfill: trigger % left on % (it does nothing without a backfill; the next outflow.backfill() drops it)', trig, rel;
				RETURN 'left';
			END IF;
			PERFORM pg_sleep(least(tries, 10) * 0.1);
		END;
	END LOOP;
	IF EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = rel AND t.tgname = trig) THEN	-- (also a disabled or stale one)
		EXECUTE format('DROP TRIGGER %I ON %s', trig, rel);
		IF NOT want OR keys IS NULL THEN
			RETURN 'dropped';
		END IF;
	END IF;
	IF NOT want OR keys IS NULL THEN
		RETURN 'unchanged';
	END IF;
	EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s FOR EACH ROW WHEN (ROW(%s) IS DISTINCT FROM ROW(%s)) '
	               'EXECUTE FUNCTION outflow._backfill_moved(%L, %L)', trig, rel,
	               (SELECT string_agg(format('OLD.%I', k), ', ' ORDER BY o) FROM unnest(keys) WITH ORDINALITY AS u(k, o)),
	               (SELECT string_agg(format('NEW.%I', k), ', ' ORDER BY o) FROM unnest(keys) WITH ORDINALITY AS u(k, o)),
	               rel::oid, keys::text);
	-- also for changes applied by logical replication (session_replication_role = replica)
	EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', rel, trig);
	FOR part IN SELECT t.tgrelid::regclass FROM pg_trigger t
	            WHERE t.tgname = trig AND t.tgenabled <> 'A'
	              AND t.tgrelid IN (SELECT p.relid FROM pg_partition_tree(rel) p) LOOP
		EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', part, trig);	-- (13 and 14 do not recurse)
	END LOOP;
	RETURN 'created';
END
$fn$;

-- Checks the arguments and returns the ids of the backfills to run: the
-- unfinished ones of publication (of relation, when given), or else new
-- ones for each of its tables (only relation, when given).
CREATE FUNCTION _backfill_prepare(publication name, relation regclass, chunk_rows integer) RETURNS bigint[]
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ids bigint[];
	tables regclass[];
	t regclass;
	bad text[];
BEGIN
	IF publication IS NULL THEN
		RAISE EXCEPTION 'outflow.backfill: publication must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Existing publications: SELECT pubname FROM pg_publication;';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = publication) THEN
		PERFORM outflow._publication_missing(publication);
	END IF;
	IF chunk_rows IS NULL OR chunk_rows < 1 THEN
		RAISE EXCEPTION 'outflow.backfill: chunk_rows must be a positive number of rows, not %', coalesce(chunk_rows::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default is 10000: one chunk''s rows are locked FOR SHARE until it commits.';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = CURRENT_USER AND (r.rolsuper OR r.rolreplication)) THEN
		RAISE EXCEPTION 'permission denied for outflow.backfill'
			USING ERRCODE = 'insufficient_privilege',
			DETAIL = 'A backfill writes rows into the stream of every slot that follows the publication.',
			HINT = 'Run it as a superuser or a role with the REPLICATION attribute.';
	END IF;
	IF current_setting('wal_level') <> 'logical' THEN
		RAISE EXCEPTION 'outflow.backfill: wal_level is %, not logical', current_setting('wal_level')
			USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = 'ALTER SYSTEM SET wal_level = logical; then restart the server.';
	END IF;

	-- backfill triggers left by a backfill that is gone (its row deleted) or whose drop was given up
	PERFORM outflow._backfill_guard(t.tgrelid::regclass) FROM pg_trigger t
	WHERE t.tgfoid = 'outflow._backfill_moved()'::regprocedure AND t.tgname = 'outflow_backfill_' || t.tgrelid::oid;

	-- (outflow's own tables never stream: a FOR ALL TABLES publication's backfill leaves them out)
	tables := ARRAY(SELECT c.oid::regclass FROM outflow._pub_entries(publication) g
	                JOIN pg_class c ON c.oid = g.relid
	                JOIN pg_namespace n ON n.oid = c.relnamespace
	                WHERE NOT EXISTS (SELECT FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
	                                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
	                                    AND d.deptype = 'e' AND e.extname = 'outflow')
	                ORDER BY n.nspname, c.relname);
	IF relation IS NOT NULL THEN
		IF NOT relation = ANY (tables) THEN
			RAISE EXCEPTION 'publication "%" does not publish table %', publication, relation
				USING ERRCODE = 'invalid_parameter_value',
				HINT = CASE WHEN cardinality(tables) = 0 THEN 'The publication publishes no table yet.'
					ELSE format('It publishes: %s (a partitioned table is backfilled as the table the publication lists: see pg_publication_tables).',
					            outflow._name_list(tables::text[])) END;
		END IF;
		tables := ARRAY[relation];
	END IF;

	ids := ARRAY(SELECT b.id FROM outflow.backfills b
	             WHERE b.publication = _backfill_prepare.publication AND b.state <> 'done'
	               AND b.relation = ANY (tables) ORDER BY b.id);
	IF cardinality(ids) > 0 THEN
		UPDATE outflow.backfills b SET chunk_rows = _backfill_prepare.chunk_rows WHERE b.id = ANY (ids);
		RAISE NOTICE 'resuming backfill % of publication "%"', array_to_string(ids, ', '), publication;
		PERFORM outflow._backfill_guard(b.relation) FROM outflow.backfills b WHERE b.id = ANY (ids) ORDER BY b.id;
		RETURN ids;
	END IF;

	bad := ARRAY(SELECT x::text FROM unnest(tables) x WHERE outflow._backfill_key(x) IS NULL);
	IF cardinality(bad) > 0 THEN
		RAISE EXCEPTION 'outflow.backfill: table % has no primary key or replica identity index', outflow._name_list(bad)
			USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = 'A backfill walks a table in key order, in chunks, and resumes after the last key it copied.',
			HINT = format('Add one: ALTER TABLE %s ADD PRIMARY KEY (...); or ALTER TABLE %s REPLICA IDENTITY USING INDEX <unique index on NOT NULL columns>;', bad[1], bad[1]);
	END IF;
	FOREACH t IN ARRAY tables LOOP
		IF NOT has_table_privilege(t, 'SELECT') OR NOT has_any_column_privilege(t, 'UPDATE') THEN
			RAISE EXCEPTION 'permission denied for table %', t
				USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'outflow.backfill() reads the rows of each chunk FOR SHARE, which needs SELECT and UPDATE privileges.',
				HINT = format('GRANT SELECT, UPDATE ON %s TO %I;', t, current_user);
		END IF;
	END LOOP;
	WITH made AS (
		INSERT INTO outflow.backfills (publication, relation, key_columns, chunk_rows)
		SELECT _backfill_prepare.publication, x, outflow._backfill_key(x), _backfill_prepare.chunk_rows
		FROM unnest(tables) WITH ORDINALITY AS u(x, o) ORDER BY o
		RETURNING id)
	SELECT array_agg(id ORDER BY id) INTO ids FROM made;
	-- the trigger of each table, in place before its first chunk (this transaction commits first)
	PERFORM outflow._backfill_guard(x) FROM unnest(tables) WITH ORDINALITY AS u(x, o) ORDER BY o;
	RETURN coalesce(ids, '{}');
END
$fn$;

-- One chunk of backfill id, in the caller's transaction: true when the
-- table is done. See the comment at the top of this section.
CREATE FUNCTION _backfill_chunk(backfill_id bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
SET extra_float_digits = 3
SET bytea_output = 'hex'
AS $fn$
DECLARE
	b outflow.backfills;
	keys text;		-- "k1", "k2"
	as_text text;	-- "k1"::text, "k2"::text
	typed text;		-- ($1[1]::type1, $1[2]::type2)
	src text;		-- ONLY schema.table (the whole partitioned table: no ONLY)
	kind "char";	-- the table's relkind
	lo text;
	hi text[];
	n bigint;
BEGIN
	SELECT * INTO b FROM outflow.backfills x WHERE x.id = backfill_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'outflow.backfill: no backfill with id %', backfill_id USING ERRCODE = 'undefined_object';
	END IF;
	IF b.state = 'done' THEN
		RETURN true;
	END IF;
	SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = b.relation;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'outflow.backfill: the table of backfill % (OID %) no longer exists', b.id, b.relation::oid
			USING ERRCODE = 'undefined_table', HINT = format('DELETE FROM outflow.backfills WHERE id = %s;', b.id);
	END IF;
	IF NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = b.relation AND t.tgenabled = 'A'
	               AND t.tgname = 'outflow_backfill_' || b.relation::oid) THEN
		RAISE EXCEPTION 'outflow.backfill: the backfill trigger of % (outflow_backfill_<table OID>) is missing or disabled', b.relation
			USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = 'While a backfill runs, that trigger sends the rows an update moves into the range already copied.',
			HINT = format('CALL outflow.backfill() again creates it. If it was dropped or disabled after the backfill started, start over: DELETE FROM outflow.backfills WHERE id = %s; then CALL outflow.backfill().', b.id);
	END IF;
	SELECT string_agg(quote_ident(k), ', ' ORDER BY o),
	       string_agg(quote_ident(k) || '::text', ', ' ORDER BY o),
	       string_agg(format('$1[%s]::%s', o, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY o)
	INTO keys, as_text, typed
	FROM unnest(b.key_columns) WITH ORDINALITY AS u(k, o)
	JOIN pg_attribute a ON a.attrelid = b.relation AND a.attname = u.k AND NOT a.attisdropped;
	IF keys IS NULL OR outflow._backfill_key(b.relation) IS DISTINCT FROM b.key_columns THEN
		RAISE EXCEPTION 'outflow.backfill: the key of % changed since backfill % started (it walks by %)',
			b.relation, b.id, array_to_string(b.key_columns, ', ')
			USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = format('Start it again: DELETE FROM outflow.backfills WHERE id = %s; then CALL outflow.backfill() (rows already sent are sent again, as upserts).', b.id);
	END IF;
	src := CASE WHEN kind = 'p' THEN '' ELSE 'ONLY ' END || b.relation::text;
	lo := CASE WHEN b.last_key IS NULL THEN 'true' ELSE format('(%s) > (%s)', keys, typed) END;

	IF b.state = 'pending' THEN
		PERFORM outflow._backfill_mark('start', b.id, b.publication, b.relation, 0);
		b.started_at := clock_timestamp();
	END IF;
	-- The chunk's upper bound (NULL: this is the last chunk).
	EXECUTE format('SELECT ARRAY[%s] FROM %s WHERE %s ORDER BY %s OFFSET %s LIMIT 1',
	               as_text, src, lo, keys, b.chunk_rows - 1)
		INTO hi USING b.last_key;
	-- The rows, locked, then written as messages (locking happens before the
	-- outer query reads them, so the messages carry the locked versions).
	-- (__outflow_row: the whole row, by an alias no column is named.)
	EXECUTE format('WITH __outflow_chunk AS MATERIALIZED (SELECT __outflow_row FROM %s __outflow_row WHERE %s AND %s '
	               'ORDER BY %s FOR SHARE OF __outflow_row) '
	               'SELECT count(*) FILTER (WHERE outflow._backfill_row($3, $4, $5, c.__outflow_row)) FROM __outflow_chunk c',
	               src, lo, CASE WHEN hi IS NULL THEN 'true' ELSE format('(%s) <= (%s)', keys, replace(typed, '$1', '$2')) END, keys)
		INTO n USING b.last_key, hi, b.id, b.publication, b.relation;
	b.rows_done := b.rows_done + n;
	IF hi IS NULL THEN
		PERFORM outflow._backfill_mark('end', b.id, b.publication, b.relation, b.rows_done);
	END IF;
	UPDATE outflow.backfills x
	SET last_key = coalesce(hi, b.last_key), rows_done = b.rows_done, chunks_done = x.chunks_done + 1,
	    state = CASE WHEN hi IS NULL THEN 'done' ELSE 'running' END,
	    started_at = b.started_at, updated_at = clock_timestamp(),
	    finished_at = CASE WHEN hi IS NULL THEN clock_timestamp() END
	WHERE x.id = b.id;
	RETURN hi IS NULL;
END
$fn$;

-- backfill(): see above. A procedure: each chunk commits on its own, so it
-- must be CALLed outside a transaction block. Calling it again after a
-- cancel, a kill or a crash resumes the unfinished tables of the
-- publication (of relation, when given).
CREATE PROCEDURE backfill(publication name, relation regclass DEFAULT NULL, chunk_rows integer DEFAULT 10000)
LANGUAGE plpgsql SECURITY INVOKER
AS $fn$
DECLARE
	ids bigint[];
	bid bigint;
	done boolean;
BEGIN
	ids := outflow._backfill_prepare(publication, relation, chunk_rows);
	COMMIT;
	FOREACH bid IN ARRAY ids LOOP
		LOOP
			done := outflow._backfill_chunk(bid);
			COMMIT;
			EXIT WHEN done;
		END LOOP;
		-- the table's trigger, unless another backfill of it is unfinished
		PERFORM outflow._backfill_guard(b.relation) FROM outflow.backfills b WHERE b.id = bid;
		COMMIT;
	END LOOP;
END
$fn$;
COMMENT ON PROCEDURE backfill(name, regclass, integer) IS 'copies the publication''s rows into the stream of every slot following it, as "read" records, in resumable chunks';

-- backfill_status: progress of every backfill.
CREATE VIEW backfill_status AS
SELECT b.id, b.publication, b.relation, b.state, b.rows_done,
	-- the table's statistics (of its partitions, for a partitioned table), at least what is done
	greatest(b.rows_done, (SELECT CASE WHEN c.relkind = 'p'
		THEN (SELECT sum(greatest(l.reltuples, 0)) FROM pg_catalog.pg_partition_tree(b.relation) p
		      JOIN pg_catalog.pg_class l ON l.oid = p.relid WHERE p.isleaf)
		ELSE greatest(c.reltuples, 0) END::bigint
		FROM pg_catalog.pg_class c WHERE c.oid = b.relation)) AS rows_estimated,
	CASE WHEN b.updated_at > b.started_at
		THEN round(b.rows_done / extract(epoch FROM b.updated_at - b.started_at))::bigint END AS rows_per_second,
	b.chunks_done, b.chunk_rows, b.key_columns, b.last_key,
	b.created_at, b.started_at, b.updated_at, b.finished_at
FROM outflow.backfills b;
-- With the caller's privileges where views can (15+), as outflow.slots.
DO $compat$
BEGIN
	IF current_setting('server_version_num')::int >= 150000 THEN
		ALTER VIEW outflow.backfill_status SET (security_invoker = true);
	END IF;
END
$compat$;
-- fresh install only { (as for slots)
GRANT SELECT ON backfill_status TO PUBLIC;
-- }
