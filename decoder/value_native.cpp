/*
 * value_native.cpp: values in the native format, equal to what to_jsonb
 * gives under fixed settings (TimeZone 'UTC', DateStyle 'ISO, YMD',
 * IntervalStyle 'postgres', extra_float_digits 1, bytea_output 'hex').
 *
 * The categories follow PostgreSQL 15's jsonb_categorize_type: domains are
 * looked through; bool, numbers, date/timestamp/timestamptz, json and jsonb
 * have their own rendering; arrays become JSON arrays and composites objects;
 * a non-built-in type with a function cast to json goes through that cast;
 * everything else is its output function's text as a JSON string.
 *
 * Renderers live in session.types, an HTAB of TypeRenderer by type oid.
 * Entries never move and are never freed while the session lives: an
 * invalidation only marks them stale, and a stale renderer is rebuilt in
 * place on its next use. So pointers kept by relation entries stay valid.
 *
 * Every function here calls into PostgreSQL and may longjmp: no object with
 * a destructor lives on these stacks.
 */
#include <cmath>
#include <cstdint>
#include <cstring>

#include "session.h"
#include "numeric_out.h"
#include "value_format.h"
#include "out.h"
#include "value_native.h"

extern "C" {
#include "access/detoast.h"
#include "access/transam.h"
#include "access/xact.h"
#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "utils/array.h"
#include "utils/arrayaccess.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/uuid.h"
#include "storage/proc.h"
}

/* 17 moved the local transaction id into vxid. */
#if PG_VERSION_NUM >= 170000
#define OUTFLOW_MY_LXID (MyProc->vxid.lxid)
#else
#define OUTFLOW_MY_LXID (MyProc->lxid)
#endif

namespace outflow {

enum class RenderKind : uint8
{
	Bool,
	Int2,
	Int4,
	Int8,
	Float4,
	Float8,
	Numeric,
	Text,		 /* text, varchar, bpchar: escaped from the varlena */
	Name,
	Bytea,		 /* "\\x" + hex */
	Uuid,
	Date,
	Timestamp,
	TimestampTz, /* always in UTC */
	Interval,	 /* IntervalStyle postgres */
	Json,		 /* parsed as jsonb, as to_jsonb does */
	Jsonb,
	Array,
	Composite,
	Cast,		 /* non-built-in type with a function cast to json */
	Output,		 /* output function, text independent of the settings */
	OutputFixed	 /* output function under the fixed settings */
};

/* The renderer last used for one attribute of a composite type. */
struct FieldRenderer
{
	Oid typid;
	TypeRenderer *renderer;
};

struct TypeRenderer
{
	Oid typid; /* hash key: must be first */
	RenderKind kind;
	bool numbers_as_string; /* numeric_data_types_as_string */
	bool stale;				/* invalidated: rebuild before the next use */
	bool built;				/* false until a build has completed */

	FmgrInfo func; /* output function (Output*) or cast function (Cast) */

	/* Array: the element type. */
	TypeRenderer *elem;
	int16 elmlen;
	bool elmbyval;
	char elmalign;

	/* Composite: renderers by attribute index, checked against atttypid per value. */
	int nfields;
	FieldRenderer *fields;
};

namespace {

/* Whether the output function of typid (not a domain) can give different text
 * under different DateStyle, TimeZone, IntervalStyle or extra_float_digits. */
bool
output_depends_on_settings(Oid typid, int depth)
{
	if (depth > 16)
		return true;

	switch (typid)
	{
		case FLOAT4OID:
		case FLOAT8OID:
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case INTERVALOID:
		case POINTOID:
		case LSEGOID:
		case PATHOID:
		case BOXOID:
		case POLYGONOID:
		case LINEOID:
		case CIRCLEOID:
			return true;
		default:
			break;
	}

	switch (get_typtype(typid))
	{
		case TYPTYPE_DOMAIN:
			return output_depends_on_settings(getBaseType(typid), depth + 1);
		case TYPTYPE_ENUM:
			return false;
		case TYPTYPE_RANGE:
			return output_depends_on_settings(get_range_subtype(typid), depth + 1);
#if PG_VERSION_NUM >= 140000
		case TYPTYPE_MULTIRANGE:
			return output_depends_on_settings(get_range_subtype(get_multirange_range(typid)),
											  depth + 1);
#endif
		case TYPTYPE_BASE:
		{
			Oid elem = get_element_type(typid);

			if (OidIsValid(elem))
				return output_depends_on_settings(elem, depth + 1);
			/* Built-in base types not listed above print the same everywhere. */
			return typid >= FirstNormalObjectId;
		}
		default:
			/* Composites, pseudo-types: be safe. */
			return true;
	}
}

TypeRenderer *get_renderer(Session &session, Oid typid);

/* Fills r (already in the hash) for its type. */
void
build_renderer(Session &session, TypeRenderer *r)
{
	Oid base = getBaseType(r->typid);

	/* Cleared first: an invalidation arriving while we build marks it again;
	 * built stays false if the build fails half-way. */
	r->stale = false;
	r->built = false;
	r->numbers_as_string = session.opts.numeric_data_types_as_string;
	r->elem = nullptr;

	switch (base)
	{
		case BOOLOID:
			r->kind = RenderKind::Bool;
			break;
		case INT2OID:
			r->kind = RenderKind::Int2;
			break;
		case INT4OID:
			r->kind = RenderKind::Int4;
			break;
		case INT8OID:
			r->kind = RenderKind::Int8;
			break;
		case FLOAT4OID:
			r->kind = RenderKind::Float4;
			break;
		case FLOAT8OID:
			r->kind = RenderKind::Float8;
			break;
		case NUMERICOID:
			r->kind = RenderKind::Numeric;
			break;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			r->kind = RenderKind::Text;
			break;
		case NAMEOID:
			r->kind = RenderKind::Name;
			break;
		case BYTEAOID:
			r->kind = RenderKind::Bytea;
			break;
		case UUIDOID:
			r->kind = RenderKind::Uuid;
			break;
		case DATEOID:
			r->kind = RenderKind::Date;
			break;
		case TIMESTAMPOID:
			r->kind = RenderKind::Timestamp;
			break;
		case TIMESTAMPTZOID:
			r->kind = RenderKind::TimestampTz;
			break;
		case INTERVALOID:
			r->kind = RenderKind::Interval;
			break;
		case JSONOID:
			r->kind = RenderKind::Json;
			break;
		case JSONBOID:
			r->kind = RenderKind::Jsonb;
			break;
		default:
		{
			Oid elemtype = get_element_type(base);

			if (OidIsValid(elemtype))
			{
				r->kind = RenderKind::Array;
				get_typlenbyvalalign(elemtype, &r->elmlen, &r->elmbyval, &r->elmalign);
				r->elem = get_renderer(session, elemtype);
			}
			else if (type_is_rowtype(base))
			{
				r->kind = RenderKind::Composite;
				/* Fields are resolved from each value's tuple descriptor. */
			}
			else
			{
				Oid castfunc = InvalidOid;
				bool varlena;
				Oid outfunc;

				if (base >= FirstNormalObjectId &&
					find_coercion_pathway(JSONOID, base, COERCION_EXPLICIT, &castfunc) ==
						COERCION_PATH_FUNC &&
					OidIsValid(castfunc))
				{
					r->kind = RenderKind::Cast;
					fmgr_info_cxt(castfunc, &r->func, session.session_cxt);
				}
				else
				{
					getTypeOutputInfo(base, &outfunc, &varlena);
					fmgr_info_cxt(outfunc, &r->func, session.session_cxt);
					r->kind = output_depends_on_settings(base, 0) ? RenderKind::OutputFixed
																  : RenderKind::Output;
				}
			}
			break;
		}
	}
	r->built = true;
}

TypeRenderer *
get_renderer(Session &session, Oid typid)
{
	bool found;

	if (session.types == nullptr)
	{
		HASHCTL ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(TypeRenderer);
		ctl.hcxt = session.session_cxt;
		session.types = hash_create("outflow native renderers", 64, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	TypeRenderer *r = static_cast<TypeRenderer *>(hash_search(session.types, &typid, HASH_ENTER, &found));
	if (!found)
	{
		/* Zero everything but the key; a half-built entry is stale. */
		memset(reinterpret_cast<char *>(r) + sizeof(Oid), 0, sizeof(TypeRenderer) - sizeof(Oid));
		r->stale = true;
	}
	if (r->stale || !r->built)
		build_renderer(session, r);
	return r;
}

/*
 * The (sub)transaction in which the fixed settings were pushed. Its abort
 * pops them without telling us (PostgreSQL restores the GUC stack), so a
 * level recorded in another transaction is stale and must not be popped.
 * Replaying each decoded transaction runs in a new transaction (walsender)
 * or a new internal subtransaction (SQL functions), so the pair differs.
 */
struct FixedSettingsOwner
{
	const Session *session;
	LocalTransactionId lxid;
	SubTransactionId subxid;
};

FixedSettingsOwner fixed_owner;

bool
fixed_settings_current(const Session &session)
{
	return fixed_owner.session == &session && fixed_owner.lxid == OUTFLOW_MY_LXID &&
		   fixed_owner.subxid == GetCurrentSubTransactionId();
}

/* Pushes the fixed settings, once per transaction, on the first value needing them. */
void
ensure_fixed_settings(Session &session)
{
	if (session.fixed_settings_level != 0)
	{
		if (likely(fixed_settings_current(session)))
			return;
		session.fixed_settings_level = 0; /* already popped by an abort */
	}

	fixed_owner.session = &session;
	fixed_owner.lxid = OUTFLOW_MY_LXID;
	fixed_owner.subxid = GetCurrentSubTransactionId();
	session.fixed_settings_level = NewGUCNestLevel();
	(void) set_config_option("TimeZone", "UTC", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("DateStyle", "ISO, YMD", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
							 false);
	(void) set_config_option("IntervalStyle", "postgres", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
							 0, false);
	(void) set_config_option("extra_float_digits", "1", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
							 false);
	(void) set_config_option("bytea_output", "hex", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
							 false);
}

inline void
append_quoted_if(StringInfo out, bool quoted, const char *text, int len)
{
	if (quoted)
	{
		out_reserve(out, len + 2);
		out->data[out->len++] = '"';
		memcpy(out->data + out->len, text, len);
		out->len += len;
		out->data[out->len++] = '"';
		out->data[out->len] = '\0';
	}
	else
		out_bytes(out, text, len);
}

void
append_int64(StringInfo out, int64 v, bool quoted)
{
	char buf[kInt64DecimalMax];
	size_t len = format_int64(v, buf);

	append_quoted_if(out, quoted, buf, static_cast<int>(len));
}

/* NaN and the infinities are strings, as to_jsonb gives them; other values bare. */
bool
append_nonfinite(StringInfo out, double d)
{
	if (std::isnan(d))
		out_lit(out, "\"NaN\"");
	else if (std::isinf(d))
	{
		if (d > 0)
			out_lit(out, "\"Infinity\"");
		else
			out_lit(out, "\"-Infinity\"");
	}
	else
		return false;
	return true;
}

void
append_numeric(StringInfo out, Datum value, bool quoted)
{
	if (likely(out_numeric_finite(out, value, quoted)))
		return;

	char *text = DatumGetCString(DirectFunctionCall1(numeric_out, value));
	int len = static_cast<int>(strlen(text));

	/* numeric_out spells the special values NaN, Infinity, -Infinity. */
	append_quoted_if(out, quoted || strpbrk(text, "NI") != nullptr, text, len);
	pfree(text);
}

void
append_text_varlena(StringInfo out, Datum value)
{
	struct varlena *p = reinterpret_cast<struct varlena *>(DatumGetPointer(value));
	/* pg_detoast_datum_packed, inline: most values are plain. */
	struct varlena *v = VARATT_IS_COMPRESSED(p) || VARATT_IS_EXTERNAL(p) ? detoast_attr(p) : p;

	out_json_string_len(out, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	if (reinterpret_cast<Pointer>(v) != DatumGetPointer(value))
		pfree(v);
}

void
append_bytea(StringInfo out, Datum value)
{
	struct varlena *v = pg_detoast_datum_packed(reinterpret_cast<struct varlena *>(DatumGetPointer(value)));
	size_t len = VARSIZE_ANY_EXHDR(v);

	if (len > (MaxAllocSize - 8) / 2)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("outflow: bytea value of %zu bytes is too long to write as JSON", len)));
	enlargeStringInfo(out, static_cast<int>(2 * len + 5));
	/* The JSON string "\\x...": the backslash of \x escaped. */
	memcpy(out->data + out->len, "\"\\\\x", 4);
	out->len += 4;
	out->len += static_cast<int>(format_hex(reinterpret_cast<const uint8_t *>(VARDATA_ANY(v)), len,
											out->data + out->len));
	out->data[out->len++] = '"';
	out->data[out->len] = '\0';
	if (reinterpret_cast<Pointer>(v) != DatumGetPointer(value))
		pfree(v);
}

void
append_datetime(StringInfo out, Datum value, Oid typid)
{
	static const int utc = 0;
	char buf[MAXDATELEN + 1];

	/* Timestamps of years 1 to 9999 directly (in UTC for timestamptz). */
	if (typid != DATEOID && !TIMESTAMP_NOT_FINITE(DatumGetInt64(value)))
	{
		size_t len = format_timestamp_iso(DatumGetInt64(value), buf);

		if (len != 0)
		{
			out_reserve(out, static_cast<int>(len) + 9);
			out->data[out->len++] = '"';
			memcpy(out->data + out->len, buf, len);
			out->len += static_cast<int>(len);
			if (typid == TIMESTAMPTZOID)
			{
				memcpy(out->data + out->len, "+00:00", 6);
				out->len += 6;
			}
			out->data[out->len++] = '"';
			out->data[out->len] = '\0';
			return;
		}
	}

	JsonEncodeDateTime(buf, value, typid, typid == TIMESTAMPTZOID ? &utc : nullptr);
	/* Digits, signs, 'T', ':', '.', " BC" or "infinity": nothing to escape. */
	append_quoted_if(out, true, buf, static_cast<int>(strlen(buf)));
}

void
append_interval(StringInfo out, Datum value)
{
	Interval *span = DatumGetIntervalP(value);
	char buf[MAXDATELEN + 1];

#if PG_VERSION_NUM >= 170000
	/* 17 added infinite intervals. */
	if (INTERVAL_IS_NOBEGIN(span))
	{
		out_lit(out, "\"-infinity\"");
		return;
	}
	if (INTERVAL_IS_NOEND(span))
	{
		out_lit(out, "\"infinity\"");
		return;
	}
#endif
#if PG_VERSION_NUM >= 150000
	struct pg_itm itm;

	interval2itm(*span, &itm);
	EncodeInterval(&itm, INTSTYLE_POSTGRES, buf);
#else
	struct pg_tm tm;
	fsec_t fsec;

	if (interval2tm(*span, &tm, &fsec) != 0)
		ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("could not convert interval to tm")));
	EncodeInterval(&tm, fsec, INTSTYLE_POSTGRES, buf);
#endif
	/* Digits, signs, letters, ':', '.' and spaces: nothing to escape. */
	append_quoted_if(out, true, buf, static_cast<int>(strlen(buf)));
}

void
append_jsonb(StringInfo out, Jsonb *jb)
{
	(void) JsonbToCString(out, &jb->root, static_cast<int>(VARSIZE(jb)));
}

/* Whether an error from parsing valid json text as jsonb is about the value
 * (to be worked around) rather than the server (cancel, out of memory). */
bool
is_value_error(int sqlerrcode)
{
	return ERRCODE_TO_CATEGORY(sqlerrcode) == ERRCODE_DATA_EXCEPTION ||
		   sqlerrcode == ERRCODE_PROGRAM_LIMIT_EXCEEDED;
}

/*
 * json text, parsed as jsonb the way to_jsonb parses it. Some valid json
 * has no jsonb form: "\u0000", numbers beyond numeric's range, escapes the
 * database encoding cannot hold. to_jsonb fails on those; a decoder must not
 * (the slot would be stuck), so such a value is written as its own text,
 * which json_in has already checked to be valid JSON.
 */
void
append_json_text(StringInfo out, Datum value)
{
	text *t = DatumGetTextPP(value);
	char *cstr = text_to_cstring(t);
	MemoryContext cxt = CurrentMemoryContext;
	volatile Datum jb = (Datum) 0;

	PG_TRY();
	{
		jb = DirectFunctionCall1(jsonb_in, CStringGetDatum(cstr));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		if (!is_value_error(geterrcode()))
			PG_RE_THROW();
		FlushErrorState();
		jb = (Datum) 0;
	}
	PG_END_TRY();

	if (jb != (Datum) 0)
	{
		append_jsonb(out, DatumGetJsonbP(jb));
		pfree(DatumGetPointer(jb));
	}
	else
		appendBinaryStringInfo(out, VARDATA_ANY(t), static_cast<int>(VARSIZE_ANY_EXHDR(t)));
	pfree(cstr);
	if (reinterpret_cast<Pointer>(t) != DatumGetPointer(value))
		pfree(t);
}

void append_value(Session &session, StringInfo out, TypeRenderer *r, Datum value);

void
append_array(Session &session, StringInfo out, TypeRenderer *r, Datum value)
{
	ArrayType *arr = DatumGetArrayTypeP(value);
	int ndim = ARR_NDIM(arr);
	int *dims = ARR_DIMS(arr);
	int nitems = ArrayGetNItems(ndim, dims);
	int idx[MAXDIM];
	array_iter iter;

	check_stack_depth();
	if (nitems <= 0)
	{
		out_lit(out, "[]");
		return;
	}

	for (int d = 0; d < ndim; d++)
	{
		idx[d] = 0;
		appendStringInfoCharMacro(out, '[');
	}

	array_iter_setup(&iter, reinterpret_cast<AnyArrayType *>(arr));
	for (int i = 0; i < nitems; i++)
	{
		bool isnull;
		Datum elem;

		if (i > 0)
		{
			/* Advance the index; every dimension that wraps closes and reopens. */
			int d = ndim - 1;
			int wraps = 0;

			idx[d]++;
			while (d > 0 && idx[d] == dims[d])
			{
				idx[d] = 0;
				d--;
				idx[d]++;
				wraps++;
			}
			for (int k = 0; k < wraps; k++)
				appendStringInfoCharMacro(out, ']');
			appendStringInfoCharMacro(out, ',');
			for (int k = 0; k < wraps; k++)
				appendStringInfoCharMacro(out, '[');
		}

		elem = array_iter_next(&iter, &isnull, i, r->elmlen, r->elmbyval, r->elmalign);
		if (isnull)
			out_lit(out, "null");
		else
			append_value(session, out, r->elem, elem);
	}

	for (int d = 0; d < ndim; d++)
		appendStringInfoCharMacro(out, ']');

	if (reinterpret_cast<Pointer>(arr) != DatumGetPointer(value))
		pfree(arr);
}

void
append_composite(Session &session, StringInfo out, TypeRenderer *r, Datum value)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(value);
	TupleDesc tupdesc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(td), HeapTupleHeaderGetTypMod(td));
	int natts = tupdesc->natts;
	HeapTupleData tuple;
	Datum *values;
	bool *nulls;
	bool first = true;

	check_stack_depth();

	if (natts > r->nfields)
	{
		FieldRenderer *fields = static_cast<FieldRenderer *>(
			MemoryContextAllocZero(session.session_cxt, sizeof(FieldRenderer) * natts));

		if (r->fields != nullptr)
		{
			memcpy(fields, r->fields, sizeof(FieldRenderer) * r->nfields);
			pfree(r->fields);
		}
		r->fields = fields;
		r->nfields = natts;
	}

	tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = td;

	values = static_cast<Datum *>(palloc(sizeof(Datum) * (natts > 0 ? natts : 1)));
	nulls = static_cast<bool *>(palloc(sizeof(bool) * (natts > 0 ? natts : 1)));
	heap_deform_tuple(&tuple, tupdesc, values, nulls);

	appendStringInfoCharMacro(out, '{');
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped)
			continue;
		if (!first)
			appendStringInfoCharMacro(out, ',');
		first = false;
		out_json_string(out, NameStr(att->attname));
		appendStringInfoCharMacro(out, ':');
		if (nulls[i])
		{
			out_lit(out, "null");
			continue;
		}
		if (r->fields[i].renderer == nullptr || r->fields[i].typid != att->atttypid)
		{
			r->fields[i].renderer = get_renderer(session, att->atttypid);
			r->fields[i].typid = att->atttypid;
		}
		append_value(session, out, r->fields[i].renderer, values[i]);
	}
	appendStringInfoCharMacro(out, '}');

	pfree(values);
	pfree(nulls);
	ReleaseTupleDesc(tupdesc);
	if (reinterpret_cast<Pointer>(td) != DatumGetPointer(value))
		pfree(td);
}

void
append_output(StringInfo out, TypeRenderer *r, Datum value)
{
	char *text = OutputFunctionCall(&r->func, value);

	out_json_string(out, text);
	pfree(text);
}

void
append_value(Session &session, StringInfo out, TypeRenderer *r, Datum value)
{
	if (unlikely(r->stale || !r->built))
		build_renderer(session, r);

	switch (r->kind)
	{
		case RenderKind::Bool:
			if (DatumGetBool(value))
				out_lit(out, "true");
			else
				out_lit(out, "false");
			break;
		case RenderKind::Int2:
			append_int64(out, DatumGetInt16(value), r->numbers_as_string);
			break;
		case RenderKind::Int4:
			append_int64(out, DatumGetInt32(value), r->numbers_as_string);
			break;
		case RenderKind::Int8:
			append_int64(out, DatumGetInt64(value), r->numbers_as_string);
			break;
		case RenderKind::Float4:
		{
			float f = DatumGetFloat4(value);
			char buf[FLOAT_SHORTEST_DECIMAL_LEN];

			if (!append_nonfinite(out, f))
				append_quoted_if(out, r->numbers_as_string, buf, float_to_shortest_decimal_bufn(f, buf));
			break;
		}
		case RenderKind::Float8:
		{
			double d = DatumGetFloat8(value);
			char buf[DOUBLE_SHORTEST_DECIMAL_LEN];

			if (!append_nonfinite(out, d))
				append_quoted_if(out, r->numbers_as_string, buf, double_to_shortest_decimal_bufn(d, buf));
			break;
		}
		case RenderKind::Numeric:
			append_numeric(out, value, r->numbers_as_string);
			break;
		case RenderKind::Text:
			append_text_varlena(out, value);
			break;
		case RenderKind::Name:
		{
			const char *name = NameStr(*DatumGetName(value));

			out_json_string_len(out, name, strnlen(name, NAMEDATALEN));
			break;
		}
		case RenderKind::Bytea:
			append_bytea(out, value);
			break;
		case RenderKind::Uuid:
		{
			char buf[kUuidTextLen];
			size_t len = format_uuid(DatumGetUUIDP(value)->data, buf);

			append_quoted_if(out, true, buf, static_cast<int>(len));
			break;
		}
		case RenderKind::Date:
			append_datetime(out, value, DATEOID);
			break;
		case RenderKind::Timestamp:
			append_datetime(out, value, TIMESTAMPOID);
			break;
		case RenderKind::TimestampTz:
			append_datetime(out, value, TIMESTAMPTZOID);
			break;
		case RenderKind::Interval:
			append_interval(out, value);
			break;
		case RenderKind::Json:
			append_json_text(out, value);
			break;
		case RenderKind::Jsonb:
		{
			Jsonb *jb = DatumGetJsonbP(value);

			append_jsonb(out, jb);
			if (reinterpret_cast<Pointer>(jb) != DatumGetPointer(value))
				pfree(jb);
			break;
		}
		case RenderKind::Array:
			append_array(session, out, r, value);
			break;
		case RenderKind::Composite:
			append_composite(session, out, r, value);
			break;
		case RenderKind::Cast:
		{
			/* An extension's cast function: its text may depend on settings. */
			ensure_fixed_settings(session);
			Datum json = FunctionCall1(&r->func, value);

			append_json_text(out, json);
			break;
		}
		case RenderKind::OutputFixed:
			ensure_fixed_settings(session);
			append_output(out, r, value);
			break;
		case RenderKind::Output:
			append_output(out, r, value);
			break;
	}
}

} // namespace

const TypeRenderer *
native_renderer(Session &session, Oid typid)
{
	return get_renderer(session, typid);
}

void
native_append_value(Session &session, StringInfo out, const TypeRenderer *renderer, Datum value)
{
	/* Renderers belong to the session's cache, which rebuilds them in place. */
	append_value(session, out, const_cast<TypeRenderer *>(renderer), value);
}

void
native_types_invalidate(Session &session)
{
	HASH_SEQ_STATUS status;
	TypeRenderer *r;

	if (session.types == nullptr)
		return;
	hash_seq_init(&status, session.types);
	while ((r = static_cast<TypeRenderer *>(hash_seq_search(&status))) != nullptr)
		r->stale = true;
}

void
native_release_settings(Session &session)
{
	if (session.fixed_settings_level == 0)
		return;
	int level = session.fixed_settings_level;

	session.fixed_settings_level = 0;
	/* Pop only a level pushed in this (sub)transaction: an abort since then
	 * has already restored the settings and reused the level number. */
	if (fixed_settings_current(session))
		AtEOXact_GUC(true, level);
	fixed_owner.session = nullptr;
}

} // namespace outflow
