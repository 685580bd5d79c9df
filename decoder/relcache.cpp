/*
 * relcache.cpp: the per-session relation cache.
 *
 * Entries are built from the relation descriptor the decoder hands us (the
 * historic catalog view at that point of the stream). Invalidation callbacks
 * only mark entries or the type cache stale: they can fire inside catalog
 * lookups, even while a row is being written, so the rebuild waits for the
 * next relcache_get.
 */
#include "relcache.h"

#include "format.h"
#include "pg_text.h"
#include "publication.h"
#include "relation_record.h"
#include "session.h"
#include "value_render.h"

extern "C" {
#include "catalog/dependency.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "commands/extension.h"
#include "nodes/bitmapset.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
}

namespace outflow {

/* The session whose caches the (process-wide) callbacks maintain. */
static Session *g_session = nullptr;
static bool g_callbacks_registered = false;

/* Marks one relation, or all of them, for rebuild. */
static void
invalidate_relation_cb(Datum, Oid relid)
{
	HASH_SEQ_STATUS status;
	RelInfo *entry;

	if (g_session == nullptr || g_session->relations == nullptr)
		return;
	/* with partition-root, a partition's names are its root's: any relation may change them */
	if (OidIsValid(relid) && !g_session->opts.partition_root)
	{
		entry = static_cast<RelInfo *>(hash_search(g_session->relations, &relid, HASH_FIND, nullptr));
		if (entry != nullptr)
		{
			entry->valid = false;
			g_session->relations_stale = true;
		}
		return;
	}
	g_session->relations_stale = true;
	hash_seq_init(&status, g_session->relations);
	while ((entry = static_cast<RelInfo *>(hash_seq_search(&status))) != nullptr)
		entry->valid = false;
}

/* A type, cast or namespace changed: every entry and type renderer is stale. */
static void
invalidate_all_cb(Datum, OutflowCacheId, uint32)
{
	if (g_session == nullptr)
		return;
	g_session->types_stale = true;
	invalidate_relation_cb(0, InvalidOid);
}

/* A publication or its tables or schemas changed: reload them, rebuild every entry. */
static void
invalidate_publications_cb(Datum, OutflowCacheId, uint32)
{
	if (g_session == nullptr || g_session->opts.publication_names.empty())
		return; /* entries do not depend on publications */
	publication_invalidate(*g_session);
	invalidate_relation_cb(0, InvalidOid);
}

void
relcache_init(Session &session)
{
	session.relations = session.make_hash("outflow relations", sizeof(Oid), sizeof(RelInfo), 128);
	g_session = &session;
	if (!g_callbacks_registered)
	{
		CacheRegisterRelcacheCallback(invalidate_relation_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(TYPEOID, invalidate_all_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(CASTSOURCETARGET, invalidate_all_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, invalidate_all_cb, (Datum) 0);
		compat::register_publication_callbacks(invalidate_publications_cb);
		g_callbacks_registered = true;
	}
}

void
relcache_prune(Session &session)
{
	HASH_SEQ_STATUS status;
	RelInfo *entry;

	if (!session.relations_stale || session.relations == nullptr)
		return;
	session.relations_stale = false;
	hash_seq_init(&status, session.relations);
	while ((entry = static_cast<RelInfo *>(hash_seq_search(&status))) != nullptr)
	{
		if (entry->valid)
			continue;
		if (entry->cxt != nullptr)
			MemoryContextDelete(entry->cxt);
		hash_search(session.relations, &entry->relid, HASH_REMOVE, nullptr);
	}
}

void
relcache_destroy(Session &session)
{
	if (g_session == &session)
		g_session = nullptr;
	session.relations = nullptr; /* its memory goes with session_cxt */
}

/* Copies a name into cxt as a quoted JSON string, exactly as long as it is
 * (scratch, in the caller's context, holds it meanwhile). */
static const char *
json_name(MemoryContext cxt, StringInfo scratch, const char *name, int *len)
{
	char *copy;

	resetStringInfo(scratch);
	append_json_cstring(scratch, name);
	copy = static_cast<char *>(MemoryContextAlloc(cxt, scratch->len + 1));
	memcpy(copy, scratch->data, scratch->len + 1);
	if (len)
		*len = scratch->len;
	return copy;
}

/*
 * The columns reported as "key": the replica identity (DEFAULT uses the
 * primary key, INDEX its index); with FULL or NOTHING the primary key if
 * there is one.
 */
static Bitmapset *
key_columns(Relation relation)
{
	char ident = relation->rd_rel->relreplident;

	if (ident == REPLICA_IDENTITY_DEFAULT || ident == REPLICA_IDENTITY_INDEX)
		return RelationGetIndexAttrBitmap(relation, INDEX_ATTR_BITMAP_IDENTITY_KEY);
	return RelationGetIndexAttrBitmap(relation, INDEX_ATTR_BITMAP_PRIMARY_KEY);
}

/*
 * Is this a table of the outflow extension itself (its bookkeeping, such as
 * outflow.slot_publication)? Those never stream unless add-tables names them.
 */
static bool
is_outflow_bookkeeping(Relation relation)
{
	Oid ext = getExtensionOfObject(RelationRelationId, RelationGetRelid(relation));

	return OidIsValid(ext) && ext == get_extension_oid("outflow", true);
}

/* The names entry is shown and filtered by: the relation's, or with
 * partition-root (wal2json's option) those of the partition tree's root. */
static void
set_names(RelInfo &entry, Relation relation, bool partition_root)
{
	Oid root;

	if (!partition_root || !relation->rd_rel->relispartition)
	{
		entry.schema = get_namespace_name(RelationGetNamespace(relation));
		entry.table = pstrdup(RelationGetRelationName(relation));
		return;
	}
	root = llast_oid(get_partition_ancestors(RelationGetRelid(relation)));
	entry.schema = get_namespace_name(get_rel_namespace(root));
	entry.table = get_rel_name(root);
	if (entry.schema == nullptr || entry.table == nullptr)
		elog(ERROR, "outflow: cache lookup failed for relation %u", root);
}

/* Fills entry from relation. */
static void
build_entry(Session &session, RelInfo *entry, Relation relation)
{
	TupleDesc desc = RelationGetDescr(relation);
	MemoryContext old;
	Bitmapset *keys;
	const Options &opts = session.opts;
	StringInfoData scratch; /* for json_name, in the caller's (per-change) context */

	if (entry->cxt == nullptr)
		entry->cxt = AllocSetContextCreate(session.session_cxt, "outflow relation", ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(entry->cxt);
	entry->valid = true; /* before lookups: an invalidation during them must stick */
	entry->built = false;
	entry->format_private = nullptr;
	entry->pub = nullptr;
	entry->record = nullptr;
	entry->record_unsent = false;

	old = MemoryContextSwitchTo(entry->cxt);
	set_names(*entry, relation, opts.partition_root);
	entry->replident = relation->rd_rel->relreplident;
	entry->natts = desc->natts;
	entry->cols = static_cast<ColumnInfo *>(palloc0(sizeof(ColumnInfo) * Max(desc->natts, 1)));
	MemoryContextSwitchTo(old);

	initStringInfo(&scratch);
	entry->schema_json = json_name(entry->cxt, &scratch, entry->schema, nullptr);
	entry->table_json = json_name(entry->cxt, &scratch, entry->table, nullptr);

	keys = key_columns(relation);
	entry->nkeys = 0;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		ColumnInfo &col = entry->cols[i];

		col.dropped = att->attisdropped;
		if (col.dropped)
			continue;
		col.name_json = json_name(entry->cxt, &scratch, NameStr(att->attname), &col.name_json_len);
		col.is_varlena = att->attlen == -1;
		col.published = !OUTFLOW_IS_VIRTUAL_GENERATED(att); /* not in WAL: never a made-up NULL */
		col.is_key = bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber, keys);
		if (col.is_key)
			entry->nkeys++;
		col.renderer = value_renderer(session, att->atttypid);
	}
	bms_free(keys);
	pfree(scratch.data);
	if (!opts.publication_names.empty())
		publication_build(session, *entry, relation); /* rel.pub; may unpublish columns */

	if (!opts.add_tables.empty())
		entry->table_filtered = !any_pattern_matches(opts.add_tables, entry->schema, entry->table);
	else
		entry->table_filtered = is_outflow_bookkeeping(relation);
	entry->table_filtered |= any_pattern_matches(opts.filter_tables, entry->schema, entry->table);

	if (!entry->table_filtered) /* formats only ever see the tables they write */
	{
		session.format->build_relation(session, *entry, relation);
		if (opts.include_relations)
			relation_record_build(session, *entry, relation);
	}
	entry->built = true;
}

RelInfo *
relcache_get(Session &session, Relation relation)
{
	Oid relid = RelationGetRelid(relation);
	bool found;
	RelInfo *entry;

	if (session.types_stale)
	{
		session.types_stale = false;
		value_renderers_invalidate(session);
	}
	entry = static_cast<RelInfo *>(hash_search(session.relations, &relid, HASH_ENTER, &found));
	if (!found)
	{
		entry->cxt = nullptr;
		entry->valid = false;
		entry->built = false;
	}
	if (!entry->valid || !entry->built)
		build_entry(session, entry, relation);
	return entry;
}

} // namespace outflow
