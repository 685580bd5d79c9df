/*
 * format_native.cpp: outflow's own format. One compact JSON object per
 * change, each written on its own (never a whole transaction in a buffer):
 *
 *   {"op":"insert","schema":"public","table":"t","lsn":"0/1A2B","commit_lsn":"0/1A90",
 *    "xid":740,"seq":0,"commit_time":"2026-11-25T10:00:00.123456+00:00",
 *    "key":{"id":1},"new":{"id":1,"v":"x"}}
 *
 * (commit_lsn, seq) identifies a change uniquely and stably. Values are
 * rendered by value_render.h; columns, keys and the tuples taken apart
 * come from relcache (RowChange::oldrow, newrow). A transaction decoded at its PREPARE carries
 * prepare_lsn, gid and prepare_time instead of the commit's fields; one
 * streamed in progress only xid (and subxid), with seq per transaction.
 */
#include "format.h"

#include "native_image.h"
#include "native_lifecycle.h"
#include "pg_text.h"
#include "oversize.h"
#include "relation_record.h"
#include "relcache.h"
#include "session.h"
#include "pg_text_format.h"

extern "C" {
#include "common/base64.h"
#include "mb/pg_wchar.h"
}

namespace outflow {

namespace {

/*
 * The fields every object of a transaction carries, in two parts around
 * "seq": ,"commit_lsn":..,"xid":.. and ,"commit_time":..[,"origin":..]
 * (prepared: ,"prepare_lsn":..,"gid":..,"xid":.. and ,"prepare_time":..;
 * streamed: ,"xid":.. and the origin only: the commit is not known yet).
 * They are the same for every object of a transaction, so begin writes them
 * once into the format's buffers and each object copies them.
 */
void
out_txn_head(StringInfo out, ReorderBufferTXN *txn, TxnKind kind)
{
	char buf[kInt64DecimalMax];

	if (kind == TxnKind::Committed)
	{
		append_lit(out, ",\"commit_lsn\":");
		append_lsn_quoted(out, txn->final_lsn);
	}
	else if (kind == TxnKind::Prepared)
	{
		append_lit(out, ",\"prepare_lsn\":");
		append_lsn_quoted(out, txn->final_lsn);
		append_lit(out, ",\"gid\":");
		append_json_cstring(out, OUTFLOW_TXN_GID(txn) != nullptr ? OUTFLOW_TXN_GID(txn) : "");
	}
	append_lit(out, ",\"xid\":");
	append_bytes(out, buf, static_cast<int>(format_int64(txn->xid, buf)));
}

void
out_txn_tail(Session &s, StringInfo out, ReorderBufferTXN *txn, TxnKind kind)
{
	if (kind == TxnKind::Committed)
	{
		append_lit(out, ",\"commit_time\":");
		out_time_utc(out, OUTFLOW_COMMIT_TIME(txn));
	}
	else if (kind == TxnKind::Prepared)
	{
		append_lit(out, ",\"prepare_time\":");
		out_time_utc(out, OUTFLOW_PREPARE_TIME(txn));
	}
	out_origin(s, out, txn);
}

/* The cached transaction fields (see TxnFields), seq only on changes (seq >= 0). */
struct TxnFields
{
	ReorderBufferTXN *txn = nullptr; /* whose fields these are */
	TxnKind kind = TxnKind::Committed;
	TransactionId xid = InvalidTransactionId;
	XLogRecPtr final_lsn = InvalidXLogRecPtr;
	StringInfoData head{};			 /* ,"commit_lsn":..,"xid":.. */
	StringInfoData tail{};			 /* ,"commit_time":..,"origin":.. */

	/* Writes the fields of txn into the buffers (in session memory). */
	void
	fill(Session &s, ReorderBufferTXN *t)
	{
		if (head.data == nullptr)
		{
			MemoryContext old = MemoryContextSwitchTo(s.session_cxt);

			initStringInfo(&head);
			initStringInfo(&tail);
			MemoryContextSwitchTo(old);
		}
		txn = nullptr; /* until both are complete */
		resetStringInfo(&head);
		resetStringInfo(&tail);
		out_txn_head(&head, t, s.txn_kind);
		out_txn_tail(s, &tail, t, s.txn_kind);
		txn = t;
		kind = s.txn_kind;
		xid = t->xid;
		final_lsn = t->final_lsn;
	}

	void
	write(Session &s, StringInfo out, ReorderBufferTXN *t, int64 seq)
	{
		/* begin fills them for each transaction (each stream block); the check is a
		 * safety net. A streamed transaction's final_lsn moves as it grows. */
		if (unlikely(t != txn || t->xid != xid || kind != s.txn_kind ||
					 (t->final_lsn != final_lsn && kind != TxnKind::Streamed)))
			fill(s, t);
		append_bytes(out, head.data, head.len);
		if (seq >= 0)
		{
			char buf[kInt64DecimalMax];

			if (unlikely(TransactionIdIsValid(s.txn_subxid)))
			{
				append_lit(out, ",\"subxid\":");
				append_bytes(out, buf, static_cast<int>(format_int64(s.txn_subxid, buf)));
			}
			append_lit(out, ",\"seq\":");
			append_bytes(out, buf, static_cast<int>(format_int64(seq, buf)));
		}
		append_bytes(out, tail.data, tail.len);
	}
};

class NativeFormat final : public Format
{
public:
	void build_relation(Session &s, RelInfo &rel, Relation relation) override;
	void begin(Session &s, ReorderBufferTXN *txn) override;
	void commit(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) override;
	void row(Session &s, const RowChange &change) override;
	void truncate(Session &s, const TruncateRecord &t) override;
	void message(Session &s, const MessageRecord &m) override;
	void backfill_mark(Session &s, const BackfillMark &b) override;

private:
	TxnFields txn_fields_;

	StringInfo open_relation_object(Session &s, std::string_view op, const RelInfo &rel, XLogRecPtr lsn,
									ReorderBufferTXN *txn, uint64 seq);
};

void
NativeFormat::build_relation(Session &, RelInfo &rel, Relation)
{
	MemoryContext old = MemoryContextSwitchTo(rel.cxt);
	NativeRel *nr = static_cast<NativeRel *>(palloc0(sizeof(NativeRel)));
	StringInfoData head;

	initStringInfo(&head);
	append_lit(&head, ",\"schema\":");
	appendStringInfoString(&head, rel.schema_json);
	append_lit(&head, ",\"table\":");
	appendStringInfoString(&head, rel.table_json);
	append_lit(&head, ",\"lsn\":");
	nr->head = head.data;
	nr->head_len = head.len;
	/*
	 * Kept free under kRecordLimit for what the values do not account for:
	 * the "unchanged" and "oversized" lists (every name at most once each),
	 * the closing bytes, and fixed-length values, which skip the check (at
	 * most 4 kB each in each of key, old and new: the widest built-in is a
	 * name, 64 bytes escaped to 386).
	 */
	nr->tail_reserve = 1024;
	for (int i = 0; i < rel.natts; i++)
		if (!rel.cols[i].dropped)
			nr->tail_reserve += 2 * (rel.cols[i].name_json_len + 1) + (rel.cols[i].varlena ? 0 : 3 * 4096);
	MemoryContextSwitchTo(old);
	rel.format_private = nr;
}

/* Starts an object of relation rel in a fresh ctx->out:
 * {"op":"<op>","schema":..,"table":..,"lsn":..,<transaction fields, seq>. */
StringInfo
NativeFormat::open_relation_object(Session &s, std::string_view op, const RelInfo &rel, XLogRecPtr lsn,
								   ReorderBufferTXN *txn, uint64 seq)
{
	StringInfo out = s.ctx->out;

	OutputPluginPrepareWrite(s.ctx, true);
	append_lit(out, "{\"op\":\"");
	append_bytes(out, op.data(), static_cast<int>(op.size()));
	append_char(out, '"');
	out_head(out, *static_cast<const NativeRel *>(rel.format_private), lsn);
	txn_fields_.write(s, out, txn, static_cast<int64>(seq));
	return out;
}

/*
 * {"op":"begin",...} or, decoded at PREPARE, {"op":"begin_prepare",...}:
 * written only with include-transaction. A stream block always starts with
 * stream_start.
 */
void
NativeFormat::begin(Session &s, ReorderBufferTXN *txn)
{
	StringInfo out = s.ctx->out;

	txn_fields_.fill(s, txn);
	if (s.txn_kind == TxnKind::Streamed)
		return native_stream_start(s, txn);
	if (!s.opts.include_transaction)
		return;
	OutputPluginPrepareWrite(s.ctx, true);
	if (s.txn_kind == TxnKind::Prepared)
		append_lit(out, "{\"op\":\"begin_prepare\"");
	else
		append_lit(out, "{\"op\":\"begin\"");
	txn_fields_.write(s, out, txn, -1);
	append_char(out, '}');
	OutputPluginWrite(s.ctx, true);
}

/* {"op":"commit",...,"changes":N}: written only with include-transaction. */
void
NativeFormat::commit(Session &s, ReorderBufferTXN *txn, XLogRecPtr)
{
	StringInfo out = s.ctx->out;

	if (!s.opts.include_transaction)
		return;
	OutputPluginPrepareWrite(s.ctx, true);
	append_lit(out, "{\"op\":\"commit\"");
	txn_fields_.write(s, out, txn, -1);
	append_lit(out, ",\"end_lsn\":");
	append_lsn_quoted(out, txn->end_lsn);
	{
		char buf[kInt64DecimalMax];

		append_lit(out, ",\"changes\":");
		append_bytes(out, buf, static_cast<int>(format_int64(static_cast<int64>(s.txn_emitted), buf)));
		append_char(out, '}');
	}
	OutputPluginWrite(s.ctx, true);
}

/*
 * The oversize check of change c (oversize.h), its record starting base
 * bytes into out: the record limit less what the values do not account
 * for, max-value-bytes, and the relation's oversized flags (cleared when
 * the first value is left out).
 */
ChangeLimits
change_limits(const Session &s, const RowChange &c, int64 base)
{
	const NativeRel *nr = static_cast<const NativeRel *>(c.rel->format_private);
	ChangeLimits lim;

	lim.room = value_room(base + kRecordLimit - nr->tail_reserve, s.opts.max_value_bytes);
	lim.change = &c;
	lim.oversized = LeftOutColumns{c.rel->oversized, c.rel->natts};
	return lim;
}

/* One insert, update or delete. */
void
NativeFormat::row(Session &s, const RowChange &c)
{
	const RelInfo &rel = *c.rel;
	LeftOutColumns unchanged{rel.unchanged, rel.natts}; /* the new row's unchanged TOAST values */

	s.ensure_begin();
	relation_record_before_change(s, *c.rel);
	StringInfo out = open_relation_object(s, op_name(c.op), rel, c.change->lsn, c.txn, c.seq);
	/* Values are checked against what is left of the record limit, filled in
	 * the order written: key, old, new (oversize.h). */
	ChangeLimits lim = change_limits(s, c, 0);

	/* key: from the old image when it was logged, else from the new row. */
	if (rel.nkeys > 0 && (c.oldtuple || c.newtuple))
	{
		lim.key_start = out->len + 7; /* after ,"key": */
		out_image(s, out, ",\"key\":", rel, c.oldtuple ? c.oldrow : c.newrow, Columns::Keys, nullptr, lim);
		lim.key_len = out->len - lim.key_start;
	}
	if (c.oldtuple)
		out_image(s, out, ",\"old\":", rel, c.oldrow,
				  rel.replident == REPLICA_IDENTITY_FULL ? Columns::All : Columns::Keys, nullptr, lim);
	if (c.newtuple)
		out_image(s, out, ",\"new\":", rel, c.newrow, Columns::All, &unchanged, lim,
				  c.oldtuple && rel.replident == REPLICA_IDENTITY_FULL ? &c.oldrow : nullptr);
	if (unchanged.count > 0)
		out_name_list(out, ",\"unchanged\":[", rel, unchanged.flags);
	if (unlikely(lim.oversized.count > 0))
		out_name_list(out, ",\"oversized\":[", rel, lim.oversized.flags);
	append_char(out, '}');
	OutputPluginWrite(s.ctx, true);
}

/* One object per truncated table. */
void
NativeFormat::truncate(Session &s, const TruncateRecord &t)
{
	s.ensure_begin();
	for (int i = 0; i < t.nrels; i++)
	{
		relation_record_before_change(s, *t.rels[i]);
		StringInfo out =
			open_relation_object(s, op_name(Op::Truncate), *t.rels[i], t.change->lsn, t.txn, t.first_seq + i);

		appendStringInfo(out, ",\"cascade\":%s,\"restart_identity\":%s}",
						 t.change->data.truncate.cascade ? "true" : "false",
						 t.change->data.truncate.restart_seqs ? "true" : "false");
		OutputPluginWrite(s.ctx, true);
	}
}

/*
 * A logical message. Content that is valid text in the database encoding
 * (and has no NUL byte) is "content"; anything else is "content_base64", so
 * that every byte round-trips. Content too large to send is left out and
 * named in "oversized", as a value is.
 */
void
NativeFormat::message(Session &s, const MessageRecord &m)
{
	StringInfo out = s.ctx->out;
	bool is_text = memchr(m.content, '\0', m.size) == nullptr &&
				   pg_verifymbstr(m.content, static_cast<int>(m.size), true);

	if (m.transactional)
		s.ensure_begin();
	OutputPluginPrepareWrite(s.ctx, true);
	append_lit(out, "{\"op\":\"message\",\"lsn\":");
	append_lsn_quoted(out, m.lsn);
	if (m.transactional)
		txn_fields_.write(s, out, m.txn, static_cast<int64>(m.seq));
	appendStringInfo(out, ",\"transactional\":%s,\"prefix\":", m.transactional ? "true" : "false");
	append_json_cstring(out, m.prefix);

	/* Content too large to send (oversize.h) is left out and named. */
	const int64 allowed = content_allowed(s.opts.max_value_bytes, out->len, strlen(m.prefix));
	Size bytes = (m.size + 2) / 3 * 4 + 2;

	if (is_text ? !text_json_fits(m.content, m.size, allowed, &bytes) : static_cast<int64>(bytes) > allowed)
	{
		appendStringInfoString(out, is_text ? ",\"oversized\":[\"content\"]}" : ",\"oversized\":[\"content_base64\"]}");
		OutputPluginWrite(s.ctx, true);
		warn_content_left_out(m.prefix, m.lsn, bytes, allowed,
							  s.opts.max_value_bytes > 0 && allowed == s.opts.max_value_bytes);
		return;
	}
	if (is_text)
	{
		append_lit(out, ",\"content\":");
		append_json_string(out, m.content, m.size);
	}
	else
	{
		int enclen = pg_b64_enc_len(static_cast<int>(m.size));

		append_lit(out, ",\"content_base64\":\"");
		enlargeStringInfo(out, enclen);
		out->len += pg_b64_encode(OUTFLOW_B64_SRC(m.content), static_cast<int>(m.size), out->data + out->len, enclen);
		out->data[out->len] = '\0';
		append_char(out, '"');
	}
	append_char(out, '}');
	OutputPluginWrite(s.ctx, true);
}

/* {"op":"backfill_start"|"backfill_end","schema":..,"table":..,"lsn":..,<txn>,<fields>}. */
void
NativeFormat::backfill_mark(Session &s, const BackfillMark &b)
{
	s.ensure_begin();
	StringInfo out = open_relation_object(s, b.op, *b.rel, b.lsn, b.txn, b.seq);

	append_char(out, ',');
	append_bytes(out, b.fields, b.len);
	append_char(out, '}');
	OutputPluginWrite(s.ctx, true);
}

} // namespace

/*
 * A row as outflow.snapshot() returns it: {"op":"read","schema":..,"table":..,
 * "key":..,"new":..}, the key and new row written by the same code as a
 * streamed insert's. The row has no out-of-line values (snapshot.cpp
 * flattens them), so nothing is unchanged.
 */
void
native_append_read(Session &s, StringInfo out, const RowChange &c)
{
	const RelInfo &rel = *c.rel;
	/* A row is one value of the result: the same limits as a streamed record (oversize.h). */
	ChangeLimits lim = change_limits(s, c, out->len);

	append_lit(out, "{\"op\":\"read\",\"schema\":");
	appendStringInfoString(out, rel.schema_json);
	append_lit(out, ",\"table\":");
	appendStringInfoString(out, rel.table_json);
	if (rel.nkeys > 0)
	{
		lim.key_start = out->len + 7; /* after ,"key": */
		out_image(s, out, ",\"key\":", rel, c.newrow, Columns::Keys, nullptr, lim);
		lim.key_len = out->len - lim.key_start;
	}
	out_image(s, out, ",\"new\":", rel, c.newrow, Columns::All, nullptr, lim);
	if (unlikely(lim.oversized.count > 0))
		out_name_list(out, ",\"oversized\":[", rel, lim.oversized.flags);
	append_char(out, '}');
}

Format *
make_native_format()
{
	return new NativeFormat();
}

} // namespace outflow
