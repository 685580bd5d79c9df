/*
 * patterns.h: table patterns for add-tables and filter-tables, as wal2json
 * writes them: "schema.table", where "*" matches any run of characters and a
 * backslash makes the next character literal ("my\.schema.t\*"). Pure C++.
 */
#ifndef OUTFLOW_PATTERNS_H
#define OUTFLOW_PATTERNS_H

#include <string>
#include <string_view>
#include <vector>

namespace outflow {

/* One part (schema or table) of a pattern: literal text and wildcards. */
struct NamePattern
{
	std::string text;	/* the literal characters */
	std::vector<bool> wild; /* wild[i]: text[i] is a "*" wildcard */

	bool matches(std::string_view name) const;
};

struct TablePattern
{
	NamePattern schema;
	NamePattern table;

	bool matches(std::string_view schema_name, std::string_view table_name) const;
};

/* Parses "schema.table"; throws outflow::Error naming option and pattern. */
TablePattern parse_table_pattern(std::string_view option, std::string_view pattern);

/* Parses a comma-separated list of table patterns. */
std::vector<TablePattern> parse_table_patterns(std::string_view option, std::string_view list);

/* True if any pattern matches. */
bool any_pattern_matches(const std::vector<TablePattern> &patterns, std::string_view schema_name,
						 std::string_view table_name);

} // namespace outflow

#endif
