/*
 * site_reset.c — a forgotten password: asking for a link by e-mail (the
 * same answer whether or not an account has the address, with hourly
 * allowances per address and per network) and choosing a new password
 * through it. Each with its JSON twin under /api/v1/password-reset.
 */
#include "site/feature.h"
#include "features/accounts/accounts.h"
#include "features/accounts/notice.h"

#include "db/db.h"
#include "mail/mail.h"

#define FORGOT_PER_ADDRESS 3        /* reset links an hour per e-mail typed */
#define FORGOT_PER_NETWORK 20       /* requests an hour per client address */
#define FORGOT_WINDOW 3600

/* ===================================================== forgotten password */

static const struct field forgot_fields[] = {
	{.name = "email", .kind = FIELD_EMAIL, .required = 1, .max_len = AUTH_EMAIL_MAX,
	 .label = N_("E-mail address")},
};

static enum hm_err page_forgot(struct http_req *req, struct http_res *res)
{
	web_private(req, res);
	json_t *m = site_csrf_model(req, res);
	json_object_set_new(m, "form", site_empty_form());
	http_res_page(res, m, "pages/forgot_password", web_t(req, "Forgotten password"));
	return HM_OK;
}

/* The same answer whether or not an account has the address, and whether
 * or not its hourly allowance of links is spent. */
static enum hm_err post_forgot(struct http_req *req, struct http_res *res)
{
	struct form f;
	enum hm_err e = form_read(req, forgot_fields, HM_ARRAY_LEN(forgot_fields), &f);
	web_private(req, res);
	const char *title = web_t(req, "Forgotten password");
	if (e != HM_OK)
		return site_form_fail(req, res, 400, &f, site_csrf_model(req, res), "pages/forgot_password",
				      title);
	char email[AUTH_EMAIL_MAX + 1];
	auth_email_normalise(form_get(&f, "email"), email);
	char *net_key = arena_printf(&req->pool, "forgot-net:%s",
				     req->client_addr ? req->client_addr : "-");
	int ok = mail_rate_take(req->db, net_key, FORGOT_PER_NETWORK, FORGOT_WINDOW, time_now_s());
	if (ok < 0)
		return HM_EDB;
	if (ok == 0) {
		f.error = web_t(req, "Too many requests from your network. Please try again later.");
		http_res_header(res, "Retry-After", "3600");
		return site_form_fail(req, res, 429, &f, site_csrf_model(req, res), "pages/forgot_password",
				      title);
	}
	char *mail_key = arena_printf(&req->pool, "forgot-mail:%s", email);
	ok = mail_rate_take(req->db, mail_key, FORGOT_PER_ADDRESS, FORGOT_WINDOW, time_now_s());
	if (ok < 0)
		return HM_EDB;
	if (ok == 1) {
		e = accounts_send_link(req, MAIL_RESET, email, NULL);
		if (e != HM_OK && e != HM_ENOTFOUND && e != HM_EINVAL)
			return e;
	}
	json_t *m = json_pack("{s:b, s:s}", "requested", 1, "email", email);
	if (req->want_json) {
		http_res_page(res, m, NULL, NULL);
		return HM_OK;
	}
	json_object_set_new(m, "form", site_empty_form());
	http_res_page(res, m, "pages/forgot_password", title);
	return HM_OK;
}

/* ====================================================== reset by link */

static const struct field reset_fields[] = {
	{.name = "token", .kind = FIELD_TEXT, .required = 1, .max_len = 100},
	{.name = "password", .kind = FIELD_PASSWORD, .required = 1, .max_len = AUTH_PASSWORD_MAX,
	 .label = N_("New password")},
	{.name = "confirm", .kind = FIELD_PASSWORD, .max_len = AUTH_PASSWORD_MAX,
	 .label = N_("New password again")},
};

static json_t *reset_model(struct http_req *req, struct http_res *res, const char *token)
{
	json_t *m = site_csrf_model(req, res);
	json_object_set_new(m, "token", json_string(token ? token : ""));
	return m;
}

static enum hm_err page_reset(struct http_req *req, struct http_res *res)
{
	const char *token = http_query(req, "token");
	web_private(req, res);
	json_t *m = reset_model(req, res, token);
	json_object_set_new(m, "form", site_empty_form());
	/* An empty password tests the link without using it. */
	if (!token || auth_reset_complete(req->db, token, "", time_now_s(), NULL, NULL, 0) ==
			      HM_ENOTFOUND) {
		res->status = 404;
		json_object_set_new(m, "invalid", json_true());
	}
	http_res_page(res, m, "pages/reset_password", web_t(req, "Choose a new password"));
	return HM_OK;
}

static enum hm_err post_reset(struct http_req *req, struct http_res *res)
{
	struct form f;
	enum hm_err e = form_read(req, reset_fields, HM_ARRAY_LEN(reset_fields), &f);
	web_private(req, res);
	const char *title = web_t(req, "Choose a new password");
	const char *token = form_get(&f, "token"), *pw = form_get(&f, "password");
	const char *confirm = form_get(&f, "confirm");
	const char *problem = pw ? accounts_password_problem(req, pw, NULL, NULL) : NULL;
	if (problem)
		form_set_error(req, &f, "password", problem);
	/* A person types the password twice; a program need not. */
	if (pw && (confirm || !req->want_json) && !str_eq(pw, confirm))
		form_set_error(req, &f, "confirm", "The two passwords are not the same.");
	if (e != HM_OK || f.nerrors)
		return site_form_fail(req, res, 400, &f, reset_model(req, res, token),
				      "pages/reset_password", title);
	int64_t id = 0;
	e = auth_reset_complete(req->db, token, pw, time_now_s(), &id, NULL, 0);
	if (e == HM_ENOTFOUND) {
		f.error = web_t(req, "This link is not valid or has expired. Ask for a new one.");
		json_t *m = reset_model(req, res, token);
		json_object_set_new(m, "invalid", json_true());
		return site_form_fail(req, res, 400, &f, m, "pages/reset_password", title);
	}
	if (e == HM_EINVAL || e == HM_ETOOBIG) {
		/* The page checked what it could without knowing whose link it
		 * is: what is left is the person's own name or address. */
		form_set_error(req, &f, "password",
			       "Your password must not contain your name or your e-mail address.");
		return site_form_fail(req, res, 400, &f, reset_model(req, res, token),
				      "pages/reset_password", title);
	}
	if (e != HM_OK)
		return e;
	accounts_notify(req, id, ACCOUNT_NOTICE_PASSWORD_RESET, NULL);
	/* Every session of the account has ended, this browser's included. */
	char *clear = arena_alloc(&req->pool, AUTH_COOKIE_SIZE);
	auth_cookie_header(AUTH_COOKIE_SESSION, NULL, req->secure, clear);
	http_res_header(res, "Set-Cookie", clear);
	http_res_page(res, json_pack("{s:b}", "done", 1),
		      req->want_json ? NULL : "pages/reset_password", title);
	return HM_OK;
}

const struct route reset_routes[] = {
	{GET, "/forgot-password", page_forgot, WEB_PRIVATE},
	{POST, "/forgot-password", post_forgot, WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	{GET, "/reset-password", page_reset, WEB_PRIVATE},
	{POST, "/reset-password", post_reset, WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	{POST, "/api/v1/password-reset", post_forgot, WEB_JSON | WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	{POST, "/api/v1/password-reset/complete", post_reset, WEB_JSON | WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	WEB_ROUTES_END,
};
