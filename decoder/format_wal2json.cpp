/*
 * format_wal2json.cpp: what wal2json's format-version 1 and 2 share.
 *
 * Per relation (build_relation, once, in rel.cxt): the type name each format
 * prints, how values are classified, the output function, primary key and
 * replica identity columns, defaults. Per value: the type's output function
 * under the session's settings (DateStyle, TimeZone, extra_float_digits,
 * bytea_output), as wal2json does, then wal2json's JSON classification.
 *
 * Where wal2json 2.6 writes invalid JSON we write valid JSON and otherwise
 * the same bytes:
 * - a type name that format_type quotes is printed raw by wal2json; we print
 *   it raw only when it is a valid JSON string by itself (the usual
 *   "MyType"), otherwise escaped as a whole (schema-qualified or with a
 *   typmod or an embedded quote);
 * - default expressions are escaped;
 * - bytea: wal2json drops the first two bytes of the output, assuming "\x";
 *   with bytea_output = escape that corrupts the value, so we drop "\x" only
 *   when it is there and print escape-format output whole.
 */
#include <cmath>
#include <cstring>
#include <string>

#include "format_wal2json.h"
#include "pg_text_jsonb.h"
#include "options.h"
#include "pg_text.h"
#include "relcache.h"
#include "pg_text_numeric.h"
#include "session.h"
#include "pg_text_format.h"

extern "C" {
#include "access/detoast.h"
#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/bytea.h"
#include "utils/arrayaccess.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/float.h"
#include "utils/fmgroids.h"
#include "utils/uuid.h"
#include "utils/relcache.h"
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

W2jKind
kind_of(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return W2jKind::Number;
		case BOOLOID:
			return W2jKind::Bool;
		case BYTEAOID:
			return W2jKind::Bytea;
		default:
			return W2jKind::Text;
	}
}

/*
 * Marks the key columns of an index in cols (through the flag at member);
 * returns false if the index cannot be opened under the current snapshot,
 * in which case wal2json uses every column.
 */
bool
mark_index_columns(W2jCol *cols, int natts, Oid indexoid, bool W2jCol::*member)
{
	Relation index = RelationIdGetRelation(indexoid);

	if (index == NULL)
		return false;
	for (int i = 0; i < IndexRelationGetNumberOfKeyAttributes(index); i++)
	{
		int attnum = index->rd_index->indkey.values[i];

		if (attnum > 0 && attnum <= natts)
			cols[attnum - 1].*member = true;
	}
	RelationClose(index);
	return true;
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

/* The direct rendering of an output function, if we have one. */
W2jFast
fast_of(Oid typoutput)
{
	switch (typoutput)
	{
		case F_TEXTOUT:
		case F_VARCHAROUT:
		case F_BPCHAROUT:
		case F_JSON_OUT: /* json_out returns the stored text as it is */
			return W2jFast::Text;
		case F_INT2OUT:
			return W2jFast::Int2;
		case F_INT4OUT:
			return W2jFast::Int4;
		case F_INT8OUT:
			return W2jFast::Int8;
		case F_BOOLOUT:
			return W2jFast::Bool;
		case F_UUID_OUT:
			return W2jFast::Uuid;
		case F_FLOAT4OUT:
			return W2jFast::Float4;
		case F_FLOAT8OUT:
			return W2jFast::Float8;
		case F_NUMERIC_OUT:
			return W2jFast::Numeric;
		case F_TIMESTAMP_OUT:
			return W2jFast::Timestamp;
		case F_TIMESTAMPTZ_OUT:
			return W2jFast::TimestampTz;
		case F_JSONB_OUT:
			return W2jFast::Jsonb;
		default:
			return W2jFast::None;
	}
}

/* The direct rendering of column values of typid with output function typoutput. */
W2jFast
fast_of_column(Oid typid, Oid typoutput)
{
	if (typoutput == F_ARRAY_OUT)
	{
		Oid elem = get_element_type(getBaseType(typid));

		return elem == TEXTOID || elem == VARCHAROID ? W2jFast::TextArray : W2jFast::None;
	}
	return fast_of(typoutput);
}

/*
 * A timestamp (local time, microseconds) as timestamp_out writes it under
 * DateStyle ISO: "YYYY-MM-DD HH:MM:SS[.ffffff]". Years 1 to 9999 only;
 * returns 0 for the rest. buf needs kTimestampIsoMax + 1 bytes.
 */
size_t
format_timestamp_iso_space(int64 t, char *buf)
{
	/* Far from the ends of int64, so that adding a zone offset cannot overflow. */
	if (t <= -(INT64CONST(1) << 60) || t >= (INT64CONST(1) << 60))
		return 0;
	size_t len = format_timestamp_iso(t, buf);

	if (len != 0)
		buf[10] = ' '; /* ISO style puts a space where XSD puts 'T' */
	return len;
}

/* Appends the zone as EncodeTimezone writes it in ISO style: +HH, +HH:MM or +HH:MM:SS. */
size_t
format_iso_zone(int tz, char *buf)
{
	const char *pairs = kDigitPairs.text;
	int sec = tz < 0 ? -tz : tz;
	int min = sec / 60;
	int hour;
	size_t len = 0;

	sec -= min * 60;
	hour = min / 60;
	min -= hour * 60;
	/* tz is seconds west of Greenwich: the sign shown is the opposite. */
	buf[len++] = tz <= 0 ? '+' : '-';
	if (hour >= 100)
		return 0; /* not a real zone; the general path decides */
	buf[len++] = pairs[2 * hour];
	buf[len++] = pairs[2 * hour + 1];
	if (sec != 0 || min != 0)
	{
		buf[len++] = ':';
		buf[len++] = pairs[2 * min];
		buf[len++] = pairs[2 * min + 1];
	}
	if (sec != 0)
	{
		buf[len++] = ':';
		buf[len++] = pairs[2 * sec];
		buf[len++] = pairs[2 * sec + 1];
	}
	return len;
}

/*
 * timestamptz_out's text under DateStyle ISO when the session's TimeZone has
 * one fixed UTC offset (UTC, Etc/GMT+5, '+05:30'): local time, then the
 * offset. Returns 0 when another style, zone or year range needs the
 * output function.
 */
size_t
format_timestamptz_iso(TimestampTz t, char *buf)
{
	long gmtoff;

	if (DateStyle != USE_ISO_DATES || TIMESTAMP_NOT_FINITE(t) || session_timezone == NULL ||
		!pg_get_timezone_offset(session_timezone, &gmtoff))
		return 0;
	if (gmtoff <= -100 * SECS_PER_HOUR || gmtoff >= 100 * SECS_PER_HOUR)
		return 0;
	size_t len = format_timestamp_iso_space(t + static_cast<int64>(gmtoff) * USECS_PER_SEC, buf);

	if (len == 0)
		return 0;
	size_t zlen = format_iso_zone(static_cast<int>(-gmtoff), buf + len);

	return zlen == 0 ? 0 : len + zlen;
}

/* Whether array_out puts an element in double quotes (typdelim ','). */
bool
array_elem_needs_quotes(const char *s, size_t len)
{
	if (len == 0)
		return true;
	if (len == 4 && pg_strncasecmp(s, "NULL", 4) == 0)
		return true;
	for (size_t i = 0; i < len; i++)
	{
		switch (s[i])
		{
			case '"':
			case '\\':
			case '{':
			case '}':
			case ',':
			case ' ':
			case '\t':
			case '\n':
			case '\r':
			case '\v':
			case '\f':
				return true;
			default:
				break;
		}
	}
	return false;
}

/*
 * Appends one element of array_out's text JSON-escaped: in array quotes
 * (written \") when quoted, with array_out's backslash before " and \
 * (written \\ before the escaped byte).
 */
void
out_array_elem_escaped(StringInfo out, const char *s, size_t len, bool quoted)
{
	if (quoted)
		append_lit(out, "\\\"");
	/* worst case: \\\" (4 bytes) or \u00XX (6 bytes) per byte */
	append_escaped_chunks<6>(out, s, len, [quoted](char *p, unsigned char c, char code) {
		if (code == 'u')
			return json_put_u00(p, c);
		if (quoted && (c == '"' || c == '\\'))
		{
			/* array_out's backslash, escaped */
			*p++ = '\\';
			*p++ = '\\';
		}
		*p++ = '\\';
		*p++ = code;
		return p;
	});
	if (quoted)
		append_lit(out, "\\\"");
}

/*
 * array_out's text of a one-dimensional text or varchar array with lower
 * bound 1 (or of an empty array), as a JSON string: "{a,\"b c\",NULL}".
 * Returns false, writing nothing, for other shapes.
 */
bool
out_text_array_json(StringInfo out, Datum value)
{
	/* A short array is copied to the stack rather than detoasted into palloc'd memory. */
	LocalVarlena local;
	ArrayType *arr = reinterpret_cast<ArrayType *>(varlena_aligned(value, local));
	int ndim = ARR_NDIM(arr);
	bool done = false;

	if (ndim == 0)
	{
		append_lit(out, "\"{}\"");
		done = true;
	}
	else if (ndim == 1 && ARR_LBOUND(arr)[0] == 1)
	{
		int nitems = ARR_DIMS(arr)[0];
		array_iter iter;

		OUTFLOW_ARRAY_ITER_SETUP(&iter, reinterpret_cast<AnyArrayType *>(arr), -1, false, TYPALIGN_INT);
		append_lit(out, "\"{");
		for (int i = 0; i < nitems; i++)
		{
			bool isnull;
			Datum elem = OUTFLOW_ARRAY_ITER_NEXT(&iter, &isnull, i, -1, false, TYPALIGN_INT);

			if (i > 0)
				append_char(out, ',');
			if (isnull)
			{
				append_lit(out, "NULL");
				continue;
			}
			const char *s = VARDATA_ANY(DatumGetPointer(elem));
			size_t len = VARSIZE_ANY_EXHDR(DatumGetPointer(elem));

			out_array_elem_escaped(out, s, len, array_elem_needs_quotes(s, len));
		}
		append_lit(out, "}\"");
		done = true;
	}
	varlena_release(reinterpret_cast<struct varlena *>(arr), value, local);
	return done;
}

/*
 * The output function's text of a non-null value, written into buf (at
 * least kFastBufLen bytes) or pointing into the value itself; len is its
 * length. Returns false when there is no direct rendering for this value.
 * The text is NUL-terminated except for W2jFast::Text.
 */
constexpr size_t kFastBufLen = 64;

bool
fast_text(const W2jCol &col, Datum value, char *buf, const char **str, size_t *len)
{
	*len = 0;
	switch (col.fast)
	{
		case W2jFast::None:
		case W2jFast::Text:
		case W2jFast::Numeric:
		case W2jFast::TextArray:
		case W2jFast::Jsonb:
			return false;
		case W2jFast::Timestamp:
			if (DateStyle != USE_ISO_DATES || TIMESTAMP_NOT_FINITE(DatumGetTimestamp(value)))
				return false;
			*len = format_timestamp_iso_space(DatumGetTimestamp(value), buf);
			if (*len == 0)
				return false;
			break;
		case W2jFast::TimestampTz:
			*len = format_timestamptz_iso(DatumGetTimestampTz(value), buf);
			if (*len == 0)
				return false;
			break;
		case W2jFast::Int2:
			*len = format_int64(DatumGetInt16(value), buf);
			break;
		case W2jFast::Int4:
			*len = format_int64(DatumGetInt32(value), buf);
			break;
		case W2jFast::Int8:
			*len = format_int64(DatumGetInt64(value), buf);
			break;
		case W2jFast::Bool:
			buf[0] = DatumGetBool(value) ? 't' : 'f';
			*len = 1;
			break;
		case W2jFast::Uuid:
			*len = format_uuid(DatumGetUUIDP(value)->data, buf);
			break;
		case W2jFast::Float4:
			/* float4out writes the shortest digits when extra_float_digits > 0. */
			if (extra_float_digits <= 0)
				return false;
			*len = static_cast<size_t>(float_to_shortest_decimal_bufn(DatumGetFloat4(value), buf));
			break;
		case W2jFast::Float8:
			if (extra_float_digits <= 0)
				return false;
			*len = static_cast<size_t>(double_to_shortest_decimal_bufn(DatumGetFloat8(value), buf));
			break;
	}
	buf[*len] = '\0';
	*str = buf;
	return true;
}

} // namespace

void
w2j_build_relation(Session &s, RelInfo &rel, Relation relation, int version)
{
	const Options &opts = s.opts;
	TupleDesc desc = RelationGetDescr(relation);
	MemoryContext old;
	W2jRel *w;
	List *indexes;

	old = MemoryContextSwitchTo(rel.cxt);
	w = static_cast<W2jRel *>(palloc0(sizeof(W2jRel)));

	w->natts = desc->natts;
	w->cols = static_cast<W2jCol *>(palloc0(sizeof(W2jCol) * (desc->natts + 1)));
	w->values = static_cast<Datum *>(palloc0(sizeof(Datum) * (desc->natts + 1)));
	w->nulls = static_cast<bool *>(palloc0(sizeof(bool) * (desc->natts + 1)));
	w->full = relation->rd_rel->relreplident == REPLICA_IDENTITY_FULL;
	w->oversized = static_cast<bool *>(palloc0(sizeof(bool) * (desc->natts + 1)));
	w->left_out = static_cast<bool *>(palloc0(sizeof(bool) * (desc->natts + 1)));
	w->tail_reserve = 1024 * 1024; /* pk object, oversized list, pretty-print whitespace, key values */

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		W2jCol &col = w->cols[i];
		Oid shown = attr->atttypid;
		Oid typoutput;
		bool typisvarlena;
		char *type_str = NULL;
		HeapTuple tup;
		Form_pg_type typ;

		col.attnum = attr->attnum;
		col.typid = attr->atttypid;
		col.skip = attr->attisdropped || attr->attnum < 0 || !rel.cols[i].published; /* column lists */
		if (col.skip)
			continue;
		col.varlena = attr->attlen == -1;
		col.not_null = attr->attnotnull;

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
		col.kind = kind_of(shown);
		col.type_json = type_str ? type_token(type_str) : "\"\"";
		col.type_json_len = static_cast<int>(strlen(col.type_json));

		getTypeOutputInfo(attr->atttypid, &typoutput, &typisvarlena);
		fmgr_info_cxt(typoutput, &col.out_fn, rel.cxt);
		col.fast = fast_of_column(attr->atttypid, typoutput);

		col.default_json = opts.include_default ? default_token(relation, attr) : "null";

		if (version == 2)
		{
			/* What format 2 writes before each value of this column, built once. */
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
				appendStringInfo(&prefix, ",\"typeoid\":%d", static_cast<int>(col.typid));
			appendStringInfoString(&prefix, ",\"value\":");
			col.v2_value_prefix = prefix.data;
			col.v2_value_prefix_len = prefix.len;
		}
		/* What the value checks do not count (oversize.h): each column's names,
		 * types, defaults and prefixes in both tuples, and fixed-length values,
		 * which are not checked (at most 4 kB each, in each tuple and the pk). */
		w->tail_reserve += 2 * (rel.cols[i].name_json_len + col.type_json_len + col.v2_value_prefix_len +
								static_cast<int64>(strlen(col.default_json)) + 96) +
						   (col.varlena ? 0 : 3 * 4096);
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

	/* Primary key and replica identity, as wal2json finds them. */
	indexes = RelationGetIndexList(relation);
	list_free(indexes);
	w->has_pk = OidIsValid(relation->rd_pkindex);
	w->has_ri = OidIsValid(relation->rd_replidindex);
	w->pk_all = !w->has_pk || !mark_index_columns(w->cols, w->natts, relation->rd_pkindex, &W2jCol::in_pk);
	w->ri_all = !w->has_ri || !mark_index_columns(w->cols, w->natts, relation->rd_replidindex, &W2jCol::in_ri);

	rel.format_private = w;
	MemoryContextSwitchTo(old);
}

void
w2j_append_value(StringInfo out, W2jCol &col, Datum value, bool numbers_as_strings)
{
	const W2jKind kind = col.kind;
	char buf[kFastBufLen];
	const char *str;
	size_t len;
	char *text = nullptr;
	Datum plain = value;

	if (col.fast == W2jFast::Text && kind == W2jKind::Text)
	{
		append_text_json(out, value); /* the output function's bytes, escaped where they are */
		return;
	}
	if (col.fast == W2jFast::Numeric && kind == W2jKind::Number && append_numeric_finite(out, value, numbers_as_strings))
		return;
	if (col.fast == W2jFast::TextArray && kind == W2jKind::Text && out_text_array_json(out, value))
		return;
	if (kind == W2jKind::Number && !numbers_as_strings &&
		(col.fast == W2jFast::Int2 || col.fast == W2jFast::Int4 || col.fast == W2jFast::Int8))
	{
		/* Decimal digits and a sign: a JSON number as it is. */
		append_int64(out,
					 col.fast == W2jFast::Int2	 ? DatumGetInt16(value)
					 : col.fast == W2jFast::Int4 ? DatumGetInt32(value)
												 : DatumGetInt64(value),
					 false);
		return;
	}
	if (kind == W2jKind::Number && !numbers_as_strings && extra_float_digits > 0 &&
		(col.fast == W2jFast::Float4 || col.fast == W2jFast::Float8))
	{
		/* A finite float's shortest digits are a JSON number as they are. */
		double d = col.fast == W2jFast::Float4 ? DatumGetFloat4(value) : DatumGetFloat8(value);

		if (std::isfinite(d))
		{
			char *dst = append_reserve(out, DOUBLE_SHORTEST_DECIMAL_LEN);

			out->len += col.fast == W2jFast::Float4 ? float_to_shortest_decimal_bufn(DatumGetFloat4(value), dst)
												   : double_to_shortest_decimal_bufn(d, dst);
			out->data[out->len] = '\0';
			return;
		}
	}
	if (col.fast == W2jFast::Jsonb && kind == W2jKind::Text)
	{
		/* jsonb_out's text, written from the stored form and escaped in the same pass. */
		append_jsonb_text(out, value, true);
		return;
	}
	if (!fast_text(col, value, buf, &str, &len))
	{
		plain = col.varlena ? PointerGetDatum(PG_DETOAST_DATUM(value)) : value;
		text = OutputFunctionCall(&col.out_fn, plain);
		str = text;
		len = strlen(text);
	}

	switch (kind)
	{
		case W2jKind::Number:
		{
			bool digits = strspn(str, "0123456789+-eE.") == len;
			bool special = pg_strncasecmp(str, "NaN", 3) == 0 || pg_strncasecmp(str, "Infinity", 8) == 0 ||
						   pg_strncasecmp(str, "-Infinity", 9) == 0;

			if (!digits && !special)
				ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
								errmsg("%s is not a number", str)));
			if (numbers_as_strings)
				append_json_string(out, str, len);
			else if (special)
				append_lit(out, "null"); /* NaN and Infinity are not JSON numbers */
			else
				append_bytes(out, str, static_cast<int>(len));
			break;
		}
		case W2jKind::Bool:
			if (strcmp(str, "t") == 0)
				append_lit(out, "true");
			else
				append_lit(out, "false");
			break;
		case W2jKind::Bytea:
			if (len >= 2 && str[0] == '\\' && str[1] == 'x')
				append_json_string(out, str + 2, len - 2);
			else
				append_json_string(out, str, len); /* bytea_output = escape: keep it whole */
			break;
		case W2jKind::Text:
			if (text == nullptr && (col.fast == W2jFast::Uuid || col.fast == W2jFast::Timestamp ||
									col.fast == W2jFast::TimestampTz))
				append_quoted_if(out, true, str, static_cast<int>(len)); /* hex digits, digits, -+:. only */
			else
				append_json_string(out, str, len);
			break;
	}
	if (text != nullptr)
		pfree(text);
	if (plain != value)
		pfree(DatumGetPointer(plain));
}

namespace {

/*
 * The size of the JSON w2j_append_value writes for a non-null varlena value
 * (*exact), or an upper bound of it (oversize.h). Text is counted exactly;
 * bytea from its length (hex) or bounded (escape output); jsonb by a walk
 * of its stored form (pg_text_jsonb.h); other types through their
 * output function's text, counted, when call_output (it is what wal2json
 * calls too); else kBoundFactor per byte.
 */
Size
w2j_value_size(W2jCol &col, Datum value, Size raw, bool call_output, bool *exact)
{
	*exact = false;
	if (col.fast == W2jFast::Text && col.kind == W2jKind::Text)
	{
		*exact = true;
		return text_value_json_size(value);
	}
	if (col.kind == W2jKind::Bytea)
	{
		*exact = bytea_output == BYTEA_OUTPUT_HEX;
		return *exact ? 2 * raw + 2 : 5 * raw + 2; /* escape: \ooo or \\\\ per byte at most */
	}
	if (col.fast == W2jFast::Jsonb && col.kind == W2jKind::Text)
	{
		*exact = true;
		return jsonb_text_size(value, true);
	}
	if (col.kind == W2jKind::Number)
		return kNumericTextMax + 2;
	if (call_output)
	{
		Datum plain = PointerGetDatum(PG_DETOAST_DATUM(value));
		char *text = OutputFunctionCall(&col.out_fn, plain);
		Size size = json_escaped_size(text, strlen(text)) + 2;

		pfree(text);
		if (plain != value)
			pfree(DatumGetPointer(plain));
		*exact = true;
		return size;
	}
	return kBoundFactor * raw + kBoundSlack;
}

/* The key of the current tuple as {"col":value,...}, for messages (slow path only). */
StringInfo
w2j_key_json(Session &s, const RowChange &c)
{
	W2jRel &w = w2j_rel(c.rel);
	StringInfo key = makeStringInfo();
	bool first = true;

	appendStringInfoChar(key, '{');
	for (int i = 0; i < w.natts; i++)
	{
		W2jCol &col = w.cols[i];

		if (col.skip || !(col.in_ri || col.in_pk))
			continue;
		if (!first)
			appendStringInfoChar(key, ',');
		first = false;
		appendBinaryStringInfo(key, c.rel->cols[i].name_json, c.rel->cols[i].name_json_len);
		appendStringInfoChar(key, ':');
		if (w.nulls[i])
			append_lit(key, "null");
		else if (w2j_unchanged_toast(col, w.values[i]))
			append_lit(key, "\"(unchanged)\"");
		else if (col.varlena && varlena_raw_size(w.values[i]) > 1024)
			append_lit(key, "\"(long)\"");
		else
			w2j_append_value(key, col, w.values[i], s.opts.numeric_data_types_as_string);
	}
	appendStringInfoChar(key, '}');
	return key;
}

} // namespace

bool
w2j_write_value_checked(Session &s, const RowChange &c, StringInfo out, const ValueRoom &room, int i, Datum value)
{
	W2jRel &w = w2j_rel(c.rel);
	W2jCol &col = w.cols[i];
	const bool key = col.in_ri || col.in_pk;
	const bool option = room.max_value != kNoMaxValue;
	const int start = out->len;
	const int64 allowed = value_allowed(room, out, key);
	const int64 hard = room.end - start;
	bool exact = false;
	/* Without the option, an output function is called as wal2json calls it;
	 * with it, only when its text is surely below the 1 GB limit (a larger
	 * one would fail inside the function and block the slot). */
	Size raw = col.varlena ? varlena_raw_size(value) : 0;
	Size bytes = col.varlena ? w2j_value_size(col, value, raw, !option || raw_surely_fits(raw, kRecordLimit), &exact)
							 : kBoundSlack;
	Fit fit = decide_fit(bytes, exact, allowed, hard);

	if (write_fitted(out, fit, allowed, &bytes, &exact,
					 [&](StringInfo o) { w2j_append_value(o, col, value, s.opts.numeric_data_types_as_string); }))
		return true;

	StringInfo key_json = w2j_key_json(s, c);
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
	if (w.noversized == 0)
		memset(w.oversized, 0, sizeof(bool) * (w.natts + 1));
	if (!w.oversized[i])
		w.noversized++;
	w.oversized[i] = true;
	warn_left_out(what);
	return false;
}

ValueRoom
w2j_room(const Session &s, const W2jRel &w, int64 base)
{
	ValueRoom room;

	room.end = kRecordLimit - w.tail_reserve - base;
	if (s.opts.max_value_bytes > 0)
		room.max_value = s.opts.max_value_bytes;
	return room;
}

void
w2j_append_oversized(StringInfo out, const RowChange &c, const char *sep)
{
	W2jRel &w = w2j_rel(c.rel);
	bool first = true;

	for (int i = 0; i < w.natts; i++)
	{
		if (!w.oversized[i])
			continue;
		if (!first)
			appendStringInfoString(out, sep);
		first = false;
		appendBinaryStringInfo(out, c.rel->cols[i].name_json, c.rel->cols[i].name_json_len);
	}
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
