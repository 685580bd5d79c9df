/*
 * native_image.cpp: a row image of the native format, {"col":value,...},
 * with the oversize check of each value (native_image.h).
 */
#include "native_image.h"

#include "session.h"
#include "value_render.h"

namespace outflow {

namespace {

/*
 * The slow path of write_value: measures the value (exactly or by a bound),
 * writes it if it fits, and otherwise leaves it out (nothing written,
 * listed in lim.oversized, a WARNING). A key column that cannot fit even
 * the record's hard room is an ERROR: key columns are never left out.
 */
pg_noinline bool
write_value_checked(Session &s, StringInfo out, const ColumnInfo &col, int i, Datum value, ChangeLimits &lim)
{
	const int start = out->len;
	const int64 allowed = value_allowed(lim.room, out, col.is_key);
	const int64 room = lim.room.end - start;
	bool exact = false;
	Size bytes = col.varlena ? value_json_size(s, col.renderer, value, varlena_raw_size(value), true, &exact)
							 : kBoundSlack; /* fixed-length: checked only for max-value-bytes */
	Fit fit = decide_fit(bytes, exact, allowed, room);

	if (write_fitted(out, fit, allowed, &bytes, &exact,
					 [&](StringInfo o) { append_value(s, o, col.renderer, value); }))
		return true;

	const RowChange &c = *lim.change;
	LeftOut what{c.rel->schema,
				 c.rel->table,
				 NameStr(TupleDescAttr(RelationGetDescr(c.relation), i)->attname),
				 lim.key_len > 0 ? out->data + lim.key_start : nullptr,
				 lim.key_len,
				 bytes,
				 exact,
				 allowed,
				 !col.is_key && allowed == lim.room.max_value};

	if (col.is_key)
		error_key_too_large(what);
	lim.oversized.add(i);
	warn_left_out(what);
	return false;
}

/*
 * Writes a non-null value, or leaves it out when its JSON would not fit
 * (returns false, nothing written). The common case costs one comparison:
 * a varlena value whose raw size passes the cheap bound, a fixed-length
 * value without max-value-bytes.
 */
inline bool
write_value(Session &s, StringInfo out, const ColumnInfo &col, int i, Datum value, ChangeLimits &lim)
{
	if (value_surely_fits(col.varlena, col.is_key, value, lim.room, out))
	{
		append_value(s, out, col.renderer, value);
		return true;
	}
	return write_value_checked(s, out, col, i, value, lim);
}

} // namespace

void
out_image(Session &s, StringInfo out, const char *name_json, const RelInfo &rel, const RowImage &image,
		  Columns which, LeftOutColumns *unchanged, ChangeLimits &lim, const RowImage *old_image)
{
	bool first = true;
	const bool marker = s.opts.unchanged_toast == UnchangedToast::Marker;

	appendStringInfoString(out, name_json);
	append_char(out, '{');
	for (int i = 0; i < rel.natts; i++)
	{
		const ColumnInfo &col = rel.cols[i];
		bool toast = false;
		const RowImage *from = &image;

		if (!col.shown() || (which == Columns::Keys && !col.is_key))
			continue;
		const bool is_unchanged = unchanged_toast(col, image, i);

		if (is_unchanged && old_image && !unchanged_toast(col, *old_image, i) && !old_image->nulls[i])
			from = old_image; /* the same value, logged whole in the old row */
		else if (is_unchanged)
		{
			toast = true;
			if (unchanged)
				unchanged->add(i);
			if (!marker || which == Columns::Keys)
				continue;
		}
		const int before = out->len; /* to take the name back if its value is left out */
		const bool was_first = first;

		{
			/* [,]"name": in one reservation */
			char *dst = append_reserve(out, col.name_json_len + 2);

			if (!first)
				*dst++ = ',';
			first = false;
			memcpy(dst, col.name_json, col.name_json_len);
			dst[col.name_json_len] = ':';
			dst[col.name_json_len + 1] = '\0';
			out->len = static_cast<int>(dst - out->data) + col.name_json_len + 1;
		}
		if (from->nulls[i])
			append_lit(out, "null");
		else if (toast)
			append_json_cstring(out, s.opts.unchanged_toast_marker.c_str());
		else if (!write_value(s, out, col, i, from->values[i], lim))
		{
			out->len = before;
			out->data[before] = '\0';
			first = was_first;
		}
	}
	append_char(out, '}');
}

void
out_name_list(StringInfo out, const char *head, const RelInfo &rel, const bool *which)
{
	appendStringInfoString(out, head);
	relcache_append_names(out, rel, which, ",");
	append_char(out, ']');
}

} // namespace outflow
