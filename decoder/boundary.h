/*
 * boundary.h: the wall between C++ and PostgreSQL's error handling.
 *
 * Every function PostgreSQL calls runs its body through pg_boundary(): a C++
 * exception is caught, its text copied into static buffers, and only after
 * the catch block has ended is it raised as ereport(ERROR). Bodies must not
 * keep objects with destructors alive across calls that may ereport.
 */
#ifndef OUTFLOW_BOUNDARY_H
#define OUTFLOW_BOUNDARY_H

#include <exception>
#include <new>
#include <string>

#include "error.h"
#include "pg.h"

namespace outflow {

/* Where a caught exception's text waits until the catch block has ended. */
struct PendingError
{
	int sqlerrcode;
	char message[1024];
	char detail[1024];
	char hint[1024];
};

void pending_error_set(PendingError &pending, const Error &error);
void pending_error_set_plain(PendingError &pending, int sqlerrcode, const char *message);
[[noreturn]] void pending_error_raise(const PendingError &pending);

/* Runs body; any C++ exception becomes an ERROR raised outside the catch. */
template <typename Body>
inline void
pg_boundary(Body &&body)
{
	static PendingError pending;

	try
	{
		body();
		return;
	}
	catch (const Error &e)
	{
		pending_error_set(pending, e);
	}
	catch (const std::bad_alloc &)
	{
		pending_error_set_plain(pending, ERRCODE_OUT_OF_MEMORY, "outflow: out of memory");
	}
	catch (const std::exception &e)
	{
		pending_error_set_plain(pending, ERRCODE_INTERNAL_ERROR, e.what());
	}
	catch (...)
	{
		pending_error_set_plain(pending, ERRCODE_INTERNAL_ERROR, "outflow: unknown C++ exception");
	}
	pending_error_raise(pending);
}

} // namespace outflow

#endif
