/*
 * session.h: the state of one decoding session (one slot being read),
 * kept in ctx->output_plugin_private. Allocated in the decoding context's
 * memory and destroyed by a reset callback on that context, so it is freed
 * even when decoding ends with an ERROR. PostgreSQL deletes child contexts
 * before it runs a context's reset callbacks: by the time ~Session runs,
 * session_cxt and change_cxt (and everything in them: the hash tables, the
 * relation entries) are gone, so the destructor must not touch them.
 */
#ifndef OUTFLOW_SESSION_H
#define OUTFLOW_SESSION_H

#include "options.h"
#include "pg.h"

struct HTAB;

namespace outflow {

class Format;
struct StreamXact;

/* How the transaction being replayed reaches the plugin. */
enum class TxnKind : uint8_t
{
	Committed, /* at its commit (begin, changes, commit) */
	Prepared,  /* at its PREPARE, on a two-phase slot (begin_prepare, changes, prepare) */
	Streamed   /* in progress, in blocks (stream_start, changes, stream_stop) */
};

struct Session
{
	LogicalDecodingContext *ctx;
	MemoryContext session_cxt; /* long-lived: caches, names */
	MemoryContext change_cxt;  /* reset after every callback */

	Options opts;
	Format *format = nullptr;
	HTAB *relations = nullptr; /* RelInfo by relid (relcache.cpp) */
	HTAB *types = nullptr;	   /* TypeRenderer by type oid (value_kinds.cpp) */
	struct PubSet *publications = nullptr; /* publication_names, loaded (publication.cpp) */

	/* The transaction being replayed. */
	ReorderBufferTXN *txn = nullptr;
	bool txn_begun = false;	   /* begin already written */
	bool foreign_backfill_seen = false; /* a message with the backfill prefix but not the key was reported */
	uint64 txn_seq = 0;		   /* changes seen so far in txn */
	uint64 txn_emitted = 0;	   /* changes written so far in txn */
	TxnKind txn_kind = TxnKind::Committed;
	TransactionId txn_subxid = InvalidTransactionId; /* streamed: the subtransaction of the change
													  * being written, invalid at top level */
	StreamXact *stream = nullptr;  /* streamed: the transaction's state across blocks (stream.h) */
	StreamXact *stream_sub = nullptr; /* streamed: the subtransaction last counted in this block */
	HTAB *streams = nullptr;	   /* StreamXact by xid, for transactions being streamed */
	HTAB *sent_relations = nullptr; /* relation records last sent, by relid (relation_record.cpp) */
	int fixed_settings_level = 0; /* GUC nest level of forced settings, 0 if none */
	OutflowOriginId origin_id = OUTFLOW_INVALID_ORIGIN; /* origin whose name is cached */
	char *origin_name = nullptr;	/* its name (session_cxt), NULL if unknown */

	/* Set by invalidation callbacks; acted on at the next safe point. */
	bool types_stale = false;
	bool relations_stale = false; /* some relation entry was invalidated */

	/* Writes the format's begin if it has not been written for this txn. */
	void ensure_begin();

	/* The name of a replication origin, looked up once per origin. */
	const char *origin_name_of(OutflowOriginId id);

	/* A hash table of blob keys in the session's memory (its caches). */
	HTAB *make_hash(const char *name, Size keysize, Size entrysize, long nelem) const
	{
		HASHCTL ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = keysize;
		ctl.entrysize = entrysize;
		ctl.hcxt = session_cxt;
		return hash_create(name, nelem, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	~Session();
};

/* The session of the decoding context. */
inline Session &
session_of(LogicalDecodingContext *ctx)
{
	return *static_cast<Session *>(ctx->output_plugin_private);
}

} // namespace outflow

#endif
