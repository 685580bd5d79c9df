/*
 * value_scalars.cpp: the rendering core's writers of numerics, bytea and
 * output-function text, for both styles (value_render.h): the
 * native style writes what to_jsonb gives (the special values NaN and the
 * infinities as strings, bytea as "\\x" + hex), the wal2json style the
 * output function's text as wal2json classifies it (the special values
 * null, bytea's hex without "\x"). The smaller scalars (floats among them)
 * are written by the dispatch in value_render.cpp.
 */
#include "pg_text_numeric.h"
#include "value_impl.h"

extern "C" {
#include "access/detoast.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
}

namespace outflow {
namespace render {

namespace {

/* The output function's text of a non-null value (palloc'd); a varlena
 * read in place when it can be (varlena_readable), a detoasted copy freed after. */
char *
output_text(const TypeRenderer *r, Datum value)
{
	if (r->typlen != -1)
		return OutputFunctionCall(const_cast<FmgrInfo *>(&r->func), value);

	bool copied;
	struct varlena *plain = varlena_readable(reinterpret_cast<struct varlena *>(DatumGetPointer(value)), &copied);
	char *text = OutputFunctionCall(const_cast<FmgrInfo *>(&r->func), PointerGetDatum(plain));

	if (copied)
		pfree(plain);
	return text;
}

} // namespace

/* A finite numeric directly; NaN and the infinities by their numeric_out names. */
void
append_numeric(StringInfo out, const TypeRenderer *r, Datum value)
{
	if (likely(append_numeric_finite(out, value, r->quoted)))
		return;

	char *text = DatumGetCString(DirectFunctionCall1(numeric_out, value));

	append_special(out, r, text);
	pfree(text);
}

/* prefix, lower-case hex, '"'; errors if the JSON would pass MaxAllocSize. */
void
append_bytea_hex(StringInfo out, Datum value, const char *prefix, int prefix_len)
{
	bool copied;
	/* pg_detoast_datum_packed, reading a reassembled TOAST value in place */
	struct varlena *v = varlena_readable(reinterpret_cast<struct varlena *>(DatumGetPointer(value)), &copied);
	size_t len = VARSIZE_ANY_EXHDR(v);

	if (len > (MaxAllocSize - 8) / 2)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("outflow: bytea value of %zu bytes is too long to write as JSON", len)));
	char *dst = append_reserve(out, static_cast<int>(2 * len) + prefix_len + 1);

	memcpy(dst, prefix, prefix_len);
	dst += prefix_len;
	dst += format_hex(reinterpret_cast<const uint8_t *>(VARDATA_ANY(v)), len, dst);
	*dst++ = '"';
	*dst = '\0';
	out->len = static_cast<int>(dst - out->data);
	if (copied)
		pfree(v);
}

/*
 * wal2json drops the first two bytes of the output, assuming "\x"; with
 * bytea_output = escape that corrupts the value, so we drop "\x" only when
 * it is there and write escape-format output whole.
 */
void
append_bytea_output(StringInfo out, const TypeRenderer *r, Datum value)
{
	char *text = output_text(r, value);
	size_t len = strlen(text);

	if (len >= 2 && text[0] == '\\' && text[1] == 'x')
		append_json_string(out, text + 2, len - 2);
	else
		append_json_string(out, text, len);
	pfree(text);
}

/* The output function's text as a JSON string. */
void
append_output(StringInfo out, const TypeRenderer *r, Datum value)
{
	char *text = output_text(r, value);

	append_json_cstring(out, text);
	pfree(text);
}

/* Digits and signs bare; NaN and the infinities null (not JSON numbers); quoted if r->quoted. */
void
append_output_number(StringInfo out, const TypeRenderer *r, Datum value)
{
	char *text = output_text(r, value);
	size_t len = strlen(text);
	bool digits = strspn(text, "0123456789+-eE.") == len;
	bool special = pg_strncasecmp(text, "NaN", 3) == 0 || pg_strncasecmp(text, "Infinity", 8) == 0 ||
				   pg_strncasecmp(text, "-Infinity", 9) == 0;

	if (!digits && !special)
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION), errmsg("%s is not a number", text)));
	if (r->quoted)
		append_json_string(out, text, len);
	else if (special)
		append_lit(out, "null");
	else
		append_bytes(out, text, static_cast<int>(len));
	pfree(text);
}

/* The size of append_output's JSON. */
Size
output_json_size(const TypeRenderer *r, Datum value)
{
	char *text = output_text(r, value);
	Size size = json_escaped_size(text, strlen(text)) + 2;

	pfree(text);
	return size;
}

} // namespace render
} // namespace outflow
