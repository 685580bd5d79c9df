/*
 * probe.c: the self-test of tests/valgrind/run.sh (--selftest). Built as a
 * library named outflow.so in a scratch directory, it reads one byte past a
 * malloc'd buffer from a SQL function: memcheck must report an invalid read
 * with an outflow.so frame, and run.sh must find it.
 */
#include "postgres.h"
#include "fmgr.h"

#include <stdlib.h>

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(outflow_valgrind_probe);

Datum
outflow_valgrind_probe(PG_FUNCTION_ARGS)
{
	volatile char *buf = malloc(16);
	int			past;

	buf[0] = 1;
	past = buf[16];				/* one byte past the end: an invalid read */
	free((void *) buf);
	PG_RETURN_INT32(past == 12345);
}
