/*
 * compat.h: differences between PostgreSQL major versions, in one place.
 * We build on 15; the guards keep 13 to 18 in view.
 */
#ifndef OUTFLOW_COMPAT_H
#define OUTFLOW_COMPAT_H

/* 17 made the change's tuples plain HeapTuples. */
#if PG_VERSION_NUM >= 170000
#define OUTFLOW_NEWTUPLE(change) ((change)->data.tp.newtuple)
#define OUTFLOW_OLDTUPLE(change) ((change)->data.tp.oldtuple)
#else
#define OUTFLOW_NEWTUPLE(change) \
	((change)->data.tp.newtuple ? &(change)->data.tp.newtuple->tuple : (HeapTuple) NULL)
#define OUTFLOW_OLDTUPLE(change) \
	((change)->data.tp.oldtuple ? &(change)->data.tp.oldtuple->tuple : (HeapTuple) NULL)
#endif

/* 15 added the skipped_xact argument. */
#if PG_VERSION_NUM >= 150000
#define OUTFLOW_UPDATE_PROGRESS(ctx, skipped) OutputPluginUpdateProgress((ctx), (skipped))
#else
#define OUTFLOW_UPDATE_PROGRESS(ctx, skipped) OutputPluginUpdateProgress((ctx))
#endif

/* 16 declares the plugin entry point itself, with PGDLLEXPORT. */
#if PG_VERSION_NUM < 160000
extern "C" PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);
#endif

#endif
