/*
 * orgs_admin.c — organisations for organisers: the list and one with
 * every event it takes part in, and their creation, changes and deletion
 * (through admin_save and admin_kind_delete, told about organisations by
 * org_kind). Organisations are shared by events, hence admin_org_may_edit.
 */
#include "features/events/events_internal.h"

#include "db/db.h"

json_t *admin_org_list(struct db *db)
{
	return admin_rows(db, ASQL_ORG_LIST);
}

json_t *admin_org_get(struct db *db, const char *slug)
{
	return events_one_with(db, admin_sql[ASQL_ORG_ONE], slug, "events",
			       admin_sql[ASQL_ORG_EVENTS]);
}

/* The organisation's fields as stored, for audit entries and answers. */
static json_t *org_snapshot(struct db *db, const char *slug)
{
	json_t *o = admin_org_get(db, slug);
	if (o)
		json_object_del(o, "events");
	return o;
}

static enum hm_err org_write(struct db *db, const json_t *m, int64_t ref, int64_t id,
			     const char *ts, int64_t *id_out)
{
	(void)ref; /* an organisation refers to nothing */
	struct db_stmt *st = admin_prep(db, id ? ASQL_ORG_UPDATE : ASQL_ORG_INSERT);
	if (!st)
		return HM_EDB;
	int k = 1;
	db_bind_text(st, k++, admin_sval(m, "slug"));
	db_bind_text(st, k++, admin_sval(m, "name"));
	admin_bind_opt(st, k++, m, "acronym");
	db_bind_text(st, k++, admin_sval(m, "kind"));
	admin_bind_opt(st, k++, m, "country");
	admin_bind_opt(st, k++, m, "website");
	admin_bind_text0(st, k++, m, "description");
	admin_bind_opt(st, k++, m, "logo");
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

static int org_may_edit(struct db *db, const struct principal *p, const char *slug,
			const json_t *before)
{
	(void)before;
	json_t *full = admin_org_get(db, slug);
	int may = full && admin_org_may_edit(p, full);
	json_decref(full);
	return may;
}

/* Organisers add partners to their events, so they may create one. */
static int org_may_create(const struct principal *p)
{
	return auth_is_staff(p) && !p->read_only;
}

static json_t *org_defaults(void)
{
	return json_pack("{s:s}", "kind", "other");
}

static const char *org_action(const json_t *before, const json_t *after)
{
	(void)after;
	return before ? "organisation.update" : "organisation.create";
}

/* Deleting one never takes it off an event or a series silently. */
static const struct admin_keep_rule org_keep[] = {
	{ADMIN_KEEP_ORG_EVENTS, NULL, ASQL_ORG_EVENT_COUNT},
	{ADMIN_KEEP_ORG_SERIES, NULL, ASQL_ORG_SERIES_COUNT},
	{ADMIN_KEEP_NONE, NULL, 0},
};

static const struct admin_kind org_kind = {
	.entity = "organisation",
	.rules = RULES_ORG,
	.slug_taken = ASQL_ORG_SLUG_TAKEN,
	.slug_from = "name",
	.slug_taken_msg = "Another organisation already has this address.",
	.snapshot = org_snapshot,
	.may_edit = org_may_edit,
	.may_create = org_may_create,
	.defaults = org_defaults,
	.check = admin_org_check,
	.write = org_write,
	.action = org_action,
	.delete_stmt = ASQL_ORG_DELETE,
	.delete_action = "organisation.delete",
	.keep = org_keep,
};

enum hm_err admin_org_create(struct db *db, const struct principal *p, const json_t *in,
			     int64_t now, json_t **out, struct admin_errors *errs)
{
	return admin_save(&org_kind, db, p, NULL, in, now, out, errs);
}

enum hm_err admin_org_update(struct db *db, const struct principal *p, const char *slug,
			     const json_t *in, int64_t now, json_t **out,
			     struct admin_errors *errs)
{
	return admin_save(&org_kind, db, p, slug, in, now, out, errs);
}

enum hm_err admin_org_keep(struct db *db, const json_t *org, struct admin_keep_why *why)
{
	return admin_kind_keep(&org_kind, db, org, why);
}

enum hm_err admin_org_delete(struct db *db, const struct principal *p, const char *slug,
			     int64_t now, struct admin_keep_why *why)
{
	return admin_kind_delete(&org_kind, db, p, slug, now, why);
}
