-- outflow 0.1: the SQL side of the outflow output plugin.
-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION outflow" to load this file. \quit

-- The version of the loaded outflow library.
CREATE FUNCTION version() RETURNS text
AS 'MODULE_PATHNAME', 'outflow_version'
LANGUAGE C STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION version() IS 'version of the outflow library';

-- ---------------------------------------------------------------------------
-- The SQL API. Every function runs with the caller's privileges (SECURITY
-- INVOKER), pins its search_path, and answers bad arguments with an ERROR
-- that has an errcode, a message naming what was wrong and a hint.
-- ---------------------------------------------------------------------------

-- The publication remembered for each slot made by outflow.create_slot().
-- Kept by pg_dump (extension configuration table). Everyone may read it;
-- only roles that may manage slots (superuser or REPLICATION) may change it,
-- which a trigger checks (row level security would make pg_dump fail for
-- every non-superuser dumping the database).
CREATE TABLE slot_publication (
	slot_name name PRIMARY KEY,
	publication name NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE slot_publication IS 'publication remembered for each slot created by outflow.create_slot()';
SELECT pg_catalog.pg_extension_config_dump('slot_publication', '');

CREATE FUNCTION _slot_publication_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = CURRENT_USER AND (r.rolsuper OR r.rolreplication)) THEN
		RAISE EXCEPTION 'permission denied to change outflow.slot_publication'
			USING ERRCODE = 'insufficient_privilege',
			HINT = 'Only superusers and roles with REPLICATION manage slots and the publications remembered for them.';
	END IF;
	RETURN NULL;
END
$fn$;
CREATE TRIGGER slot_managers_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON slot_publication
	FOR EACH STATEMENT EXECUTE FUNCTION _slot_publication_guard();
GRANT USAGE ON SCHEMA outflow TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON slot_publication TO PUBLIC;

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
END
$fn$;
COMMENT ON FUNCTION setup_check() IS 'checks the server settings and the caller''s privileges that outflow needs; each failed check has a hint';

-- ---------------------------------------------------------------------------
-- Internal helpers for publications.
-- ---------------------------------------------------------------------------

-- A table's replica identity: the kind, the identity columns (all columns
-- with FULL; NULL when there is none) and the columns the native format
-- reports as "key" (the identity with DEFAULT/INDEX, the primary key with
-- FULL/NOTHING).
CREATE FUNCTION _identity(rel regclass, OUT kind text, OUT identity_attnums int2[], OUT key_attnums int2[])
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH c AS (SELECT c.relreplident FROM pg_class c WHERE c.oid = rel),
	pk AS (
		SELECT array_agg(a.attnum ORDER BY a.attnum) AS cols
		FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
		WHERE i.indrelid = rel AND i.indisprimary),
	ri AS (
		SELECT array_agg(a.attnum ORDER BY a.attnum) AS cols
		FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
		WHERE i.indrelid = rel AND i.indisreplident),
	allc AS (
		SELECT array_agg(a.attnum ORDER BY a.attnum) AS cols
		FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped)
	SELECT CASE c.relreplident WHEN 'd' THEN 'default' WHEN 'i' THEN 'index' WHEN 'f' THEN 'full' ELSE 'nothing' END,
		CASE c.relreplident WHEN 'd' THEN pk.cols WHEN 'i' THEN ri.cols WHEN 'f' THEN allc.cols END,
		CASE c.relreplident WHEN 'd' THEN pk.cols WHEN 'i' THEN ri.cols ELSE pk.cols END
	FROM c, pk, ri, allc
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
				CASE WHEN id.kind = 'default' THEN ' and no primary key' WHEN id.kind = 'index' THEN ' with its index gone' ELSE '' END);
			fix := format('Give %1$s a primary key, or ALTER TABLE %1$s REPLICA IDENTITY USING INDEX <unique index on NOT NULL columns>, or ALTER TABLE %1$s REPLICA IDENTITY FULL; or publish only inserts and truncates (actions => ''{insert,truncate}'').',
				leaf::text);
			RETURN;
		END IF;
	END LOOP;
	id := outflow._identity(rel);
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
		SELECT array_agg(DISTINCT m[1]::int2) INTO used
		FROM regexp_matches(qual::text, ':varattno (-?[0-9]+)', 'g') m;
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
	FOR t IN SELECT g.relid, g.attrs, g.qual FROM pg_get_publication_tables(pub::text) g
		WHERE only_rel IS NULL OR g.relid = only_rel
		   OR g.relid IN (SELECT x.relid FROM pg_partition_tree(only_rel) x)
		ORDER BY g.relid
	LOOP
		e := outflow._entry_problem(t.relid, t.attrs::int2[], t.qual, p.pubupdate OR p.pubdelete);
		IF e.problem IS NOT NULL THEN
			RAISE EXCEPTION 'publication "%" cannot publish updates and deletes of %', pub, t.relid::regclass
				USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = e.problem || '.', HINT = e.fix;
		END IF;
	END LOOP;
END
$fn$;

-- ---------------------------------------------------------------------------
-- publish_table(): creates the publication if needed and sets the table's
-- entry (column list, row filter) to exactly what is asked; actions, when
-- given, set what the whole publication publishes (PostgreSQL keeps actions
-- per publication). Refuses what would make the table's UPDATE/DELETE fail.
-- Returns 'created', 'added', 'updated' or 'unchanged'.
-- ---------------------------------------------------------------------------
CREATE FUNCTION publish_table(publication name, relation regclass, columns name[] DEFAULT NULL,
	row_filter text DEFAULT NULL, actions text[] DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	all_actions CONSTANT text[] := ARRAY['insert', 'update', 'delete', 'truncate'];
	want text[];
	bad text;
	rel record;
	qname text;
	col name;
	att record;
	p record;
	created boolean := false;
	actions_changed boolean := false;
	old_entry record;
	new_entry record;
	target text;
	clause text;
	before_rels oid[];
	before_nsps oid[];
	status text;
	st text; msg text; det text; hnt text;
BEGIN
	IF publication IS NULL OR relation IS NULL THEN
		RAISE EXCEPTION 'outflow.publish_table: % must not be NULL', CASE WHEN publication IS NULL THEN 'publication' ELSE 'relation' END
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Call outflow.publish_table(''publication'', ''schema.table'').';
	END IF;
	IF publication = '' THEN
		RAISE EXCEPTION 'outflow.publish_table: publication must not be an empty name'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Call outflow.publish_table(''publication'', ''schema.table'').';
	END IF;
	SELECT c.oid, c.relkind, c.relpersistence, c.relname, n.nspname INTO rel
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

	-- actions
	IF actions IS NOT NULL THEN
		IF cardinality(actions) = 0 OR array_position(actions, NULL) IS NOT NULL THEN
			RAISE EXCEPTION 'actions must name at least one action and contain no NULL'
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Allowed actions: insert, update, delete, truncate; NULL publishes all four.';
		END IF;
		SELECT min(a) INTO bad FROM unnest(actions) a WHERE lower(btrim(a)) <> ALL (all_actions);
		IF bad IS NOT NULL THEN
			RAISE EXCEPTION 'unknown action "%"', bad
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Allowed actions: insert, update, delete, truncate.';
		END IF;
		SELECT array_agg(a ORDER BY array_position(all_actions, a)) INTO want
		FROM (SELECT DISTINCT lower(btrim(x)) AS a FROM unnest(actions) x) d;
	END IF;

	-- columns
	IF columns IS NOT NULL THEN
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
					HINT = 'PostgreSQL 15 does not allow generated columns in a publication column list: leave it out, or pass NULL to publish every column.';
			END IF;
		END LOOP;
		IF (SELECT count(DISTINCT c) FROM unnest(columns) c) <> cardinality(columns) THEN
			RAISE EXCEPTION 'columns names a column more than once'
				USING ERRCODE = 'duplicate_column', HINT = 'Name each column once.';
		END IF;
	END IF;
	IF row_filter IS NOT NULL AND btrim(row_filter) = '' THEN
		RAISE EXCEPTION 'row_filter is empty'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass NULL to publish every row, or a boolean expression on the table''s columns.';
	END IF;

	-- the publication
	SELECT pp.oid, pp.puballtables INTO p FROM pg_publication pp WHERE pp.pubname = publication;
	IF NOT FOUND THEN
		EXECUTE format('CREATE PUBLICATION %I WITH (publish = %L)', publication,
			array_to_string(coalesce(want, all_actions), ', '));
		SELECT pp.oid, pp.puballtables INTO p FROM pg_publication pp WHERE pp.pubname = publication;
		created := true;
	ELSE
		IF p.puballtables AND (columns IS NOT NULL OR row_filter IS NOT NULL) THEN
			RAISE EXCEPTION 'publication "%" is FOR ALL TABLES: it cannot have a column list or row filter for %', publication, qname
				USING ERRCODE = 'feature_not_supported',
				HINT = 'Column lists and row filters need a FOR TABLE publication: use another publication name.';
		END IF;
		IF want IS NOT NULL AND want IS DISTINCT FROM outflow._pub_actions(p.oid) THEN
			EXECUTE format('ALTER PUBLICATION %I SET (publish = %L)', publication, array_to_string(want, ', '));
			actions_changed := true;
		END IF;
	END IF;

	IF (columns IS NOT NULL OR row_filter IS NOT NULL) AND EXISTS (SELECT FROM pg_publication_namespace s
	        JOIN pg_class c ON c.relnamespace = s.pnnspid WHERE s.pnpubid = p.oid AND c.oid = relation) THEN
		RAISE EXCEPTION 'publication "%" publishes schema % (FOR TABLES IN SCHEMA): it cannot have a % for %', publication,
			quote_ident(rel.nspname), CASE WHEN columns IS NOT NULL THEN 'column list' ELSE 'row filter' END, qname
			USING ERRCODE = 'feature_not_supported',
			HINT = 'PostgreSQL refuses column lists there and ignores row filters of tables published through their schema: use another publication name (a FOR TABLE publication).';
	END IF;

	-- the table's entry
	IF p.puballtables THEN
		status := CASE WHEN actions_changed THEN 'updated' ELSE 'unchanged' END;
	ELSE
		SELECT r.prattrs::text AS attrs, pg_get_expr(r.prqual, r.prrelid) AS filter INTO old_entry
		FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = relation;
		status := CASE WHEN created THEN 'created' WHEN FOUND THEN 'updated' ELSE 'added' END;
		target := CASE WHEN rel.relkind = 'r' THEN 'ONLY ' ELSE '' END || qname;
		clause := target
			|| coalesce(' (' || (SELECT string_agg(quote_ident(c), ', ') FROM unnest(columns) c) || ')', '')
			|| coalesce(' WHERE (' || row_filter || ')', '');
		SELECT coalesce(array_agg(r.prrelid), '{}') INTO before_rels FROM pg_publication_rel r WHERE r.prpubid = p.oid;
		SELECT coalesce(array_agg(s.pnnspid), '{}') INTO before_nsps FROM pg_publication_namespace s WHERE s.pnpubid = p.oid;
		BEGIN
			IF status = 'updated' THEN
				EXECUTE format('ALTER PUBLICATION %I DROP TABLE %s', publication, target);
			END IF;
			EXECUTE format('ALTER PUBLICATION %I ADD TABLE %s', publication, clause);
			-- the filter text must not have changed anything but this entry
			IF EXISTS (SELECT FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid <> relation
			           AND r.prrelid <> ALL (before_rels))
			   OR (SELECT count(*) FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid <> relation)
			      <> (SELECT count(*) FROM unnest(before_rels) x WHERE x <> relation)
			   OR (SELECT coalesce(array_agg(s.pnnspid), '{}') FROM pg_publication_namespace s WHERE s.pnpubid = p.oid)
			      IS DISTINCT FROM before_nsps THEN
				RAISE EXCEPTION USING ERRCODE = 'OFBAD';
			END IF;
			IF status = 'updated' AND NOT actions_changed THEN
				SELECT r.prattrs::text AS attrs, pg_get_expr(r.prqual, r.prrelid) AS filter INTO new_entry
				FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = relation;
				IF new_entry.attrs IS NOT DISTINCT FROM old_entry.attrs
				   AND new_entry.filter IS NOT DISTINCT FROM old_entry.filter THEN
					RAISE EXCEPTION USING ERRCODE = 'OFSAM'; -- undo the no-op DROP/ADD
				END IF;
			END IF;
		EXCEPTION
			WHEN SQLSTATE 'OFSAM' THEN
				status := 'unchanged';
			WHEN SQLSTATE 'OFBAD' THEN
				RAISE EXCEPTION 'row filter for % is not a single expression: %', qname, row_filter
					USING ERRCODE = 'syntax_error', HINT = 'Pass one boolean expression on the table''s columns, without WHERE.';
			WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
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
		END;
	END IF;

	-- refuse what would make UPDATE/DELETE fail (everything rolls back)
	PERFORM outflow._check_publication(publication, CASE WHEN actions_changed THEN NULL ELSE relation END);
	RETURN status;
END
$fn$;
COMMENT ON FUNCTION publish_table(name, regclass, name[], text, text[]) IS 'adds or updates a table''s entry in a publication (created if needed), refusing entries that would break UPDATE/DELETE';

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
		RAISE EXCEPTION 'publication "%" does not exist', publication
			USING ERRCODE = 'undefined_object', HINT = 'Existing publications: SELECT pubname FROM pg_publication;';
	END IF;
	SELECT c.relkind, c.relname, n.nspname, c.relnamespace INTO rel
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = relation;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'outflow.unpublish_table: relation with OID % does not exist', relation::oid
			USING ERRCODE = 'undefined_table', HINT = 'Pass the table by name: ''schema.table''.';
	END IF;
	qname := format('%I.%I', rel.nspname, rel.relname);
	IF p.puballtables THEN
		RAISE EXCEPTION 'publication "%" is FOR ALL TABLES: % cannot be removed from it', publication, qname
			USING ERRCODE = 'feature_not_supported', HINT = 'Use a FOR TABLE publication to choose tables.';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = relation) THEN
		IF EXISTS (SELECT FROM pg_publication_namespace s WHERE s.pnpubid = p.oid AND s.pnnspid = rel.relnamespace) THEN
			RAISE EXCEPTION 'publication "%" publishes % through FOR TABLES IN SCHEMA %', publication, qname, quote_ident(rel.nspname)
				USING ERRCODE = 'feature_not_supported',
				HINT = format('Remove the schema instead: ALTER PUBLICATION %I DROP TABLES IN SCHEMA %I;', publication, rel.nspname);
		END IF;
		RAISE NOTICE 'table % is not in publication "%"', qname, publication;
		RETURN false;
	END IF;
	EXECUTE format('ALTER PUBLICATION %I DROP TABLE %s%s', publication,
		CASE WHEN rel.relkind = 'r' THEN 'ONLY ' ELSE '' END, qname);
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
		RAISE EXCEPTION 'publication "%" does not exist', publication
			USING ERRCODE = 'undefined_object', HINT = 'Existing publications: SELECT pubname FROM pg_publication;';
	END IF;
	RETURN QUERY
	SELECT n.nspname, c.relname, c.oid::regclass, outflow._attnames(c.oid, g.attrs::int2[]), pg_get_expr(g.qual, g.relid),
		id.kind, outflow._attnames(c.oid, id.identity_attnums), outflow._pub_actions(p.oid),
		e.problem IS NULL, e.problem, e.fix
	FROM pg_get_publication_tables(publication::text) g
	JOIN pg_class c ON c.oid = g.relid
	JOIN pg_namespace n ON n.oid = c.relnamespace
	CROSS JOIN LATERAL outflow._identity(c.oid) id
	CROSS JOIN LATERAL outflow._entry_problem(c.oid, g.attrs::int2[], g.qual, p.changes) e
	ORDER BY n.nspname, c.relname;
END
$fn$;
COMMENT ON FUNCTION publication_tables(name) IS 'tables of a publication with columns, filter, replica identity and readiness';

-- ---------------------------------------------------------------------------
-- Slots.
-- ---------------------------------------------------------------------------

-- create_slot(): a logical slot with the outflow plugin; the publication is
-- remembered so that outflow.changes()/peek() follow it. Returns the LSN from
-- which the slot streams.
CREATE FUNCTION create_slot(slot_name name, publication name DEFAULT NULL,
	temporary boolean DEFAULT false, two_phase boolean DEFAULT false)
RETURNS pg_lsn
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	start pg_lsn;
BEGIN
	IF create_slot.slot_name IS NULL OR temporary IS NULL OR two_phase IS NULL THEN
		RAISE EXCEPTION 'outflow.create_slot: % must not be NULL',
			CASE WHEN create_slot.slot_name IS NULL THEN 'slot_name' WHEN temporary IS NULL THEN 'temporary' ELSE 'two_phase' END
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Call outflow.create_slot(''slot_name'', ''publication'').';
	END IF;
	IF publication = '' THEN
		RAISE EXCEPTION 'outflow.create_slot: publication must not be an empty name'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass a publication''s name, or NULL to stream every table.';
	END IF;
	IF publication IS NOT NULL AND NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = publication) THEN
		RAISE EXCEPTION 'publication "%" does not exist', publication
			USING ERRCODE = 'undefined_object',
			HINT = format('Create it first, e.g. SELECT outflow.publish_table(%L, ''schema.table''); or pass NULL to stream every table.', publication);
	END IF;
	IF EXISTS (SELECT FROM pg_replication_slots s WHERE s.slot_name = create_slot.slot_name) THEN
		RAISE EXCEPTION 'replication slot "%" already exists', create_slot.slot_name
			USING ERRCODE = 'duplicate_object',
			HINT = format('Choose another name, or drop it first: SELECT outflow.drop_slot(%L);', create_slot.slot_name);
	END IF;
	-- the slot first: a transaction that has written cannot create a logical slot
	SELECT s.lsn INTO start
	FROM pg_create_logical_replication_slot(create_slot.slot_name, 'outflow', temporary, two_phase) s;
	DELETE FROM outflow.slot_publication sp WHERE sp.slot_name = create_slot.slot_name; -- left over from a slot dropped directly
	IF publication IS NOT NULL THEN
		INSERT INTO outflow.slot_publication (slot_name, publication) VALUES (create_slot.slot_name, publication);
	END IF;
	RETURN start;
END
$fn$;
COMMENT ON FUNCTION create_slot(name, name, boolean, boolean) IS 'creates a logical slot with the outflow plugin and remembers its publication';

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

-- drop_slot(): drops an outflow slot and forgets its publication.
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
COMMENT ON FUNCTION drop_slot(name) IS 'drops an outflow slot and forgets its publication';

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
	pub name;
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
		SELECT sp.publication INTO pub FROM outflow.slot_publication sp WHERE sp.slot_name = _read.slot_name;
		IF pub IS NOT NULL THEN
			opts := opts || ARRAY['publication_names', quote_ident(pub)];
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
COMMENT ON FUNCTION changes(name, pg_lsn, integer, jsonb) IS 'consumes a slot''s changes (native format), following the slot''s publication';

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
-- (Changed after 0.1 shipped, so that 0.1 installs on 13 and 14, which have
-- no security_invoker views: the option is set where the server has it.)
CREATE VIEW slots AS
SELECT s.slot_name, s.plugin, s.database, s.temporary, s.active, s.active_pid, s.wal_status,
	s.restart_lsn, s.confirmed_flush_lsn,
	pg_catalog.pg_wal_lsn_diff(w.current, s.confirmed_flush_lsn)::bigint AS lag_bytes,
	pg_catalog.pg_wal_lsn_diff(w.current, s.restart_lsn)::bigint AS retained_wal_bytes,
	s.safe_wal_size,
	sp.publication
FROM pg_catalog.pg_replication_slots s
CROSS JOIN (SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
                        ELSE pg_catalog.pg_current_wal_lsn() END AS current) w
LEFT JOIN outflow.slot_publication sp ON sp.slot_name = s.slot_name AND s.database = pg_catalog.current_database()
WHERE s.slot_type = 'logical';
COMMENT ON VIEW slots IS 'logical slots: plugin, activity, lag and retained WAL in bytes, and the publication outflow remembers';
DO $compat$
BEGIN
	IF current_setting('server_version_num')::int >= 150000 THEN
		ALTER VIEW outflow.slots SET (security_invoker = true);
	END IF;
END
$compat$;
GRANT SELECT ON slots TO PUBLIC;

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
-- "schema","table","key","new"}, values rendered as the native format
-- renders streamed rows (to_jsonb under the settings below). Column lists
-- and row filters applied. STABLE: every table is read with one snapshot;
-- inside a REPEATABLE READ transaction that imported a slot's exported
-- snapshot it is the initial copy that precedes that slot's stream.
-- ---------------------------------------------------------------------------

-- typid with all its domains looked through, as the decoder's getBaseType does.
CREATE FUNCTION _base_type(typid oid) RETURNS oid
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH RECURSIVE d(oid, typtype, typbasetype) AS (
		SELECT t.oid, t.typtype, t.typbasetype FROM pg_type t WHERE t.oid = typid
		UNION ALL
		SELECT t.oid, t.typtype, t.typbasetype FROM pg_type t JOIN d ON t.oid = d.typbasetype WHERE d.typtype = 'd')
	SELECT d.oid FROM d WHERE d.typtype <> 'd'
$fn$;

-- How a column is rendered with numeric-data-types-as-string: as text
-- ('scalar'), as text[] ('array'), or as it is (NULL).
CREATE FUNCTION _number_kind(typid oid) RETURNS text
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH base AS (SELECT outflow._base_type(typid) AS oid),
	elem AS (SELECT t.typelem, t.typcategory FROM pg_type t, base WHERE t.oid = base.oid)
	SELECT CASE
		WHEN (SELECT oid FROM base) IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'float4'::regtype, 'float8'::regtype, 'numeric'::regtype) THEN 'scalar'
		WHEN (SELECT typcategory FROM elem) = 'A' AND outflow._base_type((SELECT typelem FROM elem))
			IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'float4'::regtype, 'float8'::regtype, 'numeric'::regtype) THEN 'array'
	END
$fn$;

-- jsonb_build_object(...) || ... over the given columns (at most 50 pairs per call).
CREATE FUNCTION _object_sql(rel regclass, cols name[], numbers_as_string boolean) RETURNS text
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT coalesce(string_agg(chunk, ' || ' ORDER BY grp), '''{}''::jsonb')
	FROM (
		SELECT grp, 'jsonb_build_object(' || string_agg(pair, ', ' ORDER BY ord) || ')' AS chunk
		FROM (
			SELECT (c.ord - 1) / 50 AS grp, c.ord,
				format('%L, %I', c.name, c.name) || CASE WHEN numbers_as_string THEN
					CASE outflow._number_kind(a.atttypid) WHEN 'scalar' THEN '::text' WHEN 'array' THEN '::text[]' ELSE '' END
					ELSE '' END AS pair
			FROM unnest(cols) WITH ORDINALITY AS c(name, ord)
			JOIN pg_attribute a ON a.attrelid = rel AND a.attname = c.name
		) p
		GROUP BY grp
	) g
$fn$;

CREATE FUNCTION snapshot(publication name, options jsonb DEFAULT '{}')
RETURNS SETOF jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
SET bytea_output = 'hex'
AS $fn$
DECLARE
	numbers_as_string boolean := false;
	k text;
	v jsonb;
	t record;
	key_cols name[];
	q text;
BEGIN
	IF publication IS NULL THEN
		RAISE EXCEPTION 'outflow.snapshot: publication must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Existing publications: SELECT pubname FROM pg_publication;';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = publication) THEN
		RAISE EXCEPTION 'publication "%" does not exist', publication
			USING ERRCODE = 'undefined_object', HINT = 'Existing publications: SELECT pubname FROM pg_publication;';
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

	FOR t IN
		SELECT c.oid::regclass AS rel, pt.schemaname, pt.tablename, c.relkind, pt.rowfilter,
			-- generated columns are not published (as in pgoutput on 15), even without a column list
			ARRAY(SELECT a.attname FROM pg_attribute a
			      WHERE a.attrelid = c.oid AND a.attname = ANY (pt.attnames) AND a.attgenerated = ''
			      ORDER BY a.attnum) AS attnames
		FROM pg_publication_tables pt
		JOIN pg_namespace n ON n.nspname = pt.schemaname
		JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
		WHERE pt.pubname = publication
		ORDER BY pt.schemaname, pt.tablename
	LOOP
		SELECT array_agg(x ORDER BY o) INTO key_cols
		FROM unnest(outflow._attnames(t.rel, (outflow._identity(t.rel)).key_attnums)) WITH ORDINALITY AS u(x, o)
		WHERE x = ANY (t.attnames);
		q := format('SELECT jsonb_build_object(''op'', ''read'', ''schema'', %L, ''table'', %L, ''new'', %s)%s FROM %s%I.%I%s',
			t.schemaname, t.tablename, outflow._object_sql(t.rel, t.attnames, numbers_as_string),
			CASE WHEN key_cols IS NOT NULL
				THEN format(' || jsonb_build_object(''key'', %s)', outflow._object_sql(t.rel, key_cols, numbers_as_string)) ELSE '' END,
			CASE WHEN t.relkind = 'r' THEN 'ONLY ' ELSE '' END, t.schemaname, t.tablename,
			CASE WHEN t.rowfilter IS NOT NULL THEN ' WHERE (' || t.rowfilter || ')' ELSE '' END);
		RETURN QUERY EXECUTE q;
	END LOOP;
END
$fn$;
COMMENT ON FUNCTION snapshot(name, jsonb) IS 'every published row as {"op":"read",...}, rendered like streamed rows; the initial copy when run under a slot''s exported snapshot';
