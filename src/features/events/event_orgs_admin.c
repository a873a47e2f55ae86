/*
 * event_orgs_admin.c — the organisations of an event and their roles:
 * adding, removing, moving one within its role, or replacing the whole
 * list; one transaction and one audit entry ("event.organisations", the
 * list before and after) each.
 */
#include "features/events/events_internal.h"

#include "db/db.h"

#include <stdio.h>

/* One entry of an event's list, as the ASQL_EVENT_ORGS rows give it. */
static int entry_is(const json_t *o, const char *org, const char *role)
{
	return str_eq(admin_sval(o, "slug"), org) && str_eq(admin_sval(o, "role"), role);
}

static int role_rank(const char *role)
{
	for (int i = 0; admin_org_roles[i]; i++)
		if (str_eq(admin_org_roles[i], role))
			return i;
	return 99;
}

/* Sorts entries by role rank, keeping their order within a role. */
static void sort_by_role(json_t *list)
{
	size_t n = json_array_size(list);
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0; j--) {
			json_t *x = json_array_get(list, j - 1), *y = json_array_get(list, j);
			if (role_rank(admin_sval(x, "role")) <= role_rank(admin_sval(y, "role")))
				break;
			json_incref(x);
			json_array_set(list, j - 1, y);
			json_array_set_new(list, j, x);
		}
	}
}

/* Rewrites the event's organisations as list ([{slug, role}…]), with
 * positions 1…n in order. */
static enum hm_err eo_write(struct db *db, int64_t event_id, const json_t *list)
{
	struct db_stmt *st = admin_prep(db, ASQL_EO_CLEAR);
	enum hm_err e;
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, event_id);
	if ((e = db_run(st)) != HM_OK)
		return e;
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o) {
		int64_t org_id = admin_id_by_slug(db, ASQL_ORG_ID, admin_sval(o, "slug"));
		if (org_id <= 0)
			return org_id < 0 ? HM_EDB : HM_ENOTFOUND;
		if (!(st = admin_prep(db, ASQL_EO_INSERT)))
			return HM_EDB;
		db_bind_int(st, 1, event_id);
		db_bind_int(st, 2, org_id);
		db_bind_text(st, 3, admin_sval(o, "role"));
		db_bind_int(st, 4, (int64_t)i + 1);
		if ((e = db_run(st)) != HM_OK)
			return e;
	}
	return HM_OK;
}

enum eo_op { EO_ADD, EO_REMOVE, EO_MOVE, EO_SET };

/* The shared body of the list edits: loads the event and checks the
 * right, builds the new list by op, writes and audits it. */
static enum hm_err eo_change(struct db *db, const struct principal *p, const char *event,
			     enum eo_op op, const char *org, const char *role, int delta,
			     const json_t *set, int64_t now, struct field_errors *errs)
{
	json_t *ev = NULL, *list = NULL, *after = NULL;
	struct auth_scope sc;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	if (!(ev = admin_event_get(db, event))) {
		e = HM_ENOTFOUND;
		goto undo;
	}
	admin_event_scope(ev, &sc);
	if (!auth_can(p, AUTH_EVENT_EDIT, &sc)) {
		e = HM_EFORBIDDEN;
		goto undo;
	}
	json_t *before = json_object_get(ev, "organisations");
	list = json_array();
	size_t i, found = (size_t)-1;
	json_t *o;
	json_array_foreach(before, i, o) {
		json_array_append_new(list, json_pack("{s:s, s:s}", "slug", admin_sval(o, "slug"),
						      "role", admin_sval(o, "role")));
		if (org && entry_is(o, org, role))
			found = i;
	}
	switch (op) {
	case EO_ADD: {
		int64_t org_id;
		if (!admin_in_list(admin_org_roles, role)) {
			e = HM_EINVAL;
			goto undo;
		}
		if ((org_id = admin_id_by_slug(db, ASQL_ORG_ID, org)) <= 0) {
			e = org_id < 0 ? HM_EDB : HM_ENOTFOUND;
			goto undo;
		}
		if (found != (size_t)-1) {
			e = HM_EEXIST;
			goto undo;
		}
		json_array_append_new(list, json_pack("{s:s, s:s}", "slug", org, "role", role));
		sort_by_role(list);
		break;
	}
	case EO_REMOVE:
		if (found == (size_t)-1) {
			e = HM_ENOTFOUND;
			goto undo;
		}
		json_array_remove(list, found);
		break;
	case EO_MOVE: {
		if (found == (size_t)-1) {
			e = HM_ENOTFOUND;
			goto undo;
		}
		size_t to = found + (size_t)(delta < 0 ? -1 : 1);
		json_t *a = json_array_get(list, found), *b = json_array_get(list, to);
		if (delta == 0 || !b || !str_eq(admin_sval(a, "role"), admin_sval(b, "role"))) {
			e = HM_ECONFLICT;
			goto undo;
		}
		json_incref(a);
		json_array_set(list, found, b);
		json_array_set_new(list, to, a);
		break;
	}
	case EO_SET:
		json_array_clear(list);
		json_array_foreach(set, i, o) {
			const char *slug = admin_sval(o, "organisation"), *r = admin_sval(o, "role");
			const char *msg = NULL;
			int64_t org_id = slug ? admin_id_by_slug(db, ASQL_ORG_ID, slug) : 0;
			if (org_id < 0) {
				e = HM_EDB;
				goto undo;
			}
			if (!json_is_object(o) || !slug || !org_id)
				msg = N_("There is no organisation with this address.");
			else if (!admin_in_list(admin_org_roles, r))
				msg = N_("Choose one of the roles.");
			for (size_t j = 0; !msg && j < json_array_size(list); j++)
				if (entry_is(json_array_get(list, j), slug, r))
					msg = N_("This organisation already has this role.");
			if (msg) {
				char field[40];
				snprintf(field, sizeof(field), "organisations.%zu", i);
				field_error_add(errs, field, msg);
			} else {
				json_array_append_new(list, json_pack("{s:s, s:s}", "slug", slug,
								      "role", r));
			}
		}
		if (!json_is_array(set))
			field_error_add(errs, "organisations", "Send a list of organisations.");
		if (errs->n) {
			e = HM_EINVAL;
			goto undo;
		}
		sort_by_role(list);
		break;
	}
	int64_t id = sc.event_id;
	if ((e = eo_write(db, id, list)) != HM_OK)
		goto undo;
	json_t *ev_after = admin_event_get(db, event);
	after = json_incref(json_object_get(ev_after, "organisations"));
	json_decref(ev_after);
	if ((e = audit_record_at(db, p, "event.organisations", "event", id, before, after, now)) !=
	    HM_OK)
		goto undo;
	if ((e = db_commit(db)) != HM_OK)
		goto undo;
	json_decref(ev);
	json_decref(list);
	json_decref(after);
	return HM_OK;
undo:
	db_rollback(db);
	json_decref(ev);
	json_decref(list);
	json_decref(after);
	return e;
}

enum hm_err admin_event_org_add(struct db *db, const struct principal *p, const char *event,
				const char *org, const char *role, int64_t now)
{
	return eo_change(db, p, event, EO_ADD, org, role, 0, NULL, now, NULL);
}

enum hm_err admin_event_org_remove(struct db *db, const struct principal *p, const char *event,
				   const char *org, const char *role, int64_t now)
{
	return eo_change(db, p, event, EO_REMOVE, org, role, 0, NULL, now, NULL);
}

enum hm_err admin_event_org_move(struct db *db, const struct principal *p, const char *event,
				 const char *org, const char *role, int delta, int64_t now)
{
	return eo_change(db, p, event, EO_MOVE, org, role, delta, NULL, now, NULL);
}

enum hm_err admin_event_org_set(struct db *db, const struct principal *p, const char *event,
				const json_t *list, int64_t now, struct field_errors *errs)
{
	return eo_change(db, p, event, EO_SET, NULL, NULL, 0, list, now, errs);
}
