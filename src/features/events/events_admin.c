/*
 * events_admin.c — events for organisers: every event whatever its
 * status, their creation, changes, publishing, cancelling and deletion
 * (through admin_save and admin_kind_delete, told about events by
 * event_kind), and who organises them.
 */
#include "features/events/events_internal.h"

#include "db/db.h"

#include <stdlib.h>

/* ================================================================= reads */

json_t *admin_event_list(struct db *db)
{
	return admin_rows(db, ASQL_EVENT_LIST);
}

json_t *admin_event_get(struct db *db, const char *slug)
{
	json_t *ev = events_one_with(db, admin_sql[ASQL_EVENT_ONE], slug, "organisations",
				     admin_sql[ASQL_EVENT_ORGS]);
	if (ev) {
		json_int_t id = json_integer_value(json_object_get(ev, "id"));
		json_object_set_new(ev, "sectors", events_sectors(db, id));
	}
	return ev;
}

json_t *admin_event_organisers(struct db *db, int64_t event_id, int64_t series_id)
{
	struct db_stmt *st = admin_prep(db, ASQL_ORGANISERS);
	if (!st)
		return json_array();
	db_bind_int(st, 1, event_id);
	if (series_id)
		db_bind_int(st, 2, series_id);
	else
		db_bind_null(st, 2);
	return db_rows_json(st);
}

/* ================================================================ writes */

static int event_may_edit(struct db *db, const struct principal *p, const char *slug,
			  const json_t *before)
{
	struct auth_scope sc;
	(void)db;
	(void)slug;
	admin_event_scope(before, &sc);
	return auth_can(p, AUTH_EVENT_EDIT, &sc);
}

static json_t *event_defaults(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[]}", "kind", "consultation", "date_precision",
			 "day", "timezone", "UTC", "status", "draft", "sectors");
}

/* The sectors: an array of keys, or null for none. */
static void event_take_sectors(json_t *m, const json_t *in)
{
	json_t *sectors = json_object_get(in, "sectors");
	if (sectors)
		json_object_set_new(m, "sectors",
				    json_is_null(sectors) ? json_array() : json_incref(sectors));
}

/* The series (its id in *ref, 0 for none), and the right to put an event
 * in it: creating one, or moving one to another series. */
static enum hm_err event_resolve(struct db *db, const struct principal *p, const json_t *before,
				 const json_t *m, int64_t *ref, struct admin_errors *errs)
{
	const char *series = admin_nonempty(m, "series");
	int64_t series_id = 0;
	*ref = 0;
	if (series && (series_id = admin_id_by_slug(db, ASQL_SERIES_ID, series)) <= 0) {
		if (series_id < 0)
			return HM_EDB;
		admin_error_add(errs, "series", "There is no series with this address.");
		return HM_EINVAL;
	}
	int64_t old_series = json_integer_value(json_object_get(before, "series_id"));
	if (!before || series_id != old_series) {
		struct auth_scope sc = {.series_id = series_id};
		if (!auth_can(p, AUTH_EVENT_CREATE, &sc))
			return HM_EFORBIDDEN;
	}
	*ref = series_id;
	return HM_OK;
}

/* A capacity from a string or integer field; -1 for none. */
static int64_t int_field(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return json_integer_value(v);
	const char *s = json_string_value(v);
	if (!s || !*s)
		return -1;
	return strtoll(s, NULL, 10);
}


/* Writes m (merged and checked) as event id (0: a new one), with its
 * sectors. */
static enum hm_err event_write(struct db *db, const json_t *m, int64_t series_id, int64_t id,
			       const char *ts, int64_t *id_out)
{
	struct db_stmt *st = admin_prep(db, id ? ASQL_EVENT_UPDATE : ASQL_EVENT_INSERT);
	if (!st)
		return HM_EDB;
	int k = 1;
	if (series_id)
		db_bind_int(st, k++, series_id);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, admin_sval(m, "slug"));
	db_bind_text(st, k++, admin_sval(m, "title"));
	db_bind_text(st, k++, admin_sval(m, "kind"));
	admin_bind_text0(st, k++, m, "theme");
	admin_bind_text0(st, k++, m, "summary");
	admin_bind_text0(st, k++, m, "description_md");
	admin_bind_text0(st, k++, m, "region");
	admin_bind_text0(st, k++, m, "city");
	admin_bind_opt(st, k++, m, "country");
	admin_bind_opt(st, k++, m, "venue");
	db_bind_text(st, k++, admin_sval(m, "starts_on"));
	db_bind_text(st, k++, admin_sval(m, "ends_on"));
	db_bind_text(st, k++, admin_sval(m, "date_precision"));
	db_bind_text(st, k++, admin_sval(m, "timezone"));
	int64_t cap = int_field(m, "capacity");
	if (cap >= 0)
		db_bind_int(st, k++, cap);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, admin_sval(m, "status"));
	admin_bind_opt(st, k++, m, "contact_name");
	admin_bind_opt(st, k++, m, "contact_title");
	admin_bind_opt(st, k++, m, "contact_org");
	char email[AUTH_EMAIL_MAX + 1];
	const char *ce = admin_nonempty(m, "contact_email");
	db_bind_text(st, k++, ce && auth_email_normalise(ce, email) == HM_OK ? email : NULL);
	if (!id)
		db_bind_text(st, k++, ts);
	db_bind_text(st, k++, ts);
	if (id)
		db_bind_int(st, k++, id);
	enum hm_err e = db_run(st);
	if (e != HM_OK)
		return e;
	if (!id)
		id = db_last_insert_id(db);
	*id_out = id;

	if (!(st = admin_prep(db, ASQL_SECTORS_CLEAR)))
		return HM_EDB;
	db_bind_int(st, 1, id);
	if ((e = db_run(st)) != HM_OK)
		return e;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(m, "sectors"), i, s) {
		if (!(st = admin_prep(db, ASQL_SECTOR_INSERT)))
			return HM_EDB;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, json_string_value(s));
		db_bind_int(st, 3, (int64_t)i + 1);
		if ((e = db_run(st)) != HM_OK)
			return e;
	}
	return HM_OK;
}

/* The audit action for a change of event status, else event.update. */
static const char *event_action(const json_t *before, const json_t *after)
{
	const char *was = admin_sval(before, "status"), *now = admin_sval(after, "status");
	if (!before)
		return "event.create";
	if (str_eq(was, now))
		return "event.update";
	if (str_eq(now, "published"))
		return "event.publish";
	if (str_eq(now, "cancelled"))
		return "event.cancel";
	return "event.unpublish";
}

/* Only a draft without news posts is deleted: a published or cancelled
 * event has a public page, and a post keeps its event. */
static const struct admin_keep_rule event_keep[] = {
	{ADMIN_KEEP_EVENT_PUBLISHED, "published", 0},
	{ADMIN_KEEP_EVENT_CANCELLED, "cancelled", 0},
	{ADMIN_KEEP_EVENT_POSTS, NULL, ASQL_EVENT_POST_COUNT},
	{ADMIN_KEEP_NONE, NULL, 0},
};

static const struct admin_kind event_kind = {
	.entity = "event",
	.rules = RULES_EVENT,
	.statuses = admin_event_statuses,
	.slug_taken = ASQL_EVENT_SLUG_TAKEN,
	.slug_from = "title",
	.slug_taken_msg = "Another event already has this address.",
	.snapshot = admin_event_get,
	.may_edit = event_may_edit,
	.defaults = event_defaults,
	.take_extra = event_take_sectors,
	.check = admin_event_check,
	.resolve = event_resolve,
	.write = event_write,
	.action = event_action,
	.delete_stmt = ASQL_EVENT_DELETE,
	.delete_action = "event.delete",
	.keep = event_keep,
	.gone_key = "organisers",
	.gone_rows = ASQL_EVENT_GRANTS,
};

enum hm_err admin_event_create(struct db *db, const struct principal *p, const json_t *in,
			       int64_t now, json_t **out, struct admin_errors *errs)
{
	return admin_save(&event_kind, db, p, NULL, in, now, out, errs);
}

enum hm_err admin_event_update(struct db *db, const struct principal *p, const char *slug,
			       const json_t *in, int64_t now, json_t **out,
			       struct admin_errors *errs)
{
	return admin_save(&event_kind, db, p, slug, in, now, out, errs);
}

enum hm_err admin_event_set_status(struct db *db, const struct principal *p, const char *slug,
				   const char *status, int64_t now)
{
	return admin_kind_set_status(&event_kind, db, p, slug, status, now);
}

enum hm_err admin_event_keep(struct db *db, const json_t *ev, struct admin_keep_why *why)
{
	return admin_kind_keep(&event_kind, db, ev, why);
}

enum hm_err admin_event_delete(struct db *db, const struct principal *p, const char *slug,
			       int64_t now, struct admin_keep_why *why)
{
	return admin_kind_delete(&event_kind, db, p, slug, now, why);
}

/* ======================================================= event organisers */

/* Loads the event's scope and checks the right to name its organisers:
 * admins and the organisers of its series (auth_role_grant checks the
 * same rule again itself). */
static enum hm_err organisers_scope(struct db *db, const struct principal *p, const char *event,
				    struct auth_scope *sc)
{
	enum hm_err e = auth_scope_event(db, event, sc);
	if (e != HM_OK)
		return e;
	return auth_can(p, AUTH_SERIES_EDIT, sc) ? HM_OK : HM_EFORBIDDEN;
}

enum hm_err admin_event_organiser_grant(struct db *db, const struct principal *p,
					const char *event, const char *email, int64_t now)
{
	struct auth_scope sc;
	int64_t account_id;
	enum hm_err e = organisers_scope(db, p, event, &sc);
	if (e != HM_OK)
		return e;
	if ((e = auth_account_find(db, email, &account_id)) != HM_OK)
		return e;
	struct auth_grant g = {.role = AUTH_ROLE_ORGANISER, .event_id = sc.event_id};
	return auth_role_grant(db, p, account_id, &g, now);
}

enum hm_err admin_event_organiser_revoke(struct db *db, const struct principal *p,
					 const char *event, int64_t account_id, int64_t now)
{
	struct auth_scope sc;
	enum hm_err e = organisers_scope(db, p, event, &sc);
	if (e != HM_OK)
		return e;
	struct auth_grant g = {.role = AUTH_ROLE_ORGANISER, .event_id = sc.event_id};
	return auth_role_revoke(db, p, account_id, &g, now);
}

