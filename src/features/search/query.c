/*
 * query.c — what a visitor typed, cut into search terms (search.h). Pure:
 * no database, no allocation but the arena's; tests/fuzz/fuzz_search_query.c
 * holds it to its contract.
 */
#include "features/search/search.h"
#include "core/core.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

/* A character that belongs to a word: a letter, a digit or a combining
 * mark (what SQLite's unicode61 tokenizer and PostgreSQL's parser keep in
 * a token), never ASCII punctuation. */
static int word_char(UChar32 c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	return u_isalnum(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK);
}

enum search_parse search_query_parse(const char *q, struct search_query *out)
{
	memset(out, 0, sizeof(*out));
	if (!q)
		return SEARCH_EMPTY;
	size_t len = strlen(q);
	if (len > SEARCH_MAX_BYTES)
		return SEARCH_TOO_LONG;
	int any = 0; /* anything but spaces */
	int32_t i = 0, n32 = (int32_t)len; /* ICU's macros index with int32_t */
	while (i < n32) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT((const uint8_t *)q, i, n32, c);
		if (c >= 0 && u_isUWhiteSpace(c))
			continue;
		any = 1;
		if (c < 0 || !word_char(c))
			continue;
		/* A term: this character and the word characters after it. */
		int32_t end = i;
		while (end < n32) {
			int32_t j = end;
			UChar32 d;
			U8_NEXT((const uint8_t *)q, j, n32, d);
			if (d < 0 || !word_char(d))
				break;
			end = j;
		}
		i = end;
		if (out->nterms == SEARCH_MAX_TERMS) {
			out->dropped++;
			continue;
		}
		size_t n = (size_t)(end - start);
		if (n > SEARCH_TERM_BYTES) {
			n = SEARCH_TERM_BYTES;
			while (n > 0 && ((unsigned char)q[start + n] & 0xC0) == 0x80)
				n--; /* not inside a character */
		}
		memcpy(out->terms[out->nterms], q + start, n);
		out->terms[out->nterms][n] = '\0';
		out->nterms++;
	}
	if (out->nterms)
		return SEARCH_OK;
	return any ? SEARCH_NO_WORDS : SEARCH_EMPTY;
}

const char *search_query_fts5(const struct search_query *q, struct arena *a)
{
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < q->nterms; i++)
		buf_printf(&b, "%s\"%s\"*", i ? " " : "", q->terms[i]);
	buf_putc(&b, '\0');
	char *s = arena_strdup(a, b.data);
	buf_free(&b);
	return s;
}

const char *search_query_tsquery(const struct search_query *q, struct arena *a)
{
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < q->nterms; i++)
		buf_printf(&b, "%s'%s':*", i ? " & " : "", q->terms[i]);
	buf_putc(&b, '\0');
	char *s = arena_strdup(a, b.data);
	buf_free(&b);
	return s;
}
