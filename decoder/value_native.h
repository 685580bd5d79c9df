/*
 * value_native.h: values in the native format: exactly what to_jsonb gives
 * in a session with TimeZone 'UTC', DateStyle 'ISO, YMD', IntervalStyle
 * 'postgres', extra_float_digits 1 and bytea_output 'hex', whatever the
 * consumer's settings are.
 *
 * A TypeRenderer is resolved once per type (cached in session.types) and
 * says how to write values of that type: fast paths for common types,
 * recursion for arrays, composites and domains, the type's output function
 * for the rest.
 */
#ifndef OUTFLOW_VALUE_NATIVE_H
#define OUTFLOW_VALUE_NATIVE_H

#include "pg.h"

namespace outflow {

struct Session;
struct TypeRenderer;

/* The renderer for typid, built on first use and cached for the session. */
const TypeRenderer *native_renderer(Session &session, Oid typid);

/* Appends the JSON for a non-null, already detoastable value. */
void native_append_value(Session &session, StringInfo out, const TypeRenderer *renderer, Datum value);

/*
 * The slow path of the oversize check (oversize.h): the size of a non-null
 * varlena value's JSON (*exact) or an upper bound of it. May detoast the
 * value or call its output function; never grows a buffer.
 */
Size native_value_size(Session &session, const TypeRenderer *renderer, Datum value, Size raw, bool *exact);

/* Forgets every cached renderer (after a type or cast changed). */
void native_types_invalidate(Session &session);

/* Pops the forced GUC settings, if a value needed them in this transaction. */
void native_release_settings(Session &session);

} // namespace outflow

#endif
