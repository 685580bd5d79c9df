/*
 * relation_record.h: include-relations. Before a table's first change in a
 * decoding session, and again whenever its shape, name or replica identity
 * changed, the native format writes one relation record describing exactly
 * the columns the following changes carry:
 *
 *   {"op":"relation","schema":"public","table":"t","relid":16384,"replica_identity":"default",
 *    "columns":[{"name":"id","type":"integer","type_oid":23,"typmod":-1,"not_null":true,"key":true}]}
 *
 * The record's text is built with the relation entry (no catalog lookup per
 * row) and compared with the one last sent for the relation, so an
 * invalidation that changed nothing shown (ANALYZE, an index) sends nothing.
 */
#ifndef OUTFLOW_RELATION_RECORD_H
#define OUTFLOW_RELATION_RECORD_H

#include "pg.h"
#include "relcache.h"

namespace outflow {

struct Session;

/* Builds rel.record from the relation (the entry's columns are complete). */
void relation_record_build(Session &s, RelInfo &rel, Relation relation);

/* Writes rel.record unless it is the one last sent for this relation. */
void relation_record_send(Session &s, RelInfo &rel);

/* Before a change of rel is written: the record, when the entry was rebuilt. */
inline void
relation_record_before_change(Session &s, RelInfo &rel)
{
	if (unlikely(rel.record_unsent))
		relation_record_send(s, rel);
}

} // namespace outflow

#endif
