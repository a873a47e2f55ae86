/*
 * account.c — accounts and their grants: validation of e-mail, name,
 * organisation and language; creation, password change, role grant and
 * revoke, each in one transaction with its audit entry; listing; the demo
 * organiser account.
 */
#include "auth/auth_impl.h"
#include "core/text.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ----------------------------------------------------------- validation */

enum hm_err auth_email_normalise(const char *email, char *out)
{
	static const char forbidden[] = "()<>[]\\,;:\"";
	const char *s = email, *end, *at = NULL;
	out[0] = '\0';
	if (!s)
		return HM_EINVAL;
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t len = (size_t)(end - s);
	if (len < 3 || len > AUTH_EMAIL_MAX || !utf8_valid(s, len))
		return HM_EINVAL;
	for (const char *c = s; c < end; c++) {
		unsigned char ch = (unsigned char)*c;
		if (ch <= 0x20 || ch == 0x7f || (ch < 0x80 && strchr(forbidden, ch)))
			return HM_EINVAL;
		if (ch == '@') {
			if (at)
				return HM_EINVAL;
			at = c;
		}
	}
	if (!at)
		return HM_EINVAL;
	size_t local = (size_t)(at - s), dlen = (size_t)(end - at - 1);
	const char *dom = at + 1;
	if (local < 1 || local > 64 || dlen < 3 || dom[0] == '.' || dom[0] == '-' ||
	    dom[dlen - 1] == '.' || dom[dlen - 1] == '-' || !memchr(dom, '.', dlen))
		return HM_EINVAL;
	for (size_t i = 0; i + 1 < dlen; i++)
		if (dom[i] == '.' && dom[i + 1] == '.')
			return HM_EINVAL;
	for (size_t i = 0; i < len; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[len] = '\0';
	return HM_OK;
}

/* A language tag as "en", "fr-CA", "zh-Hans": letters, then subtags. */
static int lang_ok(const char *s)
{
	size_t len = strlen(s), i = 0, n = 0;
	if (len < 2 || len > AUTH_LANG_MAX)
		return 0;
	while (i < len && isalpha((unsigned char)s[i]))
		i++;
	if (i < 2 || i > 3)
		return 0;
	while (i < len) {
		if (s[i++] != '-')
			return 0;
		for (n = 0; i < len && isalnum((unsigned char)s[i]); i++)
			n++;
		if (n < 1 || n > 8)
			return 0;
	}
	return 1;
}

/* A name: non-empty, not only spaces, UTF-8 without controls. */
static enum hm_err name_check(const char *what, const char *s, int required, char *msg,
			      size_t msglen)
{
	if (s && strlen(s) > AUTH_NAME_MAX) {
		snprintf(msg, msglen, "the %s is longer than %d bytes", what, AUTH_NAME_MAX);
		return HM_ETOOBIG;
	}
	if (s && !auth_text_ok(s, AUTH_NAME_MAX)) {
		snprintf(msg, msglen, "the %s must be UTF-8 text without control characters", what);
		return HM_EINVAL;
	}
	if (required && (!s || strspn(s, " ") == strlen(s))) {
		snprintf(msg, msglen, "the %s is missing", what);
		return HM_EINVAL;
	}
	return HM_OK;
}

static int grant_ok(const struct auth_grant *g)
{
	if (g->role == AUTH_ROLE_ADMIN)
		return g->event_id == 0 && g->series_id == 0;
	if (g->role == AUTH_ROLE_ORGANISER)
		return (g->event_id > 0) != (g->series_id > 0) && g->event_id >= 0 &&
		       g->series_id >= 0;
	return 0;
}

static json_t *grant_json(const struct auth_grant *g)
{
	json_t *o = json_pack("{s:s}", "role", g->role == AUTH_ROLE_ADMIN ? "admin" : "organiser");
	if (g->event_id)
		json_object_set_new(o, "event_id", json_integer(g->event_id));
	if (g->series_id)
		json_object_set_new(o, "series_id", json_integer(g->series_id));
	return o;
}

static void bind_id_or_null(struct db_stmt *st, int idx, int64_t id)
{
	if (id)
		db_bind_int(st, idx, id);
	else
		db_bind_null(st, idx);
}

/* Inserts a grant and its audit entry inside the caller's transaction. */
static enum hm_err grant_insert(struct db *db, const struct principal *actor, int64_t account_id,
				const struct auth_grant *g, int64_t now)
{
	char ts[AUTH_TS_SIZE];
	struct db_stmt *st = auth_prep(db, SQL_ROLE_INSERT);
	if (!st)
		return HM_EDB;
	auth_ts(now, ts);
	db_bind_int(st, 1, account_id);
	db_bind_text(st, 2, g->role == AUTH_ROLE_ADMIN ? "admin" : "organiser");
	bind_id_or_null(st, 3, g->event_id);
	bind_id_or_null(st, 4, g->series_id);
	db_bind_text(st, 5, ts);
	enum hm_err e = db_run(st);
	if (e != HM_OK)
		return e;
	json_t *after = grant_json(g);
	e = audit_record_at(db, actor, "account.role_grant", "account", account_id, NULL, after,
			    now);
	json_decref(after);
	return e;
}

static int account_exists(struct db *db, int64_t id)
{
	struct db_stmt *st = auth_prep(db, SQL_ACCOUNT_PRINCIPAL);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	int rc = db_step(st);
	db_done(st);
	return rc;
}

/* ------------------------------------------------------------- accounts */

enum hm_err auth_account_check(const struct account_new *a, char *msg, size_t msglen)
{
	char email[AUTH_EMAIL_MAX + 1], dummy[8];
	const char *org = a->organisation ? a->organisation : "";
	const char *lang = a->lang ? a->lang : "en";
	enum hm_err e;
	if (!msg) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	msg[0] = '\0';
	if (auth_email_normalise(a->email, email) != HM_OK) {
		snprintf(msg, msglen, "'%.80s' is not a valid e-mail address", a->email ? a->email : "");
		return HM_EINVAL;
	}
	if ((e = name_check("name", a->name, 1, msg, msglen)) != HM_OK ||
	    (e = name_check("organisation", org, 0, msg, msglen)) != HM_OK)
		return e;
	if (!lang_ok(lang)) {
		snprintf(msg, msglen, "'%.40s' is not a language tag such as en, fr or zh-Hans", lang);
		return HM_EINVAL;
	}
	if (a->grant && !grant_ok(a->grant)) {
		snprintf(msg, msglen, "an organiser needs one event or one series");
		return HM_EINVAL;
	}
	return HM_OK;
}

enum hm_err auth_account_create(struct db *db, const struct principal *actor,
				const struct account_new *a, int64_t now, int64_t *id_out,
				char *msg, size_t msglen)
{
	char email[AUTH_EMAIL_MAX + 1], ts[AUTH_TS_SIZE], hash[crypto_pwhash_STRBYTES];
	char dummy[8];
	const char *org = a->organisation ? a->organisation : "";
	const char *lang = a->lang ? a->lang : "en";
	enum hm_err e;
	if (!msg) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	msg[0] = '\0';
	if (id_out)
		*id_out = 0;
	if (!auth_can(actor, AUTH_ACCOUNT_MANAGE, NULL)) {
		snprintf(msg, msglen, "only an administrator may create accounts");
		return HM_EFORBIDDEN;
	}
	if ((e = auth_account_check(a, msg, msglen)) != HM_OK)
		return e;
	auth_email_normalise(a->email, email);
	if (a->password &&
	    (e = auth_password_new(a->password, email, a->name, hash, msg, msglen)) != HM_OK)
		return e;

	auth_ts(now, ts);
	if ((e = db_begin(db)) != HM_OK)
		goto out;
	struct db_stmt *st = auth_prep(db, SQL_ACCOUNT_INSERT);
	if (!st) {
		e = auth_fail(db, HM_EDB);
		goto out;
	}
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, a->name);
	db_bind_text(st, 3, org);
	db_bind_text(st, 4, lang);
	db_bind_text(st, 5, a->password ? hash : NULL);
	db_bind_text(st, 6, ts);
	db_bind_text(st, 7, ts);
	if ((e = db_run(st)) != HM_OK) {
		if (e == HM_EEXIST)
			snprintf(msg, msglen, "an account with the e-mail %s exists", email);
		e = auth_fail(db, e);
		goto out;
	}
	int64_t id = db_last_insert_id(db);
	json_t *after = json_pack("{s:s, s:s, s:s, s:s}", "email", email, "name", a->name,
				  "organisation", org, "lang", lang);
	e = audit_record_at(db, actor, "account.create", "account", id, NULL, after, now);
	json_decref(after);
	if (e == HM_OK && a->grant)
		e = grant_insert(db, actor, id, a->grant, now);
	if (e != HM_OK || (e = db_commit(db)) != HM_OK) {
		if (e == HM_EINVAL)
			snprintf(msg, msglen, "the event or series of the grant does not exist");
		e = auth_fail(db, e);
		goto out;
	}
	if (id_out)
		*id_out = id;
out:
	sodium_memzero(hash, sizeof(hash));
	return e;
}

enum hm_err auth_account_find(struct db *db, const char *email, int64_t *id_out)
{
	char norm[AUTH_EMAIL_MAX + 1];
	*id_out = 0;
	if (auth_email_normalise(email, norm) != HM_OK)
		return HM_ENOTFOUND;
	struct db_stmt *st = auth_prep(db, SQL_ACCOUNT_BY_EMAIL);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, norm);
	int rc = db_step(st);
	if (rc == 1)
		*id_out = db_col_int(st, 0);
	db_done(st);
	return rc == 1 ? HM_OK : rc == 0 ? HM_ENOTFOUND : HM_EDB;
}

static json_t *roles_json(struct db *db, int64_t id)
{
	json_t *roles = json_array();
	struct db_stmt *st = auth_prep(db, SQL_ROLES_OF);
	if (!st)
		return roles;
	db_bind_int(st, 1, id);
	while (db_step(st) == 1) {
		json_t *r = json_pack("{s:s}", "role", db_col_text(st, 0));
		const char *ev = db_col_text(st, 3), *se = db_col_text(st, 4);
		json_object_set_new(r, "event_slug", ev ? json_string(ev) : json_null());
		json_object_set_new(r, "series_slug", se ? json_string(se) : json_null());
		json_array_append_new(roles, r);
	}
	db_done(st);
	return roles;
}

json_t *auth_account_get(struct db *db, int64_t id)
{
	struct db_stmt *st = auth_prep(db, SQL_ACCOUNT_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	json_t *a = db_one_json(st);
	if (a)
		json_object_set_new(a, "roles", roles_json(db, id));
	return a;
}

json_t *auth_account_list(struct db *db)
{
	json_t *list = db_rows_json(auth_prep(db, SQL_ACCOUNT_LIST));
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a) {
		json_int_t id = json_integer_value(json_object_get(a, "id"));
		json_object_set_new(a, "roles", roles_json(db, id));
	}
	return list;
}

enum hm_err auth_password_store(struct db *db, int64_t account_id, const char *hash,
				const char *ts, int *n_ended, int *n_revoked)
{
	struct db_stmt *st = auth_prep(db, SQL_ACCOUNT_SET_PASSWORD);
	enum hm_err e;
	if (n_ended)
		*n_ended = 0;
	if (n_revoked)
		*n_revoked = 0;
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, hash);
	db_bind_text(st, 2, ts);
	db_bind_int(st, 3, account_id);
	if ((e = db_run(st)) != HM_OK)
		return e;
	if (db_changes(db) == 0)
		return HM_ENOTFOUND;
	if ((e = auth_sessions_end_all(db, account_id, n_ended)) != HM_OK)
		return e;
	if (!(st = auth_prep(db, SQL_TOKEN_REVOKE_ALL)))
		return HM_EDB;
	db_bind_text(st, 1, ts);
	db_bind_int(st, 2, account_id);
	if ((e = db_run(st)) == HM_OK && n_revoked)
		*n_revoked = db_changes(db);
	return e;
}

enum hm_err auth_password_set(struct db *db, const struct principal *actor, int64_t account_id,
			      const char *password, int64_t now, char *msg, size_t msglen)
{
	char hash[crypto_pwhash_STRBYTES], ts[AUTH_TS_SIZE], dummy[8];
	struct auth_scope own = {.owner_account_id = account_id};
	enum hm_err e;
	int n = 0, t = 0;
	if (!msg) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	msg[0] = '\0';
	if (!auth_can(actor, AUTH_ACCOUNT_SELF, &own)) {
		snprintf(msg, msglen, "you may change only your own password");
		return HM_EFORBIDDEN;
	}
	json_t *acct = auth_account_get(db, account_id);
	e = auth_password_new(password, json_string_value(json_object_get(acct, "email")),
			      json_string_value(json_object_get(acct, "name")), hash, msg, msglen);
	json_decref(acct);
	if (e != HM_OK)
		return e;
	auth_ts(now, ts);
	if ((e = db_begin(db)) != HM_OK)
		goto out;
	if ((e = auth_password_store(db, account_id, hash, ts, &n, &t)) != HM_OK) {
		if (e == HM_ENOTFOUND)
			snprintf(msg, msglen, "no such account");
		e = auth_fail(db, e);
		goto out;
	}
	json_t *after = json_pack("{s:i, s:i}", "sessions_ended", n, "tokens_revoked", t);
	e = audit_record_at(db, actor, "account.password", "account", account_id, NULL, after, now);
	json_decref(after);
	if (e != HM_OK || (e = db_commit(db)) != HM_OK)
		e = auth_fail(db, e);
out:
	sodium_memzero(hash, sizeof(hash));
	return e;
}

static const char SQL_EVENT_SERIES[] = "SELECT series_id FROM event WHERE id = ?";

/* Admins may grant and revoke anything. Naming the organisers of one
 * event is also for the organisers of its series (AUTH_SERIES_EDIT on the
 * event's series): that is how a series team staffs its meetings. */
static int may_change_grant(struct db *db, const struct principal *actor,
			    const struct auth_grant *g)
{
	if (auth_can(actor, AUTH_ACCOUNT_MANAGE, NULL))
		return 1;
	if (g->role != AUTH_ROLE_ORGANISER || g->event_id <= 0 || g->series_id != 0)
		return 0;
	struct auth_scope sc = {.event_id = g->event_id};
	struct db_stmt *st = db_prepare(db, SQL_EVENT_SERIES);
	if (st) {
		db_bind_int(st, 1, g->event_id);
		if (db_step(st) == 1)
			sc.series_id = db_col_int(st, 0);
		db_done(st);
	}
	return sc.series_id > 0 && auth_can(actor, AUTH_SERIES_EDIT, &sc);
}

/* The start of a grant or a revoke: the actor may change it, it is
 * well-formed, and the write transaction has begun. */
static enum hm_err grant_begin(struct db *db, const struct principal *actor,
			       const struct auth_grant *g)
{
	if (!may_change_grant(db, actor, g))
		return HM_EFORBIDDEN;
	if (!grant_ok(g))
		return HM_EINVAL;
	return db_begin(db);
}

enum hm_err auth_role_grant(struct db *db, const struct principal *actor, int64_t account_id,
			    const struct auth_grant *g, int64_t now)
{
	enum hm_err e;
	if ((e = grant_begin(db, actor, g)) != HM_OK)
		return e;
	int rc = account_exists(db, account_id);
	if (rc != 1)
		return auth_fail(db, rc == 0 ? HM_ENOTFOUND : HM_EDB);
	if ((e = grant_insert(db, actor, account_id, g, now)) != HM_OK ||
	    (e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	return HM_OK;
}

enum hm_err auth_role_revoke(struct db *db, const struct principal *actor, int64_t account_id,
			     const struct auth_grant *g, int64_t now)
{
	enum hm_err e;
	if ((e = grant_begin(db, actor, g)) != HM_OK)
		return e;
	struct db_stmt *st = auth_prep(db, SQL_ROLE_DELETE);
	if (!st)
		return auth_fail(db, HM_EDB);
	db_bind_int(st, 1, account_id);
	db_bind_text(st, 2, g->role == AUTH_ROLE_ADMIN ? "admin" : "organiser");
	db_bind_int(st, 3, g->event_id);
	db_bind_int(st, 4, g->series_id);
	if ((e = db_run(st)) != HM_OK)
		return auth_fail(db, e);
	if (db_changes(db) == 0)
		return auth_fail(db, HM_ENOTFOUND);
	json_t *before = grant_json(g);
	e = audit_record_at(db, actor, "account.role_revoke", "account", account_id, before, NULL,
			    now);
	json_decref(before);
	if (e != HM_OK || (e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	return HM_OK;
}

/* ----------------------------------------------------------------- demo */

/* A demo account: organiser of the event named by event_slug, or the
 * site's administrator when it is NULL. */
static enum hm_err demo_account(struct db *db, const char *event_slug, const char *email,
				const char *name, char email_out[AUTH_EMAIL_MAX + 1],
				char password_out[AUTH_DEMO_PASSWORD_SIZE])
{
	static const char base32[] = "abcdefghijklmnopqrstuvwxyz234567";
	struct auth_scope scope;
	struct principal cli;
	enum hm_err e;
	size_t n = 0;

	email_out[0] = password_out[0] = '\0';
	if ((e = auth_init()) != HM_OK ||
	    (event_slug && (e = auth_scope_event(db, event_slug, &scope)) != HM_OK))
		return e;
	/* 20 characters of 5 bits: 100 bits, in groups of five to read aloud. */
	for (int i = 0; i < 20; i++) {
		if (i && i % 5 == 0)
			password_out[n++] = '-';
		password_out[n++] = base32[randombytes_uniform(32)];
	}
	password_out[n] = '\0';

	struct auth_grant g = {.role = AUTH_ROLE_ADMIN};
	if (event_slug)
		g = (struct auth_grant){.role = AUTH_ROLE_ORGANISER, .event_id = scope.event_id};
	struct account_new a = {
		.email = email,
		.name = name,
		.password = password_out,
		.grant = &g,
	};
	auth_principal_cli(&cli);
	e = auth_account_create(db, &cli, &a, (int64_t)time(NULL), NULL, NULL, 0);
	if (e != HM_OK) {
		sodium_memzero(password_out, AUTH_DEMO_PASSWORD_SIZE);
		return e;
	}
	auth_copy(email_out, email, AUTH_EMAIL_MAX + 1);
	return HM_OK;
}

enum hm_err auth_demo_organiser(struct db *db, const char *event_slug,
				char email_out[AUTH_EMAIL_MAX + 1],
				char password_out[AUTH_DEMO_PASSWORD_SIZE])
{
	if (!event_slug)
		return HM_EINVAL;
	return demo_account(db, event_slug, "organiser@demo.harmony.example", "Demo organiser",
			    email_out, password_out);
}

enum hm_err auth_demo_admin(struct db *db, char email_out[AUTH_EMAIL_MAX + 1],
			    char password_out[AUTH_DEMO_PASSWORD_SIZE])
{
	return demo_account(db, NULL, "admin@demo.harmony.example", "Demo administrator",
			    email_out, password_out);
}
