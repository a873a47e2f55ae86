/*
 * profile.c — what people change about their own account: name,
 * organisation and language (audited with the fields that changed), and
 * the password, proved by the current one under the same throttle as
 * signing in, after which every session ends and a fresh one is made.
 */
#include "auth/auth_impl.h"
#include "view/i18n.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char SQL_PROFILE_UPDATE[] =
	"UPDATE account SET name = ?, organisation = ?, lang = ?, timezone = ?, updated_at = ? "
	"WHERE id = ?";

/* Adds key to before/after when its value changes. */
static void diff_field(json_t *before, json_t *after, const char *key, const char *old,
		       const char *new_value)
{
	if (str_eq(old ? old : "", new_value))
		return;
	json_object_set_new(before, key, json_string(old ? old : ""));
	json_object_set_new(after, key, json_string(new_value));
}

enum hm_err auth_account_update(struct db *db, const struct principal *actor, int64_t account_id,
				const struct account_profile *pr, int64_t now, char *msg,
				size_t msglen)
{
	struct auth_scope own = {.owner_account_id = account_id};
	char ts[AUTH_TS_SIZE], dummy[8];
	json_t *cur = NULL, *before = NULL, *after = NULL;
	enum hm_err e;
	if (!msg) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	msg[0] = '\0';
	if (!auth_can(actor, AUTH_ACCOUNT_SELF, &own)) {
		snprintf(msg, msglen, "you may change only your own profile");
		return HM_EFORBIDDEN;
	}
	if (!(cur = auth_account_get(db, account_id))) {
		snprintf(msg, msglen, "no such account");
		return HM_ENOTFOUND;
	}
	const char *email = json_string_value(json_object_get(cur, "email"));
	const char *old_name = json_string_value(json_object_get(cur, "name"));
	const char *old_org = json_string_value(json_object_get(cur, "organisation"));
	const char *old_lang = json_string_value(json_object_get(cur, "lang"));
	const char *old_zone = json_string_value(json_object_get(cur, "timezone"));
	const char *zone = pr->timezone ? pr->timezone : old_zone ? old_zone : "";
	/* NULL keeps a field as it is. */
	struct account_new a = {
		.email = email,
		.name = pr->name ? pr->name : old_name,
		.organisation = pr->organisation ? pr->organisation : old_org,
		.lang = pr->lang ? pr->lang : old_lang,
	};
	if ((e = auth_account_check(&a, msg, msglen)) != HM_OK)
		goto out;
	if (zone[0] && !tz_valid(zone)) {
		snprintf(msg, msglen, "'%.64s' is not a time zone such as Asia/Shanghai", zone);
		e = HM_EINVAL;
		goto out;
	}
	before = json_object();
	after = json_object();
	diff_field(before, after, "name", old_name, a.name);
	diff_field(before, after, "organisation", old_org, a.organisation);
	diff_field(before, after, "lang", old_lang, a.lang);
	diff_field(before, after, "timezone", old_zone, zone);
	if (json_object_size(after) == 0)
		goto out; /* nothing to change, nothing to record */

	auth_ts(now, ts);
	if ((e = db_begin(db)) != HM_OK)
		goto out;
	struct db_stmt *st = db_prepare(db, SQL_PROFILE_UPDATE);
	if (!st) {
		e = auth_fail(db, HM_EDB);
		goto out;
	}
	db_bind_text(st, 1, a.name);
	db_bind_text(st, 2, a.organisation);
	db_bind_text(st, 3, a.lang);
	db_bind_text(st, 4, zone[0] ? zone : NULL);
	db_bind_text(st, 5, ts);
	db_bind_int(st, 6, account_id);
	if ((e = db_run(st)) != HM_OK ||
	    (e = audit_record_at(db, actor, "account.update", "account", account_id, before, after,
				 now)) != HM_OK ||
	    (e = db_commit(db)) != HM_OK) {
		e = auth_fail(db, e);
		goto out;
	}
out:
	json_decref(cur);
	json_decref(before);
	json_decref(after);
	return e;
}

enum hm_err auth_password_prove(struct db *db, const struct principal *actor,
				const char *password, const char *client_addr, int64_t now,
				int64_t *retry_after)
{
	char proof[AUTH_TOKEN_SIZE];
	if (retry_after)
		*retry_after = 0;
	if (!actor || actor->account_id == 0)
		return HM_EUNAUTH;
	/* Exactly as at sign-in: throttled per e-mail and network, the same
	 * Argon2 work; the session that makes is ended at once. */
	enum hm_err e = auth_password_only(db, actor->email, password ? password : "", client_addr,
					   now, proof, retry_after);
	if (e == HM_OK)
		e = auth_sign_out(db, proof);
	sodium_memzero(proof, sizeof(proof));
	return e;
}

enum hm_err auth_password_change(struct db *db, const struct principal *actor,
				 const char *current, const char *new_password,
				 const char *client_addr, int64_t now,
				 char token_out[AUTH_TOKEN_SIZE], int64_t *retry_after, char *msg,
				 size_t msglen)
{
	struct auth_scope own = {.owner_account_id = actor ? actor->account_id : 0};
	char dummy[8];
	struct auth_session s;
	enum hm_err e;
	if (!msg) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	msg[0] = '\0';
	if (token_out)
		token_out[0] = '\0';
	if (retry_after)
		*retry_after = 0;
	if (!actor || actor->account_id == 0 || !auth_can(actor, AUTH_ACCOUNT_SELF, &own)) {
		snprintf(msg, msglen, "sign in to change your password");
		return HM_EFORBIDDEN;
	}
	/* The new one first: a refused password costs no attempt. */
	if ((e = auth_password_check(new_password, actor->email, actor->name, msg, msglen)) != HM_OK)
		return e;
	if (current && strcmp(current, new_password) == 0) {
		snprintf(msg, msglen, "the new password must differ from the current one");
		return HM_EINVAL;
	}
	e = auth_password_prove(db, actor, current, client_addr, now, retry_after);
	if (e == HM_EUNAUTH) {
		snprintf(msg, msglen, "the current password is not right");
		return e;
	}
	if (e == HM_EFORBIDDEN) {
		snprintf(msg, msglen, "too many failed attempts; wait and try again");
		return e;
	}
	if (e != HM_OK)
		return e;
	if ((e = auth_password_set(db, actor, actor->account_id, new_password, now, msg,
				   msglen)) != HM_OK)
		return e;
	if (!token_out)
		return HM_OK;
	if ((e = db_begin(db)) != HM_OK)
		return e;
	if ((e = auth_session_insert(db, actor->account_id, now, client_addr, token_out, &s)) != HM_OK ||
	    (e = db_commit(db)) != HM_OK) {
		token_out[0] = '\0';
		return auth_fail(db, e);
	}
	sodium_memzero(&s, sizeof(s));
	return HM_OK;
}
