/*
 * notice.c — the e-mails that tell an account's owner of a
 * security-relevant change (a password changed or reset, an API token
 * made, a role given), in the account's own language: one table of
 * sentences, one function that writes and queues the message.
 */
#include "features/accounts/notice.h"

#include "core/text.h"
#include "db/db.h"
#include "http/server.h"
#include "mail/mail.h"
#include "site/site.h"
#include "site/web.h"
#include "view/i18n.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Each kind's words, every one a msgid of its own. what ends with a
 * colon: the site's name follows on its own line. label (NULL: none)
 * introduces the detail, also on a line of its own; after (NULL: none)
 * says what the change did besides. */
struct notice_text {
	const char *name; /* for the log */
	const char *subject;
	const char *what;
	const char *label;
	const char *after;
};

static const struct notice_text notices[ACCOUNT_NOTICE__MAX] = {
	[ACCOUNT_NOTICE_PASSWORD_CHANGED] = {
		.name = "password change",
		.subject = N_("Your password was changed"),
		.what = N_("The password of your account was changed on:"),
		.after = N_("Your other sessions were ended and your personal API tokens revoked."),
	},
	[ACCOUNT_NOTICE_PASSWORD_RESET] = {
		.name = "password reset",
		.subject = N_("Your password was reset"),
		.what = N_("The password of your account was reset through an e-mailed link on:"),
		.after = N_("Every session of your account was ended and your personal API tokens "
			 "revoked."),
	},
	[ACCOUNT_NOTICE_API_TOKEN] = {
		.name = "API token",
		.subject = N_("A new API token was made for your account"),
		.what = N_("A new personal API token was made for your account on:"),
		.label = N_("Label of the token:"),
	},
	[ACCOUNT_NOTICE_ROLE_ADMIN] = {
		.name = "administrator role",
		.subject = N_("You were given a new role"),
		.what = N_("Your account was made an administrator of:"),
	},
	[ACCOUNT_NOTICE_ROLE_EVENT] = {
		.name = "event organiser role",
		.subject = N_("You were given a new role"),
		.what = N_("Your account was made an organiser of an event on:"),
		.label = N_("Event:"),
	},
	[ACCOUNT_NOTICE_ROLE_SERIES] = {
		.name = "series organiser role",
		.subject = N_("You were given a new role"),
		.what = N_("Your account was made an organiser of a series on:"),
		.label = N_("Series:"),
	},
	[ACCOUNT_NOTICE_TWO_FACTOR_ON] = {
		.name = "second factor on",
		.subject = N_("Two-factor sign-in was turned on"),
		.what = N_("Two-factor sign-in was turned on for your account on:"),
		.after = N_("Signing in now asks for a code from an authenticator app."),
	},
	[ACCOUNT_NOTICE_TWO_FACTOR_OFF] = {
		.name = "second factor off",
		.subject = N_("Two-factor sign-in was turned off"),
		.what = N_("Two-factor sign-in was turned off for your account on:"),
		.after = N_("Signing in now asks for the password alone."),
	},
};

enum notice_sql { SQL_EVENT_TITLE, SQL_SERIES_TITLE, NOTICE_SQL__MAX };

static const char *const notice_sql[NOTICE_SQL__MAX] = {
	[SQL_EVENT_TITLE] = "SELECT title FROM event WHERE id = ?",
	[SQL_SERIES_TITLE] = "SELECT title FROM series WHERE id = ?",
};

/* s on one line: control characters (line breaks too) become spaces, so
 * a label or title cannot add lines of its own to the message; at most
 * AUTH_NAME_MAX characters. In the request's arena. */
static const char *one_line(struct http_req *req, const char *s)
{
	char *t = text_truncate(&req->pool, s, AUTH_NAME_MAX);
	for (unsigned char *p = (unsigned char *)t; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return t;
}

/* "2025-03-02 14:05 UTC" */
static void utc_text(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, 32, "%lld", (long long)t);
}

/* Writes the message and queues it; the caller logs a failure. */
static enum hm_err notify(struct http_req *req, int64_t account_id, const struct notice_text *n,
			  const char *detail)
{
	json_t *acct = auth_account_get(req->db, account_id);
	if (!acct)
		return HM_ENOTFOUND;
	const char *lang = json_string_value(json_object_get(acct, "lang"));
	const char *name = json_string_value(json_object_get(acct, "name"));
	const char *to = json_string_value(json_object_get(acct, "email"));
	const char *base = server_base_url(req->srv);
	const struct principal *actor = web_principal(req);
	int64_t now = time_now_s();
	char when[32];
	utc_text(now, when);
	struct buf b;
	buf_init(&b);
	/* Sentences are msgids of their own, values on lines of their own:
	 * no translated format strings. */
	buf_printf(&b, "%s %s,\n\n", i18n_gettext(lang, "Hello"), name);
	buf_printf(&b, "%s\n%s\n\n", i18n_gettext(lang, n->what), site_name(req));
	if (n->label && detail)
		buf_printf(&b, "%s\n%s\n\n", i18n_gettext(lang, n->label), one_line(req, detail));
	if (n->after)
		buf_printf(&b, "%s\n\n", i18n_gettext(lang, n->after));
	buf_printf(&b, "%s\n%s\n", i18n_gettext(lang, "When:"), when);
	buf_printf(&b, "%s\n%s\n", i18n_gettext(lang, "From the address:"),
		   req->client_addr ? req->client_addr : i18n_gettext(lang, "unknown"));
	if (actor && actor->account_id && actor->account_id != account_id)
		buf_printf(&b, "%s\n%s\n", i18n_gettext(lang, "Changed by:"),
			   one_line(req, actor->name));
	buf_printf(&b, "\n%s\n\n%s\n%s/forgot-password\n\n%s\n%s/account\n",
		   i18n_gettext(lang, "If this was you, there is nothing to do."),
		   i18n_gettext(lang, "If it was not you, or you did not expect it, someone else "
				      "may be using your account. Choose a new password here at "
				      "once:"),
		   base,
		   i18n_gettext(lang, "Then look at your sessions and API tokens here, and end "
				      "those you do not know:"),
		   base);
	/* The site's name tells the reader where the message is from. */
	const char *subject = arena_printf(&req->pool, "%s · %s", i18n_gettext(lang, n->subject),
					   text_truncate(&req->pool, site_name(req), 100));
	struct mail_opts o = {.to_name = name};
	enum hm_err e = mail_send(req->db, to, subject, b.data, &o, now, NULL);
	buf_free(&b);
	json_decref(acct);
	return e;
}

enum hm_err accounts_notify(struct http_req *req, int64_t account_id, enum account_notice kind,
			    const char *detail)
{
	if ((unsigned)kind >= ACCOUNT_NOTICE__MAX || !notices[kind].subject) {
		log_error("no notice of kind %d", (int)kind);
		return HM_EINVAL;
	}
	/* The change is committed: whatever fails here must not turn its
	 * answer into a 500 (web_finish answers so when a statement failed). */
	enum hm_err failed_before = db_failed(req->db);
	enum hm_err e = notify(req, account_id, &notices[kind], detail);
	if (e != HM_OK) {
		log_warn("cannot queue the %s notice for account %lld: %s", notices[kind].name,
			 (long long)account_id, hm_err_str(e));
		if (!failed_before)
			db_failed_reset(req->db);
	}
	return e;
}

enum hm_err accounts_notify_grant(struct http_req *req, int64_t account_id,
				  const struct auth_grant *g)
{
	if (g->role == AUTH_ROLE_ADMIN)
		return accounts_notify(req, account_id, ACCOUNT_NOTICE_ROLE_ADMIN, NULL);
	int event = g->event_id != 0;
	enum account_notice kind = event ? ACCOUNT_NOTICE_ROLE_EVENT : ACCOUNT_NOTICE_ROLE_SERIES;
	enum hm_err failed_before = db_failed(req->db);
	const char *title = NULL;
	struct db_stmt *st =
		db_prepare(req->db, notice_sql[event ? SQL_EVENT_TITLE : SQL_SERIES_TITLE]);
	if (st) {
		db_bind_int(st, 1, event ? g->event_id : g->series_id);
		const char *t = db_step(st) == 1 ? db_col_text(st, 0) : NULL;
		if (t)
			title = arena_strdup(&req->pool, t);
		db_done(st);
	}
	if (!title) {
		log_warn("cannot queue the %s notice for account %lld: its %s is not found",
			 notices[kind].name, (long long)account_id, event ? "event" : "series");
		if (!failed_before)
			db_failed_reset(req->db);
		return HM_ENOTFOUND;
	}
	return accounts_notify(req, account_id, kind, title);
}
