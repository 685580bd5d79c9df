/*
 * value_datetime.cpp: the rendering core's writers of date, timestamp,
 * timestamptz and interval values. Native: what to_jsonb gives under
 * TimeZone 'UTC' and IntervalStyle 'postgres' (the settings are not pushed
 * for these: the writers pass UTC and the style themselves). wal2json:
 * timestamp_out's and timestamptz_out's text under the consumer's settings,
 * directly where they allow it (pg_text.cpp), else the output function.
 */
#include "value_impl.h"

extern "C" {
#include "miscadmin.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"
}

namespace outflow {
namespace render {

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

/* Written directly under DateStyle ISO (and a fixed-offset TimeZone), else by the output function. */
void
append_timestamp_output(StringInfo out, const TypeRenderer *r, Datum value, bool with_zone)
{
	char buf[kTimestampIsoMax + kIsoZoneMax];
	size_t len = with_zone ? format_timestamptz_datestyle(DatumGetTimestampTz(value), buf)
						   : format_timestamp_datestyle(DatumGetTimestamp(value), buf);

	if (len != 0)
		append_quoted_if(out, true, buf, static_cast<int>(len)); /* digits, -+:. and a space only */
	else
		append_output(out, r, value);
}

} // namespace render
} // namespace outflow
