/*
 * checkin.c — the signed code on a badge and checking people in at the
 * desk: a code names one registration and cannot be made up; a retried
 * request (the same nonce) records nothing new; a second scan says who
 * checked the person in and when.
 */
#include "features/registration/reg_internal.h"

#include "db/db.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_NONCE[] =
	"SELECT registration_id, at FROM registration_checkin WHERE nonce = ?";
static const char SQL_CHECKIN_INSERT[] =
	"INSERT INTO registration_checkin (nonce, registration_id, at, desk) VALUES (?, ?, ?, ?)";
static const char SQL_CHECKIN_SET[] =
	"UPDATE registration SET checked_in_at = ?, checked_in_by = ?, updated_at = ? "
	"WHERE id = ? AND checked_in_at IS NULL";

/* The mac of registration id under the server's key. */
static void mac_with(const unsigned char key[32], int64_t id, char hex[17])
{
	unsigned char mac[8];
	char msg[32];
	int n = snprintf(msg, sizeof(msg), "checkin:%lld", (long long)id);
	crypto_generichash(mac, sizeof(mac), (const unsigned char *)msg, (size_t)n, key, 32);
	sodium_bin2hex(hex, 17, mac, sizeof(mac));
}

static enum hm_err mac_of(struct db *db, int64_t id, char hex[17])
{
	unsigned char key[32];
	enum hm_err e = auth_server_key(db, "checkin", key);
	if (e != HM_OK)
		return e;
	mac_with(key, id, hex);
	sodium_memzero(key, sizeof(key));
	return HM_OK;
}

enum hm_err reg_checkin_code(struct db *db, int64_t id, char out[64])
{
	char hex[17];
	enum hm_err e = mac_of(db, id, hex);
	if (e == HM_OK)
		snprintf(out, 64, "HM1-%lld-%s", (long long)id, hex);
	return e;
}

enum hm_err reg_checkin_codes(struct db *db, json_t *list)
{
	unsigned char key[32];
	enum hm_err e = auth_server_key(db, "checkin", key);
	if (e != HM_OK)
		return e;
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r) {
		int64_t id = json_integer_value(json_object_get(r, "id"));
		char hex[17];
		mac_with(key, id, hex);
		json_object_set_new(r, "checkin_code", json_sprintf("HM1-%lld-%s", (long long)id, hex));
	}
	sodium_memzero(key, sizeof(key));
	return HM_OK;
}

/* The registration id a code names, or 0 when it is not a valid code. */
static int64_t code_id(struct db *db, const char *code)
{
	if (!code || strncmp(code, "HM1-", 4) != 0 || strlen(code) > 60)
		return 0;
	char *end;
	long long id = strtoll(code + 4, &end, 10);
	char want[17];
	if (id <= 0 || *end != '-' || strlen(end + 1) != 16 || mac_of(db, id, want) != HM_OK)
		return 0;
	/* scanners may shout: compare the hex case-insensitively */
	char got[17];
	for (int i = 0; i < 16; i++)
		got[i] = (char)(end[1 + i] >= 'A' && end[1 + i] <= 'F' ? end[1 + i] + 32 : end[1 + i]);
	got[16] = '\0';
	return sodium_memcmp(got, want, 16) == 0 ? id : 0;
}

enum hm_err reg_checkin(struct db *db, const struct principal *p, const json_t *ev,
			const char *code, const char *nonce, const char *desk, int64_t now,
			json_t **out)
{
	*out = NULL;
	if (!reg_may_manage(p, ev))
		return HM_EFORBIDDEN;
	if (!nonce || !*nonce || strlen(nonce) > 100)
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	int64_t id = code_id(db, code);
	json_t *r = id ? reg_get(db, id) : NULL;
	if (!r || json_integer_value(json_object_get(r, "event_id")) !=
			  json_integer_value(json_object_get(ev, "id"))) {
		json_decref(r);
		db_rollback(db);
		return db_failed(db) ? HM_EDB : HM_ENOTFOUND;
	}
	if (!str_eq(json_string_value(json_object_get(r, "status")), "approved")) {
		*out = json_pack("{s:{s:I, s:O, s:O}}", "registration", "id", (json_int_t)id, "name",
				 json_object_get(r, "name"), "status", json_object_get(r, "status"));
		json_decref(r);
		db_rollback(db);
		return HM_ECONFLICT;
	}
	char ts[REG_TS_SIZE];
	reg_ts(now, ts);
	/* the same attempt again: answer as the first time */
	struct db_stmt *st = db_prepare(db, SQL_NONCE);
	int retry = 0, first = 0;
	if (!st)
		e = HM_EDB;
	else {
		db_bind_text(st, 1, nonce);
		int rc = db_step(st);
		if (rc == 1) {
			retry = 1;
			if (db_col_int(st, 0) != id)
				e = HM_ECONFLICT;
			else
				first = str_eq(db_col_text(st, 1),
					       json_string_value(json_object_get(r, "checked_in_at")));
		} else if (rc < 0)
			e = HM_EDB;
		db_done(st);
	}
	if (e == HM_OK && !retry) {
		const char *by = p && p->account_id ? p->email : "token";
		if (!(st = db_prepare(db, SQL_CHECKIN_INSERT)))
			e = HM_EDB;
		else {
			db_bind_text(st, 1, nonce);
			db_bind_int(st, 2, id);
			db_bind_text(st, 3, ts);
			db_bind_text(st, 4, desk ? desk : "");
			e = db_run(st);
		}
		if (e == HM_OK && !(st = db_prepare(db, SQL_CHECKIN_SET)))
			e = HM_EDB;
		else if (e == HM_OK) {
			db_bind_text(st, 1, ts);
			db_bind_text(st, 2, by);
			db_bind_text(st, 3, ts);
			db_bind_int(st, 4, id);
			if ((e = db_run(st)) == HM_OK && (first = db_changes(db) == 1))
				e = audit_record_at(db, p, "registration.checkin", "registration", id,
						    NULL, NULL, now);
		}
	}
	json_t *now_r = e == HM_OK ? reg_get(db, id) : NULL;
	if (e == HM_OK && !now_r)
		e = HM_EDB;
	json_decref(r);
	if (e != HM_OK) {
		db_rollback(db);
		return e;
	}
	if ((e = db_commit(db)) != HM_OK) {
		json_decref(now_r);
		return e;
	}
	*out = json_pack("{s:{s:I, s:O, s:O, s:O, s:O}, s:O, s:O, s:b}", "registration", "id",
			 (json_int_t)id, "name", json_object_get(now_r, "name"), "organisation",
			 json_object_get(now_r, "organisation"), "country",
			 json_object_get(now_r, "country"), "status",
			 json_object_get(now_r, "status"), "checked_in_at",
			 json_object_get(now_r, "checked_in_at"), "checked_in_by",
			 json_object_get(now_r, "checked_in_by"), "first", first);
	json_decref(now_r);
	return HM_OK;
}
