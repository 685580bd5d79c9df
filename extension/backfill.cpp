/*
 * backfill.cpp: the writers of outflow.backfill()'s messages
 * (decoder/backfill_message.h), called by outflow._backfill_chunk() inside
 * each chunk's transaction:
 *   outflow._backfill_row(id bigint, publication name, relation regclass, row record) -> boolean
 *   outflow._backfill_mark(kind text, id bigint, publication name, relation regclass, rows bigint) -> pg_lsn
 * Each writes one transactional logical message, so the rows take the
 * chunk's place in commit order. Only superusers and REPLICATION roles may
 * write them (they go into every slot's stream): each function checks.
 */
#include "../decoder/backfill_message.h"
#include "../decoder/pg.h"

extern "C" {
#include "access/heaptoast.h"
#include "miscadmin.h"
#include "replication/message.h"
#include "utils/acl.h"
#include "utils/pg_lsn.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(outflow_backfill_row);
PG_FUNCTION_INFO_V1(outflow_backfill_mark);
PGDLLEXPORT Datum outflow_backfill_row(PG_FUNCTION_ARGS);
PGDLLEXPORT Datum outflow_backfill_mark(PG_FUNCTION_ARGS);
}

namespace {

/* What a call site has checked once (fn_extra). */
struct RowCallCache
{
	Oid relid;	 /* the relation checked */
	Oid reltype; /* its row type */
};

/* Raises unless the current role may write into the streams of slots. */
void
check_may_write_streams(const char *function)
{
	if (superuser() || has_rolreplication(GetUserId()))
		return;
	ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					errmsg("permission denied for %s", function),
					errdetail("A backfill writes rows into the stream of every slot that follows the publication."),
					errhint("Run outflow.backfill() as a superuser or a role with the REPLICATION attribute.")));
}

/* The row type of relid, checked to be a table's; raises otherwise. */
Oid
table_row_type(Oid relid)
{
	Oid reltype = get_rel_type_id(relid);
	char relkind = get_rel_relkind(relid);

	if (!OidIsValid(reltype) || (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE))
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
						errmsg("relation with OID %u is not a table", relid),
						errhint("outflow.backfill() copies tables and partitioned tables.")));
	return reltype;
}

/* Writes header, publication name and body as one message; returns its LSN. */
XLogRecPtr
write_message(const outflow::BackfillHeader &head, const char *pub, const char *body, Size body_len)
{
	Size size = sizeof(head) + head.pub_len + body_len;
	char *data = static_cast<char *>(palloc(size));
	XLogRecPtr lsn;

	memcpy(data, &head, sizeof(head));
	memcpy(data + sizeof(head), pub, head.pub_len);
	if (body_len > 0)
		memcpy(data + sizeof(head) + head.pub_len, body, body_len);
	lsn = OUTFLOW_LOG_MESSAGE(outflow::kBackfillPrefix, data, size);
	pfree(data);
	return lsn;
}

/* The header of a message about relid. */
outflow::BackfillHeader
make_header(uint8_t kind, int64 id, Oid relid, const char *pub, int64 rows)
{
	outflow::BackfillHeader head;

	memset(&head, 0, sizeof(head));
	head.magic = outflow::kBackfillMagic;
	head.kind = kind;
	head.relid = relid;
	head.backfill_id = id;
	head.rows = rows;
	head.pub_len = static_cast<uint32_t>(strlen(pub));
	outflow::backfill_key(head.key, true);
	return head;
}

} // namespace

/* One row of a chunk: the row (the table's whole-row value) as a message. */
Datum
outflow_backfill_row(PG_FUNCTION_ARGS)
{
	int64 id = PG_GETARG_INT64(0);
	const char *pub = NameStr(*PG_GETARG_NAME(1));
	Oid relid = PG_GETARG_OID(2);
	HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(3);
	RowCallCache *cache = static_cast<RowCallCache *>(fcinfo->flinfo->fn_extra);
	HeapTupleData tuple;

	if (cache == nullptr || cache->relid != relid)
	{
		check_may_write_streams("outflow._backfill_row");
		if (cache == nullptr)
			cache = static_cast<RowCallCache *>(MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RowCallCache)));
		cache->relid = InvalidOid;
		cache->reltype = table_row_type(relid);
		cache->relid = relid;
		fcinfo->flinfo->fn_extra = cache;
	}
	if (HeapTupleHeaderGetTypeId(row) != cache->reltype)
		ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
						errmsg("the row passed to outflow._backfill_row is not a row of %s", get_rel_name(relid))));
	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = relid;
	tuple.t_data = row;
	if (HeapTupleHasExternal(&tuple))
	{
		/* Whole-row values are flattened already; this keeps a pointer out of WAL if one is not. */
		TupleDesc desc = lookup_rowtype_tupdesc(cache->reltype, -1);
		HeapTuple flat = toast_flatten_tuple(&tuple, desc);

		ReleaseTupleDesc(desc);
		tuple = *flat;
	}
	write_message(make_header(outflow::kBackfillRow, id, relid, pub, 0), pub,
				  reinterpret_cast<const char *>(tuple.t_data), tuple.t_len);
	PG_RETURN_BOOL(true);
}

/* backfill_start ('start') or backfill_end ('end', with the rows sent) of a table. */
Datum
outflow_backfill_mark(PG_FUNCTION_ARGS)
{
	char *kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int64 id = PG_GETARG_INT64(1);
	const char *pub = NameStr(*PG_GETARG_NAME(2));
	Oid relid = PG_GETARG_OID(3);
	int64 rows = PG_GETARG_INT64(4);
	uint8_t k;

	check_may_write_streams("outflow._backfill_mark");
	if (strcmp(kind, "start") == 0)
		k = outflow::kBackfillStart;
	else if (strcmp(kind, "end") == 0)
		k = outflow::kBackfillEnd;
	else
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("unknown backfill mark \"%s\"", kind),
						errhint("Use 'start' or 'end'.")));
	(void) table_row_type(relid);
	PG_RETURN_LSN(write_message(make_header(k, id, relid, pub, rows), pub, nullptr, 0));
}
