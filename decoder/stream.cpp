/*
 * stream.cpp: transactions that reach the plugin before their commit.
 *
 * stream-changes (PostgreSQL 14+): a transaction larger than
 * logical_decoding_work_mem arrives in blocks, stream_start .. stream_stop,
 * interleaved with other transactions, and ends with stream_commit or
 * stream_abort (also of one subtransaction). Its seq counter and change
 * count live in a StreamXact per xid between blocks.
 *
 * Two-phase (a slot created with two_phase): a prepared transaction arrives
 * at its PREPARE (begin_prepare, changes, prepare; stream_prepare when it was
 * streamed), and later commit_prepared or rollback_prepared.
 *
 * Only the native format has these records: for the wal2json formats
 * startup turns both off, and prepared transactions arrive at COMMIT
 * PREPARED as any other.
 */
#include "boundary.h"
#include "decode.h"
#include "error.h"
#include "native_lifecycle.h"
#include "relcache.h"
#include "session.h"
#include "stream.h"
#include "value_render.h"

extern "C" {
#include "utils/hsearch.h"
}

namespace outflow {

#if OUTFLOW_HAS_STREAMING

namespace {

/* The state of a streamed (sub)transaction, created on first use. */
StreamXact *
stream_xact(Session &s, TransactionId xid, TransactionId top)
{
	bool found;
	StreamXact *st;

	if (s.streams == nullptr)
		s.streams = s.make_hash("outflow streamed transactions", sizeof(TransactionId), sizeof(StreamXact), 16);
	st = static_cast<StreamXact *>(hash_search(s.streams, &xid, HASH_ENTER, &found));
	if (!found)
	{
		st->top = top;
		st->seq = 0;
		st->emitted = 0;
		st->sent_any = false;
	}
	return st;
}

/* The state of xid, or NULL when none of it was streamed. */
StreamXact *
find_stream_xact(Session &s, TransactionId xid)
{
	if (s.streams == nullptr)
		return nullptr;
	return static_cast<StreamXact *>(hash_search(s.streams, &xid, HASH_FIND, nullptr));
}

/* Forgets a finished top-level transaction and its subtransactions. */
void
forget_stream(Session &s, TransactionId top)
{
	HASH_SEQ_STATUS status;
	StreamXact *st;

	s.stream_sub = nullptr;
	if (s.streams == nullptr)
		return;
	hash_seq_init(&status, s.streams);
	while ((st = static_cast<StreamXact *>(hash_seq_search(&status))) != nullptr)
		if (st->top == top)
			hash_search(s.streams, &st->xid, HASH_REMOVE, nullptr);
}

void
stream_start(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	Session &s = session_of(ctx);
	StreamXact *st = stream_xact(s, txn->xid, txn->xid);

	decode_begin(ctx, txn, TxnKind::Streamed);
	s.stream = st;
	s.stream_sub = nullptr;
	s.txn_seq = st->seq;
	s.txn_emitted = st->emitted;
}

void
stream_stop(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	Session &s = session_of(ctx);

	if (s.txn_begun)
		native_stream_stop(s, txn);
	if (s.stream != nullptr)
	{
		s.stream->seq = s.txn_seq;
		s.stream->emitted = s.txn_emitted;
	}
	s.stream = nullptr;
	s.stream_sub = nullptr;
	decode_end(s);
}

/*
 * Runs one decode step of a stream block, noting the changes it wrote for
 * the (sub)transaction that made them (subxid invalid: the top level), so
 * that a subtransaction's rollback can take them off the count.
 */
template <typename Step>
void
streamed_step(Session &s, ReorderBufferTXN *txn, TransactionId subxid, Step &&step)
{
	uint64 before = s.txn_emitted;

	s.txn_subxid = subxid == txn->xid ? InvalidTransactionId : subxid;
	step();
	if (TransactionIdIsValid(s.txn_subxid) && s.txn_emitted != before)
	{
		/* A subtransaction's changes come in runs: look it up once per run. */
		if (s.stream_sub == nullptr || s.stream_sub->xid != s.txn_subxid)
			s.stream_sub = stream_xact(s, s.txn_subxid, txn->xid);
		s.stream_sub->emitted += s.txn_emitted - before;
	}
	s.txn_subxid = InvalidTransactionId;
}

void
stream_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	Session &s = session_of(ctx);
	StreamXact *st = find_stream_xact(s, txn->xid);
	bool sent = st != nullptr && st->sent_any;

	OUTFLOW_UPDATE_PROGRESS(ctx, !sent);
	if (sent)
		native_stream_commit(s, txn, commit_lsn, st->emitted);
	forget_stream(s, txn->xid);
	decode_end(s);
}

/*
 * A streamed transaction or one of its subtransactions rolled back. Only
 * what was sent is withdrawn: PostgreSQL can also report the abort of a
 * transaction nothing of which was sent (18 marks some rolled-back
 * subtransactions as streamed by mistake, also with streaming off), and then
 * nothing is written. It comes between transactions, but the transaction
 * state is left alone in case it ever does not.
 */
void
stream_abort(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr abort_lsn)
{
	Session &s = session_of(ctx);
	ReorderBufferTXN *top = OUTFLOW_TOPTXN(txn);
	StreamXact *st = find_stream_xact(s, top->xid);

	OUTFLOW_UPDATE_PROGRESS(ctx, st == nullptr || !st->sent_any);
	if (top == txn)
	{
		if (st != nullptr && st->sent_any)
			native_stream_abort(s, top->xid, InvalidTransactionId, abort_lsn);
		forget_stream(s, top->xid);
	}
	else
	{
		StreamXact *sub = find_stream_xact(s, txn->xid);

		if (st != nullptr && sub != nullptr)
			st->emitted -= sub->emitted;
		if (sub != nullptr)
		{
			if (s.stream_sub == sub)
				s.stream_sub = nullptr;
			hash_search(s.streams, &txn->xid, HASH_REMOVE, nullptr);
		}
		if (st != nullptr && st->sent_any)
			native_stream_abort(s, top->xid, txn->xid, abort_lsn);
	}
	if (s.txn == nullptr)
		relcache_prune(s);
}

void
stream_prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr prepare_lsn)
{
	Session &s = session_of(ctx);
	StreamXact *st = find_stream_xact(s, txn->xid);

	OUTFLOW_UPDATE_PROGRESS(ctx, false);
	native_prepare(s, txn, prepare_lsn, st != nullptr ? st->emitted : 0, true);
	forget_stream(s, txn->xid);
	decode_end(s);
}

/* The end of a transaction decoded at PREPARE: prepare is always written. */
void
prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr prepare_lsn)
{
	Session &s = session_of(ctx);

	OUTFLOW_UPDATE_PROGRESS(ctx, false);
	s.ensure_begin(); /* begin_prepare with include-transaction, also when nothing was written */
	native_prepare(s, txn, prepare_lsn, s.txn_emitted, false);
	decode_end(s);
}

} // namespace

void
lifecycle_startup(Session &s, LogicalDecodingContext *ctx)
{
	/* Streaming only when asked for; neither for the wal2json formats. */
	ctx->streaming &= s.opts.stream_changes && s.opts.format == FormatKind::Native;
	ctx->twophase &= s.opts.format == FormatKind::Native;
}

#else /* 13: no streaming, no two-phase decoding */

void
lifecycle_startup(Session &s, LogicalDecodingContext *)
{
	if (s.opts.stream_changes)
		throw Error(kFeatureNotSupported, "option \"stream-changes\" needs PostgreSQL 14 or later",
					"This server is PostgreSQL " PG_MAJORVERSION ".",
					"Remove the option: transactions are then sent when they commit.");
}

#endif

} // namespace outflow

using namespace outflow;

#if OUTFLOW_HAS_STREAMING

/* The extern "C" callbacks: each one a boundary. */
extern "C" {

static void
outflow_stream_start(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { stream_start(ctx, txn); }); });
}

static void
outflow_stream_stop(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { stream_stop(ctx, txn); }); });
}

static void
outflow_stream_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { stream_commit(ctx, txn, commit_lsn); }); });
}

static void
outflow_stream_abort(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr abort_lsn)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { stream_abort(ctx, txn, abort_lsn); }); });
}

static void
outflow_stream_prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr prepare_lsn)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { stream_prepare(ctx, txn, prepare_lsn); }); });
}

static void
outflow_stream_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation,
					  ReorderBufferChange *c)
{
	Session &s = session_of(ctx);

	pg_boundary([&] {
		in_change_context(s, [&] {
			streamed_step(s, txn, OUTFLOW_CHANGE_XID(c), [&] { decode_change(ctx, txn, relation, c); });
		});
	});
}

static void
outflow_stream_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations, Relation relations[],
						ReorderBufferChange *c)
{
	Session &s = session_of(ctx);

	pg_boundary([&] {
		in_change_context(s, [&] {
			streamed_step(s, txn, OUTFLOW_CHANGE_XID(c),
						  [&] { decode_truncate(ctx, txn, nrelations, relations, c); });
		});
	});
}

/* PostgreSQL does not say which subtransaction wrote a message: it counts as the top level's. */
static void
outflow_stream_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
					   const char *prefix, Size size, const char *content)
{
	Session &s = session_of(ctx);

	pg_boundary([&] {
		in_change_context(s, [&] { decode_message(ctx, txn, lsn, transactional, prefix, size, content); });
	});
}

static void
outflow_begin_prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { decode_begin(ctx, txn, TxnKind::Prepared); }); });
}

static void
outflow_prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr prepare_lsn)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { prepare(ctx, txn, prepare_lsn); }); });
}

static void
outflow_commit_prepared(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	Session &s = session_of(ctx);

	pg_boundary([&] {
		in_change_context(s, [&] {
			OUTFLOW_UPDATE_PROGRESS(ctx, false);
			native_commit_prepared(s, txn, commit_lsn);
		});
	});
}

static void
outflow_rollback_prepared(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr, TimestampTz)
{
	Session &s = session_of(ctx);

	pg_boundary([&] {
		in_change_context(s, [&] {
			OUTFLOW_UPDATE_PROGRESS(ctx, false);
			native_rollback_prepared(s, txn);
		});
	});
}

} /* extern "C" */

/* All of them: PostgreSQL requires every stream callback once one is set. */
void
outflow::register_lifecycle_callbacks(OutputPluginCallbacks *cb)
{
	cb->stream_start_cb = outflow_stream_start;
	cb->stream_stop_cb = outflow_stream_stop;
	cb->stream_commit_cb = outflow_stream_commit;
	cb->stream_abort_cb = outflow_stream_abort;
	cb->stream_prepare_cb = outflow_stream_prepare;
	cb->stream_change_cb = outflow_stream_change;
	cb->stream_truncate_cb = outflow_stream_truncate;
	cb->stream_message_cb = outflow_stream_message;
	cb->begin_prepare_cb = outflow_begin_prepare;
	cb->prepare_cb = outflow_prepare;
	cb->commit_prepared_cb = outflow_commit_prepared;
	cb->rollback_prepared_cb = outflow_rollback_prepared;
}

#else

void
outflow::register_lifecycle_callbacks(OutputPluginCallbacks *)
{
}

#endif
