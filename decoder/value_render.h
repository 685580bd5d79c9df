/*
 * value_render.h: the one rendering core for column values, in two styles
 * chosen once per session (by its format):
 *
 * - native: exactly what to_jsonb gives in a session with TimeZone 'UTC',
 *   DateStyle 'ISO, YMD', IntervalStyle 'postgres', extra_float_digits 1
 *   and bytea_output 'hex', whatever the consumer's settings are;
 * - wal2json: the type's output-function text under the consumer's
 *   settings, classified as wal2json does (numbers bare, NaN and the
 *   infinities null, bool true/false, bytea without its "\x", the rest as a
 *   JSON string).
 *
 * A TypeRenderer is resolved once per type (cached in session.types) and a
 * column keeps a pointer to it: the per-value work is one switch over its
 * kind, fast paths writing PostgreSQL's text directly (pg_text*.h), the
 * output function for the rest. The snapshot() SQL function and backfill
 * rows go through the same core.
 */
#ifndef OUTFLOW_VALUE_RENDER_H
#define OUTFLOW_VALUE_RENDER_H

#include "pg.h"

namespace outflow {

struct Session;
struct TypeRenderer;

namespace render {

/* The renderer for typid in the session's style, built on first use and
 * cached (the cache rebuilds it in place when its type changes). */
TypeRenderer *value_renderer(Session &session, Oid typid);

/* Appends the JSON for a non-null value that is not an unchanged TOAST pointer. */
void append_value(Session &session, StringInfo out, TypeRenderer *renderer, Datum value);

/*
 * The slow path of the oversize check (oversize.h): the size of a non-null
 * varlena value's JSON (*exact) or an upper bound of it. May detoast the
 * value, and call its output function when call_output; never grows a buffer.
 */
Size value_json_size(Session &session, TypeRenderer *renderer, Datum value, Size raw, bool call_output, bool *exact);

} // namespace render

using render::append_value;
using render::value_json_size;
using render::value_renderer;

/* Marks every cached renderer stale (after a type or cast changed). */
void value_renderers_invalidate(Session &session);

/* Pops the native style's fixed GUC settings, if a value needed them in this transaction. */
void release_fixed_settings(Session &session);

} // namespace outflow

#endif
