/*
 * native_lifecycle.cpp: the native format's stream and two-phase records
 * (see native_lifecycle.h and README "Streaming and two-phase commit").
 *
 *   {"op":"stream_start","xid":741,"first_segment":true}
 *   {"op":"stream_stop","xid":741}
 *   {"op":"stream_commit","xid":741,"commit_lsn":"0/1A2B4F0","commit_time":"...","end_lsn":"0/1A2B520","changes":3}
 *   {"op":"stream_abort","xid":741,"subxid":742,"abort_lsn":"0/1A2B4F0"}
 *   {"op":"prepare","gid":"g1","xid":741,"prepare_lsn":"0/1A2B4F0","prepare_time":"...","end_lsn":"...","changes":3}
 *   {"op":"commit_prepared","gid":"g1","xid":741,"commit_lsn":"0/1A2C000","commit_time":"...","end_lsn":"..."}
 *   {"op":"rollback_prepared","gid":"g1","xid":741,"rollback_lsn":"0/1A2C000","rollback_time":"..."}
 */
#include "native_lifecycle.h"

#include "pg_text.h"
#include "session.h"
#include "stream.h"

extern "C" {
#include "utils/datetime.h"
#include "utils/json.h"
}

namespace outflow {

namespace {

/* ,"name":N for an unsigned number. */
void
out_uint_field(StringInfo out, const char *name, uint64 value)
{
	char buf[kInt64DecimalMax];

	appendStringInfo(out, ",\"%s\":", name);
	append_bytes(out, buf, static_cast<int>(format_int64(static_cast<int64>(value), buf)));
}

/* ,"name":"X/X" */
void
out_lsn_field(StringInfo out, const char *name, XLogRecPtr lsn)
{
	appendStringInfo(out, ",\"%s\":", name);
	append_lsn_quoted(out, lsn);
}

/* ,"name":"<ISO 8601 UTC>" */
void
out_time_field(StringInfo out, const char *name, TimestampTz t)
{
	appendStringInfo(out, ",\"%s\":", name);
	out_time_utc(out, t);
}

/*
 * ,"<lsn_name>":..,"<time_name>":..[,"origin":..],"end_lsn":.. : the end of
 * a transaction as the commit and prepare records show it.
 */
void
out_end_fields(Session &s, StringInfo out, ReorderBufferTXN *txn, const char *lsn_name, XLogRecPtr lsn,
			   const char *time_name, TimestampTz time)
{
	out_lsn_field(out, lsn_name, lsn);
	out_time_field(out, time_name, time);
	out_origin(s, out, txn);
	out_lsn_field(out, "end_lsn", txn->end_lsn);
}

/* {"op":"<op>","gid":..,"xid":.. : the start of the two-phase records. */
void
out_gid_head(StringInfo out, const char *op, ReorderBufferTXN *txn)
{
	appendStringInfo(out, "{\"op\":\"%s\",\"gid\":", op);
	append_json_cstring(out, OUTFLOW_TXN_GID(txn) != nullptr ? OUTFLOW_TXN_GID(txn) : "");
	out_uint_field(out, "xid", txn->xid);
}

/* Starts one object of ctx->out. */
StringInfo
start(Session &s)
{
	OutputPluginPrepareWrite(s.ctx, true);
	return s.ctx->out;
}

/* Ends the object and sends it. */
void
finish(Session &s)
{
	append_char(s.ctx->out, '}');
	OutputPluginWrite(s.ctx, true);
}

} // namespace

void
out_origin(Session &s, StringInfo out, ReorderBufferTXN *txn)
{
	const char *name;

	if (txn->origin_id == OUTFLOW_INVALID_ORIGIN)
		return;
	name = s.origin_name_of(txn->origin_id);
	append_lit(out, ",\"origin\":");
	if (name)
		append_json_cstring(out, name);
	else
		appendStringInfo(out, "%u", txn->origin_id);
}

void
out_time_utc(StringInfo out, TimestampTz t)
{
	char buf[MAXDATELEN + 1];
	const int utc = 0;

	JsonEncodeDateTime(buf, TimestampTzGetDatum(t), TIMESTAMPTZOID, &utc);
	append_char(out, '"');
	appendStringInfoString(out, buf);
	append_char(out, '"');
}

void
native_stream_start(Session &s, ReorderBufferTXN *txn)
{
	StringInfo out = start(s);
	bool first = !s.stream->sent_any;

	append_lit(out, "{\"op\":\"stream_start\"");
	out_uint_field(out, "xid", txn->xid);
	appendStringInfo(out, ",\"first_segment\":%s", first ? "true" : "false");
	out_origin(s, out, txn);
	finish(s);
	s.stream->sent_any = true; /* once written (see Session::ensure_begin) */
}

void
native_stream_stop(Session &s, ReorderBufferTXN *txn)
{
	StringInfo out = start(s);

	append_lit(out, "{\"op\":\"stream_stop\"");
	out_uint_field(out, "xid", txn->xid);
	finish(s);
}

void
native_stream_commit(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn, uint64 changes)
{
	StringInfo out = start(s);

	append_lit(out, "{\"op\":\"stream_commit\"");
	out_uint_field(out, "xid", txn->xid);
	out_end_fields(s, out, txn, "commit_lsn", commit_lsn, "commit_time", OUTFLOW_COMMIT_TIME(txn));
	out_uint_field(out, "changes", changes);
	finish(s);
}

void
native_stream_abort(Session &s, TransactionId xid, TransactionId subxid, XLogRecPtr abort_lsn)
{
	StringInfo out = start(s);

	append_lit(out, "{\"op\":\"stream_abort\"");
	out_uint_field(out, "xid", xid);
	if (TransactionIdIsValid(subxid))
		out_uint_field(out, "subxid", subxid);
	out_lsn_field(out, "abort_lsn", abort_lsn);
	finish(s);
}

void
native_prepare(Session &s, ReorderBufferTXN *txn, XLogRecPtr prepare_lsn, uint64 changes, bool streamed)
{
	StringInfo out = start(s);

	out_gid_head(out, streamed ? "stream_prepare" : "prepare", txn);
	out_end_fields(s, out, txn, "prepare_lsn", prepare_lsn, "prepare_time", OUTFLOW_PREPARE_TIME(txn));
	out_uint_field(out, "changes", changes);
	finish(s);
}

void
native_commit_prepared(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	StringInfo out = start(s);

	out_gid_head(out, "commit_prepared", txn);
	out_end_fields(s, out, txn, "commit_lsn", commit_lsn, "commit_time", OUTFLOW_COMMIT_TIME(txn));
	finish(s);
}

void
native_rollback_prepared(Session &s, ReorderBufferTXN *txn)
{
	StringInfo out = start(s);

	out_gid_head(out, "rollback_prepared", txn);
	out_lsn_field(out, "rollback_lsn", txn->final_lsn);
	out_time_field(out, "rollback_time", OUTFLOW_COMMIT_TIME(txn));
	finish(s);
}

} // namespace outflow
