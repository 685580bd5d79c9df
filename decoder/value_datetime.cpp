/*
 * value_datetime.cpp: the native writers of date, timestamp, timestamptz and
 * interval values, equal to what to_jsonb gives under TimeZone 'UTC' and
 * IntervalStyle 'postgres' (the settings are not pushed for these: the
 * writers pass UTC and the style themselves).
 */
#include "value_native_impl.h"

extern "C" {
#include "miscadmin.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"
}

namespace outflow {
namespace native {

/* Years 1 to 9999 by format_timestamp_iso; the rest (BC, infinity, dates) by JsonEncodeDateTime. */
void
append_datetime(StringInfo out, Datum value, Oid typid)
{
	static const int utc = 0;
	char buf[MAXDATELEN + 1];

	/* Timestamps of years 1 to 9999 directly (in UTC for timestamptz). */
	if (typid != DATEOID && !TIMESTAMP_NOT_FINITE(DatumGetInt64(value)))
	{
		size_t len = format_timestamp_iso(DatumGetInt64(value), buf);

		if (len != 0)
		{
			if (typid == TIMESTAMPTZOID)
			{
				memcpy(buf + len, "+00:00", 6); /* buf has room: len is at most 26 */
				len += 6;
			}
			append_quoted_if(out, true, buf, static_cast<int>(len));
			return;
		}
	}

	JsonEncodeDateTime(buf, value, typid, typid == TIMESTAMPTZOID ? &utc : nullptr);
	/* Digits, signs, 'T', ':', '.', " BC" or "infinity": nothing to escape. */
	append_quoted_if(out, true, buf, static_cast<int>(strlen(buf)));
}

/* IntervalStyle postgres, as interval_out writes it (infinite intervals on 17 and later). */
void
append_interval(StringInfo out, Datum value)
{
	char buf[MAXDATELEN + 1];

	compat::encode_interval(DatumGetIntervalP(value), buf);
	/* Digits, signs, letters, ':', '.' and spaces: nothing to escape. */
	append_quoted_if(out, true, buf, static_cast<int>(strlen(buf)));
}

} // namespace native
} // namespace outflow
