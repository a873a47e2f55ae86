/*
 * fuzz_search_query.c — libFuzzer target for search_query_parse and the
 * two match expressions made from its terms. The contract held: no input
 * is refused but empty, word-less or too long ones; every term is
 * non-empty, at most SEARCH_TERM_BYTES, valid UTF-8, and holds no byte
 * the query languages would read as syntax (quotes, backslash, '*', ':',
 * '&', '|', '!', '(', ')', '-', '^', '+', spaces, controls); the FTS5
 * expression is exactly "t"* per term and the tsquery 't':* per term.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "features/search/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
		if (!n)
			return 0;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q = malloc(size + 1);
	memcpy(q, data, size);
	q[size] = '\0';
	struct search_query sq;
	enum search_parse r = search_query_parse(q, &sq);
	if (strlen(q) > SEARCH_MAX_BYTES && r != SEARCH_TOO_LONG)
		__builtin_trap();
	if ((r == SEARCH_OK) != (sq.nterms > 0) || sq.nterms > SEARCH_MAX_TERMS)
		__builtin_trap();
	size_t want_fts = 0, want_ts = 0;
	for (int i = 0; i < sq.nterms; i++) {
		const char *t = sq.terms[i];
		size_t n = strlen(t);
		if (n == 0 || n > SEARCH_TERM_BYTES || !utf8_ok(t))
			__builtin_trap();
		for (size_t j = 0; j < n; j++) {
			unsigned char c = (unsigned char)t[j];
			if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
				__builtin_trap();
		}
		want_fts += n + 3 + (i ? 1 : 0);
		want_ts += n + 4 + (i ? 3 : 0);
	}
	struct arena a;
	arena_init(&a);
	const char *fts = search_query_fts5(&sq, &a), *ts = search_query_tsquery(&sq, &a);
	if (strlen(fts) != want_fts || strlen(ts) != want_ts)
		__builtin_trap();
	arena_free(&a);
	free(q);
	return 0;
}
