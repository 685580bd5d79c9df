/*
 * oversize.h: no single change may make a slot unreadable.
 *
 * PostgreSQL sends one output record (ctx->out) as one palloc'd chunk: the
 * text row of pg_logical_slot_get_changes, the CopyData message of a
 * walsender. A chunk is at most MaxAllocSize (1 GB - 1), and a StringInfo
 * that would grow past it raises an ERROR inside enlargeStringInfo, which
 * cannot be caught safely. Decoding would stop at that change on every
 * read, for ever. So a value is measured BEFORE the buffer grows for it:
 *
 * - every varlena value gets one cheap check: its raw size (from its
 *   header, no detoasting) times kBoundFactor plus kBoundSlack against the
 *   room it has. Small values, nearly all of them, pass here and cost one
 *   multiplication and one comparison; fixed-length values are not checked
 *   (the per-relation reserve covers them) unless max-value-bytes is set;
 * - a value that fails it takes the slow path (out of line): the format
 *   measures it exactly (text: a counting pass over the escapes; bytea: from
 *   its length; jsonb: a walk of its stored form; an output function's
 *   text: counted) or by a tighter bound (json text, arrays element by
 *   element, composites). A bound that fits the record
 *   but not max-value-bytes means: write it, measure what was written, and
 *   take it back (out->len reset) if it is too long; a bound past the
 *   record's hard room means the value is left out unwritten.
 *
 * A value left out is named in the change's "oversized" list and a WARNING
 * names table, key and column. Key columns are never left out (they are
 * what identifies the row); max-value-bytes does not apply to them.
 *
 * The bounds are true bounds for every built-in rendering except one:
 * numbers that a small stored numeric spells out in full (1e100000 is
 * 100001 digits): json, jsonb, arrays and composites full of such numbers
 * can outgrow the cheap bound (and json text and composites the slow
 * path's too); nothing else can. A logical message's
 * content is checked the same way (text_json_fits).
 *
 * Memory: measuring costs at most the detoasted value (or an output
 * function's text), never its JSON.
 */
#ifndef OUTFLOW_OVERSIZE_H
#define OUTFLOW_OVERSIZE_H

#include <cstdint>
#include <cstring>

#include "json_escape.h"
#include "pg.h"

namespace outflow {

/*
 * The longest record we write: MaxAllocSize less 64 kB for what wraps the
 * record on its way out (the walsender's CopyData header and pending
 * keepalives, the SQL row's tuple and DataRow headers).
 */
constexpr int64 kRecordLimit = static_cast<int64>(MaxAllocSize) - 64 * 1024;

/* No max-value-bytes. */
constexpr int64 kNoMaxValue = INT64_MAX;

/*
 * The columns one change left out, flagged in its relation's scratch array
 * (RelInfo::oversized, natts + 1 flags), which is cleared when the first
 * column is flagged: most changes leave nothing out.
 */
struct LeftOutColumns
{
	bool *flags = nullptr;
	int natts = 0;
	int count = 0; /* flags is valid only when count > 0 */

	void
	add(int i)
	{
		if (count == 0)
			memset(flags, 0, sizeof(bool) * (natts + 1));
		if (!flags[i])
			count++;
		flags[i] = true;
	}
};

/*
 * The cheap bound: no value's JSON is longer than kBoundFactor bytes per
 * raw byte plus kBoundSlack (a numeric's text is at most ~147 kB whatever
 * its stored size; an array of NULLs writes 5 bytes per bit of its bitmap).
 */
constexpr Size kBoundFactor = 40;
constexpr Size kBoundSlack = 160 * 1024;

/* The longest text of a numeric: 131072 digits before the point, 16383 after, sign and point. */
constexpr Size kNumericTextMax = 147460;

/* The detoasted size of a varlena value's data, from its header alone. */
inline Size
varlena_raw_size(Datum value)
{
	Pointer p = DatumGetPointer(value);

	if (VARATT_IS_4B_U(p))
		return VARSIZE_4B(p) - VARHDRSZ;
	if (VARATT_IS_1B(p) && !VARATT_IS_1B_E(p))
		return VARSIZE_1B(p) - VARHDRSZ_SHORT;
	return toast_raw_datum_size(value) - VARHDRSZ; /* compressed or external: the pointer says */
}

/* Where the values of one record may go. */
struct ValueRoom
{
	int64 end = kRecordLimit;		/* out->len may not pass this */
	int64 max_value = kNoMaxValue;	/* max-value-bytes */
};

/* The bytes a value starting at out->len may take: the record's room, and for non-key columns max-value-bytes. */
inline int64
value_allowed(const ValueRoom &room, StringInfo out, bool key)
{
	int64 left = room.end - out->len;

	return key || room.max_value >= left ? left : room.max_value;
}

/* The room of a record whose values may go up to end, with max-value-bytes (0: none). */
inline ValueRoom
value_room(int64 end, int64 max_value_bytes)
{
	ValueRoom room;

	room.end = end;
	if (max_value_bytes > 0)
		room.max_value = max_value_bytes;
	return room;
}

/* The cheap check: true when a varlena value of raw size raw surely fits in allowed bytes. */
inline bool
raw_surely_fits(Size raw, int64 allowed)
{
	return allowed > 0 && raw * kBoundFactor + kBoundSlack <= static_cast<Size>(allowed);
}

/*
 * The fast path of both formats' value check: true when the non-null value
 * of a column (varlena or not, key or not) starting at out->len surely
 * fits, so it is written without the slow path. One comparison for nearly
 * every value: a varlena's raw size against the cheap bound, a
 * fixed-length value only under max-value-bytes.
 */
inline bool
value_surely_fits(bool varlena, bool key, Datum value, const ValueRoom &room, StringInfo out)
{
	return varlena ? raw_surely_fits(varlena_raw_size(value), value_allowed(room, out, key))
				   : likely(room.max_value == kNoMaxValue || key);
}

/* What the slow path decided for one value. */
enum class Fit
{
	Write, /* fits: write it */
	Try,   /* may not fit max-value-bytes: write, measure, take back if too long */
	Over   /* leave it out */
};

/* The verdict from a size that is exact or an upper bound, given the allowed bytes and the hard room. */
inline Fit
decide_fit(Size bytes, bool exact, int64 allowed, int64 room)
{
	if (static_cast<int64>(bytes) <= allowed)
		return Fit::Write;
	if (exact || static_cast<int64>(bytes) > room)
		return Fit::Over;
	return Fit::Try;
}

/*
 * Writes a value the verdict fit did not leave out: Fit::Write writes it;
 * Fit::Try writes it, measures what was written (*bytes, *exact) and takes it
 * back when it is longer than allowed. write(out) appends the value. Returns
 * whether the value stayed (false: nothing written, *bytes its exact size).
 */
template <typename Write>
bool
write_fitted(StringInfo out, Fit fit, int64 allowed, Size *bytes, bool *exact, Write &&write)
{
	const int start = out->len;

	if (fit == Fit::Over)
		return false;
	write(out);
	if (fit == Fit::Write)
		return true;
	*bytes = static_cast<Size>(out->len - start);
	*exact = true;
	if (static_cast<int64>(*bytes) <= allowed)
		return true;
	out->len = start;
	out->data[start] = '\0';
	return false;
}

/* The exact size of a text value (any varlena of characters) written as a JSON string. */
Size text_value_json_size(Datum value);

/*
 * Whether text of len bytes, written as a JSON string, fits in allowed
 * bytes: the cheap bound first (6 bytes a byte), a counting pass only past
 * it. *bytes gets the size or the bound.
 */
inline bool
text_json_fits(const char *text, Size len, int64 allowed, Size *bytes)
{
	*bytes = 6 * len + 2;
	if (static_cast<int64>(*bytes) <= allowed)
		return true;
	*bytes = json_escaped_size(text, len) + 2;
	return static_cast<int64>(*bytes) <= allowed;
}

/* The bytes a logical message's content may take in a record that is used bytes long. */
inline int64
content_allowed(int64 max_value_bytes, int64 used, Size prefix_len)
{
	int64 left = kRecordLimit - 1024 - 6 * static_cast<int64>(prefix_len) - used;

	return max_value_bytes > 0 && max_value_bytes < left ? max_value_bytes : left;
}

/* Where a value was left out, for the WARNING and the ERRORs. */
struct LeftOut
{
	const char *schema;
	const char *table;
	const char *column;
	const char *key;  /* the key as JSON (not terminated), or NULL */
	int key_len;
	Size bytes;		  /* its JSON's size, or an upper bound of it */
	bool exact;
	int64 allowed;	  /* what it had */
	bool by_option;   /* max-value-bytes was the limit (else the record limit) */
};

/* The WARNING for a value left out: table, key, column, size and limit. */
void warn_left_out(const LeftOut &what);

/* The ERROR of the wal2json formats without max-value-bytes: its HINT names the option, table and column. */
[[noreturn]] void error_value_too_large(const LeftOut &what);

/* The WARNING for a logical message whose content was left out. */
void warn_content_left_out(const char *prefix, XLogRecPtr lsn, Size bytes, int64 allowed, bool by_option);

/* The ERROR of the wal2json formats for such a message without max-value-bytes. */
[[noreturn]] void error_content_too_large(const char *prefix, XLogRecPtr lsn, Size bytes, int64 allowed);

/* The ERROR for a key value that cannot fit the record (a key is never left out). */
[[noreturn]] void error_key_too_large(const LeftOut &what);

/* The ERROR of wal2json format-version 1 without write-in-chunks for a
 * transaction whose one document would pass the 1 GB limit of an output row. */
[[noreturn]] void error_document_too_large(TransactionId xid);

} // namespace outflow

#endif
