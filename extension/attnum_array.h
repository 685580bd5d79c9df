/*
 * attnum_array.h: a set of attribute numbers as the int2[] the SQL API
 * returns (outflow._identity, outflow._expr_attnums), in ascending order.
 * Plain C over PostgreSQL calls.
 */
#ifndef OUTFLOW_ATTNUM_ARRAY_H
#define OUTFLOW_ATTNUM_ARRAY_H

#include "../decoder/pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "nodes/bitmapset.h"
#include "utils/array.h"
}

/* The members of set, each plus offset (FirstLowInvalidHeapAttributeNumber
 * for the bitmaps pull_varattnos fills, 0 for plain attnums), as int2[]. */
inline ArrayType *
attnum_array(const Bitmapset *set, int offset)
{
	Datum *elems = (Datum *) palloc(sizeof(Datum) * (bms_num_members(set) + 1));
	int n = 0;

	for (int x = bms_next_member(set, -1); x >= 0; x = bms_next_member(set, x))
		elems[n++] = Int16GetDatum((int16) (x + offset));
	return construct_array(elems, n, INT2OID, sizeof(int16), true, TYPALIGN_SHORT);
}

#endif
