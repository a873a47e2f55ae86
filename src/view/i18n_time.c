/*
 * i18n_time.c — calendar arithmetic that needs no locale: parsing and
 * checking "YYYY-MM-DD" dates, and RFC 3339 timestamps to and from seconds
 * since the epoch (how times are stored: in UTC).
 */
#include "view/i18n.h"
#include "view/i18n_impl.h"

#include "core/text.h"

#include <string.h>

int ymd_parse(const char *s, int *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || !text_ymd(s, y, m, d))
		return 0;
	/* ICU's calendar turns Julian before 15 October 1582. */
	return *y >= 1583;
}

/* The well-known era-based day count (400-year cycles of 146097 days),
 * shifted so that years start in March and leap days fall at the end. */
int64_t days_from_civil(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int64_t time_parse_rfc3339(const char *s)
{
	int y, mo, d, h, mi, sec;
	if (!s || strlen(s) < 20 || !text_ymd(s, &y, &mo, &d))
		return -1;
	if ((s[10] != 'T' && s[10] != 't') || !text_digits(s + 11, 2, &h) || s[13] != ':' ||
	    !text_digits(s + 14, 2, &mi) || s[16] != ':' || !text_digits(s + 17, 2, &sec))
		return -1;
	/* Leap seconds (":60") are refused: nothing we store needs them. */
	if (y < 1970 || h > 23 || mi > 59 || sec > 59)
		return -1;
	const char *p = s + 19;
	if (*p == '.') { /* fractions of a second are dropped */
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	int64_t offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!text_digits(p + 1, 2, &oh) || p[3] != ':' || !text_digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		offset = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	return t < 0 ? -1 : t;
}

const char *time_format_rfc3339(struct arena *a, int64_t utc)
{
	int64_t days = utc / 86400, rem = utc % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	return arena_printf(a, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
			    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}
