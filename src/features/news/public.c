/*
 * public.c — the public pages of news: the list (all, or one category's),
 * a post, the Atom feed, and what news adds to the home page and to an
 * event's page.
 */
#include "features/news/news_web.h"

#include "db/db.h"
#include "features/news/news.h"
#include "features/news/news_admin.h"
#include "site/kind.h"
#include "http/server.h"
#include "site/old_address.h"
#include "site/site.h"
#include "view/template.h"

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

static enum hm_err news_page(struct http_req *req, struct http_res *res, const char *category)
{
	int page = web_page_param(req);
	json_t *m = NULL, *cat = NULL;
	if (!page)
		return http_fail(res, HM_EINVAL, "The page number must be a whole number from 1.");
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	if (category)
		cat = category_get(req->db, category);
	if (!category || cat)
		m = news_list(req->db, web_now(req), category, page, NEWS_PER_PAGE);
	if (m)
		json_object_set_new(m, "categories", category_list(req->db, web_now(req)));
	db_rollback(req->db);
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
	news_decorate_list(req, json_object_get(m, "posts"));
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
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	p = news_get(req->db, web_now(req), ymd, http_param(req, "slug"));
	json_t *to = p ? NULL
		       : news_moved(req->db, web_now(req),
				    arena_printf(&req->pool, "%s/%s/%s/%s", y, mo, d,
						 http_param(req, "slug")));
	db_rollback(req->db);
	web_own(req, to);
	if (to) {
		const char *tymd = web_str(to, "ymd");
		return web_moved(req, res,
				 arena_printf(&req->pool, "/news/%.4s/%.2s/%.2s/%s", tymd, tymd + 5,
					      tymd + 8, web_str(to, "slug")));
	}
	if (!p)
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	news_decorate(req, p, 1);
	web_set_str(p, "edit_url",
		    kind_edit_url(req, &post_kind,
				  arena_printf(&req->pool, "%lld",
					       (long long)json_integer_value(json_object_get(p, "id")))));
	res->cacheable = 1;
	http_res_page(res, p, "pages/post", json_string_value(json_object_get(p, "title")));
	return HM_OK;
}

/* A feed entry's image: the media type of an upload by its name, and the
 * entry's content with the image (and its alt text) before the body, as
 * feed readers show it; "image_href" and "image_type" for its
 * rel="enclosure" link. */
static const char *image_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {{".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".png", "image/png"},
		     {".webp", "image/webp"}, {".gif", "image/gif"}};
	for (size_t i = 0; name && i < HM_ARRAY_LEN(types); i++)
		if (str_ends_with(name, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static void feed_entry_image(struct http_req *req, json_t *p)
{
	const char *img = web_str(p, "image_url");
	if (!img) {
		web_set_str(p, "image_href", NULL);
		json_object_set(p, "content_html", json_object_get(p, "body_html"));
		return;
	}
	const char *href = arena_printf(&req->pool, "%s%s", server_base_url(req->srv), img);
	const char *alt = web_str(p, "image_alt"), *credit = web_str(p, "image_credit");
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "<figure><img src=\"");
	html_escape(&b, href, strlen(href));
	buf_puts(&b, "\" alt=\"");
	if (alt)
		html_escape(&b, alt, strlen(alt));
	buf_puts(&b, "\">");
	if (credit && *credit) {
		const char *photo = web_t(req, "Photo");
		buf_puts(&b, "<figcaption>");
		html_escape(&b, photo, strlen(photo));
		buf_putc(&b, ' ');
		html_escape(&b, credit, strlen(credit));
		buf_puts(&b, "</figcaption>");
	}
	buf_puts(&b, "</figure>\n");
	const char *body = web_str(p, "body_html");
	if (body)
		buf_puts(&b, body);
	buf_putc(&b, '\0');
	json_object_set_new(p, "content_html", json_string(b.data));
	buf_free(&b);
	web_set_str(p, "image_href", href);
	web_set_str(p, "image_type", image_type(web_str(p, "image")));
}

static enum hm_err page_feed(struct http_req *req, struct http_res *res)
{
	json_t *m = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	m = news_list(req->db, web_now(req), NULL, 1, FEED_ENTRIES);
	if (m) {
		json_t *full = json_array();
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(m, "posts"), i, p) {
			json_t *fp = news_get(req->db, web_now(req),
					      json_string_value(json_object_get(p, "ymd")),
					      json_string_value(json_object_get(p, "slug")));
			if (!fp)
				continue;
			/* An entry keeps its id when its address changes: the
			 * first address it had. */
			json_object_set_new(fp, "first_address",
					    news_first_address(req->db,
							       json_integer_value(json_object_get(fp, "id"))));
			json_array_append_new(full, fp);
		}
		json_object_set_new(m, "posts", full);
		json_object_set_new(m, "site", site_settings(req->db));
	}
	db_rollback(req->db);
	if (!m)
		return HM_EDB;
	json_t *posts = json_object_get(m, "posts");
	size_t i;
	json_t *p;
	const char *updated = NULL;
	json_array_foreach(posts, i, p) {
		news_decorate(req, p, 1);
		feed_entry_image(req, p);
		const char *first = web_str(p, "first_address");
		if (first)
			json_object_set_new(p, "entry_id", json_sprintf("%s/news/%s",
									server_base_url(req->srv),
									first));
		else
			json_object_set(p, "entry_id", json_object_get(p, "permalink"));
		json_object_del(p, "first_address");
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
	json_object_set_new(m, "lang", json_string(req->lang ? req->lang : "en"));
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

/* An event's page: its public news. */
enum hm_err news_event_page(struct http_req *req, json_t *ev)
{
	json_t *news = news_for_event(req->db, web_now(req),
				      json_integer_value(json_object_get(ev, "id")), 10);
	news_decorate_list(req, news);
	json_object_set_new(ev, "news", news);
	return HM_OK;
}

/* The home page's news: the featured posts and the latest. */
enum hm_err news_home(struct http_req *req, json_t *m)
{
	json_t *featured = news_featured(req->db, web_now(req), 3);
	json_t *latest = news_list(req->db, web_now(req), NULL, 1, 5);
	news_decorate_list(req, featured);
	json_object_set_new(m, "featured", featured);
	if (!latest) {
		json_object_set_new(m, "latest", json_array());
		return HM_OK;
	}
	news_decorate_list(req, json_object_get(latest, "posts"));
	json_object_set(m, "latest", json_object_get(latest, "posts"));
	json_decref(latest);
	return HM_OK;
}

const struct route news_public_routes[] = {
	{GET, "/news", page_news},
	{GET, "/news.atom", page_feed},
	{GET, "/news/category/{slug}", page_category},
	{GET, "/news/{yyyy}/{mm}/{dd}/{slug}", page_post},
	WEB_ROUTES_END,
};
