/*
 * value_json.cpp: the native style's writer of json values: to_jsonb parses
 * json text as jsonb. (jsonb values, in both styles, are written from their
 * stored form by pg_text_jsonb.h.)
 */
#include "pg_text_jsonb.h"
#include "value_impl.h"

extern "C" {
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

namespace outflow {
namespace render {

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
	bool copied;
	struct varlena *t = varlena_readable(reinterpret_cast<struct varlena *>(DatumGetPointer(value)), &copied);
	char *cstr = pnstrdup(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)); /* json_in reads a C string */
	Datum jb;

	if (compat::json_to_jsonb(cstr, VARSIZE_ANY_EXHDR(t), &jb))
	{
		append_jsonb_text(out, jb, false); /* jsonb_out's text (pg_text_jsonb.h) */
		pfree(DatumGetPointer(jb));
	}
	else
		appendBinaryStringInfo(out, VARDATA_ANY(t), static_cast<int>(VARSIZE_ANY_EXHDR(t)));
	pfree(cstr);
	if (copied)
		pfree(t);
}

} // namespace render
} // namespace outflow
