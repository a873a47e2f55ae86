/*
 * session.c — browser sessions: made at sign-in, found by the digest of
 * the cookie's token, ended by idleness, age or sign-out; the Set-Cookie
 * values; CSRF tokens for signed-in forms and the signed double-submit
 * tokens for anonymous ones.
 */
#include "auth/auth_impl.h"
#include "core/text.h"
#include "jobs/jobs.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------- sessions */

/* The site's limits of a session (site settings session_idle_minutes and
 * session_hours, whole numbers; else 30 minutes idle, 12 hours at most). */
void auth_session_limits(struct db *db, int64_t *idle, int64_t *life)
{
	static const char sql[] = "SELECT key, value FROM site_setting "
				  "WHERE key IN ('session_idle_minutes', 'session_hours')";
	*idle = AUTH_SESSION_IDLE;
	*life = AUTH_SESSION_LIFETIME;
	struct db_stmt *st = db_prepare(db, sql);
	while (st && db_step(st) == 1) {
		int64_t v;
		if (!text_int_parse(db_col_text(st, 1), &v) || v < 1 || v > 24 * 365)
			continue;
		if (str_eq(db_col_text(st, 0), "session_idle_minutes"))
			*idle = v * 60;
		else
			*life = v * 3600;
	}
	db_done(st);
}

enum hm_err auth_session_insert(struct db *db, int64_t account_id, int64_t now,
				const char *address, char token_out[AUTH_TOKEN_SIZE],
				struct auth_session *s)
{
	char digest[AUTH_DIGEST_HEX], ts[AUTH_TS_SIZE], te[AUTH_TS_SIZE];
	int64_t idle, life;
	auth_session_limits(db, &idle, &life);
	struct db_stmt *st = auth_prep(db, SQL_SESSION_INSERT);
	if (!st)
		return HM_EDB;
	memset(s, 0, sizeof(*s));
	auth_token_new(token_out);
	auth_token_new(s->csrf_secret);
	auth_token_digest(token_out, digest);
	s->created_at = s->last_seen_at = now;
	s->expires_at = now + life;
	auth_ts(now, ts);
	auth_ts(s->expires_at, te);
	db_bind_text(st, 1, digest);
	db_bind_int(st, 2, account_id);
	db_bind_text(st, 3, s->csrf_secret);
	db_bind_text(st, 4, ts);
	db_bind_text(st, 5, ts);
	db_bind_text(st, 6, te);
	db_bind_text(st, 7, address);
	enum hm_err e = db_run(st);
	if (e != HM_OK) {
		token_out[0] = '\0';
		return e;
	}
	s->id = db_last_insert_id(db);
	return HM_OK;
}

static enum hm_err session_delete_id(struct db *db, int64_t id)
{
	struct db_stmt *st = auth_prep(db, SQL_SESSION_DELETE_ID);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, id);
	return db_run(st);
}

enum hm_err auth_session_lookup(struct db *db, const char *token, int64_t now,
				struct principal *p)
{
	return auth_session_lookup_at(db, token, now, NULL, p);
}

enum hm_err auth_session_lookup_at(struct db *db, const char *token, int64_t now,
				   const char *address, struct principal *p)
{
	char digest[AUTH_DIGEST_HEX], ts[AUTH_TS_SIZE];
	struct auth_session s;
	int64_t account_id, idle, life;
	auth_principal_visitor(p);
	if (!auth_token_digest(token, digest))
		return HM_EUNAUTH;
	struct db_stmt *st = auth_prep(db, SQL_SESSION_BY_HASH);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, digest);
	int rc = db_step(st);
	if (rc != 1) {
		db_done(st);
		return rc == 0 ? HM_EUNAUTH : HM_EDB;
	}
	memset(&s, 0, sizeof(s));
	s.id = db_col_int(st, 0);
	account_id = db_col_int(st, 1);
	auth_copy(s.csrf_secret, db_col_text(st, 2), sizeof(s.csrf_secret));
	s.created_at = auth_ts_parse(db_col_text(st, 3));
	s.last_seen_at = auth_ts_parse(db_col_text(st, 4));
	s.expires_at = auth_ts_parse(db_col_text(st, 5));
	db_done(st);

	auth_session_limits(db, &idle, &life);
	/* The limits in force now, whatever they were at sign-in. */
	if (s.last_seen_at < 0 || s.expires_at < 0 || now >= s.expires_at ||
	    now - s.created_at >= life || now - s.last_seen_at >= idle) {
		session_delete_id(db, s.id);
		sodium_memzero(&s, sizeof(s));
		return HM_EUNAUTH;
	}
	/* Sliding expiry, written at most once a minute per session. */
	if (now - s.last_seen_at >= AUTH_SESSION_TOUCH && (st = auth_prep(db, SQL_SESSION_TOUCH))) {
		auth_ts(now, ts);
		db_bind_text(st, 1, ts);
		db_bind_text(st, 2, address);
		db_bind_int(st, 3, s.id);
		db_bind_text(st, 4, ts);
		if (db_run(st) == HM_OK)
			s.last_seen_at = now;
	}
	enum hm_err e = auth_principal_load(db, account_id, AUTH_VIA_SESSION, p);
	if (e != HM_OK) {
		sodium_memzero(&s, sizeof(s));
		return e == HM_ENOTFOUND ? HM_EUNAUTH : e;
	}
	p->session = s;
	return HM_OK;
}

enum hm_err auth_sign_out(struct db *db, const char *token)
{
	char digest[AUTH_DIGEST_HEX];
	if (!auth_token_digest(token, digest))
		return HM_OK;
	struct db_stmt *st = auth_prep(db, SQL_SESSION_DELETE_HASH);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, digest);
	return db_run(st);
}

enum hm_err auth_sign_out_as(struct db *db, const char *token, const struct principal *actor,
			     int64_t now)
{
	char digest[AUTH_DIGEST_HEX];
	if (!auth_token_digest(token, digest))
		return HM_OK;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	struct db_stmt *st = auth_prep(db, SQL_SESSION_DELETE_HASH);
	if (!st)
		return auth_fail(db, HM_EDB);
	db_bind_text(st, 1, digest);
	if ((e = db_run(st)) != HM_OK)
		return auth_fail(db, e);
	if (db_changes(db) && actor && actor->account_id &&
	    (e = audit_record_at(db, actor, "auth.sign_out", "auth", actor->account_id, NULL, NULL,
				 now)) != HM_OK)
		return auth_fail(db, e);
	if ((e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	return HM_OK;
}

enum hm_err auth_sessions_end_all(struct db *db, int64_t account_id, int *n_out)
{
	struct db_stmt *st = auth_prep(db, SQL_SESSION_DELETE_ACCOUNT);
	if (n_out)
		*n_out = 0;
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, account_id);
	enum hm_err e = db_run(st);
	if (e == HM_OK && n_out)
		*n_out = db_changes(db);
	return e;
}

json_t *auth_session_list(struct db *db, int64_t account_id, int64_t now)
{
	char ts[AUTH_TS_SIZE], since[AUTH_TS_SIZE];
	int64_t idle, life;
	auth_session_limits(db, &idle, &life);
	auth_ts(now, ts);
	auth_ts(now - idle, since);
	struct db_stmt *st = auth_prep(db, SQL_SESSION_LIST);
	if (st) {
		db_bind_int(st, 1, account_id);
		db_bind_text(st, 2, ts);
		db_bind_text(st, 3, since);
	}
	return db_rows_json(st);
}

enum hm_err auth_session_end(struct db *db, const struct principal *actor, int64_t session_id,
			     int64_t now)
{
	struct auth_scope own = {.owner_account_id = actor ? actor->account_id : 0};
	if (!actor || !actor->account_id || !auth_can(actor, AUTH_ACCOUNT_SELF, &own))
		return HM_EFORBIDDEN;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	struct db_stmt *st = auth_prep(db, SQL_SESSION_DELETE_OWN);
	if (!st)
		return auth_fail(db, HM_EDB);
	db_bind_int(st, 1, session_id);
	db_bind_int(st, 2, actor->account_id);
	if ((e = db_run(st)) != HM_OK)
		return auth_fail(db, e);
	if (db_changes(db) == 0)
		return auth_fail(db, HM_ENOTFOUND);
	json_t *before = json_pack("{s:I}", "session", (json_int_t)session_id);
	e = audit_record_at(db, actor, "account.session_end", "account", actor->account_id, before,
			    NULL, now);
	json_decref(before);
	if (e != HM_OK || (e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	return HM_OK;
}

enum hm_err auth_sign_out_everywhere(struct db *db, const struct principal *actor, int64_t now,
				     int *n_out)
{
	struct auth_scope own = {.owner_account_id = actor ? actor->account_id : 0};
	int n = 0;
	if (n_out)
		*n_out = 0;
	if (!actor || !actor->account_id || !auth_can(actor, AUTH_ACCOUNT_SELF, &own))
		return HM_EFORBIDDEN;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	if ((e = auth_sessions_end_all(db, actor->account_id, &n)) != HM_OK)
		return auth_fail(db, e);
	json_t *after = json_pack("{s:i}", "sessions_ended", n);
	e = audit_record_at(db, actor, "account.sign_out_everywhere", "account", actor->account_id,
			    NULL, after, now);
	json_decref(after);
	if (e != HM_OK || (e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	if (n_out)
		*n_out = n;
	return HM_OK;
}

enum hm_err auth_purge(struct db *db, int64_t now)
{
	char ts[AUTH_TS_SIZE], idle[AUTH_TS_SIZE], window[AUTH_TS_SIZE];
	struct db_stmt *st;
	int64_t idle_s, life_s;
	enum hm_err e;
	auth_session_limits(db, &idle_s, &life_s);
	auth_ts(now, ts);
	auth_ts(now - idle_s, idle);
	auth_ts(now - AUTH_THROTTLE_WINDOW, window);
	if ((e = db_begin(db)) != HM_OK)
		return e;
	if (!(st = auth_prep(db, SQL_SESSION_PURGE)))
		return auth_fail(db, HM_EDB);
	db_bind_text(st, 1, ts);
	db_bind_text(st, 2, idle);
	if ((e = db_run(st)) != HM_OK)
		return auth_fail(db, e);
	if (!(st = auth_prep(db, SQL_RESET_PURGE)))
		return auth_fail(db, HM_EDB);
	db_bind_text(st, 1, ts);
	if ((e = db_run(st)) != HM_OK)
		return auth_fail(db, e);
	if (!(st = auth_prep(db, SQL_THROTTLE_PURGE)))
		return auth_fail(db, HM_EDB);
	db_bind_text(st, 1, window);
	db_bind_text(st, 2, ts);
	if ((e = db_run(st)) != HM_OK || (e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	return HM_OK;
}

static void purge_run(struct db *db, int64_t now, int (*stopping)(void))
{
	(void)stopping;
	auth_purge(db, now);
}

const struct job auth_jobs[] = {
	{"auth.purge", 3600, purge_run},
};
const size_t auth_njobs = HM_ARRAY_LEN(auth_jobs);

/* -------------------------------------------------------------- cookies */

/* Each cookie's name over http and on an https site (a __Host- name is
 * kept by browsers only when Secure, with Path=/ and no Domain, so a
 * sibling subdomain cannot plant or overwrite it). */
static const char *const cookie_names[][2] = {
	[AUTH_COOKIE_SESSION] = {"session", "__Host-session"},
	[AUTH_COOKIE_PRESESSION] = {"presession", "__Host-presession"},
	[AUTH_COOKIE_DIALOGUE] = {"dialogue", "__Host-dialogue"},
};

/* Set once by auth_cookie_https before the server starts; read-only after. */
static int cookie_https;

void auth_cookie_https(int on)
{
	cookie_https = on != 0;
}

const char *auth_cookie_name(enum auth_cookie which)
{
	if ((unsigned)which >= HM_ARRAY_LEN(cookie_names))
		which = AUTH_COOKIE_SESSION;
	return cookie_names[which][cookie_https];
}

/* 1 if s has only base64url characters (nothing that could end the
 * cookie value and start an attribute). */
static int token_chars_ok(const char *s)
{
	if (!s || !*s || strlen(s) > AUTH_TOKEN_LEN)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

char *auth_cookie_header(enum auth_cookie which, const char *token, int secure,
			 char out[AUTH_COOKIE_SIZE])
{
	const char *name = auth_cookie_name(which);
	const char *tls = secure || cookie_https ? "; Secure" : "";
	/* A value that is not a token of ours clears the cookie rather than
	 * carrying anything into the header. */
	if (token_chars_ok(token))
		snprintf(out, AUTH_COOKIE_SIZE, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", name,
			 token, tls);
	else
		snprintf(out, AUTH_COOKIE_SIZE, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
			 name, tls);
	return out;
}

/* ----------------------------------------------------------------- CSRF */

/* Constant-time equality of a presented token with the expected one. */
static int token_equal(const char *expected, const char *given)
{
	if (!expected || !given || strlen(expected) != AUTH_TOKEN_LEN ||
	    strlen(given) != AUTH_TOKEN_LEN)
		return 0;
	return sodium_memcmp(expected, given, AUTH_TOKEN_LEN) == 0;
}

void auth_csrf_token(const struct auth_session *s, char out[AUTH_TOKEN_SIZE])
{
	auth_copy(out, s ? s->csrf_secret : "", AUTH_TOKEN_SIZE);
}

int auth_csrf_check(const struct auth_session *s, const char *token)
{
	if (!s || s->id == 0)
		return 0;
	auth_init();
	return token_equal(s->csrf_secret, token);
}

void auth_presession_new(char out[AUTH_TOKEN_SIZE])
{
	auth_token_new(out);
}

/* Two instances racing to make a key agree on whichever insert won. */
enum hm_err auth_server_key(struct db *db, const char *name, unsigned char key[32])
{
	for (int attempt = 0; attempt < 2; attempt++) {
		struct db_stmt *st = auth_prep(db, SQL_KEY_GET);
		if (!st)
			return HM_EDB;
		db_bind_text(st, 1, name);
		int rc = db_step(st);
		if (rc == 1) {
			const char *hex = db_col_text(st, 0);
			size_t len = 0;
			int ok = hex && sodium_hex2bin(key, 32, hex, strlen(hex), NULL, &len, NULL) == 0 &&
				 len == 32;
			db_done(st);
			if (!ok)
				log_error("auth_key %s is damaged", name);
			return ok ? HM_OK : HM_EINTERNAL;
		}
		db_done(st);
		if (rc < 0)
			return HM_EDB;

		unsigned char fresh[32];
		char hex[65], ts[AUTH_TS_SIZE];
		randombytes_buf(fresh, sizeof(fresh));
		sodium_bin2hex(hex, sizeof(hex), fresh, sizeof(fresh));
		sodium_memzero(fresh, sizeof(fresh));
		auth_ts((int64_t)time(NULL), ts);
		if (!(st = auth_prep(db, SQL_KEY_INSERT)))
			return HM_EDB;
		db_bind_text(st, 1, name);
		db_bind_text(st, 2, hex);
		db_bind_text(st, 3, ts);
		enum hm_err e = db_run(st);
		sodium_memzero(hex, sizeof(hex));
		if (e != HM_OK && e != HM_EEXIST)
			return e;
	}
	return HM_EINTERNAL;
}

enum hm_err auth_anon_csrf_token(struct db *db, const char *presession,
				 char out[AUTH_TOKEN_SIZE])
{
	unsigned char bin[AUTH_TOKEN_BYTES], key[32], mac[32];
	enum hm_err e;
	out[0] = '\0';
	if (!auth_token_decode(presession, bin))
		return HM_EINVAL;
	if ((e = auth_server_key(db, "anon_csrf", key)) != HM_OK)
		return e;
	crypto_generichash(mac, sizeof(mac), bin, sizeof(bin), key, sizeof(key));
	sodium_bin2base64(out, AUTH_TOKEN_SIZE, mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(key, sizeof(key));
	return HM_OK;
}

int auth_anon_csrf_check(struct db *db, const char *presession, const char *token)
{
	char expected[AUTH_TOKEN_SIZE];
	if (auth_anon_csrf_token(db, presession, expected) != HM_OK)
		return 0;
	return token_equal(expected, token);
}
