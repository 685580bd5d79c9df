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

namespace {

/* The escape of one byte as escape_json writes it, for the reference below. */
std::string
reference_escape(const std::string &in)
{
	std::string out = "\"";
	for (unsigned char c : in)
	{
		if (c == '"')
			out += "\\\"";
		else if (c == '\\')
			out += "\\\\";
		else if (c == '\b')
			out += "\\b";
		else if (c == '\f')
			out += "\\f";
		else if (c == '\n')
			out += "\\n";
		else if (c == '\r')
			out += "\\r";
		else if (c == '\t')
			out += "\\t";
		else if (c < 0x20)
		{
			char buf[7];
			snprintf(buf, sizeof(buf), "\\u%04x", c);
			out += buf;
		}
		else
			out += static_cast<char>(c);
	}
	return out + "\"";
}

/* json_copy_plain stops exactly at the first byte to escape, wherever it is
 * (inside or after a 16- or 8-byte block), and the escaper around it writes
 * escape_json's bytes; every byte value, high bytes (signed as char) too. */
TEST(JsonEscape, PlainRunsStopAtEveryPosition)
{
	for (size_t len = 0; len <= 70; len++)
		for (size_t at = 0; at <= len; at++)
			for (int c : {0x00, 0x01, 0x1f, 0x22, 0x5c, 0x0a})
			{
				std::string in(len, 'a');
				for (size_t k = 0; k < len; k++)
					in[k] = static_cast<char>("a\x7f\x80\xff\x20\x21 z"[k % 8]);
				if (at < len)
					in[at] = static_cast<char>(c);
				std::string dst(len + 1, '\0');
				size_t plain = outflow::json_copy_plain(&dst[0], in.data(), in.size());
				ASSERT_EQ(plain, at) << len << " " << at << " " << c;
				ASSERT_EQ(dst.substr(0, plain), in.substr(0, plain));
				ASSERT_EQ(json_quoted(in), reference_escape(in)) << len << " " << at << " " << c;
			}
	std::string all;
	for (int c = 0; c < 256; c++)
		all.push_back(static_cast<char>(c));
	for (int shift = 0; shift < 16; shift++)
		EXPECT_EQ(json_quoted(all.substr(shift) + all), reference_escape(all.substr(shift) + all));
}

} // namespace
