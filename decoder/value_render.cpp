/*
 * value_render.cpp: the dispatch of the rendering core, one case per
 * RenderKind (value_impl.h lists them and the files that write them), for
 * both styles, the smaller scalars (floats among them) written here; and
 * the public API of value_render.h. How a type's kind is
 * chosen: value_kinds.cpp.
 *
 * Every function here calls into PostgreSQL and may longjmp: no object with
 * a destructor lives on these stacks.
 */
#include <cmath>

#include "oversize.h"
#include "pg_text_jsonb.h"
#include "session.h"
#include "value_impl.h"

extern "C" {
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "utils/float.h"
#include "utils/bytea.h"
#include "utils/uuid.h"
}

namespace outflow {
namespace render {

namespace {

/*
 * float4out and float8out write the shortest round-trip digits when
 * extra_float_digits > 0: always in the native style (its fixed settings
 * say 1); in the wal2json style the consumer's setting decides, and the
 * output function writes the rest.
 */
inline void
append_float(StringInfo out, const TypeRenderer *r, Datum value, bool single)
{
	double d = single ? DatumGetFloat4(value) : DatumGetFloat8(value);

	if (r->style == ValueStyle::Wal2json && extra_float_digits <= 0)
	{
		append_output_number(out, r, value);
		return;
	}
	if (std::isnan(d))
		append_special(out, r, "NaN");
	else if (std::isinf(d))
		append_special(out, r, d > 0 ? "Infinity" : "-Infinity");
	else
	{
		char *dst = append_reserve(out, DOUBLE_SHORTEST_DECIMAL_LEN + 2);
		int len;

		if (r->quoted)
			*dst++ = '"';
		len = single ? float_to_shortest_decimal_bufn(DatumGetFloat4(value), dst)
					 : double_to_shortest_decimal_bufn(d, dst);
		if (r->quoted)
			dst[len++] = '"';
		dst[len] = '\0';
		out->len += len + (r->quoted ? 1 : 0);
	}
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
			append_int64(out, DatumGetInt16(value), r->quoted);
			break;
		case RenderKind::Int4:
			append_int64(out, DatumGetInt32(value), r->quoted);
			break;
		case RenderKind::Int8:
			append_int64(out, DatumGetInt64(value), r->quoted);
			break;
		case RenderKind::Float4:
			append_float(out, r, value, true);
			break;
		case RenderKind::Float8:
			append_float(out, r, value, false);
			break;
		case RenderKind::Numeric:
			append_numeric(out, r, value);
			break;
		case RenderKind::Text:
			append_text_json(out, value);
			break;
		case RenderKind::Name:
			append_name_json(out, DatumGetName(value));
			break;
		case RenderKind::Uuid:
			append_uuid_quoted(out, DatumGetUUIDP(value)->data);
			break;
		case RenderKind::Jsonb:
			/* From the stored form, without a copy of a short value (pg_text_jsonb.h). */
			append_jsonb_text(out, value, r->quoted);
			break;
		case RenderKind::Output:
			append_output(out, r, value);
			break;
		case RenderKind::Bytea:
			append_bytea_hex(out, value, "\"\\\\x", 4);
			break;
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
		case RenderKind::Array:
			append_array(session, out, r, value);
			break;
		case RenderKind::Composite:
			append_composite(session, out, r, value);
			break;
		case RenderKind::Cast:
			/* An extension's cast function: its text may depend on settings. */
			ensure_fixed_settings(session);
			append_json_text(out, FunctionCall1(&r->func, value));
			break;
		case RenderKind::OutputFixed:
			ensure_fixed_settings(session);
			append_output(out, r, value);
			break;
		case RenderKind::BoolLetter:
			if (DatumGetBool(value))
				append_lit(out, "\"t\"");
			else
				append_lit(out, "\"f\"");
			break;
		case RenderKind::ByteaHex:
			if (bytea_output == BYTEA_OUTPUT_HEX)
				append_bytea_hex(out, value, "\"", 1);
			else
				append_bytea_output(out, r, value);
			break;
		case RenderKind::TimestampIso:
			append_timestamp_output(out, r, value, false);
			break;
		case RenderKind::TimestampTzIso:
			append_timestamp_output(out, r, value, true);
			break;
		case RenderKind::TextArray:
			if (!append_text_array_json(out, value))
				append_output(out, r, value);
			break;
		case RenderKind::OutputNumber:
			append_output_number(out, r, value);
			break;
	}
}

/*
 * Exact for text, bytea (hex), jsonb and, when call_output, types written
 * through their output function (a counting pass, the length, a walk of
 * the stored form, the function's text counted); a bound for the rest: json
 * 6 bytes per byte (escapes stay escapes, "," and ":" become ", " and ": "),
 * numbers their longest text, arrays element by element, the others
 * kBoundFactor per byte.
 */
Size
value_json_size(Session &session, TypeRenderer *r, Datum value, Size raw, bool call_output, bool *exact)
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
		case RenderKind::ByteaHex:
			*exact = bytea_output == BYTEA_OUTPUT_HEX;
			return *exact ? 2 * raw + 2 : 5 * raw + 2; /* escape: \ooo or \\\\ per byte at most */
		case RenderKind::Jsonb:
			*exact = true;
			return jsonb_text_size(value, r->quoted);
		case RenderKind::Json:
			return 6 * raw + 64; /* escapes stay escapes; ", " and ": " for , and : */
		case RenderKind::Numeric:
		case RenderKind::OutputNumber:
			return kNumericTextMax + 2;
		case RenderKind::Array:
			return array_json_bound(session, r, value);
		case RenderKind::OutputFixed:
		case RenderKind::Output:
		case RenderKind::TextArray:
			if (!call_output)
				break;
			if (r->kind == RenderKind::OutputFixed)
				ensure_fixed_settings(session);
			*exact = true;
			return output_json_size(r, value);
		default:
			break;
	}
	return kBoundFactor * raw + kBoundSlack;
}

} // namespace render

} // namespace outflow
