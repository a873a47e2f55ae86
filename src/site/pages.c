/*
 * pages.c — the site's own pages: the home page (made of what each
 * feature adds to it), the embedded assets, uploaded images, robots.txt,
 * and one address per page ("/news/" → "/news").
 */
#include "core/embedded.h"
#include "core/text.h"
#include "db/db.h"
#include "media/media.h"
#include "site/feature.h"
#include "site/web.h"
#include "view/i18n.h"

#include <string.h>

static enum hm_err page_home(struct http_req *req, struct http_res *res)
{
	json_t *m = json_object();
	enum hm_err e;
	if ((e = web_read_begin(req)) != HM_OK) {
		json_decref(m);
		return e;
	}
	e = web_features_home(req, m);
	db_rollback(req->db);
	if (e != HM_OK) {
		json_decref(m);
		return e;
	}
	res->cacheable = 1;
	http_res_page(res, m, "pages/home", web_t(req, "Home"));
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

/* GET /media/{name}: stored images. The name is the content's hash, so the
 * answer never changes: cached for a year, immutable. */
static enum hm_err page_media(struct http_req *req, struct http_res *res)
{
	const char *name = http_param(req, "name");
	const char *mime = media_name_mime(name);
	if (!mime)
		return http_fail(res, HM_ENOTFOUND, "There is no such file.");
	enum hm_err e = media_read(name, &res->body);
	if (e != HM_OK) {
		buf_reset(&res->body);
		return http_fail(res, e == HM_ENOTFOUND ? e : HM_EIO, "There is no such file.");
	}
	res->content_type = mime;
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

/* GET /language?to=fr&next=/events/x — the language switcher: keeps the
 * choice in the lang cookie for a year (hooks.c reads it before a
 * profile's language and Accept-Language) and goes back to the page the
 * visitor was on, a path of this site only. A preference, not data: a
 * link every page can carry, cached or not. */
static enum hm_err page_language(struct http_req *req, struct http_res *res)
{
	const char *to = http_query(req, "to");
	if (!to || !i18n_supported(to))
		return http_fail(res, HM_EINVAL, N_("This language is not offered."));
	http_res_header(res, "Set-Cookie",
			arena_printf(&req->pool, "lang=%s; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly%s",
				     to, req->secure ? "; Secure" : ""));
	const char *next = http_query(req, "next");
	return web_redirect(req, res, next ? next : "/");
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

const struct route site_routes[] = {
	{GET, "/", page_home},
	{GET, "/assets/{name}", page_asset},
	{GET, "/media/{name}", page_media},
	{GET, "/robots.txt", page_robots},
	{GET, "/language", page_language},
	{GET, "/news/", page_trailing_slash},
	{GET, "/events/", page_trailing_slash},
	/* Server-Sent Events of the site's data changes (changes.c) */
	{GET, "/api/v1/changes", web_changes_stream, WEB_JSON | WEB_STAFF},
	WEB_ROUTES_END,
};
