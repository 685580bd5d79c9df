/*
 * plugin.cpp: the output plugin's entry points. Each callback PostgreSQL
 * calls is a thin extern "C" function that runs its body through
 * pg_boundary() (no C++ exception crosses into PostgreSQL) in the
 * per-change memory context, which is reset afterwards.
 *
 * The decoder applies what all formats share (actions, table patterns,
 * origins, message prefixes, empty-transaction skipping, the change
 * position "seq") and hands the rest to the session's Format.
 */
#include <new>
#include <optional>
#include <string>

#include "backfill_decode.h"
#include "boundary.h"
#include "decode.h"
#include "format.h"
#include "publication.h"
#include "relations.h"
#include "relcache.h"
#include "session.h"
#include "value_render.h"

extern "C" {
#include "access/xact.h"
#include "nodes/pg_list.h"
#include "replication/origin.h"
#include "utils/memutils.h"

OUTFLOW_MODULE_MAGIC("outflow");

PGDLLEXPORT void outflow_output_plugin_init_wal2json(OutputPluginCallbacks *cb);
}

namespace outflow {

/* Filtered changes between progress reports, so that a walsender does not time out. */
constexpr int kProgressEvery = 100;

void
Session::ensure_begin()
{
	if (txn_begun)
		return;
	/* Marked only once written: PostgreSQL may go on after an ERROR here
	 * (a concurrent abort of a streamed or prepared transaction). */
	format->begin(*this, txn);
	txn_begun = true;
}

const char *
Session::origin_name_of(OutflowOriginId id)
{
	char *name = nullptr;
	char *previous = origin_name;

	if (id == origin_id)
		return origin_name;
	/* Outside a transaction (stream_commit, commit_prepared, stream_prepare are
	 * called so) the catalog cannot be read: the caller writes the id instead. */
	if (!IsTransactionState())
		return nullptr;
	/* Forget the cached one first: the lookup may raise an ERROR. */
	origin_id = OUTFLOW_INVALID_ORIGIN;
	origin_name = nullptr;
	if (previous != nullptr)
		pfree(previous);
	if (replorigin_by_oid(id, true, &name))
		origin_name = MemoryContextStrdup(session_cxt, name);
	origin_id = id;
	return origin_name;
}

Session::~Session()
{
	delete format;
	relcache_destroy(*this);
}

namespace {

/* Runs the session's destructor when the decoding context's memory goes. */
void
session_reset_cb(void *arg)
{
	static_cast<Session *>(arg)->~Session();
}

/*
 * Parses the options list. Option names and values are copied out of the
 * DefElems first (no PostgreSQL call can raise while C++ strings live).
 */
void
parse_options(Options &opts, List *options)
{
	OptionList items;
	ListCell *lc;

	foreach (lc, options)
	{
		DefElem *elem = static_cast<DefElem *>(lfirst(lc));
		std::optional<std::string> value;

		if (elem->arg != nullptr && IsA(elem->arg, String))
			value = std::string(strVal(elem->arg));
		else if (elem->arg != nullptr)
			throw Error(kInvalidParameterValue,
						"option \"" + std::string(elem->defname) + "\" has a value that is not a string");
		items.emplace_back(elem->defname, std::move(value));
	}
	outflow::parse_options(opts, items);
}

/* Creates the session: options, memory contexts, caches, format. */
void
startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, FormatKind default_format)
{
	Session *s = static_cast<Session *>(MemoryContextAllocZero(ctx->context, sizeof(Session)));
	MemoryContextCallback *cb =
		static_cast<MemoryContextCallback *>(MemoryContextAllocZero(ctx->context, sizeof(MemoryContextCallback)));
	MemoryContext session_cxt =
		AllocSetContextCreate(ctx->context, "outflow session", ALLOCSET_DEFAULT_SIZES);
	MemoryContext change_cxt = AllocSetContextCreate(ctx->context, "outflow change", ALLOCSET_DEFAULT_SIZES);

	new (s) Session();
	cb->func = session_reset_cb;
	cb->arg = s;
	MemoryContextRegisterResetCallback(ctx->context, cb);
	s->ctx = ctx;
	s->session_cxt = session_cxt;
	s->change_cxt = change_cxt;
	ctx->output_plugin_private = s;

	s->opts.format = default_format;
	parse_options(s->opts, ctx->output_plugin_options);
	s->format = s->opts.format == FormatKind::Native ? make_native_format()
													   : make_wal2json_format(s->opts.format_version);

	opt->output_type = OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
	opt->receive_rewrites = false;
	lifecycle_startup(*s, ctx);
	relations_init(*s);
}

/* Reports progress now and then while a transaction's changes are all filtered. */
void
note_filtered(Session &s)
{
	if ((s.txn_seq % kProgressEvery) == 0)
		OUTFLOW_UPDATE_PROGRESS(s.ctx, false);
}

/* Should a message with this prefix be sent? */
bool
prefix_wanted(const Options &opts, const char *prefix)
{
	for (const std::string &p : opts.filter_msg_prefixes)
		if (p == prefix)
			return false;
	if (opts.add_msg_prefixes.empty())
		return true;
	for (const std::string &p : opts.add_msg_prefixes)
		if (p == prefix)
			return true;
	return false;
}

} // namespace

void
decode_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, TxnKind kind)
{
	Session &s = session_of(ctx);

	s.txn = txn;
	s.txn_kind = kind;
	s.txn_subxid = InvalidTransactionId;
	s.txn_begun = false;
	s.txn_seq = 0;
	s.txn_emitted = 0;
	/* A stream block starts only before something to show (stream.cpp). */
	if (s.opts.include_empty_transactions && kind != TxnKind::Streamed)
		s.ensure_begin();
}

void
decode_end(Session &s)
{
	release_fixed_settings(s);
	s.txn = nullptr;
	s.txn_begun = false;
	s.txn_kind = TxnKind::Committed;
	s.txn_subxid = InvalidTransactionId;
	relcache_prune(s);
}

namespace {

void
commit_txn(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	Session &s = session_of(ctx);
	bool sent = s.txn_begun;

	OUTFLOW_UPDATE_PROGRESS(ctx, !sent);
	if (sent)
		s.format->commit(s, txn, commit_lsn);
	decode_end(s);
}

} // namespace

void
decode_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, ReorderBufferChange *change)
{
	Session &s = session_of(ctx);
	uint64 seq = s.txn_seq++;
	Op op = op_of_change(change->action);
	RelInfo *rel;
	RowChange c;

	if (op == Op::Message || (s.opts.actions & action_bit(op)) == 0)
		return note_filtered(s);
	rel = relcache_get(s, relation);
	if (rel->table_filtered)
		return note_filtered(s);

	c.txn = txn;
	c.change = change;
	c.relation = relation;
	c.rel = rel;
	c.op = op;
	c.newtuple = OUTFLOW_NEWTUPLE(change);
	c.oldtuple = OUTFLOW_OLDTUPLE(change);
	c.seq = seq;
	if (!route_row(s, c, emit_row, nullptr)) /* publications: actions, partition root, row filters */
		note_filtered(s);
}

void
decode_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations, Relation relations[],
		 ReorderBufferChange *change)
{
	Session &s = session_of(ctx);
	TruncateRecord t{txn, change, 0, nullptr, s.txn_seq};

	s.txn_seq += nrelations;
	if ((s.opts.actions & action_bit(Op::Truncate)) == 0)
		return note_filtered(s);
	t.rels = static_cast<RelInfo **>(palloc(sizeof(RelInfo *) * nrelations));
	for (int i = 0; i < nrelations; i++)
	{
		RelInfo *rel = relcache_get(s, relations[i]);

		if (rel->table_filtered || (rel->pub != nullptr && !publication_truncates(*rel, relations[i])))
			continue;
		t.rels[t.nrels] = rel;
		t.nrels++;
	}
	if (t.nrels == 0)
		return note_filtered(s);
	s.format->truncate(s, t);
	s.txn_emitted += t.nrels;
}

void
decode_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
		const char *prefix, Size size, const char *content)
{
	Session &s = session_of(ctx);
	uint64 seq = transactional ? s.txn_seq++ : 0;

	if (is_backfill_prefix(prefix)) /* outflow.backfill(): reads, never shown as messages */
	{
		if (transactional)
			backfill_message(s, txn, lsn, size, content, seq);
		return;
	}
	if (!prefix_wanted(s.opts, prefix))
		return;
	s.format->message(s, MessageRecord{transactional ? txn : nullptr, lsn, transactional, prefix, size, content, seq});
	if (transactional)
		s.txn_emitted++;
}

namespace {

/* True means: skip this change (origin=none, or its origin is in filter-origins). */
bool
filter_origin(LogicalDecodingContext *ctx, OutflowOriginId origin_id)
{
	const Options &opts = session_of(ctx).opts;

	if (origin_id == OUTFLOW_INVALID_ORIGIN)
		return false;
	if (opts.skip_origin_changes)
		return true;
	for (uint32_t id : opts.filter_origins)
		if (id == origin_id)
			return true;
	return false;
}

} // namespace
} // namespace outflow

using namespace outflow;

/* The extern "C" callbacks: each one a boundary. */
extern "C" {

static void
outflow_startup_native(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool)
{
	pg_boundary([&] { startup(ctx, opt, FormatKind::Native); });
}

static void
outflow_startup_wal2json(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool)
{
	pg_boundary([&] { startup(ctx, opt, FormatKind::Wal2json); });
}

static void
outflow_shutdown(LogicalDecodingContext *ctx)
{
	pg_boundary([&] { release_fixed_settings(session_of(ctx)); });
}

static void
outflow_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { decode_begin(ctx, txn, TxnKind::Committed); }); });
}

static void
outflow_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { commit_txn(ctx, txn, commit_lsn); }); });
}

static void
outflow_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, ReorderBufferChange *c)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { decode_change(ctx, txn, relation, c); }); });
}

static void
outflow_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations, Relation relations[],
				 ReorderBufferChange *c)
{
	Session &s = session_of(ctx);

	pg_boundary([&] { in_change_context(s, [&] { decode_truncate(ctx, txn, nrelations, relations, c); }); });
}

static void
outflow_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
				const char *prefix, Size size, const char *content)
{
	Session &s = session_of(ctx);

	pg_boundary([&] {
		in_change_context(s, [&] { decode_message(ctx, txn, lsn, transactional, prefix, size, content); });
		if (!transactional)
			release_fixed_settings(s);
	});
}

static bool
outflow_filter_origin(LogicalDecodingContext *ctx, OutflowOriginId origin_id)
{
	return filter_origin(ctx, origin_id); /* reads plain fields only: cannot throw */
}

/* Fills in the callbacks; startup decides the default format. */
static void
register_callbacks(OutputPluginCallbacks *cb, LogicalDecodeStartupCB startup_cb)
{
	cb->startup_cb = startup_cb;
	cb->begin_cb = outflow_begin;
	cb->change_cb = outflow_change;
	cb->truncate_cb = outflow_truncate;
	cb->commit_cb = outflow_commit;
	cb->message_cb = outflow_message;
	cb->filter_by_origin_cb = outflow_filter_origin;
	cb->shutdown_cb = outflow_shutdown;
	register_lifecycle_callbacks(cb);
}

/* The plugin "outflow": native format by default. */
void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	register_callbacks(cb, outflow_startup_native);
}

/* Called by the "outflow_wal2json" plugin: wal2json format by default. */
void
outflow_output_plugin_init_wal2json(OutputPluginCallbacks *cb)
{
	register_callbacks(cb, outflow_startup_wal2json);
}

} /* extern "C" */
