// format_timestamp_iso (pg_text_format.h) against the C library's calendar:
// every year 1 to 9999, leap days, microsecond trimming, out-of-range years.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

#include "pg_text_format.h"

namespace {

constexpr int64_t kUsecsPerSec = 1000000;
constexpr int64_t kPgEpochUnix = 946684800; // 2000-01-01 in Unix seconds

std::string
fast(int64_t t)
{
	char buf[outflow::kTimestampIsoMax + 1];
	size_t len = outflow::format_timestamp_iso(t, buf);

	return std::string(buf, len);
}

// The reference: gmtime_r on the whole seconds, then the fraction trimmed of
// trailing zeros, as PostgreSQL's EncodeDateTime writes it in XSD style.
std::string
reference(int64_t t)
{
	int64_t secs = t / kUsecsPerSec;
	int64_t usec = t % kUsecsPerSec;
	if (usec < 0)
	{
		usec += kUsecsPerSec;
		secs--;
	}
	time_t unix_secs = static_cast<time_t>(secs + kPgEpochUnix);
	struct tm tm;
	char buf[64];

	gmtime_r(&unix_secs, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
	std::string s = buf;
	if (usec != 0)
	{
		snprintf(buf, sizeof(buf), ".%06d", static_cast<int>(usec));
		std::string f = buf;
		while (f.back() == '0')
			f.pop_back();
		s += f;
	}
	return s;
}

int64_t
pg_time(int year, int month, int day, int h, int m, int s, int usec)
{
	struct tm tm = {};
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	return (static_cast<int64_t>(timegm(&tm)) - kPgEpochUnix) * kUsecsPerSec + usec;
}

TEST(TimestampFormat, KnownValues)
{
	EXPECT_EQ(fast(0), "2000-01-01T00:00:00");
	EXPECT_EQ(fast(1), "2000-01-01T00:00:00.000001");
	EXPECT_EQ(fast(-1), "1999-12-31T23:59:59.999999");
	EXPECT_EQ(fast(500000), "2000-01-01T00:00:00.5");
	EXPECT_EQ(fast(pg_time(2024, 2, 29, 12, 34, 56, 120000)), "2024-02-29T12:34:56.12");
	EXPECT_EQ(fast(pg_time(1, 1, 1, 0, 0, 0, 0)), "0001-01-01T00:00:00");
	EXPECT_EQ(fast(pg_time(9999, 12, 31, 23, 59, 59, 999999)), "9999-12-31T23:59:59.999999");
	EXPECT_EQ(fast(pg_time(1900, 3, 1, 0, 0, 0, 0)), "1900-03-01T00:00:00");
}

TEST(TimestampFormat, OutsideYears1To9999WritesNothing)
{
	EXPECT_EQ(fast(pg_time(1, 1, 1, 0, 0, 0, 0) - 1), "");
	EXPECT_EQ(fast(pg_time(9999, 12, 31, 23, 59, 59, 999999) + 1), "");
	EXPECT_EQ(fast(INT64_MIN + 1), "");
	EXPECT_EQ(fast(INT64_MAX - 1), "");
}

TEST(TimestampFormat, EveryYearAndRandomValuesMatchTheCalendar)
{
	for (int year = 1; year <= 9999; year++)
	{
		for (int64_t t : {pg_time(year, 1, 1, 0, 0, 0, 0), pg_time(year, 2, 28, 23, 59, 59, 10),
						  pg_time(year, 3, 1, 0, 0, 0, 999990), pg_time(year, 12, 31, 23, 59, 59, 999999)})
			ASSERT_EQ(fast(t), reference(t)) << "t=" << t;
	}
	std::mt19937_64 rng(20261125);
	std::uniform_int_distribution<int64_t> any(pg_time(1, 1, 1, 0, 0, 0, 0), pg_time(9999, 12, 31, 23, 59, 59, 999999));
	for (int i = 0; i < 200000; i++)
	{
		int64_t t = any(rng);
		if (i % 3 == 0)
			t -= t % kUsecsPerSec; // whole seconds
		ASSERT_EQ(fast(t), reference(t)) << "t=" << t;
	}
}

} // namespace

namespace {

std::string
zone(int tz)
{
	char buf[outflow::kIsoZoneMax];
	size_t len = outflow::format_iso_zone(tz, buf);

	return std::string(buf, len);
}

} // namespace

// EncodeTimezone's ISO text: seconds west of Greenwich shown with the opposite sign.
TEST(IsoZoneFormat, HoursMinutesSeconds)
{
	EXPECT_EQ(zone(0), "+00");
	EXPECT_EQ(zone(-3600), "+01");
	EXPECT_EQ(zone(5 * 3600), "-05");
	EXPECT_EQ(zone(-(5 * 3600 + 30 * 60)), "+05:30");
	EXPECT_EQ(zone(-(5 * 3600 + 45 * 60)), "+05:45");
	EXPECT_EQ(zone(3600 + 60 + 1), "-01:01:01");
	EXPECT_EQ(zone(-(99 * 3600 + 59 * 60 + 59)), "+99:59:59");
	EXPECT_EQ(zone(100 * 3600), ""); // not a real zone: the general path
}

// timestamp_out's ISO text: the XSD text with a space for the 'T'.
TEST(TimestampFormat, IsoSpaceVariant)
{
	char buf[outflow::kTimestampIsoMax];
	size_t len = outflow::format_timestamp_iso_space(INT64_C(1500000), buf);

	EXPECT_EQ(std::string(buf, len), "2000-01-01 00:00:01.5");
	EXPECT_EQ(outflow::format_timestamp_iso_space(INT64_C(1) << 61, buf), 0u);
}
