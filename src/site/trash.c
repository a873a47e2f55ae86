/*
 * trash.c — what a deletion keeps, so that it can be undone: as WordPress
 * keeps its trash, a deleted series, event, organisation, post or category
 * stays restorable for TRASH_DAYS (table trash, migration 0012) with what
 * went with it (an event's sectors, organisations and organisers, a post's
 * categories) and its old addresses. The rows are read and put back by the
 * statements the kind declares (struct kind_part), so nothing here knows a
 * table; deleting and restoring are both in the audit log.
 */
#include "site/kind.h"

#include "db/db.h"
#include "site/feature.h"
#include "site/old_address.h"
#include "view/i18n.h"

#include <string.h>

static const char SQL_TRASH_ADD[] =
	"INSERT INTO trash (entity, entity_id, name, data, deleted_by, deleted_at, media) "
	"VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_TRASH_GET[] =
	"SELECT entity, entity_id, data FROM trash WHERE id = ? AND deleted_at >= ?";
static const char SQL_TRASH_DROP[] = "DELETE FROM trash WHERE id = ?";
static const char SQL_TRASH_LIST[] =
	"SELECT t.id, t.entity, t.entity_id, t.name, t.data, t.deleted_at, a.name AS deleted_by "
	"FROM trash t LEFT JOIN account a ON a.id = t.deleted_by "
	"WHERE t.deleted_at >= ? ORDER BY t.deleted_at DESC, t.id DESC";
static const char SQL_TRASH_PURGE[] = "DELETE FROM trash WHERE deleted_at < ?";
static const char SQL_ADDRESSES[] =
	"SELECT address, created_at FROM old_address WHERE entity = ? AND entity_id = ? "
	"ORDER BY id";

const struct kind *kind_by_entity(const char *entity)
{
	for (const struct feature *const *f = site_features; entity && *f; f++)
		for (const struct kind *const *k = (*f)->kinds; k && *k; k++)
			if (strcmp((*k)->entity, entity) == 0)
				return *k;
	return NULL;
}

const char *kind_public_url(const struct kind *k, const json_t *t, char *buf, size_t n)
{
	char addr[160];
	const char *a = k->public_path && k->address ? k->address(t, addr, sizeof(addr)) : NULL;
	if (!a)
		return NULL;
	snprintf(buf, n, "%s/%s", k->public_path, a);
	return buf;
}

/* The oldest deletion still in the trash at now. */
static const char *cutoff(struct arena *a, int64_t now)
{
	return time_format_rfc3339(a, now - (int64_t)TRASH_DAYS * 86400);
}

static int may_restore(const struct kind *k, struct db *db, const struct principal *p,
		       const json_t *t)
{
	return k->may_restore ? k->may_restore(db, p, t) : kind_may_delete(k, db, p, t);
}

static json_t *rows_of(struct db *db, const char *sql, int64_t id)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	return db_rows_json(st);
}

enum hm_err trash_keep(const struct kind *k, struct db *db, const struct principal *p,
		       const json_t *t, int64_t now, int64_t *id)
{
	int64_t tid = json_integer_value(json_object_get(t, "id"));
	json_t *rows = json_object(), *addresses = NULL;
	enum hm_err e = HM_EDB;
	struct arena a;
	arena_init(&a);
	*id = 0;
	for (const struct kind_part *part = k->trash; part->key; part++) {
		json_t *r = rows_of(db, part->select_sql, tid);
		if (!r)
			goto out;
		json_object_set_new(rows, part->key, r);
	}
	struct db_stmt *st = db_prepare(db, SQL_ADDRESSES);
	if (!st)
		goto out;
	db_bind_text(st, 1, k->entity);
	db_bind_int(st, 2, tid);
	if (!(addresses = db_rows_json(st)))
		goto out;
	json_t *data = json_pack("{s:O, s:O, s:O}", "thing", t, "rows", rows, "addresses",
				 addresses);
	char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(data);
	const char *name = json_string_value(json_object_get(t, k->name_field));
	if (!(st = db_prepare(db, SQL_TRASH_ADD))) {
		free(text);
		goto out;
	}
	db_bind_text(st, 1, k->entity);
	db_bind_int(st, 2, tid);
	db_bind_text(st, 3, name ? name : "");
	db_bind_text(st, 4, text);
	if (p->account_id)
		db_bind_int(st, 5, p->account_id);
	else
		db_bind_null(st, 5);
	db_bind_text(st, 6, time_format_rfc3339(&a, now));
	const char *media = k->media_field ? json_string_value(json_object_get(t, k->media_field))
					   : NULL;
	if (media && *media)
		db_bind_text(st, 7, media);
	else
		db_bind_null(st, 7);
	e = db_run(st);
	free(text);
	if (e == HM_OK)
		*id = db_last_insert_id(db);
out:
	json_decref(rows);
	json_decref(addresses);
	arena_free(&a);
	return e;
}

/* Binds v, a value of a row as db_rows_json read it. */
static void bind_json(struct db_stmt *st, int i, const json_t *v)
{
	if (json_is_integer(v))
		db_bind_int(st, i, json_integer_value(v));
	else if (json_is_boolean(v))
		db_bind_int(st, i, json_is_true(v));
	else if (json_is_real(v))
		db_bind_double(st, i, json_real_value(v));
	else if (json_is_string(v))
		db_bind_text(st, i, json_string_value(v));
	else
		db_bind_null(st, i);
}

/* Puts one row back; fk (the thing's id column) bound to id, or to NULL
 * when id is 0 (a new one). */
static enum hm_err put_back(struct db *db, const struct kind_part *part, const json_t *row,
			    const char *fk, int64_t id)
{
	struct db_stmt *st = db_prepare(db, part->insert_sql);
	if (!st)
		return HM_EDB;
	int i = 1;
	for (const char *const *c = part->cols; *c; c++, i++) {
		if (strcmp(*c, fk) == 0) {
			if (id)
				db_bind_int(st, i, id);
			else
				db_bind_null(st, i);
		} else {
			bind_json(st, i, json_object_get(row, *c));
		}
	}
	return db_run(st);
}

/* 1 when rows of select_sql exist for id, 0 when none, -1 on error. */
static int exists(struct db *db, const char *sql, int64_t id)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	int rc = db_step(st);
	db_done(st);
	return rc < 0 ? -1 : rc == 1;
}

enum hm_err trash_restore(struct db *db, const struct principal *p, int64_t id, int64_t now,
			  const struct kind **k_out, json_t **out)
{
	const struct kind *k = NULL;
	json_t *data = NULL, *after = NULL;
	struct db_stmt *st;
	enum hm_err e;
	struct arena a;
	arena_init(&a);
	if ((e = db_begin(db)) != HM_OK) {
		arena_free(&a);
		return e;
	}
	e = HM_EDB;
	if (!(st = db_prepare(db, SQL_TRASH_GET)))
		goto out;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, cutoff(&a, now));
	int rc = db_step(st);
	if (rc < 0) {
		db_done(st);
		goto out;
	}
	if (rc == 1) {
		k = kind_by_entity(db_col_text(st, 0));
		data = json_loads(db_col_text(st, 2), 0, NULL);
	}
	db_done(st);
	if (!k || !k->trash || !data) {
		e = HM_ENOTFOUND;
		goto out;
	}
	json_t *thing = json_object_get(data, "thing");
	json_t *rows = json_object_get(data, "rows");
	if (!may_restore(k, db, p, thing)) {
		e = HM_EFORBIDDEN;
		goto out;
	}
	/* Its address is its own again unless something took it since. */
	const char *slug = json_string_value(json_object_get(thing, "slug"));
	if (slug && k->slug_taken_sql) {
		if (!(st = db_prepare(db, k->slug_taken_sql)))
			goto out;
		db_bind_text(st, 1, slug);
		db_bind_int(st, 2, 0);
		rc = db_step(st);
		db_done(st);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			e = HM_EEXIST;
			goto out;
		}
	}
	/* Its id, unless a new one has it (SQLite hands out the highest id
	 * again once it is free). */
	int64_t was = json_integer_value(json_object_get(thing, "id")), tid = was;
	if ((rc = exists(db, k->trash[0].select_sql, was)) < 0)
		goto out;
	if (rc)
		tid = 0;
	json_t *self = json_array_get(json_object_get(rows, k->trash[0].key), 0);
	if (!self) {
		e = HM_ENOTFOUND;
		goto out;
	}
	if ((e = put_back(db, &k->trash[0], self, "id", tid)) != HM_OK)
		goto out;
	if (!tid)
		tid = db_last_insert_id(db);
	for (const struct kind_part *part = k->trash + 1; part->key; part++) {
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(rows, part->key), i, r) {
			if ((e = put_back(db, part, r, part->fk, tid)) != HM_OK)
				goto out;
		}
	}
	/* Its old addresses, but those another thing is known by now. */
	size_t i;
	json_t *ad;
	json_array_foreach(json_object_get(data, "addresses"), i, ad) {
		const char *addr = json_string_value(json_object_get(ad, "address"));
		int64_t holder = old_address_find(db, k->entity, addr);
		if (holder < 0) {
			e = HM_EDB;
			goto out;
		}
		if (holder == 0 &&
		    (e = old_address_keep(db, k->entity, tid, addr,
					  json_string_value(json_object_get(ad, "created_at")))) !=
			    HM_OK)
			goto out;
	}
	if (!(st = db_prepare(db, SQL_TRASH_DROP))) {
		e = HM_EDB;
		goto out;
	}
	db_bind_int(st, 1, id);
	if ((e = db_run(st)) != HM_OK)
		goto out;
	json_object_set_new(thing, "id", json_integer(tid));
	char key[24];
	if (!(after = k->snapshot(db, kind_key(k, thing, key)))) {
		e = HM_EDB;
		goto out;
	}
	const char *action = arena_printf(&a, "%s.restore", k->entity);
	if ((e = audit_record_at(db, p, action, k->entity, tid, NULL, after, now)) == HM_OK)
		e = db_commit(db);
out:
	if (e != HM_OK)
		db_rollback(db);
	if (e == HM_OK) {
		if (k_out)
			*k_out = k;
		if (out) {
			*out = after;
			after = NULL;
		}
	}
	json_decref(after);
	json_decref(data);
	arena_free(&a);
	return e;
}

json_t *trash_list(struct db *db, const struct principal *p, int64_t now)
{
	struct arena a;
	arena_init(&a);
	struct db_stmt *st = db_prepare(db, SQL_TRASH_LIST);
	json_t *all = NULL;
	if (st) {
		db_bind_text(st, 1, cutoff(&a, now));
		all = db_rows_json(st);
	}
	arena_free(&a);
	if (!all)
		return NULL;
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(all, i, r) {
		const struct kind *k = kind_by_entity(web_str(r, "entity"));
		json_t *data = json_loads(web_str(r, "data"), 0, NULL);
		json_t *thing = data ? json_object_get(data, "thing") : NULL;
		if (k && thing && may_restore(k, db, p, thing)) {
			json_object_del(r, "data");
			json_array_append(out, r);
		}
		json_decref(data);
	}
	json_decref(all);
	return out;
}

enum hm_err trash_purge(struct db *db, int64_t now)
{
	struct arena a;
	arena_init(&a);
	enum hm_err e = db_begin(db);
	struct db_stmt *st = e == HM_OK ? db_prepare(db, SQL_TRASH_PURGE) : NULL;
	if (e == HM_OK && !st)
		e = HM_EDB;
	if (st) {
		db_bind_text(st, 1, cutoff(&a, now));
		e = db_run(st);
	}
	if (e == HM_OK)
		e = db_commit(db);
	else
		db_rollback(db);
	arena_free(&a);
	return e;
}
