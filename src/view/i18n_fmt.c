/*
 * i18n_fmt.c — dates, date ranges, times and numbers written the way each
 * language writes them, by ICU. Opening an ICU formatter costs tens of
 * microseconds to milliseconds and formatters may not be shared between
 * threads, so each thread keeps the ones it opened, keyed by (kind,
 * locale, zone, style), and closes them when it ends.
 */
#include "view/i18n.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/udateintervalformat.h>
#include <unicode/udatpg.h>
#include <unicode/unum.h>
#include <unicode/ustring.h>

#include "view/i18n_impl.h"

#define LOC_MAX 40
#define TZ_MAX 64
#define FMT_CACHE_N 32

/* ---------------------------------------------------------------- locale */

/* The ICU locale for a page language. English is British-style for this
 * audience ("29 November 2012"). A language we have no catalogue for is
 * written in English too, so a page never mixes an English sentence with
 * a French date. */
static void fmt_locale(const char *lang, char out[LOC_MAX])
{
	char primary[LOC_MAX];
	if (!lang_normalize(lang, out, LOC_MAX) || strcmp(out, "en") == 0)
		goto english;
	if (strncmp(out, "en_", 3) == 0) /* an English the visitor named */
		return;
	strcpy(primary, out);
	char *us = strchr(primary, '_');
	if (us)
		*us = '\0';
	if (i18n_supported(out) || i18n_supported(primary))
		return; /* "fr_CH" keeps its Swiss conventions */
english:
	strcpy(out, "en_GB");
}

/* ----------------------------------------------------------------- cache */

enum fmt_kind { FK_DATE, FK_DATETIME, FK_RANGE, FK_NUMBER, FK_CAL };

struct fmt_entry {
	unsigned char kind, style;
	char loc[LOC_MAX];
	char tz[TZ_MAX];
	void *obj;
};

struct fmt_cache {
	struct fmt_entry e[FMT_CACHE_N];
	unsigned n, evict;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void fmt_obj_close(struct fmt_entry *e)
{
	switch (e->kind) {
	case FK_DATE:
	case FK_DATETIME:
		udat_close(e->obj);
		break;
	case FK_RANGE:
		udtitvfmt_close(e->obj);
		break;
	case FK_NUMBER:
		unum_close(e->obj);
		break;
	case FK_CAL:
		ucal_close(e->obj);
		break;
	}
	e->obj = NULL;
}

static void cache_destroy(void *p)
{
	struct fmt_cache *c = p;
	for (unsigned i = 0; i < c->n; i++)
		fmt_obj_close(&c->e[i]);
	free(c);
}

static void cache_key_make(void)
{
	if (pthread_key_create(&cache_key, cache_destroy) != 0)
		abort();
}

void i18n_thread_cleanup(void)
{
	pthread_once(&cache_once, cache_key_make);
	struct fmt_cache *c = pthread_getspecific(cache_key);
	if (c) {
		cache_destroy(c);
		pthread_setspecific(cache_key, NULL);
	}
}

/* tz as UTF-16 (time zone IDs are ASCII). */
static int tz_utf16(const char *tz, UChar out[TZ_MAX])
{
	size_t n = tz ? strlen(tz) : 0;
	if (n == 0 || n >= TZ_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)tz[i] <= 0x20 || (unsigned char)tz[i] >= 0x7f)
			return 0;
		out[i] = (UChar)tz[i];
	}
	out[n] = 0;
	return 1;
}

int tz_valid(const char *tz)
{
	UChar id[TZ_MAX], canon[TZ_MAX];
	UBool system = 0;
	UErrorCode ec = U_ZERO_ERROR;
	if (!tz_utf16(tz, id) || strcmp(tz, "Etc/Unknown") == 0)
		return 0;
	ucal_getCanonicalTimeZoneID(id, -1, canon, TZ_MAX, &system, &ec);
	return U_SUCCESS(ec) && system;
}

static const UChar *const dt_skeleton[] = {
	[FMT_LONG] = u"yMMMMdjmmz", /* j: the language's own 12 or 24 hour clock */
	[FMT_MEDIUM] = u"yMMMdjmmz",
	[FMT_SHORT] = u"yMdjmm",
};

static void *fmt_open(enum fmt_kind kind, int style, const char *loc, const UChar *tz)
{
	UErrorCode ec = U_ZERO_ERROR;
	void *obj = NULL;
	switch (kind) {
	case FK_DATE: {
		static const UDateFormatStyle ds[] = {
			[FMT_LONG] = UDAT_LONG, [FMT_MEDIUM] = UDAT_MEDIUM, [FMT_SHORT] = UDAT_SHORT};
		obj = udat_open(UDAT_NONE, ds[style], loc, tz, -1, NULL, 0, &ec);
		break;
	}
	case FK_DATETIME: {
		UDateTimePatternGenerator *g = udatpg_open(loc, &ec);
		UChar pat[128];
		int32_t n = udatpg_getBestPattern(g, dt_skeleton[style], -1, pat, 128, &ec);
		udatpg_close(g);
		if (U_SUCCESS(ec))
			obj = udat_open(UDAT_PATTERN, UDAT_PATTERN, loc, tz, -1, pat, n, &ec);
		break;
	}
	case FK_RANGE:
		obj = udtitvfmt_open(loc, u"yMMMMd", -1, tz, -1, &ec);
		break;
	case FK_NUMBER:
		obj = unum_open(UNUM_DECIMAL, NULL, 0, loc, NULL, &ec);
		break;
	case FK_CAL:
		obj = ucal_open(tz, -1, "en_GB", UCAL_GREGORIAN, &ec);
		break;
	}
	if (U_FAILURE(ec)) {
		log_error("opening an ICU formatter for %s: %s", loc, u_errorName(ec));
		if (obj) {
			struct fmt_entry e = {.kind = (unsigned char)kind, .obj = obj};
			fmt_obj_close(&e);
		}
		return NULL;
	}
	return obj;
}

/* The calling thread's formatter for (kind, style, loc, tz), opened on
 * first use; NULL if tz is not a known zone or ICU fails. */
static void *fmt_get(enum fmt_kind kind, int style, const char *loc, const char *tz)
{
	pthread_once(&cache_once, cache_key_make);
	struct fmt_cache *c = pthread_getspecific(cache_key);
	if (!c) {
		c = xcalloc(1, sizeof(*c));
		pthread_setspecific(cache_key, c);
	}
	for (unsigned i = 0; i < c->n; i++) {
		struct fmt_entry *e = &c->e[i];
		if (e->kind == kind && e->style == style && strcmp(e->loc, loc) == 0 &&
		    strcmp(e->tz, tz) == 0)
			return e->obj;
	}
	UChar tz16[TZ_MAX];
	if (!tz_valid(tz) || !tz_utf16(tz, tz16))
		return NULL; /* ICU would silently use GMT */
	void *obj = fmt_open(kind, style, loc, tz16);
	if (!obj)
		return NULL;
	struct fmt_entry *e;
	if (c->n < FMT_CACHE_N) {
		e = &c->e[c->n++];
	} else { /* full: replace entries in turn */
		e = &c->e[c->evict];
		c->evict = (c->evict + 1) % FMT_CACHE_N;
		fmt_obj_close(e);
	}
	e->kind = (unsigned char)kind;
	e->style = (unsigned char)style;
	strcpy(e->loc, loc);
	strcpy(e->tz, tz);
	e->obj = obj;
	return obj;
}

/* ------------------------------------------------------------ formatting */

struct fmt_call {
	enum fmt_kind kind;
	void *obj;
	UDate from, to;
	int64_t num;
};

static int32_t fmt_call_run(const struct fmt_call *f, UChar *out, int32_t cap, UErrorCode *ec)
{
	switch (f->kind) {
	case FK_RANGE:
		return udtitvfmt_format(f->obj, f->from, f->to, out, cap, NULL, ec);
	case FK_NUMBER:
		return unum_formatInt64(f->obj, f->num, out, cap, NULL, ec);
	default:
		return udat_format(f->obj, f->from, out, cap, NULL, ec);
	}
}

/* Runs one ICU format call into a UTF-16 buffer, growing it once if ICU
 * says it is short, and returns the result as UTF-8 in the arena. */
static const char *fmt_run(struct arena *a, const struct fmt_call *f)
{
	UChar stack[128], *out = stack;
	UErrorCode ec = U_ZERO_ERROR;
	int32_t n = fmt_call_run(f, out, 128, &ec);
	if (ec == U_BUFFER_OVERFLOW_ERROR) {
		out = xmalloc(((size_t)n + 1) * sizeof(UChar));
		ec = U_ZERO_ERROR;
		n = fmt_call_run(f, out, n + 1, &ec);
	}
	const char *res = NULL;
	if (U_SUCCESS(ec)) {
		int32_t n8 = 0;
		UErrorCode ec8 = U_ZERO_ERROR;
		u_strToUTF8(NULL, 0, &n8, out, n, &ec8);
		char *s = arena_alloc(a, (size_t)n8 + 1);
		ec8 = U_ZERO_ERROR;
		u_strToUTF8(s, n8 + 1, NULL, out, n, &ec8);
		if (U_SUCCESS(ec8))
			res = s;
	} else {
		log_error("formatting: %s", u_errorName(ec));
	}
	if (out != stack)
		free(out);
	return res;
}

/* Noon UTC of a calendar day: formatted in UTC it is that day whatever
 * happens to the server's own zone. */
static int ymd_noon(const char *ymd, UDate *out)
{
	int y, m, d;
	if (!ymd_parse(ymd, &y, &m, &d))
		return 0;
	*out = ((double)days_from_civil(y, m, d) * 86400.0 + 43200.0) * 1000.0;
	return 1;
}

static int style_ok(enum fmt_style st)
{
	return st == FMT_LONG || st == FMT_MEDIUM || st == FMT_SHORT;
}

const char *fmt_date(struct arena *a, const char *lang, const char *ymd, enum fmt_style st)
{
	char loc[LOC_MAX];
	struct fmt_call f = {.kind = FK_DATE};
	if (!style_ok(st) || !ymd_noon(ymd, &f.from))
		return NULL;
	fmt_locale(lang, loc);
	if (!(f.obj = fmt_get(FK_DATE, st, loc, "UTC")))
		return NULL;
	return fmt_run(a, &f);
}

const char *fmt_date_range(struct arena *a, const char *lang, const char *from_ymd,
			   const char *to_ymd)
{
	char loc[LOC_MAX];
	struct fmt_call f = {.kind = FK_RANGE};
	if (!ymd_noon(from_ymd, &f.from) || !ymd_noon(to_ymd, &f.to) || f.to < f.from)
		return NULL;
	fmt_locale(lang, loc);
	if (!(f.obj = fmt_get(FK_RANGE, 0, loc, "UTC")))
		return NULL;
	return fmt_run(a, &f);
}

const char *fmt_datetime(struct arena *a, const char *lang, const char *tz, int64_t utc,
			 enum fmt_style st)
{
	char loc[LOC_MAX];
	struct fmt_call f = {.kind = FK_DATETIME, .from = (double)utc * 1000.0};
	if (!style_ok(st))
		return NULL;
	fmt_locale(lang, loc);
	if (!(f.obj = fmt_get(FK_DATETIME, st, loc, tz ? tz : "")))
		return NULL;
	return fmt_run(a, &f);
}

const char *fmt_local_ymd(struct arena *a, const char *tz, int64_t utc)
{
	UCalendar *cal = fmt_get(FK_CAL, 0, "", tz ? tz : "");
	if (!cal)
		return NULL;
	UErrorCode ec = U_ZERO_ERROR;
	ucal_setMillis(cal, (double)utc * 1000.0, &ec);
	int32_t y = ucal_get(cal, UCAL_EXTENDED_YEAR, &ec);
	int32_t m = ucal_get(cal, UCAL_MONTH, &ec) + 1;
	int32_t d = ucal_get(cal, UCAL_DATE, &ec);
	if (U_FAILURE(ec))
		return NULL;
	return arena_printf(a, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

const char *fmt_number(struct arena *a, const char *lang, long long n)
{
	char loc[LOC_MAX];
	struct fmt_call f = {.kind = FK_NUMBER, .num = n};
	fmt_locale(lang, loc);
	if (!(f.obj = fmt_get(FK_NUMBER, 0, loc, "UTC")))
		return NULL;
	return fmt_run(a, &f);
}
