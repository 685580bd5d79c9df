/*
 * relcache.h: what the decoder knows about each relation, built once from
 * the (historic) relation descriptor and kept until an invalidation says the
 * relation, its namespace or a type changed. No catalog lookups per row.
 */
#ifndef OUTFLOW_RELCACHE_H
#define OUTFLOW_RELCACHE_H

#include "pg.h"

namespace outflow {

struct Session;
struct TypeRenderer;

/* One attribute of a relation, as of the entry's build. */
struct ColumnInfo
{
	const char *name_json;	/* the name as a quoted, escaped JSON string */
	int name_json_len;
	bool dropped;
	bool is_key;			/* part of "key" (see relcache.cpp) */
	bool is_varlena;		/* attlen == -1: may arrive as an unchanged TOAST pointer */
	bool published;			/* shown in the output; false when the publications'
							 * column list (publication_names) leaves it out */
	const TypeRenderer *renderer; /* how its values are written, in the session's style (value_render.h) */
};

struct RelInfo
{
	Oid relid;				/* hash key: must be first */
	bool valid;
	bool built;			/* false until build_entry has completed (an ERROR mid-build leaves it false) */
	MemoryContext cxt;		/* owns everything below */

	const char *schema;		/* raw names */
	const char *table;
	const char *schema_json; /* quoted, escaped */
	const char *table_json;

	char replident;			/* pg_class.relreplident */
	int natts;				/* including dropped attributes */
	ColumnInfo *cols;		/* natts entries, index = attnum - 1 */
	int nkeys;				/* columns with is_key */

	bool table_filtered;	/* add-tables/filter-tables exclude it */
	struct PubRel *pub;		/* with publication_names: what the publications
							 * publish for it (publication.h), in cxt; else NULL */
	void *format_private;	/* built by the format, in cxt */
	const char *record;		/* include-relations: the relation record, in cxt; else NULL */
	int record_len;
	bool record_unsent;		/* record built but not yet compared with the last one sent */
};

/* Creates the session's cache and registers invalidation callbacks. */
void relcache_init(Session &session);

/* Returns the valid entry for relation, building it if needed. */
RelInfo *relcache_get(Session &session, Relation relation);

/*
 * Frees the entries invalidation left stale (dropped or altered tables), so
 * the cache does not grow with every table a long session ever saw. Only
 * where no RelInfo pointer is held: between transactions.
 */
void relcache_prune(Session &session);

/* Forgets every entry (used at shutdown). */
void relcache_destroy(Session &session);

} // namespace outflow

#endif
