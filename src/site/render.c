/*
 * render.c — from model to answer. Compiles the embedded templates once,
 * adds the per-language display fields to models, and renders a handler's
 * result as a page in the site layout, as JSON, or as an error page.
 */
#include "core/text.h"
#include "auth/auth.h"
#include "core/embedded.h"
#include "db/db.h"
#include "http/server.h"
#include "view/format_extra.h"
#include "view/i18n.h"
#include "view/markdown.h"
#include "media/media.h"
#include "view/template.h"
#include "site/feature.h"
#include "site/site.h"
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

const char *web_nt(struct http_req *req, const char *msgid, const char *msgid_plural,
		   unsigned long n)
{
	return i18n_ngettext(req->lang, msgid, msgid_plural, n);
}

const char *web_retry_text(struct http_req *req, long long seconds)
{
	return arena_printf(&req->pool,
			    web_nt(req, "Too many failed attempts. Please wait %lld second and try again.",
				   "Too many failed attempts. Please wait %lld seconds and try again.",
				   (unsigned long)(seconds > 0 ? seconds : 0)),
			    seconds);
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
	case 503: return web_t(req, "Unavailable for a moment");
	default: return web_t(req, "Something went wrong");
	}
}

/* The language switcher's entries, [{code, name, url, current}…]: each
 * goes through /language and back to this page, its query kept but for
 * ?lang=; in a frame (embed: no cookie of ours sticks there) straight to
 * this page with ?lang=. The names are each language's own. */
static json_t *language_links(struct http_req *req, int embed)
{
	struct buf here;
	buf_init(&here);
	buf_puts(&here, req->path ? req->path : "/");
	char sep = '?';
	for (size_t i = 0; i < req->query.n; i++) {
		const struct kv *q = &req->query.items[i];
		if (strcmp(q->key, "lang") == 0)
			continue;
		buf_printf(&here, "%c", sep);
		url_encode(&here, q->key);
		buf_puts(&here, "=");
		url_encode(&here, q->value);
		sep = '&';
	}
	json_t *a = json_array();
	for (const char *const *l = i18n_languages(); *l; l++) {
		struct buf url;
		buf_init(&url);
		if (embed)
			buf_printf(&url, "%s%clang=%s", here.data, strchr(here.data, '?') ? '&' : '?', *l);
		else {
			buf_printf(&url, "/language?to=%s&next=", *l);
			url_encode(&url, here.data);
		}
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b}", "code", *l, "name",
						   fmt_language(&req->pool, *l), "url", url.data,
						   "current", str_eq(*l, req->lang ? req->lang : "en")));
		buf_free(&url);
	}
	buf_free(&here);
	return a;
}

/* The layout's data: site name, language, navigation, asset URLs;
 * "embed" (the compact layout, without the site's header, navigation and
 * footer) for an answer that other sites may frame (res->frame_ancestors)
 * asked for with ?embed=1. */
static json_t *layout_model(struct http_req *req, const struct http_res *res, const char *title)
{
	int embed = res->frame_ancestors && str_eq(http_query(req, "embed"), "1");
	json_t *settings = site_settings(req->db);
	json_t *site = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "lang", req->lang ? req->lang : "en", "dir",
		i18n_dir(req->lang), "css", web_asset_url("site.css"), "js", web_asset_url("site.js"), "icon",
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
	json_object_set_new(site, "nav", web_nav(req));
	json_object_set_new(site, "languages", language_links(req, embed));
	if (embed)
		json_object_set_new(site, "embed", json_true());
	return site;
}

void web_finish(struct http_req *req, struct http_res *res, enum hm_err e)
{
	/* A read that failed is not "not found", nor a page with a part
	 * missing: whatever the handler made of it, the answer is 500, or 503
	 * when the store could not take it for now (locked, full, read-only). */
	enum hm_err dbe = req->db ? db_failed(req->db) : HM_OK;
	if (dbe != HM_OK && e != dbe && (e != HM_EDB || dbe == HM_EBUSY)) {
		log_error("%s %s: a database statement failed (%s); answering %d",
			  http_method_name(req->method), req->path ? req->path : "?",
			  hm_err_str(dbe), hm_err_http_status(dbe));
		e = dbe;
		res->status = hm_err_http_status(dbe);
		res->error = NULL;
		res->location = NULL;
	}
	if (e == HM_EBUSY) {
		res->status = 503;
		if (!res->error)
			res->error = N_("The database cannot take changes at the moment. Nothing was "
				     "changed: try again in a little while.");
		http_res_header(res, "Retry-After", "5");
	}
	if (req->db)
		db_failed_reset(req->db);
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
	json_object_set_new(res->model, "site", layout_model(req, res, res->title));
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
