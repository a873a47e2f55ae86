/*
 * tz.c — wall-clock times in a named time zone: "YYYY-MM-DDTHH:MM" as
 * typed into a form and back, through ICU's calendar. Used for a post's
 * publication time, and for anything else that is entered as a local time.
 */
#include "core/text.h"
#include "view/i18n.h"

#include <stdio.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

static UCalendar *calendar(const char *tz)
{
	UChar utz[128];
	UErrorCode st = U_ZERO_ERROR;
	if (!tz || strlen(tz) >= HM_ARRAY_LEN(utz) || !tz_valid(tz))
		return NULL;
	u_uastrcpy(utz, tz);
	UCalendar *cal = ucal_open(utz, -1, "en_US_POSIX", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st)) {
		if (cal)
			ucal_close(cal);
		return NULL;
	}
	return cal;
}

enum hm_err tz_local_to_utc(const char *local, const char *tz, int64_t *out)
{
	int t[5];
	if (!text_datetime_parse(local, t) || t[0] < 1970)
		return HM_EINVAL;
	UCalendar *cal = calendar(tz);
	if (!cal)
		return HM_EINVAL;
	UErrorCode st = U_ZERO_ERROR;
	/* Lenient (the fields are checked above), so that a skipped wall time
	 * moves forward instead of failing. */
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_NEXT_VALID);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	ucal_clear(cal);
	ucal_setDateTime(cal, t[0], t[1] - 1, t[2], t[3], t[4], 0, &st);
	UDate ms = ucal_getMillis(cal, &st);
	ucal_close(cal);
	if (U_FAILURE(st) || ms < 0)
		return HM_EINVAL;
	*out = (int64_t)(ms / 1000);
	return HM_OK;
}

const char *tz_utc_to_local(struct arena *a, const char *tz, int64_t utc)
{
	UCalendar *cal = calendar(tz);
	if (!cal)
		return NULL;
	UErrorCode st = U_ZERO_ERROR;
	ucal_setMillis(cal, (UDate)utc * 1000.0, &st);
	int y = ucal_get(cal, UCAL_YEAR, &st), mo = ucal_get(cal, UCAL_MONTH, &st) + 1,
	    d = ucal_get(cal, UCAL_DATE, &st), h = ucal_get(cal, UCAL_HOUR_OF_DAY, &st),
	    mi = ucal_get(cal, UCAL_MINUTE, &st);
	ucal_close(cal);
	if (U_FAILURE(st))
		return NULL;
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi);
}
