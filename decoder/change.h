/*
 * change.h: the records the decoder hands to a format, one struct per kind
 * (a row change, a TRUNCATE, a logical message, a backfill mark), and the
 * operation of a reorder-buffer change. Plain structs: they live on the
 * stack of code that calls into PostgreSQL.
 */
#ifndef OUTFLOW_CHANGE_H
#define OUTFLOW_CHANGE_H

#include "op.h"
#include "pg.h"
#include "relcache.h"

namespace outflow {

/* The operation of a row change of the reorder buffer (Insert, Update, Delete), or Message for any other. */
inline Op
op_of_change(ReorderBufferChangeType action)
{
	switch (action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			return Op::Insert;
		case REORDER_BUFFER_CHANGE_UPDATE:
			return Op::Update;
		case REORDER_BUFFER_CHANGE_DELETE:
			return Op::Delete;
		default:
			return Op::Message;
	}
}

/*
 * One row change (Insert, Update, Delete or Read). relation and rel are
 * those it is shown as (a partition root with publish_via_partition_root);
 * oldrow and newrow are its tuples taken apart once (relcache_unpack) before
 * row filters and format see it.
 */
struct RowChange
{
	ReorderBufferTXN *txn;
	ReorderBufferChange *change; /* NULL for outflow.snapshot() rows */
	Relation relation;
	RelInfo *rel;
	Op op;
	HeapTuple newtuple; /* NULL for delete */
	HeapTuple oldtuple; /* NULL if not logged */
	uint64 seq;			/* position in the transaction */
	RowImage oldrow{};	/* oldtuple taken apart (values NULL without oldtuple) */
	RowImage newrow{};	/* newtuple taken apart */
};

/* Takes c's tuples apart (relcache_unpack) unless that is done: once per change. */
inline void
unpack_rows(RowChange &c)
{
	if (c.oldtuple != nullptr && c.oldrow.values == nullptr)
		c.oldrow = relcache_unpack(*c.rel, c.relation, c.oldtuple, 0);
	if (c.newtuple != nullptr && c.newrow.values == nullptr)
		c.newrow = relcache_unpack(*c.rel, c.relation, c.newtuple, 1);
}

/* One TRUNCATE of the (already filtered) relations. */
struct TruncateRecord
{
	ReorderBufferTXN *txn;
	ReorderBufferChange *change; /* lsn, cascade, restart_seqs */
	int nrels;
	RelInfo **rels;
	uint64 first_seq; /* position of the first relation; the others follow */
};

/* A logical message. txn is NULL and seq 0 for a non-transactional one. */
struct MessageRecord
{
	ReorderBufferTXN *txn;
	XLogRecPtr lsn;
	bool transactional;
	const char *prefix;
	Size size;
	const char *content;
	uint64 seq;
};

/* A backfill_start or backfill_end mark of relation rel (backfill_message.cpp). */
struct BackfillMark
{
	ReorderBufferTXN *txn;
	XLogRecPtr lsn;
	uint64 seq;
	const RelInfo *rel;
	const char *op;		/* "backfill_start" or "backfill_end" */
	const char *fields; /* "publication":..,"backfill_id":..[,"rows":..] */
	int len;
};

} // namespace outflow

#endif
