/*
 * search.h — the site's search over what the public may see: published
 * events (and cancelled ones), published and due news posts, organisations
 * and published series. Two parts: the reading of what a visitor typed
 * into terms (search_query_parse, a pure function: query.c, fuzzed by
 * tests/fuzz/fuzz_search_query.c), and the store's read (search.c), which
 * says the one difference of dialect — SQLite's FTS5, PostgreSQL's
 * tsvector — once, inside itself.
 *
 * What a visitor types is never handed to a query language: it is cut into
 * terms (runs of letters, digits and combining marks; everything else
 * separates), and each term becomes a quoted prefix term the store writes
 * itself, so no input is a syntax error and none has operators.
 */
#ifndef HM_SEARCH_H
#define HM_SEARCH_H

#include <jansson.h>
#include <stddef.h>

struct db;
struct arena;

#define SEARCH_MAX_BYTES 200 /* what a visitor may type */
#define SEARCH_MAX_TERMS 8   /* terms past these are not searched for */
#define SEARCH_TERM_BYTES 64 /* a longer term is cut, at a character */

struct search_query {
	int nterms;
	char terms[SEARCH_MAX_TERMS][SEARCH_TERM_BYTES + 1];
	int dropped; /* terms past SEARCH_MAX_TERMS, not searched for */
};

enum search_parse {
	SEARCH_OK,
	SEARCH_EMPTY,    /* nothing typed, or only spaces */
	SEARCH_NO_WORDS, /* only punctuation or symbols */
	SEARCH_TOO_LONG  /* more than SEARCH_MAX_BYTES */
};

/* Cuts q (UTF-8, NUL-terminated; NULL is empty) into terms. Never fails
 * otherwise; invalid UTF-8 separates terms. */
enum search_parse search_query_parse(const char *q, struct search_query *out);

/* The query as each backend's match expression, in the arena:
 * FTS5: "t1"* "t2"*  (every term, as a prefix);
 * tsquery: 't1':* & 't2':*. The terms hold only letters, digits and marks,
 * so neither needs more quoting. */
const char *search_query_fts5(const struct search_query *q, struct arena *a);
const char *search_query_tsquery(const struct search_query *q, struct arena *a);

/* The kinds of results, and their names in URLs and JSON. */
enum search_kind { SEARCH_EVENT, SEARCH_POST, SEARCH_ORG, SEARCH_SERIES, SEARCH_KIND__MAX };
extern const char *const search_kind_names[SEARCH_KIND__MAX]; /* "event", "post"… */

/* One page of results for q, best first, of one kind (kind < 0: all):
 * {"results": [{kind, key, ymd, title, snippet}…], "counts": {kind: n…},
 * "total": n}; key is the slug, ymd a post's date; snippet is text from
 * the body with each match between \x02 and \x03. now: the time that
 * decides which posts are due. NULL when a read failed. */
json_t *search_run(struct db *db, const struct search_query *q, const char *now, int kind,
		   int page, int per_page, struct arena *a);

#endif
