/*
 * relcache.h: what the decoder knows about each relation, built once from
 * the (historic) relation descriptor and kept until an invalidation says the
 * relation, its namespace or a type changed. No catalog lookups per row.
 *
 * relcache owns what every format shares: names, columns (type, attnum,
 * dropped, not null, varlena, key membership, published), keys and replica
 * identity, and the scratch arrays a change's tuples are taken apart into
 * (RowImage, once per tuple). The layers above (publications, table
 * filters, the format's prepared bytes, relation records) complete an entry
 * through the function given to relcache_init: relcache calls none of them.
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
	Oid typid;				/* pg_attribute.atttypid */
	AttrNumber attnum;
	bool dropped;
	bool published;			/* shown in the output; false for virtual generated
							 * columns and those the publications' column lists
							 * leave out (relcache_set_published) */
	bool not_null;			/* attnotnull */
	bool varlena;			/* attlen == -1: may arrive as an unchanged TOAST pointer */
	bool is_key;			/* part of "key": the replica identity (DEFAULT: the
							 * primary key; INDEX: its index), with FULL or
							 * NOTHING the primary key */
	bool in_pk;				/* a column of the primary key index (wal2json's "pk") */
	bool in_ri;				/* a column of the replica identity index */
	TypeRenderer *renderer; /* how its values are written, in the session's style (value_render.h) */

	/* Is the column shown at all? */
	bool shown() const { return !dropped && published; }
};

/* A tuple of a change taken apart (relcache_unpack): natts values and nulls. */
struct RowImage
{
	Datum *values;
	bool *nulls;
};

struct RelInfo
{
	Oid relid;				/* hash key: must be first */
	bool valid;
	bool built;			/* false until the build has completed (an ERROR mid-build leaves it false) */
	MemoryContext cxt;		/* owns everything below */

	const char *schema;		/* raw names */
	const char *table;
	const char *schema_json; /* quoted, escaped */
	const char *table_json;

	char replident;			/* pg_class.relreplident */
	int natts;				/* including dropped attributes */
	ColumnInfo *cols;		/* natts entries, index = attnum - 1 */
	int nkeys;				/* shown columns with is_key */
	bool has_pk;			/* a primary key index (rd_pkindex) */
	bool has_ri;			/* a replica identity index (rd_replidindex) */
	bool pk_all;			/* no primary key index, or not openable: wal2json uses every column */
	bool ri_all;			/* no replica identity index, or not openable: likewise */
	Datum *values[2];		/* scratch of relcache_unpack: [0] old tuple, [1] new tuple */
	bool *nulls[2];
	bool *unchanged;		/* scratch of the change being written, natts + 1 flags by column: */
	bool *oversized;		/* its unchanged TOAST values and the values it left out (oversize.h) */

	bool table_filtered;	/* add-tables/filter-tables exclude it */
	struct PubRel *pub;		/* with publication_names: what the publications
							 * publish for it (publication.h), in cxt; else NULL */
	void *format_private;	/* built by the format, in cxt */
	const char *record;		/* include-relations: the relation record, in cxt; else NULL */
	int record_len;
	bool record_unsent;		/* record built but not yet compared with the last one sent */
};

/* Is value i of row an out-of-line value the decoder did not reassemble (an
 * UPDATE left it unchanged)? It must never be read. */
inline bool
unchanged_toast(const ColumnInfo &col, const RowImage &row, int i)
{
	return col.varlena && !row.nulls[i] && VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(row.values[i]));
}

/* Appends the JSON names of rel's columns flagged in which (natts flags), separated by sep. */
void relcache_append_names(StringInfo out, const RelInfo &rel, const bool *which, const char *sep);

/* Completes a new entry above relcache (Session's layers); called with its columns built. */
using RelCompleter = void (*)(Session &session, RelInfo &rel, Relation relation);

/* Creates the session's cache and registers invalidation callbacks. */
void relcache_init(Session &session, RelCompleter complete);

/* Returns the valid entry for relation, building it if needed. */
RelInfo *relcache_get(Session &session, Relation relation);

/*
 * Takes tuple of relation apart into rel's scratch arrays (which: 0 old,
 * 1 new), valid until the next change of the relation. An ERROR if the
 * descriptor does not have the entry's shape (a missed invalidation).
 */
RowImage relcache_unpack(const RelInfo &rel, Relation relation, HeapTuple tuple, int which);

/*
 * Shows only the columns in published (attnums) of those shown so far and
 * recounts the keys (publication column lists). Called while building rel.
 */
void relcache_set_published(RelInfo &rel, const Bitmapset *published);

/* Marks every entry for rebuild (only sets flags: invalidation callbacks). */
void relcache_invalidate_all(Session &session);

/* The session whose caches the process-wide invalidation callbacks maintain, or NULL. */
Session *relcache_session();

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
