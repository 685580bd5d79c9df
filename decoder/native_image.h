/*
 * native_image.h: the native format's per-relation bytes (NativeRel) and the
 * writing of a row image's values: each through its column's renderer,
 * checked against what is left of the record's room (oversize.h), an
 * unchanged TOAST value taken from the old image, marked or left out.
 * Plain structs in PostgreSQL memory; these functions call into PostgreSQL
 * and may longjmp (no C++ object with a destructor lives across them).
 */
#ifndef OUTFLOW_NATIVE_IMAGE_H
#define OUTFLOW_NATIVE_IMAGE_H

#include "format.h"
#include "oversize.h"
#include "pg.h"
#include "pg_text.h"
#include "relcache.h"

namespace outflow {

struct Session;

/*
 * What the native format keeps per relation (RelInfo.format_private, in
 * rel.cxt): the bytes between op and the lsn value, and the room its
 * records keep free (columns, their renderers and the per-change flag
 * arrays are relcache's).
 */
struct NativeRel
{
	char *head; /* ,"schema":..,"table":..,"lsn": */
	int head_len;
	int64 tail_reserve; /* bytes kept free for what follows the values (see build_relation) */
};

/* The start of a row or truncate object after its op: schema, table, lsn. */
inline void
out_head(StringInfo out, const NativeRel &nr, XLogRecPtr lsn)
{
	append_bytes(out, nr.head, nr.head_len);
	append_lsn_quoted(out, lsn);
}

/* Which columns a tuple image shows. */
enum class Columns
{
	All,
	Keys
};

/*
 * What the oversize check of one change needs (oversize.h): where values may
 * go, which columns were left out, and where the change's "key" object is
 * in out (for the WARNING).
 */
struct ChangeLimits
{
	ValueRoom room;
	const RowChange *change;
	LeftOutColumns oversized;
	int key_start = 0;
	int key_len = 0;
};

/*
 * Appends name_json{col:value,...} for a tuple image. An unchanged TOAST
 * value is never read: it is taken from the old image when that has it
 * (REPLICA IDENTITY FULL), else left out (and added to unchanged, when
 * given) or, in marker mode, written as the marker string. A value too
 * large to send is left out (write_value).
 */
void
out_image(Session &s, StringInfo out, const char *name_json, const RelInfo &rel, const RowImage &image,
		  Columns which, LeftOutColumns *unchanged, ChangeLimits &lim, const RowImage *old_image = nullptr);

/* Appends head, then the JSON names of the columns flagged in which, then ']'. */
void
out_name_list(StringInfo out, const char *head, const RelInfo &rel, const bool *which);

} // namespace outflow

#endif
