/*
 * format_extra.c — ICU-backed month/year and country-name formatting.
 */
#include "view/format_extra.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unicode/ucal.h>
#include <unicode/uchar.h>
#include <unicode/udat.h>
#include <unicode/udatpg.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

static const char *icu_locale(const char *lang)
{
	/* British English for an international audience, as elsewhere. */
	return (!lang || strcmp(lang, "en") == 0) ? "en_GB" : lang;
}

static const char *utf16_to_arena(struct arena *a, const UChar *s, int32_t len)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0;
	u_strToUTF8(NULL, 0, &n, s, len, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return NULL;
	char *out = arena_alloc(a, (size_t)n + 1);
	st = U_ZERO_ERROR;
	u_strToUTF8(out, n + 1, NULL, s, len, &st);
	return U_FAILURE(st) ? NULL : out;
}

const char *fmt_month_year(struct arena *a, const char *lang, const char *ymd)
{
	int y, m;
	if (!ymd || strlen(ymd) < 7 || sscanf(ymd, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12)
		return NULL;
	const char *loc = icu_locale(lang);
	UErrorCode st = U_ZERO_ERROR;
	UChar skel[8], pattern[64], out[128];
	u_uastrcpy(skel, "yMMMM");
	UDateTimePatternGenerator *g = udatpg_open(loc, &st);
	int32_t plen = udatpg_getBestPattern(g, skel, -1, pattern, 64, &st);
	udatpg_close(g);
	if (U_FAILURE(st))
		return NULL;
	UChar utc[4];
	u_uastrcpy(utc, "UTC");
	UDateFormat *df = udat_open(UDAT_PATTERN, UDAT_PATTERN, loc, utc, -1, pattern, plen, &st);
	if (U_FAILURE(st))
		return NULL;
	/* The 15th at noon UTC: never shifted into a neighbouring month. */
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = 15, .tm_hour = 12};
	UDate when = (UDate)timegm(&tm) * 1000.0;
	int32_t n = udat_format(df, when, out, 128, NULL, &st);
	udat_close(df);
	return U_FAILURE(st) ? NULL : utf16_to_arena(a, out, n);
}

const char *fmt_country(struct arena *a, const char *lang, const char *code)
{
	if (!code || strlen(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' ||
	    code[1] > 'Z')
		return NULL;
	char tag[8];
	snprintf(tag, sizeof(tag), "und_%s", code);
	UChar out[128];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = uloc_getDisplayCountry(tag, icu_locale(lang), out, 128, &st);
	if (U_FAILURE(st) || st == U_USING_DEFAULT_WARNING || n == 0)
		return NULL;
	const char *s = utf16_to_arena(a, out, n);
	/* ICU echoes unknown codes back unchanged. */
	return (s && strcmp(s, code) != 0) ? s : NULL;
}

const char *fmt_language(struct arena *a, const char *code)
{
	UChar u[128];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = uloc_getDisplayName(code, code, u, (int32_t)HM_ARRAY_LEN(u), &st);
	if (U_FAILURE(st) || n <= 0)
		return code;
	/* ICU writes "français", "русский": a name on its own starts with a
	 * capital, in the scripts that have them. */
	UChar32 c;
	int32_t i = 0;
	U16_NEXT(u, i, n, c);
	UChar32 t = u_totitle(c);
	if (t != c && U16_LENGTH(t) == i) {
		int32_t j = 0;
		U16_APPEND_UNSAFE(u, j, t);
	}
	return utf16_to_arena(a, u, n);
}

const char *fmt_timezone(struct arena *a, const char *lang, const char *tz, const char *ymd)
{
	int y = 2000, m = 1, d = 1;
	if (!tz || strlen(tz) > 64)
		return NULL;
	if (ymd)
		sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d);
	UChar zone[80], pattern[16], out[160];
	UErrorCode st = U_ZERO_ERROR;
	u_uastrcpy(zone, tz);
	/* ICU falls back to GMT for unknown zones; refuse those instead. */
	UChar canon[80];
	UBool is_system = 0;
	ucal_getCanonicalTimeZoneID(zone, -1, canon, 80, &is_system, &st);
	if (U_FAILURE(st) || !is_system)
		return NULL;
	u_uastrcpy(pattern, "zzzz '('ZZZZ')'");
	UDateFormat *df = udat_open(UDAT_PATTERN, UDAT_PATTERN, icu_locale(lang), zone, -1, pattern,
				    -1, &st);
	if (U_FAILURE(st))
		return NULL;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
	int32_t n = udat_format(df, (UDate)timegm(&tm) * 1000.0, out, 160, NULL, &st);
	udat_close(df);
	return U_FAILURE(st) ? NULL : utf16_to_arena(a, out, n);
}
