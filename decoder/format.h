/*
 * format.h: what an output format must do. A format turns decoded changes
 * into bytes in ctx->out, with OutputPluginPrepareWrite/OutputPluginWrite.
 * The decoder (plugin.cpp) has already applied option filters (actions,
 * tables, origins, message prefixes) and publications (relations.h) before
 * calling a format; each kind of record is one struct (change.h).
 *
 * Format methods run inside a pg_boundary and call into PostgreSQL: they
 * must keep no object with a destructor alive on the stack.
 */
#ifndef OUTFLOW_FORMAT_H
#define OUTFLOW_FORMAT_H

#include "change.h"
#include "pg.h"

namespace outflow {

struct Session;
struct RelInfo;

class Format
{
public:
	virtual ~Format() = default;

	/* Builds the format's own per-relation data (prepared bytes) kept in
	 * rel.format_private (in rel.cxt); relcache has the columns and keys. */
	virtual void build_relation(Session &, RelInfo &, Relation) {}

	/* Transaction start and end. A format calls s.ensure_begin() right before it
	 * writes anything for a transaction, which calls begin once (so empty
	 * transactions stay silent); include-empty-transactions calls it eagerly.
	 * commit is called only if begin was. */
	virtual void begin(Session &s, ReorderBufferTXN *txn) = 0;
	virtual void commit(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) = 0;

	/* A row change, its tuples taken apart (c.oldrow, c.newrow). */
	virtual void row(Session &s, const RowChange &c) = 0;

	virtual void truncate(Session &s, const TruncateRecord &t) = 0;

	virtual void message(Session &s, const MessageRecord &m) = 0;

	/* By default a transactional message with prefix "outflow.<op>" and a
	 * JSON object as content (backfill_message.cpp); the native format
	 * writes its own record. */
	virtual void backfill_mark(Session &s, const BackfillMark &b);
};

/* The formats we have. Each allocates with new; the session deletes it. */
Format *make_native_format();
Format *make_wal2json_format(int version);

/* A row as outflow.snapshot() returns it, appended to out (format_native.cpp). */
void native_append_read(Session &s, StringInfo out, const RowChange &c);

} // namespace outflow

#endif
