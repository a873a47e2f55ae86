/*
 * admin_site.c — the site's own business: forgotten and reset passwords,
 * one's profile and password, and for administrators the e-mail outbox,
 * the audit log and the accounts with their roles. Each page has its JSON
 * twin under /api/v1/; the same handlers answer both.
 */
#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "events/events.h"
#include "http/server.h"
#include "mail/mail.h"
#include "view/i18n.h"
#include "web/form.h"
#include "web/web.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

#define PER_PAGE 50
#define FORGOT_PER_ADDRESS 3        /* reset links an hour per e-mail typed */
#define FORGOT_PER_NETWORK 20       /* requests an hour per client address */
#define FORGOT_WINDOW 3600

/* ============================================================ helpers */

/* Paths under /api/ answer JSON whatever the Accept header says. */
static void api_json(struct http_req *req)
{
	if (str_starts_with(req->path, "/api/"))
		req->want_json = 1;
}


/* Adds page, pages and the links to neighbouring pages; base is the
 * path with its query so far ("/admin/audit?entity=event"). */
static void paging(json_t *m, int page, int64_t total, const char *base)
{
	int64_t pages = total > 0 ? (total + PER_PAGE - 1) / PER_PAGE : 1;
	const char *sep = strchr(base, '?') ? "&" : "?";
	json_object_set_new(m, "total", json_integer(total));
	json_object_set_new(m, "page", json_integer(page));
	json_object_set_new(m, "pages", json_integer(pages));
	if (page > 1)
		json_object_set_new(m, "prev_url",
				    json_sprintf("%s%spage=%d", base, sep, page - 1));
	if (page < pages)
		json_object_set_new(m, "next_url",
				    json_sprintf("%s%spage=%d", base, sep, page + 1));
}

/* Answers a form that failed: its values and errors, in the page (HTML) or
 * alone (JSON). model (stolen) is the page's other data. */
static enum hm_err form_fail(struct http_req *req, struct http_res *res, int status,
			     const struct form *f, json_t *model, const char *tpl,
			     const char *title)
{
	json_t *fj = form_json(f);
	/* form_json leaves password fields out entirely; their messages (never
	 * their values) must still reach the page. */
	json_t *errors = json_object_get(fj, "errors");
	for (size_t i = 0; i < f->n; i++)
		if (f->fields[i].kind == FIELD_PASSWORD && f->errors[i])
			json_object_set_new(errors, f->fields[i].name, json_string(f->errors[i]));
	res->status = status;
	if (req->want_json || !tpl) {
		json_decref(model);
		http_res_page(res, fj, NULL, NULL);
		return HM_OK;
	}
	json_object_set_new(model, "form", fj);
	http_res_page(res, model, tpl, title);
	return HM_OK;
}

static json_t *empty_form(void)
{
	return json_pack("{s:{}, s:{}}", "values", "errors");
}

/* Marks the admin section a page belongs to, for the sub-navigation. */
static void admin_section(struct http_req *req, json_t *m, const char *key)
{
	if (!req->want_json)
		json_object_set_new(m, "admin_nav", json_pack("{s:b}", key, 1));
}

/* A translated sentence for a password that auth_password_check refuses,
 * or NULL when it is acceptable. */
static const char *password_problem(struct http_req *req, const char *pw)
{
	switch (auth_password_check(pw, NULL, 0)) {
	case HM_OK: return NULL;
	case HM_ETOOBIG: return web_t(req, "This password is too long.");
	default: return web_t(req, "Use at least 12 characters.");
	}
}

/* A timestamp as the reader's date and time (UTC), or the stamp itself. */
static void add_display_time(struct http_req *req, json_t *o, const char *key,
			     const char *out_key)
{
	const char *at = json_string_value(json_object_get(o, key));
	int64_t t = at ? time_parse_rfc3339(at) : -1;
	const char *s = t >= 0 ? fmt_datetime(&req->pool, req->lang, "UTC", t, FMT_MEDIUM) : NULL;
	json_object_set_new(o, out_key, s ? json_string(s) : at ? json_string(at) : json_null());
}

/* The name of a language in itself ("English", "français", "中文"). */
static const char *language_name(struct http_req *req, const char *code)
{
	UChar u[128];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = uloc_getDisplayName(code, code, u, (int32_t)HM_ARRAY_LEN(u), &st);
	if (U_FAILURE(st) || n <= 0)
		return code;
	char *out = arena_alloc(&req->pool, 512);
	int32_t len = 0;
	st = U_ZERO_ERROR;
	u_strToUTF8(out, 512, &len, u, n, &st);
	return U_FAILURE(st) ? code : out;
}

/* [{code, name, selected}…] of the languages the site speaks. */
static json_t *language_choices(struct http_req *req, const char *current)
{
	json_t *a = json_array();
	for (const char *const *l = i18n_languages(); *l; l++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "code", *l, "name",
						   language_name(req, *l), "selected",
						   str_eq(*l, current)));
	return a;
}

static const char *site_name(struct http_req *req)
{
	json_t *s = site_settings(req->db);
	const char *v = json_string_value(json_object_get(s, "site_name"));
	const char *name = arena_strdup(&req->pool, v ? v : "harmony");
	json_decref(s);
	return name;
}

/* ========================================== e-mails with a password link */

enum link_mail { MAIL_RESET, MAIL_INVITE };

/* Makes a reset token for the account and queues the message that
 * carries it, in the account's own language. HM_ENOTFOUND when no account
 * has the e-mail; mail_send's errors otherwise. */
static enum hm_err send_link(struct http_req *req, enum link_mail kind, const char *email,
			     const struct principal *inviter)
{
	char token[AUTH_TOKEN_SIZE];
	int64_t id = 0;
	enum hm_err e = auth_account_find(req->db, email, &id);
	if (e != HM_OK)
		return e;
	json_t *acct = auth_account_get(req->db, id);
	if (!acct)
		return HM_ENOTFOUND;
	if ((e = auth_reset_request(req->db, email, time_now_s(), token)) != HM_OK) {
		json_decref(acct);
		return e;
	}
	const char *lang = json_string_value(json_object_get(acct, "lang"));
	const char *name = json_string_value(json_object_get(acct, "name"));
	const char *to = json_string_value(json_object_get(acct, "email"));
	const char *base = server_base_url(req->srv);
	struct buf b;
	buf_init(&b);
	/* Sentences are msgids of their own, values on lines of their own:
	 * no translated format strings. */
	buf_printf(&b, "%s %s,\n\n", i18n_gettext(lang, "Hello"), name);
	if (kind == MAIL_INVITE) {
		buf_printf(&b, "%s\n%s\n",
			   i18n_gettext(lang, "An account has been made for you on:"),
			   site_name(req));
		if (inviter && inviter->account_id)
			buf_printf(&b, "%s %s\n", i18n_gettext(lang, "Invited by:"), inviter->name);
		buf_printf(&b, "\n%s\n\n",
			   i18n_gettext(lang, "To choose your password and sign in, open this "
					      "link within one hour:"));
	} else {
		buf_printf(&b, "%s\n%s\n\n%s\n\n",
			   i18n_gettext(lang, "Someone, probably you, asked to reset the password "
					      "of your account on:"),
			   site_name(req),
			   i18n_gettext(lang, "To choose a new password, open this link within one "
					      "hour:"));
	}
	buf_printf(&b, "%s/reset-password?token=%s\n\n", base, token);
	if (kind == MAIL_INVITE)
		buf_printf(&b, "%s\n%s/forgot-password\n",
			   i18n_gettext(lang, "When the link has expired, ask for a new one here:"),
			   base);
	else
		buf_printf(&b, "%s\n",
			   i18n_gettext(lang, "If you did not ask for this, ignore this message: "
					      "your password stays as it is."));
	/* The site's name tells the reader where the message is from. */
	const char *subject = arena_printf(
		&req->pool, "%s · %s",
		kind == MAIL_INVITE ? i18n_gettext(lang, "Your account: choose your password")
				    : i18n_gettext(lang, "Reset your password"),
		text_truncate(&req->pool, site_name(req), 100));
	struct mail_opts o = {.to_name = name, .secret = token};
	e = mail_send(req->db, to, subject, b.data, &o, time_now_s(), NULL);
	if (e != HM_OK)
		log_warn("cannot queue the %s message for account %lld",
			 kind == MAIL_INVITE ? "invitation" : "reset", (long long)id);
	buf_free(&b);
	json_decref(acct);
	memset(token, 0, sizeof(token));
	return e;
}

/* ===================================================== forgotten password */

static const struct field forgot_fields[] = {
	{.name = "email", .kind = FIELD_EMAIL, .required = 1, .max_len = AUTH_EMAIL_MAX,
	 .label = "E-mail address"},
};

static json_t *csrf_model(struct http_req *req, struct http_res *res)
{
	return json_pack("{s:s}", "csrf", web_csrf_token(req, res));
}

static enum hm_err page_forgot(struct http_req *req, struct http_res *res)
{
	web_private(req, res);
	json_t *m = csrf_model(req, res);
	json_object_set_new(m, "form", empty_form());
	http_res_page(res, m, "pages/forgot_password", web_t(req, "Forgotten password"));
	return HM_OK;
}

/* The same answer whether or not an account has the address, and whether
 * or not its hourly allowance of links is spent. */
static enum hm_err post_forgot(struct http_req *req, struct http_res *res)
{
	struct form f;
	api_json(req);
	enum hm_err e = form_read(req, forgot_fields, HM_ARRAY_LEN(forgot_fields), &f);
	web_private(req, res);
	if (!web_csrf_valid(req, f.csrf))
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	const char *title = web_t(req, "Forgotten password");
	if (e != HM_OK)
		return form_fail(req, res, 400, &f, csrf_model(req, res), "pages/forgot_password",
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
		return form_fail(req, res, 429, &f, csrf_model(req, res), "pages/forgot_password",
				 title);
	}
	char *mail_key = arena_printf(&req->pool, "forgot-mail:%s", email);
	ok = mail_rate_take(req->db, mail_key, FORGOT_PER_ADDRESS, FORGOT_WINDOW, time_now_s());
	if (ok < 0)
		return HM_EDB;
	if (ok == 1) {
		e = send_link(req, MAIL_RESET, email, NULL);
		if (e != HM_OK && e != HM_ENOTFOUND && e != HM_EINVAL)
			return e;
	}
	json_t *m = json_pack("{s:b, s:s}", "requested", 1, "email", email);
	if (req->want_json) {
		http_res_page(res, m, NULL, NULL);
		return HM_OK;
	}
	json_object_set_new(m, "form", empty_form());
	http_res_page(res, m, "pages/forgot_password", title);
	return HM_OK;
}

/* ====================================================== reset by link */

static const struct field reset_fields[] = {
	{.name = "token", .kind = FIELD_TEXT, .required = 1, .max_len = 100},
	{.name = "password", .kind = FIELD_PASSWORD, .required = 1, .max_len = AUTH_PASSWORD_MAX,
	 .label = "New password"},
	{.name = "confirm", .kind = FIELD_PASSWORD, .max_len = AUTH_PASSWORD_MAX,
	 .label = "New password again"},
};

static json_t *reset_model(struct http_req *req, struct http_res *res, const char *token)
{
	json_t *m = csrf_model(req, res);
	json_object_set_new(m, "token", json_string(token ? token : ""));
	return m;
}

static enum hm_err page_reset(struct http_req *req, struct http_res *res)
{
	const char *token = http_query(req, "token");
	web_private(req, res);
	json_t *m = reset_model(req, res, token);
	json_object_set_new(m, "form", empty_form());
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
	api_json(req);
	enum hm_err e = form_read(req, reset_fields, HM_ARRAY_LEN(reset_fields), &f);
	web_private(req, res);
	if (!web_csrf_valid(req, f.csrf))
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	const char *title = web_t(req, "Choose a new password");
	const char *token = form_get(&f, "token"), *pw = form_get(&f, "password");
	const char *confirm = form_get(&f, "confirm");
	const char *problem = pw ? password_problem(req, pw) : NULL;
	if (problem)
		form_set_error(req, &f, "password", problem);
	/* A person types the password twice; a program need not. */
	if (pw && (confirm || !req->want_json) && !str_eq(pw, confirm))
		form_set_error(req, &f, "confirm", "The two passwords are not the same.");
	if (e != HM_OK || f.nerrors)
		return form_fail(req, res, 400, &f, reset_model(req, res, token),
				 "pages/reset_password", title);
	e = auth_reset_complete(req->db, token, pw, time_now_s(), NULL, NULL, 0);
	if (e == HM_ENOTFOUND) {
		f.error = web_t(req, "This link is not valid or has expired. Ask for a new one.");
		json_t *m = reset_model(req, res, token);
		json_object_set_new(m, "invalid", json_true());
		return form_fail(req, res, 400, &f, m, "pages/reset_password", title);
	}
	if (e == HM_EINVAL || e == HM_ETOOBIG) {
		form_set_error(req, &f, "password", "Use at least 12 characters.");
		return form_fail(req, res, 400, &f, reset_model(req, res, token),
				 "pages/reset_password", title);
	}
	if (e != HM_OK)
		return e;
	/* Every session of the account has ended, this browser's included. */
	char *clear = arena_alloc(&req->pool, AUTH_COOKIE_SIZE);
	auth_cookie_header(AUTH_COOKIE_SESSION, NULL, req->secure, clear);
	http_res_header(res, "Set-Cookie", clear);
	http_res_page(res, json_pack("{s:b}", "done", 1),
		      req->want_json ? NULL : "pages/reset_password", title);
	return HM_OK;
}

/* ============================================================= profile */

/* POST from the form: every field given (an empty organisation clears it).
 * PATCH from a program: only the fields sent change. */
static const struct field profile_post_fields[] = {
	{.name = "name", .kind = FIELD_TEXT, .required = 1, .max_len = AUTH_NAME_MAX,
	 .label = "Name"},
	{.name = "organisation", .kind = FIELD_TEXT, .max_len = AUTH_NAME_MAX,
	 .label = "Organisation"},
	{.name = "lang", .kind = FIELD_CHOICE, .required = 1, .label = "Language"},
};

static enum hm_err require_self(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	struct auth_scope own = {.owner_account_id = p->account_id};
	enum hm_err e = web_require(req, res, AUTH_ACCOUNT_SELF, &own);
	if (e == HM_OK)
		web_private(req, res);
	return e;
}

static json_t *profile_model(struct http_req *req, struct http_res *res, const char *lang)
{
	json_t *m = csrf_model(req, res);
	json_object_set_new(m, "languages", language_choices(req, lang));
	return m;
}

static enum hm_err page_profile(struct http_req *req, struct http_res *res)
{
	api_json(req);
	enum hm_err e = require_self(req, res);
	if (e != HM_OK)
		return e;
	const struct principal *p = web_principal(req);
	json_t *acct = auth_account_get(req->db, p->account_id);
	if (!acct)
		return HM_ENOTFOUND;
	if (req->want_json) {
		http_res_page(res, acct, NULL, NULL);
		return HM_OK;
	}
	json_t *m = profile_model(req, res, json_string_value(json_object_get(acct, "lang")));
	json_t *values = json_pack("{s:O, s:O, s:O}", "name", json_object_get(acct, "name"),
				   "organisation", json_object_get(acct, "organisation"), "lang",
				   json_object_get(acct, "lang"));
	json_object_set_new(m, "form", json_pack("{s:o, s:{}}", "values", values, "errors"));
	json_decref(acct);
	http_res_page(res, m, "pages/profile", web_t(req, "Your profile"));
	return HM_OK;
}

static enum hm_err post_profile(struct http_req *req, struct http_res *res)
{
	struct field fields[HM_ARRAY_LEN(profile_post_fields)];
	struct form f;
	char msg[256];
	api_json(req);
	enum hm_err e = require_self(req, res);
	if (e != HM_OK)
		return e;
	int patch = req->method == HTTP_PATCH;
	memcpy(fields, profile_post_fields, sizeof(fields));
	for (size_t i = 0; i < HM_ARRAY_LEN(fields); i++) {
		if (patch)
			fields[i].required = 0;
		if (fields[i].kind == FIELD_CHOICE)
			fields[i].choices = i18n_languages();
	}
	e = form_read(req, fields, HM_ARRAY_LEN(fields), &f);
	if (!web_csrf_valid(req, f.csrf))
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	const char *title = web_t(req, "Your profile");
	if (e != HM_OK)
		return form_fail(req, res, 400, &f, profile_model(req, res, form_get(&f, "lang")),
				 "pages/profile", title);
	const struct principal *p = web_principal(req);
	const char *org = form_get(&f, "organisation");
	struct account_profile pr = {
		.name = form_get(&f, "name"),
		.organisation = org ? org : patch ? NULL : "",
		.lang = form_get(&f, "lang"),
	};
	e = auth_account_update(req->db, p, p->account_id, &pr, time_now_s(), msg, sizeof(msg));
	if (e == HM_EINVAL || e == HM_ETOOBIG) {
		f.error = web_t(req, "The profile could not be saved. Please check the fields.");
		return form_fail(req, res, 400, &f, profile_model(req, res, form_get(&f, "lang")),
				 "pages/profile", title);
	}
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		json_t *acct = auth_account_get(req->db, p->account_id);
		if (!acct)
			return HM_ENOTFOUND;
		http_res_page(res, acct, NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res, "/account");
}

/* ========================================================== password */

static const struct field password_fields[] = {
	{.name = "current", .kind = FIELD_PASSWORD, .required = 1, .max_len = AUTH_PASSWORD_MAX,
	 .label = "Current password"},
	{.name = "password", .kind = FIELD_PASSWORD, .required = 1, .max_len = AUTH_PASSWORD_MAX,
	 .label = "New password"},
	{.name = "confirm", .kind = FIELD_PASSWORD, .max_len = AUTH_PASSWORD_MAX,
	 .label = "New password again"},
};

static enum hm_err page_password(struct http_req *req, struct http_res *res)
{
	enum hm_err e = require_self(req, res);
	if (e != HM_OK)
		return e;
	json_t *m = csrf_model(req, res);
	json_object_set_new(m, "form", empty_form());
	http_res_page(res, m, "pages/profile_password", web_t(req, "Change your password"));
	return HM_OK;
}

static enum hm_err post_password(struct http_req *req, struct http_res *res)
{
	struct form f;
	char token[AUTH_TOKEN_SIZE], msg[256];
	int64_t retry = 0;
	api_json(req);
	enum hm_err e = require_self(req, res);
	if (e != HM_OK)
		return e;
	e = form_read(req, password_fields, HM_ARRAY_LEN(password_fields), &f);
	if (!web_csrf_valid(req, f.csrf))
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	const char *title = web_t(req, "Change your password");
	const char *cur = form_get(&f, "current"), *pw = form_get(&f, "password");
	const char *confirm = form_get(&f, "confirm");
	const char *problem = pw ? password_problem(req, pw) : NULL;
	if (problem)
		form_set_error(req, &f, "password", problem);
	else if (pw && cur && strcmp(pw, cur) == 0)
		form_set_error(req, &f, "password", "The new password must differ from the current one.");
	if (pw && (confirm || !req->want_json) && !str_eq(pw, confirm))
		form_set_error(req, &f, "confirm", "The two passwords are not the same.");
	if (e != HM_OK || f.nerrors)
		return form_fail(req, res, 400, &f, csrf_model(req, res), "pages/profile_password",
				 title);
	const struct principal *p = web_principal(req);
	int session = p->via == AUTH_VIA_SESSION;
	e = auth_password_change(req->db, p, cur, pw, req->client_addr, time_now_s(),
				 session ? token : NULL, &retry, msg, sizeof(msg));
	if (e == HM_EUNAUTH) {
		form_set_error(req, &f, "current", "The current password is not right.");
		return form_fail(req, res, 400, &f, csrf_model(req, res), "pages/profile_password",
				 title);
	}
	if (e == HM_EFORBIDDEN && retry > 0) {
		f.error = arena_printf(&req->pool,
				       web_t(req, "Too many failed attempts. Please wait %lld "
						  "seconds and try again."),
				       (long long)retry);
		http_res_header(res, "Retry-After",
				arena_printf(&req->pool, "%lld", (long long)retry));
		return form_fail(req, res, 429, &f, csrf_model(req, res), "pages/profile_password",
				 title);
	}
	if (e == HM_EINVAL || e == HM_ETOOBIG) {
		form_set_error(req, &f, "password", "Use at least 12 characters.");
		return form_fail(req, res, 400, &f, csrf_model(req, res), "pages/profile_password",
				 title);
	}
	if (e != HM_OK)
		return e;
	if (session) {
		/* Every session ended with the old password; this browser
		 * carries on in a fresh one. */
		char *cookie = arena_alloc(&req->pool, AUTH_COOKIE_SIZE);
		auth_cookie_header(AUTH_COOKIE_SESSION, token, req->secure, cookie);
		http_res_header(res, "Set-Cookie", cookie);
		memset(token, 0, sizeof(token));
	}
	http_res_page(res, json_pack("{s:b}", "changed", 1),
		      req->want_json ? NULL : "pages/profile_password", title);
	return HM_OK;
}

/* ============================================================== outbox */

static const char *const mail_statuses[] = {"queued", "sending", "sent", "failed", NULL};

static const char *status_label(struct http_req *req, const char *s)
{
	if (str_eq(s, "queued"))
		return web_t(req, "Queued");
	if (str_eq(s, "sending"))
		return web_t(req, "Sending");
	if (str_eq(s, "sent"))
		return web_t(req, "Sent");
	if (str_eq(s, "failed"))
		return web_t(req, "Failed");
	return s ? s : "";
}

static void decorate_message(struct http_req *req, json_t *m)
{
	const char *st = json_string_value(json_object_get(m, "status"));
	json_int_t id = json_integer_value(json_object_get(m, "id"));
	json_object_set_new(m, "url", json_sprintf("/admin/outbox/%lld", (long long)id));
	json_object_set_new(m, "status_label", json_string(status_label(req, st)));
	json_object_set_new(m, "is_retryable",
			    json_boolean(str_eq(st, "queued") || str_eq(st, "failed")));
	json_object_set_new(m, "is_failed", json_boolean(str_eq(st, "failed")));
	add_display_time(req, m, "created_at", "created_display");
	add_display_time(req, m, "sent_at", "sent_display");
}

static enum hm_err require_admin(struct http_req *req, struct http_res *res,
				 enum auth_action a)
{
	api_json(req);
	enum hm_err e = web_require(req, res, a, NULL);
	if (e == HM_OK)
		web_private(req, res);
	return e;
}

static enum hm_err page_outbox(struct http_req *req, struct http_res *res)
{
	enum hm_err e = require_admin(req, res, AUTH_SITE_ADMIN);
	if (e != HM_OK)
		return e;
	const char *status = http_query(req, "status");
	int page = web_page_param(req);
	if (status && !*status)
		status = NULL;
	int known = !status;
	for (const char *const *s = mail_statuses; *s && !known; s++)
		known = str_eq(*s, status);
	if (!known || !page)
		return http_fail(res, HM_EINVAL, "There is no such list of messages.");
	int64_t total = 0;
	json_t *list = mail_list(req->db, status, PER_PAGE, (page - 1) * PER_PAGE, &total);
	size_t i;
	json_t *msg;
	json_array_foreach(list, i, msg)
		decorate_message(req, msg);
	json_t *m = json_pack("{s:o}", "messages", list);
	if (!req->want_json) {
		json_t *choices = json_array();
		for (const char *const *s = mail_statuses; *s; s++)
			json_array_append_new(choices,
					      json_pack("{s:s, s:s, s:b}", "key", *s, "label",
							status_label(req, *s), "selected",
							str_eq(*s, status)));
		json_object_set_new(m, "statuses", choices);
	}
	json_object_set_new(m, "status", status ? json_string(status) : json_null());
	char where[1024];
	const char *w = mail_sender_where(where, sizeof(where));
	json_object_set_new(m, "delivery", w ? json_string(w) : json_null());
	json_object_set_new(m, "delivery_smtp", json_boolean(w && str_starts_with(w, "smtp")));
	paging(m, page, total,
	       status ? arena_printf(&req->pool, "/admin/outbox?status=%s", status)
		      : "/admin/outbox");
	admin_section(req, m, "outbox");
	http_res_page(res, m, "admin/outbox", web_t(req, "E-mail outbox"));
	return HM_OK;
}

static int64_t id_param(struct http_req *req)
{
	const char *s = http_param(req, "id");
	char *end;
	long long n = s ? strtoll(s, &end, 10) : 0;
	return s && *s && !*end && n > 0 ? (int64_t)n : 0;
}

static enum hm_err page_outbox_message(struct http_req *req, struct http_res *res)
{
	enum hm_err e = require_admin(req, res, AUTH_SITE_ADMIN);
	if (e != HM_OK)
		return e;
	int64_t id = id_param(req);
	json_t *m = id ? mail_get(req->db, id) : NULL;
	if (!m)
		return http_fail(res, HM_ENOTFOUND, "There is no such message.");
	decorate_message(req, m);
	add_display_time(req, m, "next_attempt_at", "next_attempt_display");
	if (!req->want_json) {
		json_object_set_new(m, "csrf", json_string(web_csrf_token(req, res)));
		admin_section(req, m, "outbox");
	}
	http_res_page(res, m, "admin/outbox_message", web_t(req, "E-mail message"));
	return HM_OK;
}

static enum hm_err post_outbox_retry(struct http_req *req, struct http_res *res)
{
	enum hm_err e = require_admin(req, res, AUTH_SITE_ADMIN);
	if (e != HM_OK)
		return e;
	if ((e = web_post_guard(req, res)) != HM_OK)
		return e;
	int64_t id = id_param(req);
	e = id ? mail_retry(req->db, web_principal(req), id, time_now_s()) : HM_ENOTFOUND;
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such message.");
	if (e == HM_ECONFLICT)
		return http_fail(res, e, "This message is sent or being sent.");
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		json_t *m = mail_get(req->db, id);
		if (!m)
			return HM_ENOTFOUND;
		http_res_page(res, m, NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/outbox/%lld", (long long)id));
}

/* =========================================================== audit log */

/* The log's filters are optional: a NULL value matches everything. Each
 * is bound more than once, so one fixed statement serves every mix. */
#define AUDIT_WHERE                                                                            \
	"WHERE (CAST(? AS TEXT) IS NULL OR entity = ?) "                                      \
	"AND (CAST(? AS INTEGER) IS NULL OR entity_id = ?) "                                  \
	"AND (CAST(? AS TEXT) IS NULL OR actor = ?) "                                         \
	"AND (CAST(? AS TEXT) IS NULL OR substr(action, 1, length(?)) = ?) "                  \
	"AND (CAST(? AS TEXT) IS NULL OR at >= ?) "                                           \
	"AND (CAST(? AS TEXT) IS NULL OR at <= ?) "

enum site_sql {
	SQL_AUDIT_PAGE,
	SQL_AUDIT_COUNT,
	SQL_AUDIT_ENTITIES,
	SQL_EVENT_SLUGS,
	SQL_SERIES_SLUGS,
	SITE_SQL__MAX
};

static const char *const site_sql[SITE_SQL__MAX] = {
	[SQL_AUDIT_PAGE] = "SELECT id, at, actor, action, entity, entity_id, before_json, "
			   "after_json FROM audit_log " AUDIT_WHERE
			   "ORDER BY id DESC LIMIT ? OFFSET ?",
	[SQL_AUDIT_COUNT] = "SELECT count(*) FROM audit_log " AUDIT_WHERE,
	[SQL_AUDIT_ENTITIES] = "SELECT DISTINCT entity FROM audit_log ORDER BY entity",
	[SQL_EVENT_SLUGS] = "SELECT slug, title FROM event ORDER BY starts_on DESC, id",
	[SQL_SERIES_SLUGS] = "SELECT slug, title FROM series ORDER BY title, id",
};

static struct db_stmt *site_prep(struct db *db, enum site_sql i)
{
	return db_prepare(db, site_sql[i]);
}

struct audit_filter {
	const char *entity, *actor, *action, *from, *to; /* NULL: any */
	int64_t entity_id;                                /* 0: any */
};

/* Binds the filter from position 1; returns the next free position. */
static int bind_filter(struct db_stmt *st, const struct audit_filter *fl)
{
	int i = 1;
	const char *texts[] = {fl->entity, NULL, fl->actor, fl->action, fl->from, fl->to};
	for (size_t k = 0; k < HM_ARRAY_LEN(texts); k++) {
		if (k == 1) {
			if (fl->entity_id) {
				db_bind_int(st, i++, fl->entity_id);
				db_bind_int(st, i++, fl->entity_id);
			} else {
				db_bind_null(st, i++);
				db_bind_null(st, i++);
			}
			continue;
		}
		int times = k == 3 ? 3 : 2; /* the action is a prefix: three uses */
		for (int t = 0; t < times; t++)
			db_bind_text(st, i++, texts[k]);
	}
	return i;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* A value as one line for the diff: strings as they are, the rest as
 * compact JSON. */
static json_t *diff_value(const json_t *v)
{
	if (!v)
		return json_null();
	if (json_is_string(v))
		return json_string(json_string_value(v));
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_t *o = json_string(s ? s : "");
	free(s);
	return o;
}

/* [{key, before, after, kind: added|removed|changed}…] for the keys
 * whose values differ, in key order. Non-objects count as {"value": v}. */
static json_t *audit_changes(json_t *before, json_t *after)
{
	json_t *b = json_is_object(before) ? json_incref(before)
		  : json_is_null(before) || !before ? json_object()
						     : json_pack("{s:O}", "value", before);
	json_t *a = json_is_object(after) ? json_incref(after)
		  : json_is_null(after) || !after ? json_object()
						   : json_pack("{s:O}", "value", after);
	json_t *keys = json_object(), *out = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(b, k, v)
		json_object_set_new(keys, k, json_true());
	json_object_foreach(a, k, v)
		json_object_set_new(keys, k, json_true());
	/* jansson keeps insertion order; sort for a stable diff. */
	size_t n = json_object_size(keys), i = 0;
	const char **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	json_object_foreach(keys, k, v)
		sorted[i++] = k;
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	for (i = 0; i < n; i++) {
		json_t *bv = json_object_get(b, sorted[i]), *av = json_object_get(a, sorted[i]);
		if (bv && av && json_equal(bv, av))
			continue;
		const char *kind = !bv ? "added" : !av ? "removed" : "changed";
		json_array_append_new(out, json_pack("{s:s, s:o, s:o, s:s, s:b, s:b}", "key",
						     sorted[i], "before", diff_value(bv), "after",
						     diff_value(av), "kind", kind, "has_before",
						     bv != NULL, "has_after", av != NULL));
	}
	free(sorted);
	json_decref(keys);
	json_decref(a);
	json_decref(b);
	return out;
}

/* 1 if s is "YYYY-MM-DD" with plausible numbers. */
static int date_ok(const char *s)
{
	int y, m, d;
	char tail;
	return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
	       sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && y >= 1970 && y <= 9999 &&
	       m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* A query argument, NULL when absent or empty. */
static const char *query_opt(struct http_req *req, const char *name)
{
	const char *v = http_query(req, name);
	return v && *v ? v : NULL;
}

/* A link from an audit entry to the admin page of its thing, where there
 * is one. */
static void audit_link(json_t *row)
{
	const char *entity = json_string_value(json_object_get(row, "entity"));
	json_int_t id = json_integer_value(json_object_get(row, "entity_id"));
	if (!id)
		return;
	if (str_eq(entity, "account"))
		json_object_set_new(row, "entity_url",
				    json_sprintf("/admin/accounts/%lld", (long long)id));
	else if (str_eq(entity, "mail"))
		json_object_set_new(row, "entity_url",
				    json_sprintf("/admin/outbox/%lld", (long long)id));
}

static enum hm_err page_audit(struct http_req *req, struct http_res *res)
{
	enum hm_err e = require_admin(req, res, AUTH_AUDIT_READ);
	if (e != HM_OK)
		return e;
	struct audit_filter fl = {
		.entity = query_opt(req, "entity"),
		.actor = query_opt(req, "actor"),
		.action = query_opt(req, "action"),
		.from = query_opt(req, "from"),
		.to = query_opt(req, "to"),
	};
	const char *eid = query_opt(req, "entity_id");
	int page = web_page_param(req);
	if (!page)
		return http_fail(res, HM_EINVAL, "The page number must be a whole number from 1.");
	if ((fl.from && !date_ok(fl.from)) || (fl.to && !date_ok(fl.to)))
		return http_fail(res, HM_EINVAL, "Enter a date as YYYY-MM-DD.");
	if (eid) {
		char *end;
		long long n = strtoll(eid, &end, 10);
		if (*end || n <= 0)
			return http_fail(res, HM_EINVAL,
					 "The entity number must be a whole number from 1.");
		fl.entity_id = n;
	}
	if (fl.actor) {
		/* Accounts are recorded by their normalised e-mail. */
		char norm[AUTH_EMAIL_MAX + 1];
		if (auth_email_normalise(fl.actor, norm) == HM_OK)
			fl.actor = arena_strdup(&req->pool, norm);
	}
	json_t *filters = json_object();
	struct {
		const char *key, *value;
	} shown[] = {{"entity", fl.entity}, {"entity_id", eid}, {"actor", fl.actor},
		     {"action", fl.action}, {"from", fl.from}, {"to", fl.to}};
	struct buf base;
	char sep = '?';
	buf_init(&base);
	buf_puts(&base, "/admin/audit");
	for (size_t i = 0; i < HM_ARRAY_LEN(shown); i++) {
		if (!shown[i].value)
			continue;
		json_object_set_new(filters, shown[i].key, json_string(shown[i].value));
		buf_printf(&base, "%c%s=", sep, shown[i].key);
		sep = '&';
		url_encode(&base, shown[i].value);
	}
	/* Whole days: from its first second to the last second of "to". */
	if (fl.from)
		fl.from = arena_printf(&req->pool, "%sT00:00:00Z", fl.from);
	if (fl.to)
		fl.to = arena_printf(&req->pool, "%sT23:59:59Z", fl.to);

	int64_t total = 0;
	json_t *rows = json_array();
	if (db_begin_read(req->db) != HM_OK) {
		json_decref(rows);
		json_decref(filters);
		buf_free(&base);
		return HM_EDB;
	}
	struct db_stmt *st = site_prep(req->db, SQL_AUDIT_COUNT);
	if (st) {
		bind_filter(st, &fl);
		if (db_step(st) == 1)
			total = db_col_int(st, 0);
		db_done(st);
	}
	if ((st = site_prep(req->db, SQL_AUDIT_PAGE))) {
		int i = bind_filter(st, &fl);
		db_bind_int(st, i++, PER_PAGE);
		db_bind_int(st, i, (int64_t)(page - 1) * PER_PAGE);
		json_decref(rows);
		rows = db_rows_json(st);
	}
	json_t *entities = db_rows_json(site_prep(req->db, SQL_AUDIT_ENTITIES));
	db_rollback(req->db);

	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *b = json_string_value(json_object_get(row, "before_json"));
		const char *a = json_string_value(json_object_get(row, "after_json"));
		json_t *before = b ? json_loads(b, JSON_DECODE_ANY, NULL) : NULL;
		json_t *after = a ? json_loads(a, JSON_DECODE_ANY, NULL) : NULL;
		json_object_set_new(row, "changes", audit_changes(before, after));
		json_object_set_new(row, "before", before ? before : json_null());
		json_object_set_new(row, "after", after ? after : json_null());
		json_object_del(row, "before_json");
		json_object_del(row, "after_json");
		add_display_time(req, row, "at", "at_display");
		audit_link(row);
	}
	json_t *entity_choices = json_array();
	json_array_foreach(entities, i, row) {
		const char *name = json_string_value(json_object_get(row, "entity"));
		json_array_append_new(entity_choices, json_pack("{s:s, s:b}", "name", name, "selected",
								str_eq(name, fl.entity)));
	}
	json_decref(entities);
	json_t *m = json_pack("{s:o, s:o, s:o}", "entries", rows, "filters", filters, "entities",
			      entity_choices);
	paging(m, page, total, base.data);
	buf_free(&base);
	admin_section(req, m, "audit");
	http_res_page(res, m, "admin/audit", web_t(req, "Audit log"));
	return HM_OK;
}

/* ============================================================ accounts */

static const char *const role_choices[] = {"participant", "organiser", "admin", NULL};

static const struct field account_fields[] = {
	{.name = "email", .kind = FIELD_EMAIL, .required = 1, .max_len = AUTH_EMAIL_MAX,
	 .label = "E-mail address"},
	{.name = "name", .kind = FIELD_TEXT, .required = 1, .max_len = AUTH_NAME_MAX,
	 .label = "Name"},
	{.name = "organisation", .kind = FIELD_TEXT, .max_len = AUTH_NAME_MAX,
	 .label = "Organisation"},
	{.name = "lang", .kind = FIELD_CHOICE, .label = "Language"},
	{.name = "role", .kind = FIELD_CHOICE, .choices = role_choices, .label = "Role"},
	{.name = "event", .kind = FIELD_SLUG, .label = "Event"},
	{.name = "series", .kind = FIELD_SLUG, .label = "Series"},
};

static const char *const grant_roles[] = {"organiser", "admin", NULL};

static const struct field grant_fields[] = {
	{.name = "role", .kind = FIELD_CHOICE, .required = 1, .choices = grant_roles,
	 .label = "Role"},
	{.name = "event", .kind = FIELD_SLUG, .label = "Event"},
	{.name = "series", .kind = FIELD_SLUG, .label = "Series"},
};

/* The grant a role form asks for; field errors set on f when it names
 * no, two or an unknown event or series. 1 when g is usable. */
static int grant_from_form(struct http_req *req, struct form *f, struct auth_grant *g)
{
	const char *role = form_get(f, "role"), *ev = form_get(f, "event");
	const char *se = form_get(f, "series");
	struct auth_scope sc;
	memset(g, 0, sizeof(*g));
	if (str_eq(role, "admin")) {
		g->role = AUTH_ROLE_ADMIN;
		return 1;
	}
	g->role = AUTH_ROLE_ORGANISER;
	if ((ev != NULL) == (se != NULL)) {
		form_set_error(req, f, ev ? "series" : "event",
			       "An organiser needs one event or one series.");
		return 0;
	}
	if (ev) {
		if (auth_scope_event(req->db, ev, &sc) != HM_OK) {
			form_set_error(req, f, "event", "There is no event with this address.");
			return 0;
		}
		g->event_id = sc.event_id;
	} else {
		if (auth_scope_series(req->db, se, &sc) != HM_OK) {
			form_set_error(req, f, "series", "There is no series with this address.");
			return 0;
		}
		g->series_id = sc.series_id;
	}
	return 1;
}

/* A grant named in a path: "admin", "event:SLUG" or "series:SLUG". */
static enum hm_err grant_parse(struct http_req *req, const char *s, struct auth_grant *g)
{
	struct auth_scope sc;
	memset(g, 0, sizeof(*g));
	if (str_eq(s, "admin")) {
		g->role = AUTH_ROLE_ADMIN;
		return HM_OK;
	}
	g->role = AUTH_ROLE_ORGANISER;
	if (s && str_starts_with(s, "event:") && auth_scope_event(req->db, s + 6, &sc) == HM_OK) {
		g->event_id = sc.event_id;
		return HM_OK;
	}
	if (s && str_starts_with(s, "series:") && auth_scope_series(req->db, s + 7, &sc) == HM_OK) {
		g->series_id = sc.series_id;
		return HM_OK;
	}
	return HM_ENOTFOUND;
}

/* Adds to each role its name in paths ("event:SLUG"), a label and where
 * it leads. */
static void decorate_roles(struct http_req *req, json_t *acct)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(acct, "roles"), i, r) {
		const char *role = json_string_value(json_object_get(r, "role"));
		const char *ev = json_string_value(json_object_get(r, "event_slug"));
		const char *se = json_string_value(json_object_get(r, "series_slug"));
		if (str_eq(role, "admin")) {
			json_object_set_new(r, "grant", json_string("admin"));
			json_object_set_new(r, "label", json_string(web_t(req, "Administrator")));
			/* Present, so a template never finds the account's url instead. */
			json_object_set_new(r, "url", json_null());
		} else if (ev) {
			json_object_set_new(r, "grant", json_sprintf("event:%s", ev));
			json_object_set_new(r, "label",
					    json_string(web_t(req, "Organiser of the event")));
			json_object_set_new(r, "url", json_sprintf("/events/%s", ev));
		} else if (se) {
			json_object_set_new(r, "grant", json_sprintf("series:%s", se));
			json_object_set_new(r, "label",
					    json_string(web_t(req, "Organiser of the series")));
			json_object_set_new(r, "url", json_sprintf("/series/%s", se));
		}
	}
}

static void decorate_account(struct http_req *req, json_t *acct)
{
	json_int_t id = json_integer_value(json_object_get(acct, "id"));
	json_object_set_new(acct, "url", json_sprintf("/admin/accounts/%lld", (long long)id));
	add_display_time(req, acct, "created_at", "created_display");
	decorate_roles(req, acct);
}

/* The account of the path: a number or an e-mail address; 0 when none. */
static int64_t account_param(struct http_req *req)
{
	int64_t id = id_param(req);
	const char *s = http_param(req, "id");
	if (!id && s && strchr(s, '@') && auth_account_find(req->db, s, &id) != HM_OK)
		id = 0;
	return id;
}

/* Events and series for the role form's suggestions. */
static void add_scopes(struct http_req *req, json_t *m)
{
	json_object_set_new(m, "events", db_rows_json(site_prep(req->db, SQL_EVENT_SLUGS)));
	json_object_set_new(m, "series", db_rows_json(site_prep(req->db, SQL_SERIES_SLUGS)));
}

/* 1 if hay contains needle, ignoring case in any script ("PÉREZ" finds
 * "Pérez"); texts too long to fold never match. */
static int contains_folded(const char *hay, const char *needle)
{
	UChar h[600], n[300], hf[600], nf[300];
	UErrorCode st = U_ZERO_ERROR;
	int32_t hl = 0, nl = 0;
	u_strFromUTF8(h, (int32_t)HM_ARRAY_LEN(h), &hl, hay ? hay : "", -1, &st);
	u_strFromUTF8(n, (int32_t)HM_ARRAY_LEN(n), &nl, needle, -1, &st);
	hl = u_strFoldCase(hf, (int32_t)HM_ARRAY_LEN(hf), h, hl, U_FOLD_CASE_DEFAULT, &st);
	nl = u_strFoldCase(nf, (int32_t)HM_ARRAY_LEN(nf), n, nl, U_FOLD_CASE_DEFAULT, &st);
	if (U_FAILURE(st) || hl >= (int32_t)HM_ARRAY_LEN(hf) || nl >= (int32_t)HM_ARRAY_LEN(nf))
		return 0;
	hf[hl] = 0;
	nf[nl] = 0;
	return u_strstr(hf, nf) != NULL;
}

/* Which role the form's select shows chosen. */
static void role_flags(json_t *m, const char *role, int with_participant)
{
	json_object_set_new(m, "with_participant", json_boolean(with_participant));
	json_object_set_new(m, "role_participant", json_boolean(str_eq(role, "participant")));
	json_object_set_new(m, "role_organiser", json_boolean(str_eq(role, "organiser")));
	json_object_set_new(m, "role_admin", json_boolean(str_eq(role, "admin")));
}

static json_t *accounts_model(struct http_req *req, struct http_res *res, int page,
			      const char *q, const char *lang)
{
	json_t *all = auth_account_list(req->db), *shown = json_array();
	size_t i;
	json_t *a;
	int64_t total = 0;
	json_array_foreach(all, i, a) {
		const char *email = json_string_value(json_object_get(a, "email"));
		const char *name = json_string_value(json_object_get(a, "name"));
		if (q && !contains_folded(email, q) && !contains_folded(name, q))
			continue;
		if (total >= (int64_t)(page - 1) * PER_PAGE && total < (int64_t)page * PER_PAGE) {
			decorate_account(req, a);
			json_array_append(shown, a);
		}
		total++;
	}
	json_decref(all);
	json_t *m = json_pack("{s:o}", "accounts", shown);
	json_object_set_new(m, "q", q ? json_string(q) : json_null());
	struct buf base;
	buf_init(&base);
	buf_puts(&base, "/admin/accounts");
	if (q) {
		buf_puts(&base, "?q=");
		url_encode(&base, q);
	}
	paging(m, page, total, base.data);
	buf_free(&base);
	if (!req->want_json) {
		json_object_set_new(m, "csrf", json_string(web_csrf_token(req, res)));
		json_object_set_new(m, "languages", language_choices(req, lang ? lang : "en"));
		add_scopes(req, m);
		admin_section(req, m, "accounts");
	}
	return m;
}

static enum hm_err page_accounts(struct http_req *req, struct http_res *res)
{
	enum hm_err e = require_admin(req, res, AUTH_ACCOUNT_MANAGE);
	if (e != HM_OK)
		return e;
	int page = web_page_param(req);
	if (!page)
		return http_fail(res, HM_EINVAL, "The page number must be a whole number from 1.");
	json_t *m = accounts_model(req, res, page, query_opt(req, "q"), NULL);
	if (!req->want_json) {
		json_object_set_new(m, "form", json_pack("{s:{s:s, s:s}, s:{}}", "values", "role",
							 "participant", "lang", "en", "errors"));
		role_flags(m, "participant", 1);
	}
	http_res_page(res, m, "admin/accounts", web_t(req, "Accounts"));
	return HM_OK;
}

static enum hm_err post_account_create(struct http_req *req, struct http_res *res)
{
	struct field fields[HM_ARRAY_LEN(account_fields)];
	struct form f;
	struct auth_grant g;
	char msg[256];
	enum hm_err e = require_admin(req, res, AUTH_ACCOUNT_MANAGE);
	if (e != HM_OK)
		return e;
	memcpy(fields, account_fields, sizeof(fields));
	for (size_t i = 0; i < HM_ARRAY_LEN(fields); i++)
		if (str_eq(fields[i].name, "lang"))
			fields[i].choices = i18n_languages();
	e = form_read(req, fields, HM_ARRAY_LEN(fields), &f);
	if (!web_csrf_valid(req, f.csrf))
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	const char *role = form_get(&f, "role");
	int with_grant = role && !str_eq(role, "participant");
	if (e == HM_OK && with_grant)
		grant_from_form(req, &f, &g);
	const char *title = web_t(req, "Accounts");
	json_t *m = NULL;
	if (!req->want_json) {
		m = accounts_model(req, res, 1, NULL, form_get(&f, "lang"));
		role_flags(m, role, 1);
	}
	if (e != HM_OK || f.nerrors)
		return form_fail(req, res, 400, &f, m, "admin/accounts", title);
	struct account_new a = {
		.email = form_get(&f, "email"),
		.name = form_get(&f, "name"),
		.organisation = form_get(&f, "organisation"),
		.lang = form_get(&f, "lang"),
		.password = NULL, /* they choose it from the invitation */
		.grant = with_grant ? &g : NULL,
	};
	int64_t id = 0;
	const struct principal *p = web_principal(req);
	e = auth_account_create(req->db, p, &a, time_now_s(), &id, msg, sizeof(msg));
	if (e == HM_EEXIST || e == HM_EINVAL || e == HM_ETOOBIG) {
		if (e == HM_EEXIST)
			form_set_error(req, &f, "email", "An account with this e-mail address exists.");
		else
			f.error = web_t(req, "The account could not be made. Please check the fields.");
		return form_fail(req, res, e == HM_EEXIST ? 409 : 400, &f, m, "admin/accounts",
				 title);
	}
	json_decref(m);
	if (e != HM_OK)
		return e;
	enum hm_err me = send_link(req, MAIL_INVITE, a.email, p);
	if (req->want_json) {
		json_t *acct = auth_account_get(req->db, id);
		if (!acct)
			return HM_ENOTFOUND;
		decorate_roles(req, acct);
		json_object_set_new(acct, "invitation",
				    json_string(me == HM_OK ? "queued" : "not sent"));
		res->status = 201;
		http_res_header(res, "Location",
				arena_printf(&req->pool, "/api/v1/accounts/%lld", (long long)id));
		http_res_page(res, acct, NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/accounts/%lld?invited=%d", (long long)id,
					 me == HM_OK));
}

static enum hm_err page_account_one(struct http_req *req, struct http_res *res)
{
	enum hm_err e = require_admin(req, res, AUTH_ACCOUNT_MANAGE);
	if (e != HM_OK)
		return e;
	int64_t id = account_param(req);
	json_t *acct = id ? auth_account_get(req->db, id) : NULL;
	if (!acct)
		return http_fail(res, HM_ENOTFOUND, "There is no such account.");
	decorate_account(req, acct);
	if (req->want_json) {
		http_res_page(res, acct, NULL, NULL);
		return HM_OK;
	}
	const char *invited = http_query(req, "invited");
	json_t *log = audit_list(req->db, "account", id, 20);
	size_t i;
	json_t *row;
	json_array_foreach(log, i, row) {
		json_object_set_new(row, "changes", audit_changes(json_object_get(row, "before"),
								  json_object_get(row, "after")));
		add_display_time(req, row, "at", "at_display");
	}
	json_t *m = json_pack("{s:o, s:o, s:s, s:{s:{s:s}, s:{}}}", "account", acct, "history", log,
			      "csrf", web_csrf_token(req, res), "form", "values", "role", "organiser",
			      "errors");
	if (invited)
		json_object_set_new(m, str_eq(invited, "1") ? "invited" : "not_invited",
				    json_true());
	add_scopes(req, m);
	role_flags(m, "organiser", 0);
	admin_section(req, m, "accounts");
	http_res_page(res, m, "admin/accounts_one",
		      json_string_value(json_object_get(acct, "name")));
	return HM_OK;
}

static enum hm_err post_role_grant(struct http_req *req, struct http_res *res)
{
	struct form f;
	struct auth_grant g;
	enum hm_err e = require_admin(req, res, AUTH_ACCOUNT_MANAGE);
	if (e != HM_OK)
		return e;
	e = form_read(req, grant_fields, HM_ARRAY_LEN(grant_fields), &f);
	if (!web_csrf_valid(req, f.csrf))
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	int64_t id = account_param(req);
	json_t *acct = id ? auth_account_get(req->db, id) : NULL;
	if (!acct)
		return http_fail(res, HM_ENOTFOUND, "There is no such account.");
	if (e == HM_OK)
		grant_from_form(req, &f, &g);
	if (e == HM_OK && !f.nerrors) {
		e = auth_role_grant(req->db, web_principal(req), id, &g, time_now_s());
		if (e == HM_EEXIST)
			f.error = web_t(req, "This account has this role already.");
		else if (e == HM_EINVAL)
			f.error = web_t(req, "This role cannot be given.");
		else if (e != HM_OK) {
			json_decref(acct);
			return e;
		}
	}
	if (f.nerrors || f.error) {
		decorate_account(req, acct);
		json_t *m = json_pack("{s:o, s:s, s:[]}", "account", acct, "csrf",
				      web_csrf_token(req, res), "history");
		add_scopes(req, m);
		role_flags(m, form_get(&f, "role"), 0);
		admin_section(req, m, "accounts");
		return form_fail(req, res, e == HM_EEXIST ? 409 : 400, &f, m, "admin/accounts_one",
				 web_t(req, "Accounts"));
	}
	json_decref(acct);
	if (req->want_json) {
		acct = auth_account_get(req->db, id);
		if (!acct)
			return HM_ENOTFOUND;
		decorate_account(req, acct);
		res->status = 201;
		http_res_page(res, acct, NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/accounts/%lld", (long long)id));
}

static enum hm_err post_role_revoke(struct http_req *req, struct http_res *res)
{
	struct auth_grant g;
	enum hm_err e = require_admin(req, res, AUTH_ACCOUNT_MANAGE);
	if (e != HM_OK)
		return e;
	if ((e = web_post_guard(req, res)) != HM_OK)
		return e;
	int64_t id = account_param(req);
	if (!id)
		return http_fail(res, HM_ENOTFOUND, "There is no such account.");
	if (grant_parse(req, http_param(req, "grant"), &g) != HM_OK)
		return http_fail(res, HM_ENOTFOUND, "This account does not have this role.");
	const struct principal *p = web_principal(req);
	/* The last door out of administration stays shut behind nobody. */
	if (g.role == AUTH_ROLE_ADMIN && id == p->account_id)
		return http_fail(res, HM_ECONFLICT, "You cannot remove your own administrator role.");
	e = auth_role_revoke(req->db, p, id, &g, time_now_s());
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "This account does not have this role.");
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		json_t *acct = auth_account_get(req->db, id);
		if (!acct)
			return HM_ENOTFOUND;
		decorate_account(req, acct);
		http_res_page(res, acct, NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/accounts/%lld", (long long)id));
}

/* Sends a fresh invitation (a new link; older ones stop working). */
static enum hm_err post_invite(struct http_req *req, struct http_res *res)
{
	enum hm_err e = require_admin(req, res, AUTH_ACCOUNT_MANAGE);
	if (e != HM_OK)
		return e;
	if ((e = web_post_guard(req, res)) != HM_OK)
		return e;
	int64_t id = account_param(req);
	json_t *acct = id ? auth_account_get(req->db, id) : NULL;
	if (!acct)
		return http_fail(res, HM_ENOTFOUND, "There is no such account.");
	const struct principal *p = web_principal(req);
	e = send_link(req, MAIL_INVITE, json_string_value(json_object_get(acct, "email")), p);
	json_decref(acct);
	if (e == HM_EINVAL)
		return http_fail(res, HM_EINVAL, "No message can be sent to this address.");
	if (e != HM_OK)
		return e;
	json_t *after = json_pack("{s:s}", "invitation", "sent");
	audit_record(req->db, p, "account.invite", "account", id, NULL, after);
	json_decref(after);
	if (req->want_json) {
		http_res_page(res, json_pack("{s:s}", "invitation", "queued"), NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/accounts/%lld?invited=1", (long long)id));
}

/* ============================================================== routes */

#define GET HTTP_M(HTTP_GET)
#define POST HTTP_M(HTTP_POST)
#define PATCH HTTP_M(HTTP_PATCH)
#define DELETE HTTP_M(HTTP_DELETE)

const struct route admin_site_routes[] = {
	{GET, "/forgot-password", page_forgot},
	{POST, "/forgot-password", post_forgot},
	{GET, "/reset-password", page_reset},
	{POST, "/reset-password", post_reset},
	{POST, "/api/v1/password-reset", post_forgot},
	{POST, "/api/v1/password-reset/complete", post_reset},

	{GET, "/account/profile", page_profile},
	{POST, "/account/profile", post_profile},
	{GET, "/account/password", page_password},
	{POST, "/account/password", post_password},
	{GET, "/api/v1/account", page_profile},
	{PATCH, "/api/v1/account", post_profile},
	{POST, "/api/v1/account/password", post_password},

	{GET, "/admin/outbox", page_outbox},
	{GET, "/admin/outbox/{id}", page_outbox_message},
	{POST, "/admin/outbox/{id}/retry", post_outbox_retry},
	{GET, "/api/v1/outbox", page_outbox},
	{GET, "/api/v1/outbox/{id}", page_outbox_message},
	{POST, "/api/v1/outbox/{id}/retry", post_outbox_retry},

	{GET, "/admin/audit", page_audit},
	{GET, "/api/v1/audit", page_audit},

	{GET, "/admin/accounts", page_accounts},
	{POST, "/admin/accounts", post_account_create},
	{GET, "/admin/accounts/{id}", page_account_one},
	{POST, "/admin/accounts/{id}/roles", post_role_grant},
	{POST, "/admin/accounts/{id}/roles/{grant}/revoke", post_role_revoke},
	{POST, "/admin/accounts/{id}/invite", post_invite},
	{GET, "/api/v1/accounts", page_accounts},
	{POST, "/api/v1/accounts", post_account_create},
	{GET, "/api/v1/accounts/{id}", page_account_one},
	{POST, "/api/v1/accounts/{id}/roles", post_role_grant},
	{DELETE, "/api/v1/accounts/{id}/roles/{grant}", post_role_revoke},
	{POST, "/api/v1/accounts/{id}/invite", post_invite},
};
const size_t admin_site_nroutes = HM_ARRAY_LEN(admin_site_routes);
