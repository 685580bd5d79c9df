/*
 * relations.h: the decoder's relation entries whole, and the way of a row
 * change to the format. relcache builds an entry's columns and keys; this
 * layer completes it (type renderers refreshed, publications, table
 * filters, the format's prepared bytes, the relation record), and routes a
 * row change: publications' actions, the partition root it is published as
 * (opened and closed here only), its tuples taken apart once, row filters.
 */
#ifndef OUTFLOW_RELATIONS_H
#define OUTFLOW_RELATIONS_H

#include "change.h"
#include "pg.h"

namespace outflow {

struct Session;

/* Sets up the session's relation entries (relcache and publications). */
void relations_init(Session &s);

/* Receives a row change as it is sent (route_row). */
using RowSink = void (*)(Session &s, const RowChange &c, void *arg);

/*
 * Sends c (a change of a relation whose entry is not table_filtered) to
 * sink as the publications publish it: false if nothing was sent. May point
 * c at the partition root it is published as (open only while sink runs),
 * change its operation and tuples (row filters), and always takes its
 * tuples apart (c.oldrow, c.newrow) before sink sees it.
 */
bool route_row(Session &s, RowChange &c, RowSink sink, void *arg);

/* The sink of the stream's rows (decoded and backfilled): the format writes
 * the change, counted as sent in its transaction. */
void emit_row(Session &s, const RowChange &c, void *arg);

/* route_row with a callable emit(s, c). */
template <typename Emit>
bool
route_row(Session &s, RowChange &c, Emit &emit)
{
	return route_row(
		s, c, [](Session &ss, const RowChange &cc, void *arg) { (*static_cast<Emit *>(arg))(ss, cc); }, &emit);
}

} // namespace outflow

#endif
