/*
 * snapshot.cpp: outflow._snapshot(publication name, numbers_as_string boolean)
 * RETURNS SETOF json, the body of outflow.snapshot().
 *
 * Every row the publication publishes, rendered by the decoder's own code:
 * a private decoding Session (native format, publication_names = the
 * publication) builds the relation entries (column lists, row filters,
 * publish_via_partition_root, key columns, value renderers) exactly as a
 * slot would, and each row goes through route_row() and the native
 * format's key/new writer as an insert of that row would. So a snapshot row
 * equals the streamed insert of the same row by construction, byte for
 * byte: the result is json, the very text the decoder wrote (a jsonb result
 * would be parsed and printed again, which took most of the time).
 *
 * Tables are those of outflow._pub_entries() (pg_get_publication_tables on
 * every major; sorted by schema and table);
 * a partitioned table listed there (publish_via_partition_root) is read
 * through its leaf partitions, each row mapped to the root as the decoder
 * maps a partition's insert. Rows are read with the query's snapshot
 * (outflow.snapshot() is STABLE: one snapshot for every table). The caller
 * needs SELECT on each listed table; a table whose row level security
 * applies to the caller is refused (a plain scan would bypass it).
 */
#include <new>
#include <string>

#include "../decoder/boundary.h"
#include "../decoder/format.h"
#include "../decoder/relcache.h"
#include "../decoder/relations.h"
#include "../decoder/session.h"
#include "../decoder/value_render.h"

extern "C" {
#include "access/heaptoast.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_inherits.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(outflow_snapshot);
PGDLLEXPORT Datum outflow_snapshot(PG_FUNCTION_ARGS);
}

namespace outflow {
namespace {

/*
 * What the memory context of a snapshot session owns besides the Session:
 * the reset callback, registered before the Session is constructed, and
 * the Session once it is (the callback runs its destructor then, also when
 * an ERROR or a C++ exception ends the call half way).
 */
struct SessionHolder
{
	MemoryContextCallback cb;
	Session *session; /* nullptr until constructed */
};

/* Runs the private session's destructor when its memory context goes. */
void
snapshot_session_reset_cb(void *arg)
{
	SessionHolder *holder = static_cast<SessionHolder *>(arg);

	if (holder->session != nullptr)
		holder->session->~Session();
	holder->session = nullptr;
}

/*
 * A decoding session without a decoding context, in a new child of parent
 * that owns it: the cleanup is registered before anything that may throw
 * or raise runs, so nothing it allocates (with new, in its std::string and
 * std::vector members) outlives the context. Runs inside the caller's
 * pg_boundary.
 */
Session *
snapshot_session(MemoryContext parent, const char *publication, bool numbers_as_string)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "outflow snapshot", ALLOCSET_DEFAULT_SIZES);
	SessionHolder *holder = static_cast<SessionHolder *>(MemoryContextAllocZero(cxt, sizeof(SessionHolder)));
	void *mem = MemoryContextAllocZero(cxt, sizeof(Session));
	Session *s;

	holder->cb.func = snapshot_session_reset_cb;
	holder->cb.arg = holder;
	MemoryContextRegisterResetCallback(cxt, &holder->cb);
	s = new (mem) Session();
	holder->session = s;
	s->opts.format = FormatKind::Native;
	s->opts.numeric_data_types_as_string = numbers_as_string;
	s->opts.publication_names.push_back(std::string(publication));
	s->format = make_native_format();
	s->ctx = nullptr; /* never written to: rows go to native_append_read */
	s->session_cxt = AllocSetContextCreate(cxt, "outflow snapshot session", ALLOCSET_DEFAULT_SIZES);
	s->change_cxt = AllocSetContextCreate(cxt, "outflow snapshot row", ALLOCSET_DEFAULT_SIZES);
	relations_init(*s);
	return s;
}

/* A table of the publication: the relation listed and its kind. */
struct Listed
{
	Oid relid;
	char relkind;
};

/* The tables the publication publishes (as listed), sorted by name; *n set. */
Listed *
listed_tables(const char *publication, int *n)
{
	Oid argtypes[1] = {NAMEOID};
	Datum args[1];
	Listed *list;
	MemoryContext caller = CurrentMemoryContext;

	args[0] = DirectFunctionCall1(namein, CStringGetDatum(publication));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "outflow: SPI_connect failed");
	if (SPI_execute_with_args("SELECT c.oid, c.relkind FROM outflow._pub_entries($1) g "
							  "JOIN pg_catalog.pg_class c ON c.oid = g.relid "
							  "JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace "
							  "ORDER BY ns.nspname, c.relname",
							  1, argtypes, args, nullptr, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "outflow: reading the tables of publication \"%s\" failed", publication);
	*n = static_cast<int>(SPI_processed);
	list = static_cast<Listed *>(MemoryContextAlloc(caller, sizeof(Listed) * Max(*n, 1)));
	for (int i = 0; i < *n; i++)
	{
		bool isnull;

		list[i].relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		list[i].relkind = DatumGetChar(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}
	SPI_finish();
	return list;
}

/* Raises unless the caller may read the listed table as a plain SELECT would. */
void
check_readable(Oid relid)
{
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("permission denied for table %s", get_rel_name(relid)),
						errhint("outflow.snapshot() reads every table of the publication: GRANT SELECT ON it to "
								"this role.")));
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("outflow.snapshot() cannot read table %s: row level security applies to this role",
							   get_rel_name(relid)),
						errhint("Run it as the table's owner or a role with BYPASSRLS.")));
}

/* The result: a tuplestore of one json column, set up for materialize mode. */
struct SnapshotResult
{
	Tuplestorestate *store;
	TupleDesc desc;
};

SnapshotResult
materialize_result(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	MemoryContext old;
	SnapshotResult r;

	if (rsinfo == nullptr || !IsA(rsinfo, ReturnSetInfo) || (rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("outflow._snapshot() must be called where a set is accepted")));
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	r.desc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(r.desc, 1, "snapshot", JSONOID, -1, 0);
	r.store = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = r.store;
	rsinfo->setDesc = r.desc;
	return r;
}

/* Renders one row of relation (entry rel) as a read, if the publication sends it. */
void
put_row(Session &s, SnapshotResult &result, StringInfo buf, Relation relation, RelInfo *rel, HeapTuple tuple)
{
	RowChange c;
	auto put = [&](Session &ss, const RowChange &cc) {
		Datum value;
		bool isnull = false;

		resetStringInfo(buf);
		native_append_read(ss, buf, cc);
		value = PointerGetDatum(cstring_to_text_with_len(buf->data, buf->len)); /* json: the text itself */
		tuplestore_putvalues(result.store, result.desc, &value, &isnull);
	};

	if (HeapTupleHasExternal(tuple))
		tuple = toast_flatten_tuple(tuple, RelationGetDescr(relation)); /* out-of-line values inline */
	c.txn = nullptr;
	c.change = nullptr;
	c.relation = relation;
	c.rel = rel;
	c.op = Op::Read;
	c.newtuple = tuple;
	c.oldtuple = nullptr;
	c.seq = 0;
	route_row(s, c, put); /* row filters, partition root */
}

/* Reads every row of one table (a leaf) into the result. */
void
read_table(Session &s, SnapshotResult &result, StringInfo buf, Oid relid)
{
	Relation relation = table_open(relid, AccessShareLock);
	RelInfo *rel = relcache_get(s, relation);
	TableScanDesc scan;
	TupleTableSlot *slot;

	if (rel->table_filtered) /* outflow's own tables, as the stream leaves them out */
	{
		table_close(relation, AccessShareLock);
		return;
	}
	scan = OUTFLOW_TABLE_BEGINSCAN(relation, GetActiveSnapshot());
	slot = table_slot_create(relation, nullptr);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		MemoryContext old = MemoryContextSwitchTo(s.change_cxt);
		bool should_free;
		HeapTuple tuple = ExecFetchSlotHeapTuple(slot, false, &should_free);

		CHECK_FOR_INTERRUPTS();
		put_row(s, result, buf, relation, rel, tuple);
		MemoryContextSwitchTo(old);
		MemoryContextReset(s.change_cxt);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	table_close(relation, AccessShareLock);
}

/* Reads a listed table: itself, or the leaf partitions of a partitioned table. */
void
read_listed(Session &s, SnapshotResult &result, StringInfo buf, const Listed &t)
{
	List *all;
	ListCell *lc;

	check_readable(t.relid);
	if (t.relkind != RELKIND_PARTITIONED_TABLE)
		return read_table(s, result, buf, t.relid);
	all = find_all_inheritors(t.relid, AccessShareLock, nullptr);
	foreach (lc, all)
	{
		Oid leaf = lfirst_oid(lc);

		if (get_rel_relkind(leaf) == RELKIND_RELATION)
			read_table(s, result, buf, leaf);
	}
}

/*
 * The body of outflow._snapshot(): every row of the publication's tables
 * into the result. Plain data only in this frame (PostgreSQL calls here may
 * raise); the Session's destructor belongs to its memory context.
 */
void
snapshot_rows(FunctionCallInfo fcinfo)
{
	const char *publication = NameStr(*PG_GETARG_NAME(0));
	bool numbers_as_string = PG_GETARG_BOOL(1);
	SnapshotResult result = materialize_result(fcinfo);
	int n = 0;
	Listed *tables = listed_tables(publication, &n);
	Session *s = snapshot_session(CurrentMemoryContext, publication, numbers_as_string);
	MemoryContext session_parent = GetMemoryChunkContext(s);
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		read_listed(*s, result, &buf, tables[i]);
	release_fixed_settings(*s);
	MemoryContextDelete(session_parent); /* runs ~Session */
	pfree(buf.data);
}

} // namespace
} // namespace outflow

/* outflow._snapshot(publication, numbers_as_string): the rows, as json. */
Datum
outflow_snapshot(PG_FUNCTION_ARGS)
{
	outflow::pg_boundary([&] { outflow::snapshot_rows(fcinfo); });
	return (Datum) 0;
}
