/*
 * signin.c — signing in with e-mail and password: throttled per e-mail
 * typed and per client network with delays that double, one answer for
 * an unknown e-mail and a wrong password (with the same Argon2 work),
 * rehash when the costs changed, and always a fresh session.
 */
#include "auth/auth_impl.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum throttle_kind { THROTTLE_ACCOUNT, THROTTLE_ADDRESS };

static const struct {
	const char *name;
	int free;
} throttle_kinds[] = {
	[THROTTLE_ACCOUNT] = {"account", AUTH_THROTTLE_ACCOUNT_FREE},
	[THROTTLE_ADDRESS] = {"address", AUTH_THROTTLE_ADDRESS_FREE},
};

/* Keys are digests, so the table holds neither e-mails nor addresses and
 * any bytes a client sends make a well-formed key. */
static void throttle_key(const char *s, char hex[AUTH_DIGEST_HEX])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)s, strlen(s), NULL, 0);
	sodium_bin2hex(hex, AUTH_DIGEST_HEX, h, sizeof(h));
}

/* The e-mail as the throttle sees it: normalised when valid, else as typed
 * (so "Ann@x.org" and "ann@x.org " share one count). */
static void account_key(const char *email, char hex[AUTH_DIGEST_HEX])
{
	char norm[AUTH_EMAIL_MAX + 1];
	if (auth_email_normalise(email, norm) != HM_OK)
		auth_copy(norm, email, sizeof(norm));
	throttle_key(norm, hex);
}

/* The client's network: an IPv4 address, or the /64 of an IPv6 one (one
 * subscriber usually holds a whole /64). */
static void address_key(const char *addr, char hex[AUTH_DIGEST_HEX])
{
	unsigned char a6[16];
	struct in_addr a4;
	char net[INET6_ADDRSTRLEN + 8];
	static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		inet_ntop(AF_INET, &a4, net, sizeof(net));
	} else if (inet_pton(AF_INET6, addr, a6) == 1) {
		if (memcmp(a6, v4mapped, sizeof(v4mapped)) == 0) {
			inet_ntop(AF_INET, a6 + 12, net, sizeof(net));
		} else {
			memset(a6 + 8, 0, 8);
			inet_ntop(AF_INET6, a6, net, sizeof(net));
			strcat(net, "/64");
		}
	} else {
		auth_copy(net, addr, sizeof(net));
	}
	throttle_key(net, hex);
}

/* Seconds to wait after k failures beyond the free ones: 2^k, capped. */
static int64_t throttle_delay(int64_t k)
{
	int64_t d = 1;
	while (k-- > 0 && d < AUTH_THROTTLE_DELAY_MAX)
		d *= 2;
	return d < AUTH_THROTTLE_DELAY_MAX ? d : AUTH_THROTTLE_DELAY_MAX;
}

/* Seconds the key must still wait (0: none); -1 on a storage error. */
static int64_t throttle_wait(struct db *db, enum throttle_kind kind, const char *key, int64_t now)
{
	struct db_stmt *st = auth_prep(db, SQL_THROTTLE_GET);
	int64_t wait = 0;
	if (!st)
		return -1;
	db_bind_text(st, 1, throttle_kinds[kind].name);
	db_bind_text(st, 2, key);
	int rc = db_step(st);
	if (rc == 1) {
		int64_t until = auth_ts_parse(db_col_text(st, 2));
		if (until > now)
			wait = until - now;
	}
	db_done(st);
	return rc < 0 ? -1 : wait;
}

/* Counts one failure against key, inside the caller's transaction. */
static enum hm_err throttle_fail(struct db *db, enum throttle_kind kind, const char *key,
				 int64_t now)
{
	struct db_stmt *st = auth_prep(db, SQL_THROTTLE_GET);
	int64_t failures = 0;
	char ts[AUTH_TS_SIZE], until[AUTH_TS_SIZE];
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, throttle_kinds[kind].name);
	db_bind_text(st, 2, key);
	int rc = db_step(st);
	if (rc == 1) {
		int64_t last = auth_ts_parse(db_col_text(st, 1));
		if (last >= 0 && now - last < AUTH_THROTTLE_WINDOW)
			failures = db_col_int(st, 0);
	}
	db_done(st);
	if (rc < 0)
		return HM_EDB;
	failures++;
	int64_t free_n = throttle_kinds[kind].free;
	auth_ts(now, ts);
	auth_ts(failures >= free_n ? now + throttle_delay(failures - free_n) : now, until);
	if (!(st = auth_prep(db, SQL_THROTTLE_PUT)))
		return HM_EDB;
	db_bind_text(st, 1, throttle_kinds[kind].name);
	db_bind_text(st, 2, key);
	db_bind_int(st, 3, failures);
	db_bind_text(st, 4, ts);
	db_bind_text(st, 5, until);
	return db_run(st);
}

static enum hm_err throttle_clear(struct db *db, enum throttle_kind kind, const char *key)
{
	struct db_stmt *st = auth_prep(db, SQL_THROTTLE_CLEAR);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, throttle_kinds[kind].name);
	db_bind_text(st, 2, key);
	return db_run(st);
}

enum hm_err auth_throttle_clear_account(struct db *db, const char *email)
{
	char key[AUTH_DIGEST_HEX];
	account_key(email, key);
	return throttle_clear(db, THROTTLE_ACCOUNT, key);
}

/* Takes the attempt: in one write transaction, so parallel attempts are
 * counted one after the other, checks both throttles and counts the
 * attempt against the e-mail before its password is looked at (success
 * clears that count). *wait > 0: throttled, nothing counted. */
static enum hm_err take_attempt(struct db *db, const char *akey, const char *nkey, int64_t now,
				int64_t *wait)
{
	enum hm_err e;
	*wait = 0;
	if ((e = db_begin(db)) != HM_OK)
		return e;
	int64_t wa = throttle_wait(db, THROTTLE_ACCOUNT, akey, now);
	int64_t wn = nkey ? throttle_wait(db, THROTTLE_ADDRESS, nkey, now) : 0;
	if (wa < 0 || wn < 0)
		return auth_fail(db, HM_EDB);
	*wait = wa > wn ? wa : wn;
	if (*wait > 0) {
		db_rollback(db);
		return HM_OK;
	}
	if ((e = throttle_fail(db, THROTTLE_ACCOUNT, akey, now)) != HM_OK ||
	    (e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	return HM_OK;
}

/* A wrong password also counts against the client's network. (Counted
 * only now, so the sign-ins of a whole venue behind one address do not
 * add up.) */
static enum hm_err record_failure(struct db *db, const char *nkey, int64_t now)
{
	enum hm_err e;
	if (!nkey)
		return HM_OK;
	if ((e = db_begin(db)) != HM_OK)
		return e;
	if ((e = throttle_fail(db, THROTTLE_ADDRESS, nkey, now)) != HM_OK ||
	    (e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	return HM_OK;
}

/* Records an authentication event (entity "auth", the account's id when
 * there is one) in a transaction of its own: who tried, from where, and
 * why it failed — never the password or the code. A failure to record is
 * logged by audit_record_at and does not change the answer. */
static void auth_event(struct db *db, const char *action, int64_t account_id, const char *email,
		       const char *address, const char *why, int64_t now)
{
	struct principal visitor;
	auth_principal_visitor(&visitor);
	char norm[AUTH_EMAIL_MAX + 1] = "";
	if (email && auth_email_normalise(email, norm) != HM_OK)
		snprintf(norm, sizeof(norm), "%.64s", "(not an e-mail address)");
	json_t *after = json_pack("{s:s, s:s?, s:s?}", "email", norm, "address", address, "reason",
				  why);
	if (db_begin(db) == HM_OK) {
		if (audit_record_at(db, &visitor, action, "auth", account_id, NULL, after, now) ==
			    HM_OK &&
		    db_commit(db) == HM_OK) {
			json_decref(after);
			return;
		}
		db_rollback(db);
	}
	json_decref(after);
}

/* 1 if an "auth.throttled" entry for account_id was written in the last
 * minute: a throttled attacker's every attempt is not worth a row. */
static int throttled_lately(struct db *db, int64_t account_id, int64_t now)
{
	static const char sql[] = "SELECT 1 FROM audit_log WHERE entity = 'auth' AND entity_id = ? "
				  "AND action = 'auth.throttled' AND at > ? LIMIT 1";
	char since[AUTH_TS_SIZE];
	auth_ts(now - 60, since);
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return 1;
	db_bind_int(st, 1, account_id);
	db_bind_text(st, 2, since);
	int rc = db_step(st);
	db_done(st);
	return rc != 0;
}

/* The account with this e-mail: id and hash (NULL when it has no
 * password) into the buffers; 0 when there is none. -1 on error. */
static int account_for_sign_in(struct db *db, const char *email, int64_t *id,
			       char hash[crypto_pwhash_STRBYTES], int *has_hash)
{
	char norm[AUTH_EMAIL_MAX + 1];
	*id = 0;
	*has_hash = 0;
	if (auth_email_normalise(email, norm) != HM_OK)
		return 0;
	struct db_stmt *st = auth_prep(db, SQL_ACCOUNT_BY_EMAIL);
	if (!st)
		return -1;
	db_bind_text(st, 1, norm);
	int rc = db_step(st);
	if (rc == 1) {
		const char *h = db_col_text(st, 1);
		*id = db_col_int(st, 0);
		if (h && strlen(h) < crypto_pwhash_STRBYTES) {
			auth_copy(hash, h, crypto_pwhash_STRBYTES);
			*has_hash = 1;
		}
	}
	db_done(st);
	return rc;
}

/* mode: 1 asks for the second factor (code), 0 proves the password alone
 * (auth_password_prove, where the session made is ended at once). */
static enum hm_err sign_in(struct db *db, const char *email, const char *password,
			   const char *code, int mode, const char *client_addr,
			   const char *old_token, int64_t now, char token_out[AUTH_TOKEN_SIZE],
			   struct principal *p, int64_t *retry_after, int *code_required)
{
	char akey[AUTH_DIGEST_HEX], nkey[AUTH_DIGEST_HEX], digest[AUTH_DIGEST_HEX];
	char hash[crypto_pwhash_STRBYTES], fresh[crypto_pwhash_STRBYTES], ts[AUTH_TS_SIZE];
	struct auth_session s;
	int64_t id = 0, wait;
	int has_hash = 0, rehash = 0;
	enum hm_err e;

	token_out[0] = '\0';
	if (retry_after)
		*retry_after = 0;
	if (p)
		auth_principal_visitor(p);
	if ((e = auth_init()) != HM_OK)
		return e;
	if (!email)
		email = "";
	account_key(email, akey);
	if (client_addr)
		address_key(client_addr, nkey);

	/* Throttled: answer at once, without looking at the password. */
	if ((e = take_attempt(db, akey, client_addr ? nkey : NULL, now, &wait)) != HM_OK)
		return e;
	if (wait > 0) {
		if (retry_after)
			*retry_after = wait;
		if (mode == 1) {
			int64_t who = 0;
			int dummy = 0;
			if (account_for_sign_in(db, email, &who, hash, &dummy) == 1 &&
			    !throttled_lately(db, who, now))
				auth_event(db, "auth.throttled", who, email, client_addr, NULL, now);
			sodium_memzero(hash, sizeof(hash));
		}
		return HM_EFORBIDDEN;
	}

	int rc = account_for_sign_in(db, email, &id, hash, &has_hash);
	if (rc < 0)
		return HM_EDB;
	/* Unknown e-mail, no password yet, or wrong password: the same Argon2
	 * work (the dummy hash has the current costs) and the same answer. */
	if (!auth_password_verify(has_hash ? hash : NULL, password)) {
		sodium_memzero(hash, sizeof(hash));
		e = record_failure(db, client_addr ? nkey : NULL, now);
		if (mode == 1)
			auth_event(db, "auth.sign_in_failed", id, email, client_addr,
				   id ? "password" : "no such account", now);
		return e == HM_OK ? HM_EUNAUTH : e;
	}
	if (mode == 1) {
		enum hm_err ce = auth_two_factor_check(db, id, code, now);
		if (ce == HM_EUNAUTH) {
			/* The password was right: say that a code is wanted, and count
			 * a wrong one as a failure, as a wrong password is. */
			sodium_memzero(hash, sizeof(hash));
			if (code_required)
				*code_required = 1;
			e = record_failure(db, client_addr ? nkey : NULL, now);
			auth_event(db, "auth.sign_in_failed", id, email, client_addr,
				   code && *code ? "code" : "no code", now);
			return e == HM_OK ? HM_EUNAUTH : e;
		}
		if (ce != HM_OK) {
			sodium_memzero(hash, sizeof(hash));
			return ce;
		}
	}
	if (auth_password_needs_rehash(hash)) {
		if (auth_password_hash(password, fresh) == HM_OK)
			rehash = 1;
	}
	sodium_memzero(hash, sizeof(hash));

	if ((e = db_begin(db)) != HM_OK)
		goto out;
	struct db_stmt *st;
	if (rehash) {
		if (!(st = auth_prep(db, SQL_ACCOUNT_SET_PASSWORD))) {
			e = auth_fail(db, HM_EDB);
			goto out;
		}
		auth_ts(now, ts);
		db_bind_text(st, 1, fresh);
		db_bind_text(st, 2, ts);
		db_bind_int(st, 3, id);
		if ((e = db_run(st)) != HM_OK) {
			e = auth_fail(db, e);
			goto out;
		}
	}
	/* Rotation: whatever session the browser had is ended, never raised. */
	if (old_token && auth_token_digest(old_token, digest)) {
		if (!(st = auth_prep(db, SQL_SESSION_DELETE_HASH))) {
			e = auth_fail(db, HM_EDB);
			goto out;
		}
		db_bind_text(st, 1, digest);
		if ((e = db_run(st)) != HM_OK) {
			e = auth_fail(db, e);
			goto out;
		}
	}
	struct principal who;
	json_t *where = json_pack("{s:s?}", "address", client_addr);
	if ((e = auth_session_insert(db, id, now, client_addr, token_out, &s)) != HM_OK ||
	    (e = throttle_clear(db, THROTTLE_ACCOUNT, akey)) != HM_OK ||
	    (mode == 1 && ((e = auth_principal_load(db, id, AUTH_VIA_SESSION, &who)) != HM_OK ||
			   (e = audit_record_at(db, &who, "auth.sign_in", "auth", id, NULL, where,
						now)) != HM_OK)) ||
	    (e = db_commit(db)) != HM_OK) {
		json_decref(where);
		token_out[0] = '\0';
		e = auth_fail(db, e);
		goto out;
	}
	json_decref(where);
	if (p) {
		if ((e = auth_principal_load(db, id, AUTH_VIA_SESSION, p)) != HM_OK)
			goto out;
		p->session = s;
	}
out:
	sodium_memzero(fresh, sizeof(fresh));
	return e;
}

enum hm_err auth_sign_in(struct db *db, const char *email, const char *password,
			 const char *client_addr, const char *old_token, int64_t now,
			 char token_out[AUTH_TOKEN_SIZE], struct principal *p,
			 int64_t *retry_after)
{
	return sign_in(db, email, password, NULL, 1, client_addr, old_token, now, token_out, p,
		       retry_after, NULL);
}

enum hm_err auth_sign_in_code(struct db *db, const char *email, const char *password,
			      const char *code, const char *client_addr, const char *old_token,
			      int64_t now, char token_out[AUTH_TOKEN_SIZE], struct principal *p,
			      int64_t *retry_after, int *code_required)
{
	if (code_required)
		*code_required = 0;
	return sign_in(db, email, password, code, 1, client_addr, old_token, now, token_out, p,
		       retry_after, code_required);
}

enum hm_err auth_password_only(struct db *db, const char *email, const char *password,
			       const char *client_addr, int64_t now,
			       char token_out[AUTH_TOKEN_SIZE], int64_t *retry_after)
{
	return sign_in(db, email, password, NULL, 0, client_addr, NULL, now, token_out, NULL,
		       retry_after, NULL);
}
