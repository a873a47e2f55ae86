/*
 * accounts.c — what the account pages share: the sentence for a refused
 * password, the languages one may choose, roles and languages by name, and
 * the e-mails that carry a password link (a reset, an invitation).
 */
#include "features/accounts/accounts.h"

#include "core/text.h"
#include "db/db.h"
#include "http/server.h"
#include "mail/mail.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <string.h>

static const char sql_event_title[] = "SELECT title FROM event WHERE slug = ?";
static const char sql_series_title[] = "SELECT title FROM series WHERE slug = ?";

/* The title of the event or series with this slug, in the arena; NULL
 * when there is none. */
static const char *title_of(struct http_req *req, const char *sql, const char *slug)
{
	struct db_stmt *st = db_prepare(req->db, sql);
	const char *t = NULL;
	if (!st)
		return NULL;
	db_bind_text(st, 1, slug);
	if (db_step(st) == 1 && db_col_text(st, 0))
		t = arena_strdup(&req->pool, db_col_text(st, 0));
	db_done(st);
	return t;
}

void accounts_decorate(struct http_req *req, json_t *acct)
{
	const char *lang = json_string_value(json_object_get(acct, "lang"));
	json_object_set_new(acct, "lang_name",
			    lang ? json_string(fmt_language(&req->pool, lang)) : json_null());
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(acct, "roles"), i, r) {
		const char *role = json_string_value(json_object_get(r, "role"));
		const char *ev = json_string_value(json_object_get(r, "event_slug"));
		const char *se = json_string_value(json_object_get(r, "series_slug"));
		const char *title = ev   ? title_of(req, sql_event_title, ev)
				    : se ? title_of(req, sql_series_title, se)
					 : NULL;
		/* Present, so a template never finds the account's instead. */
		json_object_set_new(r, "title", title ? json_string(title) : json_null());
		if (str_eq(role, "admin")) {
			json_object_set_new(r, "grant", json_string("admin"));
			json_object_set_new(r, "label", json_string(web_t(req, "Administrator")));
			json_object_set_new(r, "url", json_null());
		} else if (ev) {
			json_object_set_new(r, "grant", json_sprintf("event:%s", ev));
			json_object_set_new(
				r, "label",
				json_string(title ? arena_printf(&req->pool,
								 web_t(req, "Organiser of the event %s"),
								 title)
						  : web_t(req, "Organiser of the event")));
			json_object_set_new(r, "url", json_sprintf("/events/%s", ev));
		} else if (se) {
			json_object_set_new(r, "grant", json_sprintf("series:%s", se));
			json_object_set_new(
				r, "label",
				json_string(title ? arena_printf(&req->pool,
								 web_t(req, "Organiser of the series %s"),
								 title)
						  : web_t(req, "Organiser of the series")));
			json_object_set_new(r, "url", json_sprintf("/series/%s", se));
		}
	}
}

/* A translated sentence for a password that auth_password_quality
 * refuses for the person with this e-mail and name (either may be NULL),
 * or NULL when it is acceptable. */
const char *accounts_password_problem(struct http_req *req, const char *pw, const char *email,
				      const char *name)
{
	switch (auth_password_quality(pw, email, name)) {
	case AUTH_PW_OK: return NULL;
	case AUTH_PW_LONG: return web_t(req, "This password is too long.");
	case AUTH_PW_DIGITS: return web_t(req, "A password of digits alone is too easy to guess.");
	case AUTH_PW_REPEATED:
		return web_t(req, "A password that says one thing again and again is too easy to guess.");
	case AUTH_PW_PERSONAL:
		return web_t(req, "Your password must not contain your name or your e-mail address.");
	case AUTH_PW_COMMON:
		return web_t(req, "This password is too easy to guess: it is made of common words, "
				  "names or patterns. Use several words of your own.");
	default: return web_t(req, "Use at least 12 characters.");
	}
}

/* [{code, name, selected}…] of the languages the site speaks. */
json_t *accounts_language_choices(struct http_req *req, const char *current)
{
	json_t *a = json_array();
	for (const char *const *l = i18n_languages(); *l; l++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "code", *l, "name",
						   fmt_language(&req->pool, *l), "selected",
						   str_eq(*l, current)));
	return a;
}

/* Makes a reset token for the account and queues the message that
 * carries it, in the account's own language. HM_ENOTFOUND when no account
 * has the e-mail; mail_send's errors otherwise. */
enum hm_err accounts_send_link(struct http_req *req, enum link_mail kind, const char *email,
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
	int64_t lifetime = kind == MAIL_INVITE ? AUTH_INVITE_LIFETIME : AUTH_RESET_LIFETIME;
	if ((e = auth_reset_request_for(req->db, email, time_now_s(), lifetime, token)) != HM_OK) {
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
					      "link within seven days:"));
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
