// Unit tests: JSON string escaping (decoder/json_escape.h).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "json_escape.h"

namespace {

/* Quoted, through the escaper the decoder's output writers use. */
std::string
json_quoted(const std::string &in)
{
	std::string out(6 * in.size() + 2, '\0');
	char *p = &out[0];

	*p++ = '"';
	p = outflow::json_escape_into(p, in.data(), in.size());
	*p++ = '"';
	out.resize(static_cast<size_t>(p - out.data()));
	return out;
}

TEST(JsonEscape, PlainTextIsCopied)
{
	EXPECT_EQ(json_quoted("hello"), "\"hello\"");
	EXPECT_EQ(json_quoted(""), "\"\"");
}

TEST(JsonEscape, NamedEscapes)
{
	EXPECT_EQ(json_quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
	EXPECT_EQ(json_quoted("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
}

TEST(JsonEscape, OtherControlCharactersAsUnicode)
{
	EXPECT_EQ(json_quoted(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
	EXPECT_EQ(json_quoted(std::string("a\0b", 3)), "\"a\\u0000b\"");
}

TEST(JsonEscape, NonAsciiAndDelVerbatim)
{
	EXPECT_EQ(json_quoted("h\xc3\xa9llo \xe2\x9c\x93"), "\"h\xc3\xa9llo \xe2\x9c\x93\"");
	EXPECT_EQ(json_quoted("\x7f"), "\"\x7f\"");
}

// Every byte string of printable and control characters parses back to itself.
TEST(JsonEscape, RoundTripsThroughAParser)
{
	std::string all;
	for (int c = 1; c < 128; c++)
		all.push_back(static_cast<char>(c));
	all += "\xc3\xa9\xe2\x9c\x93";
	auto parsed = nlohmann::json::parse(json_quoted(all));
	EXPECT_EQ(parsed.get<std::string>(), all);
}

} // namespace

namespace {

/* json_escaped_size counts exactly what json_escape_into writes. */
TEST(JsonEscape, EscapedSizeMatchesTheEscaper)
{
	const std::string samples[] = {"", "plain text, longer than eight bytes", std::string("\x01", 1),
								   std::string(37, '\x01'), "a\"b\\c\nd\te", std::string("x\0y\x1f\x7f\xc3\xa9", 6),
								   std::string(19, '"') + std::string(5, 'z') + std::string(9, '\x02')};

	for (const std::string &in : samples)
		EXPECT_EQ(outflow::json_escaped_size(in.data(), in.size()) + 2, json_quoted(in).size()) << in;
	EXPECT_EQ(outflow::json_escaped_size(std::string(1000, '\x01').data(), 1000), 6000u);
}

} // namespace
