/*
 * relations.cpp: completes relcache's entries with what the layers above
 * relcache add, and routes row changes (see relations.h). This is the only
 * place that opens the partition root a change is published as.
 */
#include "relations.h"

#include "format.h"
#include "patterns.h"
#include "publication.h"
#include "relation_record.h"
#include "relcache.h"
#include "row_filter.h"
#include "session.h"
#include "value_render.h"

extern "C" {
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "commands/extension.h"
}

namespace outflow {

namespace {

/*
 * Is this a table of the outflow extension itself (its bookkeeping, such as
 * outflow.slot_publication)? Those never stream unless add-tables names them.
 */
bool
is_outflow_bookkeeping(Relation relation)
{
	Oid ext = getExtensionOfObject(RelationRelationId, RelationGetRelid(relation));

	return OidIsValid(ext) && ext == get_extension_oid("outflow", true);
}

/* relcache's RelCompleter: value renderers, publications, table filters, the format's data, the relation record. */
void
complete_entry(Session &s, RelInfo &rel, Relation relation)
{
	const Options &opts = s.opts;

	if (s.types_stale) /* every entry was invalidated with the types: none holds a renderer */
	{
		s.types_stale = false;
		value_renderers_invalidate(s);
	}
	for (int i = 0; i < rel.natts; i++) /* every format writes values through them */
		if (!rel.cols[i].dropped)
			rel.cols[i].renderer = value_renderer(s, rel.cols[i].typid);
	if (!opts.publication_names.empty())
		publication_build(s, rel, relation); /* rel.pub; may unpublish columns */

	if (!opts.add_tables.empty())
		rel.table_filtered = !any_pattern_matches(opts.add_tables, rel.schema, rel.table);
	else
		rel.table_filtered = is_outflow_bookkeeping(relation);
	rel.table_filtered |= any_pattern_matches(opts.filter_tables, rel.schema, rel.table);

	if (!rel.table_filtered) /* formats only ever see the tables they write */
	{
		s.format->build_relation(s, rel, relation);
		if (opts.include_relations)
			relation_record_build(s, rel, relation);
	}
}

/* Points c at root, the partition root it is published as (its tuples converted). */
void
point_at_root(Session &s, RowChange &c, Relation root)
{
	publication_map_to_root(*c.rel->pub, c);
	c.relation = root;
	c.rel = relcache_get(s, root);
}

} // namespace

void
relations_init(Session &s)
{
	relcache_init(s, complete_entry);
	publication_init(s);
}

/* The stream's row sink (relations.h). */
void
emit_row(Session &s, const RowChange &c, void *)
{
	s.format->row(s, c);
	s.txn_emitted++;
}

bool
route_row(Session &s, RowChange &c, RowSink sink, void *arg)
{
	Relation root = nullptr;
	bool send = true;

	if (c.rel->pub != nullptr)
	{
		Oid as;

		if (!publication_sends(*c.rel->pub, c))
			return false;
		as = publication_shown_as(*c.rel->pub, c);
		if (OidIsValid(as))
		{
			root = RelationIdGetRelation(as); /* closed below: an ERROR leaves it to the resource owner */
			if (!RelationIsValid(root))
				elog(ERROR, "outflow: could not open relation with OID %u (partition root of \"%s\")", as,
					 c.rel->table);
			point_at_root(s, c, root);
			send = !c.rel->table_filtered; /* a root that the table filters drop */
		}
		if (send && c.rel->pub != nullptr && c.rel->pub->filters != nullptr)
			send = row_filters_apply(*c.rel->pub->filters, c);
	}
	if (send)
	{
		unpack_rows(c);
		sink(s, c, arg);
	}
	if (root != nullptr)
		RelationClose(root);
	return send;
}

} // namespace outflow
