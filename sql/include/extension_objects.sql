-- extension_objects.sql: describes the outflow extension of the current
-- database, one line per fact, into psql variables: described (the lines,
-- sorted, newline-separated), members and functions (counts). Used by
-- extension_upgrade.sql to compare an updated database with a fresh one.
-- Facts: every member object by identity; per function its arguments with
-- defaults, result, kind, language, volatility, strictness, parallel
-- safety, security, settings and an md5 of its body; privileges (and the
-- extension's initial privileges) of the schema and every member; columns,
-- constraints, indexes, triggers and options of member tables and views,
-- view definitions, sequences, comments, and the configuration tables.
WITH ext AS (SELECT e.oid, e.extnamespace, e.extconfig, e.extcondition FROM pg_extension e WHERE e.extname = 'outflow'),
member AS (
	SELECT d.classid, d.objid, d.objsubid FROM pg_depend d, ext
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rel AS (SELECT c.* FROM pg_class c JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid),
facts(line) AS (
	SELECT 'member ' || pg_describe_object(m.classid, m.objid, m.objsubid) FROM member m
	UNION ALL
	SELECT format('function %s: args (%s) returns %s, kind %s, language %s, volatility %s, strict %s, parallel %s, security definer %s, leakproof %s, cost %s, rows %s, config %s, body md5 %s, library %s',
		p.oid::regprocedure, pg_get_function_arguments(p.oid), coalesce(pg_get_function_result(p.oid), '-'), p.prokind, l.lanname,
		p.provolatile, p.proisstrict, p.proparallel, p.prosecdef, p.proleakproof, p.procost, p.prorows, p.proconfig, md5(p.prosrc), p.probin)
	FROM pg_proc p JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid JOIN pg_language l ON l.oid = p.prolang
	UNION ALL
	SELECT format('privileges of function %s: %s', p.oid::regprocedure, p.proacl)
	FROM pg_proc p JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
	UNION ALL
	SELECT format('privileges of %s %s: %s', c.relkind, c.oid::regclass, c.relacl) FROM rel c
	UNION ALL
	SELECT format('privileges of column %s.%s: %s', c.oid::regclass, a.attname, a.attacl)
	FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped WHERE a.attacl IS NOT NULL
	UNION ALL
	SELECT format('privileges of schema %s: %s', n.nspname, n.nspacl) FROM pg_namespace n, ext WHERE n.oid = ext.extnamespace
	UNION ALL
	SELECT format('initial privileges of %s: %s (%s)', pg_describe_object(i.classoid, i.objoid, i.objsubid), i.initprivs, i.privtype)
	FROM pg_init_privs i JOIN member m ON m.classid = i.classoid AND m.objid = i.objoid
	UNION ALL
	SELECT format('column %s.%s: %s, not null %s, default %s, identity %s, generated %s, collation %s',
		c.oid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid),
		a.attidentity, a.attgenerated, a.attcollation::regcollation)
	FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
	UNION ALL
	SELECT format('column order of %s: %s', c.oid::regclass, string_agg(a.attname, ', ' ORDER BY a.attnum))
	FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped GROUP BY c.oid
	UNION ALL
	SELECT format('constraint %s on %s: %s', k.conname, k.conrelid::regclass, pg_get_constraintdef(k.oid))
	FROM pg_constraint k JOIN rel c ON c.oid = k.conrelid
	UNION ALL
	SELECT format('index on %s: %s', i.indrelid::regclass, pg_get_indexdef(i.indexrelid)) FROM pg_index i JOIN rel c ON c.oid = i.indrelid
	UNION ALL
	SELECT format('trigger on %s: %s', t.tgrelid::regclass, pg_get_triggerdef(t.oid)) FROM pg_trigger t JOIN rel c ON c.oid = t.tgrelid
	UNION ALL
	SELECT format('relation %s: kind %s, persistence %s, options %s, replica identity %s', c.oid::regclass, c.relkind, c.relpersistence, c.reloptions, c.relreplident) FROM rel c
	UNION ALL
	SELECT format('view %s: %s', c.oid::regclass, pg_get_viewdef(c.oid)) FROM rel c WHERE c.relkind = 'v'
	UNION ALL
	SELECT format('sequence %s: %s %s %s %s %s %s %s', s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle)
	FROM pg_sequence s JOIN rel c ON c.oid = s.seqrelid
	UNION ALL
	SELECT format('comment on %s: %s', pg_describe_object(m.classid, m.objid, m.objsubid), obj_description(m.objid, (SELECT r.relname FROM pg_class r WHERE r.oid = m.classid)))
	FROM member m WHERE obj_description(m.objid, (SELECT r.relname FROM pg_class r WHERE r.oid = m.classid)) IS NOT NULL
	UNION ALL
	SELECT format('configuration table %s: %L', x.rel::regclass, x.cond)
	FROM ext, unnest(ext.extconfig, ext.extcondition) AS x(rel, cond))
SELECT string_agg(line, E'\n' ORDER BY line COLLATE "C") AS described,
	(SELECT count(*) FROM member) AS members,
	(SELECT count(*) FROM member m WHERE m.classid = 'pg_proc'::regclass) AS functions
FROM facts \gset
