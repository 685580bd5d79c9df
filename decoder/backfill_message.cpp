/*
 * backfill_message.cpp: decoding outflow.backfill()'s messages.
 *
 * A row message holds the row as a tuple of the relation's row type. It is
 * decoded inside the chunk's transaction, with the historic catalog of that
 * point, and handed to the session's format exactly as the decoder hands it
 * an insert (plugin.cpp change()): the same relation entry, table patterns,
 * actions, publication row filters, column lists and partition-root
 * mapping (route_row), the same value code. The only difference is the
 * operation, Op::Read, which the format writes as "op":"read" (wal2json: an
 * insert unless reads-as-inserts is off).
 *
 * Who sees a backfill: a session with publication_names sees the backfills
 * of the publications it names, and only those; a session without
 * publication_names (it streams every table) sees every backfill.
 */
#include "backfill_decode.h"

#include "backfill_message.h"
#include "format.h"
#include "pg_text.h"
#include "relations.h"
#include "relcache.h"
#include "session.h"
#include "pg_text_format.h"

namespace outflow {

namespace {

/* The parsed fixed part and publication name of a message. */
struct Parsed
{
	BackfillHeader head;
	const char *pub; /* not NUL-terminated */
	const char *rest;
	Size rest_len;
};

/* Does the message carry this data directory's backfill key? (Compared in constant time.) */
bool
carries_key(const BackfillHeader &head)
{
	uint8_t key[kBackfillKeyLen];
	uint8_t diff = 0;

	if (!backfill_key(key, false))
		return false;
	for (int i = 0; i < kBackfillKeyLen; i++)
		diff |= key[i] ^ head.key[i];
	return diff == 0;
}

/*
 * Parses content; false if it is not a message outflow.backfill() wrote:
 * another layout, or without the key (another role's pg_logical_emit_message,
 * reported once per session: it is never rendered, and never an ERROR that
 * would stop the slot at it).
 */
bool
parse(Session &s, XLogRecPtr lsn, const char *content, Size size, Parsed &p)
{
	bool ours = size >= sizeof(BackfillHeader);

	if (ours)
	{
		memcpy(&p.head, content, sizeof(BackfillHeader));
		ours = p.head.magic == kBackfillMagic && size - sizeof(BackfillHeader) >= p.head.pub_len &&
			   carries_key(p.head);
	}
	if (!ours)
	{
		ereport(s.foreign_backfill_seen ? DEBUG1 : WARNING,
				(errmsg("outflow: ignored a logical message with prefix \"%s\" that outflow.backfill() did not write",
						kBackfillPrefix),
				 errdetail("The message at %X/%X does not carry the backfill key of this data directory (file "
						   "outflow_backfill.key); another role wrote it with pg_logical_emit_message().",
						   static_cast<uint32>(lsn >> 32), static_cast<uint32>(lsn))));
		s.foreign_backfill_seen = true;
		return false;
	}
	p.pub = content + sizeof(BackfillHeader);
	p.rest = p.pub + p.head.pub_len;
	p.rest_len = size - sizeof(BackfillHeader) - p.head.pub_len;
	return true;
}

/* Does the session follow the publication (every one, without publication_names)? */
bool
follows(const Session &s, const Parsed &p)
{
	if (s.opts.publication_names.empty())
		return true;
	for (const std::string &name : s.opts.publication_names)
		if (name.size() == p.head.pub_len && memcmp(name.data(), p.pub, p.head.pub_len) == 0)
			return true;
	return false;
}

/*
 * The row of a message as a HeapTuple of relation's row type, in the
 * current (per-change) context, aligned; NULL if it does not fit the
 * relation (a message from another table version cannot happen: the chunk
 * holds locks that keep ALTER TABLE out until it commits).
 */
HeapTuple
row_tuple(Relation relation, const Parsed &p)
{
	HeapTuple tuple;
	HeapTupleHeader data;

	if (p.rest_len < SizeofHeapTupleHeader)
		return nullptr;
	tuple = static_cast<HeapTuple>(palloc(HEAPTUPLESIZE + p.rest_len));
	data = reinterpret_cast<HeapTupleHeader>(reinterpret_cast<char *>(tuple) + HEAPTUPLESIZE);
	memcpy(data, p.rest, p.rest_len);
	tuple->t_len = static_cast<uint32>(p.rest_len);
	ItemPointerSetInvalid(&tuple->t_self);
	tuple->t_tableOid = RelationGetRelid(relation);
	tuple->t_data = data;
	if (HeapTupleHeaderGetTypeId(data) != relation->rd_rel->reltype ||
		HeapTupleHeaderGetNatts(data) > RelationGetDescr(relation)->natts)
		return nullptr;
	return tuple;
}

/* Renders a row message as a read (an insert shown as Op::Read). */
void
row_message(Session &s, ReorderBufferTXN *txn, XLogRecPtr lsn, Relation relation, RelInfo *rel,
			const Parsed &p, uint64 seq)
{
	ReorderBufferChange *change;
	RowChange c;

	if ((s.opts.actions & action_bit(Op::Read)) == 0)
		return;
	change = static_cast<ReorderBufferChange *>(palloc0(sizeof(ReorderBufferChange)));
	change->action = REORDER_BUFFER_CHANGE_INSERT;
	change->lsn = lsn;
	c.txn = txn;
	c.change = change;
	c.relation = relation;
	c.rel = rel;
	c.op = Op::Read;
	c.newtuple = row_tuple(relation, p);
	c.oldtuple = nullptr;
	c.seq = seq;
	if (c.newtuple == nullptr)
		elog(ERROR, "outflow: backfill message at %X/%X does not hold a row of \"%s\"",
			 static_cast<uint32>(lsn >> 32), static_cast<uint32>(lsn), rel->table);
	route_row(s, c, emit_row, nullptr);
}

/* Renders a start or end message as a backfill_start/backfill_end record. */
void
mark_message(Session &s, ReorderBufferTXN *txn, XLogRecPtr lsn, const RelInfo &rel, const Parsed &p, uint64 seq)
{
	StringInfoData fields;
	bool end = p.head.kind == kBackfillEnd;
	char buf[kInt64DecimalMax];

	initStringInfo(&fields);
	append_lit(&fields, "\"publication\":");
	append_json_string(&fields, p.pub, p.head.pub_len);
	append_lit(&fields, ",\"backfill_id\":");
	append_bytes(&fields, buf, static_cast<int>(format_int64(p.head.backfill_id, buf)));
	if (end)
	{
		append_lit(&fields, ",\"rows\":");
		append_bytes(&fields, buf, static_cast<int>(format_int64(p.head.rows, buf)));
	}
	s.format->backfill_mark(s, BackfillMark{txn, lsn, seq, &rel, end ? "backfill_end" : "backfill_start",
											fields.data, fields.len});
	s.txn_emitted++;
}

} // namespace

/* The default backfill_start/backfill_end record: a message "outflow.<op>" whose content is a JSON object. */
void
Format::backfill_mark(Session &s, const BackfillMark &b)
{
	StringInfoData prefix, content;

	initStringInfo(&prefix);
	appendStringInfo(&prefix, "outflow.%s", b.op);
	initStringInfo(&content);
	append_lit(&content, "{\"schema\":");
	appendStringInfoString(&content, b.rel->schema_json);
	append_lit(&content, ",\"table\":");
	appendStringInfoString(&content, b.rel->table_json);
	append_char(&content, ',');
	append_bytes(&content, b.fields, b.len);
	append_char(&content, '}');
	message(s, MessageRecord{b.txn, b.lsn, true, prefix.data, static_cast<Size>(content.len), content.data, b.seq});
}

bool
is_backfill_prefix(const char *prefix)
{
	return strcmp(prefix, kBackfillPrefix) == 0;
}

void
backfill_message(Session &s, ReorderBufferTXN *txn, XLogRecPtr lsn, Size size, const char *content, uint64 seq)
{
	Parsed p;
	Relation relation;
	RelInfo *rel;

	if (!parse(s, lsn, content, size, p) || !follows(s, p))
		return;
	if (p.head.kind != kBackfillRow && p.head.kind != kBackfillStart && p.head.kind != kBackfillEnd)
		return;
	relation = RelationIdGetRelation(p.head.relid);
	if (!RelationIsValid(relation))
		return; /* cannot happen: the chunk's catalog has it */
	rel = relcache_get(s, relation);
	if (!rel->table_filtered)
	{
		if (p.head.kind == kBackfillRow)
			row_message(s, txn, lsn, relation, rel, p, seq);
		else
			mark_message(s, txn, lsn, *rel, p, seq);
	}
	RelationClose(relation);
}

} // namespace outflow
