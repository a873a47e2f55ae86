/*
 * admin_store.c — the admin side's statements (one list for series,
 * events and organisations), the helpers its writes share, and the two
 * writes they all go through: admin_save and admin_kind_delete, told about
 * each kind by its struct admin_kind.
 */
#include "features/events/events_internal.h"

#include "core/text.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ================================================================== SQL */

#define SERIES_COLS                                                                            \
	"s.id, s.slug, s.title, s.summary, s.status, o.slug AS organisation, "                 \
	"o.name AS organisation_name, "                                                        \
	"(SELECT count(*) FROM event e WHERE e.series_id = s.id) AS event_count, "             \
	"s.created_at, s.updated_at "                                                          \
	"FROM series s LEFT JOIN organisation o ON o.id = s.organiser_id "

#define EVENT_LIST_COLS                                                                        \
	"e.id, coalesce(e.series_id, 0) AS series_id, e.slug, e.title, e.kind, e.status, "    \
	"e.starts_on, e.ends_on, e.date_precision, e.region, e.city, e.country, "               \
	"s.slug AS series, s.title AS series_title, s.status AS series_status, "               \
	"e.created_at, e.updated_at "

/* Roles are shown convener first; positions order entries within a role. */
#define ROLE_RANK                                                                              \
	"CASE eo.role WHEN 'convener' THEN 1 WHEN 'co-organiser' THEN 2 "                      \
	"WHEN 'partner' THEN 3 ELSE 4 END"

const char *const admin_sql[ADMIN_SQL__MAX] = {
	[ASQL_SERIES_LIST] = "SELECT " SERIES_COLS "ORDER BY s.title, s.id",
	[ASQL_SERIES_ONE] = "SELECT " SERIES_COLS "WHERE s.slug = ?",
	[ASQL_SERIES_EVENTS] = "SELECT " EVENT_LIST_COLS
			       "FROM event e JOIN series s ON s.id = e.series_id "
			       "WHERE e.series_id = ? ORDER BY e.starts_on DESC, e.id DESC",
	[ASQL_SERIES_ID] = "SELECT id FROM series WHERE slug = ?",
	[ASQL_SERIES_SLUG_TAKEN] = "SELECT 1 FROM series WHERE slug = ? AND id <> ?",
	[ASQL_SERIES_INSERT] =
		"INSERT INTO series (slug, title, summary, organiser_id, status, created_at, "
		"updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[ASQL_SERIES_UPDATE] = "UPDATE series SET slug = ?, title = ?, summary = ?, "
			       "organiser_id = ?, status = ?, updated_at = ? WHERE id = ?",
	[ASQL_EVENT_LIST] = "SELECT " EVENT_LIST_COLS
			    "FROM event e LEFT JOIN series s ON s.id = e.series_id "
			    "ORDER BY e.starts_on DESC, e.id DESC",
	[ASQL_EVENT_ONE] =
		"SELECT e.id, coalesce(e.series_id, 0) AS series_id, e.slug, e.title, e.kind, "
		"e.theme, e.summary, e.description_md, e.region, e.city, e.country, e.venue, "
		"e.starts_on, e.ends_on, e.date_precision, e.timezone, e.capacity, e.status, "
		"e.contact_name, e.contact_title, e.contact_org, e.contact_email, "
		"s.slug AS series, s.title AS series_title, s.status AS series_status, "
		"e.created_at, e.updated_at "
		"FROM event e LEFT JOIN series s ON s.id = e.series_id WHERE e.slug = ?",
	[ASQL_EVENT_ORGS] =
		"SELECT o.slug, o.name, o.acronym, o.kind, o.country, eo.role, eo.position "
		"FROM event_organisation eo JOIN organisation o ON o.id = eo.organisation_id "
		"WHERE eo.event_id = ? ORDER BY " ROLE_RANK ", eo.position, o.name",
	[ASQL_EVENT_SLUG_TAKEN] = "SELECT 1 FROM event WHERE slug = ? AND id <> ?",
	[ASQL_EVENT_INSERT] =
		"INSERT INTO event (series_id, slug, title, kind, theme, summary, description_md, "
		"region, city, country, venue, starts_on, ends_on, date_precision, timezone, "
		"capacity, status, contact_name, contact_title, contact_org, contact_email, "
		"created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ASQL_EVENT_UPDATE] =
		"UPDATE event SET series_id = ?, slug = ?, title = ?, kind = ?, theme = ?, "
		"summary = ?, description_md = ?, region = ?, city = ?, country = ?, venue = ?, "
		"starts_on = ?, ends_on = ?, date_precision = ?, timezone = ?, capacity = ?, "
		"status = ?, contact_name = ?, contact_title = ?, contact_org = ?, "
		"contact_email = ?, updated_at = ? WHERE id = ?",
	[ASQL_SECTORS_CLEAR] = "DELETE FROM event_sector WHERE event_id = ?",
	[ASQL_SECTOR_INSERT] =
		"INSERT INTO event_sector (event_id, sector, position) VALUES (?, ?, ?)",
	[ASQL_EO_INSERT] = "INSERT INTO event_organisation (event_id, organisation_id, role, "
			   "position) VALUES (?, ?, ?, ?)",
	[ASQL_EO_CLEAR] = "DELETE FROM event_organisation WHERE event_id = ?",
	[ASQL_ORG_LIST] =
		"SELECT o.id, o.slug, o.name, o.acronym, o.kind, o.country, o.url AS website, o.logo, "
		"(SELECT count(*) FROM event_organisation eo WHERE eo.organisation_id = o.id) "
		"AS event_count, o.created_at, o.updated_at "
		"FROM organisation o ORDER BY o.name, o.id",
	[ASQL_ORG_ONE] = "SELECT o.id, o.slug, o.name, o.acronym, o.kind, o.country, "
			 "o.url AS website, o.logo, o.description, o.created_at, o.updated_at "
			 "FROM organisation o WHERE o.slug = ?",
	[ASQL_ORG_EVENTS] =
		"SELECT e.id, coalesce(e.series_id, 0) AS series_id, e.slug, e.title, e.status, "
		"e.starts_on, eo.role FROM event_organisation eo JOIN event e ON e.id = eo.event_id "
		"WHERE eo.organisation_id = ? ORDER BY e.starts_on DESC, eo.position",
	[ASQL_ORG_ID] = "SELECT id FROM organisation WHERE slug = ?",
	[ASQL_ORG_SLUG_TAKEN] = "SELECT 1 FROM organisation WHERE slug = ? AND id <> ?",
	[ASQL_ORG_INSERT] =
		"INSERT INTO organisation (slug, name, acronym, kind, country, url, description, "
		"logo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ASQL_ORG_UPDATE] = "UPDATE organisation SET slug = ?, name = ?, acronym = ?, kind = ?, "
			    "country = ?, url = ?, description = ?, logo = ?, updated_at = ? "
			    "WHERE id = ?",
	/* Grants live in the accounts module's table; this only reads them. */
	[ASQL_ORGANISERS] =
		"SELECT a.id AS account_id, a.email, a.name, "
		"CASE WHEN r.event_id IS NOT NULL THEN 'event' ELSE 'series' END AS via "
		"FROM account_role r JOIN account a ON a.id = r.account_id "
		"WHERE r.role = 'organiser' AND (r.event_id = ? OR r.series_id = ?) "
		"ORDER BY via, a.email",
	/* What keeps a row, and the grants that go with it, for deleting. */
	[ASQL_SERIES_DELETE] = "DELETE FROM series WHERE id = ?",
	[ASQL_SERIES_EVENT_COUNT] = "SELECT count(*) FROM event WHERE series_id = ?",
	[ASQL_SERIES_GRANTS] = "SELECT a.id AS account_id, a.email, r.role FROM account_role r "
			       "JOIN account a ON a.id = r.account_id WHERE r.series_id = ? "
			       "ORDER BY a.email",
	[ASQL_EVENT_DELETE] = "DELETE FROM event WHERE id = ?",
	/* Posts are the news module's; this only counts them. */
	[ASQL_EVENT_POST_COUNT] = "SELECT count(*) FROM post WHERE event_id = ?",
	[ASQL_EVENT_GRANTS] = "SELECT a.id AS account_id, a.email, r.role FROM account_role r "
			      "JOIN account a ON a.id = r.account_id WHERE r.event_id = ? "
			      "ORDER BY a.email",
	[ASQL_ORG_DELETE] = "DELETE FROM organisation WHERE id = ?",
	[ASQL_ORG_EVENT_COUNT] =
		"SELECT count(DISTINCT event_id) FROM event_organisation WHERE organisation_id = ?",
	[ASQL_ORG_SERIES_COUNT] = "SELECT count(*) FROM series WHERE organiser_id = ?",
};

struct db_stmt *admin_prep(struct db *db, enum admin_sql i)
{
	return db_prepare(db, admin_sql[i]);
}

/* ============================================================== helpers */

const char *admin_sval(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A string value, NULL when absent, null or empty. */
const char *admin_nonempty(const json_t *o, const char *key)
{
	const char *s = admin_sval(o, key);
	return s && *s ? s : NULL;
}

static void now_text(int64_t now, char out[32])
{
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The id of a row found by slug through stmt i, 0 when none, -1 on error. */
int64_t admin_id_by_slug(struct db *db, enum admin_sql i, const char *slug)
{
	struct db_stmt *st = admin_prep(db, i);
	if (!st)
		return -1;
	db_bind_text(st, 1, slug);
	int rc = db_step(st);
	int64_t id = rc == 1 ? db_col_int(st, 0) : rc == 0 ? 0 : -1;
	db_done(st);
	return id;
}

/* 1 if slug is used by another row than id (through stmt i), -1 on error. */
static int slug_taken(struct db *db, enum admin_sql i, const char *slug, int64_t id)
{
	struct db_stmt *st = admin_prep(db, i);
	if (!st)
		return -1;
	db_bind_text(st, 1, slug);
	db_bind_int(st, 2, id);
	int rc = db_step(st);
	db_done(st);
	return rc < 0 ? -1 : rc;
}

/* A free slug made from text: its slugify form, then -2, -3… Returns
 * NULL on a database error. */
static char *slug_derive(struct db *db, struct arena *a, enum admin_sql taken, const char *text,
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
		int t = slug_taken(db, taken, s, id);
		if (t < 0)
			return NULL;
		if (!t)
			return s;
	}
	return NULL;
}

/* Binds a string field of o, NULL when absent or empty. */
void admin_bind_opt(struct db_stmt *st, int idx, const json_t *o, const char *key)
{
	db_bind_text(st, idx, admin_nonempty(o, key));
}

/* Binds a NOT NULL text column: "" when absent. */
void admin_bind_text0(struct db_stmt *st, int idx, const json_t *o, const char *key)
{
	const char *s = admin_sval(o, key);
	db_bind_text(st, idx, s ? s : "");
}

/* Ends a failed write: rolls back and returns e. */
static enum hm_err fail(struct db *db, enum hm_err e)
{
	db_rollback(db);
	return e;
}

/* Checks the slug of m (chosen, else derived from text_key) against the
 * other rows and writes the one to use into m. HM_EEXIST when a chosen
 * slug is taken. */
static enum hm_err settle_slug(struct db *db, struct arena *a, json_t *m, enum admin_sql taken,
			       const char *text_key, int64_t id, const char *taken_msg,
			       struct admin_errors *errs)
{
	const char *slug = admin_nonempty(m, "slug");
	if (slug) {
		int t = slug_taken(db, taken, slug, id);
		if (t < 0)
			return HM_EDB;
		if (t) {
			admin_error_add(errs, "slug", taken_msg);
			return HM_EEXIST;
		}
		return HM_OK;
	}
	char *derived = slug_derive(db, a, taken, admin_sval(m, text_key), id);
	if (!derived)
		return HM_EDB;
	json_object_set_new(m, "slug", json_string(derived));
	return HM_OK;
}


json_t *admin_rows(struct db *db, enum admin_sql i)
{
	struct db_stmt *st = admin_prep(db, i);
	return st ? db_rows_json(st) : json_array();
}

/* =============================================================== writes */

enum hm_err admin_save(const struct admin_kind *k, struct db *db, const struct principal *p,
		       const char *slug, const json_t *in, int64_t now, json_t **out,
		       struct admin_errors *errs)
{
	struct arena a;
	json_t *before = NULL, *m = NULL, *after = NULL;
	char ts[32];
	int64_t id = 0, ref = 0;
	int nerrs;
	enum hm_err e;

	if (out)
		*out = NULL;
	if (!json_is_object(in))
		return HM_EINVAL;
	arena_init(&a);
	if ((e = db_begin(db)) != HM_OK)
		goto out;
	if (slug) {
		if (!(before = k->snapshot(db, slug))) {
			e = fail(db, HM_ENOTFOUND);
			goto out;
		}
		if (!k->may_edit(db, p, slug, before)) {
			e = fail(db, HM_EFORBIDDEN);
			goto out;
		}
		id = json_integer_value(json_object_get(before, "id"));
		m = admin_merge(k->rules, before, in);
		if (!admin_nonempty(m, "slug"))
			json_object_set(m, "slug", json_object_get(before, "slug"));
	} else {
		if (k->may_create && !k->may_create(p)) {
			e = fail(db, HM_EFORBIDDEN);
			goto out;
		}
		json_t *defaults = k->defaults();
		m = admin_merge(k->rules, defaults, in);
		json_decref(defaults);
	}
	if (k->take_extra)
		k->take_extra(m, in);
	if (k->check(m, errs)) {
		e = fail(db, HM_EINVAL);
		goto out;
	}
	/* resolve may refuse a reference as a field and still let the slug be
	 * checked, so that both are reported. */
	nerrs = errs->n;
	if (k->resolve && (e = k->resolve(db, p, before, m, &ref, errs)) != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	e = settle_slug(db, &a, m, k->slug_taken, k->slug_from, id, k->slug_taken_msg, errs);
	if (e != HM_OK || errs->n != nerrs) {
		e = fail(db, e != HM_OK ? e : HM_EINVAL);
		goto out;
	}
	now_text(now, ts);
	if ((e = k->write(db, m, ref, id, ts, &id)) != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	after = k->snapshot(db, admin_sval(m, "slug"));
	if ((e = audit_record_at(db, p, k->action(before, after), k->entity, id, before, after,
				 now)) != HM_OK ||
	    (e = db_commit(db)) != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	if (out) {
		*out = after;
		after = NULL;
	}
out:
	json_decref(before);
	json_decref(m);
	json_decref(after);
	arena_free(&a);
	return e;
}

enum hm_err admin_kind_set_status(const struct admin_kind *k, struct db *db,
				  const struct principal *p, const char *slug, const char *status,
				  int64_t now)
{
	struct admin_errors errs = {0};
	if (!admin_in_list(k->statuses, status))
		return HM_EINVAL;
	json_t *in = json_pack("{s:s}", "status", status);
	enum hm_err e = admin_save(k, db, p, slug, in, now, NULL, &errs);
	json_decref(in);
	return e;
}

/* ============================================================= deletes */

/* The count statement i finds for id; -1 on error. */
static int64_t count_of(struct db *db, enum admin_sql i, int64_t id)
{
	struct db_stmt *st = admin_prep(db, i);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	int rc = db_step(st);
	int64_t n = rc == 1 ? db_col_int(st, 0) : -1;
	db_done(st);
	return n;
}

enum hm_err admin_kind_keep(const struct admin_kind *k, struct db *db, const json_t *t,
			    struct admin_keep_why *why)
{
	int64_t id = json_integer_value(json_object_get(t, "id"));
	why->why = ADMIN_KEEP_NONE;
	why->n = 0;
	for (const struct admin_keep_rule *r = k->keep; r->why != ADMIN_KEEP_NONE; r++) {
		int64_t n = r->status ? str_eq(admin_sval(t, "status"), r->status)
				      : count_of(db, r->count, id);
		if (n < 0)
			return HM_EDB;
		if (n > 0) {
			why->why = r->why;
			why->n = n;
			break;
		}
	}
	return HM_OK;
}

enum hm_err admin_kind_delete(const struct admin_kind *k, struct db *db,
			      const struct principal *p, const char *slug, int64_t now,
			      struct admin_keep_why *why)
{
	struct admin_keep_why scratch;
	json_t *before = NULL;
	struct db_stmt *st;
	int64_t id;
	enum hm_err e;

	if (!why)
		why = &scratch;
	why->why = ADMIN_KEEP_NONE;
	why->n = 0;
	if ((e = db_begin(db)) != HM_OK)
		return e;
	if (!(before = k->snapshot(db, slug))) {
		e = HM_ENOTFOUND;
		goto out;
	}
	if (!auth_can(p, AUTH_RECORD_DELETE, NULL)) {
		e = HM_EFORBIDDEN;
		goto out;
	}
	if ((e = admin_kind_keep(k, db, before, why)) != HM_OK)
		goto out;
	if (why->why != ADMIN_KEEP_NONE) {
		e = HM_ECONFLICT;
		goto out;
	}
	id = json_integer_value(json_object_get(before, "id"));
	if (k->gone_key) {
		if (!(st = admin_prep(db, k->gone_rows))) {
			e = HM_EDB;
			goto out;
		}
		db_bind_int(st, 1, id);
		json_object_set_new(before, k->gone_key, db_rows_json(st));
	}
	if (!(st = admin_prep(db, k->delete_stmt))) {
		e = HM_EDB;
		goto out;
	}
	db_bind_int(st, 1, id);
	if ((e = db_run(st)) != HM_OK)
		goto out;
	if ((e = audit_record_at(db, p, k->delete_action, k->entity, id, before, NULL, now)) ==
	    HM_OK)
		e = db_commit(db);
out:
	if (e != HM_OK)
		db_rollback(db);
	json_decref(before);
	return e;
}
