/*
 * audit.c — the audit log: who did what to which thing, when, with the
 * thing before and after as JSON. Entries are only ever added.
 */
#include "auth/auth_impl.h"

#include <stdlib.h>
#include <time.h>

/* The readable name of an actor, kept even if the account goes. */
static const char *actor_label(const struct principal *p)
{
	if (!p)
		return "system";
	if (p->account_id != 0)
		return p->email;
	if (p->via == AUTH_VIA_CLI)
		return "cli";
	return p->via == AUTH_VIA_NONE ? "visitor" : "system";
}

enum hm_err audit_record_at(struct db *db, const struct principal *actor, const char *action,
			    const char *entity, int64_t id, const json_t *before,
			    const json_t *after, int64_t now)
{
	char ts[AUTH_TS_SIZE];
	char *jb = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *ja = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct db_stmt *st = auth_prep(db, SQL_AUDIT_INSERT);
	enum hm_err e = HM_EDB;
	if (!st)
		goto out;
	auth_ts(now, ts);
	db_bind_text(st, 1, ts);
	if (actor && actor->account_id != 0)
		db_bind_int(st, 2, actor->account_id);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, actor_label(actor));
	db_bind_text(st, 4, action);
	db_bind_text(st, 5, entity);
	if (id != 0)
		db_bind_int(st, 6, id);
	else
		db_bind_null(st, 6);
	db_bind_text(st, 7, jb);
	db_bind_text(st, 8, ja);
	e = db_run(st);
	if (e != HM_OK)
		log_error("cannot record %s on %s %lld", action, entity, (long long)id);
out:
	free(jb);
	free(ja);
	return e;
}

enum hm_err audit_record(struct db *db, const struct principal *actor, const char *action,
			 const char *entity, int64_t id, const json_t *before,
			 const json_t *after)
{
	return audit_record_at(db, actor, action, entity, id, before, after, (int64_t)time(NULL));
}

/* Replaces the JSON text field key of o by its parsed value. */
static void parse_field(json_t *o, const char *from, const char *to)
{
	const char *s = json_string_value(json_object_get(o, from));
	json_t *v = s ? json_loads(s, 0, NULL) : NULL;
	json_object_set_new(o, to, v ? v : json_null());
	json_object_del(o, from);
}

json_t *audit_list(struct db *db, const char *entity, int64_t id, int limit)
{
	struct db_stmt *st = auth_prep(db, entity ? SQL_AUDIT_LIST_ENTITY : SQL_AUDIT_LIST_ALL);
	if (!st)
		return json_array();
	if (entity) {
		db_bind_text(st, 1, entity);
		db_bind_int(st, 2, id);
		db_bind_int(st, 3, limit);
	} else {
		db_bind_int(st, 1, limit);
	}
	json_t *rows = db_rows_json(st);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		parse_field(row, "before_json", "before");
		parse_field(row, "after_json", "after");
	}
	return rows;
}
