/*
 * row_filter.h: publication row filters (pg_publication_rel.prqual), built
 * once per relation into executor expression states and evaluated per row,
 * as pgoutput evaluates them: NULL counts as false; for an UPDATE with both
 * rows, the old and the new row are tested and the change becomes an INSERT
 * (only the new row passes), a DELETE (only the old one) or nothing.
 */
#ifndef OUTFLOW_ROW_FILTER_H
#define OUTFLOW_ROW_FILTER_H

#include "op.h"
#include "pg.h"

extern "C" {
#include "nodes/execnodes.h"
}

namespace outflow {

struct RowChange;

/* The filters of one relation (in the relation entry's memory). */
struct RowFilterSet
{
	EState *estate;			  /* owns the expression states */
	TupleTableSlot *slot;	  /* scan slot over a copy of the row type */
	ExprState *expr[kRowFilterActions]; /* by row_filter_index; NULL: every row of that action passes */
	bool any_varlena;		  /* has a live varlena column (an UPDATE's new row may need completing) */
};

/*
 * Builds the filters of relation in cxt. quals[row_filter_index(op)] lists
 * the filters (node trees as text, char *) OR-ed for op; NIL means no filter.
 */
RowFilterSet *row_filters_build(MemoryContext cxt, Relation relation, List *const quals[kRowFilterActions]);

/*
 * Applies the filter of c's action to c (a change of the relation the
 * filters were built for, tuples in its row type). Returns false if nothing
 * is to be sent; may turn an UPDATE into an INSERT (new row only, with
 * unchanged TOAST values of the old row filled in) or a DELETE (old row).
 * An UPDATE's tuples are taken apart into c.oldrow and c.newrow here
 * (unpack_rows), as they will be shown. Allocates in the current
 * (per-change) memory context only when a value needs filling in.
 */
bool row_filters_apply(RowFilterSet &filters, RowChange &c);

} // namespace outflow

#endif
