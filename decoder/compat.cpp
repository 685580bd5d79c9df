/*
 * compat.cpp: the version-dependent functions of compat.h. Each major's
 * catalogs and APIs are read here and nowhere else.
 */
#include "pg.h"

extern "C" {
#include "catalog/pg_publication.h"
#include "catalog/pg_publication_rel.h"
#include "nodes/bitmapset.h"
#include "nodes/pg_list.h"
#include "miscadmin.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/elog.h"
#include "utils/inval.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#endif
}

namespace outflow {
namespace compat {

#if PG_VERSION_NUM >= 190000

List *
relation_publications(Oid relid)
{
	return GetRelationIncludedPublications(relid);
}

List *
excluding_publications(Oid relid)
{
	return GetRelationExcludedPublications(relid);
}

#else

List *
relation_publications(Oid relid)
{
	return GetRelationPublications(relid);
}

List *
excluding_publications(Oid)
{
	return NIL;
}

#endif

#if OUTFLOW_HAS_PUBLICATION_FILTERS

List *
schema_publications(Oid nspid)
{
	return GetSchemaPublications(nspid);
}

bool
publication_has_schema(Oid pubid, Oid nspid)
{
	return SearchSysCacheExists2(PUBLICATIONNAMESPACEMAP, ObjectIdGetDatum(nspid), ObjectIdGetDatum(pubid));
}

Oid
topmost_published_ancestor(Oid pubid, List *ancestors, int *level)
{
	return GetTopMostAncestorInPublication(pubid, ancestors, level);
}

/* pubid's pg_publication_rel attribute attnum for relid, or NULL (no entry, or null). */
static bool
publication_rel_attr(Oid relid, Oid pubid, AttrNumber attnum, Datum *value)
{
	HeapTuple tup = SearchSysCache2(PUBLICATIONRELMAP, ObjectIdGetDatum(relid), ObjectIdGetDatum(pubid));
	bool isnull = true;

	if (!HeapTupleIsValid(tup))
		return false;
	*value = SysCacheGetAttr(PUBLICATIONRELMAP, tup, attnum, &isnull);
	/* The caller copies the value out before the tuple is released below. */
	if (!isnull)
		*value = datumCopy(*value, false, -1);
	ReleaseSysCache(tup);
	return !isnull;
}

Bitmapset *
publication_columns(Oid relid, Oid pubid)
{
	Datum value;

	if (!publication_rel_attr(relid, pubid, Anum_pg_publication_rel_prattrs, &value))
		return nullptr;
	return pub_collist_to_bitmapset(nullptr, value, CurrentMemoryContext);
}

char *
publication_row_filter(Oid relid, Oid pubid)
{
	Datum value;

	if (!publication_rel_attr(relid, pubid, Anum_pg_publication_rel_prqual, &value))
		return nullptr;
	return TextDatumGetCString(value);
}

void
register_publication_callbacks(SyscacheCallbackFunction fn)
{
	CacheRegisterSyscacheCallback(PUBLICATIONOID, fn, (Datum) 0);
	CacheRegisterSyscacheCallback(PUBLICATIONRELMAP, fn, (Datum) 0);
	CacheRegisterSyscacheCallback(PUBLICATIONNAMESPACEMAP, fn, (Datum) 0);
}

#else /* 13 and 14: tables and FOR ALL TABLES only, no filters or lists */

List *
schema_publications(Oid)
{
	return NIL;
}

bool
publication_has_schema(Oid, Oid)
{
	return false;
}

Oid
topmost_published_ancestor(Oid pubid, List *ancestors, int *level)
{
	Oid topmost = InvalidOid;
	int position = 0;
	ListCell *lc;

	/* ancestors runs from the parent up to the root: the last match is the top-most. */
	foreach (lc, ancestors)
	{
		Oid ancestor = lfirst_oid(lc);

		position++;
		if (list_member_oid(relation_publications(ancestor), pubid))
		{
			topmost = ancestor;
			*level = position;
		}
	}
	return topmost;
}

Bitmapset *
publication_columns(Oid, Oid)
{
	return nullptr;
}

char *
publication_row_filter(Oid, Oid)
{
	return nullptr;
}

void
register_publication_callbacks(SyscacheCallbackFunction fn)
{
	CacheRegisterSyscacheCallback(PUBLICATIONOID, fn, (Datum) 0);
	CacheRegisterSyscacheCallback(PUBLICATIONRELMAP, fn, (Datum) 0);
}

#endif

void
encode_interval(Interval *span, char *buf)
{
#if PG_VERSION_NUM >= 170000
	/* 17 added infinite intervals. */
	if (INTERVAL_NOT_FINITE(span))
	{
		strcpy(buf, INTERVAL_IS_NOBEGIN(span) ? "-infinity" : "infinity");
		return;
	}
#endif
#if PG_VERSION_NUM >= 150000
	struct pg_itm itm;

	interval2itm(*span, &itm);
	EncodeInterval(&itm, INTSTYLE_POSTGRES, buf);
#else
	struct pg_tm tm;
	fsec_t fsec;

	if (interval2tm(*span, &tm, &fsec) != 0)
		ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("interval out of range")));
	EncodeInterval(&tm, fsec, INTSTYLE_POSTGRES, buf);
#endif
}

namespace {

/* Whether an error from parsing json text as jsonb is about the value (to be
 * worked around) rather than the server (cancel, out of memory). */
bool
is_value_error(int sqlerrcode)
{
	return ERRCODE_TO_CATEGORY(sqlerrcode) == ERRCODE_DATA_EXCEPTION ||
		   sqlerrcode == ERRCODE_PROGRAM_LIMIT_EXCEEDED;
}

/* jsonb_in in PG_TRY: an ERROR about the value is caught and flushed, any
 * other raised again. Only plain data is alive here. */
bool
json_to_jsonb_catching(const char *text, Datum *result)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile Datum jb = (Datum) 0;
	volatile bool parsed = true;

	PG_TRY();
	{
		jb = DirectFunctionCall1(jsonb_in, CStringGetDatum(text));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		if (!is_value_error(geterrcode()))
			PG_RE_THROW();
		FlushErrorState();
		parsed = false;
	}
	PG_END_TRY();
	*result = jb;
	return parsed;
}

} // namespace

#if PG_VERSION_NUM >= 160000

/*
 * jsonb's own limits (256 MB of elements in one container, the number of
 * elements) are hard ERRORs even for a soft-error call. Text this short
 * cannot reach them (a byte of json text becomes at most about 7 bytes of
 * jsonb), so only longer text is parsed in PG_TRY.
 */
constexpr size_t kSoftParseMaxBytes = 16 * 1024 * 1024;

bool
json_to_jsonb(const char *text, size_t len, Datum *result)
{
	if (len > kSoftParseMaxBytes)
		return json_to_jsonb_catching(text, result);

	ErrorSaveContext escontext{};

	escontext.type = T_ErrorSaveContext;
	escontext.details_wanted = true;
	if (DirectInputFunctionCallSafe(jsonb_in, const_cast<char *>(text), InvalidOid, -1,
									reinterpret_cast<Node *>(&escontext), result))
		return true;
	if (!is_value_error(escontext.error_data->sqlerrcode))
		ThrowErrorData(escontext.error_data);
	FreeErrorData(escontext.error_data);
	*result = (Datum) 0;
	return false;
}

#else /* 13 to 15: no soft errors */

bool
json_to_jsonb(const char *text, size_t, Datum *result)
{
	return json_to_jsonb_catching(text, result);
}

#endif

} // namespace compat
} // namespace outflow
