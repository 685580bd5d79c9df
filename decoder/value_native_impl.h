/*
 * value_native_impl.h: the parts of the native value writers shared by their
 * source files (not for other decoder code, which uses value_native.h).
 *
 * value_native.cpp   the dispatch: one writer per RenderKind, public API
 * value_kinds.cpp    choosing a type's RenderKind, the renderer cache
 * value_scalars.cpp  numeric, text, bytea
 * value_datetime.cpp date, timestamp, timestamptz, interval
 * value_json.cpp     json and jsonb
 * value_nested.cpp   arrays and composites (recursion)
 * value_settings.cpp the fixed GUC settings for output functions
 *
 * Every function here calls into PostgreSQL and may longjmp: no object with
 * a destructor lives on these stacks.
 */
#ifndef OUTFLOW_VALUE_NATIVE_IMPL_H
#define OUTFLOW_VALUE_NATIVE_IMPL_H

#include <cmath>
#include <cstdint>
#include <cstring>

#include "pg.h"
#include "pg_text.h"
#include "pg_text_format.h"
#include "value_native.h"

extern "C" {
#include "utils/jsonb.h"
}

namespace outflow {

struct Session;

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

	FmgrInfo func;	   /* output function (Output*) or cast function (Cast) */
	MemoryContext cxt; /* func's memory (its fn_extra caches), reset on rebuild */

	/* Array: the element type. */
	TypeRenderer *elem;
	int16 elmlen;
	bool elmbyval;
	char elmalign;

	/* Composite: renderers by attribute index, checked against atttypid per value. */
	int nfields;
	FieldRenderer *fields;
};

namespace native {

/* value_kinds.cpp */

/* The cached renderer for typid, built (or rebuilt, if stale) first. */
TypeRenderer *get_renderer(Session &session, Oid typid);

/* Fills r (already in the cache) for its type. */
void build_renderer(Session &session, TypeRenderer *r);

/* value_native.cpp */

/* Appends the JSON for a non-null value through its renderer. */
void append_value(Session &session, StringInfo out, TypeRenderer *r, Datum value);

/* value_scalars.cpp */

/* Appends a numeric: bare (or quoted) digits, the special values as strings. */
void append_numeric(StringInfo out, Datum value, bool quoted);

/* Appends a bytea as the JSON string "\\x" + lower-case hex. */
void append_bytea(StringInfo out, Datum value);

/* value_datetime.cpp */

/* Appends a date, timestamp or timestamptz (typid says which), ISO, in UTC. */
void append_datetime(StringInfo out, Datum value, Oid typid);

/* Appends an interval as IntervalStyle postgres writes it. */
void append_interval(StringInfo out, Datum value);

/* value_json.cpp */

/* Appends a jsonb value's canonical text. */
void append_jsonb(StringInfo out, Jsonb *jb);

/* Appends json text as to_jsonb would (parsed as jsonb), or verbatim if it has no jsonb form. */
void append_json_text(StringInfo out, Datum value);

/* value_nested.cpp */

/* Appends an array as (nested) JSON arrays, elements through r->elem. */
void append_array(Session &session, StringInfo out, TypeRenderer *r, Datum value);

/* An upper bound of an array's JSON, element by element (oversize.h); exact elements counted exactly. */
Size array_json_bound(Session &session, TypeRenderer *r, Datum value);

/* Appends a composite as a JSON object of its live attributes. */
void append_composite(Session &session, StringInfo out, TypeRenderer *r, Datum value);

/* The size of a value's JSON or a bound of it (native_value_size's body). */
Size value_size(Session &session, TypeRenderer *r, Datum value, Size raw, bool *exact);

/* value_settings.cpp */

/* Pushes the fixed settings, once per transaction, on the first value needing them. */
void ensure_fixed_settings(Session &session);

/* NaN and the infinities are strings, as to_jsonb gives them; false for other values. */
inline bool
append_nonfinite(StringInfo out, double d)
{
	if (std::isnan(d))
		append_lit(out, "\"NaN\"");
	else if (std::isinf(d))
	{
		if (d > 0)
			append_lit(out, "\"Infinity\"");
		else
			append_lit(out, "\"-Infinity\"");
	}
	else
		return false;
	return true;
}

} // namespace native
} // namespace outflow

#endif
