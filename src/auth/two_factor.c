/*
 * two_factor.c — a second factor for signing in: a TOTP secret (RFC 6238:
 * HMAC-SHA1, 30-second steps, 6 digits, liboath), turned on by entering a
 * code from the app it was given to, and ten single-use recovery codes for
 * a lost phone. A code is accepted for the step before, the step and the
 * step after now, and never for a step at or before the last one accepted,
 * so a code seen over someone's shoulder cannot be used again.
 */
#include "auth/auth_impl.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEP 30
#define DIGITS 6
#define SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends */

static const char SQL_GET[] =
	"SELECT secret, confirmed_at, last_step FROM two_factor WHERE account_id = ?";
static const char SQL_BEGIN[] =
	"INSERT INTO two_factor (account_id, secret, created_at) VALUES (?, ?, ?) "
	"ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret, "
	"created_at = excluded.created_at, confirmed_at = NULL, last_step = 0 "
	"WHERE two_factor.confirmed_at IS NULL";
static const char SQL_CONFIRM[] =
	"UPDATE two_factor SET confirmed_at = ?, last_step = ? WHERE account_id = ?";
static const char SQL_STEP[] =
	"UPDATE two_factor SET last_step = ? WHERE account_id = ? AND last_step < ?";
static const char SQL_DELETE[] = "DELETE FROM two_factor WHERE account_id = ?";
static const char SQL_CODES_DELETE[] = "DELETE FROM recovery_code WHERE account_id = ?";
static const char SQL_CODE_INSERT[] =
	"INSERT INTO recovery_code (account_id, code_hash) VALUES (?, ?)";
static const char SQL_CODE_USE[] = "UPDATE recovery_code SET used_at = ? "
				   "WHERE account_id = ? AND code_hash = ? AND used_at IS NULL";

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ok;

static void oath_start(void)
{
	oath_ok = oath_init() == OATH_OK;
}

/* The account's secret (decoded) and state; 0 none, 1 waiting for its
 * first code, 2 on; -1 on error. */
static int load(struct db *db, int64_t account_id, char secret[SECRET_BYTES], int64_t *last_step)
{
	struct db_stmt *st = db_prepare(db, SQL_GET);
	if (!st)
		return -1;
	db_bind_int(st, 1, account_id);
	int rc = db_step(st);
	if (rc != 1) {
		db_done(st);
		return rc;
	}
	char *raw = NULL;
	size_t len = 0;
	int state = db_col_is_null(st, 1) ? 1 : 2;
	*last_step = db_col_int(st, 2);
	const char *b32 = db_col_text(st, 0);
	if (!b32 || oath_base32_decode(b32, strlen(b32), &raw, &len) != OATH_OK ||
	    len != SECRET_BYTES) {
		free(raw);
		db_done(st);
		return -1;
	}
	memcpy(secret, raw, SECRET_BYTES);
	sodium_memzero(raw, len);
	free(raw);
	db_done(st);
	return state;
}

/* The step code is valid for (within a step of now), or -1. */
static int64_t code_step(const char secret[SECRET_BYTES], const char *code, int64_t now)
{
	int pos = 0;
	if (!code || strlen(code) != DIGITS || strspn(code, "0123456789") != DIGITS)
		return -1;
	if (oath_totp_validate2(secret, SECRET_BYTES, (time_t)now, STEP, 0, 1, &pos, code) < 0)
		return -1;
	return now / STEP + pos;
}

static void code_digest(const char *code, char hex[AUTH_DIGEST_HEX])
{
	unsigned char h[32];
	char norm[32];
	size_t n = 0;
	/* Typed as shown ("k7m2p-9qx4a") or without the hyphen, in any case. */
	for (const char *c = code; *c && n + 1 < sizeof(norm); c++)
		if (*c != '-' && *c != ' ')
			norm[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	norm[n] = '\0';
	crypto_generichash(h, sizeof(h), (const unsigned char *)norm, n, NULL, 0);
	sodium_bin2hex(hex, AUTH_DIGEST_HEX, h, sizeof(h));
}

enum hm_err auth_two_factor_pending(struct db *db, int64_t account_id,
				    char secret_out[AUTH_TOTP_SECRET_SIZE])
{
	static const char sql[] =
		"SELECT secret FROM two_factor WHERE account_id = ? AND confirmed_at IS NULL";
	secret_out[0] = '\0';
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, account_id);
	int rc = db_step(st);
	if (rc == 1)
		snprintf(secret_out, AUTH_TOTP_SECRET_SIZE, "%s", db_col_text(st, 0));
	db_done(st);
	return rc == 1 ? HM_OK : rc == 0 ? HM_ENOTFOUND : HM_EDB;
}

int auth_two_factor_state(struct db *db, int64_t account_id)
{
	char secret[SECRET_BYTES];
	int64_t last = 0;
	int s = load(db, account_id, secret, &last);
	sodium_memzero(secret, sizeof(secret));
	return s;
}

enum hm_err auth_two_factor_begin(struct db *db, const struct principal *actor, int64_t now,
				  char secret_out[AUTH_TOTP_SECRET_SIZE])
{
	struct auth_scope own = {.owner_account_id = actor ? actor->account_id : 0};
	unsigned char raw[SECRET_BYTES];
	char ts[AUTH_TS_SIZE], *b32 = NULL;
	size_t len = 0;
	secret_out[0] = '\0';
	if (!actor || !actor->account_id || !auth_can(actor, AUTH_ACCOUNT_SELF, &own))
		return HM_EFORBIDDEN;
	pthread_once(&oath_once, oath_start);
	if (!oath_ok)
		return HM_EINTERNAL;
	if (auth_two_factor_state(db, actor->account_id) == 2)
		return HM_EEXIST;
	randombytes_buf(raw, sizeof(raw));
	if (oath_base32_encode((const char *)raw, sizeof(raw), &b32, &len) != OATH_OK ||
	    len >= AUTH_TOTP_SECRET_SIZE) {
		free(b32);
		return HM_EINTERNAL;
	}
	sodium_memzero(raw, sizeof(raw));
	auth_ts(now, ts);
	struct db_stmt *st = db_prepare(db, SQL_BEGIN);
	enum hm_err e = HM_EDB;
	if (st) {
		db_bind_int(st, 1, actor->account_id);
		db_bind_text(st, 2, b32);
		db_bind_text(st, 3, ts);
		e = db_run(st);
	}
	if (e == HM_OK)
		memcpy(secret_out, b32, len + 1);
	sodium_memzero(b32, len);
	free(b32);
	return e;
}

/* A recovery code: ten letters and digits a person can read aloud, shown
 * as two groups of five. */
static void recovery_code(char out[AUTH_RECOVERY_CODE_SIZE])
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
	size_t k = 0;
	for (int i = 0; i < 10; i++) {
		if (i == 5)
			out[k++] = '-';
		out[k++] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	}
	out[k] = '\0';
}

enum hm_err auth_two_factor_confirm(struct db *db, const struct principal *actor,
				    const char *code, int64_t now,
				    char codes_out[AUTH_RECOVERY_CODES][AUTH_RECOVERY_CODE_SIZE])
{
	struct auth_scope own = {.owner_account_id = actor ? actor->account_id : 0};
	char secret[SECRET_BYTES], ts[AUTH_TS_SIZE], hex[AUTH_DIGEST_HEX];
	int64_t last = 0, step;
	enum hm_err e;
	if (!actor || !actor->account_id || !auth_can(actor, AUTH_ACCOUNT_SELF, &own))
		return HM_EFORBIDDEN;
	pthread_once(&oath_once, oath_start);
	int state = load(db, actor->account_id, secret, &last);
	if (state < 0)
		return HM_EDB;
	if (state == 0)
		return HM_ENOTFOUND;
	if (state == 2) {
		sodium_memzero(secret, sizeof(secret));
		return HM_EEXIST;
	}
	step = code_step(secret, code, now);
	sodium_memzero(secret, sizeof(secret));
	if (step < 0)
		return HM_EUNAUTH;
	auth_ts(now, ts);
	if ((e = db_begin(db)) != HM_OK)
		return e;
	struct db_stmt *st = db_prepare(db, SQL_CONFIRM);
	if (!st)
		return auth_fail(db, HM_EDB);
	db_bind_text(st, 1, ts);
	db_bind_int(st, 2, step);
	db_bind_int(st, 3, actor->account_id);
	if ((e = db_run(st)) != HM_OK)
		return auth_fail(db, e);
	if (!(st = db_prepare(db, SQL_CODES_DELETE)))
		return auth_fail(db, HM_EDB);
	db_bind_int(st, 1, actor->account_id);
	if ((e = db_run(st)) != HM_OK)
		return auth_fail(db, e);
	for (int i = 0; i < AUTH_RECOVERY_CODES; i++) {
		recovery_code(codes_out[i]);
		code_digest(codes_out[i], hex);
		if (!(st = db_prepare(db, SQL_CODE_INSERT)))
			return auth_fail(db, HM_EDB);
		db_bind_int(st, 1, actor->account_id);
		db_bind_text(st, 2, hex);
		if ((e = db_run(st)) != HM_OK)
			return auth_fail(db, e);
	}
	json_t *after = json_pack("{s:i}", "recovery_codes", AUTH_RECOVERY_CODES);
	e = audit_record_at(db, actor, "account.two_factor_on", "account", actor->account_id, NULL,
			    after, now);
	json_decref(after);
	if (e != HM_OK || (e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	return HM_OK;
}

enum hm_err auth_two_factor_disable(struct db *db, const struct principal *actor, int64_t now)
{
	struct auth_scope own = {.owner_account_id = actor ? actor->account_id : 0};
	enum hm_err e;
	if (!actor || !actor->account_id || !auth_can(actor, AUTH_ACCOUNT_SELF, &own))
		return HM_EFORBIDDEN;
	if ((e = db_begin(db)) != HM_OK)
		return e;
	struct db_stmt *st = db_prepare(db, SQL_DELETE);
	if (!st)
		return auth_fail(db, HM_EDB);
	db_bind_int(st, 1, actor->account_id);
	if ((e = db_run(st)) != HM_OK)
		return auth_fail(db, e);
	if (db_changes(db) == 0)
		return auth_fail(db, HM_ENOTFOUND);
	if (!(st = db_prepare(db, SQL_CODES_DELETE)))
		return auth_fail(db, HM_EDB);
	db_bind_int(st, 1, actor->account_id);
	if ((e = db_run(st)) != HM_OK)
		return auth_fail(db, e);
	e = audit_record_at(db, actor, "account.two_factor_off", "account", actor->account_id, NULL,
			    NULL, now);
	if (e != HM_OK || (e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	return HM_OK;
}

enum hm_err auth_two_factor_check(struct db *db, int64_t account_id, const char *code,
				  int64_t now)
{
	char secret[SECRET_BYTES], ts[AUTH_TS_SIZE], hex[AUTH_DIGEST_HEX];
	int64_t last = 0;
	enum hm_err e;
	pthread_once(&oath_once, oath_start);
	int state = load(db, account_id, secret, &last);
	if (state < 0)
		return HM_EDB;
	if (state != 2) {
		sodium_memzero(secret, sizeof(secret));
		return HM_OK; /* no second factor to ask for */
	}
	if (!code || !*code) {
		sodium_memzero(secret, sizeof(secret));
		return HM_EUNAUTH;
	}
	int64_t step = code_step(secret, code, now);
	sodium_memzero(secret, sizeof(secret));
	struct db_stmt *st;
	if (step >= 0) {
		if (step <= last)
			return HM_EUNAUTH; /* used already */
		if (!(st = db_prepare(db, SQL_STEP)))
			return HM_EDB;
		db_bind_int(st, 1, step);
		db_bind_int(st, 2, account_id);
		db_bind_int(st, 3, step);
		if ((e = db_run(st)) != HM_OK)
			return e;
		/* Another request took this step meanwhile: not twice. */
		return db_changes(db) == 1 ? HM_OK : HM_EUNAUTH;
	}
	/* A recovery code, spent as it is used. */
	code_digest(code, hex);
	auth_ts(now, ts);
	if (!(st = db_prepare(db, SQL_CODE_USE)))
		return HM_EDB;
	db_bind_text(st, 1, ts);
	db_bind_int(st, 2, account_id);
	db_bind_text(st, 3, hex);
	if ((e = db_run(st)) != HM_OK)
		return e;
	return db_changes(db) == 1 ? HM_OK : HM_EUNAUTH;
}
