/*
 * render.c — from model to answer. Compiles the embedded templates once,
 * adds the per-language display fields to models, and renders a handler's
 * result as a page in the site layout, as JSON, or as an error page.
 */
#include "core/text.h"
#include "auth/auth.h"
#include "core/embedded.h"
#include "db/db.h"
#include "features/events/events.h"
#include "http/server.h"
#include "view/format_extra.h"
#include "view/i18n.h"
#include "view/markdown.h"
#include "media/media.h"
#include "view/template.h"
#include "site/web.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static struct tpl_set *templates;

struct asset_version {
	const char *name;
	char url[128];
};
static struct asset_version assets[32];
static size_t nassets;

/* A template's name is its path below templates/, whether the site's own
 * (templates/layout.mustache) or a feature's
 * (src/features/news/templates/pages/post.mustache is "pages/post"); NULL
 * for a file that is not a template. */
static const char *template_path(const char *path)
{
	if (str_starts_with(path, "templates/"))
		return path + strlen("templates/");
	if (!str_starts_with(path, "src/features/"))
		return NULL;
	const char *t = strstr(path, "/templates/");
	return t ? t + strlen("/templates/") : NULL;
}

enum hm_err web_init(void)
{
	enum hm_err e = i18n_init();
	if (e != HM_OK)
		return e;
	templates = tpl_set_new();
	tpl_set_translator(templates, i18n_gettext);
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		const char *tpath = template_path(f->path);
		if (tpath && str_ends_with(tpath, ".mustache")) {
			char name[256], err[512];
			size_t n = strlen(tpath) - strlen(".mustache");
			if (n >= sizeof(name))
				continue;
			memcpy(name, tpath, n);
			name[n] = '\0';
			if (tpl_set_add(templates, name, f->data, f->len, err, sizeof(err)) != HM_OK) {
				fprintf(stderr, "harmony: template %s\n", err);
				return HM_EINVAL;
			}
		} else if (str_starts_with(f->path, "assets/") && nassets < HM_ARRAY_LEN(assets)) {
			struct asset_version *a = &assets[nassets++];
			a->name = f->path + strlen("assets/");
			snprintf(a->url, sizeof(a->url), "/assets/%s?v=%010llx", a->name,
				 (unsigned long long)(hash_fnv1a64(f->data, f->len, HASH_FNV64_INIT) &
						      0xffffffffffull));
		}
	}
	return HM_OK;
}

void web_shutdown(void)
{
	tpl_set_free(templates);
	templates = NULL;
	i18n_shutdown();
}

const char *web_asset_url(const char *name)
{
	for (size_t i = 0; i < nassets; i++)
		if (strcmp(assets[i].name, name) == 0)
			return assets[i].url;
	return "/assets/missing";
}

int web_page_param(struct http_req *req)
{
	const char *s = http_query(req, "page");
	if (!s)
		return 1;
	int64_t v;
	if (!text_int_parse(s, &v) || v < 1 || v > 1000000)
		return 0;
	return (int)v;
}

const char *web_t(struct http_req *req, const char *msgid)
{
	return i18n_gettext(req->lang, msgid);
}

const char *web_now(struct http_req *req)
{
	time_t now = time(NULL);
	now -= now % 60;
	return time_format_rfc3339(&req->pool, (int64_t)now);
}

const char *web_today(struct http_req *req)
{
	return arena_strndup(&req->pool, web_now(req), 10);
}

/* ---------------------------------------------------------- decoration */

static const char *sval(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Sets key to v, or to null when v is NULL: a present null keeps a
 * template's lookup from falling through to an outer object's field of the
 * same name (an organisation without a country must not show the event's). */
static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, v ? json_string(v) : json_null());
}

/* Labels for stored enum values, as msgids (translated when shown). */
static const struct {
	const char *key, *label, *plural;
} labels[] = {
	{"government", "Government", "Governments"},
	{"academia", "Academia", "Academia"},
	{"business", "Business", "Corporations"},
	{"ngo", "NGO", "NGOs"},
	{"cultural", "Cultural organisation", "Cultural organisations"},
	{"international", "International organisation", "International organisations"},
	{"media", "Media", "Media"},
	{"other", "Other", "Others"},
	{"convener", "Convener", "Conveners"},
	{"co-organiser", "Co-organiser", "Co-organisers"},
	{"partner", "Partner", "Partners"},
	{"sponsor", "Sponsor", "Sponsors"},
	{"consultation", "Consultation", "Consultations"},
	{"symposium", "Symposium", "Symposia"},
	{"cancelled", "Cancelled", "Cancelled"},
};

static const char *label_for(struct http_req *req, const char *key, int plural)
{
	for (size_t i = 0; key && i < HM_ARRAY_LEN(labels); i++)
		if (strcmp(labels[i].key, key) == 0)
			return web_t(req, plural ? labels[i].plural : labels[i].label);
	return key;
}

void web_decorate_org(struct http_req *req, json_t *org)
{
	const char *slug = sval(org, "slug");
	if (slug)
		json_object_set_new(org, "url", json_sprintf("/organisations/%s", slug));
	set_str(org, "kind_label", label_for(req, sval(org, "kind"), 0));
	set_str(org, "country_name", fmt_country(&req->pool, req->lang, sval(org, "country")));
	set_str(org, "role_label", label_for(req, sval(org, "role"), 0));
	const char *logo = sval(org, "logo");
	if (logo) {
		char thumb[MEDIA_NAME_SIZE];
		media_thumb_name(logo, thumb);
		set_str(org, "logo_url", arena_printf(&req->pool, "/media/%s", logo));
		set_str(org, "logo_thumb_url",
			thumb[0] ? arena_printf(&req->pool, "/media/%s", thumb) : NULL);
	} else {
		set_str(org, "logo_url", NULL);
		set_str(org, "logo_thumb_url", NULL);
	}
	/* Only web addresses become links: a stored "javascript:" never does. */
	const char *w = sval(org, "website");
	set_str(org, "website_href",
		(w && (str_starts_with(w, "https://") || str_starts_with(w, "http://"))) ? w : NULL);
}

void web_decorate_event(struct http_req *req, json_t *ev)
{
	const char *slug = sval(ev, "slug");
	const char *from = sval(ev, "starts_on"), *to = sval(ev, "ends_on");
	const char *dates = NULL;

	if (slug)
		json_object_set_new(ev, "url", json_sprintf("/events/%s", slug));
	if (sval(ev, "series_slug"))
		json_object_set_new(ev, "series_url",
				    json_sprintf("/series/%s", sval(ev, "series_slug")));
	if (str_eq(sval(ev, "date_precision"), "month"))
		dates = fmt_month_year(&req->pool, req->lang, from);
	else if (from && to && strcmp(from, to) != 0)
		dates = fmt_date_range(&req->pool, req->lang, from, to);
	else if (from)
		dates = fmt_date(&req->pool, req->lang, from, FMT_LONG);
	set_str(ev, "dates", dates);
	set_str(ev, "country_name", fmt_country(&req->pool, req->lang, sval(ev, "country")));
	set_str(ev, "timezone_name", fmt_timezone(&req->pool, req->lang, sval(ev, "timezone"), from));
	set_str(ev, "kind_label", label_for(req, sval(ev, "kind"), 0));
	json_object_set_new(ev, "is_cancelled", json_boolean(str_eq(sval(ev, "status"), "cancelled")));
	const char *desc = sval(ev, "description_md");
	if (desc && *desc) {
		char *html = markdown_to_html(desc, strlen(desc));
		json_object_set_new(ev, "description_html", json_string(html));
		free(html);
	} else if (json_object_get(ev, "description_md")) {
		json_object_set_new(ev, "description_html", json_null());
	}
	if (json_is_integer(json_object_get(ev, "capacity")))
		set_str(ev, "capacity_display",
			fmt_number(&req->pool, req->lang,
				   json_integer_value(json_object_get(ev, "capacity"))));
	set_str(ev, "role_label", label_for(req, sval(ev, "role"), 0));

	json_t *sectors = json_object_get(ev, "sectors");
	if (json_is_array(sectors)) {
		json_t *list = json_array();
		size_t i;
		json_t *s;
		json_array_foreach(sectors, i, s) {
			json_array_append_new(list,
					      json_pack("{s:s, s:s}", "key", json_string_value(s),
							"label", label_for(req, json_string_value(s), 1)));
		}
		json_object_set_new(ev, "sector_list", list);
	}

	/* Organisations grouped by role, in the order roles are listed. */
	json_t *orgs = json_object_get(ev, "organisations");
	if (json_is_array(orgs)) {
		static const char *roles[] = {"convener", "co-organiser", "partner", "sponsor"};
		json_t *groups = json_array();
		for (size_t r = 0; r < HM_ARRAY_LEN(roles); r++) {
			json_t *members = json_array();
			size_t i;
			json_t *o;
			json_array_foreach(orgs, i, o) {
				if (str_eq(sval(o, "role"), roles[r])) {
					web_decorate_org(req, o);
					json_array_append(members, o);
				}
			}
			if (json_array_size(members))
				json_array_append_new(
					groups, json_pack("{s:s, s:s, s:o}", "role", roles[r], "label",
							  label_for(req, roles[r],
								    json_array_size(members) > 1),
							  "organisations", members));
			else
				json_decref(members);
		}
		json_object_set_new(ev, "roles", groups);
	}

	const char *email = sval(ev, "contact_email");
	if (email) {
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "mailto:");
		url_encode(&b, email);
		/* '@' is safe in a mailto address and reads better. */
		char *at = strstr(b.data, "%40");
		if (at) {
			*at = '@';
			memmove(at + 1, at + 3, strlen(at + 3) + 1);
		}
		json_object_set_new(ev, "contact_mailto", json_string(b.data));
		buf_free(&b);
	}
}

void web_decorate_events(struct http_req *req, json_t *events)
{
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
		web_decorate_event(req, ev);
}

void web_decorate_post(struct http_req *req, json_t *post, int full)
{
	const char *ymd = sval(post, "ymd"), *slug = sval(post, "slug");
	if (ymd && slug && strlen(ymd) == 10) {
		char *path = arena_printf(&req->pool, "/news/%.4s/%.2s/%.2s/%s", ymd, ymd + 5,
					  ymd + 8, slug);
		json_object_set_new(post, "url", json_string(path));
		char *permalink = arena_printf(&req->pool, "%s%s", server_base_url(req->srv), path);
		json_object_set_new(post, "permalink", json_string(permalink));
		set_str(post, "date", fmt_date(&req->pool, req->lang, ymd, FMT_LONG));
		if (full) {
			struct buf b;
			buf_init(&b);
			buf_puts(&b, "https://twitter.com/intent/tweet?text=");
			url_encode(&b, sval(post, "title") ? sval(post, "title") : "");
			buf_puts(&b, "&url=");
			url_encode(&b, permalink);
			json_object_set_new(post, "share_url", json_string(b.data));
			buf_free(&b);
		}
	}
	if (full) {
		const char *md = sval(post, "body_md");
		char *html = markdown_to_html(md, md ? strlen(md) : 0);
		json_object_set_new(post, "body_html", json_string(html));
		free(html);
		if (sval(post, "event_slug"))
			json_object_set_new(post, "event_url",
					    json_sprintf("/events/%s", sval(post, "event_slug")));
	}
	if (sval(post, "image")) {
		char thumb[MEDIA_NAME_SIZE];
		media_thumb_name(sval(post, "image"), thumb);
		json_object_set_new(post, "image_url", json_sprintf("/media/%s", sval(post, "image")));
		set_str(post, "thumb_url", thumb[0] ? arena_printf(&req->pool, "/media/%s", thumb) : NULL);
	} else {
		set_str(post, "image_url", NULL);
		set_str(post, "thumb_url", NULL);
	}
	json_t *cats = json_object_get(post, "categories");
	size_t i;
	json_t *c;
	json_array_foreach(cats, i, c)
		json_object_set_new(c, "url", json_sprintf("/news/category/%s", sval(c, "slug")));
}

void web_decorate_posts(struct http_req *req, json_t *posts)
{
	size_t i;
	json_t *p;
	json_array_foreach(posts, i, p)
		web_decorate_post(req, p, 0);
}

/* ------------------------------------------------------------- answers */

enum hm_err web_render_plain(struct http_req *req, const char *name, json_t *model,
			     struct buf *out)
{
	return tpl_render(templates, name, model, req->lang, out);
}

static const char *status_title(struct http_req *req, int status)
{
	switch (status) {
	case 400: return web_t(req, "Bad request");
	case 401: return web_t(req, "Sign-in required");
	case 403: return web_t(req, "Forbidden");
	case 404: return web_t(req, "Page not found");
	case 405: return web_t(req, "Method not allowed");
	case 409: return web_t(req, "Conflict");
	case 413: return web_t(req, "Too large");
	default: return web_t(req, "Something went wrong");
	}
}

/* The layout's data: site name, language, navigation, asset URLs. */
static json_t *layout_model(struct http_req *req, const char *title)
{
	json_t *settings = site_settings(req->db);
	json_t *site = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "lang", req->lang ? req->lang : "en", "dir",
		i18n_dir(req->lang), "css", web_asset_url("site.css"), "icon",
		web_asset_url("logo.svg"), "path", req->path ? req->path : "/", "title",
		title ? title : "", "year", arena_strndup(&req->pool, web_now(req), 4));
	json_object_update(site, settings);
	json_decref(settings);
	const struct principal *who = web_principal(req);
	if (who->account_id) {
		json_object_set_new(site, "account",
				    json_pack("{s:s, s:s, s:b, s:b}", "name", who->name, "email", who->email,
					      "is_admin", auth_is_admin(who), "can_admin",
					      who->ngrants > 0));
		json_object_set_new(site, "csrf", json_string(web_csrf_token(req, NULL)));
	}
	static const struct {
		const char *key, *prefix;
	} nav[] = {{"nav_home", "/"}, {"nav_news", "/news"}, {"nav_events", "/events"}};
	for (size_t i = 0; i < HM_ARRAY_LEN(nav); i++) {
		int cur = req->path && (strcmp(nav[i].prefix, "/") == 0
						? strcmp(req->path, "/") == 0
						: str_starts_with(req->path, nav[i].prefix));
		json_object_set_new(site, nav[i].key, json_boolean(cur));
	}
	return site;
}

void web_finish(struct http_req *req, struct http_res *res, enum hm_err e)
{
	if (res->location && res->status >= 300 && res->status < 400) {
		json_decref(res->model);
		res->model = NULL;
		res->cacheable = 0;
		return;
	}
	if (e != HM_OK) {
		if (res->status < 400)
			res->status = hm_err_http_status(e);
		json_decref(res->model);
		const char *title = status_title(req, res->status);
		res->model = json_pack("{s:{s:i, s:s, s:s}}", "error", "status", res->status,
				       "title", title, "message",
				       res->error ? web_t(req, res->error) : title);
		res->template = "pages/error";
		res->title = title;
		res->cacheable = 0;
		buf_reset(&res->body);
		res->content_type = NULL;
	}
	/* What a signed-in person sees may name them or show drafts: never
	 * for shared caches. */
	if (web_principal(req)->account_id) {
		res->no_store = 1;
		res->cacheable = 0;
	}
	if (res->content_type)
		return; /* the handler wrote the body itself */
	if (!res->model)
		return; /* a redirect or an empty answer */
	if (req->want_json || !res->template) {
		char *s = json_dumps(res->model, JSON_COMPACT | JSON_SORT_KEYS);
		if (s) {
			buf_puts(&res->body, s);
			free(s);
		}
		res->content_type = "application/json; charset=utf-8";
		return;
	}
	json_object_set_new(res->model, "site", layout_model(req, res->title));
	if (tpl_render(templates, res->template, res->model, req->lang, &res->body) != HM_OK) {
		log_error("template %s failed", res->template);
		res->status = 500;
		buf_reset(&res->body);
		buf_puts(&res->body, "Internal error.\n");
		res->content_type = "text/plain; charset=utf-8";
		res->cacheable = 0;
		return;
	}
	res->content_type = "text/html; charset=utf-8";
}
