/*
 * stream.h: what outflow keeps about a transaction streamed in progress
 * (stream-changes), between its blocks. Blocks of different transactions
 * interleave with each other and with whole transactions, so the position
 * counter and the number of changes written live per transaction, not in
 * the session.
 */
#ifndef OUTFLOW_STREAM_H
#define OUTFLOW_STREAM_H

#include "pg.h"

namespace outflow {

struct StreamXact
{
	TransactionId xid; /* hash key: must be first; a top-level xid or a subxid */
	TransactionId top; /* its top-level transaction (xid itself for a top-level one) */
	uint64 seq;		   /* top: changes seen so far, the next change's seq */
	uint64 emitted;	   /* changes written: top: the transaction's (less rolled back subtransactions'),
						* sub: the subtransaction's own */
	bool sent_any;	   /* top: a block of it was written (the next is not the first segment) */
};

} // namespace outflow

#endif
