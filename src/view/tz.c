/*
 * tz.c — wall-clock times in a named time zone: "YYYY-MM-DDTHH:MM" as
 * typed into a form and back, through ICU's calendar. Used for a post's
 * publication time, and for anything else that is entered as a local time.
 */
#include "core/text.h"
#include "view/i18n.h"
#include "view/ical.h"

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

/* ------------------------------------------------------------ VTIMEZONE */

/* The zone's offset (raw + daylight, in seconds) and whether daylight
 * saving is on, at ms; -1 on failure. */
static int offset_at(UCalendar *cal, UDate ms, int32_t *off)
{
	UErrorCode st = U_ZERO_ERROR;
	ucal_setMillis(cal, ms, &st);
	int32_t raw = ucal_get(cal, UCAL_ZONE_OFFSET, &st);
	int32_t dst = ucal_get(cal, UCAL_DST_OFFSET, &st);
	if (U_FAILURE(st))
		return -1;
	*off = (raw + dst) / 1000;
	return dst != 0;
}

static void ical_offset(char out[8], int32_t off)
{
	int32_t m = off < 0 ? -off / 60 : off / 60;
	snprintf(out, 8, "%c%02d%02d", off < 0 ? '-' : '+', (int)(m / 60) % 100, (int)(m % 60));
}

/* One observance: the change at utc (seconds) from offset from to to. */
static void observance(struct buf *b, int daylight, int64_t utc, int32_t from, int32_t to)
{
	char dt[40], f[8], t[8];
	int64_t local = utc + from; /* DTSTART is the wall clock before the change */
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	int64_t secs = local - days * 86400;
	struct arena a;
	arena_init(&a);
	const char *ymd = time_format_rfc3339(&a, days * 86400);
	snprintf(dt, sizeof(dt), "%.4s%.2s%.2sT%02d%02d%02d", ymd, ymd + 5, ymd + 8,
		 (int)(secs / 3600) % 24, (int)(secs / 60 % 60), (int)(secs % 60));
	arena_free(&a);
	ical_offset(f, from);
	ical_offset(t, to);
	buf_puts(b, daylight ? "BEGIN:DAYLIGHT\r\n" : "BEGIN:STANDARD\r\n");
	ical_prop(b, "DTSTART", dt);
	ical_prop(b, "TZOFFSETFROM", f);
	ical_prop(b, "TZOFFSETTO", t);
	buf_puts(b, daylight ? "END:DAYLIGHT\r\n" : "END:STANDARD\r\n");
}

int tz_vtimezone(struct buf *b, const char *tz, int64_t from, int64_t to)
{
	UCalendar *cal = calendar(tz);
	if (!cal)
		return 0;
	UErrorCode st = U_ZERO_ERROR;
	UDate start = (UDate)from * 1000.0, t;
	int32_t before, after;
	buf_puts(b, "BEGIN:VTIMEZONE\r\n");
	ical_prop(b, "TZID", tz);
	/* The observance in force at from: from its last change, or since
	 * 1970 for a zone that has not changed since. */
	ucal_setMillis(cal, start, &st);
	int n = 0;
	if (ucal_getTimeZoneTransitionDate(cal, UCAL_TZ_TRANSITION_PREVIOUS_INCLUSIVE, &t, &st) &&
	    U_SUCCESS(st) && offset_at(cal, t - 1, &before) >= 0) {
		int dl = offset_at(cal, t, &after);
		observance(b, dl > 0, (int64_t)(t / 1000), before, after);
		n++;
	}
	st = U_ZERO_ERROR;
	UDate at = start;
	for (int guard = 0; guard < 64; guard++) {
		ucal_setMillis(cal, at, &st);
		if (!ucal_getTimeZoneTransitionDate(cal, UCAL_TZ_TRANSITION_NEXT, &t, &st) ||
		    U_FAILURE(st) || t > (UDate)to * 1000.0)
			break;
		if (offset_at(cal, t - 1, &before) < 0)
			break;
		int dl = offset_at(cal, t, &after);
		observance(b, dl > 0, (int64_t)(t / 1000), before, after);
		n++;
		at = t;
	}
	if (!n) {
		int32_t off;
		int dl = offset_at(cal, start, &off);
		observance(b, dl > 0, -off, off, off); /* 1970-01-01T00:00 local */
	}
	buf_puts(b, "END:VTIMEZONE\r\n");
	ucal_close(cal);
	return 1;
}
