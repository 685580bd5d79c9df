/*
 * options.cpp: parsing the plugin's options. Names follow wal2json where
 * wal2json has the option (so existing consumers keep working) and pgoutput
 * for publication_names and origin.
 */
#include "options.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

#include "error.h"

namespace outflow {

namespace {

const char *const kBoolHint = "Use true or false (also on/off, yes/no, 1/0).";

/* Options wal2json itself has: under the wal2json format their errors use its wording. */
bool
is_wal2json_option(std::string_view name)
{
	static const std::set<std::string_view> names = {
		"include-transaction", "include-xids", "include-timestamp", "include-origin", "include-lsn",
		"include-schemas", "include-types", "include-typmod", "include-type-oids", "include-domain-data-type",
		"include-column-positions", "include-not-null", "include-default", "include-pk", "partition-root",
		"numeric-data-types-as-string", "pretty-print", "write-in-chunks", "actions", "filter-origins",
		"filter-tables", "add-tables", "filter-msg-prefixes", "add-msg-prefixes", "format-version"};

	return names.count(name) > 0;
}

/* An error about a bad option value (wal2json's wording for its options under its format). */
Error
bad_value(const Options &o, std::string_view name, const std::string &value, const std::string &allowed)
{
	if (o.wal2json_wording && is_wal2json_option(name))
		return Error(kInvalidParameterValue,
					 "could not parse value \"" + value + "\" for parameter \"" + std::string(name) + "\"", {},
					 allowed);
	return Error(kInvalidParameterValue,
				 "invalid value \"" + value + "\" for option \"" + std::string(name) + "\"", {}, allowed);
}

/* The value of an option that needs one. */
const std::string &
required(std::string_view name, const std::optional<std::string> &value, const char *allowed)
{
	if (!value)
		throw Error(kInvalidParameterValue, "option \"" + std::string(name) + "\" needs a value", {}, allowed);
	return *value;
}

/* A boolean option: no value means true. */
bool
bool_value(const Options &o, std::string_view name, const std::optional<std::string> &value)
{
	bool result = true;

	if (value && !parse_bool_text(*value, result))
		throw bad_value(o, name, *value, kBoolHint);
	return result;
}

using Setter = std::function<void(Options &, std::string_view, const std::optional<std::string> &)>;

/* A setter for a plain boolean field. */
Setter
flag(bool Options::*field)
{
	return [field](Options &o, std::string_view n, const std::optional<std::string> &v) {
		o.*field = bool_value(o, n, v);
	};
}

/* Parses "insert, update, delete, truncate" into action bits. */
void
set_actions(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	const char *allowed = "Give a comma-separated list of: insert, update, delete, truncate.";
	const std::string &text = required(name, value, allowed);
	uint8_t bits = 0;

	for (const std::string &item : split_list(text))
	{
		std::string a = item;

		std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
		uint8_t bit = action_bit_named(a);

		if (bit == 0)
			throw bad_value(o, name, item, allowed);
		bits |= bit;
	}
	o.actions = bits;
}

/* Parses a comma-separated list of replication origin ids. */
void
set_filter_origins(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	const char *allowed = "Give a comma-separated list of replication origin ids (numbers from 1 to 65535).";
	const std::string &text = required(name, value, allowed);

	o.filter_origins.clear();
	for (const std::string &item : split_list(text))
	{
		char *end = nullptr;
		unsigned long id = std::strtoul(item.c_str(), &end, 10);

		if (item.empty() || *end != '\0' || !std::isdigit(static_cast<unsigned char>(item[0])) || id == 0 ||
			id > 65535)
			throw bad_value(o, name, item, allowed);
		o.filter_origins.push_back(static_cast<uint32_t>(id));
	}
}

/* A list-of-strings option. */
Setter
string_list(std::vector<std::string> Options::*field, const char *allowed)
{
	return [field, allowed](Options &o, std::string_view n, const std::optional<std::string> &v) {
		o.*field = split_list(required(n, v, allowed));
		for (const std::string &item : o.*field)
			if (item.empty())
				throw bad_value(o, n, *v, allowed);
	};
}

/* A list-of-table-patterns option. */
Setter
table_list(std::vector<TablePattern> Options::*field)
{
	return [field](Options &o, std::string_view n, const std::optional<std::string> &v) {
		const std::string &text = required(n, v, "Give a comma-separated list of schema.table patterns.");

		try
		{
			o.*field = parse_table_patterns(n, text);
		}
		catch (const Error &e)
		{
			if (!o.wal2json_wording)
				throw;
			/* wal2json's message; what is wrong with the pattern goes to the detail, as a sentence */
			std::string detail = e.what();

			detail[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(detail[0])));
			throw Error(e.code, bad_value(o, n, text, "").what(), detail + ".", e.hint);
		}
	};
}

void
set_format(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	const char *allowed = "Use \"native\" or \"wal2json\".";
	const std::string &text = required(name, value, allowed);

	if (text == "native")
		o.format = FormatKind::Native;
	else if (text == "wal2json")
		o.format = FormatKind::Wal2json;
	else
		throw bad_value(o, name, text, allowed);
	o.format_given = true;
}

/* A format-version other than 1 or 2, worded as wal2json words it. */
Error
format_version_error(const Options &o, std::string_view name, const std::string &text, const char *allowed)
{
	size_t start = text.size() > 1 && text[0] == '-' ? 1 : 0;
	bool integer = !text.empty() && text.size() <= 9 && text.find_first_not_of("0123456789", start) == std::string::npos;
	int version = integer ? std::atoi(text.c_str()) : 0;

	if (!integer)
		return bad_value(o, name, text, allowed);
	return Error(kInvalidParameterValue,
				 "client sent format_version=" + std::to_string(version) + " but we only support format " +
					 (version < 1 ? "1 or higher" : "2 or lower"),
				 {}, allowed);
}

void
set_format_version(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	const char *allowed = "Use 1 or 2 (wal2json's format versions).";
	const std::string &text = required(name, value, allowed);

	if (text == "1")
		o.format_version = 1;
	else if (text == "2")
		o.format_version = 2;
	else if (o.wal2json_wording)
		throw format_version_error(o, name, text, allowed);
	else
		throw bad_value(o, name, text, allowed);
	o.format_version_given = true;
}

void
set_include_transaction(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	o.include_transaction = bool_value(o, name, value);
	o.include_transaction_given = true;
}

void
set_unchanged_toast(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	const char *allowed = "Use \"omit\" (absent from \"new\", listed in \"unchanged\") or \"marker\".";
	const std::string &text = required(name, value, allowed);

	if (text == "omit")
		o.unchanged_toast = UnchangedToast::Omit;
	else if (text == "marker")
		o.unchanged_toast = UnchangedToast::Marker;
	else
		throw bad_value(o, name, text, allowed);
}

void
set_unchanged_toast_marker(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	o.unchanged_toast_marker = required(name, value, "Give the text to put in place of unchanged values.");
	o.unchanged_toast = UnchangedToast::Marker;
}

void
set_origin(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	const char *allowed = "Use \"any\" (every change) or \"none\" (only changes without a replication origin).";
	const std::string &text = required(name, value, allowed);

	if (text == "any")
		o.skip_origin_changes = false;
	else if (text == "none")
		o.skip_origin_changes = true;
	else
		throw bad_value(o, name, text, allowed);
}

/* Largest max-value-bytes: PostgreSQL's limit for one allocation (MaxAllocSize). */
constexpr int64_t kMaxValueBytesMax = 1073741823;

/* max-value-bytes: a whole number of bytes from 1 to kMaxValueBytesMax. */
void
set_max_value_bytes(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	const std::string allowed = "Give a whole number of bytes from 1 to " + std::to_string(kMaxValueBytesMax) +
								" (the largest JSON text of one value to send; longer values are left out).";
	const std::string &text = required(name, value, allowed.c_str());
	int64_t bytes = 0;

	for (char c : text)
	{
		if (!std::isdigit(static_cast<unsigned char>(c)))
			throw bad_value(o, name, text, allowed);
		bytes = bytes * 10 + (c - '0');
		if (bytes > kMaxValueBytesMax)
			throw bad_value(o, name, text, allowed);
	}
	if (text.empty() || bytes < 1)
		throw bad_value(o, name, text, allowed);
	o.max_value_bytes = bytes;
}

/* publication_names, read as pgoutput reads it (see split_identifiers). */
void
set_publication_names(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	const char *allowed = "Give a comma-separated list of publication names; double-quote names with "
						  "upper case, spaces or commas (\"My Pub\").";
	const std::string &text = required(name, value, allowed);

	if (!split_identifiers(text, o.publication_names))
		throw bad_value(o, name, text, allowed);
}

void
set_include_empty_transactions(Options &o, std::string_view name, const std::optional<std::string> &value)
{
	o.include_empty_transactions = bool_value(o, name, value);
	o.include_empty_transactions_given = true;
}

void
reject_unchanged_toast(Options &o, std::string_view name, const std::optional<std::string> &)
{
	throw Error(kFeatureNotSupported,
				o.wal2json_wording ? "parameter \"" + std::string(name) + "\" was deprecated"
								   : "option \"" + std::string(name) + "\" is not supported",
				{},
				"Unchanged TOAST values are never sent as fake values; in the native format their column "
				"names are listed in \"unchanged\".");
}

/* Every option we accept, by name. */
const std::map<std::string, Setter, std::less<>> &
option_table()
{
	static const std::map<std::string, Setter, std::less<>> table = {
		{"format", set_format},
		{"format-version", set_format_version},
		{"include-transaction", set_include_transaction},
		{"include-empty-transactions", set_include_empty_transactions},
		{"include-xids", flag(&Options::include_xids)},
		{"include-timestamp", flag(&Options::include_timestamp)},
		{"include-origin", flag(&Options::include_origin)},
		{"include-lsn", flag(&Options::include_lsn)},
		{"include-schemas", flag(&Options::include_schemas)},
		{"include-types", flag(&Options::include_types)},
		{"include-typmod", flag(&Options::include_typmod)},
		{"include-type-oids", flag(&Options::include_type_oids)},
		{"include-domain-data-type", flag(&Options::include_domain_data_type)},
		{"include-column-positions", flag(&Options::include_column_positions)},
		{"include-not-null", flag(&Options::include_not_null)},
		{"include-default", flag(&Options::include_default)},
		{"include-pk", flag(&Options::include_pk)},
		{"reads-as-inserts", flag(&Options::reads_as_inserts)},
		{"partition-root", flag(&Options::partition_root)},
		{"numeric-data-types-as-string", flag(&Options::numeric_data_types_as_string)},
		{"pretty-print", flag(&Options::pretty_print)},
		{"write-in-chunks", flag(&Options::write_in_chunks)},
		{"actions", set_actions},
		{"filter-origins", set_filter_origins},
		{"filter-tables", table_list(&Options::filter_tables)},
		{"add-tables", table_list(&Options::add_tables)},
		{"filter-msg-prefixes",
		 string_list(&Options::filter_msg_prefixes, "Give a comma-separated list of message prefixes.")},
		{"add-msg-prefixes", string_list(&Options::add_msg_prefixes, "Give a comma-separated list of message prefixes.")},
		{"stream-changes", flag(&Options::stream_changes)},
		{"include-relations", flag(&Options::include_relations)},
		{"unchanged-toast", set_unchanged_toast},
		{"unchanged-toast-marker", set_unchanged_toast_marker},
		{"origin", set_origin},
		{"publication_names", set_publication_names},
		{"max-value-bytes", set_max_value_bytes},
		{"include-unchanged-toast", reject_unchanged_toast},
	};
	return table;
}

/* The list of option names, for the hint of an unknown option. */
std::string
option_names()
{
	std::string names;

	for (const auto &entry : option_table())
	{
		if (entry.first == "include-unchanged-toast")
			continue;
		if (!names.empty())
			names += ", ";
		names += entry.first;
	}
	return names;
}

} // namespace

bool
parse_bool_text(std::string_view text, bool &result)
{
	std::string t(text);

	std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
	auto prefix_of = [&](const char *word, size_t min_len) {
		std::string_view w(word);
		return t.size() >= min_len && t.size() <= w.size() && w.compare(0, t.size(), t) == 0;
	};

	if (prefix_of("true", 1) || prefix_of("yes", 1) || t == "on" || t == "1")
		result = true;
	else if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || t == "0")
		result = false;
	else
		return false;
	return true;
}

std::vector<std::string>
split_list(std::string_view text)
{
	std::vector<std::string> items;
	std::string item;

	auto flush = [&]() {
		size_t b = item.find_first_not_of(" \t");
		size_t e = item.find_last_not_of(" \t");

		items.push_back(b == std::string::npos ? std::string() : item.substr(b, e - b + 1));
		item.clear();
	};
	for (size_t i = 0; i < text.size(); i++)
	{
		if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == ',')
			item.push_back(text[++i]);
		else if (text[i] == ',')
			flush();
		else
			item.push_back(text[i]);
	}
	flush();
	return items;
}

/*
 * Splits a list of SQL identifiers as PostgreSQL's SplitIdentifierString
 * does: unquoted names are lowercased (ASCII), "quoted" names kept as
 * written with "" for a quote, names longer than 63 bytes truncated.
 */
bool
split_identifiers(std::string_view text, std::vector<std::string> &names)
{
	const size_t kMaxName = 63;
	size_t i = 0;
	auto skip_space = [&]() {
		while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
			i++;
	};

	names.clear();
	skip_space();
	if (i == text.size())
		return false;
	for (;;)
	{
		std::string name;

		if (i < text.size() && text[i] == '"')
		{
			for (i++;; i++)
			{
				if (i >= text.size())
					return false; /* unterminated quote */
				if (text[i] == '"')
				{
					if (i + 1 < text.size() && text[i + 1] == '"')
						i++;
					else
						break;
				}
				name.push_back(text[i]);
			}
			i++;
		}
		else
		{
			while (i < text.size() && text[i] != ',' && !std::isspace(static_cast<unsigned char>(text[i])))
				name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++]))));
		}
		if (name.empty())
			return false;
		if (name.size() > kMaxName)
			name.resize(kMaxName);
		names.push_back(name);
		skip_space();
		if (i == text.size())
			return true;
		if (text[i] != ',')
			return false;
		i++;
		skip_space();
	}
}

/* Options only one format reads: given to the other format, they are an error. */
static bool
is_wal2json_only(std::string_view name)
{
	static const std::set<std::string_view> names = {
		"include-xids", "include-timestamp", "include-origin", "include-lsn", "include-schemas",
		"include-types", "include-typmod", "include-type-oids", "include-domain-data-type",
		"include-column-positions", "include-not-null", "include-default", "include-pk", "reads-as-inserts", "partition-root"};

	return names.count(name) > 0;
}

static bool
is_native_only(std::string_view name)
{
	return name == "unchanged-toast" || name == "unchanged-toast-marker" || name == "stream-changes" ||
		   name == "include-relations";
}

/* Why a native-only option has no wal2json counterpart. */
static std::string
native_only_hint(std::string_view name)
{
	if (name == "stream-changes")
		return "wal2json has no streaming of in-progress transactions; its formats send a transaction at its "
			   "commit. Use \"format\" \"native\" to stream.";
	if (name == "include-relations")
		return "wal2json's formats describe columns in every change (include-types, include-typmod, "
			   "include-not-null, include-pk).";
	return "wal2json's formats leave unchanged TOAST values out.";
}

void
parse_option(Options &opts, std::string_view name, const std::optional<std::string> &value)
{
	const auto &table = option_table();
	auto it = table.find(name);

	if (it == table.end())
		throw Error(kInvalidParameterValue,
					opts.wal2json_wording
						? "option \"" + std::string(name) + "\" = \"" + (value ? *value : "(null)") + "\" is unknown"
						: "option \"" + std::string(name) + "\" is not recognized by outflow",
					{}, "Valid options: " + option_names() + ".");
	if (value && value->size() > 1024 * 1024)
		throw Error(kProgramLimitExceeded, "value of option \"" + std::string(name) + "\" is too long", {},
					"Option values are limited to 1 MB.");
	it->second(opts, name, value);
	if (opts.wal2json_only_given.empty() && is_wal2json_only(name))
		opts.wal2json_only_given = name;
	if (opts.native_only_given.empty() && is_native_only(name))
		opts.native_only_given = name;
}

void
finalize_options(Options &opts)
{
	if (opts.format_version_given && !opts.format_given)
		opts.format = FormatKind::Wal2json; /* a wal2json consumer on the outflow name */
	if (opts.format_version_given && opts.format == FormatKind::Native)
		throw Error(kInvalidParameterValue, "option \"format-version\" applies only to format \"wal2json\"", {},
					"Remove \"format-version\" or set \"format\" to \"wal2json\".");
	if (!opts.include_transaction_given)
		opts.include_transaction = (opts.format == FormatKind::Wal2json);
	if (!opts.include_empty_transactions_given)
		opts.include_empty_transactions = (opts.format == FormatKind::Wal2json); /* wal2json sends them all */
	if (opts.format == FormatKind::Native && (opts.pretty_print || opts.write_in_chunks))
		throw Error(kInvalidParameterValue,
					std::string("option \"") + (opts.pretty_print ? "pretty-print" : "write-in-chunks") +
						"\" applies only to wal2json format-version 1",
					{}, "The native format always writes one compact JSON object per change.");
	if (opts.format == FormatKind::Native && !opts.wal2json_only_given.empty())
		throw Error(kInvalidParameterValue,
					"option \"" + opts.wal2json_only_given + "\" applies only to format \"wal2json\"", {},
					"The native format always sends schema, table, lsn, commit_lsn, xid and commit_time, and "
					"values as to_jsonb renders them; set \"format\" to \"wal2json\" for wal2json's fields.");
	if (opts.format == FormatKind::Wal2json && !opts.native_only_given.empty())
		throw Error(kInvalidParameterValue,
					"option \"" + opts.native_only_given + "\" applies only to format \"native\"", {},
					native_only_hint(opts.native_only_given));
	/* wal2json ignores pretty-print and write-in-chunks in format 2; so do we. */
}

/* The format the options select, looked at before parsing them (for the wording of errors):
 * the last valid "format", else wal2json if "format-version" is given, else the default. */
static FormatKind
format_selected(FormatKind default_format, const OptionList &options)
{
	std::optional<FormatKind> format;
	bool version_given = false;

	for (const auto &[name, value] : options)
	{
		if (name == "format" && value && *value == "native")
			format = FormatKind::Native;
		else if (name == "format" && value && *value == "wal2json")
			format = FormatKind::Wal2json;
		else if (name == "format-version")
			version_given = true;
	}
	if (format)
		return *format;
	return version_given ? FormatKind::Wal2json : default_format;
}

void
parse_options(Options &opts, const OptionList &options)
{
	opts.wal2json_wording = format_selected(opts.format, options) == FormatKind::Wal2json;
	for (const auto &[name, value] : options)
		parse_option(opts, name, value);
	finalize_options(opts);
}

} // namespace outflow
