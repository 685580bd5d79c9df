/*
 * identity.cpp: a relation's replica identity and key columns (identity.h),
 * from the relation descriptor and PostgreSQL's own index bitmaps: the
 * columns PostgreSQL logs as the old key are the ones reported.
 */
#include "identity.h"

#include "compat.h"

extern "C" {
#include "access/sysattr.h"
#include "catalog/pg_class.h"
#include "utils/relcache.h"
}

namespace outflow {

/* An index bitmap of PostgreSQL (members offset by
 * FirstLowInvalidHeapAttributeNumber) as plain attnums. */
static Bitmapset *
index_attnums(Relation relation, IndexAttrBitmapKind which)
{
	Bitmapset *offset = RelationGetIndexAttrBitmap(relation, which);
	Bitmapset *attnums = NULL;

	for (int x = bms_next_member(offset, -1); x >= 0; x = bms_next_member(offset, x))
	{
		int attnum = x + FirstLowInvalidHeapAttributeNumber;

		if (attnum > 0)
			attnums = bms_add_member(attnums, attnum);
	}
	bms_free(offset);
	return attnums;
}

/*
 * The primary key's columns, unless it is deferrable: no key on every major
 * (from 17 on PostgreSQL's bitmap includes a deferrable primary key, before
 * it did not; as the replica identity, it never counts).
 */
static Bitmapset *
primary_key(Relation relation)
{
	Bitmapset *key = index_attnums(relation, INDEX_ATTR_BITMAP_PRIMARY_KEY);

	if (OUTFLOW_PK_DEFERRABLE(relation))
	{
		bms_free(key);
		return NULL;
	}
	return key;
}

/* Every non-dropped column of relation. */
static Bitmapset *
all_columns(Relation relation)
{
	TupleDesc desc = RelationGetDescr(relation);
	Bitmapset *attnums = NULL;

	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped)
			attnums = bms_add_member(attnums, TupleDescAttr(desc, i)->attnum);
	return attnums;
}

const char *
replica_identity_name(char kind)
{
	switch (kind)
	{
		case REPLICA_IDENTITY_DEFAULT:
			return "default";
		case REPLICA_IDENTITY_INDEX:
			return "index";
		case REPLICA_IDENTITY_FULL:
			return "full";
		default:
			return "nothing";
	}
}

IdentityColumns
identity_columns(Relation relation)
{
	IdentityColumns id{relation->rd_rel->relreplident, NULL, NULL};

	switch (id.kind)
	{
		case REPLICA_IDENTITY_DEFAULT:
		case REPLICA_IDENTITY_INDEX:
			id.identity = index_attnums(relation, INDEX_ATTR_BITMAP_IDENTITY_KEY);
			id.key = bms_copy(id.identity);
			break;
		case REPLICA_IDENTITY_FULL:
			id.identity = all_columns(relation);
			id.key = primary_key(relation);
			break;
		default:
			id.key = primary_key(relation);
			break;
	}
	return id;
}

} // namespace outflow
