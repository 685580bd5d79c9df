/*
 * row_filter.cpp: publication row filters, evaluated like pgoutput does.
 *
 * Built once per relation (RelInfo rebuild): the stored node trees are read
 * back, OR-ed per action, planned and compiled into ExprStates of a private
 * EState. Per row: the tuple goes into a scan slot and the expression runs in
 * the EState's per-tuple context, which is reset before every evaluation.
 */
#include "row_filter.h"

#include "format.h"

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
 * identity columns), its value is used. Returns newtuple itself if nothing
 * needed filling.
 */
HeapTuple
complete_new_row(TupleDesc desc, HeapTuple oldtuple, HeapTuple newtuple)
{
	int natts = desc->natts;
	Datum *oldv = static_cast<Datum *>(palloc(sizeof(Datum) * Max(natts, 1)));
	bool *oldn = static_cast<bool *>(palloc(sizeof(bool) * Max(natts, 1)));
	Datum *newv = static_cast<Datum *>(palloc(sizeof(Datum) * Max(natts, 1)));
	bool *newn = static_cast<bool *>(palloc(sizeof(bool) * Max(natts, 1)));
	bool filled = false;

	heap_deform_tuple(oldtuple, desc, oldv, oldn);
	heap_deform_tuple(newtuple, desc, newv, newn);
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attlen != -1 || newn[i] || oldn[i])
			continue;
		if (VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(newv[i])) &&
			!VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(oldv[i])))
		{
			newv[i] = oldv[i];
			filled = true;
		}
	}
	if (!filled)
		return newtuple;
	return heap_form_tuple(desc, newv, newn);
}

} // namespace

RowFilterSet *
row_filters_build(MemoryContext cxt, Relation relation, List *const quals[kFilterActions])
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
	for (int a = 0; a < kFilterActions; a++)
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
	int action = c.op == 'I' ? kFilterInsert : c.op == 'U' ? kFilterUpdate : kFilterDelete;
	ExprState *expr = f.expr[action];
	HeapTuple newtuple;
	bool old_passes, new_passes;

	if (expr == nullptr)
		return true;
	/* One row: an INSERT, a DELETE, or an UPDATE that logged no old row. */
	if (c.oldtuple == nullptr || c.newtuple == nullptr)
		return passes(f, expr, c.newtuple != nullptr ? c.newtuple : c.oldtuple);

	newtuple = f.any_varlena ? complete_new_row(f.slot->tts_tupleDescriptor, c.oldtuple, c.newtuple) : c.newtuple;
	old_passes = passes(f, expr, c.oldtuple);
	new_passes = passes(f, expr, newtuple);
	if (!old_passes && !new_passes)
		return false;
	if (!old_passes)
	{
		/* The row moves into the filter: an INSERT of the whole new row. */
		c.op = 'I';
		c.newtuple = newtuple;
		c.oldtuple = nullptr;
	}
	else if (!new_passes)
	{
		/* The row moves out of the filter: a DELETE of the old row. */
		c.op = 'D';
		c.newtuple = nullptr;
	}
	return true;
}

} // namespace outflow
