/*
 * value_kinds.cpp: how values of a type are written in the native format,
 * chosen once per type. The categories follow PostgreSQL 15's
 * jsonb_categorize_type: domains are looked through; bool, numbers,
 * date/timestamp/timestamptz, json and jsonb have their own rendering (fast
 * paths); arrays become JSON arrays and composites objects; a non-built-in
 * type with a function cast to json goes through that cast; everything else
 * is its output function's text as a JSON string.
 *
 * Renderers live in session.types, an HTAB of TypeRenderer by type oid.
 * Entries never move and are never freed while the session lives: an
 * invalidation only marks them stale, and a stale renderer is rebuilt in
 * place on its next use. So pointers kept by relation entries stay valid.
 */
#include "session.h"
#include "value_native_impl.h"

extern "C" {
#include "catalog/pg_type.h"
#include "access/transam.h"
#include "parser/parse_coerce.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
}

namespace outflow {
namespace native {

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

} // namespace

/* The renderer's own memory context, created when its first function needs it. */
static MemoryContext
renderer_cxt(Session &session, TypeRenderer *r)
{
	if (r->cxt == nullptr)
		r->cxt = AllocSetContextCreate(session.session_cxt, "outflow type renderer", ALLOCSET_SMALL_SIZES);
	return r->cxt;
}

/* Fills r (already in the cache) for its type: the kind, and what that kind needs. */
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
	if (r->cxt != nullptr)
		MemoryContextReset(r->cxt); /* the old function's caches go with it */

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
					fmgr_info_cxt(castfunc, &r->func, renderer_cxt(session, r));
				}
				else
				{
					getTypeOutputInfo(base, &outfunc, &varlena);
					fmgr_info_cxt(outfunc, &r->func, renderer_cxt(session, r));
					r->kind = output_depends_on_settings(base, 0) ? RenderKind::OutputFixed
																  : RenderKind::Output;
				}
			}
			break;
		}
	}
	r->built = true;
}

/* The cached renderer for typid: created on first use, rebuilt in place when stale. */
TypeRenderer *
get_renderer(Session &session, Oid typid)
{
	bool found;

	if (session.types == nullptr)
		session.types = session.make_hash("outflow native renderers", sizeof(Oid), sizeof(TypeRenderer), 64);

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

} // namespace native

/* The renderer for typid, built on first use and cached for the session. */
const TypeRenderer *
native_renderer(Session &session, Oid typid)
{
	return native::get_renderer(session, typid);
}

/* Marks every cached renderer stale (after a type or cast changed). */
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

} // namespace outflow
