// Unit tests: option parsing and table patterns (decoder/options.cpp, decoder/patterns.cpp).
// unit-deps: decoder/options.cpp decoder/patterns.cpp
#include <gtest/gtest.h>

#include "error.h"
#include "options.h"

using outflow::Error;
using outflow::Options;
using outflow::parse_option;

namespace {

Options
parse(std::initializer_list<std::pair<const char *, const char *>> items)
{
	Options o;
	for (auto &[name, value] : items)
		parse_option(o, name, value ? std::optional<std::string>(value) : std::nullopt);
	outflow::finalize_options(o);
	return o;
}

TEST(Options, Defaults)
{
	Options o = parse({});
	EXPECT_EQ(o.format, outflow::FormatKind::Native);
	EXPECT_FALSE(o.include_transaction);
	EXPECT_EQ(o.actions, outflow::kActionAll);
}

TEST(Options, BooleanSpellings)
{
	bool b = false;
	for (const char *t : {"true", "TRUE", "t", "yes", "y", "on", "1", "tr"})
		EXPECT_TRUE(outflow::parse_bool_text(t, b) && b) << t;
	for (const char *f : {"false", "f", "no", "n", "off", "of", "0", "FALSE"})
		EXPECT_TRUE(outflow::parse_bool_text(f, b) && !b) << f;
	for (const char *bad : {"", "o", "2", "yess", "maybe", "onn"})
		EXPECT_FALSE(outflow::parse_bool_text(bad, b)) << bad;
}

TEST(Options, NoValueMeansTrue)
{
	EXPECT_TRUE(parse({{"format", "wal2json"}, {"include-xids", nullptr}}).include_xids);
}

TEST(Options, OptionsOfTheOtherFormatAreErrors)
{
	EXPECT_THROW(parse({{"include-xids", "1"}}), outflow::Error);
	EXPECT_THROW(parse({{"include-pk", "0"}}), outflow::Error);
	EXPECT_THROW(parse({{"partition-root", "1"}}), outflow::Error);
	EXPECT_TRUE(parse({{"format", "wal2json"}, {"partition-root", "1"}}).partition_root);
	EXPECT_THROW(parse({{"format", "wal2json"}, {"unchanged-toast", "marker"}}), outflow::Error);
	EXPECT_NO_THROW(parse({{"format-version", "2"}, {"include-lsn", "1"}}));
	EXPECT_NO_THROW(parse({{"unchanged-toast", "marker"}}));
}

TEST(Options, StreamingAndRelationRecordsAreNativeOnly)
{
	Options o = parse({{"stream-changes", "on"}, {"include-relations", nullptr}});
	EXPECT_TRUE(o.stream_changes);
	EXPECT_TRUE(o.include_relations);
	EXPECT_FALSE(parse({}).stream_changes);
	EXPECT_FALSE(parse({}).include_relations);
	EXPECT_THROW(parse({{"stream-changes", "sometimes"}}), outflow::Error);
	EXPECT_THROW(parse({{"format", "wal2json"}, {"stream-changes", "1"}}), outflow::Error);
	EXPECT_THROW(parse({{"format-version", "2"}, {"include-relations", "0"}}), outflow::Error);
}

TEST(Options, FormatVersionSelectsWal2json)
{
	Options o = parse({{"format-version", "2"}});
	EXPECT_EQ(o.format, outflow::FormatKind::Wal2json);
	EXPECT_EQ(o.format_version, 2);
	EXPECT_TRUE(o.include_transaction);
}

TEST(Options, ConflictsAreErrors)
{
	EXPECT_THROW(parse({{"format", "native"}, {"format-version", "2"}}), Error);
	EXPECT_THROW(parse({{"pretty-print", "1"}}), Error);
}

TEST(Options, UnknownOptionNamesIt)
{
	try
	{
		parse({{"includ-xids", "1"}});
		FAIL();
	}
	catch (const Error &e)
	{
		EXPECT_NE(std::string(e.what()).find("\"includ-xids\""), std::string::npos);
		EXPECT_NE(e.hint.find("include-xids"), std::string::npos);
	}
}

TEST(Options, Actions)
{
	EXPECT_EQ(parse({{"actions", "insert, DELETE"}}).actions, outflow::kActionInsert | outflow::kActionDelete);
	EXPECT_THROW(parse({{"actions", "insert,merge"}}), Error);
	EXPECT_THROW(parse({{"actions", nullptr}}), Error);
}

/* Parses as the plugin does: the whole list, over a default format. */
Options
parse_as(outflow::FormatKind default_format, const outflow::OptionList &items)
{
	Options o;
	o.format = default_format;
	outflow::parse_options(o, items);
	return o;
}

/* The message of the Error that parsing throws, or "" if none. */
std::string
message_of(outflow::FormatKind default_format, const outflow::OptionList &items)
{
	try
	{
		parse_as(default_format, items);
	}
	catch (const Error &e)
	{
		return e.what();
	}
	return "";
}

TEST(Options, EmptyTransactionsDefaultToWal2jsonsBehaviour)
{
	using outflow::FormatKind;
	EXPECT_FALSE(parse_as(FormatKind::Native, {}).include_empty_transactions);
	EXPECT_TRUE(parse_as(FormatKind::Wal2json, {}).include_empty_transactions);
	EXPECT_TRUE(parse_as(FormatKind::Native, {{"format", "wal2json"}}).include_empty_transactions);
	EXPECT_TRUE(parse_as(FormatKind::Native, {{"format-version", "2"}}).include_empty_transactions);
	EXPECT_FALSE(parse_as(FormatKind::Wal2json, {{"format", "native"}}).include_empty_transactions);
	EXPECT_FALSE(parse_as(FormatKind::Wal2json, {{"include-empty-transactions", "false"}}).include_empty_transactions);
	EXPECT_TRUE(parse_as(FormatKind::Native, {{"include-empty-transactions", std::nullopt}}).include_empty_transactions);
}

TEST(Options, Wal2jsonWordingUnderTheWal2jsonFormat)
{
	using outflow::FormatKind;
	EXPECT_EQ(message_of(FormatKind::Wal2json, {{"nosuchopt", "42"}}), "option \"nosuchopt\" = \"42\" is unknown");
	EXPECT_EQ(message_of(FormatKind::Wal2json, {{"nosuchopt", std::nullopt}}),
			  "option \"nosuchopt\" = \"(null)\" is unknown");
	/* the format named later decides the wording of an earlier error */
	EXPECT_EQ(message_of(FormatKind::Native, {{"x", "1"}, {"format-version", "2"}}), "option \"x\" = \"1\" is unknown");
	EXPECT_EQ(message_of(FormatKind::Native, {{"x", "1"}}), "option \"x\" is not recognized by outflow");
	EXPECT_EQ(message_of(FormatKind::Wal2json, {{"include-unchanged-toast", "1"}}),
			  "parameter \"include-unchanged-toast\" was deprecated");
	EXPECT_EQ(message_of(FormatKind::Native, {{"include-unchanged-toast", "1"}}),
			  "option \"include-unchanged-toast\" is not supported");
	EXPECT_EQ(message_of(FormatKind::Wal2json, {{"actions", "insert,foo"}}),
			  "could not parse value \"foo\" for parameter \"actions\"");
	EXPECT_EQ(message_of(FormatKind::Native, {{"actions", "insert,foo"}}), "invalid value \"foo\" for option \"actions\"");
	EXPECT_EQ(message_of(FormatKind::Wal2json, {{"include-xids", "maybe"}}),
			  "could not parse value \"maybe\" for parameter \"include-xids\"");
	EXPECT_EQ(message_of(FormatKind::Wal2json, {{"format-version", "3"}}),
			  "client sent format_version=3 but we only support format 2 or lower");
	EXPECT_EQ(message_of(FormatKind::Wal2json, {{"format-version", "0"}}),
			  "client sent format_version=0 but we only support format 1 or higher");
	EXPECT_EQ(message_of(FormatKind::Wal2json, {{"format-version", "two"}}),
			  "could not parse value \"two\" for parameter \"format-version\"");
	EXPECT_EQ(message_of(FormatKind::Wal2json, {{"add-tables", "public.a,nodot"}}),
			  "could not parse value \"public.a,nodot\" for parameter \"add-tables\"");
	/* outflow's own options keep outflow's wording */
	EXPECT_EQ(message_of(FormatKind::Wal2json, {{"origin", "some"}}), "invalid value \"some\" for option \"origin\"");
}

TEST(Options, FilterOrigins)
{
	EXPECT_EQ(parse({{"filter-origins", "1, 65535"}}).filter_origins, (std::vector<uint32_t>{1, 65535}));
	for (const char *bad : {"0", "65536", "-1", "1x", "", "1,,2"})
		EXPECT_THROW(parse({{"filter-origins", bad}}), Error) << bad;
}

TEST(Options, ListsSplitOnUnescapedCommas)
{
	EXPECT_EQ(outflow::split_list("a, b ,c"), (std::vector<std::string>{"a", "b", "c"}));
	EXPECT_EQ(outflow::split_list("a\\,b,c"), (std::vector<std::string>{"a,b", "c"}));
}

TEST(Options, PublicationNamesAreIdentifiers)
{
	EXPECT_EQ(parse({{"publication_names", "Shop, \"Shop Pub\" ,\"a\"\"b\""}}).publication_names,
			  (std::vector<std::string>{"shop", "Shop Pub", "a\"b"}));
	EXPECT_EQ(parse({{"publication_names", std::string(70, 'x').c_str()}}).publication_names[0].size(), 63u);
	for (const char *bad : {"", " ", "a,", ",a", "\"open", "a b", "\"\""})
		EXPECT_THROW(parse({{"publication_names", bad}}), Error) << bad;
}

TEST(Patterns, Wildcards)
{
	auto p = outflow::parse_table_patterns("add-tables", "public.*, s*.t_?x, *.log");
	ASSERT_EQ(p.size(), 3u);
	EXPECT_TRUE(p[0].matches("public", "anything"));
	EXPECT_FALSE(p[0].matches("other", "anything"));
	EXPECT_TRUE(p[1].matches("sales", "t_?x"));
	EXPECT_FALSE(p[1].matches("sales", "t_ax"));
	EXPECT_TRUE(p[2].matches("x", "log"));
	EXPECT_FALSE(p[2].matches("x", "logs"));
	auto mid = outflow::parse_table_pattern("add-tables", "a.x*y*z");
	EXPECT_TRUE(mid.matches("a", "xyz"));
	EXPECT_TRUE(mid.matches("a", "x__y__z"));
	EXPECT_FALSE(mid.matches("a", "x__z"));
}

TEST(Patterns, Escapes)
{
	auto p = outflow::parse_table_pattern("add-tables", "my\\.schema.star\\*");
	EXPECT_TRUE(p.matches("my.schema", "star*"));
	EXPECT_FALSE(p.matches("my.schema", "starry"));
	auto comma = outflow::parse_table_patterns("add-tables", "a.b\\,c");
	ASSERT_EQ(comma.size(), 1u);
	EXPECT_TRUE(comma[0].matches("a", "b,c"));
}

TEST(Patterns, MalformedAreErrors)
{
	for (const char *bad : {"nodot", "a.b.c", ".t", "s.", "s.t\\", ""})
		EXPECT_THROW(outflow::parse_table_patterns("filter-tables", bad), Error) << bad;
}

} // namespace

namespace {

/* max-value-bytes: a whole number of bytes from 1 to MaxAllocSize, in every format. */
TEST(Options, MaxValueBytes)
{
	EXPECT_EQ(parse({}).max_value_bytes, 0);
	EXPECT_EQ(parse({{"max-value-bytes", "1"}}).max_value_bytes, 1);
	EXPECT_EQ(parse({{"max-value-bytes", "1073741823"}}).max_value_bytes, 1073741823);
	EXPECT_EQ(parse({{"format-version", "2"}, {"max-value-bytes", "500"}}).max_value_bytes, 500);
	for (const char *bad : {"0", "-1", "", "1e6", "10kB", " 5", "1073741824", "99999999999999999999999"})
	{
		try
		{
			parse({{"max-value-bytes", bad}});
			ADD_FAILURE() << "accepted " << bad;
		}
		catch (const Error &e)
		{
			EXPECT_NE(std::string(e.what()).find("max-value-bytes"), std::string::npos);
			EXPECT_NE(e.hint.find("from 1 to 1073741823"), std::string::npos);
		}
	}
	EXPECT_THROW(parse({{"max-value-bytes", nullptr}}), Error);
}

} // namespace
