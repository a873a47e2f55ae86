/*
 * release.c — versions of a programme. Organisers edit the sessions
 * freely; the public sees the latest release, a copy of the sessions and
 * their people taken when an organiser released it, with a changelog
 * against the version before (what was added, moved, changed, cancelled)
 * and, per session, the number of releases that changed it (iCalendar's
 * SEQUENCE, so calendars replace an event rather than add one).
 */
#include "features/programme/prog_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>

enum {
	PR_LATEST,
	PR_LIST,
	PR_SESSIONS,
	PR_SESSION,
	PR_INSERT,
	PR_SESSION_INSERT,
	PR_PEOPLE_COPY,
	PR__MAX
};

#define RELEASED_COLS                                                                        \
	"rs.session_id AS id, r.event_id, e.slug AS event_slug, e.status AS event_status, "  \
	"coalesce(e.series_id, 0) AS series_id, e.timezone, rs.title, rs.kind, rs.track, "   \
	"rs.description_md, rs.starts_at, rs.ends_at, rs.room, rs.room_capacity, "           \
	"rs.languages, rs.interpretation, rs.interpretation_languages, rs.capacity, "        \
	"rs.visibility, rs.lang, rs.updated_at, rs.sequence "

static const char *const sql[PR__MAX] = {
	[PR_LATEST] = "SELECT id, version, note, released_at FROM programme_release "
		      "WHERE event_id = ? ORDER BY version DESC LIMIT 1",
	[PR_LIST] = "SELECT r.version, r.note, r.changes, r.released_at, a.name AS released_by "
		    "FROM programme_release r LEFT JOIN account a ON a.id = r.released_by "
		    "WHERE r.event_id = ? ORDER BY r.version DESC",
	[PR_SESSIONS] = "SELECT " RELEASED_COLS "FROM programme_release_session rs "
			"JOIN programme_release r ON r.id = rs.release_id "
			"JOIN event e ON e.id = r.event_id WHERE rs.release_id = ? "
			"ORDER BY rs.starts_at, rs.room, rs.session_id",
	[PR_SESSION] = "SELECT " RELEASED_COLS "FROM programme_release_session rs "
		       "JOIN programme_release r ON r.id = rs.release_id "
		       "JOIN event e ON e.id = r.event_id "
		       "WHERE rs.release_id = ? AND rs.session_id = ?",
	[PR_INSERT] = "INSERT INTO programme_release (event_id, version, note, changes, "
		      "released_by, released_at) VALUES (?, ?, ?, ?, ?, ?)",
	[PR_SESSION_INSERT] =
		"INSERT INTO programme_release_session (release_id, session_id, sequence, title, "
		"kind, track, description_md, starts_at, ends_at, room, room_capacity, languages, "
		"interpretation, interpretation_languages, capacity, visibility, lang, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[PR_PEOPLE_COPY] =
		"INSERT INTO programme_release_person (release_id, session_id, person_id, role, "
		"position) SELECT ?, sp.session_id, sp.person_id, sp.role, sp.position "
		"FROM programme_session_person sp "
		"JOIN programme_session s ON s.id = sp.session_id WHERE s.event_id = ?",
};

/* ---------------------------------------------------------------- reads */

json_t *prog_release_latest(struct db *db, int64_t event_id)
{
	return db_one_of(db, sql[PR_LATEST], event_id);
}

json_t *prog_release_sessions(struct db *db, int64_t release_id)
{
	struct db_stmt *st = db_prepare(db, sql[PR_SESSIONS]);
	if (!st)
		return NULL;
	db_bind_int(st, 1, release_id);
	return prog_sessions_finished(db, db_rows_json(st), 0, release_id);
}

json_t *prog_release_session(struct db *db, int64_t release_id, int64_t session_id)
{
	struct db_stmt *st = db_prepare(db, sql[PR_SESSION]);
	if (!st)
		return NULL;
	db_bind_int(st, 1, release_id);
	db_bind_int(st, 2, session_id);
	json_t *rows = prog_sessions_finished(db, db_rows_json(st), 0, release_id);
	json_t *s = json_array_get(rows, 0);
	if (s)
		json_incref(s);
	json_decref(rows);
	return s;
}

json_t *prog_published(struct db *db, int64_t event_id, json_t **release)
{
	json_t *rel = prog_release_latest(db, event_id);
	if (release)
		*release = NULL;
	if (!rel)
		return db_failed(db) ? NULL : json_array();
	json_t *rows = prog_release_sessions(db, json_integer_value(json_object_get(rel, "id")));
	if (release && rows)
		*release = rel;
	else
		json_decref(rel);
	return rows;
}

json_t *prog_releases(struct db *db, int64_t event_id)
{
	json_t *rows = db_rows_of(db, sql[PR_LIST], event_id);
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_t *c = json_loads(json_string_value(json_object_get(r, "changes")), 0, NULL);
		json_object_set_new(r, "changes", json_is_array(c) ? c : json_array());
		if (!json_is_array(c))
			json_decref(c);
	}
	return rows;
}

/* ------------------------------------------------------------ changes */

static json_t *by_id(const json_t *sessions)
{
	json_t *m = json_object();
	size_t i;
	json_t *s;
	char key[24];
	json_array_foreach(sessions, i, s) {
		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(json_object_get(s, "id")));
		json_object_set(m, key, s);
	}
	return m;
}

static int same(const json_t *a, const json_t *b, const char *key)
{
	json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
	if (json_is_null(x))
		x = NULL;
	if (json_is_null(y))
		y = NULL;
	return (!x && !y) || (x && y && json_equal(x, y));
}

/* The entry of the changelog for s: {session, title, change, starts_at,
 * ends_at, room, visibility}. */
static json_t *entry(const json_t *s, const char *change)
{
	return json_pack("{s:O, s:O, s:s, s:O, s:O, s:O?, s:O}", "session", json_object_get(s, "id"),
			 "title", json_object_get(s, "title"), "change", change, "starts_at",
			 json_object_get(s, "starts_at"), "ends_at", json_object_get(s, "ends_at"),
			 "room", json_object_get(s, "room"), "visibility",
			 json_object_get(s, "visibility"));
}

static const char *const content_keys[] = {
	"title",	"kind",	    "track",	      "description_md",	    "languages",
	"interpretation", "interpretation_languages", "capacity", "visibility", "people",
};

/* What live changes against prev (both as prog_sessions gives them):
 * [{session, title, change: added|moved|updated|cancelled, …}], in the
 * order of the live programme, cancellations last. A moved one says where
 * it was ("was": {starts_at, ends_at, room}); an updated one which
 * fields changed ("fields"). */
json_t *prog_changes(const json_t *prev, const json_t *live)
{
	json_t *out = json_array(), *old = by_id(prev), *now = by_id(live);
	size_t i;
	json_t *s;
	char key[24];
	json_array_foreach(live, i, s) {
		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(json_object_get(s, "id")));
		json_t *p = json_object_get(old, key);
		if (!p) {
			json_array_append_new(out, entry(s, "added"));
			continue;
		}
		int moved = !same(p, s, "starts_at") || !same(p, s, "ends_at") || !same(p, s, "room");
		json_t *fields = json_array();
		for (size_t k = 0; k < HM_ARRAY_LEN(content_keys); k++)
			if (!same(p, s, content_keys[k]))
				json_array_append_new(fields, json_string(content_keys[k]));
		if (!moved && !json_array_size(fields)) {
			json_decref(fields);
			continue;
		}
		json_t *e = entry(s, moved ? "moved" : "updated");
		if (moved)
			json_object_set_new(e, "was",
					    json_pack("{s:O, s:O, s:O?}", "starts_at",
						      json_object_get(p, "starts_at"), "ends_at",
						      json_object_get(p, "ends_at"), "room",
						      json_object_get(p, "room")));
		json_object_set_new(e, "fields", fields);
		json_array_append_new(out, e);
	}
	json_array_foreach(prev, i, s) {
		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(json_object_get(s, "id")));
		if (!json_object_get(now, key))
			json_array_append_new(out, entry(s, "cancelled"));
	}
	json_decref(old);
	json_decref(now);
	return out;
}

json_t *prog_pending(struct db *db, int64_t event_id)
{
	json_t *prev = prog_published(db, event_id, NULL);
	json_t *live = prev ? prog_sessions(db, event_id) : NULL;
	json_t *out = live ? prog_changes(prev, live) : NULL;
	json_decref(prev);
	json_decref(live);
	return out;
}

/* -------------------------------------------------------------- release */

static const char *utc_of(struct arena *a, const json_t *s, const char *key)
{
	int64_t t = time_parse_rfc3339(json_string_value(json_object_get(s, key)));
	return t >= 0 ? time_format_rfc3339(a, t) : NULL;
}

static const char *codes_text(struct arena *a, const json_t *list)
{
	struct buf b;
	buf_init(&b);
	size_t i;
	json_t *l;
	json_array_foreach(list, i, l) buf_printf(&b, "%s%s", i ? "," : "", json_string_value(l));
	const char *out = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

static void bind_int_or_null(struct db_stmt *st, int k, const json_t *v)
{
	if (json_is_integer(v))
		db_bind_int(st, k, json_integer_value(v));
	else
		db_bind_null(st, k);
}

static enum hm_err copy_session(struct db *db, struct arena *a, int64_t release_id,
				const json_t *s, int64_t sequence)
{
	struct db_stmt *st = db_prepare(db, sql[PR_SESSION_INSERT]);
	const char *start = utc_of(a, s, "starts_at"), *end = utc_of(a, s, "ends_at");
	if (!st || !start || !end)
		return HM_EDB;
	int k = 1;
	db_bind_int(st, k++, release_id);
	db_bind_int(st, k++, json_integer_value(json_object_get(s, "id")));
	db_bind_int(st, k++, sequence);
	db_bind_text(st, k++, web_str(s, "title"));
	db_bind_text(st, k++, web_str(s, "kind"));
	db_bind_text(st, k++, web_str(s, "track") ? web_str(s, "track") : "");
	db_bind_text(st, k++, web_str(s, "description_md") ? web_str(s, "description_md") : "");
	db_bind_text(st, k++, start);
	db_bind_text(st, k++, end);
	if (web_str(s, "room"))
		db_bind_text(st, k++, web_str(s, "room"));
	else
		db_bind_null(st, k++);
	bind_int_or_null(st, k++, json_object_get(s, "room_capacity"));
	db_bind_text(st, k++, codes_text(a, json_object_get(s, "languages")));
	db_bind_int(st, k++, json_is_true(json_object_get(s, "interpretation")));
	db_bind_text(st, k++, codes_text(a, json_object_get(s, "interpretation_languages")));
	bind_int_or_null(st, k++, json_object_get(s, "capacity"));
	db_bind_text(st, k++, web_str(s, "visibility"));
	db_bind_text(st, k++, web_str(s, "lang") ? web_str(s, "lang") : "en");
	db_bind_text(st, k++, web_str(s, "updated_at"));
	return db_run(st);
}

enum hm_err prog_release(struct db *db, const struct principal *p, const json_t *ev,
			 const char *note, int64_t now, json_t **out)
{
	struct auth_scope sc = prog_scope(ev);
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	json_t *latest = NULL, *prev = NULL, *live = NULL, *changes = NULL, *after = NULL;
	struct arena a;
	if (!auth_can(p, AUTH_PROGRAMME_EDIT, &sc))
		return HM_EFORBIDDEN;
	if (note && (strlen(note) > 2000 || !utf8_valid(note, strlen(note))))
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	arena_init(&a);
	latest = prog_release_latest(db, event_id);
	if (!latest && db_failed(db)) {
		e = HM_EDB;
		goto out;
	}
	prev = latest ? prog_release_sessions(db, json_integer_value(json_object_get(latest, "id")))
		      : json_array();
	live = prev ? prog_sessions(db, event_id) : NULL;
	if (!live) {
		e = HM_EDB;
		goto out;
	}
	changes = prog_changes(prev, live);
	if (latest && !json_array_size(changes)) {
		e = HM_ECONFLICT; /* nothing to release */
		goto out;
	}
	int64_t version = latest ? json_integer_value(json_object_get(latest, "version")) + 1 : 1;
	char *text = json_dumps(changes, JSON_COMPACT);
	struct db_stmt *st = db_prepare(db, sql[PR_INSERT]);
	if (st) {
		db_bind_int(st, 1, event_id);
		db_bind_int(st, 2, version);
		db_bind_text(st, 3, note ? note : "");
		db_bind_text(st, 4, text ? text : "[]");
		if (p->account_id)
			db_bind_int(st, 5, p->account_id);
		else
			db_bind_null(st, 5);
		db_bind_text(st, 6, time_format_rfc3339(&a, now));
		e = db_run(st);
	} else {
		e = HM_EDB;
	}
	free(text);
	if (e != HM_OK)
		goto out;
	int64_t release_id = db_last_insert_id(db);
	/* SEQUENCE: one more for each release that changed the session. */
	json_t *old = by_id(prev), *changed = json_object();
	size_t i;
	json_t *s;
	char key[24];
	json_array_foreach(changes, i, s) {
		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(json_object_get(s, "session")));
		json_object_set_new(changed, key, json_true());
	}
	json_array_foreach(live, i, s) {
		if (e != HM_OK)
			break;
		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(json_object_get(s, "id")));
		json_t *was = json_object_get(old, key);
		int64_t seq = was ? json_integer_value(json_object_get(was, "sequence")) +
					    (json_object_get(changed, key) ? 1 : 0)
				  : 0;
		e = copy_session(db, &a, release_id, s, seq);
	}
	json_decref(old);
	json_decref(changed);
	if (e != HM_OK)
		goto out;
	if (!(st = db_prepare(db, sql[PR_PEOPLE_COPY]))) {
		e = HM_EDB;
		goto out;
	}
	db_bind_int(st, 1, release_id);
	db_bind_int(st, 2, event_id);
	if ((e = db_run(st)) != HM_OK)
		goto out;
	after = json_pack("{s:I, s:s, s:O, s:s}", "version", (json_int_t)version, "note",
			  note ? note : "", "changes", changes, "released_at",
			  time_format_rfc3339(&a, now));
	if ((e = audit_record_at(db, p, "programme.release", "event", event_id, NULL, after,
				 now)) == HM_OK)
		e = db_commit(db);
	if (e == HM_OK && out) {
		*out = after;
		after = NULL;
	}
out:
	if (e != HM_OK)
		db_rollback(db);
	json_decref(latest);
	json_decref(prev);
	json_decref(live);
	json_decref(changes);
	json_decref(after);
	arena_free(&a);
	return e;
}
