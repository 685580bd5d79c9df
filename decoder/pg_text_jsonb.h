/*
 * pg_text_jsonb.h: a jsonb value's text, the bytes JsonbToCString (jsonb_out)
 * writes, straight from the stored form: no iterator, no copy of each string
 * and numeric, no detoasted copy of a short value. Used by the native format
 * (the text as JSON) and by the wal2json formats (the text inside a JSON
 * string, escaped once more, in the same pass).
 *
 * The stored form (PostgreSQL's jsonb.h, stable on disk): a container is a
 * uint32 header (count, and whether it is an object, an array or a raw
 * scalar's one-element array), then its JEntries (an object's keys first,
 * then its values), then the data. A JEntry holds a type and either the
 * length of its data or, every JB_OFFSET_STRIDE entries, its end offset.
 * Numerics and nested containers start at a 4-byte boundary relative to the
 * data start. Every word is read with memcpy, so that a short (unaligned)
 * value needs no copy.
 *
 * JsonbToCString's layout without indentation: ", " between elements and
 * members, ": " after a key, strings through escape_json, numerics through
 * numeric_out, a raw scalar without brackets.
 */
#ifndef OUTFLOW_PG_TEXT_JSONB_H
#define OUTFLOW_PG_TEXT_JSONB_H

#include <cstring>

#include "pg_text_numeric.h"
#include "pg_text.h"
#include "pg.h"

extern "C" {
#include "access/detoast.h"
#include "miscadmin.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
}

namespace outflow {

namespace jsonb_text_detail {

inline uint32
load32(const char *p)
{
	uint32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Where entry index's data starts, relative to the data start (getJsonbOffset). */
inline uint32
entry_offset(const char *children, int index)
{
	uint32 offset = 0;

	for (int i = index - 1; i >= 0; i--)
	{
		uint32 e = load32(children + static_cast<size_t>(i) * sizeof(JEntry));

		offset += JBE_OFFLENFLD(e);
		if (JBE_HAS_OFF(e))
			break;
	}
	return offset;
}

/* The length of an entry's data, given where it starts (getJsonbLength). */
inline uint32
entry_length(uint32 e, uint32 offset)
{
	return JBE_HAS_OFF(e) ? JBE_OFFLENFLD(e) - offset : JBE_OFFLENFLD(e);
}

/*
 * A string as escape_json writes it, quoted. Nested: escaped once more, for
 * a JSON string that holds the whole text (" becomes \", \ becomes \\).
 */
template <bool Nested>
inline void
append_jsonb_string(StringInfo out, const char *s, size_t len)
{
	if (!Nested)
	{
		append_json_string(out, s, len);
		return;
	}
	append_lit(out, "\\\"");
	append_escaped_chunks<7>(out, s, len, [](char *p, unsigned char c, char code) {
		if (code == 'u')
		{
			/* \u00XX, its backslash escaped */
			*p++ = '\\';
			return json_put_u00(p, c);
		}
		if (code == '"' || code == '\\')
		{
			/* \" or \\, both bytes escaped */
			memcpy(p, "\\\\\\", 3);
			p[3] = code;
			return p + 4;
		}
		/* \n and the like: the backslash escaped */
		p[0] = '\\';
		p[1] = '\\';
		p[2] = code;
		return p + 3;
	});
	append_lit(out, "\\\"");
}

/* A numeric stored inside a jsonb (a whole numeric varlena, possibly unaligned). */
inline void
append_jsonb_numeric(StringInfo out, const char *num)
{
	const char *data;
	size_t size;

	if (VARATT_IS_1B(num) && !VARATT_IS_1B_E(num))
	{
		data = num + VARHDRSZ_SHORT;
		size = VARSIZE_1B(num) - VARHDRSZ_SHORT;
	}
	else
	{
		uint32 header = load32(num);

		if (!VARATT_IS_4B_U(&header))
			elog(ERROR, "outflow: unexpected numeric in a jsonb value");
		data = num + VARHDRSZ;
		size = VARSIZE_4B(&header) - VARHDRSZ;
	}
	if (append_numeric_parts(out, data, size, false))
		return;
	/* NaN and the infinities (not in jsonb as it is written today): numeric_out on an aligned copy. */
	size_t whole = static_cast<size_t>(data - num) + size;
	char *copy = static_cast<char *>(palloc(whole));

	memcpy(copy, num, whole);
	char *text = DatumGetCString(DirectFunctionCall1(numeric_out, PointerGetDatum(copy)));

	appendStringInfoString(out, text);
	pfree(text);
	pfree(copy);
}

/*
 * The size of what append_jsonb_string<Nested> writes (quotes included), counted:
 * the oversize check measures a large jsonb before writing it (oversize.h).
 */
template <bool Nested>
inline Size
string_size(const char *s, size_t len)
{
	if (!Nested)
		return json_escaped_size(s, len) + 2;

	Size size = 4; /* \" twice */

	for (size_t i = 0; i < len; i++)
	{
		char code = kJsonEscape.code[static_cast<unsigned char>(s[i])];

		size += code == 0 ? 1 : code == 'u' ? 7 : code == '"' || code == '\\' ? 4 : 3;
	}
	return size;
}

/* The walk's output written into a StringInfo. */
template <bool Nested>
struct TextSink
{
	StringInfo out;

	template <size_t N>
	void
	lit(const char (&text)[N])
	{
		if constexpr (N == 2)
			append_char(out, text[0]);
		else
			append_lit(out, text);
	}
	void string(const char *s, size_t len) { append_jsonb_string<Nested>(out, s, len); }
	void numeric(const char *num) { append_jsonb_numeric(out, num); }
};

/* The walk's output counted instead: its exact size (numerics written into scratch and measured). */
template <bool Nested>
struct SizeSink
{
	StringInfo scratch;
	Size size = 0;

	template <size_t N>
	void lit(const char (&)[N]) { size += N - 1; }
	void string(const char *s, size_t len) { size += string_size<Nested>(s, len); }
	void
	numeric(const char *num)
	{
		resetStringInfo(scratch);
		append_jsonb_numeric(scratch, num);
		size += static_cast<Size>(scratch->len);
	}
};

template <class Sink>
void walk_container(Sink &sink, const char *container);

/* Entry e's value, its data at base + offset, length len. */
template <class Sink>
inline void
walk_entry(Sink &sink, uint32 e, const char *base, uint32 offset, uint32 len)
{
	switch (e & JENTRY_TYPEMASK)
	{
		case JENTRY_ISSTRING:
			sink.string(base + offset, len);
			break;
		case JENTRY_ISNUMERIC:
			sink.numeric(base + INTALIGN(offset));
			break;
		case JENTRY_ISBOOL_FALSE:
			sink.lit("false");
			break;
		case JENTRY_ISBOOL_TRUE:
			sink.lit("true");
			break;
		case JENTRY_ISNULL:
			sink.lit("null");
			break;
		case JENTRY_ISCONTAINER:
			walk_container(sink, base + INTALIGN(offset));
			break;
		default:
			elog(ERROR, "outflow: unknown jsonb entry type %u", e & JENTRY_TYPEMASK);
	}
}

/*
 * A container as JsonbToCString lays it out, into sink: the one walk that
 * both the text (TextSink) and its exact size (SizeSink) come from.
 */
template <class Sink>
void
walk_container(Sink &sink, const char *container)
{
	uint32 header = load32(container);
	int count = static_cast<int>(header & JB_CMASK);
	const char *children = container + sizeof(uint32);

	check_stack_depth();
	if (header & JB_FOBJECT)
	{
		const char *base = children + 2 * static_cast<size_t>(count) * sizeof(JEntry);
		uint32 koff = 0;
		uint32 voff = entry_offset(children, count);

		sink.lit("{");
		for (int i = 0; i < count; i++)
		{
			uint32 ke = load32(children + static_cast<size_t>(i) * sizeof(JEntry));
			uint32 ve = load32(children + static_cast<size_t>(count + i) * sizeof(JEntry));
			uint32 klen = entry_length(ke, koff);
			uint32 vlen = entry_length(ve, voff);

			if (i > 0)
				sink.lit(", ");
			sink.string(base + koff, klen);
			sink.lit(": ");
			walk_entry(sink, ve, base, voff, vlen);
			koff += klen;
			voff += vlen;
		}
		sink.lit("}");
		return;
	}
	if (!(header & JB_FARRAY))
		elog(ERROR, "outflow: unknown jsonb container header %08x", header);

	const char *base = children + static_cast<size_t>(count) * sizeof(JEntry);
	bool raw_scalar = (header & JB_FSCALAR) != 0;
	uint32 off = 0;

	if (!raw_scalar)
		sink.lit("[");
	for (int i = 0; i < count; i++)
	{
		uint32 e = load32(children + static_cast<size_t>(i) * sizeof(JEntry));
		uint32 len = entry_length(e, off);

		if (i > 0)
			sink.lit(", ");
		walk_entry(sink, e, base, off, len);
		off += len;
	}
	if (!raw_scalar)
		sink.lit("]");
}

} // namespace jsonb_text_detail

/*
 * Appends the text jsonb_out gives for a (non-null) jsonb datum; nested:
 * as a JSON string holding that text (quoted and escaped).
 */
inline void
append_jsonb_text(StringInfo out, Datum value, bool nested)
{
	struct varlena *p = reinterpret_cast<struct varlena *>(DatumGetPointer(value));
	bool copied;
	struct varlena *v = varlena_readable(p, &copied); /* a reassembled TOAST value in place */
	const char *root = VARDATA_ANY(v);

	if (nested)
	{
		jsonb_text_detail::TextSink<true> sink{out};

		append_char(out, '"');
		jsonb_text_detail::walk_container(sink, root);
		append_char(out, '"');
	}
	else
	{
		jsonb_text_detail::TextSink<false> sink{out};

		jsonb_text_detail::walk_container(sink, root);
	}
	if (copied)
		pfree(v);
}

/* The exact size of what append_jsonb_text writes for value, without writing it (oversize.h). */
inline Size
jsonb_text_size(Datum value, bool nested)
{
	struct varlena *p = reinterpret_cast<struct varlena *>(DatumGetPointer(value));
	bool copied;
	struct varlena *v = varlena_readable(p, &copied); /* a reassembled TOAST value in place */
	const char *root = VARDATA_ANY(v);
	StringInfo scratch = makeStringInfo();
	Size size;

	if (nested)
	{
		jsonb_text_detail::SizeSink<true> sink{scratch};

		jsonb_text_detail::walk_container(sink, root);
		size = sink.size + 2;
	}
	else
	{
		jsonb_text_detail::SizeSink<false> sink{scratch};

		jsonb_text_detail::walk_container(sink, root);
		size = sink.size;
	}

	pfree(scratch->data);
	pfree(scratch);
	if (copied)
		pfree(v);
	return size;
}

} // namespace outflow

#endif
