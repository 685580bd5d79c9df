/*
 * value_scalars.cpp: the native writers of numeric, text and bytea values,
 * equal to what to_jsonb gives (bytea_output 'hex'). The smaller scalars
 * (bool, integers, floats, name, uuid) are written inline by the dispatch in
 * value_native.cpp.
 */
#include "value_native_impl.h"
#include "numeric_out.h"

extern "C" {
#include "access/detoast.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
}

namespace outflow {
namespace native {

/* A finite numeric directly; NaN and the infinities through numeric_out. */
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

/* Lower-case hex after \x, as bytea_output hex; errors if the JSON would pass MaxAllocSize. */
void
append_bytea(StringInfo out, Datum value)
{
	bool copied;
	/* pg_detoast_datum_packed, reading a reassembled TOAST value in place */
	struct varlena *v = varlena_readable(reinterpret_cast<struct varlena *>(DatumGetPointer(value)), &copied);
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
	if (copied)
		pfree(v);
}

} // namespace native
} // namespace outflow
