/*
 * pg_text.h: our copies of PostgreSQL's text routines, appended to a
 * StringInfo (append_*): the buffer itself (room, bytes, literals), JSON
 * strings (escape_json), integers (int8out), text-like varlenas, names,
 * UUIDs, LSNs; and, in pg_text.cpp, the ones that read the consumer's
 * settings or walk an array (timestamp_out, timestamptz_out, array_out of
 * text arrays). The pure parts are in pg_text_format.h and json_escape.h;
 * numerics in pg_text_numeric.h, jsonb in pg_text_jsonb.h. Each is checked
 * byte for byte against PostgreSQL's own function by sql/fast_paths.sql.
 */
#ifndef OUTFLOW_PG_TEXT_H
#define OUTFLOW_PG_TEXT_H

#include <cstring>

#include "json_escape.h"
#include "pg_text_format.h"
#include "pg.h"

namespace outflow {

/*
 * Makes room for n more bytes (and the terminating NUL) and returns where they
 * go; the caller writes them and advances out->len. Calls into PostgreSQL
 * only when the buffer must grow.
 */
inline char *
append_reserve(StringInfo out, int n)
{
	if (unlikely(out->maxlen - out->len <= n))
		enlargeStringInfo(out, n);
	return out->data + out->len;
}

/*
 * The readable form of a varlena as pg_detoast_datum_packed gives it, without
 * its copy where none is needed: a value the decoder reassembled from TOAST
 * arrives as an indirect pointer to the whole value in memory, which is
 * read in place unless it is compressed (detoast_attr would copy it: 32 kB
 * for a 32 kB value). *copied says whether the result is a palloc'd copy
 * (to pfree).
 */
inline struct varlena *
varlena_readable(struct varlena *p, bool *copied)
{
	*copied = false;
	if (VARATT_IS_EXTERNAL_INDIRECT(p))
	{
		struct varatt_indirect redirect;

		VARATT_EXTERNAL_GET_POINTER(redirect, p);
		struct varlena *target = redirect.pointer;

		if (!VARATT_IS_COMPRESSED(target) && !VARATT_IS_EXTERNAL(target))
			return target;
	}
	/* pg_detoast_datum_packed, inline: most values are plain. */
	if (VARATT_IS_COMPRESSED(p) || VARATT_IS_EXTERNAL(p))
	{
		*copied = true;
		return detoast_attr(p);
	}
	return p;
}

/* Room on the stack for a small varlena in its aligned 4-byte-header form,
 * and whether varlena_aligned's result is a palloc'd copy. */
struct LocalVarlena
{
	union
	{
		char bytes[256];
		double align;
	};
	bool copied = false;
};

/*
 * A varlena datum in the aligned, 4-byte-header form that macros such as
 * ARR_DIMS need: the value itself when it has that form (also a value the
 * decoder reassembled from TOAST, read in place: varlena_readable), a copy
 * in local when it has a short inline header (at most 127 bytes), else
 * detoasted (palloc'd). Free the result with varlena_release.
 */
inline struct varlena *
varlena_aligned(Datum value, LocalVarlena &local)
{
	Pointer p = DatumGetPointer(value);

	static_assert(sizeof(local.bytes) >= VARATT_SHORT_MAX - VARHDRSZ_SHORT + VARHDRSZ, "a short varlena fits local");
	local.copied = false;
	if (VARATT_IS_SHORT(p) && !VARATT_IS_EXTERNAL(p))
	{
		size_t data_len = VARSIZE_SHORT(p) - VARHDRSZ_SHORT;

		SET_VARSIZE(local.bytes, data_len + VARHDRSZ);
		memcpy(local.bytes + VARHDRSZ, VARDATA_SHORT(p), data_len);
		return reinterpret_cast<struct varlena *>(local.bytes);
	}
	return varlena_readable(reinterpret_cast<struct varlena *>(p), &local.copied);
}

/* Frees what varlena_aligned allocated, if anything. */
inline void
varlena_release(struct varlena *v, const LocalVarlena &local)
{
	if (local.copied)
		pfree(v);
}

/* Appends bytes verbatim (the inline counterpart of appendBinaryStringInfo). */
inline void
append_bytes(StringInfo out, const char *data, int len)
{
	char *dst = append_reserve(out, len);

	memcpy(dst, data, len);
	out->len += len;
	out->data[out->len] = '\0';
}

/* Appends one byte. */
inline void
append_char(StringInfo out, char c)
{
	char *dst = append_reserve(out, 1);

	dst[0] = c;
	dst[1] = '\0';
	out->len++;
}

/* Appends a string literal or other known-length bytes verbatim. */
template <size_t N>
inline void
append_lit(StringInfo out, const char (&lit)[N])
{
	append_bytes(out, lit, static_cast<int>(N - 1));
}

/*
 * Appends str[0..len) escaped by json_escape_into with special (which
 * writes at most Worst bytes per input byte). Room is made once per chunk,
 * so escapes cost no call.
 */
template <int Worst, typename Special>
inline void
append_escaped_chunks(StringInfo out, const char *str, size_t len, Special special)
{
	const size_t chunk_max = 8192;

	while (len > 0)
	{
		size_t n = len < chunk_max ? len : chunk_max;
		char *dst = append_reserve(out, static_cast<int>(Worst * n + 1));
		char *p = json_escape_into(dst, str, n, special);

		*p = '\0';
		out->len += static_cast<int>(p - dst);
		str += n;
		len -= n;
	}
}

/* Appends the escaped bytes of str[0..len) and the closing quote (escape_json's bytes). */
inline void
append_json_escape_tail(StringInfo out, const char *str, size_t len)
{
	append_escaped_chunks<6>(out, str, len, json_put_escape);
	append_reserve(out, 1);
	out->data[out->len++] = '"';
	out->data[out->len] = '\0';
}

/*
 * Appends len bytes as a quoted, escaped JSON string. Room for the plain case
 * is made once and bytes are copied until the first one that needs an
 * escape (json_copy_plain); the rest (if any) goes through
 * append_json_escape_tail.
 */
inline void
append_json_string(StringInfo out, const char *str, size_t len)
{
	char *dst = append_reserve(out, static_cast<int>(len) + 2);
	size_t i;

	*dst++ = '"';
	i = json_copy_plain(dst, str, len);
	out->len += static_cast<int>(i) + 1;
	if (i < len)
	{
		append_json_escape_tail(out, str + i, len - i);
		return;
	}
	out->data[out->len++] = '"';
	out->data[out->len] = '\0';
}

/* Appends a C string as a quoted, escaped JSON string. */
inline void
append_json_cstring(StringInfo out, const char *str)
{
	append_json_string(out, str, strlen(str));
}

/* Appends text, in double quotes if quoted (the caller knows it needs no escaping). */
inline void
append_quoted_if(StringInfo out, bool quoted, const char *text, int len)
{
	if (quoted)
	{
		append_reserve(out, len + 2);
		out->data[out->len++] = '"';
		memcpy(out->data + out->len, text, len);
		out->len += len;
		out->data[out->len++] = '"';
		out->data[out->len] = '\0';
	}
	else
		append_bytes(out, text, len);
}

/* Appends v in decimal, quoted if asked (numeric_data_types_as_string). */
inline void
append_int64(StringInfo out, int64 v, bool quoted)
{
	char buf[kInt64DecimalMax];
	size_t len = format_int64(v, buf);

	append_quoted_if(out, quoted, buf, static_cast<int>(len));
}

/*
 * Appends a text-like varlena (text, varchar, bpchar, json: their output
 * functions return the bytes as they are) as a JSON string, detoasted only
 * if compressed or external (varlena_readable).
 */
inline void
append_text_json(StringInfo out, Datum value)
{
	struct varlena *p = reinterpret_cast<struct varlena *>(DatumGetPointer(value));
	bool copied;
	struct varlena *v = varlena_readable(p, &copied);

	append_json_string(out, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	if (copied)
		pfree(v);
}

/* Appends a name (nameout's text) as a JSON string. */
inline void
append_name_json(StringInfo out, const NameData *name)
{
	append_json_string(out, NameStr(*name), strnlen(NameStr(*name), NAMEDATALEN));
}

/* Appends 16 bytes as uuid_out writes them, quoted. */
inline void
append_uuid_quoted(StringInfo out, const unsigned char *bytes)
{
	char buf[kUuidTextLen];
	size_t len = format_uuid(bytes, buf);

	append_quoted_if(out, true, buf, static_cast<int>(len));
}

/* pg_text.cpp */

/*
 * timestamp_out's text under the session's DateStyle, when it is ISO and t
 * finite in years 1 to 9999; buf needs kTimestampIsoMax bytes. Returns 0
 * (nothing written) when the output function must decide.
 */
size_t format_timestamp_datestyle(Timestamp t, char *buf);

/*
 * timestamptz_out's text under the session's DateStyle and TimeZone, when
 * ISO and a zone with one fixed UTC offset (UTC, Etc/GMT+5, '+05:30');
 * buf needs kTimestampIsoMax + kIsoZoneMax bytes. Returns 0 otherwise.
 */
size_t format_timestamptz_datestyle(TimestampTz t, char *buf);

/*
 * Appends array_out's text of a one-dimensional text or varchar array with
 * lower bound 1 (or of an empty array) as a JSON string: "{a,\"b c\",NULL}".
 * Returns false, writing nothing, for other shapes.
 */
bool append_text_array_json(StringInfo out, Datum value);

/* Writes v as upper-case hex without leading zeros, as "%X" does; returns the length. */
inline int
format_hex32_upper(uint32 v, char *dst)
{
	static const char digits[] = "0123456789ABCDEF";
	char tmp[8];
	int n = 0;

	do
	{
		tmp[n++] = digits[v & 0xF];
		v >>= 4;
	} while (v != 0);
	for (int i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}

/* Appends an LSN quoted, as "X/X" (PostgreSQL's form before 19, which pads
 * the low half to 8 digits; the native format and wal2json keep "X/X"). */
inline void
append_lsn_quoted(StringInfo out, XLogRecPtr lsn)
{
	char *dst;

	dst = append_reserve(out, 20);
	*dst++ = '"';
	dst += format_hex32_upper(static_cast<uint32>(lsn >> 32), dst);
	*dst++ = '/';
	dst += format_hex32_upper(static_cast<uint32>(lsn), dst);
	*dst++ = '"';
	*dst = '\0';
	out->len = static_cast<int>(dst - out->data);
}


} // namespace outflow

#endif
