/*
 * settings.h — the site's settings an administrator changes: its name and
 * tagline (every page's header, the e-mails' subjects), the sender of its
 * e-mail and its time zone. One table of the keys and their rules, used by
 * the admin page (/admin/settings), its JSON twin and `harmony settings`.
 */
#ifndef HM_SETTINGS_H
#define HM_SETTINGS_H

#include <jansson.h>
#include <stdint.h>

#include "core/core.h"

struct db;
struct principal;

enum setting_kind {
	SETTING_TEXT,   /* one line of at most max_len bytes */
	SETTING_SENDER, /* "Name <addr@host>" or "addr@host", as mail_address_split reads */
	SETTING_ZONE,   /* an IANA time zone ICU knows */
};

struct setting_def {
	const char *key;
	enum setting_kind kind;
	int required;   /* may not be emptied */
	size_t max_len; /* bytes */
	const char *label; /* msgid */
	const char *hint;  /* msgid: what an empty value means, or NULL */
};

/* The settings, in the order the page shows them; n in *n. */
const struct setting_def *settings_defs(size_t *n);
/* The definition of key, or NULL when it is not a setting one may change. */
const struct setting_def *settings_def(const char *key);

/* The settings' values as an object {key: value or null}, for every key of
 * the table. Caller owns it. */
json_t *settings_values(struct db *db);

/* Why value cannot be key's (a msgid), or NULL when it can. An empty value
 * (or NULL) means "none", refused for a required setting. */
const char *settings_problem(const struct setting_def *d, const char *value);

/* Sets the settings named in changes ({key: value}; "" or null clears one)
 * in one transaction, audited as "settings.update" with the values before
 * and after. HM_EFORBIDDEN unless actor may AUTH_SITE_ADMIN; HM_EINVAL when
 * a key is unknown or a value refused (*bad_key, when given, names the
 * first such key and *why its msgid). Nothing is written or recorded when
 * nothing changes. */
enum hm_err settings_update(struct db *db, const struct principal *actor, json_t *changes,
			    int64_t now, const char **bad_key, const char **why);

#endif
