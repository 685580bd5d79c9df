/*
 * pg_text_numeric.h: numeric values written straight from their stored form,
 * the same text numeric_out gives, without detoasting short values into a
 * copy or allocating the text. Used by the native and wal2json formats.
 *
 * The stored form (PostgreSQL's numeric.c, stable on disk): after the
 * varlena header a uint16 header word; its top two bits say positive,
 * negative, short or special (NaN, infinities). Short: sign bit 0x2000,
 * display scale in bits 0x1F80, weight in 7 bits with sign 0x0040. Long:
 * sign in the top bits, display scale in the low 14 bits, then an int16
 * weight. Then the base-10000 digits (int16).
 */
#ifndef OUTFLOW_PG_TEXT_NUMERIC_H
#define OUTFLOW_PG_TEXT_NUMERIC_H

#include <cstring>

#include "pg_text.h"
#include "pg.h"
#include "pg_text_format.h"

extern "C" {
#include "access/detoast.h"
}

namespace outflow {

/*
 * Appends a finite numeric as numeric_out writes it, in double quotes if
 * quoted, from the bytes after its varlena header (data, size; may be
 * unaligned). Returns false, having written nothing, for NaN and the
 * infinities (the caller takes the general path).
 */
inline bool
append_numeric_parts(StringInfo out, const char *data, size_t size, bool quoted)
{
	uint16 header;
	bool negative;
	int weight, dscale, hdrsize;

	if (size < sizeof(uint16))
		return false;
	memcpy(&header, data, sizeof(header));
	switch (header & 0xC000)
	{
		case 0x8000: /* short */
			negative = (header & 0x2000) != 0;
			dscale = (header & 0x1F80) >> 7;
			weight = (header & 0x0040) ? (~0x003F | (header & 0x003F)) : (header & 0x003F);
			hdrsize = sizeof(uint16);
			break;
		case 0x0000: /* long, positive */
		case 0x4000: /* long, negative */
		{
			int16 w;

			if (size < sizeof(uint16) + sizeof(int16))
				return false;
			negative = (header & 0xC000) == 0x4000;
			dscale = header & 0x3FFF;
			memcpy(&w, data + sizeof(uint16), sizeof(w));
			weight = w;
			hdrsize = sizeof(uint16) + sizeof(int16);
			break;
		}
		default: /* special: NaN, Infinity, -Infinity */
			return false;
	}

	int ndigits = static_cast<int>((size - hdrsize) / sizeof(int16));
	size_t max = numeric_text_max(weight, dscale);
	char *dst = append_reserve(out, static_cast<int>(max) + 2);
	char *start = dst;

	if (quoted)
		*dst++ = '"';
	dst += format_numeric(negative, weight, dscale, data + hdrsize, ndigits, dst);
	if (quoted)
		*dst++ = '"';
	*dst = '\0';
	out->len += static_cast<int>(dst - start);
	return true;
}

/* The same for a numeric datum (read through varlena_readable: detoasted only if it must be). */
inline bool
append_numeric_finite(StringInfo out, Datum value, bool quoted)
{
	struct varlena *p = reinterpret_cast<struct varlena *>(DatumGetPointer(value));
	bool copied;
	struct varlena *v = varlena_readable(p, &copied);
	bool done = append_numeric_parts(out, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), quoted);

	if (copied)
		pfree(v);
	return done;
}

} // namespace outflow

#endif
