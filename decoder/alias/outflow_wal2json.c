/*
 * outflow_wal2json: the plugin name for wal2json consumers that switch the
 * plugin name and pass no options. PostgreSQL loads output plugins by
 * library name, so this small library loads outflow and asks it for its
 * callbacks with the wal2json format as the default.
 */
#include "postgres.h"

#include "fmgr.h"
#include "replication/output_plugin.h"

#include "../version.h"
#include "../compat.h"

OUTFLOW_MODULE_MAGIC("outflow_wal2json");

typedef void (*outflow_init_fn) (OutputPluginCallbacks *cb);

/* Registers outflow's callbacks, with the wal2json format by default. */
void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	outflow_init_fn init;

	init = (outflow_init_fn) load_external_function("outflow",
													"outflow_output_plugin_init_wal2json",
													true, NULL);
	init(cb);
}
