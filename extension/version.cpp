/*
 * version.cpp: outflow.version(), the library's version as text.
 */
#include "../decoder/boundary.h"
#include "../decoder/version.h"

extern "C" {
PG_FUNCTION_INFO_V1(outflow_version);
PGDLLEXPORT Datum outflow_version(PG_FUNCTION_ARGS);
}

/* Returns the version compiled into the library. */
Datum
outflow_version(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_TEXT_P(cstring_to_text(OUTFLOW_VERSION));
}
