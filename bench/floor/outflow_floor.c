/*
 * outflow_floor: the benchmark's floor. An output plugin that lets
 * PostgreSQL decode everything (WAL reading, reorder buffer, spilling, TOAST
 * reassembly, historic catalog lookups) and writes nothing: the cost any
 * output plugin pays before it formats a single byte.
 */
#include "postgres.h"

#include "fmgr.h"
#include "replication/logical.h"
#include "replication/output_plugin.h"

PG_MODULE_MAGIC;

#if PG_VERSION_NUM < 160000
extern PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);
#endif

static void
floor_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init)
{
	opt->output_type = OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
	opt->receive_rewrites = false;
}

static void
floor_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
}

static void
floor_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, ReorderBufferChange *change)
{
}

/* Keeps a walsender that writes nothing from timing out on long transactions. */
static void
floor_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	OutputPluginUpdateProgress(ctx, true);
}

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	cb->startup_cb = floor_startup;
	cb->begin_cb = floor_begin;
	cb->change_cb = floor_change;
	cb->commit_cb = floor_commit;
}
