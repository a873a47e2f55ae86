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

/* Closes the calling thread's transliterator now (other threads close
 * theirs when they end). For orderly shutdown and leak checkers. */
void text_thread_cleanup(void);

#endif
