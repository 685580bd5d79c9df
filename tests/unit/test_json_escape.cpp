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
