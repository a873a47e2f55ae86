/*
 * kind_store.c — the two writes every kind goes through: kind_save
 * (create or update: the right, the merge, the checks, the address, the
 * row, the audit entry, one transaction) and kind_delete (admins only,
 * then what keeps it, then the delete and its audit entry), told about
 * each kind by its struct kind.
 */
#include "site/kind.h"

#include "core/text.h"
#include "site/old_address.h"
#include "site/translations.h"
#include "db/db.h"
#include "view/i18n.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* ========================================================= field errors */

void field_error_add(struct field_errors *e, const char *field, const char *msgid)
{
	if (field_error_get(e, field) || e->n >= FIELD_ERRORS_MAX)
		return;
	snprintf(e->items[e->n].field, sizeof(e->items[e->n].field), "%s", field);
	e->items[e->n].msgid = msgid;
	e->n++;
}

const char *field_error_get(const struct field_errors *e, const char *field)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->items[i].field, field) == 0)
			return e->items[i].msgid;
	return NULL;
}

/* ============================================================ addresses */

static const char *nonempty(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : NULL;
}

/* 1 if slug is used by another row than id, -1 on error. */
static int slug_taken(struct db *db, const char *sql, const char *slug, int64_t id)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	db_bind_text(st, 1, slug);
	db_bind_int(st, 2, id);
	int rc = db_step(st);
	db_done(st);
	return rc < 0 ? -1 : rc;
}

/* A free slug made from text: its slugify form, then -2, -3… NULL on a
 * database error. */
static char *slug_derive(struct db *db, struct arena *a, const char *sql, const char *text,
			 int64_t id)
{
	char *base = slugify(a, text);
	for (int n = 1; n < 1000; n++) {
		char *s = base;
		if (n > 1) {
			char suffix[16];
			int sl = snprintf(suffix, sizeof(suffix), "-%d", n);
			size_t keep = strlen(base);
			if (keep + (size_t)sl > SLUG_MAX)
				keep = SLUG_MAX - (size_t)sl;
			while (keep > 0 && base[keep - 1] == '-')
				keep--;
			s = arena_printf(a, "%.*s%s", (int)keep, base, suffix);
		}
		int t = slug_taken(db, sql, s, id);
		if (t < 0)
			return NULL;
		if (!t)
			return s;
	}
	return NULL;
}

/* Checks the slug of m (chosen, else derived from k->slug_from) against
 * the other rows and writes the one to use into m. HM_EEXIST when a
 * chosen slug is taken. */
static enum hm_err settle_slug(const struct kind *k, struct db *db, struct arena *a, json_t *m,
			       int64_t id, struct field_errors *errs)
{
	const char *slug = nonempty(m, "slug");
	if (!k->slug_taken_sql)
		return HM_OK; /* a kind addressed by its id alone (sessions) */
	if (slug) {
		int t = slug_taken(db, k->slug_taken_sql, slug, id);
		if (t < 0)
			return HM_EDB;
		if (t) {
			field_error_add(errs, "slug", k->slug_taken_msg);
			return HM_EEXIST;
		}
		return HM_OK;
	}
	char *derived = slug_derive(db, a, k->slug_taken_sql,
				    json_string_value(json_object_get(m, k->slug_from)), id);
	if (!derived)
		return HM_EDB;
	json_object_set_new(m, "slug", json_string(derived));
	return HM_OK;
}

/* =============================================================== writes */

const char *kind_address_slug(const json_t *t, char *buf, size_t n)
{
	const char *slug = json_string_value(json_object_get(t, "slug"));
	if (!slug || !*slug)
		return NULL;
	snprintf(buf, n, "%s", slug);
	return buf;
}

/* The old addresses after a write: the one it has now is its own (no
 * other thing's old one), the one it had before (if another) is kept as
 * its old one. */
static enum hm_err settle_addresses(const struct kind *k, struct db *db, const json_t *before,
				    const json_t *after, int64_t id, const char *ts)
{
	char was_buf[256], now_buf[256];
	if (!k->address)
		return HM_OK;
	const char *was = before ? k->address(before, was_buf, sizeof(was_buf)) : NULL;
	const char *now = k->address(after, now_buf, sizeof(now_buf));
	enum hm_err e = HM_OK;
	if (now)
		e = old_address_claim(db, k->entity, now);
	if (e == HM_OK && was && !str_eq(was, now))
		e = old_address_keep(db, k->entity, id, was, ts);
	return e;
}

/* t's status, "" for none. */
static const char *status_of(const json_t *t)
{
	const char *s = json_string_value(json_object_get(t, "status"));
	return s ? s : "";
}

const char *kind_status_refused(const struct kind *k, const char *from, const char *to)
{
	if (str_eq(from, to))
		return NULL;
	for (const struct kind_status_rule *r = k->status_rules; r && r->from; r++)
		if (str_eq(r->from, from) && str_eq(r->to, to))
			return r->why;
	return NULL;
}

/* kind_save; with same_status, a change to the status it has already
 * writes and records nothing. */
static enum hm_err save(const struct kind *k, struct db *db, const struct principal *p,
			const char *slug, const json_t *in, int64_t now, json_t **out,
			struct field_errors *errs, const char *same_status)
{
	struct arena a;
	json_t *before = NULL, *m = NULL, *after = NULL;
	int64_t id = 0, ref = 0;
	int nerrs;
	char was[32] = "";
	enum hm_err e;

	assert(k && k->snapshot && k->merge && k->check && k->write && k->action);
	if (out)
		*out = NULL;
	if (!json_is_object(in))
		return HM_EINVAL;
	arena_init(&a);
	if ((e = db_begin(db)) != HM_OK)
		goto out;
	if (slug) {
		if (!(before = k->snapshot(db, slug))) {
			e = HM_ENOTFOUND;
			goto out;
		}
		if (!k->may_edit(db, p, before)) {
			e = HM_EFORBIDDEN;
			goto out;
		}
		if (same_status && str_eq(json_string_value(json_object_get(before, "status")),
					  same_status)) {
			db_rollback(db);
			json_decref(before);
			arena_free(&a);
			return HM_OK;
		}
		id = json_integer_value(json_object_get(before, "id"));
		snprintf(was, sizeof(was), "%s", status_of(before));
		m = k->merge(before, in);
		if (!nonempty(m, "slug"))
			json_object_set(m, "slug", json_object_get(before, "slug"));
	} else {
		if (k->may_create && !k->may_create(p)) {
			e = HM_EFORBIDDEN;
			goto out;
		}
		json_t *defaults = k->defaults();
		snprintf(was, sizeof(was), "%s", status_of(defaults));
		m = k->merge(defaults, in);
		json_decref(defaults);
	}
	if (k->take_extra)
		k->take_extra(m, in);
	if (before && k->settle && (e = k->settle(db, before, m, errs)) != HM_OK)
		goto out;
	if (k->complete)
		k->complete(m, before, now);
	if (k->check(m, errs)) {
		e = HM_EINVAL;
		goto out;
	}
	const char *why = kind_status_refused(k, was, json_string_value(json_object_get(m, "status")));
	if (why) {
		field_error_add(errs, "status", why);
		e = HM_ECONFLICT;
		goto out;
	}
	/* resolve may refuse a reference as a field and still let the slug be
	 * checked, so that both are reported. */
	nerrs = errs->n;
	if (k->resolve && (e = k->resolve(db, p, before, m, &ref, errs)) != HM_OK)
		goto out;
	if ((e = settle_slug(k, db, &a, m, id, errs)) != HM_OK)
		goto out;
	if (errs->n != nerrs) {
		e = HM_EINVAL;
		goto out;
	}
	const char *ts = time_format_rfc3339(&a, now);
	if ((e = k->write(db, m, ref, id, ts, &id)) != HM_OK) {
		/* The address was free when checked, but a unique key disagrees. */
		if (e == HM_EEXIST)
			field_error_add(errs, "slug", k->slug_taken_msg);
		goto out;
	}
	json_object_set_new(m, "id", json_integer(id));
	char key[24];
	after = k->snapshot(db, kind_key(k, m, key));
	if (!after) {
		e = HM_EDB;
		goto out;
	}
	if ((e = settle_addresses(k, db, before, after, id, ts)) != HM_OK)
		goto out;
	if ((e = audit_record_at(db, p, k->action(before, after), k->entity, id, before, after,
				 now)) != HM_OK ||
	    (e = db_commit(db)) != HM_OK)
		goto out;
	if (out) {
		*out = after;
		after = NULL;
	}
out:
	if (e != HM_OK)
		db_rollback(db);
	json_decref(before);
	json_decref(m);
	json_decref(after);
	arena_free(&a);
	return e;
}

enum hm_err kind_save(const struct kind *k, struct db *db, const struct principal *p,
		      const char *slug, const json_t *in, int64_t now, json_t **out,
		      struct field_errors *errs)
{
	return save(k, db, p, slug, in, now, out, errs, NULL);
}

enum hm_err kind_set_status(const struct kind *k, struct db *db, const struct principal *p,
			    const char *slug, const char *status, int64_t now)
{
	struct field_errors errs = {0};
	int known = 0;
	for (const char *const *s = k->statuses; s && *s; s++)
		known |= str_eq(*s, status);
	if (!known)
		return HM_EINVAL;
	json_t *in = json_pack("{s:s}", "status", status);
	enum hm_err e = save(k, db, p, slug, in, now, NULL, &errs, status);
	json_decref(in);
	return e;
}

enum hm_err kind_publish_now(const struct kind *k, struct db *db, const struct principal *p,
			     const char *slug, int64_t now)
{
	struct field_errors errs = {0};
	struct arena a;
	assert(k->publish_at);
	arena_init(&a);
	/* To the minute, as the public pages compare to the minute. */
	json_t *in = json_pack("{s:s, s:s}", "status", "published", k->publish_at,
			       time_format_rfc3339(&a, now - now % 60));
	enum hm_err e = save(k, db, p, slug, in, now, NULL, &errs, NULL);
	json_decref(in);
	arena_free(&a);
	return e;
}

/* ============================================================= deletes */

int kind_may_delete(const struct kind *k, struct db *db, const struct principal *p,
		    const json_t *t)
{
	return k->may_delete ? k->may_delete(db, p, t) : auth_can(p, AUTH_RECORD_DELETE, NULL);
}

enum hm_err kind_keep(const struct kind *k, struct db *db, const json_t *t,
		      struct kind_keep_why *why)
{
	int64_t id = json_integer_value(json_object_get(t, "id"));
	why->rule = NULL;
	why->n = 0;
	for (const struct kind_keep_rule *r = k->keep; r && r->one; r++) {
		int64_t n = r->status ? str_eq(json_string_value(json_object_get(t, "status")),
					       r->status)
				      : db_int_of(db, r->count_sql, id);
		if (n < 0)
			return HM_EDB;
		if (n > 0) {
			why->rule = r;
			why->n = n;
			break;
		}
	}
	return HM_OK;
}

enum hm_err kind_delete(const struct kind *k, struct db *db, const struct principal *p,
			const char *slug, int64_t now, struct kind_keep_why *why)
{
	return kind_delete_trash(k, db, p, slug, now, why, NULL);
}

enum hm_err kind_delete_trash(const struct kind *k, struct db *db, const struct principal *p,
			      const char *slug, int64_t now, struct kind_keep_why *why,
			      int64_t *trash_id)
{
	struct kind_keep_why scratch;
	int64_t tid = 0;
	json_t *before = NULL;
	struct db_stmt *st;
	int64_t id;
	enum hm_err e;

	if (!why)
		why = &scratch;
	why->rule = NULL;
	why->n = 0;
	if ((e = db_begin(db)) != HM_OK)
		return e;
	if (!(before = k->snapshot(db, slug))) {
		e = HM_ENOTFOUND;
		goto out;
	}
	if (!kind_may_delete(k, db, p, before)) {
		e = HM_EFORBIDDEN;
		goto out;
	}
	if ((e = kind_keep(k, db, before, why)) != HM_OK)
		goto out;
	if (why->rule) {
		e = HM_ECONFLICT;
		goto out;
	}
	id = json_integer_value(json_object_get(before, "id"));
	if (k->gone_key) {
		if (!(st = db_prepare(db, k->gone_sql))) {
			e = HM_EDB;
			goto out;
		}
		db_bind_int(st, 1, id);
		json_t *gone = db_rows_json(st);
		if (!gone) {
			e = HM_EDB;
			goto out;
		}
		json_object_set_new(before, k->gone_key, gone);
	}
	/* Into the trash before the rows go, the thing as the audit log
	 * keeps it (with what goes with it) and the rows that bring it back. */
	if (k->trash && (e = trash_keep(k, db, p, before, now, &tid)) != HM_OK)
		goto out;
	if (!(st = db_prepare(db, k->delete_sql))) {
		e = HM_EDB;
		goto out;
	}
	db_bind_int(st, 1, id);
	if ((e = db_run(st)) != HM_OK)
		goto out;
	if (k->address && (e = old_address_forget(db, k->entity, id)) != HM_OK)
		goto out;
	if (k->tr && (e = tr_forget(db, k->entity, id)) != HM_OK)
		goto out;
	if (tid)
		json_object_set_new(before, "trash_id", json_integer(tid));
	if ((e = audit_record_at(db, p, k->delete_action, k->entity, id, before, NULL, now)) ==
	    HM_OK)
		e = db_commit(db);
out:
	if (e != HM_OK)
		db_rollback(db);
	else if (trash_id)
		*trash_id = tid;
	json_decref(before);
	return e;
}
