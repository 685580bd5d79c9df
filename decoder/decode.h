/*
 * decode.h: the decoder's steps shared by the callbacks of plugin.cpp
 * (transactions at their commit) and stream.cpp (in-progress and prepared
 * transactions). Each runs inside a pg_boundary, in the per-change memory
 * context (in_change_context).
 */
#ifndef OUTFLOW_DECODE_H
#define OUTFLOW_DECODE_H

#include "pg.h"
#include "session.h"

namespace outflow {

/* Starts replaying txn, reaching us as kind. */
void decode_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, TxnKind kind);
/* Ends the replay: what a transaction's end always does (settings, cache). */
void decode_end(Session &s);
void decode_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation,
				   ReorderBufferChange *change);
void decode_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations, Relation relations[],
					 ReorderBufferChange *change);
void decode_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
					const char *prefix, Size size, const char *content);

/* Runs body in the per-change memory context, resetting it afterwards. */
template <typename Body>
void
in_change_context(Session &s, Body &&body)
{
	MemoryContext old = MemoryContextSwitchTo(s.change_cxt);

	body();
	MemoryContextSwitchTo(old);
	MemoryContextReset(s.change_cxt);
}

/* stream.cpp: the streaming and two-phase callbacks, and their startup rules. */
void lifecycle_startup(Session &s, LogicalDecodingContext *ctx);
void register_lifecycle_callbacks(OutputPluginCallbacks *cb);

} // namespace outflow

#endif
