/*
 * format_extra.c — ICU-backed month/year and country-name formatting, and
 * the lists of countries and time zones forms choose from.
 */
#include "view/format_extra.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <stdlib.h>
#include <unicode/ucal.h>
#include <unicode/ucol.h>
#include <unicode/uenum.h>
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

/* ---------------------------------------------------- lists to choose from */

struct named {
	const char *code, *name;
	UChar key[128];
};

static UCollator *sort_collator;
static int by_name(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	return (int)ucol_strcoll(sort_collator, x->key, -1, y->key, -1);
}

json_t *fmt_country_options(struct arena *a, const char *lang, const char *current)
{
	const char *const *codes = uloc_getISOCountries();
	size_t n = 0, cap = 0;
	while (codes[cap])
		cap++;
	struct named *list = xcalloc(cap ? cap : 1, sizeof(*list));
	for (size_t i = 0; i < cap; i++) {
		const char *name = fmt_country(a, lang, codes[i]);
		/* ICU's list keeps a few codes no longer in use: leave out
		 * those it cannot name. */
		if (!name)
			continue;
		list[n].code = codes[i];
		list[n].name = name;
		u_strFromUTF8(list[n].key, (int32_t)HM_ARRAY_LEN(list[n].key), NULL, name, -1,
			      &(UErrorCode){U_ZERO_ERROR});
		n++;
	}
	UErrorCode st = U_ZERO_ERROR;
	UCollator *c = ucol_open(icu_locale(lang), &st);
	if (U_SUCCESS(st)) {
		/* qsort takes no context: the collator goes through a static,
		 * so one sort at a time. */
		static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
		pthread_mutex_lock(&lock);
		sort_collator = c;
		qsort(list, n, sizeof(*list), by_name);
		sort_collator = NULL;
		pthread_mutex_unlock(&lock);
		ucol_close(c);
	}
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "value", list[i].code,
						     "label", list[i].name, "selected",
						     current && strcmp(current, list[i].code) == 0));
	free(list);
	return out;
}

json_t *fmt_timezone_options(struct arena *a, const char *lang, const char *ymd)
{
	json_t *out = json_array();
	UErrorCode st = U_ZERO_ERROR;
	UEnumeration *e = ucal_openTimeZoneIDEnumeration(UCAL_ZONE_TYPE_CANONICAL_LOCATION, NULL,
							 NULL, &st);
	if (U_FAILURE(st))
		return out;
	const char *id;
	int32_t len;
	/* ICU gives them in its order, which is the ids' own (ASCII). */
	while ((id = uenum_next(e, &len, &st)) && U_SUCCESS(st)) {
		const char *label = fmt_timezone(a, lang, id, ymd);
		json_array_append_new(out, json_pack("{s:s, s:s}", "value", id, "label",
						     label ? label : id));
	}
	uenum_close(e);
	json_array_append_new(out, json_pack("{s:s, s:s}", "value", "UTC", "label", "UTC"));
	return out;
}
