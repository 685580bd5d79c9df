/*
 * backfill_key.h: the key that makes outflow.backfill()'s messages its own.
 *
 * Any role may write a logical message with any prefix
 * (pg_logical_emit_message is executable by PUBLIC), so the decoder cannot
 * trust a message because of its prefix: a forged "outflow.backfill"
 * message could put made-up rows into every slot's stream, or, malformed,
 * make decoding fail at it for ever. outflow.backfill() (superusers and
 * REPLICATION roles only) puts a random key into every message; the key
 * lives in a file in the data directory (readable by the server's OS user
 * only, copied by pg_basebackup), and the decoder renders only messages
 * that carry it. Roles that can read WAL (REPLICATION) can read the key;
 * they may run backfills anyway.
 */
#ifndef OUTFLOW_BACKFILL_KEY_H
#define OUTFLOW_BACKFILL_KEY_H

#include <cstdint>

namespace outflow {

constexpr int kBackfillKeyLen = 16;

/*
 * Copies the key into key: read from the data directory, created first
 * when create is true and there is none. False when there is no key (and
 * create is false). ERRORs when the file cannot be written or read.
 */
bool backfill_key(uint8_t key[kBackfillKeyLen], bool create);

} // namespace outflow

#endif
