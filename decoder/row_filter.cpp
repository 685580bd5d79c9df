/*
 * row_filter.cpp: publication row filters, evaluated like pgoutput does.
 *
 * Built once per relation (RelInfo rebuild): the stored node trees are read
 * back, OR-ed per action, planned and compiled into ExprStates of a private
 * EState. Per row: the tuple goes into a scan slot and the expression runs in
 * the EState's per-tuple context, which is reset before every evaluation.
 */
#include "row_filter.h"

#include "change.h"

extern "C" {
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"
}

namespace outflow {

namespace {

/* Does tuple pass the filter? NULL counts as false. */
bool
passes(RowFilterSet &f, ExprState *expr, HeapTuple tuple)
{
	ExprContext *ecxt = GetPerTupleExprContext(f.estate);
	bool isnull = true;
	Datum result;

	ResetExprContext(ecxt);
	ExecStoreHeapTuple(tuple, f.slot, false);
	ecxt->ecxt_scantuple = f.slot;
	result = ExecEvalExprSwitchContext(expr, ecxt, &isnull);
	ecxt->ecxt_scantuple = nullptr;
	ExecClearTuple(f.slot);
	return !isnull && DatumGetBool(result);
}

/*
 * The new row of an UPDATE as the filter must see it: a value the UPDATE did
 * not change and that is stored out of line is only a TOAST pointer in the
 * new row; when the old row was logged whole for that column (replica
 * identity columns), its value is used. Returns c.newtuple itself if nothing
 * needed filling; else a new tuple, and in *values (per-change memory) the
 * new row's values with the old ones filled in.
 */
HeapTuple
complete_new_row(TupleDesc desc, const RowChange &c, Datum **values)
{
	const RelInfo &rel = *c.rel;
	Datum *filled = nullptr;

	for (int i = 0; i < rel.natts; i++)
	{
		if (!unchanged_toast(rel.cols[i], c.newrow, i) || c.oldrow.nulls[i] ||
			unchanged_toast(rel.cols[i], c.oldrow, i))
			continue;
		if (filled == nullptr)
		{
			filled = static_cast<Datum *>(palloc(sizeof(Datum) * rel.natts));
			memcpy(filled, c.newrow.values, sizeof(Datum) * rel.natts);
		}
		filled[i] = c.oldrow.values[i];
	}
	*values = filled;
	if (filled == nullptr)
		return c.newtuple;
	return heap_form_tuple(desc, filled, c.newrow.nulls);
}

} // namespace

RowFilterSet *
row_filters_build(MemoryContext cxt, Relation relation, List *const quals[kRowFilterActions])
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	RowFilterSet *f = static_cast<RowFilterSet *>(palloc0(sizeof(RowFilterSet)));

	/* A copy of the row type: the relcache's may be rebuilt while we keep the slot. */
	f->slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(RelationGetDescr(relation)), &TTSOpsHeapTuple);
	f->estate = CreateExecutorState(); /* its memory is a child of cxt */
	for (int i = 0; i < f->slot->tts_tupleDescriptor->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(f->slot->tts_tupleDescriptor, i);

		f->any_varlena |= !att->attisdropped && att->attlen == -1;
	}
	for (int a = 0; a < kRowFilterActions; a++)
	{
		List *nodes = NIL;
		ListCell *lc;
		Expr *expr;

		if (quals[a] == NIL)
			continue;
		foreach (lc, quals[a])
			nodes = lappend(nodes, stringToNode(static_cast<char *>(lfirst(lc))));
		expr = list_length(nodes) == 1 ? static_cast<Expr *>(linitial(nodes)) : make_orclause(nodes);
		f->expr[a] = ExecPrepareExpr(expr, f->estate);
	}
	MemoryContextSwitchTo(old);
	return f;
}

bool
row_filters_apply(RowFilterSet &f, RowChange &c)
{
	ExprState *expr = f.expr[row_filter_index(c.op)];
	HeapTuple newtuple;
	Datum *filled = nullptr;
	bool old_passes, new_passes;

	if (expr == nullptr)
		return true;
	/* One row: an INSERT, a DELETE, or an UPDATE that logged no old row. */
	if (c.oldtuple == nullptr || c.newtuple == nullptr)
		return passes(f, expr, c.newtuple != nullptr ? c.newtuple : c.oldtuple);

	if (f.any_varlena)
	{
		unpack_rows(c);
		newtuple = complete_new_row(f.slot->tts_tupleDescriptor, c, &filled);
	}
	else
		newtuple = c.newtuple;
	old_passes = passes(f, expr, c.oldtuple);
	new_passes = passes(f, expr, newtuple);
	if (!old_passes && !new_passes)
		return false;
	if (!old_passes)
	{
		/* The row moves into the filter: an INSERT of the whole new row. */
		c.op = Op::Insert;
		c.newtuple = newtuple;
		if (filled != nullptr)
			c.newrow.values = filled;
		c.oldtuple = nullptr;
		c.oldrow = RowImage{};
	}
	else if (!new_passes)
	{
		/* The row moves out of the filter: a DELETE of the old row. */
		c.op = Op::Delete;
		c.newtuple = nullptr;
		c.newrow = RowImage{};
	}
	return true;
}

} // namespace outflow
