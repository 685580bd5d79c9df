/*
 * backfill_decode.h: the decoder's side of outflow.backfill(): messages
 * with prefix "outflow.backfill" become read records (an insert of the row
 * rendered with "op":"read") and backfill_start/backfill_end records, for
 * sessions that follow the backfilled publication (backfill_message.h).
 */
#ifndef OUTFLOW_BACKFILL_DECODE_H
#define OUTFLOW_BACKFILL_DECODE_H

#include "pg.h"

namespace outflow {

struct Session;

/* Is this the prefix of backfill messages? */
bool is_backfill_prefix(const char *prefix);

/*
 * Renders one transactional backfill message at position seq of txn, or
 * nothing when the session does not follow its publication, filters the
 * table, or the publications would not send an insert of the row.
 */
void backfill_message(Session &s, ReorderBufferTXN *txn, XLogRecPtr lsn, Size size, const char *content,
					  uint64 seq);

} // namespace outflow

#endif
