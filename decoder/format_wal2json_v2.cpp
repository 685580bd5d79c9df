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

class Wal2jsonV2 final : public Format
{
public:
	void build_relation(Session &s, RelInfo &rel, Relation relation) override
	{
		w2j_build_relation(s, rel, relation, 2);
	}

	void begin(Session &s, ReorderBufferTXN *txn) override;
	void commit(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) override;
	void row(Session &s, const RowChange &change) override;
	void truncate(Session &s, ReorderBufferTXN *txn, int nrels, Relation *relations, RelInfo **rels,
				  ReorderBufferChange *change, uint64 first_seq) override;
	void message(Session &s, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional, const char *prefix,
				 Size size, const char *content, uint64 seq) override;
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
write_change_extras(const Options &o, StringInfo out, const W2jCol &col)
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
		appendStringInfoString(out, col.default_json);
	}
}

/* The elements of "columns", "identity" or "pk" for one tuple. A value too
 * large to send leaves its whole element out (w2j_write_value). */
void
write_tuple(Session &s, StringInfo out, const RowChange &c, HeapTuple tup, Part part, const ValueRoom &room)
{
	const Options &o = s.opts;
	W2jRel &w = w2j_rel(c.rel);
	bool need_sep = false;

	w2j_deform(w, c, tup);

	for (int i = 0; i < w.natts; i++)
	{
		W2jCol &col = w.cols[i];

		if (col.skip)
			continue;
		if (part == Part::Identity && !w.ri_all && !col.in_ri)
			continue;
		if (part == Part::Pk && !w.pk_all && !col.in_pk)
			continue;
		/* An unchanged TOAST value is left out entirely. */
		if (!w.nulls[i] && w2j_unchanged_toast(col, w.values[i]))
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
			if (w.nulls[i])
				append_lit(out, "null");
			else if (!w2j_write_value(s, c, out, room, i, w.values[i]))
			{
				out->len = before; /* the element goes, with its separator */
				out->data[before] = '\0';
				need_sep = had_sep;
				continue;
			}
			if (part == Part::Change)
				write_change_extras(o, out, col);
			append_char(out, '}');
			continue;
		}
		append_lit(out, "{\"name\":");
		append_bytes(out, c.rel->cols[i].name_json, c.rel->cols[i].name_json_len);
		if (o.include_types)
		{
			append_lit(out, ",\"type\":");
			append_bytes(out, col.type_json, col.type_json_len);
		}
		if (o.include_type_oids)
			appendStringInfo(out, ",\"typeoid\":%d", static_cast<int>(col.typid));
		append_char(out, '}'); /* "pk": names and types only */
	}
}

void
Wal2jsonV2::row(Session &s, const RowChange &c)
{
	const Options &o = s.opts;
	W2jRel &w = w2j_row_rel(c);
	const ValueRoom room = w2j_room(s, w, 0);
	StringInfo out;

	/* What wal2json skips, with its warnings. */
	if (c.op != 'D' && c.newtuple == NULL)
	{
		elog(WARNING, "no tuple data for %s in table \"%s\".\"%s\"", c.op == 'I' ? "INSERT" : "UPDATE",
			 c.rel->schema, c.rel->table);
		return;
	}
	if (c.op != 'I' && c.oldtuple == NULL && !w.has_ri && !w.full)
	{
		elog(WARNING, "no tuple identifier for %s in table \"%s\".\"%s\"", c.op == 'U' ? "UPDATE" : "DELETE",
			 c.rel->schema, c.rel->table);
		return;
	}

	s.ensure_begin();
	OutputPluginPrepareWrite(s.ctx, true);
	out = s.ctx->out;
	if (c.read && !o.reads_as_inserts)
		append_lit(out, "{\"action\":\"R\"");
	else if (c.op == 'I')
		append_lit(out, "{\"action\":\"I\"");
	else if (c.op == 'U')
		append_lit(out, "{\"action\":\"U\"");
	else
		append_lit(out, "{\"action\":\"D\"");
	txn_fields(o, out, c.txn);
	if (o.include_lsn)
		lsn_field(out, "lsn", c.change->lsn);
	append_bytes(out, w.v2_table_part, w.v2_table_part_len); /* ,"schema":..,"table":.. */

	if (c.newtuple != NULL)
	{
		append_lit(out, ",\"columns\":[");
		write_tuple(s, out, c, c.newtuple, Part::Change, room);
		append_char(out, ']');
	}
	if (c.oldtuple != NULL)
	{
		append_lit(out, ",\"identity\":[");
		write_tuple(s, out, c, c.oldtuple, Part::Identity, room);
		append_char(out, ']');
	}
	else if (c.op == 'U' && (w.has_pk || w.has_ri))
	{
		/* The key did not change: the identity is in the new tuple. */
		append_lit(out, ",\"identity\":[");
		write_tuple(s, out, c, c.newtuple, Part::Identity, room);
		appendStringInfoChar(out, ']');
	}
	else if (c.op != 'I')
		elog(WARNING, "no old tuple data for %s in table \"%s\".\"%s\"", c.op == 'U' ? "UPDATE" : "DELETE",
			 c.rel->schema, c.rel->table);
	if (o.include_pk)
	{
		append_lit(out, ",\"pk\":[");
		if (w.has_pk)
			write_tuple(s, out, c, c.oldtuple != NULL ? c.oldtuple : c.newtuple, Part::Pk, room);
		appendStringInfoChar(out, ']');
	}
	if (unlikely(w.noversized > 0))
	{
		/* Columns whose values were left out (max-value-bytes; oversize.h). */
		append_lit(out, ",\"oversized\":[");
		w2j_append_oversized(out, c, ",");
		append_char(out, ']');
	}
	appendStringInfoChar(out, '}');
	OutputPluginWrite(s.ctx, true);
}

void
Wal2jsonV2::truncate(Session &s, ReorderBufferTXN *txn, int nrels, Relation *, RelInfo **rels,
					 ReorderBufferChange *change, uint64)
{
	const Options &o = s.opts;

	s.ensure_begin();
	for (int i = 0; i < nrels; i++)
	{
		StringInfo out;

		OutputPluginPrepareWrite(s.ctx, true);
		out = s.ctx->out;
		append_lit(out, "{\"action\":\"T\"");
		txn_fields(o, out, txn);
		if (o.include_lsn)
			lsn_field(out, "lsn", change->lsn);
		if (o.include_schemas)
		{
			append_lit(out, ",\"schema\":");
			appendStringInfoString(out, rels[i]->schema_json);
		}
		append_lit(out, ",\"table\":");
		appendStringInfoString(out, rels[i]->table_json);
		appendStringInfoChar(out, '}');
		OutputPluginWrite(s.ctx, true);
	}
}

void
Wal2jsonV2::message(Session &s, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional, const char *prefix,
					Size size, const char *content, uint64)
{
	const Options &o = s.opts;
	StringInfo out;

	if (transactional)
		s.ensure_begin();
	OutputPluginPrepareWrite(s.ctx, true);
	out = s.ctx->out;
	append_lit(out, "{\"action\":\"M\"");
	if (transactional)
		txn_fields(o, out, txn);
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
		lsn_field(out, "lsn", lsn);
	if (transactional)
		append_lit(out, ",\"transactional\":true");
	else
		append_lit(out, ",\"transactional\":false");
	append_lit(out, ",\"prefix\":");
	append_json_cstring(out, prefix);

	/* Content too large to send (oversize.h): an ERROR, or left out with max-value-bytes. */
	const int64 allowed = content_allowed(o.max_value_bytes, out->len, strlen(prefix));
	Size bytes;

	if (!text_json_fits(content, size, allowed, &bytes))
	{
		if (o.max_value_bytes == 0)
			error_content_too_large(prefix, lsn, bytes, allowed);
		append_lit(out, ",\"oversized\":[\"content\"]}");
		OutputPluginWrite(s.ctx, true);
		warn_content_left_out(prefix, lsn, bytes, allowed, allowed == o.max_value_bytes);
		return;
	}
	append_lit(out, ",\"content\":");
	/* The whole content, NUL bytes included (wal2json stops at the first NUL). */
	append_json_string(out, content, size);
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
