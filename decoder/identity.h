/*
 * identity.h: a relation's replica identity and "key" columns, decided in
 * one place for the stream (relcache.cpp) and for the SQL API
 * (outflow._identity, extension/identity_sql.cpp), so the two cannot differ.
 */
#ifndef OUTFLOW_IDENTITY_H
#define OUTFLOW_IDENTITY_H

#include "pg.h"

namespace outflow {

/*
 * Plain data (palloc'd Bitmapsets of attnums, members >= 1; empty = NULL):
 *   kind      pg_class.relreplident (REPLICA_IDENTITY_*)
 *   identity  the replica identity: the primary key's key columns with
 *             DEFAULT, the chosen index's with INDEX, every non-dropped
 *             column with FULL; empty with NOTHING or when the index is
 *             missing (as PostgreSQL's RelationGetIndexAttrBitmap finds it)
 *   key       what the native format reports as "key": identity with
 *             DEFAULT or INDEX, the primary key with FULL or NOTHING
 *             (none for a deferrable one, on every major)
 */
struct IdentityColumns
{
	char kind;
	Bitmapset *identity;
	Bitmapset *key;
};

/* pg_class.relreplident as outflow names it: default, index, full, nothing
 * (the relation record's "replica_identity", _identity's kind). */
const char *replica_identity_name(char kind);

/* Decides relation's identity and key columns (relcache lookups; may raise). */
IdentityColumns identity_columns(Relation relation);

} // namespace outflow

#endif
