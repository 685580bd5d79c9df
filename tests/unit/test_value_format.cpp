// Tests for decoder/pg_text_format.h: decimal integers, hex bytes, UUID text.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include "pg_text_format.h"

namespace {

std::string
int64_text(int64_t v)
{
	char buf[outflow::kInt64DecimalMax];
	size_t len = outflow::format_int64(v, buf);
	return std::string(buf, len);
}

TEST(FormatInt64, SmallValues)
{
	EXPECT_EQ(int64_text(0), "0");
	EXPECT_EQ(int64_text(7), "7");
	EXPECT_EQ(int64_text(-7), "-7");
	EXPECT_EQ(int64_text(10), "10");
	EXPECT_EQ(int64_text(-10), "-10");
	EXPECT_EQ(int64_text(1234567890), "1234567890");
}

TEST(FormatInt64, Extremes)
{
	EXPECT_EQ(int64_text(std::numeric_limits<int64_t>::max()), "9223372036854775807");
	EXPECT_EQ(int64_text(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
	EXPECT_EQ(int64_text(std::numeric_limits<int32_t>::min()), "-2147483648");
	EXPECT_EQ(int64_text(std::numeric_limits<int16_t>::min()), "-32768");
	EXPECT_EQ(int64_t(int64_text(std::numeric_limits<int64_t>::min()).size()), int64_t(outflow::kInt64DecimalMax));
}

TEST(FormatInt64, PowersOfTenAndNeighbours)
{
	int64_t p = 1;
	for (int i = 0; i < 19; i++, p = i < 19 ? p * 10 : p) // no overflow after the last
	{
		for (int64_t v : {p - 1, p, p + 1, -p + 1, -p, -p - 1})
			EXPECT_EQ(int64_text(v), std::to_string(v));
	}
}

TEST(FormatInt64, RandomAgreesWithToString)
{
	std::mt19937_64 rng(42);
	for (int i = 0; i < 100000; i++)
	{
		int64_t v = static_cast<int64_t>(rng());
		v >>= (rng() % 64); /* all magnitudes */
		ASSERT_EQ(int64_text(v), std::to_string(v));
	}
}

std::string
hex_text(const std::string &bytes)
{
	std::string out(2 * bytes.size(), '?');
	size_t len = outflow::format_hex(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), &out[0]);
	out.resize(len);
	return out;
}

TEST(FormatHex, Bytes)
{
	EXPECT_EQ(hex_text(""), "");
	EXPECT_EQ(hex_text(std::string("\x00\x01\x7f\x80\xff", 5)), "00017f80ff");
	EXPECT_EQ(hex_text("AZ"), "415a");
}

TEST(FormatHex, EveryByte)
{
	for (int b = 0; b < 256; b++)
	{
		char expected[3];
		snprintf(expected, sizeof(expected), "%02x", b);
		EXPECT_EQ(hex_text(std::string(1, static_cast<char>(b))), expected);
	}
}

TEST(FormatUuid, Canonical)
{
	const uint8_t bytes[16] = {0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8,
							   0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11};
	char buf[outflow::kUuidTextLen];
	size_t len = outflow::format_uuid(bytes, buf);
	EXPECT_EQ(std::string(buf, len), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
}

TEST(FormatUuid, ZeroAndOnes)
{
	uint8_t zero[16] = {};
	uint8_t ones[16];
	for (auto &b : ones)
		b = 0xff;
	char buf[outflow::kUuidTextLen];
	EXPECT_EQ(std::string(buf, outflow::format_uuid(zero, buf)), "00000000-0000-0000-0000-000000000000");
	EXPECT_EQ(std::string(buf, outflow::format_uuid(ones, buf)), "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

} // namespace
