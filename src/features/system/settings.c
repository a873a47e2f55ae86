/*
 * settings.c — the store of the site's settings (settings.h): one table of
 * the keys and their rules, reading them, and changing them in one audited
 * transaction for the admin page and `harmony settings`.
 */
#include "features/system/settings.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "mail/mail.h"
#include "view/i18n.h"

#include <string.h>

static const struct setting_def defs[] = {
	{"site_name", SETTING_TEXT, 1, 200, N_("Site name"),
	 N_("Shown at the top of every page and in the subject of every e-mail.")},
	{"site_tagline", SETTING_TEXT, 0, 300, N_("Tagline"),
	 N_("A few words under the site's name, such as Regional Consultations.")},
	{"mail_from", SETTING_SENDER, 0, AUTH_NAME_MAX + AUTH_EMAIL_MAX + 3,
	 N_("Sender of e-mail"),
	 N_("An address your mail server may send from, such as Secretariat <secretariat@example.org>. "
	    "When empty, messages come from noreply at this server's name.")},
	{"timezone", SETTING_ZONE, 0, 64, N_("Time zone"),
	 N_("The zone of the site's dates and times, such as Asia/Shanghai; UTC when empty.")},
};

enum settings_sql { SQL_ALL, SQL_DELETE, SQL_INSERT, SETTINGS_SQL__MAX };

static const char *const settings_sql[SETTINGS_SQL__MAX] = {
	[SQL_ALL] = "SELECT key, value FROM site_setting ORDER BY key",
	[SQL_DELETE] = "DELETE FROM site_setting WHERE key = ?",
	[SQL_INSERT] = "INSERT INTO site_setting (key, value) VALUES (?, ?)",
};

const struct setting_def *settings_defs(size_t *n)
{
	*n = HM_ARRAY_LEN(defs);
	return defs;
}

const struct setting_def *settings_def(const char *key)
{
	for (size_t i = 0; key && i < HM_ARRAY_LEN(defs); i++)
		if (strcmp(defs[i].key, key) == 0)
			return &defs[i];
	return NULL;
}

json_t *settings_values(struct db *db)
{
	json_t *o = json_object();
	for (size_t i = 0; i < HM_ARRAY_LEN(defs); i++)
		json_object_set_new(o, defs[i].key, json_null());
	struct db_stmt *st = db_prepare(db, settings_sql[SQL_ALL]);
	while (st && db_step(st) == 1)
		if (settings_def(db_col_text(st, 0)))
			json_object_set_new(o, db_col_text(st, 0), json_string(db_col_text(st, 1)));
	db_done(st);
	return o;
}

/* 1 when s is one line of text: UTF-8, no control characters. */
static int one_line(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return utf8_valid(s, strlen(s));
}

const char *settings_problem(const struct setting_def *d, const char *value)
{
	char name[AUTH_NAME_MAX + 1], addr[AUTH_EMAIL_MAX + 1];
	if (!value || !*value)
		return d->required ? N_("This field is required.") : NULL;
	if (strlen(value) > d->max_len)
		return N_("This is too long.");
	if (!one_line(value))
		return N_("Use one line of text.");
	switch (d->kind) {
	case SETTING_TEXT:
		return NULL;
	case SETTING_SENDER:
		if (mail_address_split(value, name, sizeof(name), addr, sizeof(addr)) != HM_OK ||
		    strpbrk(name, "\"\\"))
			return N_("Write an e-mail address, such as Secretariat <secretariat@example.org>.");
		return NULL;
	case SETTING_ZONE:
		return tz_valid(value) ? NULL : N_("Choose a known time zone, such as Asia/Shanghai.");
	}
	return NULL;
}

enum hm_err settings_update(struct db *db, const struct principal *actor, json_t *changes,
			    int64_t now, const char **bad_key, const char **why)
{
	const char *key;
	json_t *v;
	enum hm_err e;
	if (bad_key)
		*bad_key = NULL;
	if (why)
		*why = NULL;
	if (!auth_can(actor, AUTH_SITE_ADMIN, NULL))
		return HM_EFORBIDDEN;
	if (!json_is_object(changes))
		return HM_EINVAL;
	json_object_foreach(changes, key, v) {
		const struct setting_def *d = settings_def(key);
		const char *problem = !d ? N_("There is no such setting.")
				      : !json_is_string(v) && !json_is_null(v)
				      ? N_("Use one line of text.")
				      : settings_problem(d, json_string_value(v));
		if (problem) {
			if (bad_key)
				*bad_key = key;
			if (why)
				*why = problem;
			return HM_EINVAL;
		}
	}
	if ((e = db_begin(db)) != HM_OK)
		return e;
	json_t *now_values = settings_values(db);
	json_t *before = json_object(), *after = json_object();
	json_object_foreach(changes, key, v) {
		const char *nv = json_string_value(v);
		if (nv && !*nv)
			nv = NULL;
		const char *ov = json_string_value(json_object_get(now_values, key));
		if (str_eq(nv, ov))
			continue;
		json_object_set_new(before, key, ov ? json_string(ov) : json_null());
		json_object_set_new(after, key, nv ? json_string(nv) : json_null());
		struct db_stmt *st = db_prepare(db, settings_sql[SQL_DELETE]);
		if (!st) {
			e = HM_EDB;
			goto fail;
		}
		db_bind_text(st, 1, key);
		if ((e = db_run(st)) != HM_OK)
			goto fail;
		if (!nv)
			continue;
		if (!(st = db_prepare(db, settings_sql[SQL_INSERT]))) {
			e = HM_EDB;
			goto fail;
		}
		db_bind_text(st, 1, key);
		db_bind_text(st, 2, nv);
		if ((e = db_run(st)) != HM_OK)
			goto fail;
	}
	if (json_object_size(after) == 0) {
		db_rollback(db);
		e = HM_OK;
		goto out;
	}
	if ((e = audit_record_at(db, actor, "settings.update", "settings", 0, before, after, now)) !=
		    HM_OK ||
	    (e = db_commit(db)) != HM_OK)
		goto fail;
	goto out;
fail:
	db_rollback(db);
out:
	json_decref(now_values);
	json_decref(before);
	json_decref(after);
	return e;
}
