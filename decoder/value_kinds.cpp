/*
 * value_kinds.cpp: how values of a type are written, chosen once per type in
 * the session's style (value_render.h), and the cache of those choices.
 *
 * Native: the categories of PostgreSQL 15's jsonb_categorize_type: domains
 * are looked through; bool, numbers, date/timestamp/timestamptz, json and
 * jsonb have their own rendering (fast paths); arrays become JSON arrays and
 * composites objects; a non-built-in type with a function cast to json goes
 * through that cast; everything else is its output function's text as a
 * JSON string.
 *
 * wal2json: the output function's text, classified by the type wal2json
 * looks at (a number, a bool, a bytea or text); output functions whose text
 * we write directly (the same bytes) have a fast path each.
 *
 * Renderers live in session.types, an HTAB of TypeRenderer by type oid.
 * Entries never move and are never freed while the session lives: an
 * invalidation only marks them stale, and a stale renderer is rebuilt in
 * place on its next use. So pointers kept by relation entries stay valid.
 */
#include "session.h"
#include "value_impl.h"

extern "C" {
#include "catalog/pg_type.h"
#include "access/transam.h"
#include "parser/parse_coerce.h"
#include "utils/hsearch.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace outflow {
namespace render {

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
#if OUTFLOW_HAS_MULTIRANGES
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

/*
 * A built-in type with a fast path: its oid, its output function, and the
 * kind its values get in each style (Output: none in that style). Native
 * looks a type up by its (base) type, wal2json by its output function.
 */
struct BuiltinKind
{
	Oid type;
	Oid output;
	RenderKind native;
	RenderKind wal2json;
};

constexpr BuiltinKind kBuiltinKinds[] = {
	{BOOLOID, F_BOOLOUT, RenderKind::Bool, RenderKind::Bool},
	{INT2OID, F_INT2OUT, RenderKind::Int2, RenderKind::Int2},
	{INT4OID, F_INT4OUT, RenderKind::Int4, RenderKind::Int4},
	{INT8OID, F_INT8OUT, RenderKind::Int8, RenderKind::Int8},
	{FLOAT4OID, F_FLOAT4OUT, RenderKind::Float4, RenderKind::Float4},
	{FLOAT8OID, F_FLOAT8OUT, RenderKind::Float8, RenderKind::Float8},
	{NUMERICOID, F_NUMERIC_OUT, RenderKind::Numeric, RenderKind::Numeric},
	{TEXTOID, F_TEXTOUT, RenderKind::Text, RenderKind::Text},
	{VARCHAROID, F_VARCHAROUT, RenderKind::Text, RenderKind::Text},
	{BPCHAROID, F_BPCHAROUT, RenderKind::Text, RenderKind::Text},
	{NAMEOID, F_NAMEOUT, RenderKind::Name, RenderKind::Name},
	{BYTEAOID, F_BYTEAOUT, RenderKind::Bytea, RenderKind::Output}, /* wal2json: its own class */
	{UUIDOID, F_UUID_OUT, RenderKind::Uuid, RenderKind::Uuid},
	{DATEOID, F_DATE_OUT, RenderKind::Date, RenderKind::Output},
	{TIMESTAMPOID, F_TIMESTAMP_OUT, RenderKind::Timestamp, RenderKind::TimestampIso},
	{TIMESTAMPTZOID, F_TIMESTAMPTZ_OUT, RenderKind::TimestampTz, RenderKind::TimestampTzIso},
	{INTERVALOID, F_INTERVAL_OUT, RenderKind::Interval, RenderKind::Output},
	{JSONOID, F_JSON_OUT, RenderKind::Json, RenderKind::Text}, /* json_out returns the stored text */
	{JSONBOID, F_JSONB_OUT, RenderKind::Jsonb, RenderKind::Jsonb},
};

/* The kind (native or wal2json) of the built-in whose key (type or output) is oid; Output if none. */
RenderKind
builtin_kind(Oid oid, Oid BuiltinKind::*key, RenderKind BuiltinKind::*kind)
{
	for (const BuiltinKind &k : kBuiltinKinds)
	{
		if (k.*key == oid)
			return k.*kind;
	}
	return RenderKind::Output;
}

/* The renderer's own memory context, created when its first function needs it. */
MemoryContext
renderer_cxt(Session &session, TypeRenderer *r)
{
	if (r->cxt == nullptr)
		r->cxt = AllocSetContextCreate(session.session_cxt, "outflow type renderer", ALLOCSET_SMALL_SIZES);
	return r->cxt;
}

/* Native: arrays, composites, casts to json and output functions (types without a fast path). */
void
choose_native_general(Session &session, TypeRenderer *r, Oid base)
{
	Oid elemtype = get_element_type(base);
	Oid castfunc = InvalidOid;
	Oid outfunc;
	bool varlena;

	if (OidIsValid(elemtype))
	{
		r->kind = RenderKind::Array;
		get_typlenbyvalalign(elemtype, &r->elmlen, &r->elmbyval, &r->elmalign);
		r->elem = value_renderer(session, elemtype);
	}
	else if (type_is_rowtype(base))
		r->kind = RenderKind::Composite; /* fields are resolved from each value's tuple descriptor */
	else if (base >= FirstNormalObjectId &&
			 find_coercion_pathway(JSONOID, base, COERCION_EXPLICIT, &castfunc) == COERCION_PATH_FUNC &&
			 OidIsValid(castfunc))
	{
		r->kind = RenderKind::Cast;
		fmgr_info_cxt(castfunc, &r->func, renderer_cxt(session, r));
	}
	else
	{
		getTypeOutputInfo(base, &outfunc, &varlena);
		fmgr_info_cxt(outfunc, &r->func, renderer_cxt(session, r));
		r->kind = output_depends_on_settings(base, 0) ? RenderKind::OutputFixed : RenderKind::Output;
	}
}

/* Whether kind writes a number's digits directly. */
bool
is_number_kind(RenderKind kind)
{
	return kind == RenderKind::Int2 || kind == RenderKind::Int4 || kind == RenderKind::Int8 ||
		   kind == RenderKind::Float4 || kind == RenderKind::Float8 || kind == RenderKind::Numeric;
}

/* Native: to_jsonb's rendering of the base type. */
void
choose_native(Session &session, TypeRenderer *r)
{
	Oid base = getBaseType(r->typid);

	r->typlen = get_typlen(base);
	r->kind = builtin_kind(base, &BuiltinKind::type, &BuiltinKind::native);
	if (r->kind == RenderKind::Output)
		choose_native_general(session, r, base);
	r->quoted = session.opts.numeric_data_types_as_string && is_number_kind(r->kind);
}

/*
 * The type wal2json classifies a column of typid by: format 1 swaps in a
 * domain's (immediate) base type when it prints types and
 * include-domain-data-type is on; otherwise, and always in format 2, the
 * column's own type.
 */
Oid
wal2json_class_type(const Options &opts, Oid typid)
{
	if (opts.format_version != 1 || !opts.include_types || !opts.include_domain_data_type)
		return typid;

	HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	Oid shown = typid;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for type %u", typid);
	Form_pg_type typ = reinterpret_cast<Form_pg_type>(GETSTRUCT(tup));

	if (typ->typtype == TYPTYPE_DOMAIN)
		shown = typ->typbasetype;
	ReleaseSysCache(tup);
	return shown;
}

/* wal2json: the output function (every kind falls back to it), its fast path, wal2json's class. */
void
choose_wal2json(Session &session, TypeRenderer *r)
{
	Oid outfunc;
	bool varlena;

	getTypeOutputInfo(r->typid, &outfunc, &varlena);
	fmgr_info_cxt(outfunc, &r->func, renderer_cxt(session, r));
	r->typlen = get_typlen(r->typid);

	RenderKind fast = builtin_kind(outfunc, &BuiltinKind::output, &BuiltinKind::wal2json);

	if (outfunc == F_ARRAY_OUT)
	{
		Oid elem = get_element_type(getBaseType(r->typid));

		fast = elem == TEXTOID || elem == VARCHAROID ? RenderKind::TextArray : RenderKind::Output;
	}
	switch (wal2json_class_type(session.opts, r->typid))
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			r->quoted = session.opts.numeric_data_types_as_string;
			r->kind = is_number_kind(fast) ? fast : RenderKind::OutputNumber;
			break;
		case BOOLOID:
			r->quoted = false;
			r->kind = RenderKind::Bool; /* boolout */
			break;
		case BYTEAOID:
			r->quoted = false;
			r->kind = RenderKind::ByteaHex;
			break;
		default:
			/* Text: numbers, bools and jsonb's text inside JSON strings. */
			r->quoted = true;
			r->kind = fast == RenderKind::Bool ? RenderKind::BoolLetter : fast;
			break;
	}
}

} // namespace

/* Fills r (already in the cache) for its type: the kind, and what that kind needs. */
void
build_renderer(Session &session, TypeRenderer *r)
{
	/* Cleared first: an invalidation arriving while we build marks it again;
	 * built stays false if the build fails half-way. */
	r->stale = false;
	r->built = false;
	r->elem = nullptr;
	if (r->cxt != nullptr)
		MemoryContextReset(r->cxt); /* the old function's caches go with it */
	r->style = session.opts.format == FormatKind::Native ? ValueStyle::Native : ValueStyle::Wal2json;
	if (r->style == ValueStyle::Native)
		choose_native(session, r);
	else
		choose_wal2json(session, r);
	r->built = true;
}

/* The cached renderer for typid: created on first use, rebuilt in place when stale. */
TypeRenderer *
value_renderer(Session &session, Oid typid)
{
	bool found;

	if (session.types == nullptr)
		session.types = session.make_hash("outflow type renderers", sizeof(Oid), sizeof(TypeRenderer), 64);

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

} // namespace render

/* Marks every cached renderer stale (after a type or cast changed). */
void
value_renderers_invalidate(Session &session)
{
	HASH_SEQ_STATUS status;
	TypeRenderer *r;

	if (session.types == nullptr)
		return;
	hash_seq_init(&status, session.types);
	while ((r = static_cast<TypeRenderer *>(hash_seq_search(&status))) != nullptr)
		r->stale = true;
}

} // namespace outflow
