/*
 * pg.h: the one place C++ code includes PostgreSQL's server headers.
 *
 * Include every C++ or third-party header before this file: the server
 * headers define macros (Max, Min, _, gettext, printf...) that clash with them.
 */
#ifndef OUTFLOW_PG_H
#define OUTFLOW_PG_H

extern "C" {
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "replication/logical.h"
#include "replication/origin.h"
#include "replication/output_plugin.h"
#include "replication/reorderbuffer.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "datatype/timestamp.h"
#include "nodes/bitmapset.h"
#include "nodes/pg_list.h"
#include "utils/inval.h"
}

#include "version.h"
#include "compat.h"

#endif
