/*
 * backfill_message.h: the rows of outflow.backfill() travel through WAL as
 * transactional logical messages (prefix "outflow.backfill") of the chunk's
 * transaction, so they take the chunk's place in commit order. This header
 * is the payload's layout, shared by the writer (extension/backfill.cpp)
 * and the decoder (backfill_message.cpp).
 *
 * Only messages that carry the data directory's backfill key are rendered
 * (backfill_key.h): anyone can write a message with this prefix.
 *
 * Payload: BackfillHeader, then the publication name (pub_len bytes, no
 * NUL), then for a row the tuple: the whole-row datum's HeapTupleHeader as
 * it is (t_len = the rest of the payload), out-of-line values flattened
 * into it. The relation is named by OID: the decoder reads it with the
 * historic catalog at the message, which is the chunk's (the chunk locks
 * the rows it reads, so no ALTER TABLE commits in between).
 */
#ifndef OUTFLOW_BACKFILL_MESSAGE_H
#define OUTFLOW_BACKFILL_MESSAGE_H

#include <cstdint>

#include "backfill_key.h"

namespace outflow {

/* The message prefix: outflow slots render these, other plugins see messages. */
constexpr const char kBackfillPrefix[] = "outflow.backfill";

/* What a message carries. */
enum BackfillKind : uint8_t
{
	kBackfillStart = 'S', /* a table's backfill begins (first chunk) */
	kBackfillRow = 'R',	  /* one row, rendered as a read */
	kBackfillEnd = 'E'	  /* a table's backfill is complete (last chunk) */
};

constexpr uint32_t kBackfillMagic = 0x4f464232; /* "OFB2": layout version 2 */

/* The fixed part, copied with memcpy (the payload is not aligned). */
struct BackfillHeader
{
	uint32_t magic;
	uint8_t kind;		 /* BackfillKind */
	uint8_t reserved[3];
	uint32_t relid;		 /* the relation as the publication lists it */
	int64_t backfill_id; /* outflow.backfills.id */
	int64_t rows;		 /* kBackfillEnd: rows sent for the table */
	uint32_t pub_len;	 /* bytes of publication name that follow */
	uint8_t key[kBackfillKeyLen]; /* the data directory's backfill key (backfill_key.h) */
};

} // namespace outflow

#endif
