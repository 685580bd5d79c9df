/*
 * compat.h: what differs between the PostgreSQL majors outflow supports
 * (13 to 19), in one place. Code elsewhere uses these names and never tests
 * PG_VERSION_NUM itself; compat.cpp holds the version-dependent functions
 * (publication catalogs, interval text). Readable from C (the alias library).
 */
#ifndef OUTFLOW_COMPAT_H
#define OUTFLOW_COMPAT_H

/* 18: the module magic names the library and its version. */
#if PG_VERSION_NUM >= 180000
#define OUTFLOW_MODULE_MAGIC(libname) PG_MODULE_MAGIC_EXT(.name = libname, .version = OUTFLOW_VERSION)
#else
#define OUTFLOW_MODULE_MAGIC(libname) PG_MODULE_MAGIC
#endif

/* 16 declares the plugin entry point itself, with PGDLLEXPORT. */
#if PG_VERSION_NUM < 160000
#ifdef __cplusplus
extern "C"
#else
extern
#endif
	PGDLLEXPORT void
	_PG_output_plugin_init(OutputPluginCallbacks *cb);
#endif

#ifdef __cplusplus

/* 17 made the change's tuples plain HeapTuples. */
#if PG_VERSION_NUM >= 170000
#define OUTFLOW_NEWTUPLE(change) ((change)->data.tp.newtuple)
#define OUTFLOW_OLDTUPLE(change) ((change)->data.tp.oldtuple)
#else
#define OUTFLOW_NEWTUPLE(change) \
	((change)->data.tp.newtuple ? &(change)->data.tp.newtuple->tuple : (HeapTuple) NULL)
#define OUTFLOW_OLDTUPLE(change) \
	((change)->data.tp.oldtuple ? &(change)->data.tp.oldtuple->tuple : (HeapTuple) NULL)
#endif

/*
 * 15 added the skipped_xact argument. 13.8+ and 14.4+ expect a plugin to
 * report progress inside long transactions whose changes it skips (16 and
 * later do it in core as well); the decoder does so on every major.
 */
#if PG_VERSION_NUM >= 150000
#define OUTFLOW_UPDATE_PROGRESS(ctx, skipped) OutputPluginUpdateProgress((ctx), (skipped))
#else
#define OUTFLOW_UPDATE_PROGRESS(ctx, skipped) OutputPluginUpdateProgress((ctx))
#endif

/* 15 moved the commit time into a union xact_time, 19 made that union anonymous. */
#if PG_VERSION_NUM >= 190000
#define OUTFLOW_COMMIT_TIME(txn) ((txn)->commit_time)
#elif PG_VERSION_NUM >= 150000
#define OUTFLOW_COMMIT_TIME(txn) ((txn)->xact_time.commit_time)
#else
#define OUTFLOW_COMMIT_TIME(txn) ((txn)->commit_time)
#endif

/* 19 renamed the replication origin id type. */
#if PG_VERSION_NUM >= 190000
typedef ReplOriginId OutflowOriginId;
#define OUTFLOW_INVALID_ORIGIN InvalidReplOriginId
#else
typedef RepOriginId OutflowOriginId;
#define OUTFLOW_INVALID_ORIGIN InvalidRepOriginId
#endif

/* 19 gave syscache callbacks an enum cache id. */
#if PG_VERSION_NUM >= 190000
typedef SysCacheIdentifier OutflowCacheId;
#else
typedef int OutflowCacheId;
#endif

/* 19: the array iterator takes the element's storage at setup. */
#if PG_VERSION_NUM >= 190000
#define OUTFLOW_ARRAY_ITER_SETUP(it, a, len, byval, align) array_iter_setup((it), (a), (len), (byval), (align))
#define OUTFLOW_ARRAY_ITER_NEXT(it, isnull, i, len, byval, align) array_iter_next((it), (isnull), (i))
#else
#define OUTFLOW_ARRAY_ITER_SETUP(it, a, len, byval, align) array_iter_setup((it), (a))
#define OUTFLOW_ARRAY_ITER_NEXT(it, isnull, i, len, byval, align) \
	array_iter_next((it), (isnull), (i), (len), (byval), (align))
#endif

/* 17 moved the local transaction id into vxid. */
#if PG_VERSION_NUM >= 170000
#define OUTFLOW_MY_LXID (MyProc->vxid.lxid)
#else
#define OUTFLOW_MY_LXID (MyProc->lxid)
#endif

/* 17: a relation's primary key index (rd_pkindex) may be a deferrable one;
 * before, a deferrable primary key was never rd_pkindex. */
#if PG_VERSION_NUM >= 170000
#define OUTFLOW_PK_DEFERRABLE(rel) ((rel)->rd_ispkdeferrable)
#else
#define OUTFLOW_PK_DEFERRABLE(rel) false
#endif

/* 18: pg_b64_encode reads its input as bytes (const uint8 *). */
#if PG_VERSION_NUM >= 180000
#define OUTFLOW_B64_SRC(p) reinterpret_cast<const uint8 *>(p)
#else
#define OUTFLOW_B64_SRC(p) (p)
#endif

/*
 * 18 added virtual generated columns: computed when read, never in WAL (a
 * change carries NULL for them), so no format shows them. 18 also lets a
 * publication publish stored generated columns (publish_generated_columns).
 */
#if PG_VERSION_NUM >= 180000
#define OUTFLOW_IS_VIRTUAL_GENERATED(att) ((att)->attgenerated == ATTRIBUTE_GENERATED_VIRTUAL)
#define OUTFLOW_PUBLISHES_STORED_GENERATED(pub) ((pub)->pubgencols_type == PUBLISH_GENCOLS_STORED)
#else
#define OUTFLOW_IS_VIRTUAL_GENERATED(att) false
#define OUTFLOW_PUBLISHES_STORED_GENERATED(pub) false
#endif

/* 17 added the flush argument: a transactional message of outflow.backfill() is flushed by its commit. */
#if PG_VERSION_NUM >= 170000
#define OUTFLOW_LOG_MESSAGE(prefix, data, size) LogLogicalMessage((prefix), (data), (size), true, false)
#else
#define OUTFLOW_LOG_MESSAGE(prefix, data, size) LogLogicalMessage((prefix), (data), (size), true)
#endif

/* 19: table_beginscan takes scan flags. */
#if PG_VERSION_NUM >= 190000
#define OUTFLOW_TABLE_BEGINSCAN(rel, snapshot) table_beginscan((rel), (snapshot), 0, NULL, 0)
#else
#define OUTFLOW_TABLE_BEGINSCAN(rel, snapshot) table_beginscan((rel), (snapshot), 0, NULL)
#endif

/*
 * 15: publication row filters (ALTER PUBLICATION ... ADD TABLE t WHERE
 * (...), parsed into publication objects; raw_parser takes a mode from 14).
 * 18 expands virtual generated columns in a row filter before storing it.
 */
#define OUTFLOW_HAS_ROW_FILTERS (PG_VERSION_NUM >= 150000)
#if PG_VERSION_NUM >= 180000
#define OUTFLOW_EXPAND_GENERATED_IN_EXPR(expr, rel) expand_generated_columns_in_expr((expr), (rel), 1)
#else
#define OUTFLOW_EXPAND_GENERATED_IN_EXPR(expr, rel) (expr)
#endif

/* 14 added multirange types. */
#define OUTFLOW_HAS_MULTIRANGES (PG_VERSION_NUM >= 140000)

/*
 * 15 added row filters, column lists and FOR TABLES IN SCHEMA publications
 * (catalogs prqual, prattrs, pg_publication_namespace). Before 15 the
 * functions below answer "none", which is what those servers publish.
 */
#define OUTFLOW_HAS_PUBLICATION_FILTERS (PG_VERSION_NUM >= 150000)

/*
 * 14 lets a plugin register streaming (stream_*) and two-phase (prepare)
 * callbacks; a plugin that registers any stream_* callback must register all
 * required ones. A change knows its (sub)transaction from 14 on. Two-phase
 * decoding is a property of the slot; SQL and the replication protocol can
 * create such slots from 15 on (pg_create_logical_replication_slot's twophase
 * from 14), so outflow documents and tests it from 15.
 */
#define OUTFLOW_HAS_STREAMING (PG_VERSION_NUM >= 140000)
#if OUTFLOW_HAS_STREAMING
#define OUTFLOW_TXN_GID(txn) ((txn)->gid)
#define OUTFLOW_CHANGE_XID(change) ((change)->txn != NULL ? (change)->txn->xid : InvalidTransactionId)
#define OUTFLOW_TOPTXN(txn) ((txn)->toptxn != NULL ? (txn)->toptxn : (txn))
#else
#define OUTFLOW_TXN_GID(txn) ((const char *) NULL)
#endif

/* 15 moved the prepare time into the union xact_time, 19 made that union anonymous. */
#if PG_VERSION_NUM >= 190000
#define OUTFLOW_PREPARE_TIME(txn) ((txn)->prepare_time)
#elif PG_VERSION_NUM >= 150000
#define OUTFLOW_PREPARE_TIME(txn) ((txn)->xact_time.prepare_time)
#else
#define OUTFLOW_PREPARE_TIME(txn) ((txn)->commit_time)
#endif

namespace outflow {
namespace compat {

/* Publications that name relid itself (FOR TABLE; on 19 not those that list it in EXCEPT). */
List *relation_publications(Oid relid);
/* FOR ALL TABLES publications that exclude relid (EXCEPT, 19); NIL before 19. */
List *excluding_publications(Oid relid);
/* Publications that publish the schema nspid (FOR TABLES IN SCHEMA); NIL before 15. */
List *schema_publications(Oid nspid);
/* Does publication pubid publish schema nspid? Always false before 15. */
bool publication_has_schema(Oid pubid, Oid nspid);
/* The top-most of ancestors published by pubid (directly or through its schema); level set as ancestors' 1-based position. */
Oid topmost_published_ancestor(Oid pubid, List *ancestors, int *level);
/* The column list of pubid's entry for relid (NULL: none, or no entry). */
Bitmapset *publication_columns(Oid relid, Oid pubid);
/* The row filter of pubid's entry for relid as node text (NULL: none, or no entry). */
char *publication_row_filter(Oid relid, Oid pubid);
/* Registers fn for every catalog cache that holds publication membership. */
void register_publication_callbacks(SyscacheCallbackFunction fn);
/* Writes the interval's text as interval_out does with IntervalStyle postgres into buf (MAXDATELEN + 1 bytes). */
void encode_interval(Interval *span, char *buf);
/*
 * Parses json text (len bytes, NUL-terminated) as jsonb as jsonb_in does into
 * *result. False, with nothing raised, when the error is about the value (a
 * data exception or a program limit); any other error is raised. 16 and later
 * ask jsonb_in for a soft error; 13 to 15 catch the ERROR (PG_TRY).
 */
bool json_to_jsonb(const char *text, size_t len, Datum *result);

} // namespace compat
} // namespace outflow

#endif /* __cplusplus */

#endif
