/*
 * site.c — the helpers the pages of the site's own business share (see
 * site.h), and the e-mails that carry a password link (a reset asked for,
 * or the invitation of a new account).
 */
#include "site/site.h"

#include "core/text.h"
#include "db/db.h"
#include "features/events/events.h"
#include "http/server.h"
#include "mail/mail.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

/* ============================================================ helpers */

/* Paths under /api/ answer JSON whatever the Accept header says. */
void site_api_json(struct http_req *req)
{
	if (str_starts_with(req->path, "/api/"))
		req->want_json = 1;
}


/* Adds page, pages and the links to neighbouring pages; base is the
 * path with its query so far ("/admin/audit?entity=event"). */
void site_paging(json_t *m, int page, int64_t total, const char *base)
{
	int64_t pages = total > 0 ? (total + SITE_PER_PAGE - 1) / SITE_PER_PAGE : 1;
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
enum hm_err site_form_fail(struct http_req *req, struct http_res *res, int status,
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

json_t *site_empty_form(void)
{
	return json_pack("{s:{}, s:{}}", "values", "errors");
}

/* Marks the admin section a page belongs to, for the sub-navigation. */
void site_section(struct http_req *req, json_t *m, const char *key)
{
	if (!req->want_json)
		json_object_set_new(m, "admin_nav", json_pack("{s:b}", key, 1));
}

/* A translated sentence for a password that auth_password_check refuses,
 * or NULL when it is acceptable. */
const char *site_password_problem(struct http_req *req, const char *pw)
{
	switch (auth_password_check(pw, NULL, 0)) {
	case HM_OK: return NULL;
	case HM_ETOOBIG: return web_t(req, "This password is too long.");
	default: return web_t(req, "Use at least 12 characters.");
	}
}

/* A timestamp as the reader's date and time (UTC), or the stamp itself. */
void site_display_time(struct http_req *req, json_t *o, const char *key,
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
json_t *site_language_choices(struct http_req *req, const char *current)
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

json_t *site_csrf_model(struct http_req *req, struct http_res *res)
{
	return json_pack("{s:s}", "csrf", web_csrf_token(req, res));
}

enum hm_err site_require_admin(struct http_req *req, struct http_res *res,
			       enum auth_action a)
{
	site_api_json(req);
	enum hm_err e = web_require(req, res, a, NULL);
	if (e == HM_OK)
		web_private(req, res);
	return e;
}

enum hm_err site_require_self(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	struct auth_scope own = {.owner_account_id = p->account_id};
	enum hm_err e = web_require(req, res, AUTH_ACCOUNT_SELF, &own);
	if (e == HM_OK)
		web_private(req, res);
	return e;
}

int64_t site_id_param(struct http_req *req)
{
	int64_t n;
	return text_int_parse(http_param(req, "id"), &n) && n > 0 ? n : 0;
}

/* A query argument, NULL when absent or empty. */
const char *site_query_opt(struct http_req *req, const char *name)
{
	const char *v = http_query(req, name);
	return v && *v ? v : NULL;
}


/* ========================================== e-mails with a password link */


/* Makes a reset token for the account and queues the message that
 * carries it, in the account's own language. HM_ENOTFOUND when no account
 * has the e-mail; mail_send's errors otherwise. */
enum hm_err site_send_link(struct http_req *req, enum link_mail kind, const char *email,
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
