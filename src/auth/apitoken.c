/*
 * apitoken.c — personal API tokens ("hm_" and 43 base64url characters)
 * for integrators: scope read or write, stored as digests, valid for 30,
 * 90 or 365 days, revoked rather than deleted so the audit trail keeps
 * its subject.
 */
#include "auth/auth_impl.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX_LEN (sizeof(AUTH_API_TOKEN_PREFIX) - 1)

static const char *const scope_names[] = {
	[AUTH_TOKEN_READ] = "read",
	[AUTH_TOKEN_WRITE] = "write",
};

const int auth_api_token_days[3] = {30, AUTH_API_TOKEN_DAYS_DEFAULT, 365};

int auth_api_token_days_ok(int64_t days)
{
	for (size_t i = 0; i < HM_ARRAY_LEN(auth_api_token_days); i++)
		if (days == auth_api_token_days[i])
			return 1;
	return 0;
}

enum hm_err auth_api_token_create(struct db *db, const struct principal *actor,
				  int64_t account_id, enum auth_token_scope scope,
				  const char *label, int expires_days, int64_t now,
				  char token_out[AUTH_API_TOKEN_SIZE], int64_t *id_out)
{
	char digest[AUTH_DIGEST_HEX], ts[AUTH_TS_SIZE], expires[AUTH_TS_SIZE];
	char raw[AUTH_TOKEN_SIZE];
	struct auth_scope own = {.owner_account_id = account_id};
	enum hm_err e;
	token_out[0] = '\0';
	if (id_out)
		*id_out = 0;
	if (!label)
		label = "";
	/* A token does not make tokens: whoever holds one must not outlive
	 * the owner's recovery of the account by minting another. */
	if (!auth_can(actor, AUTH_ACCOUNT_SELF, &own) || !actor || actor->via == AUTH_VIA_API_TOKEN)
		return HM_EFORBIDDEN;
	if ((unsigned)scope >= HM_ARRAY_LEN(scope_names) || !auth_text_ok(label, AUTH_NAME_MAX) ||
	    !auth_api_token_days_ok(expires_days))
		return HM_EINVAL;
	if ((e = auth_init()) != HM_OK)
		return e;
	auth_token_new(raw);
	auth_token_digest(raw, digest);
	auth_ts(now, ts);
	auth_ts(auth_api_token_expires(now, expires_days), expires);
	if ((e = db_begin(db)) != HM_OK)
		goto out;
	struct db_stmt *st = auth_prep(db, SQL_TOKEN_INSERT);
	if (!st) {
		e = auth_fail(db, HM_EDB);
		goto out;
	}
	db_bind_text(st, 1, digest);
	db_bind_int(st, 2, account_id);
	db_bind_text(st, 3, label);
	db_bind_text(st, 4, scope_names[scope]);
	db_bind_text(st, 5, ts);
	db_bind_text(st, 6, expires);
	if ((e = db_run(st)) != HM_OK) { /* HM_EINVAL: no such account */
		e = auth_fail(db, e);
		goto out;
	}
	int64_t id = db_last_insert_id(db);
	json_t *after = json_pack("{s:I, s:s, s:s, s:s}", "account_id", (json_int_t)account_id,
				  "label", label, "scope", scope_names[scope], "expires_at", expires);
	e = audit_record_at(db, actor, "api_token.create", "api_token", id, NULL, after, now);
	json_decref(after);
	if (e != HM_OK || (e = db_commit(db)) != HM_OK) {
		e = auth_fail(db, e);
		goto out;
	}
	snprintf(token_out, AUTH_API_TOKEN_SIZE, "%s%s", AUTH_API_TOKEN_PREFIX, raw);
	if (id_out)
		*id_out = id;
out:
	sodium_memzero(raw, sizeof(raw));
	return e;
}

enum hm_err auth_api_token_revoke(struct db *db, const struct principal *actor,
				  int64_t account_id, int64_t token_id, int64_t now)
{
	char ts[AUTH_TS_SIZE];
	struct auth_scope own = {.owner_account_id = account_id};
	enum hm_err e;
	if (!auth_can(actor, AUTH_ACCOUNT_SELF, &own))
		return HM_EFORBIDDEN;
	auth_ts(now, ts);
	if ((e = db_begin(db)) != HM_OK)
		return e;
	struct db_stmt *st = auth_prep(db, SQL_TOKEN_REVOKE);
	if (!st)
		return auth_fail(db, HM_EDB);
	db_bind_text(st, 1, ts);
	db_bind_int(st, 2, token_id);
	db_bind_int(st, 3, account_id);
	if ((e = db_run(st)) != HM_OK)
		return auth_fail(db, e);
	if (db_changes(db) != 1)
		return auth_fail(db, HM_ENOTFOUND);
	json_t *before = json_pack("{s:I}", "account_id", (json_int_t)account_id);
	e = audit_record_at(db, actor, "api_token.revoke", "api_token", token_id, before, NULL, now);
	json_decref(before);
	if (e != HM_OK || (e = db_commit(db)) != HM_OK)
		return auth_fail(db, e);
	return HM_OK;
}

enum hm_err auth_api_token_lookup(struct db *db, const char *token, int64_t now,
				  struct principal *p)
{
	return auth_api_token_lookup_at(db, token, now, NULL, p);
}

/* Notes when and from where token id was last used. */
static void token_touch(struct db *db, int64_t id, const char *address, int64_t now)
{
	struct db_stmt *st = auth_prep(db, SQL_TOKEN_TOUCH);
	if (!st)
		return;
	char ts[AUTH_TS_SIZE];
	auth_ts(now, ts);
	db_bind_text(st, 1, ts);
	db_bind_text(st, 2, address);
	db_bind_int(st, 3, id);
	db_run(st);
}

enum hm_err auth_api_token_lookup_at(struct db *db, const char *token, int64_t now,
				     const char *address, struct principal *p)
{
	char digest[AUTH_DIGEST_HEX];
	auth_principal_visitor(p);
	if (!token || strncmp(token, AUTH_API_TOKEN_PREFIX, PREFIX_LEN) != 0 ||
	    !auth_token_digest(token + PREFIX_LEN, digest))
		return HM_EUNAUTH;
	struct db_stmt *st = auth_prep(db, SQL_TOKEN_BY_HASH);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, digest);
	int rc = db_step(st);
	if (rc != 1) {
		db_done(st);
		return rc == 0 ? HM_EUNAUTH : HM_EDB;
	}
	int64_t id = db_col_int(st, 0), account_id = db_col_int(st, 1);
	int read_only = !str_eq(db_col_text(st, 2), "write");
	const char *last = db_col_text(st, 3), *until = db_col_text(st, 4);
	const char *seen_from = db_col_text(st, 5);
	/* A token used from an address it was not used from before: worth a
	 * line in the audit log (copied before the statement is reset). */
	char *moved = address && seen_from && strcmp(seen_from, address) != 0
			      ? xstrdup(seen_from)
			      : NULL;
	int64_t last_used = last ? auth_ts_parse(last) : -1;
	/* NULL: made before tokens expired. A stamp that does not parse
	 * counts as past, as a reset token's does. */
	int64_t expires = until ? auth_ts_parse(until) : INT64_MAX;
	db_done(st);
	if (expires < 0 || now >= expires) {
		free(moved);
		return HM_EUNAUTH;
	}

	/* Last use is for the owner's token list: minute precision is enough. */
	int touched = last_used < 0 || now - last_used >= AUTH_SESSION_TOUCH;
	if (touched)
		token_touch(db, id, address, now);
	enum hm_err e = auth_principal_load(db, account_id, AUTH_VIA_API_TOKEN, p);
	if (e != HM_OK) {
		free(moved);
		return e == HM_ENOTFOUND ? HM_EUNAUTH : e;
	}
	p->read_only = read_only;
	if (moved) {
		/* The new address is written at once (with the time, unless the
		 * touch above did both), so the entry is made once per move. */
		if (!touched)
			token_touch(db, id, address, now);
		json_t *after = json_pack("{s:I, s:s, s:s}", "token", (json_int_t)id, "address", address,
					  "previous", moved);
		if (db_begin(db) == HM_OK) {
			if (audit_record_at(db, p, "auth.token_new_address", "auth", account_id, NULL,
					    after, now) != HM_OK ||
			    db_commit(db) != HM_OK)
				db_rollback(db);
		}
		json_decref(after);
		free(moved);
	}
	return HM_OK;
}

json_t *auth_api_token_list(struct db *db, int64_t account_id)
{
	struct db_stmt *st = auth_prep(db, SQL_TOKEN_LIST);
	if (st)
		db_bind_int(st, 1, account_id);
	return db_rows_json(st);
}
