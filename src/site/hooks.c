/*
 * hooks.c — what the site gives the HTTP server (struct server_hooks):
 * the language of an answer, which requests carry credentials and so stay
 * out of the page cache, the route gate run before each handler, and the
 * step that turns a handler's result into HTML or JSON (render.c).
 */
#include "auth/auth.h"
#include "http/server.h"
#include "site/web.h"
#include "view/i18n.h"

/* The request's language: ?lang=, then the lang cookie, then
 * Accept-Language. Reads only the request: no database. */
static const char *hooks_language(struct http_req *req)
{
	const char *l = http_query(req, "lang");
	if (l && i18n_supported(l))
		return l;
	l = kv_get(&req->cookies, "lang");
	if (l && i18n_supported(l))
		return l;
	return i18n_negotiate(http_header(req, "Accept-Language"));
}

/* A session cookie or an Authorization header: an answer for one person. */
static int hooks_private_request(struct http_req *req)
{
	return kv_get(&req->cookies, auth_cookie_name(AUTH_COOKIE_SESSION)) != NULL ||
	       http_header(req, "Authorization") != NULL;
}

/* The class of a path for the metrics (server_metric_classes' order). */
static int hooks_metrics_class(const char *path)
{
	static const struct {
		const char *prefix;
		int cls;
	} classes[] = {{"/api/", 1}, {"/admin", 2}, {"/media/", 4}, {"/assets/", 5}};
	for (size_t i = 0; i < HM_ARRAY_LEN(classes); i++)
		if (str_starts_with(path, classes[i].prefix))
			return classes[i].cls;
	if (str_ends_with(path, ".atom"))
		return 3;
	return 0;
}

static const struct server_hooks hooks = {
	.finish = web_finish,
	.language = hooks_language,
	.private_request = hooks_private_request,
	.before = web_route_gate,
	.metrics_class = hooks_metrics_class,
};

const struct server_hooks *web_server_hooks(void)
{
	return &hooks;
}
