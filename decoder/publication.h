/*
 * publication.h: the decoder follows publications (option publication_names,
 * as pgoutput takes it). Per relation, once per RelInfo build, under the
 * historic snapshot of that point of the stream: which actions the named
 * publications publish for it, as which relation (publish_via_partition_root),
 * which columns (column lists: ColumnInfo::published) and which rows (row
 * filters, row_filter.h). The publications themselves are loaded lazily, at
 * the first change that needs them (the walsender has no transaction at
 * startup), and reloaded after an invalidation.
 */
#ifndef OUTFLOW_PUBLICATION_H
#define OUTFLOW_PUBLICATION_H

#include <cstdint>

#include "pg.h"

extern "C" {
#include "access/tupconvert.h"
}

namespace outflow {

struct Session;
struct RelInfo;
struct RowChange;
struct RowFilterSet;

/* What the publications publish for one relation (RelInfo::pub, in its cxt). */
struct PubRel
{
	uint8_t actions;			 /* kAction* bits: union over the publications that include it */
	Oid publish_as;				 /* its changes are reported as this relation (a partition
								  * ancestor with publish_via_partition_root), or itself */
	TupleConversionMap *to_root; /* its rows to publish_as's row type; NULL if the same */
	RowFilterSet *filters;		 /* its row filters; NULL if every row is published */
};

/*
 * Fills rel.pub and clears ColumnInfo::published of the columns the
 * publications leave out (recounting rel.nkeys). Called while building rel.
 * Raises an ERROR if a publication does not exist.
 */
void publication_build(Session &s, RelInfo &rel, Relation relation);

/* Marks the loaded publications stale: only sets a flag (invalidation callbacks). */
void publication_invalidate(Session &s);

/*
 * Applies the publications to a row change of a relation with rel.pub:
 * false means nothing is sent. May change c.op and its tuples (row filters
 * turn an UPDATE into an INSERT or a DELETE) and point c.relation and c.rel at
 * the partition root it is published as; the caller then closes c.relation
 * (RelationClose) after writing the change.
 */
bool publication_row(Session &s, RowChange &c);

/* Is a TRUNCATE of this relation (with rel.pub) published? */
bool publication_truncates(const RelInfo &rel, Relation relation);

} // namespace outflow

#endif
