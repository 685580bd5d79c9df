/*
 * pg_text.cpp: the copies of PostgreSQL's output routines that read the
 * consumer's settings or walk an array (declared in pg_text.h):
 * timestamp_out and timestamptz_out under DateStyle ISO, array_out of a
 * text or varchar array. Each gives the function's own bytes, or says that
 * the function must be called.
 */
#include "pg_text.h"

extern "C" {
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/arrayaccess.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"
}

namespace outflow {

namespace {

/* Whether array_out puts an element in double quotes (typdelim ','). */
bool
array_elem_needs_quotes(const char *s, size_t len)
{
	if (len == 0)
		return true;
	if (len == 4 && pg_strncasecmp(s, "NULL", 4) == 0)
		return true;
	for (size_t i = 0; i < len; i++)
	{
		switch (s[i])
		{
			case '"':
			case '\\':
			case '{':
			case '}':
			case ',':
			case ' ':
			case '\t':
			case '\n':
			case '\r':
			case '\v':
			case '\f':
				return true;
			default:
				break;
		}
	}
	return false;
}

/*
 * Appends one element of array_out's text JSON-escaped: in array quotes
 * (written \") when quoted, with array_out's backslash before " and \
 * (written \\ before the escaped byte).
 */
void
append_array_elem_escaped(StringInfo out, const char *s, size_t len, bool quoted)
{
	if (quoted)
		append_lit(out, "\\\"");
	/* worst case: \\\" (4 bytes) or \u00XX (6 bytes) per byte */
	append_escaped_chunks<6>(out, s, len, [quoted](char *p, unsigned char c, char code) {
		if (code == 'u')
			return json_put_u00(p, c);
		if (quoted && (c == '"' || c == '\\'))
		{
			/* array_out's backslash, escaped */
			*p++ = '\\';
			*p++ = '\\';
		}
		*p++ = '\\';
		*p++ = code;
		return p;
	});
	if (quoted)
		append_lit(out, "\\\"");
}

} // namespace

size_t
format_timestamp_datestyle(Timestamp t, char *buf)
{
	if (DateStyle != USE_ISO_DATES || TIMESTAMP_NOT_FINITE(t))
		return 0;
	return format_timestamp_iso_space(t, buf);
}

size_t
format_timestamptz_datestyle(TimestampTz t, char *buf)
{
	long gmtoff;

	if (DateStyle != USE_ISO_DATES || TIMESTAMP_NOT_FINITE(t) || session_timezone == NULL ||
		!pg_get_timezone_offset(session_timezone, &gmtoff))
		return 0;
	if (gmtoff <= -100 * SECS_PER_HOUR || gmtoff >= 100 * SECS_PER_HOUR)
		return 0;
	size_t len = format_timestamp_iso_space(t + static_cast<int64>(gmtoff) * USECS_PER_SEC, buf);

	if (len == 0)
		return 0;
	size_t zlen = format_iso_zone(static_cast<int>(-gmtoff), buf + len);

	return zlen == 0 ? 0 : len + zlen;
}

bool
append_text_array_json(StringInfo out, Datum value)
{
	/* A short array is copied to the stack rather than detoasted into palloc'd memory. */
	LocalVarlena local;
	ArrayType *arr = reinterpret_cast<ArrayType *>(varlena_aligned(value, local));
	int ndim = ARR_NDIM(arr);
	bool done = false;

	if (ndim == 0)
	{
		append_lit(out, "\"{}\"");
		done = true;
	}
	else if (ndim == 1 && ARR_LBOUND(arr)[0] == 1)
	{
		int nitems = ARR_DIMS(arr)[0];
		array_iter iter;

		OUTFLOW_ARRAY_ITER_SETUP(&iter, reinterpret_cast<AnyArrayType *>(arr), -1, false, TYPALIGN_INT);
		append_lit(out, "\"{");
		for (int i = 0; i < nitems; i++)
		{
			bool isnull;
			Datum elem = OUTFLOW_ARRAY_ITER_NEXT(&iter, &isnull, i, -1, false, TYPALIGN_INT);

			if (i > 0)
				append_char(out, ',');
			if (isnull)
			{
				append_lit(out, "NULL");
				continue;
			}
			const char *s = VARDATA_ANY(DatumGetPointer(elem));
			size_t len = VARSIZE_ANY_EXHDR(DatumGetPointer(elem));

			append_array_elem_escaped(out, s, len, array_elem_needs_quotes(s, len));
		}
		append_lit(out, "}\"");
		done = true;
	}
	varlena_release(reinterpret_cast<struct varlena *>(arr), local);
	return done;
}

} // namespace outflow
