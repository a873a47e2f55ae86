/*
 * ical.h — writing iCalendar (RFC 5545) content lines: CRLF line endings,
 * lines folded at 75 octets (never inside a UTF-8 sequence), TEXT values
 * escaped (backslash, semicolon, comma, newline). What the lines say is
 * the caller's; this only gets their form right.
 */
#ifndef HM_ICAL_H
#define HM_ICAL_H

#include "core/core.h"

/* Appends "NAME:value" CRLF, folded; value as it is (dates, URIs, a
 * property's own syntax). NULL value: nothing is written. */
void ical_prop(struct buf *b, const char *name, const char *value);

/* The same for a TEXT value: "\\", ";", "," and newlines escaped, other
 * control characters (a CR, a tab…) dropped. NULL or "": nothing. */
void ical_text(struct buf *b, const char *name, const char *text);

/* "YYYY-MM-DD" → "YYYYMMDD" in out (9 bytes); 0 when date is not such a
 * date. With next_day, the day after (for an all-day DTEND, exclusive). */
int ical_date(const char *date, int next_day, char out[9]);

/* "YYYY-MM-DDTHH:MM:SSZ" → "YYYYMMDDTHHMMSSZ" in out (17 bytes); 0 when
 * it is not such a time. */
int ical_utc(const char *rfc3339, char out[17]);

#endif
