/*
 * relation_record.cpp: the relation records of include-relations (see
 * relation_record.h).
 */
#include "relation_record.h"

#include "identity.h"
#include "pg_text.h"
#include "relcache.h"
#include "session.h"

extern "C" {
#include "utils/hsearch.h"
}

namespace outflow {

namespace {

/* The record last sent for a relation in this session. */
struct SentRecord
{
	Oid relid; /* hash key: must be first */
	char *record; /* in session_cxt */
	int len;
};

/* One {"name":..,"type":..,...} of the columns array. */
void
out_column(StringInfo out, const ColumnInfo &col, Form_pg_attribute att)
{
	append_lit(out, "{\"name\":");
	append_bytes(out, col.name_json, col.name_json_len);
	append_lit(out, ",\"type\":");
	append_json_cstring(out, format_type_with_typemod(col.typid, att->atttypmod));
	appendStringInfo(out, ",\"type_oid\":%u,\"typmod\":%d,\"not_null\":%s,\"key\":%s}", col.typid,
					 att->atttypmod, col.not_null ? "true" : "false", col.is_key ? "true" : "false");
}

/* The session's table of records sent, created on first use. */
HTAB *
sent_records(Session &s)
{
	if (s.sent_relations == nullptr)
		s.sent_relations = s.make_hash("outflow relation records", sizeof(Oid), sizeof(SentRecord), 64);
	return s.sent_relations;
}

} // namespace

void
relation_record_build(Session &, RelInfo &rel, Relation relation)
{
	TupleDesc desc = RelationGetDescr(relation);
	MemoryContext old = MemoryContextSwitchTo(rel.cxt);
	StringInfoData out;
	bool first = true;

	initStringInfo(&out);
	append_lit(&out, "{\"op\":\"relation\",\"schema\":");
	appendStringInfoString(&out, rel.schema_json);
	append_lit(&out, ",\"table\":");
	appendStringInfoString(&out, rel.table_json);
	appendStringInfo(&out, ",\"relid\":%u,\"replica_identity\":\"%s\",\"columns\":[", rel.relid,
					 replica_identity_name(rel.replident));
	for (int i = 0; i < rel.natts && i < desc->natts; i++)
	{
		const ColumnInfo &col = rel.cols[i];

		if (!col.shown())
			continue;
		if (!first)
			append_char(&out, ',');
		first = false;
		out_column(&out, col, TupleDescAttr(desc, i));
	}
	append_lit(&out, "]}");
	MemoryContextSwitchTo(old);
	rel.record = out.data;
	rel.record_len = out.len;
	rel.record_unsent = true;
}

void
relation_record_send(Session &s, RelInfo &rel)
{
	bool found;
	SentRecord *sent = static_cast<SentRecord *>(hash_search(sent_records(s), &rel.relid, HASH_ENTER, &found));

	if (!found)
	{
		sent->record = nullptr;
		sent->len = 0;
	}
	rel.record_unsent = false;
	if (sent->record != nullptr && sent->len == rel.record_len && memcmp(sent->record, rel.record, rel.record_len) == 0)
		return;
	{
		char *copy = static_cast<char *>(MemoryContextAlloc(s.session_cxt, rel.record_len + 1));

		memcpy(copy, rel.record, rel.record_len + 1);
		if (sent->record != nullptr)
			pfree(sent->record);
		sent->record = copy;
		sent->len = rel.record_len;
	}
	OutputPluginPrepareWrite(s.ctx, true);
	append_bytes(s.ctx->out, rel.record, rel.record_len);
	OutputPluginWrite(s.ctx, true);
}

} // namespace outflow
