/*
 * pg.h: the one place C++ code includes PostgreSQL's server headers.
 *
 * Include every C++ or third-party header before this file: the server
 * headers define macros (Max, Min, _, gettext, printf...) that clash with them.
 * So that the order of our own headers does not matter, this file first
 * includes the C++ standard headers outflow uses; a file that needs another
 * one includes it before anything that includes pg.h, or adds it here.
 * tests/wall_check.sh checks the order of every source.
 */
#ifndef OUTFLOW_PG_H
#define OUTFLOW_PG_H

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
