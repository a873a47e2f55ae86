/*
 * session.c — who is asking (API token, session cookie or nobody), the
 * permission gate every private handler goes through, and CSRF tokens for
 * forms: per-session for signed-in users, a signed double-submit cookie
 * for the forms a visitor fills in (sign-in, forgotten password).
 */
#include "auth/auth.h"
#include "db/db.h"
#include "site/form.h"
#include "site/web.h"
#include "view/i18n.h"

#include <string.h>

struct web_state {
	struct principal who;
	const char *session_token; /* as presented, when it was valid */
	const char *presession;    /* the pre-session cookie, existing or just set */
	int bad_token;             /* a bearer token was sent that is not valid */
	const char *notice_view;   /* the public page the page's notice links to */
};

static struct web_state *state(struct http_req *req)
{
	if (req->web)
		return req->web;
	struct web_state *st = arena_alloc(&req->pool, sizeof(*st));
	memset(st, 0, sizeof(*st));
	auth_principal_visitor(&st->who);
	const char *authz = http_header(req, "Authorization");
	const char *cookie = kv_get(&req->cookies, auth_cookie_name(AUTH_COOKIE_SESSION));
	int64_t now = time_now_s();
	if (!req->db) {
		/* No database to ask (server.c: none reachable): a visitor. */
	} else if (authz && strncasecmp(authz, "Bearer", 6) == 0 &&
		   (authz[6] == '\0' || authz[6] == ' ' || authz[6] == '\t')) {
		/* "Bearer" with no token, or a token that is not valid. */
		const char *tok = authz + 6;
		while (*tok == ' ' || *tok == '\t')
			tok++;
		if (!*tok || auth_api_token_lookup_at(req->db, tok, now, req->client_addr, &st->who) != HM_OK) {
			auth_principal_visitor(&st->who);
			st->bad_token = 1;
		}
	} else if (cookie && auth_session_lookup_at(req->db, cookie, now, req->client_addr, &st->who) == HM_OK) {
		st->session_token = cookie;
	}
	/* A signed-in user reads the site in the language of their profile
	 * unless the request asks for another explicitly (?lang=, or the
	 * cookie the language switcher sets: hooks.c). */
	const char *asked = http_query(req, "lang"), *kept = kv_get(&req->cookies, "lang");
	if (st->who.account_id && i18n_supported(st->who.lang) &&
	    !(asked && i18n_supported(asked)) && !(kept && i18n_supported(kept)))
		req->lang = st->who.lang;
	req->web = st;
	return st;
}

const struct principal *web_principal(struct http_req *req)
{
	return &state(req)->who;
}

int web_token_refused(struct http_req *req)
{
	return state(req)->bad_token;
}

int web_local_path(const char *path)
{
	/* Browsers drop tabs and line breaks from URLs and read "\\" as "/",
	 * so "/<TAB>/evil.example" would leave the site: any control
	 * character, space or backslash disqualifies a path. */
	if (!path || path[0] != '/' || path[1] == '/' || strlen(path) >= 1024)
		return 0;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '\\')
			return 0;
	return 1;
}

enum hm_err web_redirect(struct http_req *req, struct http_res *res, const char *path)
{
	(void)req;
	res->status = 303;
	res->location = web_local_path(path) ? path : "/";
	res->no_store = 1;
	return HM_OK;
}

enum hm_err web_require(struct http_req *req, struct http_res *res, int action,
			const struct auth_scope *scope)
{
	const struct principal *p = web_principal(req);
	if (auth_can(p, (enum auth_action)action, scope))
		return HM_OK;
	res->no_store = 1;
	if (p->account_id == 0) {
		if (!req->want_json && (req->method == HTTP_GET || req->method == HTTP_HEAD)) {
			struct buf b;
			buf_init(&b);
			buf_puts(&b, "/sign-in?next=");
			url_encode(&b, req->path);
			res->location = arena_strdup(&req->pool, b.data);
			buf_free(&b);
			res->status = 303;
			return HM_EUNAUTH; /* web_finish sends the redirect */
		}
		return http_fail(res, HM_EUNAUTH, "Please sign in to do this.");
	}
	return http_fail(res, HM_EFORBIDDEN, "Your account may not do this.");
}

const char *web_csrf_token(struct http_req *req, struct http_res *res)
{
	struct web_state *st = state(req);
	char *tok = arena_alloc(&req->pool, AUTH_TOKEN_SIZE);
	if (st->who.via == AUTH_VIA_SESSION) {
		auth_csrf_token(&st->who.session, tok);
		return tok;
	}
	if (!st->presession) {
		const char *c = kv_get(&req->cookies, auth_cookie_name(AUTH_COOKIE_PRESESSION));
		char fresh[AUTH_TOKEN_SIZE];
		if (!c || auth_anon_csrf_token(req->db, c, tok) != HM_OK) {
			auth_presession_new(fresh);
			c = arena_strdup(&req->pool, fresh);
			char *cookie = arena_alloc(&req->pool, AUTH_COOKIE_SIZE);
			auth_cookie_header(AUTH_COOKIE_PRESESSION, c, req->secure, cookie);
			if (res)
				http_res_header(res, "Set-Cookie", cookie);
		}
		st->presession = c;
	}
	if (auth_anon_csrf_token(req->db, st->presession, tok) != HM_OK)
		return "";
	return tok;
}

int web_csrf_valid(struct http_req *req, const char *token)
{
	struct web_state *st = state(req);
	const char *hdr = http_header(req, "X-CSRF-Token");
	const char *t = (token && *token) ? token : hdr;
	if (st->who.via == AUTH_VIA_API_TOKEN)
		return 1;
	if (!t)
		return 0;
	if (st->who.via == AUTH_VIA_SESSION)
		return auth_csrf_check(&st->who.session, t);
	const char *c = kv_get(&req->cookies, auth_cookie_name(AUTH_COOKIE_PRESESSION));
	return c && auth_anon_csrf_check(req->db, c, t);
}

void web_private(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->no_store = 1;
	res->cacheable = 0;
}

void web_notice_view(struct http_req *req, const char *url)
{
	state(req)->notice_view = url ? arena_strdup(&req->pool, url) : NULL;
}

const char *web_notice_view_get(struct http_req *req)
{
	return req->web ? ((struct web_state *)req->web)->notice_view : NULL;
}
