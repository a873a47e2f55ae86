/*
 * admin_store.c — the admin side's statements (one list for series,
 * events and organisations) and the helpers their reads and writes share;
 * the writes themselves are the site's kind_save and kind_delete, told
 * about each by its kind table.
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
	[ASQL_SERIES_SLUG_TAKEN] = SQL_SERIES_SLUG_TAKEN,
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
	[ASQL_EVENT_SLUG_TAKEN] = SQL_EVENT_SLUG_TAKEN,
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
	/* The series an organisation runs, with what their rights need. */
	[ASQL_ORG_RUNS_SERIES] = "SELECT s.id, s.slug, s.title, s.status FROM series s "
				 "WHERE s.organiser_id = ? ORDER BY s.title, s.id",
	/* Who made an organisation, as its audit entry says. */
	[ASQL_ORG_CREATOR] = "SELECT actor_account_id FROM audit_log WHERE entity = 'organisation' "
			     "AND entity_id = ? AND action = 'organisation.create' ORDER BY id LIMIT 1",
	[ASQL_ORG_EVENTS] =
		"SELECT e.id, coalesce(e.series_id, 0) AS series_id, e.slug, e.title, e.status, "
		"e.starts_on, eo.role FROM event_organisation eo JOIN event e ON e.id = eo.event_id "
		"WHERE eo.organisation_id = ? ORDER BY e.starts_on DESC, eo.position",
	[ASQL_ORG_ID] = "SELECT id FROM organisation WHERE slug = ?",
	[ASQL_ORG_SLUG_TAKEN] = SQL_ORG_SLUG_TAKEN,
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
	[ASQL_SERIES_DELETE] = SQL_SERIES_DELETE,
	[ASQL_SERIES_EVENT_COUNT] = SQL_SERIES_EVENT_COUNT,
	[ASQL_SERIES_GRANTS] = SQL_SERIES_GRANTS,
	[ASQL_EVENT_DELETE] = SQL_EVENT_DELETE,
	/* Posts are the news module's; this only counts them. */
	[ASQL_EVENT_POST_COUNT] = SQL_EVENT_POST_COUNT,
	[ASQL_EVENT_GRANTS] = SQL_EVENT_GRANTS,
	[ASQL_ORG_DELETE] = SQL_ORG_DELETE,
	[ASQL_ORG_EVENT_COUNT] = SQL_ORG_EVENT_COUNT,
	[ASQL_ORG_SERIES_COUNT] = SQL_ORG_SERIES_COUNT,
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

json_t *admin_rows(struct db *db, enum admin_sql i)
{
	struct db_stmt *st = admin_prep(db, i);
	return db_rows_json(st);
}

