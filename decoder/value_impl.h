/*
 * value_impl.h: the rendering core's own parts, shared by its source files
 * (other decoder code uses value_render.h):
 *
 * value_render.cpp   the dispatch: one case per RenderKind, the public API
 * value_kinds.cpp    choosing a type's RenderKind in either style, the cache
 * value_scalars.cpp  numbers, bytea, output-function text (both styles)
 * value_datetime.cpp date, timestamp, timestamptz, interval
 * value_json.cpp     json and jsonb
 * value_nested.cpp   arrays and composites (native recursion)
 * value_settings.cpp the native style's fixed GUC settings
 *
 * The copies of PostgreSQL's text routines they call are in pg_text*.h and
 * pg_text.cpp. Every function here calls into PostgreSQL and may longjmp:
 * no object with a destructor lives on these stacks.
 */
#ifndef OUTFLOW_VALUE_IMPL_H
#define OUTFLOW_VALUE_IMPL_H

#include <cstdint>
#include <cstring>

#include "pg.h"
#include "pg_text.h"
#include "pg_text_format.h"
#include "value_render.h"

namespace outflow {

struct Session;

/* Which rendering a session's values get (its format). */
enum class ValueStyle : uint8
{
	Native,	 /* to_jsonb under fixed settings */
	Wal2json /* output-function text under the consumer's settings, wal2json's JSON kinds */
};

/* How values of a type are written, chosen once per type and style. */
enum class RenderKind : uint8
{
	/* Both styles. quoted: numbers (and wal2json's jsonb text) as JSON strings. */
	Bool,		 /* true / false */
	Int2,
	Int4,
	Int8,
	Float4,		 /* shortest digits (wal2json: when extra_float_digits > 0) */
	Float8,
	Numeric,	 /* finite values from the stored digits */
	Text,		 /* text, varchar, bpchar (wal2json: also json): escaped from the varlena */
	Name,
	Uuid,
	Jsonb,		 /* jsonb_out's text: native as JSON, wal2json inside a JSON string */
	Output,		 /* the output function's text as a JSON string, settings as they are */

	/* Native style only. */
	Bytea,		 /* "\\x" + hex */
	Date,
	Timestamp,
	TimestampTz, /* always in UTC */
	Interval,	 /* IntervalStyle postgres */
	Json,		 /* parsed as jsonb, as to_jsonb does */
	Array,
	Composite,
	Cast,		 /* non-built-in type with a function cast to json */
	OutputFixed, /* the output function under the fixed settings */

	/* wal2json style only. */
	BoolLetter,	  /* a bool wal2json classifies as text: "t" / "f" */
	ByteaHex,	  /* hex without "\x" (bytea_output hex), else the output text */
	TimestampIso, /* timestamp_out's text (DateStyle ISO), else the output text */
	TimestampTzIso, /* timestamptz_out's text (DateStyle ISO, a fixed-offset TimeZone) */
	TextArray,	  /* array_out's text of a text or varchar array */
	OutputNumber  /* the output function's text as a JSON number (NaN, infinities: null) */
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
	ValueStyle style;
	bool quoted;		 /* numbers as JSON strings (numeric_data_types_as_string, wal2json text) */
	bool stale;			 /* invalidated: rebuild before the next use */
	bool built;			 /* false until a build has completed */
	int16 typlen;		 /* -1: varlena, detoasted (and freed) around the output function */

	FmgrInfo func;	   /* output function (Output*, wal2json fallbacks) or cast function (Cast) */
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

namespace render {

/* A special value's name (NaN, Infinity, -Infinity) as a string (to_jsonb;
 * wal2json's quoted numbers), or null (wal2json's bare numbers: not JSON numbers). */
inline void
append_special(StringInfo out, const TypeRenderer *r, const char *name)
{
	if (r->style == ValueStyle::Wal2json && !r->quoted)
		append_lit(out, "null");
	else
		append_quoted_if(out, true, name, static_cast<int>(strlen(name)));
}

/* value_kinds.cpp */

/* Fills r (already in the cache) for its type, in the session's style. */
void build_renderer(Session &session, TypeRenderer *r);

/* value_scalars.cpp */

/* Appends a numeric: bare (or quoted) digits, the special values by style. */
void append_numeric(StringInfo out, const TypeRenderer *r, Datum value);

/* Appends a bytea as a JSON string of lower-case hex after prefix (native: "\\\\x"). */
void append_bytea_hex(StringInfo out, Datum value, const char *prefix, int prefix_len);

/* wal2json: a bytea's output text without its "\x" (whole for bytea_output escape). */
void append_bytea_output(StringInfo out, const TypeRenderer *r, Datum value);

/* Appends the output function's text as a JSON string. */
void append_output(StringInfo out, const TypeRenderer *r, Datum value);

/* Appends the output function's text as a JSON number: NaN and infinities null, quoted if r->quoted. */
void append_output_number(StringInfo out, const TypeRenderer *r, Datum value);

/* The size of append_output's JSON, by calling the output function. */
Size output_json_size(const TypeRenderer *r, Datum value);

/* value_datetime.cpp */

/* Appends a date, timestamp or timestamptz (typid says which), ISO, in UTC. */
void append_datetime(StringInfo out, Datum value, Oid typid);

/* Appends an interval as IntervalStyle postgres writes it. */
void append_interval(StringInfo out, Datum value);

/* wal2json: timestamp_out's or timestamptz_out's text, directly where the settings allow. */
void append_timestamp_output(StringInfo out, const TypeRenderer *r, Datum value, bool with_zone);

/* value_json.cpp */

/* Appends json text as to_jsonb would (parsed as jsonb), or verbatim if it has no jsonb form. */
void append_json_text(StringInfo out, Datum value);

/* value_nested.cpp */

/* Appends an array as (nested) JSON arrays, elements through r->elem. */
void append_array(Session &session, StringInfo out, TypeRenderer *r, Datum value);

/* An upper bound of an array's JSON, element by element (oversize.h); exact elements counted exactly. */
Size array_json_bound(Session &session, TypeRenderer *r, Datum value);

/* Appends a composite as a JSON object of its live attributes. */
void append_composite(Session &session, StringInfo out, TypeRenderer *r, Datum value);

/* value_settings.cpp */

/* Pushes the fixed settings, once per transaction, on the first value needing them. */
void ensure_fixed_settings(Session &session);

} // namespace render
} // namespace outflow

#endif
