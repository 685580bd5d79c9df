/*
 * oversize.cpp: the messages about values too large to send (oversize.h).
 * They are raised only on the slow path, never for a value that fits.
 */
#include "oversize.h"
#include "pg_text.h"

extern "C" {
#include "mb/pg_wchar.h"
}

namespace outflow {

namespace {

/* The key for a message: its JSON, cut at 1 kB, or a note that there is none. */
const char *
key_text(const LeftOut &what)
{
	const int kMax = 1024;

	if (what.key == nullptr || what.key_len <= 0)
		return pstrdup("(none)");
	if (what.key_len <= kMax)
		return pnstrdup(what.key, what.key_len);
	/* cut at a character boundary: a message that is not valid in the encoding fails to convert */
	return psprintf("%s...", pnstrdup(what.key, pg_mbcliplen(what.key, what.key_len, kMax)));
}

/* "is N bytes" or "could be up to N bytes". */
const char *
size_text(const LeftOut &what)
{
	return psprintf(what.exact ? "is %zu bytes" : "could be up to %zu bytes", what.bytes);
}

/* What the limit was. */
const char *
limit_text(const LeftOut &what)
{
	if (what.by_option)
		return psprintf("max-value-bytes=%lld", static_cast<long long>(what.allowed));
	return psprintf("the %lld bytes left of the 1 GB limit of one output row",
					static_cast<long long>(what.allowed < 0 ? 0 : what.allowed));
}

} // namespace

Size
text_value_json_size(Datum value)
{
	struct varlena *p = reinterpret_cast<struct varlena *>(DatumGetPointer(value));
	bool copied;
	struct varlena *v = varlena_readable(p, &copied); /* as append_text_json reads it */
	Size size = json_escaped_size(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)) + 2;

	if (copied)
		pfree(v);
	return size;
}

void
warn_left_out(const LeftOut &what)
{
	ereport(WARNING,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("outflow: left out the value of column \"%s\" of table \"%s\".\"%s\" with key %s", what.column,
					what.schema, what.table, key_text(what)),
			 errdetail("Its JSON %s, more than %s. The change lists the column in \"oversized\".", size_text(what),
					   limit_text(what))));
}

void
error_value_too_large(const LeftOut &what)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("outflow: the value of column \"%s\" of table \"%s\".\"%s\" with key %s is too large to send",
					what.column, what.schema, what.table, key_text(what)),
			 errdetail("Its JSON %s, more than %s.", size_text(what), limit_text(what)),
			 errhint("Set option max-value-bytes (e.g. max-value-bytes=100000000) to leave such values of column "
					 "\"%s\" of table \"%s\".\"%s\" out and name them in \"oversized\".",
					 what.column, what.schema, what.table)));
	pg_unreachable();
}

void
warn_content_left_out(const char *prefix, XLogRecPtr lsn, Size bytes, int64 allowed, bool by_option)
{
	LeftOut what{};

	what.bytes = bytes;
	what.exact = true;
	what.allowed = allowed;
	what.by_option = by_option;
	ereport(WARNING,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("outflow: left out the content of the logical message with prefix \"%s\"", prefix),
			 errdetail("The message at %X/%X: its JSON %s, more than %s. It lists \"content\" in \"oversized\".",
					   static_cast<uint32>(lsn >> 32), static_cast<uint32>(lsn), size_text(what), limit_text(what))));
}

void
error_content_too_large(const char *prefix, XLogRecPtr lsn, Size bytes, int64 allowed)
{
	LeftOut what{};

	what.bytes = bytes;
	what.exact = true;
	what.allowed = allowed;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("outflow: the content of the logical message with prefix \"%s\" is too large to send", prefix),
			 errdetail("The message at %X/%X: its JSON %s, more than %s.", static_cast<uint32>(lsn >> 32),
					   static_cast<uint32>(lsn), size_text(what), limit_text(what)),
			 errhint("Set option max-value-bytes (e.g. max-value-bytes=100000000) to leave such content out and "
					 "name it in \"oversized\", or filter the prefix out with filter-msg-prefixes.")));
	pg_unreachable();
}

void
error_key_too_large(const LeftOut &what)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("outflow: the key column \"%s\" of table \"%s\".\"%s\" has a value too large to send",
					what.column, what.schema, what.table),
			 errdetail("Its JSON %s, more than %s; key columns are never left out.", size_text(what),
					   limit_text(what)),
			 errhint("A key value this large cannot come from a B-tree index; check the replica identity of "
					 "table \"%s\".\"%s\".",
					 what.schema, what.table)));
	pg_unreachable();
}

void
error_document_too_large(TransactionId xid)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("wal2json format-version 1 document of transaction %u would exceed the 1 GB limit", xid),
			 errdetail("Without write-in-chunks, format-version 1 writes a whole transaction as one output row."),
			 errhint("Use write-in-chunks=true or format-version=2 for transactions this large.")));
	pg_unreachable();
}

} // namespace outflow
