/*
 * pages.c — the public pages: home, series, events, news, categories, the
 * Atom feed, organisations, and the embedded assets. Each handler checks
 * its parameters, asks the domain for one model (read in one transaction,
 * so a page never mixes two states of the data) and names its template.
 */
#include "core/embedded.h"
#include "db/db.h"
#include "features/events/events.h"
#include "http/server.h"
#include "features/news/news.h"
#include "view/i18n.h"
#include "site/web.h"

#include <stdlib.h>
#include <string.h>

#define NEWS_PER_PAGE 10
#define FEED_ENTRIES 20



static int all_digits(const char *s, size_t n)
{
	if (!s || strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static enum hm_err page_home(struct http_req *req, struct http_res *res)
{
	json_t *m = json_object();
	WEB_READ_TXN(req, {
		json_t *featured = news_featured(req->db, web_now(req), 3);
		json_t *latest = news_list(req->db, web_now(req), NULL, 1, 5);
		json_t *up = event_list(req->db, 1, web_today(req), 10);
		json_t *past = event_list(req->db, 0, web_today(req), 10);
		web_decorate_posts(req, featured);
		if (latest)
			web_decorate_posts(req, json_object_get(latest, "posts"));
		web_decorate_events(req, up);
		web_decorate_events(req, past);
		json_object_set_new(m, "featured", featured);
		if (latest)
			json_object_set(m, "latest", json_object_get(latest, "posts"));
		else
			json_object_set_new(m, "latest", json_array());
		json_decref(latest);
		json_object_set_new(m, "upcoming", up);
		json_object_set_new(m, "past", past);
		json_object_set_new(m, "series", series_list(req->db));
	});
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(m, "series"), i, s)
		json_object_set_new(s, "url", json_sprintf("/series/%s",
							   json_string_value(json_object_get(s, "slug"))));
	res->cacheable = 1;
	http_res_page(res, m, "pages/home", web_t(req, "Home"));
	return HM_OK;
}

static enum hm_err page_events(struct http_req *req, struct http_res *res)
{
	json_t *m = json_object();
	WEB_READ_TXN(req, {
		json_t *up = event_list(req->db, 1, web_today(req), 100);
		json_t *past = event_list(req->db, 0, web_today(req), 100);
		web_decorate_events(req, up);
		web_decorate_events(req, past);
		json_object_set_new(m, "upcoming", up);
		json_object_set_new(m, "past", past);
	});
	res->cacheable = 1;
	http_res_page(res, m, "pages/events", web_t(req, "Events"));
	return HM_OK;
}

static enum hm_err page_series(struct http_req *req, struct http_res *res)
{
	json_t *s = NULL;
	WEB_READ_TXN(req, { s = series_get(req->db, http_param(req, "slug")); });
	if (!s)
		return http_fail(res, HM_ENOTFOUND, "There is no such series.");
	web_decorate_events(req, json_object_get(s, "events"));
	/* regions[].events share the event objects, decorated above. */
	json_object_set_new(s, "url", json_sprintf("/series/%s", http_param(req, "slug")));
	res->cacheable = 1;
	http_res_page(res, s, "pages/series", json_string_value(json_object_get(s, "title")));
	return HM_OK;
}

static enum hm_err page_event(struct http_req *req, struct http_res *res)
{
	json_t *ev = NULL;
	WEB_READ_TXN(req, {
		ev = event_get(req->db, http_param(req, "slug"));
		if (ev) {
			json_t *news = news_for_event(
				req->db, web_now(req),
				json_integer_value(json_object_get(ev, "id")), 10);
			web_decorate_posts(req, news);
			json_object_set_new(ev, "news", news);
		}
	});
	if (!ev)
		return http_fail(res, HM_ENOTFOUND, "There is no such event.");
	web_decorate_event(req, ev);
	res->cacheable = 1;
	http_res_page(res, ev, "pages/event", json_string_value(json_object_get(ev, "title")));
	return HM_OK;
}

static enum hm_err news_page(struct http_req *req, struct http_res *res, const char *category)
{
	int page = web_page_param(req);
	json_t *m = NULL, *cat = NULL;
	if (!page)
		return http_fail(res, HM_EINVAL, "The page number must be a whole number from 1.");
	WEB_READ_TXN(req, {
		if (category)
			cat = category_get(req->db, category);
		if (!category || cat)
			m = news_list(req->db, web_now(req), category, page, NEWS_PER_PAGE);
		if (m)
			json_object_set_new(m, "categories", category_list(req->db, web_now(req)));
	});
	if (category && !cat)
		return http_fail(res, HM_ENOTFOUND, "There is no such category.");
	if (!m) {
		json_decref(cat);
		return HM_EDB;
	}
	json_int_t pages = json_integer_value(json_object_get(m, "pages"));
	if (page > pages) {
		json_decref(m);
		json_decref(cat);
		return http_fail(res, HM_ENOTFOUND, "There is no such page of news.");
	}
	web_decorate_posts(req, json_object_get(m, "posts"));
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(m, "categories"), i, c) {
		json_object_set_new(c, "url", json_sprintf("/news/category/%s",
							   json_string_value(json_object_get(c, "slug"))));
		json_object_set_new(c, "is_current",
				    json_boolean(category && str_eq(category, json_string_value(
										  json_object_get(c, "slug")))));
	}
	const char *base = category ? arena_printf(&req->pool, "/news/category/%s", category)
				    : "/news";
	if (page > 1)
		json_object_set_new(m, "prev_url",
				    page == 2 ? json_string(base) : json_sprintf("%s?page=%d", base, page - 1));
	if (page < pages)
		json_object_set_new(m, "next_url", json_sprintf("%s?page=%d", base, page + 1));
	const char *title = web_t(req, "News");
	if (cat) {
		title = arena_strdup(&req->pool, json_string_value(json_object_get(cat, "name")));
		json_object_set_new(m, "category", cat);
	}
	res->cacheable = 1;
	http_res_page(res, m, "pages/news", title);
	return HM_OK;
}

static enum hm_err page_news(struct http_req *req, struct http_res *res)
{
	return news_page(req, res, NULL);
}

static enum hm_err page_category(struct http_req *req, struct http_res *res)
{
	return news_page(req, res, http_param(req, "slug"));
}

static enum hm_err page_post(struct http_req *req, struct http_res *res)
{
	const char *y = http_param(req, "yyyy"), *mo = http_param(req, "mm"),
		   *d = http_param(req, "dd");
	if (!all_digits(y, 4) || !all_digits(mo, 2) || !all_digits(d, 2))
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	const char *ymd = arena_printf(&req->pool, "%s-%s-%s", y, mo, d);
	json_t *p = NULL;
	WEB_READ_TXN(req, { p = news_get(req->db, web_now(req), ymd, http_param(req, "slug")); });
	if (!p)
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	web_decorate_post(req, p, 1);
	res->cacheable = 1;
	http_res_page(res, p, "pages/post", json_string_value(json_object_get(p, "title")));
	return HM_OK;
}

static enum hm_err page_feed(struct http_req *req, struct http_res *res)
{
	json_t *m = NULL;
	WEB_READ_TXN(req, {
		m = news_list(req->db, web_now(req), NULL, 1, FEED_ENTRIES);
		if (m) {
			json_t *full = json_array();
			size_t i;
			json_t *p;
			json_array_foreach(json_object_get(m, "posts"), i, p) {
				json_t *fp = news_get(req->db, web_now(req),
						      json_string_value(json_object_get(p, "ymd")),
						      json_string_value(json_object_get(p, "slug")));
				if (fp)
					json_array_append_new(full, fp);
			}
			json_object_set_new(m, "posts", full);
			json_object_set_new(m, "site", site_settings(req->db));
		}
	});
	if (!m)
		return HM_EDB;
	json_t *posts = json_object_get(m, "posts");
	size_t i;
	json_t *p;
	const char *updated = NULL;
	json_array_foreach(posts, i, p) {
		web_decorate_post(req, p, 1);
		const char *u = json_string_value(json_object_get(p, "updated_at"));
		const char *pub = json_string_value(json_object_get(p, "published_at"));
		/* An entry is updated no earlier than it is published. */
		const char *eff = (u && pub && strcmp(u, pub) > 0) ? u : pub;
		json_object_set_new(p, "entry_updated", json_string(eff ? eff : ""));
		if (eff && (!updated || strcmp(eff, updated) > 0))
			updated = arena_strdup(&req->pool, eff);
	}
	const char *base = server_base_url(req->srv);
	json_object_set_new(m, "base_url", json_string(base));
	json_object_set_new(m, "feed_url", json_sprintf("%s/news.atom", base));
	json_object_set_new(m, "updated",
			    json_string(updated ? updated : "1970-01-01T00:00:00Z"));
	if (req->want_json) {
		http_res_page(res, m, NULL, NULL);
		res->cacheable = 1;
		return HM_OK;
	}
	enum hm_err e = web_render_plain(req, "news.atom", m, &res->body);
	json_decref(m);
	if (e != HM_OK)
		return e;
	res->content_type = "application/atom+xml; charset=utf-8";
	res->cacheable = 1;
	return HM_OK;
}

static enum hm_err page_org(struct http_req *req, struct http_res *res)
{
	json_t *o = NULL;
	WEB_READ_TXN(req, { o = org_get(req->db, http_param(req, "slug")); });
	if (!o)
		return http_fail(res, HM_ENOTFOUND, "There is no such organisation.");
	web_decorate_org(req, o);
	web_decorate_events(req, json_object_get(o, "events"));
	res->cacheable = 1;
	http_res_page(res, o, "pages/organisation", json_string_value(json_object_get(o, "name")));
	return HM_OK;
}

static const struct {
	const char *ext, *type;
} asset_types[] = {
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".txt", "text/plain; charset=utf-8"},
	{".woff2", "font/woff2"},
};

static enum hm_err page_asset(struct http_req *req, struct http_res *res)
{
	const char *name = http_param(req, "name");
	if (strstr(name, ".."))
		return http_fail(res, HM_ENOTFOUND, "There is no such file.");
	const struct embedded_file *f =
		embedded_find(arena_printf(&req->pool, "assets/%s", name));
	if (!f)
		return http_fail(res, HM_ENOTFOUND, "There is no such file.");
	res->content_type = "application/octet-stream";
	for (size_t i = 0; i < HM_ARRAY_LEN(asset_types); i++)
		if (str_ends_with(name, asset_types[i].ext))
			res->content_type = asset_types[i].type;
	buf_append(&res->body, f->data, f->len);
	res->cacheable = 1;
	/* Pages link assets with ?v=<content hash>, so such a URL never changes. */
	if (http_query(req, "v"))
		http_res_header(res, "Cache-Control", "public, max-age=31536000, immutable");
	return HM_OK;
}

static enum hm_err page_robots(struct http_req *req, struct http_res *res)
{
	(void)req;
	buf_puts(&res->body, "User-agent: *\nDisallow: /admin\n");
	res->content_type = "text/plain; charset=utf-8";
	res->cacheable = 1;
	return HM_OK;
}

static enum hm_err page_trailing_slash(struct http_req *req, struct http_res *res)
{
	/* "/news/" → "/news": one URL per page. */
	size_t n = strlen(req->path);
	char *to = arena_strndup(&req->pool, req->path, n ? n - 1 : 0);
	res->status = 308;
	res->location = to;
	return HM_OK;
}

#define GET HTTP_M(HTTP_GET)

const struct route public_routes[] = {
	{GET, "/", page_home},
	{GET, "/events", page_events},
	{GET, "/events/{slug}", page_event},
	{GET, "/series/{slug}", page_series},
	{GET, "/news", page_news},
	{GET, "/news.atom", page_feed},
	{GET, "/news/category/{slug}", page_category},
	{GET, "/news/{yyyy}/{mm}/{dd}/{slug}", page_post},
	{GET, "/organisations/{slug}", page_org},
	{GET, "/assets/{name}", page_asset},
	{GET, "/robots.txt", page_robots},
	{GET, "/news/", page_trailing_slash},
	{GET, "/events/", page_trailing_slash},
};
const size_t public_nroutes = HM_ARRAY_LEN(public_routes);
