/*
 * format_wal2json.h: what the two wal2json formats (format-version 1 and 2)
 * share: their own per-relation data built once in build_relation (type
 * names, prepared bytes; columns and keys are relcache's), the checked
 * writing of values (rendered by value_render.h in its wal2json style), and
 * the factories.
 *
 * Everything here is plain structs in PostgreSQL memory: these functions call
 * into PostgreSQL (output functions, syscache) and may longjmp.
 */
#ifndef OUTFLOW_FORMAT_WAL2JSON_H
#define OUTFLOW_FORMAT_WAL2JSON_H

#include "format.h"
#include "oversize.h"
#include "pg.h"
#include "relcache.h"
#include "value_render.h"

namespace outflow {

struct Session;

/* What the wal2json formats add to a column (relcache's ColumnInfo has the rest). */
struct W2jCol
{
	Oid shown_typid;   /* type oid format 1 prints (domain base type if replaced) */
	const char *type_json; /* the type name as a JSON token, for this format's options */
	int type_json_len;
	const char *default_json; /* "expr" or null, when include-default */
	const char *v2_value_prefix; /* format 2: {"name":..,"type":..,"typeoid":..,"value": as the options ask */
	int v2_value_prefix_len;
};

/* format_private of a RelInfo for the wal2json formats. */
struct W2jRel
{
	W2jCol *cols;	/* by column, as RelInfo::cols */
	const char *v2_table_part; /* format 2: ,"schema":..,"table":.. as the options ask */
	int v2_table_part_len;
	bool *left_out;		/* natts + 1: format 1's columns of one tuple left out for their size */
	int64 tail_reserve; /* bytes kept free under kRecordLimit for what the value checks do not count */
};

/* Builds the W2jRel of rel (in rel.cxt) for the given format version. */
void w2j_build_relation(Session &s, RelInfo &rel, Relation relation, int version);

/* What both wal2json formats share as a Format: the per-relation data of their version. */
template <int Version>
class Wal2jsonFormat : public Format
{
public:
	void build_relation(Session &s, RelInfo &rel, Relation relation) override
	{
		w2j_build_relation(s, rel, relation, Version);
	}
};

/* The W2jRel of a RelInfo (built by build_relation). */
inline W2jRel &
w2j_rel(RelInfo *rel_info)
{
	return *static_cast<W2jRel *>(rel_info->format_private);
}

/* Is column i shown in a tuple of part "identity" (replica identity; all without an index)? */
inline bool
w2j_in_identity(const RelInfo &rel, int i)
{
	return rel.ri_all || rel.cols[i].in_ri;
}

/* Is column i shown in "pk" (primary key; all if its index cannot be read)? */
inline bool
w2j_in_pk(const RelInfo &rel, int i)
{
	return rel.pk_all || rel.cols[i].in_pk;
}

/* Is column i a key column (never left out for its size)? */
inline bool
w2j_is_key(const RelInfo &rel, int i)
{
	return rel.cols[i].in_ri || rel.cols[i].in_pk;
}

/*
 * Writes the non-null value of column i of row (a tuple of change c)
 * through its renderer (value_render.h), unless its JSON would not fit
 * in room (oversize.h; room.end counts in out's own bytes). A value that
 * does not fit is left out: nothing is written, it is added to
 * oversized (the change's), a WARNING names it, and the function returns false. Without
 * max-value-bytes that is an ERROR instead, as wal2json has (with a hint).
 * Key columns (replica identity and primary key) are never left out.
 */
bool w2j_write_value_checked(Session &s, const RowChange &c, StringInfo out, const ValueRoom &room,
							 LeftOutColumns &oversized, const RowImage &row, int i);

inline bool
w2j_write_value(Session &s, const RowChange &c, StringInfo out, const ValueRoom &room, LeftOutColumns &oversized,
				const RowImage &row, int i)
{
	const ColumnInfo &col = c.rel->cols[i];
	const bool key = w2j_is_key(*c.rel, i);
	const Datum value = row.values[i];

	if (value_surely_fits(col.varlena, key, value, room, out))
	{
		append_value(s, out, col.renderer, value);
		return true;
	}
	return w2j_write_value_checked(s, c, out, room, oversized, row, i);
}

/* The room of a record whose values are written into out, base bytes after the record's start. */
ValueRoom w2j_room(const Session &s, const W2jRel &w, int64 base);


/* Appends the commit timestamp of txn as wal2json prints it (quoted). */
void w2j_append_commit_time(StringInfo out, ReorderBufferTXN *txn);

/* Appends s n times (pretty-print indentation). */
inline void
w2j_repeat(StringInfo out, const char *s, int n)
{
	if (s[0] == '\0')
		return;
	for (int i = 0; i < n; i++)
		appendStringInfoString(out, s);
}

Format *make_wal2json_v1_format();
Format *make_wal2json_v2_format();

} // namespace outflow

#endif
