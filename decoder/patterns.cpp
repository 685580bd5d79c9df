/*
 * patterns.cpp: parsing and matching "schema.table" patterns.
 */
#include "patterns.h"

#include "error.h"

namespace outflow {

/* Glob match of name against literal text and "*" wildcards, iterative with backtracking. */
bool
NamePattern::matches(std::string_view name) const
{
	size_t p = 0, n = 0, star = std::string::npos, star_n = 0;

	while (n < name.size())
	{
		if (p < text.size() && !wild[p] && text[p] == name[n])
		{
			p++;
			n++;
		}
		else if (p < text.size() && wild[p])
		{
			star = p++;
			star_n = n;
		}
		else if (star != std::string::npos)
		{
			p = star + 1;
			n = ++star_n;
		}
		else
			return false;
	}
	while (p < text.size() && wild[p])
		p++;
	return p == text.size();
}

bool
TablePattern::matches(std::string_view schema_name, std::string_view table_name) const
{
	return schema.matches(schema_name) && table.matches(table_name);
}

/* Builds the error for a malformed pattern. */
static Error
pattern_error(std::string_view option, std::string_view pattern, const char *why)
{
	return Error(kInvalidParameterValue,
				 "invalid table pattern \"" + std::string(pattern) + "\" in option \"" + std::string(option) + "\": " + why,
				 {},
				 "Write schema.table; \"*\" matches any characters, a backslash makes the next character "
				 "literal (\\. \\* \\, \\\\).");
}

TablePattern
parse_table_pattern(std::string_view option, std::string_view pattern)
{
	TablePattern result;
	NamePattern *part = &result.schema;
	bool seen_dot = false;

	for (size_t i = 0; i < pattern.size(); i++)
	{
		char c = pattern[i];

		if (c == '\\')
		{
			if (i + 1 >= pattern.size())
				throw pattern_error(option, pattern, "it ends with a lone backslash");
			part->text.push_back(pattern[++i]);
			part->wild.push_back(false);
		}
		else if (c == '.' && !seen_dot)
		{
			seen_dot = true;
			part = &result.table;
		}
		else if (c == '.')
			throw pattern_error(option, pattern, "it has more than one unescaped \".\"");
		else
		{
			part->text.push_back(c);
			part->wild.push_back(c == '*');
		}
	}
	if (!seen_dot)
		throw pattern_error(option, pattern, "it has no \".\" between schema and table");
	if (result.schema.text.empty() || result.table.text.empty())
		throw pattern_error(option, pattern, "the schema or the table part is empty");
	return result;
}

/*
 * Splits on unescaped commas, keeping backslash escapes for the pattern
 * parser, and trims surrounding spaces.
 */
std::vector<TablePattern>
parse_table_patterns(std::string_view option, std::string_view list)
{
	std::vector<TablePattern> patterns;
	std::string item;

	auto flush = [&]() {
		size_t b = item.find_first_not_of(" \t");
		size_t e = item.find_last_not_of(" \t");

		if (b == std::string::npos)
			throw pattern_error(option, list, "the list has an empty item");
		/* keep a trailing escaped space */
		if (e + 1 < item.size() && e > 0 && item[e] == '\\')
			e++;
		patterns.push_back(parse_table_pattern(option, item.substr(b, e - b + 1)));
		item.clear();
	};

	for (size_t i = 0; i < list.size(); i++)
	{
		char c = list[i];

		if (c == '\\' && i + 1 < list.size())
		{
			item.push_back(c);
			item.push_back(list[++i]);
		}
		else if (c == ',')
			flush();
		else
			item.push_back(c);
	}
	flush();
	return patterns;
}

bool
any_pattern_matches(const std::vector<TablePattern> &patterns, std::string_view schema_name,
					std::string_view table_name)
{
	for (const auto &p : patterns)
		if (p.matches(schema_name, table_name))
			return true;
	return false;
}

} // namespace outflow
