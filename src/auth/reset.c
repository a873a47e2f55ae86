/*
 * reset.c — password reset by e-mailed link: a single-use token that
 * lives an hour (a week for an invitation's), stored as a digest. Completing it sets the password,
 * ends every session of the account and forgives its failed sign-ins.
 */
#include "auth/auth_impl.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum hm_err auth_reset_request(struct db *db, const char *email, int64_t now,
			       char token_out[AUTH_TOKEN_SIZE])
{
	return auth_reset_request_for(db, email, now, AUTH_RESET_LIFETIME, token_out);
}

enum hm_err auth_reset_request_for(struct db *db, const char *email, int64_t now,
				   int64_t lifetime, char token_out[AUTH_TOKEN_SIZE])
{
	char digest[AUTH_DIGEST_HEX], ts[AUTH_TS_SIZE], te[AUTH_TS_SIZE];
	int64_t id;
	enum hm_err e;
	token_out[0] = '\0';
	if ((e = auth_init()) != HM_OK || (e = auth_account_find(db, email, &id)) != HM_OK)
		return e;
	auth_token_new(token_out);
	auth_token_digest(token_out, digest);
	auth_ts(now, ts);
	auth_ts(now + lifetime, te);
	if ((e = db_begin(db)) != HM_OK)
		goto fail;
	struct db_stmt *st = auth_prep(db, SQL_RESET_DROP_UNUSED);
	if (!st) {
		e = auth_fail(db, HM_EDB);
		goto fail;
	}
	db_bind_int(st, 1, id);
	if ((e = db_run(st)) != HM_OK || !(st = auth_prep(db, SQL_RESET_INSERT))) {
		e = auth_fail(db, e != HM_OK ? e : HM_EDB);
		goto fail;
	}
	db_bind_text(st, 1, digest);
	db_bind_int(st, 2, id);
	db_bind_text(st, 3, ts);
	db_bind_text(st, 4, te);
	if ((e = db_run(st)) != HM_OK || (e = db_commit(db)) != HM_OK) {
		e = auth_fail(db, e);
		goto fail;
	}
	return HM_OK;
fail:
	sodium_memzero(token_out, AUTH_TOKEN_SIZE);
	return e;
}

/* The live reset row of a digest: its id and account; 0 when none. */
static int reset_find(struct db *db, const char *digest, int64_t now, int64_t *id,
		      int64_t *account_id)
{
	struct db_stmt *st = auth_prep(db, SQL_RESET_BY_HASH);
	if (!st)
		return -1;
	db_bind_text(st, 1, digest);
	int rc = db_step(st);
	if (rc == 1) {
		*id = db_col_int(st, 0);
		*account_id = db_col_int(st, 1);
		int64_t expires = auth_ts_parse(db_col_text(st, 2));
		if (expires < 0 || now >= expires)
			rc = 0;
	}
	db_done(st);
	return rc;
}

enum hm_err auth_reset_complete(struct db *db, const char *token, const char *new_password,
				int64_t now, int64_t *account_id_out, char *msg, size_t msglen)
{
	char digest[AUTH_DIGEST_HEX], ts[AUTH_TS_SIZE], hash[crypto_pwhash_STRBYTES], dummy[8];
	int64_t id = 0, account_id = 0;
	struct principal who;
	enum hm_err e;
	int n = 0, t = 0;
	if (!msg) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	msg[0] = '\0';
	if (account_id_out)
		*account_id_out = 0;
	if (!auth_token_digest(token, digest)) {
		snprintf(msg, msglen, "this reset link is not valid (it may have expired)");
		return HM_ENOTFOUND;
	}
	/* Check the link before the password, but spend no write on either
	 * until both are good: a refused password leaves the link usable. */
	int rc = reset_find(db, digest, now, &id, &account_id);
	if (rc < 0)
		return HM_EDB;
	if (rc == 0) {
		snprintf(msg, msglen, "this reset link is not valid (it may have expired)");
		return HM_ENOTFOUND;
	}
	json_t *acct = auth_account_get(db, account_id);
	e = auth_password_new(new_password, json_string_value(json_object_get(acct, "email")),
			      json_string_value(json_object_get(acct, "name")), hash, msg, msglen);
	json_decref(acct);
	if (e != HM_OK)
		return e;

	auth_ts(now, ts);
	if ((e = db_begin(db)) != HM_OK)
		goto out;
	struct db_stmt *st = auth_prep(db, SQL_RESET_USE);
	if (!st) {
		e = auth_fail(db, HM_EDB);
		goto out;
	}
	db_bind_text(st, 1, ts);
	db_bind_int(st, 2, id);
	if ((e = db_run(st)) != HM_OK) {
		e = auth_fail(db, e);
		goto out;
	}
	if (db_changes(db) != 1) { /* used by a concurrent request meanwhile */
		snprintf(msg, msglen, "this reset link is not valid (it may have expired)");
		e = auth_fail(db, HM_ENOTFOUND);
		goto out;
	}
	if ((e = auth_password_store(db, account_id, hash, ts, &n, &t)) != HM_OK ||
	    (e = auth_principal_load(db, account_id, AUTH_VIA_NONE, &who)) != HM_OK ||
	    (e = auth_throttle_clear_account(db, who.email)) != HM_OK) {
		e = auth_fail(db, e);
		goto out;
	}
	json_t *after = json_pack("{s:i, s:i}", "sessions_ended", n, "tokens_revoked", t);
	e = audit_record_at(db, &who, "account.password_reset", "account", account_id, NULL, after,
			    now);
	json_decref(after);
	if (e != HM_OK || (e = db_commit(db)) != HM_OK) {
		e = auth_fail(db, e);
		goto out;
	}
	if (account_id_out)
		*account_id_out = account_id;
out:
	sodium_memzero(hash, sizeof(hash));
	return e;
}
