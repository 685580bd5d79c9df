/*
 * identity_sql.cpp: outflow._identity(rel regclass, OUT kind text,
 * OUT identity_attnums int2[], OUT key_attnums int2[]): a table's replica
 * identity as the stream decides it (decoder/identity.h, the code
 * relcache.cpp uses): the kind (default, index, full, nothing), the
 * identity columns (NULL when there are none) and the columns the native
 * format reports as "key", each sorted by attnum. NULL for a NULL or
 * missing relation. Plain C over PostgreSQL calls: no C++ object lives
 * across a call that can raise.
 */
#include "../decoder/identity.h"
#include "attnum_array.h"

extern "C" {
#include "access/relation.h"
#include "funcapi.h"
#include "storage/lockdefs.h"
#include "utils/array.h"

PG_FUNCTION_INFO_V1(outflow_identity);
PGDLLEXPORT Datum outflow_identity(PG_FUNCTION_ARGS);
}

/* outflow._identity(rel): see the top of this file. */
Datum
outflow_identity(PG_FUNCTION_ARGS)
{
	TupleDesc desc;
	Relation rel;
	outflow::IdentityColumns id;
	Datum values[3];
	bool nulls[3];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("outflow._identity must be declared to return a record (kind, identity_attnums, key_attnums)"),
				 errhint("Install the function from the extension's script: ALTER EXTENSION outflow UPDATE.")));
	/* the lock only while the descriptor is read: a scan of many tables holds none */
	rel = try_relation_open(PG_GETARG_OID(0), AccessShareLock);
	if (rel == NULL)
		PG_RETURN_NULL();
	id = outflow::identity_columns(rel);
	values[0] = CStringGetTextDatum(outflow::replica_identity_name(id.kind));
	nulls[0] = false;
	/* an empty set is NULL (no identity, no key) */
	nulls[1] = bms_is_empty(id.identity);
	values[1] = nulls[1] ? (Datum) 0 : PointerGetDatum(attnum_array(id.identity, 0));
	nulls[2] = bms_is_empty(id.key);
	values[2] = nulls[2] ? (Datum) 0 : PointerGetDatum(attnum_array(id.key, 0));
	relation_close(rel, AccessShareLock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
