/*
 * format_wal2json_v1.cpp: wal2json's format-version 1, byte for byte as
 * wal2json 2.6 writes it: one JSON document per transaction
 * {"change":[{...},{...}]} (or one piece per change with write-in-chunks),
 * pretty-printed with tabs and newlines on request.
 *
 * Without write-in-chunks the document of a transaction is built in ctx->out
 * across callbacks and written once at commit, as wal2json does. Before it
 * would pass PostgreSQL's 1 GB limit for a single output row we stop with a
 * clear error instead of failing inside enlargeStringInfo or later when the
 * row is copied.
 *
 * TRUNCATE: wal2json 2.6 has a format 1 truncate routine but compiles it out
 * (#ifdef _NOT_USED), so format 1 never shows a TRUNCATE. We do the same:
 * truncate() writes nothing, and a transaction with only a TRUNCATE
 * produces no document at all (wal2json writes an empty {"change":[]},
 * as we do with include-empty-transactions=true).
 *
 * Message content is written whole, NUL bytes as \u0000 (wal2json stops at
 * the first NUL); other bytes are copied as they are, like wal2json does.
 */
#include "format_wal2json.h"
#include "pg_text.h"
#include "relcache.h"
#include "session.h"

namespace outflow {

namespace {

/* The whitespace of pretty-print (empty strings otherwise). */
struct Pretty
{
	const char *ht;
	const char *nl;
	const char *sp;
	const char *sep; /* between array entries: "," or ", " */
	int sep_len;

	explicit Pretty(const Options &o)
		: ht(o.pretty_print ? "\t" : ""), nl(o.pretty_print ? "\n" : ""), sp(o.pretty_print ? " " : ""),
		  sep(o.pretty_print ? ", " : ","), sep_len(o.pretty_print ? 2 : 1)
	{
	}
};

/* Room kept free under MaxAllocSize: the commit's tail and the row headers. */
constexpr Size kDocReserve = 1024;

class Wal2jsonV1 final : public Wal2jsonFormat<1>
{
public:
	void begin(Session &s, ReorderBufferTXN *txn) override;
	void commit(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) override;
	void row(Session &s, const RowChange &change) override;
	void truncate(Session &, const TruncateRecord &) override
	{
		/* Format 1 has no TRUNCATE (see the file comment). */
	}
	void message(Session &s, const MessageRecord &m) override;

private:
	uint64 nchanges_ = 0;	 /* changes written in the current transaction */
	StringInfoData piece_{}; /* open_piece's scratch buffer (session_cxt), reused */
	StringInfoData vals_{};	 /* a tuple's values, written before its arrays (session_cxt), reused */

	StringInfo values_scratch(Session &s);
	StringInfo open_piece(Session &s, bool own_write);
	void close_piece(Session &s, StringInfo piece, bool own_write);
	void tuple(Session &s, StringInfo out, const RowChange &c, const RowImage &row, LeftOutColumns &oversized,
			   bool identity, bool only_ri, bool addcomma);
	void pk(Session &s, StringInfo out, const RowChange &c, bool addcomma);
};

/*
 * Where a change's text goes: with write-in-chunks (or own_write) straight
 * into a fresh ctx->out, otherwise into a scratch buffer that close_piece
 * appends to the transaction's document after checking the size limit.
 */
StringInfo
Wal2jsonV1::open_piece(Session &s, bool own_write)
{
	if (own_write)
	{
		OutputPluginPrepareWrite(s.ctx, true);
		return s.ctx->out;
	}
	if (piece_.data == nullptr)
	{
		MemoryContext old = MemoryContextSwitchTo(s.session_cxt);

		initStringInfo(&piece_);
		MemoryContextSwitchTo(old);
	}
	else
		resetStringInfo(&piece_);
	return &piece_;
}

void
Wal2jsonV1::close_piece(Session &s, StringInfo piece, bool own_write)
{
	StringInfo out = s.ctx->out;

	if (own_write)
	{
		OutputPluginWrite(s.ctx, true);
		return;
	}
	if (static_cast<Size>(out->len) + static_cast<Size>(piece->len) + kDocReserve >= MaxAllocSize)
		error_document_too_large(s.txn ? s.txn->xid : InvalidTransactionId);
	appendBinaryStringInfo(out, piece->data, piece->len);
	if (piece->maxlen > 1024 * 1024)
	{
		/* not kept at the size of the largest row ever seen */
		pfree(piece->data);
		piece->data = nullptr;
	}
}

/* The emptied buffer a tuple's values are written into first. */
StringInfo
Wal2jsonV1::values_scratch(Session &s)
{
	if (vals_.data != nullptr && vals_.maxlen > 1024 * 1024)
	{
		/* not kept at the size of the largest row ever seen */
		pfree(vals_.data);
		vals_.data = nullptr;
	}
	if (vals_.data == nullptr)
	{
		MemoryContext old = MemoryContextSwitchTo(s.session_cxt);

		initStringInfo(&vals_);
		MemoryContextSwitchTo(old);
	}
	else
		resetStringInfo(&vals_);
	return &vals_;
}

void
Wal2jsonV1::begin(Session &s, ReorderBufferTXN *txn)
{
	const Options &o = s.opts;
	Pretty p(o);
	StringInfo out;

	nchanges_ = 0;
	OutputPluginPrepareWrite(s.ctx, true);
	out = s.ctx->out;
	appendStringInfo(out, "{%s", p.nl);
	if (o.include_xids)
		appendStringInfo(out, "%s\"xid\":%s%u,%s", p.ht, p.sp, txn->xid, p.nl);
	if (o.include_lsn)
		appendStringInfo(out, "%s\"nextlsn\":%s\"%X/%X\",%s", p.ht, p.sp, static_cast<uint32>(txn->end_lsn >> 32), static_cast<uint32>(txn->end_lsn), p.nl);
	if (o.include_timestamp)
	{
		appendStringInfo(out, "%s\"timestamp\":%s", p.ht, p.sp);
		w2j_append_commit_time(out, txn);
		appendStringInfo(out, ",%s", p.nl);
	}
	if (o.include_origin)
		appendStringInfo(out, "%s\"origin\":%s%u,%s", p.ht, p.sp, txn->origin_id, p.nl);
	appendStringInfo(out, "%s\"change\":%s[", p.ht, p.sp);
	if (o.write_in_chunks)
		OutputPluginWrite(s.ctx, true);
}

void
Wal2jsonV1::commit(Session &s, ReorderBufferTXN *, XLogRecPtr)
{
	Pretty p(s.opts);

	if (s.opts.write_in_chunks)
		OutputPluginPrepareWrite(s.ctx, true);
	else
		appendStringInfoString(s.ctx->out, p.nl);
	appendStringInfo(s.ctx->out, "%s]%s}", p.ht, p.nl);
	OutputPluginWrite(s.ctx, true);
}

/*
 * The arrays of one tuple: "columnnames"... (identity false) or the
 * "oldkeys" object (identity true; only_ri restricts it to the replica
 * identity columns). Unchanged TOAST values are left out; so are NULLs in
 * "oldkeys". Column positions, optionals and defaults are not part of
 * "oldkeys"; optionals have entries only when types are included.
 *
 * The values are written first, into vals_: a value too large to send
 * (w2j_write_value, oversize.h) leaves its column out of every array of
 * the tuple, so that names, types and values stay aligned.
 */
void
Wal2jsonV1::tuple(Session &s, StringInfo out, const RowChange &c, const RowImage &row, LeftOutColumns &oversized,
				  bool identity, bool only_ri,
				  bool addcomma)
{
	const Options &o = s.opts;
	Pretty p(o);
	W2jRel &w = w2j_rel(c.rel);
	const RelInfo &rel = *c.rel;
	const int natts = rel.natts;
	int ind = identity ? 4 : 3;
	const char *prefix = identity ? "key" : "column";

	LeftOutColumns left{w.left_out, natts}; /* this tuple's columns left out for their size */

	/* Is column i part of this tuple's output (before the size checks)? */
	auto candidate = [&](int i) -> bool {
		if (!rel.cols[i].shown() || (only_ri && !w2j_in_identity(rel, i)))
			return false;
		if (row.nulls[i])
			return !identity;
		return !unchanged_toast(rel.cols[i], row, i);
	};
	/* The values, into vals_, within what this change's piece may take. A
	 * transaction's document (without write-in-chunks) is limited apart:
	 * close_piece stops it with its own error, which says what to do. */
	StringInfo vals = values_scratch(s);
	const ValueRoom room = w2j_room(s, w, out->len);
	bool first_value = true;

	for (int i = 0; i < natts; i++)
	{
		if (!candidate(i))
			continue;
		const int before = vals->len;

		if (!first_value)
			append_bytes(vals, p.sep, p.sep_len);
		if (row.nulls[i])
			append_lit(vals, "null");
		else if (!w2j_write_value(s, c, vals, room, oversized, row, i))
		{
			vals->len = before;
			vals->data[before] = '\0';
			left.add(i);
			continue;
		}
		first_value = false;
	}
	/* Is column i part of this tuple's output? */
	auto shown = [&](int i) -> bool { return candidate(i) && !(left.count > 0 && left.flags[i]); };
	/* Writes one array: header, entries from emit(i), closing. */
	auto array = [&](const char *name, bool entries, auto emit) {
		bool first = true;

		w2j_repeat(out, p.ht, ind);
		appendStringInfo(out, "\"%s%s\":%s[", prefix, name, p.sp);
		if (entries)
			for (int i = 0; i < natts; i++)
			{
				if (!shown(i))
					continue;
				if (!first)
					append_bytes(out, p.sep, p.sep_len);
				first = false;
				emit(i);
			}
	};

	if (identity)
	{
		w2j_repeat(out, p.ht, 3);
		appendStringInfo(out, "\"oldkeys\":%s{%s", p.sp, p.nl);
	}
	array("names", true, [&](int i) { append_bytes(out, rel.cols[i].name_json, rel.cols[i].name_json_len); });
	appendStringInfo(out, "],%s", p.nl);
	if (o.include_types)
	{
		array("types", true, [&](int i) { append_bytes(out, w.cols[i].type_json, w.cols[i].type_json_len); });
		appendStringInfo(out, "],%s", p.nl);
	}
	if (o.include_type_oids)
	{
		array("typeoids", true, [&](int i) { appendStringInfo(out, "%u", w.cols[i].shown_typid); });
		appendStringInfo(out, "],%s", p.nl);
	}
	if (!identity && o.include_column_positions)
	{
		array("positions", true, [&](int i) { appendStringInfo(out, "%d", rel.cols[i].attnum); });
		appendStringInfo(out, "],%s", p.nl);
	}
	if (!identity && o.include_not_null)
	{
		array("optionals", o.include_types, [&](int i) {
			if (rel.cols[i].not_null)
				append_lit(out, "false");
			else
				append_lit(out, "true");
		});
		appendStringInfo(out, "],%s", p.nl);
	}
	if (!identity && o.include_default)
	{
		array("defaults", true, [&](int i) { appendStringInfoString(out, w.cols[i].default_json); });
		appendStringInfo(out, "],%s", p.nl);
	}
	array("values", false, [](int) {});
	append_bytes(out, vals->data, vals->len);
	if (identity)
	{
		appendStringInfo(out, "]%s", p.nl);
		w2j_repeat(out, p.ht, 3);
		appendStringInfo(out, "}%s", p.nl);
	}
	else
		appendStringInfo(out, "]%s%s", addcomma ? "," : "", p.nl);
}

/* The "pk" object: names and types of the primary key columns. */
void
Wal2jsonV1::pk(Session &s, StringInfo out, const RowChange &c, bool addcomma)
{
	const Options &o = s.opts;
	Pretty p(o);
	W2jRel &w = w2j_rel(c.rel);
	const RelInfo &rel = *c.rel;
	bool first;

	w2j_repeat(out, p.ht, 3);
	appendStringInfo(out, "\"pk\":%s{%s", p.sp, p.nl);
	w2j_repeat(out, p.ht, 4);
	appendStringInfo(out, "\"pknames\":%s[", p.sp);
	first = true;
	for (int i = 0; i < rel.natts; i++)
	{
		if (!rel.cols[i].shown() || !w2j_in_pk(rel, i))
			continue;
		if (!first)
			appendStringInfo(out, ",%s", p.sp);
		first = false;
		appendStringInfoString(out, rel.cols[i].name_json);
	}
	appendStringInfo(out, "],%s", p.nl);
	w2j_repeat(out, p.ht, 4);
	appendStringInfo(out, "\"pktypes\":%s[", p.sp);
	first = true;
	for (int i = 0; o.include_types && i < rel.natts; i++)
	{
		if (!rel.cols[i].shown() || !w2j_in_pk(rel, i))
			continue;
		if (!first)
			appendStringInfo(out, ",%s", p.sp);
		first = false;
		appendStringInfoString(out, w.cols[i].type_json);
	}
	appendStringInfo(out, "]%s", p.nl);
	w2j_repeat(out, p.ht, 3);
	appendStringInfo(out, "}%s%s", addcomma ? "," : "", p.nl);
}

void
Wal2jsonV1::row(Session &s, const RowChange &c)
{
	const Options &o = s.opts;
	Pretty p(o);
	const RelInfo &rel = *c.rel;
	LeftOutColumns oversized{rel.oversized, rel.natts}; /* values this change leaves out */
	const bool insert = c.op == Op::Insert || c.op == Op::Read;
	bool with_pk = o.include_pk && rel.has_pk;
	StringInfo out;
	std::string_view kind = op_name(c.op == Op::Read && o.reads_as_inserts ? Op::Insert : c.op);

	/* What wal2json skips, with its warnings. */
	if (!insert && !rel.has_ri && rel.replident != REPLICA_IDENTITY_FULL)
	{
		elog(WARNING, "table \"%s\" without primary key or replica identity is nothing", rel.table);
		return;
	}
	if (c.op != Op::Delete && c.newtuple == NULL)
	{
		elog(WARNING, "no tuple data for %s in table \"%s\"", insert ? "INSERT" : "UPDATE", rel.table);
		return;
	}
	if (c.op == Op::Delete && c.oldtuple == NULL)
	{
		elog(WARNING, "no tuple data for DELETE in table \"%s\"", c.rel->table);
		return;
	}

	s.ensure_begin();
	nchanges_++;
	out = open_piece(s, o.write_in_chunks);
	if (!o.write_in_chunks)
		appendStringInfoString(out, p.nl);
	w2j_repeat(out, p.ht, 2);
	if (nchanges_ > 1)
		appendStringInfoChar(out, ',');
	appendStringInfo(out, "{%s", p.nl);
	w2j_repeat(out, p.ht, 3);
	appendStringInfo(out, "\"kind\":%s\"%.*s\",%s", p.sp, static_cast<int>(kind.size()), kind.data(), p.nl);
	if (o.include_schemas)
	{
		w2j_repeat(out, p.ht, 3);
		appendStringInfo(out, "\"schema\":%s%s,%s", p.sp, c.rel->schema_json, p.nl);
	}
	w2j_repeat(out, p.ht, 3);
	appendStringInfo(out, "\"table\":%s%s,%s", p.sp, c.rel->table_json, p.nl);

	if (insert)
	{
		tuple(s, out, c, c.newrow, oversized, false, false, with_pk);
		if (with_pk)
			pk(s, out, c, false);
	}
	else if (c.op == Op::Update)
	{
		tuple(s, out, c, c.newrow, oversized, false, false, true);
		if (with_pk)
			pk(s, out, c, true);
		/* The old tuple when logged (key change, FULL), else the identity columns of the new one. */
		if (c.oldtuple != NULL)
			tuple(s, out, c, c.oldrow, oversized, true, false, false);
		else
			tuple(s, out, c, c.newrow, oversized, true, true, false);
	}
	else
	{
		if (with_pk)
			pk(s, out, c, true);
		tuple(s, out, c, c.oldrow, oversized, true, true, false);
	}
	if (unlikely(oversized.count > 0))
	{
		/* Columns whose values were left out (max-value-bytes; oversize.h), as
		 * one more member: the last one ended with a newline (pretty-print). */
		out->len -= static_cast<int>(strlen(p.nl));
		appendStringInfo(out, ",%s", p.nl);
		w2j_repeat(out, p.ht, 3);
		appendStringInfo(out, "\"oversized\":%s[", p.sp);
		relcache_append_names(out, rel, oversized.flags, p.sep);
		appendStringInfo(out, "]%s", p.nl);
	}
	w2j_repeat(out, p.ht, 2);
	appendStringInfoChar(out, '}');
	close_piece(s, out, o.write_in_chunks);
}

void
Wal2jsonV1::message(Session &s, const MessageRecord &m)
{
	const Options &o = s.opts;
	Pretty p(o);
	bool own_write = o.write_in_chunks || !m.transactional;
	StringInfo out;

	if (m.transactional)
	{
		s.ensure_begin();
		nchanges_++;
	}
	out = open_piece(s, own_write);
	if (!o.write_in_chunks && m.transactional)
		appendStringInfoString(out, p.nl);
	/* A non-transactional message is a document of its own (wal2json 2.6). */
	if (!m.transactional)
		appendStringInfo(out, "{%s%s\"change\":%s[%s", p.nl, p.ht, p.sp, p.nl);
	w2j_repeat(out, p.ht, 2);
	if (m.transactional && nchanges_ > 1)
		appendStringInfoChar(out, ',');
	appendStringInfo(out, "{%s", p.nl);
	w2j_repeat(out, p.ht, 3);
	appendStringInfo(out, "\"kind\":%s\"message\",%s", p.sp, p.nl);
	w2j_repeat(out, p.ht, 3);
	appendStringInfo(out, "\"transactional\":%s%s,%s", p.sp, m.transactional ? "true" : "false", p.nl);
	w2j_repeat(out, p.ht, 3);
	appendStringInfo(out, "\"prefix\":%s", p.sp);
	append_json_cstring(out, m.prefix);
	appendStringInfo(out, ",%s", p.nl);
	w2j_repeat(out, p.ht, 3);

	/* Content too large to send (oversize.h): an ERROR, or left out with max-value-bytes. */
	const int64 allowed = content_allowed(o.max_value_bytes, out->len, strlen(m.prefix)); /* see tuple() */
	Size bytes;

	if (text_json_fits(m.content, m.size, allowed, &bytes))
	{
		appendStringInfo(out, "\"content\":%s", p.sp);
		/* The whole content, NUL bytes included (wal2json stops at the first NUL). */
		append_json_string(out, m.content, m.size);
	}
	else
	{
		if (o.max_value_bytes == 0)
			error_content_too_large(m.prefix, m.lsn, bytes, allowed);
		appendStringInfo(out, "\"oversized\":%s[\"content\"]", p.sp);
		warn_content_left_out(m.prefix, m.lsn, bytes, allowed, allowed == o.max_value_bytes);
	}
	appendStringInfoString(out, p.nl);
	w2j_repeat(out, p.ht, 2);
	appendStringInfoChar(out, '}');
	if (!m.transactional)
		appendStringInfo(out, "%s%s]%s}", p.nl, p.ht, p.nl);
	close_piece(s, out, own_write);
}

} // namespace

Format *
make_wal2json_v1_format()
{
	return new Wal2jsonV1();
}

} // namespace outflow
