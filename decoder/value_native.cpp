/*
 * value_native.cpp: values in the native format, equal to what to_jsonb
 * gives under fixed settings (TimeZone 'UTC', DateStyle 'ISO, YMD',
 * IntervalStyle 'postgres', extra_float_digits 1, bytea_output 'hex').
 *
 * This file is the dispatch: one case per RenderKind, the small scalars
 * written inline, the others by the writers in value_scalars.cpp,
 * value_datetime.cpp, value_json.cpp and value_nested.cpp. How a type's
 * kind is chosen and cached: value_kinds.cpp. value_native_impl.h lists
 * the files.
 *
 * Every function here calls into PostgreSQL and may longjmp: no object with
 * a destructor lives on these stacks.
 */
#include "pg_text_jsonb.h"
#include "oversize.h"
#include "session.h"
#include "value_native_impl.h"

extern "C" {
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "utils/uuid.h"
}

namespace outflow {
namespace native {

namespace {

/* The type's output function's text as a JSON string. */
void
append_output(StringInfo out, TypeRenderer *r, Datum value)
{
	char *text = OutputFunctionCall(&r->func, value);

	append_json_cstring(out, text);
	pfree(text);
}

} // namespace

/* Dispatches on the renderer's kind (rebuilding it first if stale). */
void
append_value(Session &session, StringInfo out, TypeRenderer *r, Datum value)
{
	if (unlikely(r->stale || !r->built))
		build_renderer(session, r);

	switch (r->kind)
	{
		case RenderKind::Bool:
			if (DatumGetBool(value))
				append_lit(out, "true");
			else
				append_lit(out, "false");
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
			append_text_json(out, value);
			break;
		case RenderKind::Name:
		{
			const char *name = NameStr(*DatumGetName(value));

			append_json_string(out, name, strnlen(name, NAMEDATALEN));
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
			/* From the stored form, without a copy of a short value (pg_text_jsonb.h). */
			append_jsonb_text(out, value, false);
			break;
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

/*
 * Exact for text, bytea, jsonb and output-function types (a counting
 * pass, the length, a walk of the stored form, the function's text
 * counted); a bound for the rest: json 6 bytes per byte (escapes stay
 * escapes, "," and ":" become ", " and ": "), numerics their longest
 * text, arrays element by element, composites and casts kBoundFactor per
 * byte.
 */
Size
value_size(Session &session, TypeRenderer *r, Datum value, Size raw, bool *exact)
{
	if (unlikely(r->stale || !r->built))
		build_renderer(session, r);
	*exact = false;
	switch (r->kind)
	{
		case RenderKind::Text:
			*exact = true;
			return text_value_json_size(value);
		case RenderKind::Bytea:
			*exact = true;
			return 2 * raw + 5; /* "\\x" + hex + '"' */
		case RenderKind::OutputFixed:
		case RenderKind::Output:
		{
			char *text;
			Size size;

			if (r->kind == RenderKind::OutputFixed)
				ensure_fixed_settings(session);
			text = OutputFunctionCall(&r->func, value);
			size = json_escaped_size(text, strlen(text)) + 2;
			pfree(text);
			*exact = true;
			return size;
		}
		case RenderKind::Jsonb:
			*exact = true;
			return jsonb_text_size(value, false);
		case RenderKind::Json:
			return 6 * raw + 64; /* escapes stay escapes; ", " and ": " for , and : */
		case RenderKind::Numeric:
			return kNumericTextMax + 2;
		case RenderKind::Array:
			return array_json_bound(session, r, value);
		default:
			return kBoundFactor * raw + kBoundSlack;
	}
}

} // namespace native

Size
native_value_size(Session &session, const TypeRenderer *renderer, Datum value, Size raw, bool *exact)
{
	return native::value_size(session, const_cast<TypeRenderer *>(renderer), value, raw, exact);
}

/* Appends the JSON for a non-null, already detoastable value. */
void
native_append_value(Session &session, StringInfo out, const TypeRenderer *renderer, Datum value)
{
	/* Renderers belong to the session's cache, which rebuilds them in place. */
	native::append_value(session, out, const_cast<TypeRenderer *>(renderer), value);
}

} // namespace outflow
