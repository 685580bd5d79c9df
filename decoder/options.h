/*
 * options.h: the plugin's options, parsed by pure C++ (no PostgreSQL
 * headers) so that every rule can be unit-tested. Bad input throws
 * outflow::Error naming the option, the value and what is allowed.
 */
#ifndef OUTFLOW_OPTIONS_H
#define OUTFLOW_OPTIONS_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "op.h"
#include "patterns.h"

namespace outflow {

enum class FormatKind
{
	Native,
	Wal2json
};

/* What to do with an out-of-line value that an UPDATE left untouched. */
enum class UnchangedToast
{
	Omit,	/* leave it out of "new", list its name in "unchanged" */
	Marker	/* also put the marker string in "new" */
};

struct Options
{
	FormatKind format = FormatKind::Native;
	int format_version = 1; /* wal2json: 1 or 2 */

	/* Envelope. */
	bool include_transaction = false;		 /* resolved by finalize() */
	bool include_empty_transactions = false; /* resolved by finalize(): wal2json always sends them */
	bool include_xids = false;
	bool include_timestamp = false;
	bool include_origin = false;
	bool include_lsn = false;
	bool include_schemas = true;

	/* Column metadata (wal2json formats). */
	bool include_types = true;
	bool include_typmod = true;
	bool include_type_oids = false;
	bool include_domain_data_type = false;
	bool include_column_positions = false;
	bool include_not_null = false;
	bool include_default = false;
	bool include_pk = false;
	bool partition_root = false; /* a partition's changes under its root table's name */
	bool pretty_print = false;
	bool write_in_chunks = false;
	bool reads_as_inserts = true; /* outflow.backfill() rows as "insert"/"I" (else "read"/"R") */

	/* Values. */
	bool numeric_data_types_as_string = false;
	UnchangedToast unchanged_toast = UnchangedToast::Omit;
	std::string unchanged_toast_marker = "__outflow_unchanged_toast__";
	int64_t max_value_bytes = 0; /* max-value-bytes: a value's JSON longer is left out; 0: none given */

	/* Transaction life cycle and metadata (native format). */
	bool stream_changes = false;	/* stream-changes: in-progress transactions in blocks (14+) */
	bool include_relations = false; /* include-relations: a relation record before a table's changes */

	/* Filters. */
	uint8_t actions = kActionAll;
	bool skip_origin_changes = false; /* origin=none */
	std::vector<uint32_t> filter_origins;
	std::vector<TablePattern> filter_tables;
	std::vector<TablePattern> add_tables;
	std::vector<std::string> filter_msg_prefixes;
	std::vector<std::string> add_msg_prefixes;

	/* Publications (pgoutput's option name). */
	std::vector<std::string> publication_names;

	/* Which options were given, to resolve defaults and conflicts. */
	bool format_given = false;
	bool format_version_given = false;
	bool include_transaction_given = false;
	bool include_empty_transactions_given = false;

	/* Word errors about wal2json's own options as wal2json does (set by parse_options
	 * when the format is wal2json), so that consumers matching on its messages keep working. */
	bool wal2json_wording = false;
	std::string wal2json_only_given; /* the first wal2json-only option given, if any */
	std::string native_only_given;	 /* the first native-only option given, if any */
};

/* The options as given: name and value (none when given without one), in order. */
using OptionList = std::vector<std::pair<std::string, std::optional<std::string>>>;

/* Parses every option over opts' defaults (opts.format: the plugin's default format),
 * words errors as wal2json does when the format is wal2json, and finalizes. */
void parse_options(Options &opts, const OptionList &options);

/* Applies one option; value is empty when the option was given without one. */
void parse_option(Options &opts, std::string_view name, const std::optional<std::string> &value);

/* Resolves defaults that depend on other options and rejects conflicts. */
void finalize_options(Options &opts);

/* Parses a boolean the way PostgreSQL's parse_bool does; false if invalid. */
bool parse_bool_text(std::string_view text, bool &result);

/* Splits a list of SQL identifiers as SplitIdentifierString does; false if malformed. */
bool split_identifiers(std::string_view text, std::vector<std::string> &names);

/* Splits a comma-separated list, trimming spaces; backslash escapes a comma. */
std::vector<std::string> split_list(std::string_view text);

} // namespace outflow

#endif
