/*
 * format_wal2json.cpp: what wal2json's format-version 1 and 2 share.
 *
 * Per relation (build_relation, once, in rel.cxt): the type name each format
 * prints, defaults and prepared bytes (the columns, primary key and replica
 * identity are relcache's). Values are written by the rendering core in its wal2json style (value_render.h: the
 * output function's text under the session's settings, as wal2json calls
 * it, then wal2json's JSON classification), through each column's renderer.
 *
 * Where wal2json 2.6 writes invalid JSON we write valid JSON and otherwise
 * the same bytes:
 * - a type name that format_type quotes is printed raw by wal2json; we print
 *   it raw only when it is a valid JSON string by itself (the usual
 *   "MyType"), otherwise escaped as a whole (schema-qualified or with a
 *   typmod or an embedded quote);
 * - default expressions are escaped;
 * - bytea: see value_scalars.cpp (append_bytea_output).
 */
#include <cstring>
#include <string>

#include "error.h"
#include "format_wal2json.h"
#include "options.h"
#include "pg_text.h"
#include "relcache.h"
#include "session.h"
#include "value_render.h"

extern "C" {
#include "utils/syscache.h"
#include "utils/timestamp.h"
}

namespace outflow {

namespace {

/* The type name as a JSON token: raw if format_type already gave a valid JSON string. */
const char *
type_token(const char *type_str)
{
	size_t len = strlen(type_str);
	bool raw = len >= 2 && type_str[0] == '"' && type_str[len - 1] == '"';
	StringInfoData buf;

	for (size_t i = 1; raw && i + 1 < len; i++)
	{
		unsigned char c = static_cast<unsigned char>(type_str[i]);

		if (c == '"' || c == '\\' || c < 0x20)
			raw = false;
	}
	if (raw)
		return pstrdup(type_str);
	initStringInfo(&buf);
	append_json_cstring(&buf, type_str);
	return buf.data;
}

/* The unqualified pg_type.typname of typid. */
char *
type_name(Oid typid)
{
	HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	char *name;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for type %u", typid);
	name = pstrdup(NameStr(reinterpret_cast<Form_pg_type>(GETSTRUCT(tup))->typname));
	ReleaseSysCache(tup);
	return name;
}

/* The default of column attnum as a JSON token ("expr" or null). */
const char *
default_token(Relation relation, Form_pg_attribute attr)
{
	TupleConstr *constr = RelationGetDescr(relation)->constr;
	StringInfoData buf;

	if (!attr->atthasdef || attr->attgenerated != '\0' || constr == NULL)
		return "null";
	for (int i = 0; i < constr->num_defval; i++)
	{
		if (constr->defval[i].adnum != attr->attnum || constr->defval[i].adbin == NULL)
			continue;
		Datum expr = DirectFunctionCall2(pg_get_expr, CStringGetTextDatum(constr->defval[i].adbin),
										 ObjectIdGetDatum(RelationGetRelid(relation)));

		initStringInfo(&buf);
		append_json_cstring(&buf, TextDatumGetCString(expr));
		return buf.data;
	}
	return "null";
}

} // namespace

void
w2j_build_relation(Session &s, RelInfo &rel, Relation relation, int version)
{
	const Options &opts = s.opts;
	TupleDesc desc = RelationGetDescr(relation);
	MemoryContext old;
	W2jRel *w;

	old = MemoryContextSwitchTo(rel.cxt);
	w = static_cast<W2jRel *>(palloc0(sizeof(W2jRel)));

	w->cols = static_cast<W2jCol *>(palloc0(sizeof(W2jCol) * (desc->natts + 1)));
	w->left_out = static_cast<bool *>(palloc0(sizeof(bool) * (desc->natts + 1)));
	w->tail_reserve = 1024 * 1024; /* pk object, oversized list, pretty-print whitespace, key values */

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		W2jCol &col = w->cols[i];
		Oid shown = attr->atttypid;
		char *type_str = NULL;
		HeapTuple tup;
		Form_pg_type typ;

		if (!rel.cols[i].shown()) /* dropped, or left out by column lists */
			continue;

		tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(attr->atttypid));
		if (!HeapTupleIsValid(tup))
			elog(ERROR, "cache lookup failed for type %u", attr->atttypid);
		typ = reinterpret_cast<Form_pg_type>(GETSTRUCT(tup));
		bool replace_domain = typ->typtype == TYPTYPE_DOMAIN && opts.include_domain_data_type;
		Oid basetype = typ->typbasetype;
		int32 basetypmod = typ->typtypmod;
		ReleaseSysCache(tup);

		if (version == 1)
		{
			/* Format 1 swaps in the domain's base type only while printing types,
			 * and then also prints and classifies by the base type. */
			if (opts.include_types)
			{
				if (replace_domain)
				{
					shown = basetype;
					type_str = opts.include_typmod ? format_type_with_typemod(basetype, basetypmod)
												   : type_name(basetype);
				}
				else
					type_str = opts.include_typmod ? format_type_with_typemod(attr->atttypid, attr->atttypmod)
												   : type_name(attr->atttypid);
			}
		}
		else
		{
			/* Format 2 always prints the typmod and classifies by the column's type. */
			if (replace_domain)
				type_str = format_type_with_typemod(basetype, basetypmod);
			else
				type_str = format_type_with_typemod(attr->atttypid, attr->atttypmod);
		}
		col.shown_typid = shown;
		col.type_json = type_str ? type_token(type_str) : "\"\"";
		col.type_json_len = static_cast<int>(strlen(col.type_json));

		col.default_json = opts.include_default ? default_token(relation, attr) : "null";

		if (version == 2)
		{
			/* What format 2 writes before each value of this column, built once
			 * (without its ,"value": also the column's "pk" element). */
			StringInfoData prefix;

			initStringInfo(&prefix);
			appendStringInfoString(&prefix, "{\"name\":");
			appendBinaryStringInfo(&prefix, rel.cols[i].name_json, rel.cols[i].name_json_len);
			if (opts.include_types)
			{
				appendStringInfoString(&prefix, ",\"type\":");
				appendBinaryStringInfo(&prefix, col.type_json, col.type_json_len);
			}
			if (opts.include_type_oids)
				appendStringInfo(&prefix, ",\"typeoid\":%d", static_cast<int>(rel.cols[i].typid));
			appendStringInfoString(&prefix, ",\"value\":");
			col.v2_value_prefix = prefix.data;
			col.v2_value_prefix_len = prefix.len;
		}
		/* What the value checks do not count (oversize.h): each column's names,
		 * types, defaults and prefixes in both tuples, and fixed-length values,
		 * which are not checked (at most 4 kB each, in each tuple and the pk). */
		w->tail_reserve += 2 * (rel.cols[i].name_json_len + col.type_json_len + col.v2_value_prefix_len +
								static_cast<int64>(strlen(col.default_json)) + 96) +
						   (rel.cols[i].varlena ? 0 : 3 * 4096);
	}

	if (version == 2)
	{
		/* What format 2 writes after a row's transaction fields and lsn, built once. */
		StringInfoData part;

		initStringInfo(&part);
		if (opts.include_schemas)
		{
			appendStringInfoString(&part, ",\"schema\":");
			appendStringInfoString(&part, rel.schema_json);
		}
		appendStringInfoString(&part, ",\"table\":");
		appendStringInfoString(&part, rel.table_json);
		w->v2_table_part = part.data;
		w->v2_table_part_len = part.len;
	}

	rel.format_private = w;
	MemoryContextSwitchTo(old);
}

namespace {

/* The key of row (a tuple of c) as {"col":value,...}, for messages (slow path only). */
StringInfo
w2j_key_json(Session &s, const RowChange &c, const RowImage &row)
{
	StringInfo key = makeStringInfo();
	bool first = true;

	appendStringInfoChar(key, '{');
	for (int i = 0; i < c.rel->natts; i++)
	{
		const ColumnInfo &col = c.rel->cols[i];

		if (!col.shown() || !w2j_is_key(*c.rel, i))
			continue;
		if (!first)
			appendStringInfoChar(key, ',');
		first = false;
		appendBinaryStringInfo(key, c.rel->cols[i].name_json, c.rel->cols[i].name_json_len);
		appendStringInfoChar(key, ':');
		if (row.nulls[i])
			append_lit(key, "null");
		else if (unchanged_toast(col, row, i))
			append_lit(key, "\"(unchanged)\"");
		else if (col.varlena && varlena_raw_size(row.values[i]) > 1024)
			append_lit(key, "\"(long)\"");
		else
			append_value(s, key, col.renderer, row.values[i]);
	}
	appendStringInfoChar(key, '}');
	return key;
}

} // namespace

bool
w2j_write_value_checked(Session &s, const RowChange &c, StringInfo out, const ValueRoom &room,
						LeftOutColumns &oversized, const RowImage &row, int i)
{
	const ColumnInfo &col = c.rel->cols[i];
	const Datum value = row.values[i];
	const bool key = w2j_is_key(*c.rel, i);
	const bool option = room.max_value != kNoMaxValue;
	const int start = out->len;
	const int64 allowed = value_allowed(room, out, key);
	const int64 hard = room.end - start;
	bool exact = false;
	/* Without the option, an output function is called as wal2json calls it;
	 * with it, only when its text is surely below the 1 GB limit (a larger
	 * one would fail inside the function and block the slot). */
	Size raw = col.varlena ? varlena_raw_size(value) : 0;
	Size bytes = col.varlena ? value_json_size(s, col.renderer, value, raw,
											   !option || raw_surely_fits(raw, kRecordLimit), &exact)
							 : kBoundSlack;
	Fit fit = decide_fit(bytes, exact, allowed, hard);

	if (write_fitted(out, fit, allowed, &bytes, &exact,
					 [&](StringInfo o) { append_value(s, o, col.renderer, value); }))
		return true;

	StringInfo key_json = w2j_key_json(s, c, row);
	LeftOut what{c.rel->schema,
				 c.rel->table,
				 NameStr(TupleDescAttr(RelationGetDescr(c.relation), i)->attname),
				 key_json->data,
				 key_json->len,
				 bytes,
				 exact,
				 allowed,
				 option && !key && allowed == room.max_value};

	if (key)
		error_key_too_large(what);
	if (!option)
		error_value_too_large(what);
	oversized.add(i);
	warn_left_out(what);
	return false;
}

ValueRoom
w2j_room(const Session &s, const W2jRel &w, int64 base)
{
	return value_room(kRecordLimit - w.tail_reserve - base, s.opts.max_value_bytes);
}

void
w2j_append_commit_time(StringInfo out, ReorderBufferTXN *txn)
{
	TimestampTz t = OUTFLOW_COMMIT_TIME(txn);
	appendStringInfoChar(out, '"');
	appendStringInfoString(out, timestamptz_to_str(t));
	appendStringInfoChar(out, '"');
}

Format *
make_wal2json_format(int version)
{
	if (version == 1)
		return make_wal2json_v1_format();
	if (version == 2)
		return make_wal2json_v2_format();
	throw Error(kFeatureNotSupported, "wal2json format-version " + std::to_string(version) + " is not supported",
				{}, "Use format-version 1 or 2.");
}

} // namespace outflow
