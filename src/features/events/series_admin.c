/*
 * series_admin.c — series for organisers: every series whatever its
 * status, and their creation, changes, publishing and deletion (through
 * admin_save and admin_kind_delete, told about series by series_kind).
 */
#include "features/events/events_internal.h"

#include "db/db.h"

json_t *admin_series_list(struct db *db)
{
	return admin_rows(db, ASQL_SERIES_LIST);
}

json_t *admin_series_get(struct db *db, const char *slug)
{
	return events_one_with(db, admin_sql[ASQL_SERIES_ONE], slug, "events",
			       admin_sql[ASQL_SERIES_EVENTS]);
}

/* The series' fields as stored, for audit entries and answers: what
 * admin_series_get gives without its events. */
static json_t *series_snapshot(struct db *db, const char *slug)
{
	json_t *s = admin_series_get(db, slug);
	if (s) {
		json_object_del(s, "events");
		json_object_del(s, "event_count");
	}
	return s;
}

static int series_may_edit(struct db *db, const struct principal *p, const char *slug,
			   const json_t *before)
{
	struct auth_scope sc;
	(void)db;
	(void)slug;
	admin_series_scope(before, &sc);
	return auth_can(p, AUTH_SERIES_EDIT, &sc);
}

static int series_may_create(const struct principal *p)
{
	return auth_can(p, AUTH_SERIES_CREATE, NULL);
}

static json_t *series_defaults(void)
{
	return json_pack("{s:s}", "status", "draft");
}

/* The organisation that runs the series: its id (0: none) in *ref; an
 * error beside the field when there is no such organisation. */
static enum hm_err series_resolve(struct db *db, const struct principal *p, const json_t *before,
				  const json_t *m, int64_t *ref, struct admin_errors *errs)
{
	const char *slug = admin_nonempty(m, "organisation");
	(void)p;
	(void)before;
	*ref = 0;
	if (!slug)
		return HM_OK;
	int64_t id = admin_id_by_slug(db, ASQL_ORG_ID, slug);
	if (id < 0)
		return HM_EDB;
	if (id == 0)
		admin_error_add(errs, "organisation",
				"There is no organisation with this address.");
	*ref = id;
	return HM_OK;
}

/* Writes m (merged and checked) as series id (0: a new one). */
static enum hm_err series_write(struct db *db, const json_t *m, int64_t org_id, int64_t id,
				const char *ts, int64_t *id_out)
{
	struct db_stmt *st = admin_prep(db, id ? ASQL_SERIES_UPDATE : ASQL_SERIES_INSERT);
	if (!st)
		return HM_EDB;
	int k = 1;
	db_bind_text(st, k++, admin_sval(m, "slug"));
	db_bind_text(st, k++, admin_sval(m, "title"));
	admin_bind_text0(st, k++, m, "summary");
	if (org_id)
		db_bind_int(st, k++, org_id);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, admin_sval(m, "status"));
	if (!id)
		db_bind_text(st, k++, ts);
	db_bind_text(st, k++, ts);
	if (id)
		db_bind_int(st, k++, id);
	enum hm_err e = db_run(st);
	if (e == HM_OK)
		*id_out = id ? id : db_last_insert_id(db);
	return e;
}

static const char *series_action(const json_t *before, const json_t *after)
{
	const char *was = admin_sval(before, "status"), *now = admin_sval(after, "status");
	if (!before)
		return "series.create";
	if (str_eq(was, now))
		return "series.update";
	return str_eq(now, "published") ? "series.publish" : "series.unpublish";
}

/* Only a draft series without events is deleted. */
static const struct admin_keep_rule series_keep[] = {
	{ADMIN_KEEP_SERIES_PUBLISHED, "published", 0},
	{ADMIN_KEEP_SERIES_EVENTS, NULL, ASQL_SERIES_EVENT_COUNT},
	{ADMIN_KEEP_NONE, NULL, 0},
};

static const struct admin_kind series_kind = {
	.entity = "series",
	.rules = RULES_SERIES,
	.statuses = admin_series_statuses,
	.slug_taken = ASQL_SERIES_SLUG_TAKEN,
	.slug_from = "title",
	.slug_taken_msg = "Another series already has this address.",
	.snapshot = series_snapshot,
	.may_edit = series_may_edit,
	.may_create = series_may_create,
	.defaults = series_defaults,
	.check = admin_series_check,
	.resolve = series_resolve,
	.write = series_write,
	.action = series_action,
	.delete_stmt = ASQL_SERIES_DELETE,
	.delete_action = "series.delete",
	.keep = series_keep,
	.gone_key = "organisers",
	.gone_rows = ASQL_SERIES_GRANTS,
};

enum hm_err admin_series_create(struct db *db, const struct principal *p, const json_t *in,
				int64_t now, json_t **out, struct admin_errors *errs)
{
	return admin_save(&series_kind, db, p, NULL, in, now, out, errs);
}

enum hm_err admin_series_update(struct db *db, const struct principal *p, const char *slug,
				const json_t *in, int64_t now, json_t **out,
				struct admin_errors *errs)
{
	return admin_save(&series_kind, db, p, slug, in, now, out, errs);
}

enum hm_err admin_series_set_status(struct db *db, const struct principal *p, const char *slug,
				    const char *status, int64_t now)
{
	return admin_kind_set_status(&series_kind, db, p, slug, status, now);
}

enum hm_err admin_series_keep(struct db *db, const json_t *series, struct admin_keep_why *why)
{
	return admin_kind_keep(&series_kind, db, series, why);
}

enum hm_err admin_series_delete(struct db *db, const struct principal *p, const char *slug,
				int64_t now, struct admin_keep_why *why)
{
	return admin_kind_delete(&series_kind, db, p, slug, now, why);
}
