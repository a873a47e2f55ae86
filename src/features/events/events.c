/*
 * events.c — read queries for series, events and organisations. Drafts
 * never leave this file for the public functions: every query filters on
 * status = 'published' (events: or 'cancelled', which a published event
 * may become), and an event names its series only when that is published
 * too. The organisers' reads (events_admin.h) build
 * their models with the same helpers, on statements that keep drafts.
 */
#include "features/events/events.h"
#include "db/db.h"
#include "features/events/events_internal.h"

#include <string.h>

enum event_sql {
	SQL_EVENTS_UPCOMING,
	SQL_EVENTS_PAST,
	SQL_EVENT,
	SQL_EVENT_SECTORS,
	SQL_EVENT_ORGS,
	SQL_SERIES,
	SQL_SERIES_LIST,
	SQL_SERIES_EVENTS,
	SQL_ORG,
	SQL_ORG_EVENTS,
	SQL_SERIES_INDEX,
	SQL_ORG_INDEX,
	SQL_EVENT_PREVIEW,
	SQL_SERIES_PREVIEW,
	EVENT_SQL__MAX
};

const char *const events_tr_fields[] = {"title", "theme", "summary", "description_md",
					"region", "city", "venue", NULL};
const char *const series_tr_fields[] = {"title", "summary", NULL};
const char *const orgs_tr_fields[] = {"name", "description", NULL};

#define EVENT_COLS                                                                             \
	"e.id, e.lang, e.slug, e.title, e.kind, e.theme, e.summary, e.region, e.city, e.country, "     \
	"e.venue, e.starts_on, e.ends_on, e.date_precision, e.timezone, e.capacity, e.status, " \
	"s.slug AS series_slug, s.title AS series_title "

static const char *const sql[EVENT_SQL__MAX] = {
	[SQL_EVENTS_UPCOMING] =
		"SELECT " EVENT_COLS "FROM event e LEFT JOIN series s ON s.id = e.series_id "
		"AND s.status = 'published' WHERE e.status IN ('published', 'cancelled') AND e.ends_on >= ? "
		"ORDER BY e.starts_on, e.id LIMIT ?",
	[SQL_EVENTS_PAST] =
		"SELECT " EVENT_COLS "FROM event e LEFT JOIN series s ON s.id = e.series_id "
		"AND s.status = 'published' WHERE e.status IN ('published', 'cancelled') AND e.ends_on < ? "
		"ORDER BY e.starts_on DESC, e.id DESC LIMIT ?",
	[SQL_EVENT] = "SELECT " EVENT_COLS ", e.description_md, e.contact_name, e.contact_title, "
		      "e.contact_org, e.contact_email, e.updated_at "
		      "FROM event e LEFT JOIN series s ON s.id = e.series_id AND s.status = 'published' "
		      "WHERE e.slug = ? AND e.status IN ('published', 'cancelled')",
	/* For a preview by its organisers: the same, in any status, its
	 * series named whatever the series' status. */
	[SQL_EVENT_PREVIEW] = "SELECT " EVENT_COLS ", e.description_md, e.contact_name, e.contact_title, "
			      "e.contact_org, e.contact_email "
			      "FROM event e LEFT JOIN series s ON s.id = e.series_id WHERE e.slug = ?",
	[SQL_SERIES_PREVIEW] = "SELECT s.id, s.lang, s.slug, s.title, s.summary, o.slug AS organiser_slug, "
			       "o.name AS organiser_name, o.acronym AS organiser_acronym "
			       "FROM series s LEFT JOIN organisation o ON o.id = s.organiser_id "
			       "WHERE s.slug = ?",
	[SQL_EVENT_SECTORS] =
		"SELECT sector FROM event_sector WHERE event_id = ? ORDER BY position, sector",
	[SQL_EVENT_ORGS] =
		"SELECT o.id, o.lang, o.slug, o.name, o.acronym, o.kind, o.country, o.url AS website, o.logo, eo.role "
		"FROM event_organisation eo JOIN organisation o ON o.id = eo.organisation_id "
		"WHERE eo.event_id = ? ORDER BY eo.position, o.name",
	[SQL_SERIES] = "SELECT s.id, s.lang, s.slug, s.title, s.summary, o.slug AS organiser_slug, "
		       "o.name AS organiser_name, o.acronym AS organiser_acronym "
		       "FROM series s LEFT JOIN organisation o ON o.id = s.organiser_id "
		       "WHERE s.slug = ? AND s.status = 'published'",
	[SQL_SERIES_LIST] = "SELECT s.id, s.lang, s.slug, s.title, s.summary FROM series s "
			    "WHERE s.status = 'published' ORDER BY s.title",
	[SQL_SERIES_EVENTS] =
		"SELECT " EVENT_COLS "FROM event e JOIN series s ON s.id = e.series_id "
		"WHERE e.series_id = ? AND e.status IN ('published', 'cancelled') "
		"ORDER BY e.starts_on DESC, e.id DESC",
	[SQL_ORG] = "SELECT id, lang, slug, name, acronym, kind, country, url AS website, logo, description "
		    "FROM organisation WHERE slug = ?",
	[SQL_ORG_EVENTS] =
		"SELECT " EVENT_COLS ", eo.role FROM event_organisation eo "
		"JOIN event e ON e.id = eo.event_id LEFT JOIN series s ON s.id = e.series_id "
		"AND s.status = 'published' "
		"WHERE eo.organisation_id = ? AND e.status IN ('published', 'cancelled') "
		"ORDER BY e.starts_on DESC, eo.position",
	/* The index pages: each with how many events the public may see. */
	[SQL_SERIES_INDEX] =
		"SELECT s.slug, s.title, s.summary, o.slug AS organiser_slug, o.name AS organiser_name, "
		"(SELECT count(*) FROM event e WHERE e.series_id = s.id "
		"AND e.status IN ('published', 'cancelled')) AS events, "
		"(SELECT min(e.starts_on) FROM event e WHERE e.series_id = s.id "
		"AND e.status IN ('published', 'cancelled')) AS first_starts_on, "
		"(SELECT max(e.ends_on) FROM event e WHERE e.series_id = s.id "
		"AND e.status IN ('published', 'cancelled')) AS last_ends_on "
		"FROM series s LEFT JOIN organisation o ON o.id = s.organiser_id "
		"WHERE s.status = 'published' ORDER BY s.title, s.id",
	[SQL_ORG_INDEX] =
		"SELECT o.slug, o.name, o.acronym, o.kind, o.country, o.logo, "
		"(SELECT count(*) FROM event_organisation eo JOIN event e ON e.id = eo.event_id "
		"WHERE eo.organisation_id = o.id AND e.status IN ('published', 'cancelled')) AS events "
		"FROM organisation o ORDER BY lower(o.name), o.id",
};

/* Where a thing the public may see is now, by an address it had. */
#define MOVED(table, alias, entity, visible)                                                   \
	"SELECT " alias ".slug FROM old_address a JOIN " table " " alias " ON " alias          \
	".id = a.entity_id WHERE a.entity = '" entity "' AND a.address = ?" visible

static const char *const moved_sql[] = {
	[EVENTS_MOVED_EVENT] = MOVED("event", "e", "event",
				     " AND e.status IN ('published', 'cancelled')"),
	[EVENTS_MOVED_SERIES] = MOVED("series", "s", "series", " AND s.status = 'published'"),
	[EVENTS_MOVED_ORG] = MOVED("organisation", "o", "organisation", ""),
};

static struct db_stmt *prep(struct db *db, enum event_sql i)
{
	return db_prepare(db, sql[i]);
}


json_t *event_list(struct db *db, int upcoming, const char *today, int limit)
{
	struct db_stmt *st = prep(db, upcoming ? SQL_EVENTS_UPCOMING : SQL_EVENTS_PAST);
	if (!st)
		return json_array();
	db_bind_text(st, 1, today);
	db_bind_int(st, 2, limit);
	return db_rows_json(st);
}

json_t *events_one_with(struct db *db, const char *sql_one, const char *slug, const char *key,
			const char *sql_rows)
{
	struct db_stmt *st = db_prepare(db, sql_one);
	if (!st)
		return NULL;
	db_bind_text(st, 1, slug);
	json_t *o = db_one_json(st);
	if (!o)
		return NULL;
	if ((st = db_prepare(db, sql_rows)))
		db_bind_int(st, 1, json_integer_value(json_object_get(o, "id")));
	json_object_set_new(o, key, db_rows_json(st));
	return o;
}

json_t *events_sectors(struct db *db, int64_t id)
{
	json_t *sectors = json_array();
	struct db_stmt *st = prep(db, SQL_EVENT_SECTORS);
	if (st) {
		db_bind_int(st, 1, id);
		while (db_step(st) == 1)
			json_array_append_new(sectors, json_string(db_col_text(st, 0)));
		db_done(st);
	}
	return sectors;
}

json_t *event_get(struct db *db, const char *slug)
{
	json_t *ev = events_one_with(db, sql[SQL_EVENT], slug, "organisations",
				     sql[SQL_EVENT_ORGS]);
	if (ev) {
		json_int_t id = json_integer_value(json_object_get(ev, "id"));
		json_object_set_new(ev, "sectors", events_sectors(db, id));
	}
	return ev;
}

json_t *event_get_preview(struct db *db, const char *slug)
{
	json_t *ev = events_one_with(db, sql[SQL_EVENT_PREVIEW], slug, "organisations",
				     sql[SQL_EVENT_ORGS]);
	if (ev) {
		json_int_t id = json_integer_value(json_object_get(ev, "id"));
		json_object_set_new(ev, "sectors", events_sectors(db, id));
	}
	return ev;
}

json_t *series_list(struct db *db)
{
	return db_rows_json(prep(db, SQL_SERIES_LIST));
}

static json_t *series_with_regions(json_t *s);

json_t *series_get(struct db *db, const char *slug)
{
	return series_with_regions(
		events_one_with(db, sql[SQL_SERIES], slug, "events", sql[SQL_SERIES_EVENTS]));
}

json_t *series_get_preview(struct db *db, const char *slug)
{
	return series_with_regions(
		events_one_with(db, sql[SQL_SERIES_PREVIEW], slug, "events", sql[SQL_SERIES_EVENTS]));
}

/* s with its events grouped by region (NULL stays NULL). */
static json_t *series_with_regions(json_t *s)
{
	if (!s)
		return NULL;
	json_t *events = json_object_get(s, "events");
	/* Group by region in order of each region's latest event. */
	json_t *regions = json_array();
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev) {
		const char *r = json_string_value(json_object_get(ev, "region"));
		json_t *grp = NULL, *g;
		size_t j;
		json_array_foreach(regions, j, g) {
			if (strcmp(json_string_value(json_object_get(g, "region")), r ? r : "") == 0) {
				grp = g;
				break;
			}
		}
		if (!grp) {
			grp = json_pack("{s:s, s:[]}", "region", r ? r : "", "events");
			json_array_append_new(regions, grp);
		}
		json_array_append(json_object_get(grp, "events"), ev);
	}
	json_object_set_new(s, "regions", regions);
	return s;
}

json_t *events_moved(struct db *db, enum events_moved which, const char *slug)
{
	struct db_stmt *st = db_prepare(db, moved_sql[which]);
	if (!st)
		return NULL;
	db_bind_text(st, 1, slug);
	json_t *to = db_step(st) == 1 ? json_string(db_col_text(st, 0)) : NULL;
	db_done(st);
	return to;
}

json_t *org_get(struct db *db, const char *slug)
{
	return events_one_with(db, sql[SQL_ORG], slug, "events", sql[SQL_ORG_EVENTS]);
}

json_t *series_index(struct db *db)
{
	return db_rows_json(prep(db, SQL_SERIES_INDEX));
}

json_t *org_index(struct db *db)
{
	return db_rows_json(prep(db, SQL_ORG_INDEX));
}
