/*
 * store.c — the programme's store: its statements (one list), the reads
 * of rooms and sessions, the rooms' writes (each one transaction with
 * its audit entry), and the time of a session in its event's zone.
 */
#include "features/programme/prog_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "view/i18n.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const char *const prog_kinds[] = {"opening", "plenary",   "panel",     "workshop", "roundtable",
				  "break",   "reception", "closing",   NULL};
const char *const prog_visibilities[] = {"public", "participants-only", NULL};

#define SESSION_COLS                                                                        \
	"s.id, s.event_id, e.slug AS event_slug, e.status AS event_status, "                \
	"coalesce(e.series_id, 0) AS series_id, e.timezone, s.title, s.kind, s.track, "     \
	"s.description_md, s.starts_at, s.ends_at, r.name AS room, "                        \
	"r.capacity AS room_capacity, s.languages, s.interpretation, "                      \
	"s.interpretation_languages, s.capacity, s.visibility, s.lang, s.created_at, "     \
	"s.updated_at "
#define EVENT_COLS                                                                          \
	"id, coalesce(series_id, 0) AS series_id, slug, title, status, starts_on, ends_on, " \
	"timezone "

static const char *const sql[PSQL__MAX] = {
	[PSQL_ROOMS] = "SELECT r.id, r.name, r.capacity, (SELECT count(*) FROM programme_session s "
		       "WHERE s.room_id = r.id) AS sessions FROM programme_room r "
		       "WHERE r.event_id = ? ORDER BY r.name, r.id",
	[PSQL_ROOM_GET] = "SELECT id, event_id, name, capacity, created_at FROM programme_room "
			  "WHERE id = ? AND event_id = ?",
	/* "Main Hall" and "main hall" are one room */
	[PSQL_ROOM_BY_NAME] = "SELECT id FROM programme_room "
			      "WHERE event_id = ? AND lower(name) = lower(?)",
	[PSQL_ROOM_INSERT] = "INSERT INTO programme_room (event_id, name, capacity, created_at) "
			     "VALUES (?, ?, ?, ?)",
	[PSQL_ROOM_DELETE] = "DELETE FROM programme_room WHERE id = ? AND event_id = ?",
	[PSQL_ROOM_IN_USE] = "SELECT count(*) FROM programme_session WHERE room_id = ?",
	[PSQL_SESSIONS] = "SELECT " SESSION_COLS "FROM programme_session s "
			  "JOIN event e ON e.id = s.event_id "
			  "LEFT JOIN programme_room r ON r.id = s.room_id "
			  "WHERE s.event_id = ? ORDER BY s.starts_at, r.name, s.id",
	[PSQL_SESSION_GET] = "SELECT " SESSION_COLS "FROM programme_session s "
			     "JOIN event e ON e.id = s.event_id "
			     "LEFT JOIN programme_room r ON r.id = s.room_id WHERE s.id = ?",
	[PSQL_SESSION_INSERT] =
		"INSERT INTO programme_session (title, kind, track, description_md, starts_at, "
		"ends_at, room_id, languages, capacity, visibility, interpretation, "
		"interpretation_languages, updated_at, created_at, event_id) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"(SELECT id FROM event WHERE slug = ?))",
	[PSQL_SESSION_UPDATE] =
		"UPDATE programme_session SET title = ?, kind = ?, track = ?, description_md = ?, "
		"starts_at = ?, ends_at = ?, room_id = ?, languages = ?, capacity = ?, "
		"visibility = ?, interpretation = ?, interpretation_languages = ?, updated_at = ? "
		"WHERE id = ?",
	[PSQL_EVENT] = "SELECT " EVENT_COLS "FROM event WHERE slug = ?",
	[PSQL_EVENT_BY_ID] = "SELECT " EVENT_COLS "FROM event WHERE id = ?",
	[PSQL_EDITABLE_EVENTS] =
		"SELECT e.id, coalesce(e.series_id, 0) AS series_id, e.slug, e.title, e.status, "
		"e.starts_on, (SELECT count(*) FROM programme_session s WHERE s.event_id = e.id) "
		"AS sessions FROM event e ORDER BY e.starts_on DESC, e.id DESC",
};

struct db_stmt *prog_prep(struct db *db, enum prog_sql i)
{
	return db_prepare(db, sql[i]);
}

/* ---------------------------------------------------------------- time */

const char *prog_time_in_zone(struct arena *a, const char *tz, int64_t utc)
{
	int64_t minute = utc - ((utc % 60) + 60) % 60;
	const char *local = tz_utc_to_local(a, tz, utc);
	struct tm tm = {0};
	if (!local || sscanf(local, "%4d-%2d-%2dT%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			     &tm.tm_hour, &tm.tm_min) != 5)
		return NULL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	int64_t off = (int64_t)timegm(&tm) - minute; /* seconds east of UTC */
	int sec = (int)(utc - minute);
	if (off == 0)
		return arena_printf(a, "%sT%02d:%02d:%02dZ", arena_printf(a, "%.10s", local),
				    tm.tm_hour, tm.tm_min, sec);
	int64_t m = off < 0 ? -off / 60 : off / 60;
	return arena_printf(a, "%.16s:%02d%c%02d:%02d", local, sec, off < 0 ? '-' : '+',
			    (int)(m / 60), (int)(m % 60));
}

/* --------------------------------------------------------------- reads */

json_t *prog_event(struct db *db, const char *slug)
{
	struct db_stmt *st = slug ? prog_prep(db, PSQL_EVENT) : NULL;
	if (!st)
		return NULL;
	db_bind_text(st, 1, slug);
	return db_one_json(st);
}

json_t *prog_event_by_id(struct db *db, int64_t id)
{
	return db_one_of(db, sql[PSQL_EVENT_BY_ID], id);
}

struct auth_scope prog_scope(const json_t *ev)
{
	json_t *id = json_object_get(ev, "event_id");
	struct auth_scope s = {
		.event_id = json_integer_value(id ? id : json_object_get(ev, "id")),
		.series_id = json_integer_value(json_object_get(ev, "series_id")),
	};
	return s;
}

json_t *prog_rooms(struct db *db, int64_t event_id)
{
	return db_rows_of(db, sql[PSQL_ROOMS], event_id);
}

/* "en,zh" → ["en", "zh"] */
static json_t *codes_of(const char *l)
{
	json_t *out = json_array();
	while (l && *l) {
		size_t n = strcspn(l, ",");
		if (n)
			json_array_append_new(out, json_stringn(l, n));
		l += n + (l[n] == ',');
	}
	return out;
}

void prog_session_finish(json_t *s)
{
	struct arena a;
	arena_init(&a);
	const char *tz = json_string_value(json_object_get(s, "timezone"));
	static const char *const times[] = {"starts_at", "ends_at"};
	for (size_t i = 0; i < HM_ARRAY_LEN(times); i++) {
		int64_t t = time_parse_rfc3339(json_string_value(json_object_get(s, times[i])));
		const char *z = t >= 0 && tz ? prog_time_in_zone(&a, tz, t) : NULL;
		if (z)
			json_object_set_new(s, times[i], json_string(z));
	}
	json_object_set_new(s, "languages",
			    codes_of(json_string_value(json_object_get(s, "languages"))));
	json_object_set_new(s, "interpretation_languages",
			    codes_of(json_string_value(
				    json_object_get(s, "interpretation_languages"))));
	json_object_set_new(s, "interpretation",
			    json_boolean(json_integer_value(json_object_get(s, "interpretation"))));
	arena_free(&a);
}

json_t *prog_sessions_finished(struct db *db, json_t *rows, int64_t event_id, int64_t release_id)
{
	json_t *people = rows ? prog_session_people(db, event_id, release_id) : NULL;
	if (!people) {
		json_decref(rows);
		return NULL;
	}
	size_t i;
	json_t *s;
	json_array_foreach(rows, i, s) prog_session_finish(s);
	prog_attach_people(rows, people);
	json_decref(people);
	return rows;
}

json_t *prog_sessions(struct db *db, int64_t event_id)
{
	return prog_sessions_finished(db, db_rows_of(db, sql[PSQL_SESSIONS], event_id), event_id, 0);
}

json_t *prog_session_get(struct db *db, int64_t id)
{
	struct db_stmt *st = prog_prep(db, PSQL_SESSION_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	json_t *s = db_one_json(st);
	json_t *people = s ? prog_people_of_session(db, id) : NULL;
	if (s && !people) {
		json_decref(s);
		return NULL;
	}
	if (s) {
		prog_session_finish(s);
		json_object_set_new(s, "people", people);
	}
	return s;
}

int prog_session_visible(const struct principal *p, const json_t *t)
{
	struct auth_scope s = prog_scope(t);
	if (!str_eq(json_string_value(json_object_get(t, "event_status")), "published") &&
	    !auth_can(p, AUTH_DRAFT_READ, &s))
		return 0;
	return str_eq(json_string_value(json_object_get(t, "visibility")), "public") ||
	       auth_can(p, AUTH_PROGRAMME_EDIT, &s);
}

/* --------------------------------------------------------------- rooms */

#define ROOM_NAME_MAX 100

enum hm_err prog_room_add(struct db *db, const struct principal *p, const json_t *ev,
			  const char *name, const char *capacity, int64_t now,
			  struct field_errors *errs)
{
	struct arena a;
	struct auth_scope sc = prog_scope(ev);
	int64_t cap = -1, id;
	if (!auth_can(p, AUTH_PROGRAMME_EDIT, &sc))
		return HM_EFORBIDDEN;
	if (!name || !*name)
		field_error_add(errs, "name", "This field is required.");
	else if (strlen(name) > ROOM_NAME_MAX || !utf8_valid(name, strlen(name)))
		field_error_add(errs, "name", "This is too long.");
	if (capacity && *capacity && (!text_int_parse(capacity, &cap) || cap < 0 || cap > 1000000))
		field_error_add(errs, "capacity", "Enter a whole number of 0 or more.");
	if (errs->n)
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	struct db_stmt *st = prog_prep(db, PSQL_ROOM_BY_NAME);
	int rc = -1;
	if (st) {
		db_bind_int(st, 1, event_id);
		db_bind_text(st, 2, name);
		rc = db_step(st);
		db_done(st);
	}
	if (rc < 0) {
		db_rollback(db);
		return HM_EDB;
	}
	if (rc == 1) {
		db_rollback(db);
		field_error_add(errs, "name", "This event already has a room of this name.");
		return HM_EEXIST;
	}
	arena_init(&a);
	const char *ts = time_format_rfc3339(&a, now);
	if (!(st = prog_prep(db, PSQL_ROOM_INSERT))) {
		e = HM_EDB;
		goto out;
	}
	db_bind_int(st, 1, event_id);
	db_bind_text(st, 2, name);
	if (cap >= 0)
		db_bind_int(st, 3, cap);
	else
		db_bind_null(st, 3);
	db_bind_text(st, 4, ts);
	if ((e = db_run(st)) != HM_OK)
		goto out;
	id = db_last_insert_id(db);
	json_t *after = json_pack("{s:I, s:I, s:s, s:o}", "id", (json_int_t)id, "event_id",
				  (json_int_t)event_id, "name", name, "capacity",
				  cap >= 0 ? json_integer(cap) : json_null());
	e = audit_record_at(db, p, "room.create", "room", id, NULL, after, now);
	json_decref(after);
	if (e == HM_OK)
		e = db_commit(db);
out:
	if (e != HM_OK)
		db_rollback(db);
	arena_free(&a);
	return e;
}

enum hm_err prog_delete_of_event(struct db *db, const struct principal *p, const json_t *ev,
				 const struct prog_deletion *d, int64_t id, int64_t now)
{
	struct auth_scope sc = prog_scope(ev);
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	json_t *before = NULL;
	if (!auth_can(p, AUTH_PROGRAMME_EDIT, &sc))
		return HM_EFORBIDDEN;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	struct db_stmt *st = db_prepare(db, d->get_sql);
	if (!st) {
		e = HM_EDB;
		goto out;
	}
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, event_id);
	if (!(before = db_one_json(st))) {
		e = db_failed(db) ? HM_EDB : HM_ENOTFOUND;
		goto out;
	}
	int64_t used = d->in_use_sql ? db_int_of(db, d->in_use_sql, id) : 0;
	if (used != 0) {
		e = used < 0 ? HM_EDB : HM_ECONFLICT;
		goto out;
	}
	if (!(st = db_prepare(db, d->delete_sql))) {
		e = HM_EDB;
		goto out;
	}
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, event_id);
	if ((e = db_run(st)) == HM_OK &&
	    (e = audit_record_at(db, p, d->action, d->entity, id, before, NULL, now)) == HM_OK)
		e = db_commit(db);
out:
	if (e != HM_OK)
		db_rollback(db);
	json_decref(before);
	return e;
}

enum hm_err prog_room_delete(struct db *db, const struct principal *p, const json_t *ev,
			     int64_t id, int64_t now)
{
	const struct prog_deletion room = {
		sql[PSQL_ROOM_GET], sql[PSQL_ROOM_IN_USE], sql[PSQL_ROOM_DELETE], "room.delete", "room",
	};
	return prog_delete_of_event(db, p, ev, &room, id, now);
}
