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
#ifndef OUTFLOW_JSONB_TEXT_H
#define OUTFLOW_JSONB_TEXT_H

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

template <bool Nested>
void append_container(StringInfo out, const char *container);

/* Entry e's value, its data at base + offset, length len. */
template <bool Nested>
inline void
append_entry(StringInfo out, uint32 e, const char *base, uint32 offset, uint32 len)
{
	switch (e & JENTRY_TYPEMASK)
	{
		case JENTRY_ISSTRING:
			append_jsonb_string<Nested>(out, base + offset, len);
			break;
		case JENTRY_ISNUMERIC:
			append_jsonb_numeric(out, base + INTALIGN(offset));
			break;
		case JENTRY_ISBOOL_FALSE:
			append_lit(out, "false");
			break;
		case JENTRY_ISBOOL_TRUE:
			append_lit(out, "true");
			break;
		case JENTRY_ISNULL:
			append_lit(out, "null");
			break;
		case JENTRY_ISCONTAINER:
			append_container<Nested>(out, base + INTALIGN(offset));
			break;
		default:
			elog(ERROR, "outflow: unknown jsonb entry type %u", e & JENTRY_TYPEMASK);
	}
}

template <bool Nested>
void
append_container(StringInfo out, const char *container)
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

		append_char(out, '{');
		for (int i = 0; i < count; i++)
		{
			uint32 ke = load32(children + static_cast<size_t>(i) * sizeof(JEntry));
			uint32 ve = load32(children + static_cast<size_t>(count + i) * sizeof(JEntry));
			uint32 klen = entry_length(ke, koff);
			uint32 vlen = entry_length(ve, voff);

			if (i > 0)
				append_lit(out, ", ");
			append_jsonb_string<Nested>(out, base + koff, klen);
			append_lit(out, ": ");
			append_entry<Nested>(out, ve, base, voff, vlen);
			koff += klen;
			voff += vlen;
		}
		append_char(out, '}');
		return;
	}
	if (!(header & JB_FARRAY))
		elog(ERROR, "outflow: unknown jsonb container header %08x", header);

	const char *base = children + static_cast<size_t>(count) * sizeof(JEntry);
	bool raw_scalar = (header & JB_FSCALAR) != 0;
	uint32 off = 0;

	if (!raw_scalar)
		append_char(out, '[');
	for (int i = 0; i < count; i++)
	{
		uint32 e = load32(children + static_cast<size_t>(i) * sizeof(JEntry));
		uint32 len = entry_length(e, off);

		if (i > 0)
			append_lit(out, ", ");
		append_entry<Nested>(out, e, base, off, len);
		off += len;
	}
	if (!raw_scalar)
		append_char(out, ']');
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

template <bool Nested>
Size container_size(const char *container, StringInfo scratch);

/* The size of what append_entry<Nested> writes; numerics written into scratch and measured. */
template <bool Nested>
inline Size
entry_size(uint32 e, const char *base, uint32 offset, uint32 len, StringInfo scratch)
{
	switch (e & JENTRY_TYPEMASK)
	{
		case JENTRY_ISSTRING:
			return string_size<Nested>(base + offset, len);
		case JENTRY_ISNUMERIC:
			resetStringInfo(scratch);
			append_jsonb_numeric(scratch, base + INTALIGN(offset));
			return static_cast<Size>(scratch->len);
		case JENTRY_ISBOOL_FALSE:
			return 5;
		case JENTRY_ISBOOL_TRUE:
		case JENTRY_ISNULL:
			return 4;
		case JENTRY_ISCONTAINER:
			return container_size<Nested>(base + INTALIGN(offset), scratch);
		default:
			elog(ERROR, "outflow: unknown jsonb entry type %u", e & JENTRY_TYPEMASK);
	}
	return 0;
}

/* The size of what append_container<Nested> writes, walking the same entries. */
template <bool Nested>
Size
container_size(const char *container, StringInfo scratch)
{
	uint32 header = load32(container);
	int count = static_cast<int>(header & JB_CMASK);
	const char *children = container + sizeof(uint32);
	Size size = 0;

	check_stack_depth();
	if (header & JB_FOBJECT)
	{
		const char *base = children + 2 * static_cast<size_t>(count) * sizeof(JEntry);
		uint32 koff = 0;
		uint32 voff = entry_offset(children, count);

		size = 2 + (count > 0 ? 2 * static_cast<Size>(count - 1) : 0) + 2 * static_cast<Size>(count);
		for (int i = 0; i < count; i++)
		{
			uint32 ke = load32(children + static_cast<size_t>(i) * sizeof(JEntry));
			uint32 ve = load32(children + static_cast<size_t>(count + i) * sizeof(JEntry));
			uint32 klen = entry_length(ke, koff);
			uint32 vlen = entry_length(ve, voff);

			size += string_size<Nested>(base + koff, klen) + entry_size<Nested>(ve, base, voff, vlen, scratch);
			koff += klen;
			voff += vlen;
		}
		return size;
	}
	if (!(header & JB_FARRAY))
		elog(ERROR, "outflow: unknown jsonb container header %08x", header);

	const char *base = children + static_cast<size_t>(count) * sizeof(JEntry);
	uint32 off = 0;

	size = ((header & JB_FSCALAR) ? 0 : 2) + (count > 0 ? 2 * static_cast<Size>(count - 1) : 0);
	for (int i = 0; i < count; i++)
	{
		uint32 e = load32(children + static_cast<size_t>(i) * sizeof(JEntry));
		uint32 len = entry_length(e, off);

		size += entry_size<Nested>(e, base, off, len, scratch);
		off += len;
	}
	return size;
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
		append_char(out, '"');
		jsonb_text_detail::append_container<true>(out, root);
		append_char(out, '"');
	}
	else
		jsonb_text_detail::append_container<false>(out, root);
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
	Size size = nested ? jsonb_text_detail::container_size<true>(root, scratch) + 2
					   : jsonb_text_detail::container_size<false>(root, scratch);

	pfree(scratch->data);
	pfree(scratch);
	if (copied)
		pfree(v);
	return size;
}

} // namespace outflow

#endif
