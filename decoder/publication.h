/*
 * publication.h: the decoder follows publications (option publication_names,
 * as pgoutput takes it). Per relation, once per RelInfo build, under the
 * historic snapshot of that point of the stream: which actions the named
 * publications publish for it, as which relation (publish_via_partition_root),
 * which columns (column lists: ColumnInfo::published) and which rows (row
 * filters, row_filter.h); route_row (relations.h) applies them to each row
 * change. The publications themselves are loaded lazily, at the first change
 * that needs them (the walsender has no transaction at startup), and
 * reloaded after an invalidation. Depends on relcache, never the reverse.
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

/* Registers the invalidation callbacks that mark the loaded publications stale. */
void publication_init(Session &s);

/*
 * Fills rel.pub and unpublishes the columns the publications leave out
 * (relcache_set_published). Called while building rel.
 * Raises an ERROR if a publication does not exist.
 */
void publication_build(Session &s, RelInfo &rel, Relation relation);

/* Do the publications send row change c of a relation with pub (its action; a
 * DELETE needs the old row's identity)? */
bool publication_sends(const PubRel &pub, const RowChange &c);

/* The partition root c is published as, or InvalidOid if as its own relation. */
Oid publication_shown_as(const PubRel &pub, const RowChange &c);

/* Converts c's tuples to the row type of the root it is published as. */
void publication_map_to_root(const PubRel &pub, RowChange &c);

/* Is a TRUNCATE of this relation (with rel.pub) published? */
bool publication_truncates(const RelInfo &rel, Relation relation);

} // namespace outflow

#endif
