/*
 * gate.c — the checks a route declares in its flags (web.h), made once
 * before its handler runs: the answer's form (JSON) and privacy, who may
 * ask, and the CSRF token of a request that changes something.
 */
#include "auth/auth.h"
#include "db/db.h"
#include "site/form.h"
#include "site/web.h"
#include "http/server.h"

#include <string.h>

static int unsafe_method(enum http_method m)
{
	return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE;
}

/* On a site served over https, a browser names where a request comes
 * from (Origin, else Referer): a write whose origin is another site is
 * refused even with a valid token (CSRF in depth). A request that names
 * no origin (older browsers, programs) passes on its token alone. */
static int same_origin(struct http_req *req)
{
	const char *base = server_base_url(req->srv);
	if (!base || strncmp(base, "https://", 8) != 0)
		return 1;
	size_t n = strlen(base);
	const char *origin = http_header(req, "Origin");
	if (origin) /* "null" (a sandboxed frame, a redirect from elsewhere) is not ours */
		return strcmp(origin, base) == 0;
	const char *ref = http_header(req, "Referer");
	if (ref)
		return strncmp(ref, base, n) == 0 && (ref[n] == '/' || ref[n] == '\0');
	return 1;
}

/* The token of a request that sends nothing but its token, or with its
 * fields: the header, else the body's "_csrf" (no other field is kept). */
static int csrf_holds(struct http_req *req)
{
	if (http_header(req, "X-CSRF-Token"))
		return web_csrf_valid(req, NULL);
	struct form f;
	form_read(req, NULL, 0, &f);
	return web_csrf_valid(req, f.csrf);
}

/* 1 if the site requires administrators to sign in with a second factor
 * (site setting two_factor_admins = "required") and p is an administrator
 * without one: such an account may still reach its own account pages, to
 * turn it on, and read what everyone may. */
static int admin_without_second_factor(struct http_req *req, const struct principal *p)
{
	static const char sql[] =
		"SELECT 1 FROM site_setting WHERE key = 'two_factor_admins' AND value = 'required'";
	if (!auth_is_admin(p))
		return 0;
	struct db_stmt *st = db_prepare(req->db, sql);
	int required = st && db_step(st) == 1;
	db_done(st);
	return required && auth_two_factor_state(req->db, p->account_id) != 2;
}

/* The API's own paths: their answers are JSON, errors included, even
 * for a path or method no route serves. */
static int api_path(const char *path)
{
	return path && strncmp(path, "/api/", 5) == 0;
}

/* A token that is not valid is refused wherever it is sent (RFC 6750),
 * public pages and unknown paths included: its holder learns at once that
 * it is dead, rather than reading the site as a visitor and wondering
 * where the drafts went. One answer, in JSON (a bearer token is a
 * program's), for unknown, revoked, expired and malformed alike. */
static enum hm_err token_refusal(struct http_req *req, struct http_res *res)
{
	req->want_json = 1;
	res->no_store = 1;
	http_res_header(res, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
	return http_fail(res, HM_EUNAUTH,
			 "This API token is not valid: it is unknown, revoked or expired.");
}

enum hm_err web_route_gate(struct http_req *req, struct http_res *res, const struct route *r)
{
	if (!r) {
		/* No route: 404 or 405 follows, unless the credential is refused. */
		if (api_path(req->path))
			req->want_json = 1;
		if (req->db && web_token_refused(req))
			return token_refusal(req, res);
		return HM_OK;
	}
	unsigned fl = r->flags;

	if (fl & WEB_JSON)
		req->want_json = 1;
	/* No database (server.c: none reachable for now): 503 with Retry-After
	 * (web_finish), unless the route answers without one. */
	if (!req->db && !(fl & WEB_NO_DB))
		return HM_EBUSY;
	/* What fails from here on is this request's (web_finish answers 500). */
	if (req->db)
		db_failed_reset(req->db);
	int needs = (int)(fl >> 8) - 1;
	enum hm_err e = HM_OK;

	if (web_token_refused(req))
		return token_refusal(req, res);
	if (fl & (WEB_PRIVATE | WEB_SELF | WEB_STAFF) || needs >= 0)
		web_private(req, res);
	/* A read-only token writes nothing, whatever the route: refused
	 * before its body is read, so it learns nothing from validation. The
	 * forms anyone may fill in answer it as they answer anyone. */
	if (web_principal(req)->read_only && unsafe_method(req->method) && !(fl & WEB_VISITOR)) {
		res->no_store = 1;
		return http_fail(res, HM_EFORBIDDEN, "This API token may only read.");
	}
	if (fl & WEB_SELF) {
		/* Reading one's own account is a read, which read-only tokens may. */
		struct auth_scope own = {.owner_account_id = web_principal(req)->account_id};
		e = web_require(req, res, unsafe_method(req->method) ? AUTH_ACCOUNT_SELF
								     : AUTH_ACCOUNT_VIEW,
				&own);
	} else if (fl & WEB_STAFF) {
		if (!auth_is_staff(web_principal(req)))
			e = web_require(req, res, AUTH_SITE_ADMIN, NULL);
	}
	if (e == HM_OK && needs >= 0)
		e = web_require(req, res, needs, NULL);
	if (e != HM_OK)
		return e;
	if (!(fl & (WEB_SELF | WEB_VISITOR)) &&
	    ((fl & (WEB_STAFF | WEB_PRIVATE)) || needs >= 0 || unsafe_method(req->method)) &&
	    admin_without_second_factor(req, web_principal(req))) {
		web_private(req, res);
		return http_fail(res, HM_EFORBIDDEN,
				 "Administrators of this site sign in with a second factor: turn on "
				 "two-factor sign-in on your account page first.");
	}
	/* Only a cookie makes a forged request dangerous: the session's, or
	 * the pre-session cookie of a visitor's form. */
	const struct principal *p = web_principal(req);
	int by_cookie = p->via == AUTH_VIA_SESSION || (fl & WEB_VISITOR);
	/* a framed form without a cookie (WEB_EMBED): nothing to forge */
	int cookieless = (fl & WEB_EMBED) && p->via == AUTH_VIA_NONE && req->cookies.n == 0;
	if ((fl & WEB_CSRF) && unsafe_method(req->method) && by_cookie && p->via != AUTH_VIA_API_TOKEN) {
		if (!same_origin(req))
			return http_fail(res, HM_EFORBIDDEN,
					 "This request comes from another site and was refused.");
		if (!cookieless && !csrf_holds(req))
			return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	}
	return HM_OK;
}
