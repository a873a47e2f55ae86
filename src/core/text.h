/*
 * text.h — UTF-8 text helpers: validation, URL slugs made from titles in
 * any script (transliterated to Latin by ICU), and cutting summaries at a
 * character and word boundary.
 *
 * Ownership: results are allocated in the arena passed in. Thread-safe:
 * each thread keeps its own transliterator, closed when the thread ends.
 */
#ifndef HM_TEXT_H
#define HM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define SLUG_MAX 80

/* 1 if s[0..len) is well-formed UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF, no sequence cut short. NUL bytes are allowed
 * (they are valid UTF-8); callers that must refuse them check len. */
int utf8_valid(const char *s, size_t len);

/* Number of code points in the NUL-terminated s; a byte that does not
 * start a valid sequence counts as one. */
size_t utf8_chars(const char *s);

/* A URL slug for a title: lowercase ASCII letters, digits and single
 * hyphens, at most SLUG_MAX characters, no hyphen at either end.
 * "Café Über" gives "cafe-uber"; Chinese or Arabic titles give their Latin
 * transliteration. Returns "item" when nothing usable is left. Never NULL. */
char *slugify(struct arena *a, const char *text);

/* 1 if s is a slug as slugify makes them: 1–SLUG_MAX characters of
 * [a-z0-9-], no hyphen at either end and no two in a row. */
int slug_valid(const char *s);

/* s itself (copied) if it has at most max_chars code points; otherwise a
 * prefix ending at a word boundary when there is one in its second half
 * (else at a character boundary, never inside a combining sequence),
 * followed by "…", the whole at most max_chars code points. */
char *text_truncate(struct arena *a, const char *s, size_t max_chars);

/* Numbers and dates typed by people or sent by programs, read strictly:
 * ASCII digits where digits belong and nothing else (strtoll and sscanf
 * would also take spaces, line breaks and signs). */

/* Exactly n digits at s: 1 and *out when so. */
int text_digits(const char *s, int n, int *out);

/* YYYY-MM-DD at s (nothing required after it) naming a real day, any
 * year: 1 and y, m, d when so. */
int text_ymd(const char *s, int *y, int *m, int *d);

/* s as a whole number: an optional minus and 1–18 digits. 1 and *out
 * when so, else 0. */
int text_int_parse(const char *s, int64_t *out);

/* 1 if s is YYYY-MM-DD naming a real day, years 1900–9999. */
int text_date_valid(const char *s);

/* s as YYYY-MM-DDTHH:MM (a real day, 00:00–23:59): 1 and t = {year,
 * month, day, hour, minute} when so, else 0. */
int text_datetime_parse(const char *s, int t[5]);

/* An HTTP quality value (RFC 9110: "0", "0.8", "1.000") in s[0..len) as
 * thousandths (0–1000), or -1 when malformed. For Accept and
 * Accept-Language alike. */
int text_qvalue_parse(const char *s, size_t len);

/* Closes the calling thread's transliterator now (other threads close
 * theirs when they end). For orderly shutdown and leak checkers. */
void text_thread_cleanup(void);

#endif
