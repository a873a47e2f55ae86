/*
 * format_extra.h — locale formatting that the pages need beyond i18n.h:
 * a month and year ("May 2007") for events whose exact dates are unknown,
 * and country names from ISO 3166 codes in the reader's language.
 */
#ifndef HM_FORMAT_EXTRA_H
#define HM_FORMAT_EXTRA_H

#include <jansson.h>

#include "core/core.h"

/* "May 2007" for "2007-05-…" in lang; NULL if ymd is malformed. */
const char *fmt_month_year(struct arena *a, const char *lang, const char *ymd);

/* "China" for "CN" in lang; NULL for an unknown code. */
const char *fmt_country(struct arena *a, const char *lang, const char *code);

/* The name of a language in itself, capitalised as the first word of a
 * list item is ("English", "Français", "العربية", "中文"); code itself
 * when ICU does not know it. */
const char *fmt_language(struct arena *a, const char *code);

/* The name of an IANA time zone in lang on a given date, with its offset:
 * "China Standard Time (GMT+08:00)". NULL for an unknown zone. */
const char *fmt_timezone(struct arena *a, const char *lang, const char *tz, const char *ymd);

/* The countries as options of a <select>: [{value: "CN", label: "China",
 * selected}…] named in lang and sorted as lang sorts them (ICU's
 * collation), the codes ICU knows today; selected is set on current's.
 * Caller owns it. */
json_t *fmt_country_options(struct arena *a, const char *lang, const char *current);

/* The IANA zones of places ("Asia/Shanghai"), sorted by name, each with its
 * name in lang on that date: [{value, label}…] for a <datalist>. Caller
 * owns it. */
json_t *fmt_timezone_options(struct arena *a, const char *lang, const char *ymd);

#endif
