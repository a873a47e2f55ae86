/*
 * i18n.h — languages, message catalogues and locale formatting.
 *
 * Catalogues are gettext .po files under po/ (po/en.po, later ar.po, zh.po,
 * …), compiled into the binary and parsed once at start by i18n_init().
 * Every user-facing string goes through i18n_gettext(). Dates, times and
 * numbers are formatted by ICU for the language and, for times, in the
 * event's IANA time zone (times are stored in UTC).
 *
 * Ownership: strings returned by i18n_gettext, i18n_dir and i18n_languages
 * live until i18n_shutdown. Formatting functions allocate their result in
 * the arena passed in.
 */
#ifndef HM_I18N_H
#define HM_I18N_H

#include <stdint.h>

#include "core/core.h"

/* Parses every embedded po/LANG.po. HM_EINVAL with a message on stderr naming
 * file and line if a catalogue is malformed. Call once before threads. */
enum hm_err i18n_init(void);
void i18n_shutdown(void);

/* Parses one .po text into a catalogue for lang (used by i18n_init and by
 * the tests). */
enum hm_err i18n_load_po(const char *lang, const char *text, size_t len, char *err, size_t errlen);

/* Translation of msgid in lang; msgid itself when there is none (or an
 * empty msgstr, or lang unknown/NULL). Thread-safe after init. */
const char *i18n_gettext(const char *lang, const char *msgid);

/* Plural form: n selects msgid or msgid_plural per the catalogue's
 * Plural-Forms rule (English rule when absent). */
const char *i18n_ngettext(const char *lang, const char *msgid, const char *msgid_plural,
			  unsigned long n);

/* "rtl" for Arabic, Hebrew, Persian, Urdu; "ltr" otherwise. */
const char *i18n_dir(const char *lang);

/* Best supported language for an Accept-Language header (q-values
 * honoured), or "en". */
const char *i18n_negotiate(const char *accept_language);

/* 1 if a catalogue for exactly lang is loaded (English always is);
 * "ar-EG" is not supported just because "ar" is. */
int i18n_supported(const char *lang);

enum fmt_style {
	FMT_LONG,   /* 12 November 2012 */
	FMT_MEDIUM, /* 12 Nov 2012 */
	FMT_SHORT   /* 12/11/2012 */
};

/* The formatters below write "en" as British English, and a language
 * with no catalogue as English too, so a page never mixes an English
 * sentence with a French date. An explicit "en-US" is honoured. */

/* Calendar date "YYYY-MM-DD" (no time zone involved) in the language:
 * "29 November 2012". NULL if the input is not a valid date (years
 * 1583–9999: earlier, ICU's calendar is Julian). */
const char *fmt_date(struct arena *a, const char *lang, const char *ymd, enum fmt_style st);

/* A range of two calendar dates the way the language writes it:
 * "29–30 November 2012", "30 November – 2 December 2012". NULL if either
 * is invalid or to is before from. */
const char *fmt_date_range(struct arena *a, const char *lang, const char *from_ymd,
			   const char *to_ymd);

/* An instant (seconds since the epoch, UTC) as date and time in the IANA
 * time zone tz, on the language's own clock: FMT_LONG "29 November 2012
 * at 09:30 GMT+8", FMT_MEDIUM "29 Nov 2012, 09:30 GMT+8", FMT_SHORT
 * "29/11/2012, 09:30" (no zone). NULL for an unknown zone. */
const char *fmt_datetime(struct arena *a, const char *lang, const char *tz, int64_t utc,
			 enum fmt_style st);

/* The calendar date of an instant in tz as "YYYY-MM-DD"; NULL for an
 * unknown zone. */
const char *fmt_local_ymd(struct arena *a, const char *tz, int64_t utc);

/* An integer with the language's grouping: 150, 1,500. */
const char *fmt_number(struct arena *a, const char *lang, long long n);

/* 1 if tz names a time zone ICU knows ("Asia/Shanghai"); custom offsets
 * ("GMT+8") are refused: events name a place's zone. */
int tz_valid(const char *tz);

/* "YYYY-MM-DDTHH:MM" read as a wall-clock time in tz: *out is Unix
 * seconds. A time skipped by a daylight-saving change is taken as the
 * first valid time after it, a time that happens twice as the first.
 * HM_EINVAL when malformed (31 February too), before 1970 or tz unknown. */
enum hm_err tz_local_to_utc(const char *local, const char *tz, int64_t *out);

/* The wall-clock time of utc in tz as "YYYY-MM-DDTHH:MM" (for the
 * datetime-local field); NULL for an unknown tz. */
const char *tz_utc_to_local(struct arena *a, const char *tz, int64_t utc);

/* Appends the VTIMEZONE (RFC 5545) of tz to b, for times from from to to
 * (Unix seconds): the observance in force at from (since 1970 for a zone
 * that has not changed since) and each change up to to, as ICU knows
 * them. 0 (nothing appended) for an unknown zone. */
struct buf;
int tz_vtimezone(struct buf *b, const char *tz, int64_t from, int64_t to);

/* Seconds since the epoch for an RFC 3339 timestamp
 * ("2012-11-12T00:00:00Z"; a numeric offset is applied, fractions of a
 * second dropped); -1 if malformed or before 1970. */
int64_t time_parse_rfc3339(const char *s);

/* Formats utc as "2012-11-12T00:00:00Z" into the arena. */
const char *time_format_rfc3339(struct arena *a, int64_t utc);

/* Like i18n_gettext, for the entry with msgctxt ctxt (NULL: none), so one
 * English word can have two translations ("May" the month, "May" the verb). */
const char *i18n_pgettext(const char *lang, const char *ctxt, const char *msgid);

/* The loaded languages, "en" first then by code, NULL-terminated. */
const char *const *i18n_languages(void);

/* Closes the ICU formatters the calling thread has cached (each thread's
 * are also closed when it ends). i18n_shutdown calls it. */
void i18n_thread_cleanup(void);

#endif
