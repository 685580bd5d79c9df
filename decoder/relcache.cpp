/*
 * relcache.cpp: the per-session relation cache.
 *
 * Entries are built from the relation descriptor the decoder hands us (the
 * historic catalog view at that point of the stream). Invalidation callbacks
 * only mark entries or the type cache stale: they can fire inside catalog
 * lookups, even while a row is being written, so the rebuild waits for the
 * next relcache_get. What the layers above add to an entry (publications,
 * table filters, the format) comes from the RelCompleter the session gave.
 */
#include "relcache.h"

#include "identity.h"
#include "pg_text.h"
#include "session.h"

extern "C" {
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "nodes/bitmapset.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
}

namespace outflow {

/* The session whose caches the (process-wide) callbacks maintain. */
static Session *g_session = nullptr;
static RelCompleter g_complete = nullptr;
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

void
relcache_invalidate_all(Session &session)
{
	if (g_session == &session)
		invalidate_relation_cb(0, InvalidOid);
}

Session *
relcache_session()
{
	return g_session;
}

void
relcache_init(Session &session, RelCompleter complete)
{
	session.relations = session.make_hash("outflow relations", sizeof(Oid), sizeof(RelInfo), 128);
	g_session = &session;
	g_complete = complete;
	if (!g_callbacks_registered)
	{
		CacheRegisterRelcacheCallback(invalidate_relation_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(TYPEOID, invalidate_all_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(CASTSOURCETARGET, invalidate_all_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, invalidate_all_cb, (Datum) 0);
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
 * Marks the key columns of an index (through the flag at member); returns
 * false if the index cannot be opened under the current snapshot, in which
 * case wal2json uses every column.
 */
static bool
mark_index_columns(RelInfo &entry, Oid indexoid, bool ColumnInfo::*member)
{
	Relation index = RelationIdGetRelation(indexoid);

	if (index == NULL)
		return false;
	for (int i = 0; i < IndexRelationGetNumberOfKeyAttributes(index); i++)
	{
		int attnum = index->rd_index->indkey.values[i];

		if (attnum > 0 && attnum <= entry.natts)
			entry.cols[attnum - 1].*member = true;
	}
	RelationClose(index);
	return true;
}

/* The keys of entry: "key" columns, primary key and replica identity index columns (as wal2json finds them). */
static void
set_keys(RelInfo &entry, Relation relation)
{
	IdentityColumns id = identity_columns(relation); /* as outflow._identity decides */
	List *indexes = RelationGetIndexList(relation); /* sets rd_pkindex, rd_replidindex */

	list_free(indexes);
	bms_free(id.identity);
	for (int i = 0; i < entry.natts; i++)
	{
		ColumnInfo &col = entry.cols[i];

		col.is_key = !col.dropped && bms_is_member(col.attnum, id.key);
	}
	bms_free(id.key);
	entry.has_pk = OidIsValid(relation->rd_pkindex);
	entry.has_ri = OidIsValid(relation->rd_replidindex);
	entry.pk_all = !entry.has_pk || !mark_index_columns(entry, relation->rd_pkindex, &ColumnInfo::in_pk);
	entry.ri_all = !entry.has_ri || !mark_index_columns(entry, relation->rd_replidindex, &ColumnInfo::in_ri);
}

/* Counts the shown key columns. */
static void
count_keys(RelInfo &entry)
{
	entry.nkeys = 0;
	for (int i = 0; i < entry.natts; i++)
		if (entry.cols[i].shown() && entry.cols[i].is_key)
			entry.nkeys++;
}

void
relcache_set_published(RelInfo &rel, const Bitmapset *published)
{
	for (int i = 0; i < rel.natts; i++)
		if (!bms_is_member(rel.cols[i].attnum, published))
			rel.cols[i].published = false;
	count_keys(rel);
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

/* Fills entry's columns from the descriptor (names in scratch meanwhile). */
static void
set_columns(RelInfo &entry, TupleDesc desc, StringInfo scratch)
{
	int n = Max(desc->natts, 1);

	entry.natts = desc->natts;
	entry.cols = static_cast<ColumnInfo *>(MemoryContextAllocZero(entry.cxt, sizeof(ColumnInfo) * n));
	for (int w = 0; w < 2; w++)
	{
		entry.values[w] = static_cast<Datum *>(MemoryContextAllocZero(entry.cxt, sizeof(Datum) * n));
		entry.nulls[w] = static_cast<bool *>(MemoryContextAllocZero(entry.cxt, sizeof(bool) * n));
	}
	entry.unchanged = static_cast<bool *>(MemoryContextAllocZero(entry.cxt, sizeof(bool) * (desc->natts + 1)));
	entry.oversized = static_cast<bool *>(MemoryContextAllocZero(entry.cxt, sizeof(bool) * (desc->natts + 1)));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		ColumnInfo &col = entry.cols[i];

		col.attnum = att->attnum;
		col.typid = att->atttypid;
		col.dropped = att->attisdropped;
		if (col.dropped)
			continue;
		col.name_json = json_name(entry.cxt, scratch, NameStr(att->attname), &col.name_json_len);
		col.varlena = att->attlen == -1;
		col.not_null = att->attnotnull;
		col.published = !OUTFLOW_IS_VIRTUAL_GENERATED(att); /* not in WAL: never a made-up NULL */
	}
}

/* Fills entry from relation, then has the session's layers complete it. */
static void
build_entry(Session &session, RelInfo *entry, Relation relation)
{
	MemoryContext old;
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
	entry->table_filtered = false;

	old = MemoryContextSwitchTo(entry->cxt);
	set_names(*entry, relation, session.opts.partition_root);
	entry->replident = relation->rd_rel->relreplident;
	MemoryContextSwitchTo(old);

	initStringInfo(&scratch);
	entry->schema_json = json_name(entry->cxt, &scratch, entry->schema, nullptr);
	entry->table_json = json_name(entry->cxt, &scratch, entry->table, nullptr);
	set_columns(*entry, RelationGetDescr(relation), &scratch);
	pfree(scratch.data);
	set_keys(*entry, relation);
	count_keys(*entry);

	if (g_complete != nullptr)
		g_complete(session, *entry, relation);
	entry->built = true;
}

RelInfo *
relcache_get(Session &session, Relation relation)
{
	Oid relid = RelationGetRelid(relation);
	bool found;
	RelInfo *entry;

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

void
relcache_append_names(StringInfo out, const RelInfo &rel, const bool *which, const char *sep)
{
	bool first = true;

	for (int i = 0; i < rel.natts; i++)
	{
		if (!which[i])
			continue;
		if (!first)
			appendStringInfoString(out, sep);
		first = false;
		appendBinaryStringInfo(out, rel.cols[i].name_json, rel.cols[i].name_json_len);
	}
}

RowImage
relcache_unpack(const RelInfo &rel, Relation relation, HeapTuple tuple, int which)
{
	TupleDesc desc = RelationGetDescr(relation);
	RowImage row{rel.values[which], rel.nulls[which]};

	if (unlikely(desc->natts != rel.natts))
		elog(ERROR, "outflow: relation \"%s\" changed shape without invalidation", rel.table);
	heap_deform_tuple(tuple, desc, row.values, row.nulls);
	return row;
}

} // namespace outflow
