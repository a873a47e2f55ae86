/*
 * public.c — the search page, /search?q=…[&type=…][&page=…], and its JSON
 * twin (the same address with Accept: application/json). Results are best
 * first, ten a page, with how many of each kind; each has its address and
 * a snippet whose matches are marked as parts ({text, match}), so the
 * template escapes every byte of it and emits <mark> itself: no stored
 * text is ever trusted as HTML. What a visitor types is only ever cut into
 * terms (search.h): an empty, too long or word-less search answers the
 * page with a sentence saying so, never an error of the store.
 */
#include "features/search/search.h"

#include "core/core.h"
#include "db/db.h"
#include "site/feature.h"
#include "site/web.h"

#include <string.h>

#define SEARCH_PER_PAGE 10

/* The kinds as the page offers them: ?type= value, search.h kind, label. */
static const struct {
	const char *param;
	int kind;
	const char *label; /* msgid */
} kinds[] = {
	{"events", SEARCH_EVENT, N_("Events")},
	{"news", SEARCH_POST, N_("News")},
	{"organisations", SEARCH_ORG, N_("Organisations")},
	{"series", SEARCH_SERIES, N_("Series")},
};

static const char *const kind_labels[SEARCH_KIND__MAX] = {
	[SEARCH_EVENT] = N_("Event"),
	[SEARCH_POST] = N_("News"),
	[SEARCH_ORG] = N_("Organisation"),
	[SEARCH_SERIES] = N_("Series"),
};

/* snippet (matches between \x02 and \x03) as [{text, match}…]: the
 * Markdown marks that would only be noise (*, #, `, |) dropped and runs
 * of white space made one space; "snippet" becomes the plain text. */
static json_t *snippet_parts(json_t *r)
{
	const char *s = web_str(r, "snippet");
	json_t *parts = json_array();
	struct buf text, plain;
	buf_init(&text);
	buf_init(&plain);
	int match = 0, space = 0;
	for (const char *p = s ? s : "";; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == 0x02 || c == 0x03 || c == '\0') {
			if (text.len) {
				buf_putc(&text, '\0');
				json_array_append_new(parts, json_pack("{s:s, s:b}", "text", text.data,
									  "match", match));
				buf_reset(&text);
			}
			if (c == '\0')
				break;
			match = c == 0x02;
			continue;
		}
		if (c == '*' || c == '#' || c == '`' || c == '|')
			continue;
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c < 0x20) {
			if (space || (!plain.len && !text.len))
				continue;
			space = 1;
			c = ' ';
		} else {
			space = 0;
		}
		buf_putc(&text, (char)c);
		buf_putc(&plain, (char)c);
	}
	buf_putc(&plain, '\0');
	json_object_set_new(r, "snippet", json_string(plain.data));
	buf_free(&text);
	buf_free(&plain);
	return parts;
}

/* The address of this search with another page or kind. */
static json_t *search_url(struct http_req *req, const char *q, const char *type, int page)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "/search?q=");
	url_encode(&b, q);
	if (type)
		buf_printf(&b, "&type=%s", type);
	if (page > 1)
		buf_printf(&b, "&page=%d", page);
	buf_putc(&b, '\0');
	json_t *u = json_string(b.data);
	buf_free(&b);
	(void)req;
	return u;
}

static enum hm_err page_search(struct http_req *req, struct http_res *res)
{
	const char *q = http_query(req, "q");
	const char *type = http_query(req, "type");
	int page = web_page_param(req);
	int kind = -1;
	json_t *m = json_pack("{s:s, s:n, s:[], s:i, s:n}", "query", q ? q : "", "type", "results",
			      "total", 0, "notice");
	if (type && *type) {
		for (size_t i = 0; i < HM_ARRAY_LEN(kinds); i++)
			if (strcmp(type, kinds[i].param) == 0)
				kind = kinds[i].kind;
		if (kind < 0) {
			json_decref(m);
			return http_fail(res, HM_EINVAL, "There is no such kind of result.");
		}
		json_object_set_new(m, "type", json_string(type));
	}
	if (!page) {
		json_decref(m);
		return http_fail(res, HM_EINVAL, "The page number must be a whole number from 1.");
	}
	struct search_query sq;
	enum search_parse pr = search_query_parse(q, &sq);
	const char *notice = NULL;
	switch (pr) {
	case SEARCH_EMPTY:
		notice = N_("Type a word or two to search for events, news and organisations.");
		break;
	case SEARCH_NO_WORDS:
		notice = N_("Search for words or numbers: punctuation and symbols alone find nothing.");
		res->status = 400;
		break;
	case SEARCH_TOO_LONG:
		notice = N_("That search is too long: use at most 200 characters.");
		res->status = 400;
		break;
	case SEARCH_OK:
		break;
	}
	res->cacheable = 1;
	if (notice) {
		json_object_set_new(m, "notice", json_string(web_t(req, notice)));
		http_res_page(res, m, "pages/search", web_t(req, "Search"));
		return HM_OK;
	}
	json_t *found = NULL;
	if (web_read_begin(req) != HM_OK) {
		json_decref(m);
		return HM_EDB;
	}
	found = search_run(req->db, &sq, web_now(req), kind, page, SEARCH_PER_PAGE, &req->pool);
	db_rollback(req->db);
	if (!found) {
		json_decref(m);
		return HM_EDB;
	}
	json_object_update(m, found);
	json_decref(found);
	json_int_t total = json_integer_value(json_object_get(m, "total"));
	json_int_t pages = total ? (total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE : 1;
	if (page > pages) {
		json_decref(m);
		return http_fail(res, HM_ENOTFOUND, "There is no such page of results.");
	}
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(m, "results"), i, r) {
		const char *k = web_str(r, "kind"), *key = web_str(r, "key");
		const char *url = NULL, *ymd = web_str(r, "ymd");
		for (int j = 0; j < SEARCH_KIND__MAX; j++)
			if (str_eq(k, search_kind_names[j]))
				web_set_str(r, "kind_label", web_t(req, kind_labels[j]));
		if (str_eq(k, "event"))
			url = arena_printf(&req->pool, "/events/%s", key);
		else if (str_eq(k, "post") && ymd && strlen(ymd) == 10)
			url = arena_printf(&req->pool, "/news/%.4s/%.2s/%.2s/%s", ymd, ymd + 5,
					   ymd + 8, key);
		else if (str_eq(k, "organisation"))
			url = arena_printf(&req->pool, "/organisations/%s", key);
		else if (str_eq(k, "series"))
			url = arena_printf(&req->pool, "/series/%s", key);
		web_set_str(r, "url", url);
		json_object_set_new(r, "snippet_parts", snippet_parts(r));
	}
	/* The kinds, with their counts, as links that narrow the search. */
	json_t *tabs = json_array(), *counts = json_object_get(m, "counts");
	json_int_t all = 0;
	for (size_t j = 0; j < HM_ARRAY_LEN(kinds); j++)
		all += json_integer_value(json_object_get(counts, search_kind_names[kinds[j].kind]));
	json_array_append_new(tabs, json_pack("{s:s, s:o, s:I, s:b}", "label", web_t(req, "All"),
					      "url", search_url(req, q, NULL, 1), "count", all,
					      "current", kind < 0));
	for (size_t j = 0; j < HM_ARRAY_LEN(kinds); j++) {
		json_int_t n = json_integer_value(
			json_object_get(counts, search_kind_names[kinds[j].kind]));
		if (!n && kind != kinds[j].kind)
			continue;
		json_array_append_new(tabs, json_pack("{s:s, s:o, s:I, s:b}", "label",
						      web_t(req, kinds[j].label), "url",
						      search_url(req, q, kinds[j].param, 1), "count",
						      n, "current", kind == kinds[j].kind));
	}
	json_object_set_new(m, "tabs", tabs);
	json_object_set_new(m, "page", json_integer(page));
	json_object_set_new(m, "start", json_integer((json_int_t)(page - 1) * SEARCH_PER_PAGE + 1));
	json_object_set_new(m, "pages", json_integer(pages));
	const char *tp = kind < 0 ? NULL : type;
	if (page > 1)
		json_object_set_new(m, "prev_url", search_url(req, q, tp, page - 1));
	if (page < pages)
		json_object_set_new(m, "next_url", search_url(req, q, tp, page + 1));
	json_object_set_new(m, "summary",
			    json_string(arena_printf(&req->pool,
						     web_nt(req, "%lld result", "%lld results",
							    (unsigned long)total),
						     (long long)total)));
	if (sq.dropped)
		json_object_set_new(m, "notice",
				    json_string(arena_printf(
					    &req->pool,
					    web_t(req, "Only the first %d words were searched for."),
					    SEARCH_MAX_TERMS)));
	http_res_page(res, m, "pages/search",
		      arena_printf(&req->pool, "%s: %s", web_t(req, "Search"), q));
	return HM_OK;
}

const struct route search_routes[] = {
	{GET, "/search", page_search},
	WEB_ROUTES_END,
};
