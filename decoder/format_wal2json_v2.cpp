/*
 * format_wal2json_v2.cpp: wal2json's format-version 2, byte for byte as
 * wal2json 2.6 writes it: one JSON object per output row, "action" B, I, U,
 * D, T, M, C. pretty-print and write-in-chunks do not apply to format 2.
 */
#include "format_wal2json.h"
#include "pg_text.h"
#include "relcache.h"
#include "session.h"

namespace outflow {

namespace {

/* Which part of a change a tuple is written for. */
enum class Part
{
	Change,	  /* "columns": values and all column metadata */
	Identity, /* "identity": replica identity columns (all without an index) */
	Pk		  /* "pk": primary key names and types, no values */
};

class Wal2jsonV2 final : public Wal2jsonFormat<2>
{
public:
	void begin(Session &s, ReorderBufferTXN *txn) override;
	void commit(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) override;
	void row(Session &s, const RowChange &change) override;
	void truncate(Session &s, const TruncateRecord &t) override;
	void message(Session &s, const MessageRecord &m) override;
};

/* ,"xid":..,"timestamp":..,"origin":.. of a transaction, as the options ask. */
void
txn_fields(const Options &o, StringInfo out, ReorderBufferTXN *txn)
{
	if (o.include_xids)
		appendStringInfo(out, ",\"xid\":%u", txn->xid);
	if (o.include_timestamp)
	{
		append_lit(out, ",\"timestamp\":");
		w2j_append_commit_time(out, txn);
	}
	if (o.include_origin)
		appendStringInfo(out, ",\"origin\":%u", txn->origin_id);
}

void
lsn_field(StringInfo out, const char *name, XLogRecPtr lsn)
{
	append_lit(out, ",\"");
	appendStringInfoString(out, name);
	append_lit(out, "\":");
	append_lsn_quoted(out, lsn);
}

/* A "B" or "C" record: the transaction's fields, and with include-lsn its lsn and nextlsn. */
void
txn_record(Session &s, ReorderBufferTXN *txn, char action, XLogRecPtr lsn)
{
	const Options &o = s.opts;
	StringInfo out;

	if (!o.include_transaction)
		return;
	OutputPluginPrepareWrite(s.ctx, true);
	out = s.ctx->out;
	append_lit(out, "{\"action\":\"");
	append_char(out, action);
	append_char(out, '"');
	txn_fields(o, out, txn);
	if (o.include_lsn)
	{
		lsn_field(out, "lsn", lsn);
		lsn_field(out, "nextlsn", txn->end_lsn);
	}
	appendStringInfoChar(out, '}');
	OutputPluginWrite(s.ctx, true);
}

/* {"action":"B",...}: written only with include-transaction (on by default). */
void
Wal2jsonV2::begin(Session &s, ReorderBufferTXN *txn)
{
	txn_record(s, txn, 'B', txn->final_lsn);
}

/* {"action":"C",...}: the same, at the commit. */
void
Wal2jsonV2::commit(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	txn_record(s, txn, 'C', commit_lsn);
}

/* ,"optional":..,"position":..,"default":.. of a column of "columns", as the options ask. */
void
write_change_extras(const Options &o, StringInfo out, const ColumnInfo &col, const W2jCol &w2j)
{
	if (o.include_not_null)
	{
		if (col.not_null)
			append_lit(out, ",\"optional\":false");
		else
			append_lit(out, ",\"optional\":true");
	}
	if (o.include_column_positions)
		appendStringInfo(out, ",\"position\":%d", col.attnum);
	if (o.include_default)
	{
		append_lit(out, ",\"default\":");
		appendStringInfoString(out, w2j.default_json);
	}
}

/* The length of the ,"value": that ends every W2jCol::v2_value_prefix. */
constexpr int kValueKeyLen = sizeof(",\"value\":") - 1;

/* The elements of "columns", "identity" or "pk" for one tuple. A value too
 * large to send leaves its whole element out (w2j_write_value). */
void
write_tuple(Session &s, StringInfo out, const RowChange &c, const RowImage &row, Part part, const ValueRoom &room,
			LeftOutColumns &oversized)
{
	const Options &o = s.opts;
	W2jRel &w = w2j_rel(c.rel);
	const RelInfo &rel = *c.rel;
	bool need_sep = false;

	for (int i = 0; i < rel.natts; i++)
	{
		W2jCol &col = w.cols[i];

		if (!rel.cols[i].shown())
			continue;
		if (part == Part::Identity && !w2j_in_identity(rel, i))
			continue;
		if (part == Part::Pk && !w2j_in_pk(rel, i))
			continue;
		/* An unchanged TOAST value is left out entirely. */
		if (unchanged_toast(rel.cols[i], row, i))
			continue;

		const int before = out->len;
		const bool had_sep = need_sep;

		if (need_sep)
			append_char(out, ',');
		need_sep = true;
		if (part != Part::Pk)
		{
			/* {"name":..,"type":..,"typeoid":..,"value": prepared by w2j_build_relation. */
			append_bytes(out, col.v2_value_prefix, col.v2_value_prefix_len);
			if (row.nulls[i])
				append_lit(out, "null");
			else if (!w2j_write_value(s, c, out, room, oversized, row, i))
			{
				out->len = before; /* the element goes, with its separator */
				out->data[before] = '\0';
				need_sep = had_sep;
				continue;
			}
			if (part == Part::Change)
				write_change_extras(o, out, rel.cols[i], col);
			append_char(out, '}');
			continue;
		}
		/* "pk": names and types only, the same prefix without its ,"value": */
		append_bytes(out, col.v2_value_prefix, col.v2_value_prefix_len - kValueKeyLen);
		append_char(out, '}');
	}
}

void
Wal2jsonV2::row(Session &s, const RowChange &c)
{
	const Options &o = s.opts;
	W2jRel &w = w2j_rel(c.rel);
	const RelInfo &rel = *c.rel;
	const ValueRoom room = w2j_room(s, w, 0);
	LeftOutColumns oversized{rel.oversized, rel.natts}; /* values this change leaves out */
	const bool insert = c.op == Op::Insert || c.op == Op::Read;
	StringInfo out;

	/* What wal2json skips, with its warnings. */
	if (c.op != Op::Delete && c.newtuple == NULL)
	{
		elog(WARNING, "no tuple data for %s in table \"%s\".\"%s\"", insert ? "INSERT" : "UPDATE",
			 rel.schema, rel.table);
		return;
	}
	if (!insert && c.oldtuple == NULL && !rel.has_ri && rel.replident != REPLICA_IDENTITY_FULL)
	{
		elog(WARNING, "no tuple identifier for %s in table \"%s\".\"%s\"", c.op == Op::Update ? "UPDATE" : "DELETE",
			 rel.schema, rel.table);
		return;
	}

	s.ensure_begin();
	OutputPluginPrepareWrite(s.ctx, true);
	out = s.ctx->out;
	append_lit(out, "{\"action\":\"");
	append_char(out, op_letter(c.op == Op::Read && o.reads_as_inserts ? Op::Insert : c.op));
	append_char(out, '"');
	txn_fields(o, out, c.txn);
	if (o.include_lsn)
		lsn_field(out, "lsn", c.change->lsn);
	append_bytes(out, w.v2_table_part, w.v2_table_part_len); /* ,"schema":..,"table":.. */

	if (c.newtuple != NULL)
	{
		append_lit(out, ",\"columns\":[");
		write_tuple(s, out, c, c.newrow, Part::Change, room, oversized);
		append_char(out, ']');
	}
	if (c.oldtuple != NULL)
	{
		append_lit(out, ",\"identity\":[");
		write_tuple(s, out, c, c.oldrow, Part::Identity, room, oversized);
		append_char(out, ']');
	}
	else if (c.op == Op::Update && (rel.has_pk || rel.has_ri))
	{
		/* The key did not change: the identity is in the new tuple. */
		append_lit(out, ",\"identity\":[");
		write_tuple(s, out, c, c.newrow, Part::Identity, room, oversized);
		appendStringInfoChar(out, ']');
	}
	else if (!insert)
		elog(WARNING, "no old tuple data for %s in table \"%s\".\"%s\"", c.op == Op::Update ? "UPDATE" : "DELETE",
			 rel.schema, rel.table);
	if (o.include_pk)
	{
		append_lit(out, ",\"pk\":[");
		if (rel.has_pk)
			write_tuple(s, out, c, c.oldtuple != NULL ? c.oldrow : c.newrow, Part::Pk, room, oversized);
		appendStringInfoChar(out, ']');
	}
	if (unlikely(oversized.count > 0))
	{
		/* Columns whose values were left out (max-value-bytes; oversize.h). */
		append_lit(out, ",\"oversized\":[");
		relcache_append_names(out, rel, oversized.flags, ",");
		append_char(out, ']');
	}
	appendStringInfoChar(out, '}');
	OutputPluginWrite(s.ctx, true);
}

void
Wal2jsonV2::truncate(Session &s, const TruncateRecord &t)
{
	const Options &o = s.opts;

	s.ensure_begin();
	for (int i = 0; i < t.nrels; i++)
	{
		StringInfo out;

		OutputPluginPrepareWrite(s.ctx, true);
		out = s.ctx->out;
		append_lit(out, "{\"action\":\"T\"");
		txn_fields(o, out, t.txn);
		if (o.include_lsn)
			lsn_field(out, "lsn", t.change->lsn);
		if (o.include_schemas)
		{
			append_lit(out, ",\"schema\":");
			appendStringInfoString(out, t.rels[i]->schema_json);
		}
		append_lit(out, ",\"table\":");
		appendStringInfoString(out, t.rels[i]->table_json);
		appendStringInfoChar(out, '}');
		OutputPluginWrite(s.ctx, true);
	}
}

void
Wal2jsonV2::message(Session &s, const MessageRecord &m)
{
	const Options &o = s.opts;
	StringInfo out;

	if (m.transactional)
		s.ensure_begin();
	OutputPluginPrepareWrite(s.ctx, true);
	out = s.ctx->out;
	append_lit(out, "{\"action\":\"M\"");
	if (m.transactional)
		txn_fields(o, out, m.txn);
	else
	{
		/* A non-transactional message may have no transaction: null fields. */
		if (o.include_xids)
			append_lit(out, ",\"xid\":null");
		if (o.include_timestamp)
			append_lit(out, ",\"timestamp\":null");
		if (o.include_origin)
			append_lit(out, ",\"origin\":null");
	}
	if (o.include_lsn)
		lsn_field(out, "lsn", m.lsn);
	if (m.transactional)
		append_lit(out, ",\"transactional\":true");
	else
		append_lit(out, ",\"transactional\":false");
	append_lit(out, ",\"prefix\":");
	append_json_cstring(out, m.prefix);

	/* Content too large to send (oversize.h): an ERROR, or left out with max-value-bytes. */
	const int64 allowed = content_allowed(o.max_value_bytes, out->len, strlen(m.prefix));
	Size bytes;

	if (!text_json_fits(m.content, m.size, allowed, &bytes))
	{
		if (o.max_value_bytes == 0)
			error_content_too_large(m.prefix, m.lsn, bytes, allowed);
		append_lit(out, ",\"oversized\":[\"content\"]}");
		OutputPluginWrite(s.ctx, true);
		warn_content_left_out(m.prefix, m.lsn, bytes, allowed, allowed == o.max_value_bytes);
		return;
	}
	append_lit(out, ",\"content\":");
	/* The whole content, NUL bytes included (wal2json stops at the first NUL). */
	append_json_string(out, m.content, m.size);
	appendStringInfoChar(out, '}');
	OutputPluginWrite(s.ctx, true);
}

} // namespace

Format *
make_wal2json_v2_format()
{
	return new Wal2jsonV2();
}

} // namespace outflow
