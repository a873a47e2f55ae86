/*
 * site_profile.c — the signed-in user's own profile (name, organisation,
 * language) and password, with their JSON twins (/api/v1/account).
 */
#include "site/feature.h"
#include "features/accounts/accounts.h"
#include "features/accounts/notice.h"

#include "db/db.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <string.h>

/* ============================================================= profile */

/* POST from the form: every field given (an empty organisation clears it).
 * PATCH from a program: only the fields sent change. */
static const struct field profile_post_fields[] = {
	{.name = "name", .kind = FIELD_TEXT, .required = 1, .max_len = AUTH_NAME_MAX,
	 .label = N_("Name")},
	{.name = "organisation", .kind = FIELD_TEXT, .max_len = AUTH_NAME_MAX,
	 .label = N_("Organisation")},
	{.name = "lang", .kind = FIELD_CHOICE, .required = 1, .label = N_("Language")},
	{.name = "timezone", .kind = FIELD_TIMEZONE, .max_len = 64, .label = N_("Time zone")},
};

static json_t *profile_model(struct http_req *req, struct http_res *res, const char *lang)
{
	json_t *m = site_csrf_model(req, res);
	json_object_set_new(m, "languages", accounts_language_choices(req, lang));
	json_object_set_new(m, "zones", fmt_timezone_options(&req->pool, req->lang, NULL));
	return m;
}

static enum hm_err page_profile(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *acct = auth_account_get(req->db, p->account_id);
	if (!acct)
		return HM_ENOTFOUND;
	if (req->want_json) {
		accounts_decorate(req, acct);
		http_res_page(res, acct, NULL, NULL);
		return HM_OK;
	}
	json_t *m = profile_model(req, res, json_string_value(json_object_get(acct, "lang")));
	json_t *values = json_pack("{s:O, s:O, s:O, s:O}", "name", json_object_get(acct, "name"),
				   "organisation", json_object_get(acct, "organisation"), "lang",
				   json_object_get(acct, "lang"), "timezone",
				   json_object_get(acct, "timezone"));
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
	enum hm_err e = HM_OK;
	int patch = req->method == HTTP_PATCH;
	memcpy(fields, profile_post_fields, sizeof(fields));
	for (size_t i = 0; i < HM_ARRAY_LEN(fields); i++) {
		if (patch)
			fields[i].required = 0;
		if (fields[i].kind == FIELD_CHOICE)
			fields[i].choices = i18n_languages();
	}
	e = form_read(req, fields, HM_ARRAY_LEN(fields), &f);
	const char *title = web_t(req, "Your profile");
	if (e != HM_OK)
		return site_form_fail(req, res, 400, &f, profile_model(req, res, form_get(&f, "lang")),
				      "pages/profile", title);
	const struct principal *p = web_principal(req);
	const char *org = form_get(&f, "organisation"), *zone = form_get(&f, "timezone");
	/* The form sends every field: an empty zone is the site's. A PATCH
	 * changes what it sends: "" (or null) for the site's. */
	json_t *body = req->want_json && patch ? json_loads(req->body ? req->body : "", 0, NULL) : NULL;
	int zone_sent = body && json_object_get(body, "timezone") != NULL;
	json_decref(body);
	struct account_profile pr = {
		.name = form_get(&f, "name"),
		.organisation = org ? org : patch ? NULL : "",
		.lang = form_get(&f, "lang"),
		.timezone = zone ? zone : (!patch || zone_sent) ? "" : NULL,
	};
	e = auth_account_update(req->db, p, p->account_id, &pr, time_now_s(), msg, sizeof(msg));
	if (e == HM_EINVAL || e == HM_ETOOBIG) {
		f.error = web_t(req, "The profile could not be saved. Please check the fields.");
		return site_form_fail(req, res, 400, &f, profile_model(req, res, form_get(&f, "lang")),
				      "pages/profile", title);
	}
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		json_t *acct = auth_account_get(req->db, p->account_id);
		if (!acct)
			return HM_ENOTFOUND;
		accounts_decorate(req, acct);
		http_res_page(res, acct, NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res, "/account");
}

/* ========================================================== password */

static const struct field password_fields[] = {
	{.name = "current", .kind = FIELD_PASSWORD, .required = 1, .max_len = AUTH_PASSWORD_MAX,
	 .label = N_("Current password")},
	{.name = "password", .kind = FIELD_PASSWORD, .required = 1, .max_len = AUTH_PASSWORD_MAX,
	 .label = N_("New password")},
	{.name = "confirm", .kind = FIELD_PASSWORD, .max_len = AUTH_PASSWORD_MAX,
	 .label = N_("New password again")},
};

static enum hm_err page_password(struct http_req *req, struct http_res *res)
{
	json_t *m = site_csrf_model(req, res);
	json_object_set_new(m, "form", site_empty_form());
	http_res_page(res, m, "pages/profile_password", web_t(req, "Change your password"));
	return HM_OK;
}

static enum hm_err post_password(struct http_req *req, struct http_res *res)
{
	struct form f;
	char token[AUTH_TOKEN_SIZE], msg[256];
	int64_t retry = 0;
	enum hm_err e = HM_OK;
	e = form_read(req, password_fields, HM_ARRAY_LEN(password_fields), &f);
	const char *title = web_t(req, "Change your password");
	const char *cur = form_get(&f, "current"), *pw = form_get(&f, "password");
	const char *confirm = form_get(&f, "confirm");
	const struct principal *me = web_principal(req);
	const char *problem = pw ? accounts_password_problem(req, pw, me->email, me->name) : NULL;
	if (problem)
		form_set_error(req, &f, "password", problem);
	else if (pw && cur && strcmp(pw, cur) == 0)
		form_set_error(req, &f, "password", "The new password must differ from the current one.");
	if (pw && (confirm || !req->want_json) && !str_eq(pw, confirm))
		form_set_error(req, &f, "confirm", "The two passwords are not the same.");
	if (e != HM_OK || f.nerrors)
		return site_form_fail(req, res, 400, &f, site_csrf_model(req, res), "pages/profile_password",
				      title);
	const struct principal *p = web_principal(req);
	int session = p->via == AUTH_VIA_SESSION;
	e = auth_password_change(req->db, p, cur, pw, req->client_addr, time_now_s(),
				 session ? token : NULL, &retry, msg, sizeof(msg));
	if (e == HM_EUNAUTH) {
		form_set_error(req, &f, "current", "The current password is not right.");
		return site_form_fail(req, res, 400, &f, site_csrf_model(req, res), "pages/profile_password",
				      title);
	}
	if (e == HM_EFORBIDDEN && retry > 0) {
		f.error = web_retry_text(req, (long long)retry);
		http_res_header(res, "Retry-After",
				arena_printf(&req->pool, "%lld", (long long)retry));
		return site_form_fail(req, res, 429, &f, site_csrf_model(req, res), "pages/profile_password",
				      title);
	}
	if (e == HM_EINVAL || e == HM_ETOOBIG) {
		form_set_error(req, &f, "password", "Use at least 12 characters.");
		return site_form_fail(req, res, 400, &f, site_csrf_model(req, res), "pages/profile_password",
				      title);
	}
	if (e != HM_OK)
		return e;
	accounts_notify(req, p->account_id, ACCOUNT_NOTICE_PASSWORD_CHANGED, NULL);
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

const struct route profile_routes[] = {
	{GET, "/account/profile", page_profile, WEB_SELF},
	{POST, "/account/profile", post_profile, WEB_SELF | WEB_CSRF},
	{GET, "/account/password", page_password, WEB_SELF},
	{POST, "/account/password", post_password, WEB_SELF | WEB_CSRF},
	{GET, "/api/v1/account", page_profile, WEB_JSON | WEB_SELF},
	{PATCH, "/api/v1/account", post_profile, WEB_JSON | WEB_SELF | WEB_CSRF},
	{POST, "/api/v1/account/password", post_password, WEB_JSON | WEB_SELF | WEB_CSRF},
	WEB_ROUTES_END,
};
