/*
 * account.c — signing in and out, and the signed-in user's own page (who
 * they are, their roles, their personal API tokens). The same handlers
 * answer forms and JSON calls.
 */
#include "site/confirm.h"
#include "site/feature.h"
#include "auth/auth.h"
#include "db/db.h"
#include "view/i18n.h"
#include "site/form.h"
#include "features/accounts/accounts.h"
#include "features/accounts/notice.h"
#include "site/web.h"

#include <stdlib.h>
#include <string.h>

static const struct field sign_in_fields[] = {
	{.name = "email", .kind = FIELD_TEXT, .required = 1, .max_len = 254},
	{.name = "password", .kind = FIELD_PASSWORD, .required = 1, .max_len = 1024},
	{.name = "next", .kind = FIELD_TEXT, .max_len = 1000},
	/* the second factor: a code of the app, or a recovery code */
	{.name = "code", .kind = FIELD_TEXT, .max_len = 32},
};

static json_t *sign_in_model(struct http_req *req, struct http_res *res, json_t *form,
			     const char *next)
{
	json_t *m = json_pack("{s:o, s:s}", "form", form ? form : json_pack("{s:{}, s:{}}", "values", "errors"),
			      "csrf", web_csrf_token(req, res));
	if (web_local_path(next))
		json_object_set_new(m, "next", json_string(next));
	return m;
}

static enum hm_err page_sign_in(struct http_req *req, struct http_res *res)
{
	web_private(req, res);
	if (web_principal(req)->account_id)
		return web_redirect(req, res, "/account");
	http_res_page(res, sign_in_model(req, res, NULL, http_query(req, "next")), "pages/sign_in",
		      web_t(req, "Sign in"));
	return HM_OK;
}

static enum hm_err post_sign_in(struct http_req *req, struct http_res *res)
{
	struct form f;
	enum hm_err e = form_read(req, sign_in_fields, HM_ARRAY_LEN(sign_in_fields), &f);
	const char *next = form_get(&f, "next");
	int two_factor = 0;
	web_private(req, res);
	if (e == HM_OK) {
		char token[AUTH_TOKEN_SIZE];
		int64_t retry = 0;
		const char *old = kv_get(&req->cookies, auth_cookie_name(AUTH_COOKIE_SESSION));
		int code_required = 0;
		e = auth_sign_in_code(req->db, form_get(&f, "email"), form_get(&f, "password"),
				      form_get(&f, "code"), req->client_addr, old, time_now_s(), token,
				      NULL, &retry, &code_required);
		if (e == HM_OK) {
			char *cookie = arena_alloc(&req->pool, AUTH_COOKIE_SIZE);
			char *clear = arena_alloc(&req->pool, AUTH_COOKIE_SIZE);
			auth_cookie_header(AUTH_COOKIE_SESSION, token, req->secure, cookie);
			auth_cookie_header(AUTH_COOKIE_PRESESSION, NULL, req->secure, clear);
			http_res_header(res, "Set-Cookie", cookie);
			http_res_header(res, "Set-Cookie", clear);
			if (req->want_json) {
				http_res_page(res, json_pack("{s:b}", "signed_in", 1), NULL, NULL);
				return HM_OK;
			}
			return web_redirect(req, res, web_local_path(next) ? next : "/account");
		}
		if (e == HM_EFORBIDDEN) {
			f.error = web_retry_text(req, (long long)retry);
			res->status = 429;
			http_res_header(res, "Retry-After", arena_printf(&req->pool, "%lld", (long long)retry));
		} else if (code_required) {
			form_set_error(req, &f, "code",
				       form_get(&f, "code")
					       ? "This code is not right, or was used already."
					       : "Enter the code from your authenticator app, or a recovery code.");
			f.error = web_t(req, "This account signs in with a second factor.");
			res->status = 401;
		} else {
			f.error = web_t(req, "The e-mail address or the password is not right.");
			res->status = 401;
		}
		if (code_required)
			two_factor = 1;
	} else {
		res->status = 400;
	}
	json_t *fj = form_json(&f);
	if (two_factor)
		json_object_set_new(fj, "two_factor_required", json_true());
	if (req->want_json) {
		http_res_page(res, fj, NULL, NULL);
		return HM_OK;
	}
	http_res_page(res, sign_in_model(req, res, fj, next), "pages/sign_in", web_t(req, "Sign in"));
	return HM_OK;
}

static enum hm_err post_sign_out(struct http_req *req, struct http_res *res)
{
	const char *tok = kv_get(&req->cookies, auth_cookie_name(AUTH_COOKIE_SESSION));
	if (tok)
		auth_sign_out_as(req->db, tok, web_principal(req), time_now_s());
	char *clear = arena_alloc(&req->pool, AUTH_COOKIE_SIZE);
	auth_cookie_header(AUTH_COOKIE_SESSION, NULL, req->secure, clear);
	http_res_header(res, "Set-Cookie", clear);
	return web_redirect(req, res, "/");
}

/* Adds to a token "expired" and "expires_display": "expires 28 February
 * 2027", "expired" or, for a token made before tokens expired, "never". */
static void decorate_token(struct http_req *req, json_t *t, int64_t now)
{
	const char *at = json_string_value(json_object_get(t, "expires_at"));
	int64_t until = at ? time_parse_rfc3339(at) : -1;
	int expired = at && (until < 0 || now >= until);
	const char *shown = web_t(req, "never");
	if (expired) {
		shown = web_t(req, "expired");
	} else if (at) {
		const char *date =
			fmt_date(&req->pool, req->lang, arena_strndup(&req->pool, at, 10), FMT_LONG);
		shown = arena_printf(&req->pool, web_t(req, "expires %s"), date ? date : at);
	}
	json_object_set_new(t, "expired", json_boolean(expired));
	const char *scope = json_string_value(json_object_get(t, "scope"));
	json_object_set_new(t, "scope_label",
			    json_string(str_eq(scope, "write") ? web_t(req, "Read and write")
				       : str_eq(scope, "read") ? web_t(req, "Read only")
							       : scope ? scope : ""));
	site_display_time(req, t, "created_at", "created_display");
	json_object_set_new(t, "expires_display", json_string(shown));
}

static const char *const token_scopes[] = {"read", "write", NULL};

/* The choices of the new-token form, the chosen one (or the default)
 * selected. */
static json_t *token_lifetimes(struct http_req *req, int64_t chosen)
{
	json_t *a = json_array();
	if (!auth_api_token_days_ok(chosen))
		chosen = AUTH_API_TOKEN_DAYS_DEFAULT;
	for (size_t i = 0; i < HM_ARRAY_LEN(auth_api_token_days); i++) {
		int d = auth_api_token_days[i];
		const char *fmt = i18n_ngettext(req->lang, "%d day", "%d days", (unsigned long)d);
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "days",
						   arena_printf(&req->pool, "%d", d), "label",
						   arena_printf(&req->pool, fmt, d), "selected",
						   d == chosen));
	}
	return a;
}

static json_t *token_scope_choices(struct http_req *req, const char *chosen)
{
	static const char *const labels[] = {N_("Read"), N_("Write")};
	json_t *a = json_array();
	for (size_t i = 0; token_scopes[i]; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", token_scopes[i], "label",
						   web_t(req, labels[i]), "selected",
						   chosen && !strcmp(chosen, token_scopes[i])));
	return a;
}

/* The account page's data; NULL when the account is gone. The token
 * form starts from scope and days (a failed form's), or the defaults. */
json_t *accounts_account_model(struct http_req *req, struct http_res *res, const char *scope, int64_t days)
{
	const struct principal *p = web_principal(req);
	json_t *acct = auth_account_get(req->db, p->account_id);
	if (!acct)
		return NULL;
	accounts_decorate(req, acct);
	json_t *tokens = auth_api_token_list(req->db, p->account_id), *t;
	int64_t now = time_now_s();
	size_t i;
	json_array_foreach(tokens, i, t)
		decorate_token(req, t, now);
	json_object_set_new(acct, "api_tokens", tokens);
	json_t *sessions = auth_session_list(req->db, p->account_id, now), *s;
	json_array_foreach(sessions, i, s) {
		json_object_set_new(s, "current",
				    json_boolean(p->via == AUTH_VIA_SESSION &&
						 json_integer_value(json_object_get(s, "id")) ==
							 p->session.id));
		site_display_time(req, s, "last_seen_at", "last_seen_display");
		site_display_time(req, s, "created_at", "created_display");
	}
	json_object_set_new(acct, "sessions", sessions ? sessions : json_array());
	int64_t idle, life;
	auth_session_limits(req->db, &idle, &life);
	json_object_set_new(acct, "session_idle_minutes", json_integer(idle / 60));
	json_object_set_new(acct, "session_hours", json_integer(life / 3600));
	web_set_str(acct, "session_idle_text",
		    arena_printf(&req->pool,
				 web_nt(req, "A session ends after %lld minute without use.",
					"A session ends after %lld minutes without use.",
					(unsigned long)(idle / 60)),
				 (long long)(idle / 60)));
	web_set_str(acct, "session_life_text",
		    arena_printf(&req->pool,
				 web_nt(req, "It ends %lld hour after signing in at the latest.",
					"It ends %lld hours after signing in at the latest.",
					(unsigned long)(life / 3600)),
				 (long long)(life / 3600)));
	static const char *const tf_states[] = {"off", "pending", "on"};
	int tf = auth_two_factor_state(req->db, p->account_id);
	json_object_set_new(acct, "two_factor", json_string(tf_states[tf < 0 ? 0 : tf]));
	json_object_set_new(acct, "two_factor_on", json_boolean(tf == 2));
	json_object_set_new(acct, "token_lifetimes", token_lifetimes(req, days));
	json_object_set_new(acct, "token_scopes", token_scope_choices(req, scope));
	json_object_set_new(acct, "csrf", json_string(web_csrf_token(req, res)));
	return acct;
}

static enum hm_err page_account(struct http_req *req, struct http_res *res)
{
	json_t *acct = accounts_account_model(req, res, NULL, AUTH_API_TOKEN_DAYS_DEFAULT);
	if (!acct)
		return HM_ENOTFOUND;
	http_res_page(res, acct, "pages/account", web_t(req, "Your account"));
	return HM_OK;
}

static const struct field token_fields[] = {
	{.name = "label", .kind = FIELD_TEXT, .required = 1, .max_len = 200},
	{.name = "scope", .kind = FIELD_CHOICE, .required = 1, .choices = token_scopes},
	/* days, one of auth_api_token_days; absent: the default */
	{.name = "expires_days", .kind = FIELD_INT},
	/* asked again before a token is made */
	{.name = "password", .kind = FIELD_PASSWORD, .required = 1, .max_len = AUTH_PASSWORD_MAX},
};

/* Creates a personal API token and shows it once. */
static enum hm_err post_api_token(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	struct form f;
	enum hm_err e = HM_OK;
	e = form_read(req, token_fields, HM_ARRAY_LEN(token_fields), &f);
	int64_t days = form_int(&f, "expires_days", AUTH_API_TOKEN_DAYS_DEFAULT);
	int status = 400;
	/* A token does not make tokens (auth_api_token_create refuses too). */
	if (p->via == AUTH_VIA_API_TOKEN)
		return http_fail(res, HM_EFORBIDDEN,
				 "A personal API token cannot make tokens: sign in to make one.");
	if (e == HM_OK && !auth_api_token_days_ok(days)) {
		form_set_error(req, &f, "expires_days", "Choose 30, 90 or 365 days.");
		e = HM_EINVAL;
	}
	if (e == HM_OK && (e = web_reauth(req, res, &f)) == HM_EINVAL)
		status = res->status;
	else if (e != HM_OK && e != HM_EINVAL)
		return e;
	if (e != HM_OK) {
		/* JSON answers with the form alone: no page to build */
		json_t *acct = req->want_json ? json_object()
					      : accounts_account_model(req, res, form_get(&f, "scope"), days);
		if (!acct)
			return HM_ENOTFOUND;
		return site_form_fail(req, res, status, &f, acct, "pages/account", web_t(req, "Your account"));
	}
	char token[AUTH_API_TOKEN_SIZE];
	int64_t id = 0;
	enum auth_token_scope scope =
		strcmp(form_get(&f, "scope"), "write") == 0 ? AUTH_TOKEN_WRITE : AUTH_TOKEN_READ;
	int64_t now = time_now_s();
	e = auth_api_token_create(req->db, p, p->account_id, scope, form_get(&f, "label"),
				  (int)days, now, token, &id);
	if (e != HM_OK)
		return e;
	accounts_notify(req, p->account_id, ACCOUNT_NOTICE_API_TOKEN, form_get(&f, "label"));
	json_t *m = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)id, "token", token,
			      "label", form_get(&f, "label"), "scope", form_get(&f, "scope"),
			      "expires_at",
			      time_format_rfc3339(&req->pool, auth_api_token_expires(now, days)));
	decorate_token(req, m, now);
	res->status = 201;
	http_res_page(res, m, "pages/account_token", web_t(req, "New API token"));
	return HM_OK;
}

/* 1 when list (rows with "id") holds id, and not revoked; -1 when it
 * could not be read. The confirmation is asked about one's own only: any
 * other id is "no such" first, as the change itself answers. */
static int own_row(struct http_req *req, json_t *list, int64_t id)
{
	int found = 0;
	size_t i;
	json_t *r;
	if (!list)
		return -1;
	json_array_foreach(list, i, r) found |= json_integer_value(json_object_get(r, "id")) == id &&
					    !web_str(r, "revoked_at");
	json_decref(list);
	(void)req;
	return found;
}

static enum hm_err post_api_token_revoke(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	enum hm_err e = HM_OK;
	int64_t id = site_id_param(req);
	if (!id)
		return http_fail(res, HM_ENOTFOUND, "There is no such token.");
	if (!web_confirmed(req)) {
		if (web_read_begin(req) != HM_OK)
			return HM_EDB;
		int own = own_row(req, auth_api_token_list(req->db, p->account_id), id);
		db_rollback(req->db);
		if (own < 0)
			return HM_EDB;
		if (!own)
			return http_fail(res, HM_ENOTFOUND, "There is no such token.");
	}
	if (!web_confirmed(req))
		return web_confirm_page(
			req, res,
			&(struct confirm){
				.question = web_t(req, "Revoke this API token?"),
				.lines = {web_t(req, "Programs that use it are refused from now on "
						     "(401). A revoked token cannot be used again: make "
						     "a new one when a program needs it.")},
				.yes = web_t(req, "Yes, revoke it"),
				.back = "/account",
			});
	e = auth_api_token_revoke(req->db, p, p->account_id, id, time_now_s());
	if (e == HM_ENOTFOUND)
		return http_fail(res, HM_ENOTFOUND, "There is no such token.");
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		http_res_page(res, json_pack("{s:b}", "revoked", 1), NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res, "/account");
}

/* Ends one of one's own sessions (another browser, a lost phone). */
static enum hm_err post_session_end(struct http_req *req, struct http_res *res)
{
	int64_t id = site_id_param(req);
	if (!web_confirmed(req)) {
		if (web_read_begin(req) != HM_OK)
			return HM_EDB;
		int own = own_row(req, auth_session_list(req->db, web_principal(req)->account_id,
							 time_now_s()),
				  id);
		db_rollback(req->db);
		if (own < 0)
			return HM_EDB;
		if (!own)
			return http_fail(res, HM_ENOTFOUND, "There is no such session.");
	}
	if (!web_confirmed(req))
		return web_confirm_page(
			req, res,
			&(struct confirm){
				.question = web_t(req, "End this session?"),
				.lines = {web_t(req, "The browser it belongs to is signed out at once; "
						     "signing in there again starts a new session.")},
				.yes = web_t(req, "Yes, end it"),
				.back = "/account",
			});
	enum hm_err e = id ? auth_session_end(req->db, web_principal(req), id, time_now_s())
			   : HM_ENOTFOUND;
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such session.");
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		http_res_page(res, json_pack("{s:b}", "ended", 1), NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res, "/account");
}

/* Ends every session of the account, this browser's too. */
static enum hm_err post_sign_out_everywhere(struct http_req *req, struct http_res *res)
{
	int n = 0;
	if (!web_confirmed(req))
		return web_confirm_page(
			req, res,
			&(struct confirm){
				.question = web_t(req, "Sign out everywhere?"),
				.lines = {web_t(req, "Every browser signed in to your account, this one "
						     "too, is signed out at once.")},
				.yes = web_t(req, "Yes, sign out everywhere"),
				.back = "/account",
			});
	enum hm_err e = auth_sign_out_everywhere(req->db, web_principal(req), time_now_s(), &n);
	if (e != HM_OK)
		return e;
	char *clear = arena_alloc(&req->pool, AUTH_COOKIE_SIZE);
	auth_cookie_header(AUTH_COOKIE_SESSION, NULL, req->secure, clear);
	http_res_header(res, "Set-Cookie", clear);
	if (req->want_json) {
		http_res_page(res, json_pack("{s:i}", "sessions_ended", n), NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res, "/sign-in");
}

const struct route account_routes[] = {
	{GET, "/sign-in", page_sign_in, WEB_PRIVATE},
	{POST, "/sign-in", post_sign_in, WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	{POST, "/sign-out", post_sign_out, WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	{GET, "/account", page_account, WEB_SELF},
	{POST, "/account/api-tokens", post_api_token, WEB_SELF | WEB_CSRF},
	{POST, "/account/api-tokens/{id}/revoke", post_api_token_revoke, WEB_SELF | WEB_CSRF},
	{POST, "/account/sessions/{id}/end", post_session_end, WEB_SELF | WEB_CSRF},
	{POST, "/account/sign-out-everywhere", post_sign_out_everywhere, WEB_SELF | WEB_CSRF},
	{POST, "/api/v1/session", post_sign_in, WEB_JSON | WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	WEB_ROUTES_END,
};
