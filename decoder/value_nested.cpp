/*
 * value_nested.cpp: the native style's writers of arrays (nested JSON arrays, one
 * level per dimension) and composites (JSON objects of the live attributes),
 * recursing into append_value for elements and fields.
 */
#include "oversize.h"
#include "session.h"
#include "value_impl.h"

extern "C" {
#include "access/htup_details.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/arrayaccess.h"
#include "utils/typcache.h"
}

namespace outflow {
namespace render {

/* Elements in order; each wrap of a dimension closes and reopens brackets. */
void
append_array(Session &session, StringInfo out, TypeRenderer *r, Datum value)
{
	/* A short array is copied to the stack rather than detoasted into palloc'd memory. */
	LocalVarlena local;
	ArrayType *arr = reinterpret_cast<ArrayType *>(varlena_aligned(value, local));
	int ndim = ARR_NDIM(arr);
	int *dims = ARR_DIMS(arr);
	int nitems = ArrayGetNItems(ndim, dims);
	int idx[MAXDIM];
	array_iter iter;

	check_stack_depth();
	if (nitems <= 0)
	{
		append_lit(out, "[]");
		varlena_release(reinterpret_cast<struct varlena *>(arr), local);
		return;
	}

	for (int d = 0; d < ndim; d++)
	{
		idx[d] = 0;
		appendStringInfoCharMacro(out, '[');
	}

	OUTFLOW_ARRAY_ITER_SETUP(&iter, reinterpret_cast<AnyArrayType *>(arr), r->elmlen, r->elmbyval, r->elmalign);
	for (int i = 0; i < nitems; i++)
	{
		bool isnull;
		Datum elem;

		if (i > 0)
		{
			/* Advance the index; every dimension that wraps closes and reopens. */
			int d = ndim - 1;
			int wraps = 0;

			idx[d]++;
			while (d > 0 && idx[d] == dims[d])
			{
				idx[d] = 0;
				d--;
				idx[d]++;
				wraps++;
			}
			for (int k = 0; k < wraps; k++)
				appendStringInfoCharMacro(out, ']');
			appendStringInfoCharMacro(out, ',');
			for (int k = 0; k < wraps; k++)
				appendStringInfoCharMacro(out, '[');
		}

		elem = OUTFLOW_ARRAY_ITER_NEXT(&iter, &isnull, i, r->elmlen, r->elmbyval, r->elmalign);
		if (isnull)
			append_lit(out, "null");
		else
			append_value(session, out, r->elem, elem);
	}

	for (int d = 0; d < ndim; d++)
		appendStringInfoCharMacro(out, ']');

	varlena_release(reinterpret_cast<struct varlena *>(arr), local);
}

/*
 * Brackets and commas (at most 2 bytes per element and dimension), NULLs
 * ("null"), fixed-length elements 9 bytes per stored byte plus 8 (the
 * widest: a "char" as "\u0001", a bool as false), varlena elements by
 * value_json_size (text counted exactly).
 */
Size
array_json_bound(Session &session, TypeRenderer *r, Datum value)
{
	LocalVarlena local;
	ArrayType *arr = reinterpret_cast<ArrayType *>(varlena_aligned(value, local));
	int ndim = ARR_NDIM(arr);
	int nitems = ArrayGetNItems(ndim, ARR_DIMS(arr));
	Size bound = 2 * static_cast<Size>(ndim) + 2;
	array_iter iter;

	if (r->elmlen > 0)
	{
		/* NULLs write less than the widest fixed-length element. */
		bound += static_cast<Size>(nitems) * (9 * static_cast<Size>(r->elmlen) + 8 + 2 * ndim);
		varlena_release(reinterpret_cast<struct varlena *>(arr), local);
		return bound;
	}
	OUTFLOW_ARRAY_ITER_SETUP(&iter, reinterpret_cast<AnyArrayType *>(arr), r->elmlen, r->elmbyval, r->elmalign);
	for (int i = 0; i < nitems; i++)
	{
		bool isnull;
		bool exact;
		Datum elem = OUTFLOW_ARRAY_ITER_NEXT(&iter, &isnull, i, r->elmlen, r->elmbyval, r->elmalign);

		bound += 2 * ndim + 1;
		if (isnull)
			bound += 4;
		else if (r->elmlen == -1)
			bound += value_json_size(session, r->elem, elem, varlena_raw_size(elem), true, &exact);
		else
			bound += 6 * strlen(DatumGetCString(elem)) + 2; /* cstring elements */
	}
	varlena_release(reinterpret_cast<struct varlena *>(arr), local);
	return bound;
}

/* Fields by the value's own tuple descriptor; field renderers cached in r->fields. */
void
append_composite(Session &session, StringInfo out, TypeRenderer *r, Datum value)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(value);
	TupleDesc tupdesc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(td), HeapTupleHeaderGetTypMod(td));
	int natts = tupdesc->natts;
	HeapTupleData tuple;
	Datum *values;
	bool *nulls;
	bool first = true;

	check_stack_depth();

	if (natts > r->nfields)
	{
		FieldRenderer *fields = static_cast<FieldRenderer *>(
			MemoryContextAllocZero(session.session_cxt, sizeof(FieldRenderer) * natts));

		if (r->fields != nullptr)
		{
			memcpy(fields, r->fields, sizeof(FieldRenderer) * r->nfields);
			pfree(r->fields);
		}
		r->fields = fields;
		r->nfields = natts;
	}

	tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = td;

	values = static_cast<Datum *>(palloc(sizeof(Datum) * (natts > 0 ? natts : 1)));
	nulls = static_cast<bool *>(palloc(sizeof(bool) * (natts > 0 ? natts : 1)));
	heap_deform_tuple(&tuple, tupdesc, values, nulls);

	appendStringInfoCharMacro(out, '{');
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped)
			continue;
		if (!first)
			appendStringInfoCharMacro(out, ',');
		first = false;
		append_json_cstring(out, NameStr(att->attname));
		appendStringInfoCharMacro(out, ':');
		if (nulls[i])
		{
			append_lit(out, "null");
			continue;
		}
		if (r->fields[i].renderer == nullptr || r->fields[i].typid != att->atttypid)
		{
			r->fields[i].renderer = value_renderer(session, att->atttypid);
			r->fields[i].typid = att->atttypid;
		}
		append_value(session, out, r->fields[i].renderer, values[i]);
	}
	appendStringInfoCharMacro(out, '}');

	pfree(values);
	pfree(nulls);
	ReleaseTupleDesc(tupdesc);
	if (reinterpret_cast<Pointer>(td) != DatumGetPointer(value))
		pfree(td);
}

} // namespace render
} // namespace outflow
