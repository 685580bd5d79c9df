/*
 * native_lifecycle.h: the native format's records of a transaction's life
 * cycle beyond begin/commit: stream blocks (stream_start, stream_stop,
 * stream_commit, stream_abort) and two-phase commit (prepare,
 * stream_prepare, commit_prepared, rollback_prepared). Each is one JSON
 * object, written on its own.
 */
#ifndef OUTFLOW_NATIVE_LIFECYCLE_H
#define OUTFLOW_NATIVE_LIFECYCLE_H

#include "pg.h"

namespace outflow {

struct Session;

/* A timestamp as ISO 8601 in UTC, quoted, as to_jsonb renders timestamptz. */
void out_time_utc(StringInfo out, TimestampTz t);

/* ,"origin":.. when the transaction has a replication origin (its name, else its id). */
void out_origin(Session &s, StringInfo out, ReorderBufferTXN *txn);

void native_stream_start(Session &s, ReorderBufferTXN *txn);
void native_stream_stop(Session &s, ReorderBufferTXN *txn);
void native_stream_commit(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn, uint64 changes);
/* subxid invalid: the whole transaction. */
void native_stream_abort(Session &s, TransactionId xid, TransactionId subxid, XLogRecPtr abort_lsn);
/* op "prepare" or, for a streamed transaction, "stream_prepare". */
void native_prepare(Session &s, ReorderBufferTXN *txn, XLogRecPtr prepare_lsn, uint64 changes, bool streamed);
void native_commit_prepared(Session &s, ReorderBufferTXN *txn, XLogRecPtr commit_lsn);
void native_rollback_prepared(Session &s, ReorderBufferTXN *txn);

} // namespace outflow

#endif
