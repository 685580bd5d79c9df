/*
 * publication_sql.cpp: what the publication SQL API (outflow.publish_table
 * and friends) learns from PostgreSQL's own parser and node trees instead
 * of matching text:
 *   outflow._row_filter(rel regclass, row_filter text) -> text
 *     the row filter parsed as ALTER PUBLICATION ... ADD TABLE rel WHERE
 *     (row_filter) parses it, transformed against rel as ALTER PUBLICATION
 *     transforms it, and shown as pg_get_expr() shows a stored filter (so it
 *     can be compared with an entry's filter, and put into DDL as pg_dump
 *     does); NULL when the text is not one expression of one table entry
 *     (it closes the WHERE clause and goes on). Parse errors are raised.
 *   outflow._expr_attnums(expr pg_node_tree) -> int2[]
 *     the columns of the expression's one relation that it references,
 *     sorted (0: the whole row), read with pull_varattnos.
 * Both are plain C over PostgreSQL calls: no C++ object lives across a call
 * that can raise.
 */
#include "../decoder/pg.h"
#include "attnum_array.h"

extern "C" {
#include "access/sysattr.h"
#include "access/table.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_clause.h"
#include "parser/parse_collate.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "rewrite/rewriteHandler.h"
#include "storage/lockdefs.h"
#include "utils/array.h"
#include "utils/fmgrprotos.h"

PG_FUNCTION_INFO_V1(outflow_row_filter);
PG_FUNCTION_INFO_V1(outflow_expr_attnums);
PGDLLEXPORT Datum outflow_row_filter(PG_FUNCTION_ARGS);
PGDLLEXPORT Datum outflow_expr_attnums(PG_FUNCTION_ARGS);
}

namespace {

#if OUTFLOW_HAS_ROW_FILTERS

/*
 * The raw expression of row_filter, parsed inside the statement it goes
 * into (ALTER PUBLICATION ... ADD TABLE ONLY t WHERE (row_filter)); NULL
 * when the text closes the WHERE clause and adds table entries or
 * statements of its own. Syntax errors are the parser's.
 */
Node *
parse_row_filter(const char *row_filter)
{
	StringInfoData sql;
	initStringInfo(&sql);
	appendStringInfo(&sql, "ALTER PUBLICATION p ADD TABLE ONLY t WHERE (%s)", row_filter);
	List *stmts = raw_parser(sql.data, RAW_PARSE_DEFAULT);
	Node *stmt = list_length(stmts) == 1 ? linitial_node(RawStmt, stmts)->stmt : nullptr;
	AlterPublicationStmt *alter = stmt && IsA(stmt, AlterPublicationStmt) ? (AlterPublicationStmt *) stmt : nullptr;
	PublicationObjSpec *obj = alter && list_length(alter->pubobjects) == 1
								  ? linitial_node(PublicationObjSpec, alter->pubobjects)
								  : nullptr;
	return obj && obj->pubtable ? obj->pubtable->whereClause : nullptr;
}

/* expr transformed against rel as ALTER PUBLICATION transforms a row filter. */
Node *
transform_row_filter(Node *expr, Relation rel)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL, false, false);
	addNSItemToQuery(pstate, nsitem, false, true, true);
	Node *where = transformWhereClause(pstate, expr, EXPR_KIND_WHERE, "PUBLICATION WHERE");
	assign_expr_collations(pstate, where);
	where = OUTFLOW_EXPAND_GENERATED_IN_EXPR(where, rel);
	free_parsestate(pstate);
	return where;
}

#endif

} // namespace

/* outflow._row_filter(rel, row_filter): see the top of this file. */
Datum
outflow_row_filter(PG_FUNCTION_ARGS)
{
	Oid relid = PG_GETARG_OID(0);
	char *row_filter = text_to_cstring(PG_GETARG_TEXT_PP(1));
#if OUTFLOW_HAS_ROW_FILTERS
	Node *raw = parse_row_filter(row_filter);
	if (!raw)
		PG_RETURN_NULL();
	Relation rel = table_open(relid, AccessShareLock);
	Node *where = transform_row_filter(raw, rel);
	table_close(rel, NoLock);
	PG_RETURN_DATUM(DirectFunctionCall2(pg_get_expr, CStringGetTextDatum(nodeToString(where)), ObjectIdGetDatum(relid)));
#else
	(void) relid;
	(void) row_filter;
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					errmsg("row filters need PostgreSQL 15 or later (this server is PostgreSQL %d)", PG_VERSION_NUM / 10000),
					errhint("Pass row_filter => NULL to publish every row.")));
	PG_RETURN_NULL();
#endif
}

/* outflow._expr_attnums(expr): see the top of this file. */
Datum
outflow_expr_attnums(PG_FUNCTION_ARGS)
{
	Node *expr = (Node *) stringToNode(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	Bitmapset *attrs = NULL;
	pull_varattnos(expr, 1, &attrs);
	PG_RETURN_ARRAYTYPE_P(attnum_array(attrs, FirstLowInvalidHeapAttributeNumber));
}
