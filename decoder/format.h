/*
 * format.h: what an output format must do. A format turns decoded changes
 * into bytes in ctx->out, with OutputPluginPrepareWrite/OutputPluginWrite.
 * The decoder (plugin.cpp) has already applied option filters (actions,
 * tables, origins, message prefixes) before calling a format.
 *
 * Format methods run inside a pg_boundary and call into PostgreSQL: they
 * must keep no object with a destructor alive on the stack.
 */
#ifndef OUTFLOW_FORMAT_H
#define OUTFLOW_FORMAT_H

#include "pg.h"

namespace outflow {

struct Session;
struct RelInfo;

/* One row change, as the decoder hands it to a format. */
struct RowChange
{
	ReorderBufferTXN *txn;
	ReorderBufferChange *change;
	Relation relation;
	RelInfo *rel;
	char op;		   /* 'I', 'U', 'D' */
	HeapTuple newtuple; /* NULL for delete */
	HeapTuple oldtuple; /* NULL if not logged */
	uint64 seq;		   /* position in the transaction */
	bool read = false; /* a row of outflow.backfill(): an insert shown as "op":"read" */
};

class Format
{
public:
	virtual ~Format() = default;

	/* Builds per-relation data kept in rel.format_private (in rel.cxt). */
	virtual void build_relation(Session &, RelInfo &, Relation) {}

	/* Transaction start and end. A format calls s.ensure_begin() right before it
	 * writes anything for a transaction, which calls begin once (so empty
	 * transactions stay silent); include-empty-transactions calls it eagerly.
	 * commit is called only if begin was. */
	virtual void begin(Session &s, ReorderBufferTXN *txn) = 0;
	virtual void commit(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) = 0;

	virtual void row(Session &s, const RowChange &change) = 0;

	/* One TRUNCATE of the (already filtered) relations. */
	virtual void truncate(Session &s, ReorderBufferTXN *txn, int nrels, Relation *relations,
						  RelInfo **rels, ReorderBufferChange *change, uint64 first_seq) = 0;

	/* A logical message; txn is NULL for a non-transactional one. */
	virtual void message(Session &s, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
						 const char *prefix, Size size, const char *content, uint64 seq) = 0;

	/* A backfill_start or backfill_end record (op) of relation rel; fields is
	 * "publication":..,"backfill_id":..[,"rows":..]. By default a transactional
	 * message with prefix "outflow.<op>" and a JSON object as content
	 * (backfill_message.cpp); the native format writes its own record. */
	virtual void backfill_mark(Session &s, ReorderBufferTXN *txn, XLogRecPtr lsn, uint64 seq, const RelInfo &rel,
							   const char *op, const char *fields, int len);
};

/* The formats we have. Each allocates with new; the session deletes it. */
Format *make_native_format();
Format *make_wal2json_format(int version);

/* A row as outflow.snapshot() returns it, appended to out (format_native.cpp). */
void native_append_read(Session &s, StringInfo out, const RowChange &c);

} // namespace outflow

#endif
