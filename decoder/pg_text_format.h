/*
 * pg_text_format.h: the pure parts of our copies of PostgreSQL's output
 * routines, pure C++ (no PostgreSQL headers) so that they can be
 * unit-tested: integers in decimal (int8out), bytes in lower-case hex
 * (byteaout), UUIDs (uuid_out), timestamps in ISO and XSD form and zones
 * (EncodeDateTime, EncodeTimezone), numerics from their digits
 * (numeric_out). Each writes into a caller-provided buffer and returns the
 * number of bytes written (no NUL). pg_text*.h append them to a StringInfo;
 * sql/fast_paths.sql checks them against PostgreSQL's own functions.
 */
#ifndef OUTFLOW_PG_TEXT_FORMAT_H
#define OUTFLOW_PG_TEXT_FORMAT_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace outflow {

/* Longest decimal int64: "-9223372036854775808". */
inline constexpr size_t kInt64DecimalMax = 20;

/* "00" to "99", for writing two digits at a time. */
struct DigitPairs
{
	char text[200];

	constexpr DigitPairs() : text()
	{
		for (int i = 0; i < 100; i++)
		{
			text[2 * i] = static_cast<char>('0' + i / 10);
			text[2 * i + 1] = static_cast<char>('0' + i % 10);
		}
	}
};

inline constexpr DigitPairs kDigitPairs{};

/* Writes v in decimal, as int8out does; buf needs kInt64DecimalMax bytes. */
inline size_t
format_int64(int64_t v, char *buf)
{
	/* Work on the magnitude as unsigned so that INT64_MIN needs no special case. */
	uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
	char tmp[kInt64DecimalMax];
	size_t pos = sizeof(tmp);

	while (mag >= 100)
	{
		unsigned pair = static_cast<unsigned>(mag % 100);

		mag /= 100;
		tmp[--pos] = kDigitPairs.text[2 * pair + 1];
		tmp[--pos] = kDigitPairs.text[2 * pair];
	}
	if (mag >= 10)
	{
		tmp[--pos] = kDigitPairs.text[2 * mag + 1];
		tmp[--pos] = kDigitPairs.text[2 * mag];
	}
	else
		tmp[--pos] = static_cast<char>('0' + mag);

	size_t len = 0;
	if (v < 0)
		buf[len++] = '-';
	for (; pos < sizeof(tmp); pos++)
		buf[len++] = tmp[pos];
	return len;
}

inline constexpr char kHexDigits[] = "0123456789abcdef";

/* Writes len bytes as 2 * len lower-case hex digits. */
inline size_t
format_hex(const uint8_t *src, size_t len, char *dst)
{
	for (size_t i = 0; i < len; i++)
	{
		dst[2 * i] = kHexDigits[src[i] >> 4];
		dst[2 * i + 1] = kHexDigits[src[i] & 0xF];
	}
	return 2 * len;
}

inline constexpr size_t kUuidTextLen = 36;

/* Writes 16 bytes as uuid_out does: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. */
inline size_t
format_uuid(const uint8_t *src, char *dst)
{
	size_t len = 0;

	for (int i = 0; i < 16; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			dst[len++] = '-';
		dst[len++] = kHexDigits[src[i] >> 4];
		dst[len++] = kHexDigits[src[i] & 0xF];
	}
	return len;
}

/* Longest text of format_timestamp_iso: "YYYY-MM-DDTHH:MM:SS.ffffff". */
inline constexpr size_t kTimestampIsoMax = 26;

/*
 * Writes a PostgreSQL timestamp (microseconds since 2000-01-01 00:00:00) in
 * the ISO 8601 form EncodeDateTime gives in XSD style: YYYY-MM-DDTHH:MM:SS,
 * then '.' and the microseconds without trailing zeros when there are any.
 * Years 1 to 9999 only (proleptic Gregorian, as PostgreSQL): outside them it
 * writes nothing and returns 0, and the caller takes the general path.
 */
inline size_t
format_timestamp_iso(int64_t t, char *buf)
{
	const int64_t usecs_per_day = INT64_C(86400000000);
	int64_t days = t / usecs_per_day;
	int64_t usec = t % usecs_per_day;

	if (usec < 0)
	{
		usec += usecs_per_day;
		days--;
	}
	/* Days since 1970-01-01 to a civil date (era-based, 400-year cycles). */
	int64_t z = days + 10957 + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
	int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
	int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);

	if (year < 1 || year > 9999)
		return 0;

	int64_t secs = usec / 1000000;
	int frac = static_cast<int>(usec % 1000000);
	int hour = static_cast<int>(secs / 3600);
	int minute = static_cast<int>(secs / 60 % 60);
	int second = static_cast<int>(secs % 60);
	const char *pairs = kDigitPairs.text;
	size_t len = 0;
	auto two = [&](int v) {
		buf[len++] = pairs[2 * v];
		buf[len++] = pairs[2 * v + 1];
	};

	two(static_cast<int>(year / 100));
	two(static_cast<int>(year % 100));
	buf[len++] = '-';
	two(month);
	buf[len++] = '-';
	two(day);
	buf[len++] = 'T';
	two(hour);
	buf[len++] = ':';
	two(minute);
	buf[len++] = ':';
	two(second);
	if (frac != 0)
	{
		int ndigits = 6;

		while (frac % 10 == 0)
		{
			frac /= 10;
			ndigits--;
		}
		buf[len++] = '.';
		for (int i = ndigits - 1; i >= 0; i--)
		{
			buf[len + i] = static_cast<char>('0' + frac % 10);
			frac /= 10;
		}
		len += ndigits;
	}
	return len;
}

/* timestamp_out's ISO text (DateStyle ISO) of local time t: a space where XSD puts 'T'. */
inline size_t
format_timestamp_iso_space(int64_t t, char *buf)
{
	/* Far from the ends of int64, so that adding a zone offset cannot overflow. */
	if (t <= -(INT64_C(1) << 60) || t >= (INT64_C(1) << 60))
		return 0;
	size_t len = format_timestamp_iso(t, buf);

	if (len != 0)
		buf[10] = ' ';
	return len;
}

/* Longest text of format_iso_zone: "+HH:MM:SS". */
inline constexpr size_t kIsoZoneMax = 9;

/*
 * Writes a zone (tz: seconds west of Greenwich) as EncodeTimezone does in
 * ISO style: +HH, +HH:MM or +HH:MM:SS. Returns 0 for 100 hours or more (not
 * a real zone: the caller takes the general path).
 */
inline size_t
format_iso_zone(int tz, char *buf)
{
	const char *pairs = kDigitPairs.text;
	int sec = tz < 0 ? -tz : tz;
	int min = sec / 60;
	int hour;
	size_t len = 0;

	sec -= min * 60;
	hour = min / 60;
	min -= hour * 60;
	buf[len++] = tz <= 0 ? '+' : '-'; /* west of Greenwich is shown as minus */
	if (hour >= 100)
		return 0;
	buf[len++] = pairs[2 * hour];
	buf[len++] = pairs[2 * hour + 1];
	if (sec != 0 || min != 0)
	{
		buf[len++] = ':';
		buf[len++] = pairs[2 * min];
		buf[len++] = pairs[2 * min + 1];
	}
	if (sec != 0)
	{
		buf[len++] = ':';
		buf[len++] = pairs[2 * sec];
		buf[len++] = pairs[2 * sec + 1];
	}
	return len;
}

/*
 * Numeric values as numeric_out writes them, from the parts of PostgreSQL's
 * stored form: sign, weight (of the first base-10000 digit), display scale
 * and the base-10000 digits (int16, read with memcpy: the stored value may
 * be unaligned). format_numeric needs numeric_text_max(weight, dscale)
 * bytes.
 */
inline size_t
numeric_text_max(int weight, int dscale)
{
	size_t int_digits = weight >= 0 ? static_cast<size_t>(weight + 1) * 4 : 1;

	return 1 + int_digits + 1 + static_cast<size_t>(dscale > 0 ? dscale : 0) + 4;
}

inline size_t
format_numeric(bool negative, int weight, int dscale, const char *digit_bytes, int ndigits, char *dst)
{
	char *cp = dst;
	int d;
	auto digit = [&](int i) -> int {
		int16_t v;

		if (i < 0 || i >= ndigits)
			return 0;
		memcpy(&v, digit_bytes + 2 * static_cast<size_t>(i), sizeof(v));
		return v;
	};

	if (dscale < 0)
		dscale = 0;
	if (negative)
		*cp++ = '-';
	if (weight < 0)
	{
		d = weight + 1;
		*cp++ = '0';
	}
	else
	{
		for (d = 0; d <= weight; d++)
		{
			int dig = digit(d);

			if (d == 0)
			{
				/* the first group without leading zeros */
				if (dig >= 1000)
					*cp++ = static_cast<char>('0' + dig / 1000);
				if (dig >= 100)
					*cp++ = static_cast<char>('0' + dig / 100 % 10);
				if (dig >= 10)
					*cp++ = static_cast<char>('0' + dig / 10 % 10);
				*cp++ = static_cast<char>('0' + dig % 10);
			}
			else
			{
				*cp++ = kDigitPairs.text[2 * (dig / 100)];
				*cp++ = kDigitPairs.text[2 * (dig / 100) + 1];
				*cp++ = kDigitPairs.text[2 * (dig % 100)];
				*cp++ = kDigitPairs.text[2 * (dig % 100) + 1];
			}
		}
	}
	if (dscale > 0)
	{
		char *end;

		*cp++ = '.';
		end = cp + dscale;
		for (int i = 0; i < dscale; d++, i += 4)
		{
			int dig = digit(d);

			/* may write up to 3 bytes past end: numeric_text_max leaves room */
			*cp++ = kDigitPairs.text[2 * (dig / 100)];
			*cp++ = kDigitPairs.text[2 * (dig / 100) + 1];
			*cp++ = kDigitPairs.text[2 * (dig % 100)];
			*cp++ = kDigitPairs.text[2 * (dig % 100) + 1];
		}
		cp = end;
	}
	return static_cast<size_t>(cp - dst);
}

} // namespace outflow

#endif
