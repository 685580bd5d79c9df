/*
 * boundary.cpp: turning caught C++ exceptions into PostgreSQL ERRORs.
 */
#include <cstring>

#include "boundary.h"

namespace outflow {

/* Copies src into a fixed buffer, always terminated. */
static void
copy_text(char *dst, size_t size, const char *src)
{
	if (src == nullptr)
		src = "";
	strncpy(dst, src, size - 1);
	dst[size - 1] = '\0';
}

/*
 * Records an outflow::Error; no PostgreSQL call happens here. It runs inside
 * a catch block, so it makes no indirect call either (tests/wall_check.sh
 * could not tell where one leads): Error does not override what(), and the
 * call names runtime_error's directly.
 */
void
pending_error_set(PendingError &pending, const Error &error)
{
	pending.sqlerrcode = error.code;
	copy_text(pending.message, sizeof(pending.message), error.std::runtime_error::what());
	copy_text(pending.detail, sizeof(pending.detail), error.detail.c_str());
	copy_text(pending.hint, sizeof(pending.hint), error.hint.c_str());
}

/* Records an error that has only a code and a message. */
void
pending_error_set_plain(PendingError &pending, int sqlerrcode, const char *message)
{
	pending.sqlerrcode = sqlerrcode;
	copy_text(pending.message, sizeof(pending.message), message);
	pending.detail[0] = '\0';
	pending.hint[0] = '\0';
}

/* Raises the recorded error; called only after the catch block has ended. */
void
pending_error_raise(const PendingError &pending)
{
	ereport(ERROR,
			(errcode(pending.sqlerrcode),
			 errmsg_internal("%s", pending.message),
			 pending.detail[0] ? errdetail_internal("%s", pending.detail) : 0,
			 pending.hint[0] ? errhint("%s", pending.hint) : 0));
	pg_unreachable();
}

} // namespace outflow
