/*
 * publication.cpp: the decoder follows publications (publication_names).
 *
 * The rules are pgoutput's (PostgreSQL 15), so that outflow's stream and a
 * native subscriber of the same publications agree:
 * - a relation is published by a publication FOR ALL TABLES, by one that
 *   lists it or its schema, or by one that lists a partition ancestor (or its
 *   schema); a partitioned table itself only with publish_via_partition_root;
 * - actions are the union over those publications;
 * - publish_via_partition_root: changes are reported as the top-most
 *   published ancestor; filters and column list are that ancestor's, from
 *   the publications that publish through it;
 * - row filters: per action, the OR of the publications' filters; a
 *   publication without one (or FOR ALL TABLES, or FOR TABLES IN SCHEMA of
 *   the table's schema) means every row;
 * - column lists: a publication without one means all columns; different
 *   lists for one table are an error (as in pgoutput); generated columns are
 *   never published (pgoutput 15 does not send them).
 * Everything is looked up when a RelInfo is built, under the historic
 * snapshot the decoder has set for that point of the stream; invalidations
 * (relcache.cpp) mark entries and the loaded publications stale.
 */
#include "publication.h"

#include "change.h"
#include "options.h"
#include "relcache.h"
#include "row_filter.h"
#include "session.h"

extern "C" {
#include "catalog/partition.h"
#include "catalog/pg_publication.h"
#include "catalog/pg_publication_rel.h"
#include "nodes/bitmapset.h"
#include "nodes/pg_list.h"
#include "utils/syscache.h"
}

namespace outflow {

/* One publication of publication_names, as loaded. */
struct PubInfo
{
	Oid oid;
	const char *name;
	bool alltables;
	bool viaroot;
	bool stored_generated; /* publish_generated_columns = stored (18) */
	uint8_t actions; /* kAction* bits */
};

/* The loaded publications (Session::publications). */
struct PubSet
{
	MemoryContext cxt; /* owns pubs */
	bool valid;
	int n;
	PubInfo *pubs;
};

namespace {

/* (Re)loads the publications named in publication_names if needed. */
PubSet &
load_publications(Session &s)
{
	PubSet *set = s.publications;
	const std::vector<std::string> &names = s.opts.publication_names;

	if (set == nullptr)
	{
		set = static_cast<PubSet *>(MemoryContextAllocZero(s.session_cxt, sizeof(PubSet)));
		set->cxt = AllocSetContextCreate(s.session_cxt, "outflow publications", ALLOCSET_SMALL_SIZES);
		s.publications = set;
	}
	if (set->valid)
		return *set;

	MemoryContextReset(set->cxt);
	set->n = 0;
	set->valid = true; /* before the lookups: an invalidation during them must stick */
	set->pubs = static_cast<PubInfo *>(MemoryContextAllocZero(set->cxt, sizeof(PubInfo) * Max(names.size(), 1)));
	for (size_t i = 0; i < names.size(); i++)
	{
		const char *name = names[i].c_str();
		Publication *pub = GetPublicationByName(name, true);
		PubInfo &info = set->pubs[set->n];

		if (pub == nullptr)
		{
			set->valid = false;
			ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
							errmsg("publication \"%s\" does not exist", name),
							errdetail("The option \"publication_names\" names it; it is looked up as of the "
									  "change being decoded."),
							errhint("Create the publication (CREATE PUBLICATION %s ...) before the changes it "
									"should publish, or remove it from \"publication_names\".",
									quote_identifier(name))));
		}
		info.oid = pub->oid;
		info.name = MemoryContextStrdup(set->cxt, pub->name);
		info.alltables = pub->alltables;
		info.viaroot = pub->pubviaroot;
		info.stored_generated = OUTFLOW_PUBLISHES_STORED_GENERATED(pub);
		info.actions = (pub->pubactions.pubinsert ? action_bit(Op::Insert) : 0) |
					   (pub->pubactions.pubupdate ? action_bit(Op::Update) : 0) |
					   (pub->pubactions.pubdelete ? action_bit(Op::Delete) : 0) |
					   (pub->pubactions.pubtruncate ? action_bit(Op::Truncate) : 0);
		set->n++;
	}
	return *set;
}

/*
 * The columns one publication publishes of relation (attnums): its column
 * list, or without one every column but generated ones (stored generated
 * columns too where the publication has publish_generated_columns = stored,
 * 18 and later). Virtual generated columns are never published.
 */
Bitmapset *
published_columns(const PubInfo &pub, Relation relation)
{
	TupleDesc desc = RelationGetDescr(relation);
	Bitmapset *cols = nullptr;

	/* No entry (FOR ALL TABLES, FOR TABLES IN SCHEMA) or no list: all columns. */
	if (!pub.alltables)
		cols = compat::publication_columns(RelationGetRelid(relation), pub.oid);
	if (cols != nullptr)
		return cols;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || OUTFLOW_IS_VIRTUAL_GENERATED(att))
			continue;
		if (att->attgenerated && !pub.stored_generated)
			continue;
		cols = bms_add_member(cols, att->attnum);
	}
	return cols;
}

/* Applies the column lists of the publications in via to rel's columns. */
void
apply_column_lists(RelInfo &rel, Relation relation, List *via)
{
	Bitmapset *columns = nullptr;
	bool first = true;
	ListCell *lc;

	foreach (lc, via)
	{
		const PubInfo &pub = *static_cast<PubInfo *>(lfirst(lc));
		Bitmapset *cols = published_columns(pub, relation);

		if (first)
			columns = cols;
		else if (!bms_equal(columns, cols))
			ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							errmsg("cannot use different column lists for table \"%s.%s\" in different publications",
								   rel.schema, rel.table),
							errdetail("Publication \"%s\" publishes other columns of it than the publications "
									  "before it in \"publication_names\" (its column list, or which generated "
									  "columns it publishes).",
									  pub.name),
							errhint("Give the table the same column list in every publication of "
									"\"publication_names\", or read them with separate slots.")));
		first = false;
	}
	relcache_set_published(rel, columns);
}

/* Builds the row filters of the publications in via for relation, if any. */
RowFilterSet *
build_row_filters(RelInfo &rel, Relation relation, List *via)
{
	static const Op ops[kRowFilterActions] = {Op::Insert, Op::Update, Op::Delete};
	List *quals[kRowFilterActions] = {NIL, NIL, NIL};
	bool unfiltered[kRowFilterActions] = {false, false, false};
	Oid relid = RelationGetRelid(relation);
	Oid schema = RelationGetNamespace(relation);
	bool any = false;
	ListCell *lc;

	foreach (lc, via)
	{
		const PubInfo &pub = *static_cast<PubInfo *>(lfirst(lc));
		char *qual = nullptr;

		/* FOR ALL TABLES and FOR TABLES IN SCHEMA (of this table) mean: no filter. */
		if (!pub.alltables && !compat::publication_has_schema(pub.oid, schema))
			qual = compat::publication_row_filter(relid, pub.oid);
		for (Op op : ops)
		{
			int a = row_filter_index(op);

			if ((pub.actions & action_bit(op)) == 0)
				continue;
			if (qual == nullptr)
				unfiltered[a] = true;
			else
				quals[a] = lappend(quals[a], qual);
		}
	}
	for (int a = 0; a < kRowFilterActions; a++)
	{
		if (unfiltered[a])
			quals[a] = NIL;
		any = any || quals[a] != NIL;
	}
	if (!any)
		return nullptr;
	return row_filters_build(rel.cxt, relation, quals);
}

/* The conversion of relation's rows to those of ancestor publish_as, in cxt (NULL if none is needed). */
TupleConversionMap *
build_root_map(MemoryContext cxt, Relation relation, Oid publish_as)
{
	Relation root = RelationIdGetRelation(publish_as);
	MemoryContext old;
	TupleConversionMap *map;

	if (!RelationIsValid(root))
		elog(ERROR, "outflow: could not open relation with OID %u (partition root of \"%s\")", publish_as,
			 RelationGetRelationName(relation));
	/* Copies: the map keeps the descriptors, which the relcache may rebuild. */
	old = MemoryContextSwitchTo(cxt);
	map = convert_tuples_by_name(CreateTupleDescCopy(RelationGetDescr(relation)),
								 CreateTupleDescCopy(RelationGetDescr(root)));
	MemoryContextSwitchTo(old);
	RelationClose(root);
	return map;
}

/* A publication or its tables or schemas changed: reload them, rebuild every entry. */
void
invalidate_publications_cb(Datum, OutflowCacheId, uint32)
{
	Session *s = relcache_session();

	if (s == nullptr || s->opts.publication_names.empty())
		return; /* entries do not depend on publications */
	if (s->publications != nullptr)
		s->publications->valid = false;
	relcache_invalidate_all(*s);
}

bool g_callbacks_registered = false;

} // namespace

void
publication_init(Session &)
{
	if (g_callbacks_registered)
		return;
	compat::register_publication_callbacks(invalidate_publications_cb);
	g_callbacks_registered = true;
}

void
publication_build(Session &s, RelInfo &rel, Relation relation)
{
	PubSet &set = load_publications(s);
	Oid relid = RelationGetRelid(relation);
	PubRel *pub = static_cast<PubRel *>(MemoryContextAllocZero(rel.cxt, sizeof(PubRel)));
	bool am_partition = relation->rd_rel->relispartition;
	bool partitioned = relation->rd_rel->relkind == RELKIND_PARTITIONED_TABLE;
	List *pubids, *excluding, *schema_pubids, *ancestors = NIL, *via = NIL;
	int level = 0;

	rel.pub = pub;
	pub->publish_as = relid;
	if (!is_publishable_relation(relation))
		return;
	pubids = compat::relation_publications(relid);
	excluding = compat::excluding_publications(relid);
	schema_pubids = compat::schema_publications(RelationGetNamespace(relation));
	if (am_partition)
		ancestors = get_partition_ancestors(relid);

	for (int i = 0; i < set.n; i++)
	{
		PubInfo &p = set.pubs[i];
		Oid as = relid;
		int as_level = 0;
		bool published = p.alltables && !list_member_oid(excluding, p.oid);

		if (p.alltables)
		{
			if (p.viaroot && am_partition)
			{
				as = llast_oid(ancestors);
				as_level = list_length(ancestors);
			}
		}
		else
		{
			if (am_partition)
			{
				int anc_level = 0;
				Oid anc = compat::topmost_published_ancestor(p.oid, ancestors, &anc_level);

				if (OidIsValid(anc))
				{
					published = true;
					if (p.viaroot)
					{
						as = anc;
						as_level = anc_level;
					}
				}
			}
			published = published || list_member_oid(pubids, p.oid) || list_member_oid(schema_pubids, p.oid);
		}
		/* A partitioned table's changes come from its partitions, unless they are published as it. */
		if (!published || (partitioned && !p.viaroot))
			continue;
		pub->actions |= p.actions;
		/* Report as the top-most ancestor over all publications; filters come from those using it. */
		if (as_level < level)
			continue;
		if (as_level > level)
		{
			level = as_level;
			pub->publish_as = as;
			list_free(via);
			via = NIL;
		}
		via = lappend(via, &p);
	}

	if ((pub->actions & (action_bit(Op::Insert) | action_bit(Op::Update) | action_bit(Op::Delete))) == 0)
		return;
	if (pub->publish_as != relid)
	{
		/* Reported as the ancestor: its entry has the columns and filters. */
		pub->to_root = build_root_map(rel.cxt, relation, pub->publish_as);
		return;
	}
	apply_column_lists(rel, relation, via);
	pub->filters = build_row_filters(rel, relation, via);
}

bool
publication_sends(const PubRel &pub, const RowChange &c)
{
	if ((pub.actions & action_bit(c.op)) == 0)
		return false;
	/* A DELETE without the old row's identity cannot be applied: pgoutput skips it. */
	return !(c.op == Op::Delete && c.oldtuple == nullptr);
}

Oid
publication_shown_as(const PubRel &pub, const RowChange &c)
{
	return pub.publish_as != RelationGetRelid(c.relation) ? pub.publish_as : InvalidOid;
}

void
publication_map_to_root(const PubRel &pub, RowChange &c)
{
	if (pub.to_root == nullptr)
		return;
	if (c.newtuple != nullptr)
		c.newtuple = execute_attr_map_tuple(c.newtuple, pub.to_root);
	if (c.oldtuple != nullptr)
		c.oldtuple = execute_attr_map_tuple(c.oldtuple, pub.to_root);
}

bool
publication_truncates(const RelInfo &rel, Relation relation)
{
	const PubRel &pub = *rel.pub;

	if ((pub.actions & action_bit(Op::Truncate)) == 0)
		return false;
	/* A partition published as its root: the root's own TRUNCATE entry reports it. */
	return !(relation->rd_rel->relispartition && pub.publish_as != RelationGetRelid(relation));
}

} // namespace outflow
