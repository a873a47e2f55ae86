/*
 * web_admin.c — the programme for an event's organisers: its tab
 * (/admin/events/{slug}/programme: the sessions by day, the rooms), the
 * form of a new session, adding and deleting rooms, the list of the
 * programmes one may edit (/admin/sessions), the API's list of an
 * event's sessions and its routes (the session kind's among them).
 */
#include "features/programme/prog_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "features/events/events_admin.h"
#include "site/confirm.h"
#include "site/site.h"
#include "site/translations.h"
#include "view/i18n.h"

#include <string.h>

enum hm_err prog_web_event(struct http_req *req, struct http_res *res, json_t **out)
{
	*out = NULL;
	res->no_store = 1;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *ev = prog_event(req->db, http_param(req, "slug"));
	db_rollback(req->db);
	if (!ev)
		return db_failed(req->db) ? HM_EDB
					  : http_fail(res, HM_ENOTFOUND, "There is no such event.");
	web_own(req, ev);
	struct auth_scope sc = prog_scope(ev);
	if (!str_eq(json_string_value(json_object_get(ev, "status")), "published") &&
	    !auth_can(web_principal(req), AUTH_DRAFT_READ, &sc))
		return http_fail(res, HM_ENOTFOUND, "There is no such event.");
	enum hm_err e = web_require(req, res, AUTH_PROGRAMME_EDIT, &sc);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	*out = ev;
	return HM_OK;
}

enum hm_err prog_web_event_read(struct http_req *req, struct http_res *res, json_t **ev,
				json_t *(*read)(struct db *db, int64_t event_id), json_t **out)
{
	*out = NULL;
	enum hm_err e = prog_web_event(req, res, ev);
	if (e != HM_OK)
		return e;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	*out = read(req->db, json_integer_value(json_object_get(*ev, "id")));
	db_rollback(req->db);
	return *out ? HM_OK : HM_EDB;
}

/* The sessions grouped by the day (in the event's zone) they start on:
 * [{day, day_label, sessions: […]}…], each session with its local times. */
static json_t *by_day(struct http_req *req, json_t *sessions)
{
	json_t *days = json_array(), *cur = NULL;
	const char *last = NULL;
	size_t i;
	json_t *s;
	json_array_foreach(sessions, i, s) {
		const char *start = web_str(s, "starts_at"), *end = web_str(s, "ends_at");
		if (!start || !end || strlen(start) < 16 || strlen(end) < 16)
			continue;
		const char *day = arena_printf(&req->pool, "%.10s", start);
		json_object_set_new(s, "start_time", json_sprintf("%.5s", start + 11));
		json_object_set_new(s, "end_time", json_sprintf("%.5s", end + 11));
		web_set_str(s, "kind_label", adm_label(req, web_str(s, "kind")));
		json_object_set_new(s, "is_participants_only",
				    json_boolean(str_eq(web_str(s, "visibility"),
							"participants-only")));
		if (!last || strcmp(last, day) != 0) {
			cur = json_array();
			json_array_append_new(
				days, json_pack("{s:s, s:s?, s:o}", "day", day, "day_label",
						fmt_date(&req->pool, req->lang, day, FMT_LONG),
						"sessions", cur));
			last = day;
		}
		json_array_append(cur, s);
	}
	return days;
}

void prog_changes_explain(struct http_req *req, json_t *changes)
{
	static const struct {
		const char *key, *msgid;
	} labels[] = {
		{"added", N_("Added")},
		{"moved", N_("Moved")},
		{"updated", N_("Changed")},
		{"cancelled", N_("Cancelled")},
	};
	size_t i;
	json_t *c;
	json_array_foreach(changes, i, c) {
		for (size_t k = 0; k < HM_ARRAY_LEN(labels); k++)
			if (str_eq(web_str(c, "change"), labels[k].key))
				web_set_str(c, "change_label", web_t(req, labels[k].msgid));
		json_object_set_new(c, "is_cancelled", json_boolean(str_eq(web_str(c, "change"), "cancelled")));
		const char *st = web_str(c, "starts_at");
		if (st && strlen(st) >= 16)
			web_set_str(c, "when", arena_printf(&req->pool, "%s %.5s",
							  fmt_date(&req->pool, req->lang,
								   arena_printf(&req->pool, "%.10s", st),
								   FMT_SHORT),
							  st + 11));
		json_t *was = json_object_get(c, "was");
		const char *ws = was ? web_str(was, "starts_at") : NULL;
		if (ws && strlen(ws) >= 16)
			web_set_str(was, "when", arena_printf(&req->pool, "%s %.5s",
							    fmt_date(&req->pool, req->lang,
								     arena_printf(&req->pool, "%.10s", ws),
								     FMT_SHORT),
							    ws + 11));
	}
}

/* The model of the programme tab: the sessions by day, with their
 * conflicts; the conflicts; what a release would publish and the
 * releases so far; the rooms; form: the room form. */
static enum hm_err tab_model(struct http_req *req, json_t *ev, json_t *form, json_t **out)
{
	int64_t id = json_integer_value(json_object_get(ev, "id"));
	*out = NULL;
	if (web_read_begin(req) != HM_OK) {
		json_decref(form);
		return HM_EDB;
	}
	json_t *sessions = web_own(req, prog_sessions(req->db, id));
	json_t *rooms = web_own(req, prog_rooms(req->db, id));
	json_t *signups = web_own(req, prog_signup_counts(req->db, id));
	json_t *pending = web_own(req, prog_pending(req->db, id));
	json_t *releases = web_own(req, prog_releases(req->db, id));
	json_t *people = web_own(req, prog_people(req->db, id));
	db_rollback(req->db);
	if (!sessions || !rooms || !signups || !pending || !releases || !people) {
		json_decref(form);
		return HM_EDB;
	}
	json_t *conflicts = web_own(req, prog_conflicts_of(ev, sessions, signups));
	prog_conflicts_explain(req, conflicts, sessions);
	size_t i;
	json_t *s;
	json_array_foreach(sessions, i, s) {
		json_t *mine = prog_conflicts_for(conflicts, json_integer_value(json_object_get(s, "id")));
		json_object_set_new(s, "conflict_count", json_integer((json_int_t)json_array_size(mine)));
		json_decref(mine);
	}
	prog_changes_explain(req, pending);
	json_array_foreach(releases, i, s) {
		prog_changes_explain(req, json_object_get(s, "changes"));
		const char *at = web_str(s, "released_at");
		web_set_str(s, "released_label",
			    at && strlen(at) >= 10
				    ? fmt_date(&req->pool, req->lang, arena_printf(&req->pool, "%.10s", at),
					       FMT_LONG)
				    : NULL);
	}
	json_t *m = json_object();
	json_object_set_new(m, "days", by_day(req, sessions));
	json_object_set(m, "rooms", rooms);
	json_object_set(m, "conflicts", conflicts);
	json_object_set(m, "pending", pending);
	json_object_set_new(m, "pending_text",
			    json_string(arena_printf(&req->pool,
						     web_nt(req, "%zu change not yet released.",
							    "%zu changes not yet released.",
							    (unsigned long)json_array_size(pending)),
						     json_array_size(pending))));
	json_object_set(m, "releases", releases);
	json_object_set_new(m, "people_count", json_integer((json_int_t)json_array_size(people)));
	json_object_set(m, "event", ev);
	json_object_set_new(m, "tabs", adm_event_tabs(req, ev, "programme"));
	json_object_set_new(m, "zone", json_string(web_str(ev, "timezone")));
	json_object_set_new(m, "form", form);
	*out = m;
	return HM_OK;
}

/* GET /admin/events/{slug}/programme */
static enum hm_err page_programme(struct http_req *req, struct http_res *res)
{
	json_t *ev, *m;
	enum hm_err e = prog_web_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	if ((e = tab_model(req, ev, adm_empty_form(), &m)) != HM_OK)
		return e;
	return adm_page(req, res, m, "admin/programme", web_t(req, "Programme"), "events");
}

/* GET /admin/events/{slug}/sessions/new */
static enum hm_err page_session_new(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_web_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_t *fj = adm_empty_form();
	json_object_set_new(json_object_get(fj, "values"), "kind", json_string("panel"));
	json_object_set_new(json_object_get(fj, "values"), "visibility", json_string("public"));
	return session_kind.form_page(req, res, NULL, fj);
}

/* The room of ev named name as the API gives it: 201 {id, name,
 * capacity, sessions}. */
static enum hm_err api_room_answer(struct http_req *req, struct http_res *res, const json_t *ev,
				   const char *name)
{
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *rooms = prog_rooms(req->db, json_integer_value(json_object_get(ev, "id")));
	db_rollback(req->db);
	if (!rooms)
		return HM_EDB;
	json_t *room = NULL;
	size_t i;
	json_t *r;
	json_array_foreach(rooms, i, r) if (str_eq(web_str(r, "name"), name)) room = json_incref(r);
	json_decref(rooms);
	if (!room)
		return HM_EDB;
	http_res_header(res, "Location",
			arena_printf(&req->pool, "/api/v1/events/%s/rooms", web_str(ev, "slug")));
	return adm_api_answer(res, 201, room);
}

/* GET /api/v1/events/{slug}/rooms: {rooms: [{id, name, capacity,
 * sessions}…]}, for its organisers. */
static enum hm_err api_rooms(struct http_req *req, struct http_res *res)
{
	json_t *ev, *rooms;
	enum hm_err e = prog_web_event_read(req, res, &ev, prog_rooms, &rooms);
	if (e != HM_OK)
		return e;
	return adm_api_answer(res, 200, json_pack("{s:o}", "rooms", rooms));
}

/* POST /admin/events/{slug}/rooms: a room added, or the tab again with
 * the error. */
static enum hm_err post_room(struct http_req *req, struct http_res *res)
{
	static const struct field fields[] = {
		{.name = "name", .kind = FIELD_TEXT, .required = 1, .max_len = 100, .label = N_("Name")},
		{.name = "capacity", .kind = FIELD_INT, .min = 0, .max = 1000000, .label = N_("Capacity")},
	};
	struct field_errors errs = {0};
	struct form f;
	json_t *ev;
	enum hm_err e = prog_web_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	e = form_read(req, fields, HM_ARRAY_LEN(fields), &f);
	if (e == HM_OK)
		e = prog_room_add(req->db, web_principal(req), ev, form_get(&f, "name"),
				  form_get(&f, "capacity"), time_now_s(), &errs);
	if (e == HM_OK) {
		if (req->want_json)
			return api_room_answer(req, res, ev, form_get(&f, "name"));
		return web_redirect(req, res,
				    arena_printf(&req->pool, "/admin/events/%s/programme?done=saved",
						 web_str(ev, "slug")));
	}
	if (e != HM_EINVAL && e != HM_EEXIST)
		return adm_domain_fail(res, e);
	for (int i = 0; i < errs.n; i++)
		form_set_error(req, &f, errs.items[i].field, errs.items[i].msgid);
	json_t *fj = form_json(&f);
	int status = e == HM_EEXIST ? 409 : 400;
	if (req->want_json) {
		res->status = status;
		return adm_api_answer(res, status, fj);
	}
	json_t *m;
	if ((e = tab_model(req, ev, fj, &m)) != HM_OK)
		return e;
	res->status = status;
	return adm_page(req, res, m, "admin/programme", web_t(req, "Programme"), "events");
}

/* POST /admin/events/{slug}/rooms/{id}/delete (asks first) */
static enum hm_err post_room_delete(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_web_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	const char *back = arena_printf(&req->pool, "/admin/events/%s/programme", web_str(ev, "slug"));
	if (!req->want_json && !web_confirmed(req)) {
		struct confirm c = {
			.question = web_t(req, "Delete this room?"),
			.yes = web_t(req, "Yes, delete it"),
			.back = back,
			.admin = "events",
		};
		return web_confirm_page(req, res, &c);
	}
	e = prog_room_delete(req->db, web_principal(req), ev, site_id_param(req), time_now_s());
	if (e == HM_ECONFLICT)
		return http_fail(res, e, "Sessions take place in this room: move them first.");
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "This event has no such room.");
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	if (req->want_json)
		return adm_api_answer(res, 200, json_pack("{s:b}", "deleted", 1));
	return web_redirect(req, res, arena_printf(&req->pool, "%s?done=deleted", back));
}

/* GET /admin/sessions: the programmes p may edit (where a deletion lands). */
static enum hm_err page_sessions(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	struct db_stmt *st = prog_prep(req->db, PSQL_EDITABLE_EVENTS);
	json_t *rows = st ? db_rows_json(st) : NULL;
	db_rollback(req->db);
	if (!rows)
		return HM_EDB;
	json_t *events = json_array();
	size_t i;
	json_t *ev;
	json_array_foreach(rows, i, ev) {
		struct auth_scope sc = prog_scope(ev);
		if (!auth_can(p, AUTH_PROGRAMME_EDIT, &sc))
			continue;
		adm_decorate_status(req, ev);
		web_set_str(ev, "sessions_text",
			    arena_printf(&req->pool,
					 web_nt(req, "%lld session", "%lld sessions",
						(unsigned long)json_integer_value(
							json_object_get(ev, "sessions"))),
					 (long long)json_integer_value(json_object_get(ev, "sessions"))));
		json_array_append(events, ev);
	}
	json_decref(rows);
	json_t *m = json_pack("{s:o}", "events", events);
	return adm_page(req, res, m, "admin/programmes", web_t(req, "Programmes"), "events");
}

/* GET /api/v1/events/{slug}/sessions: {event, timezone, sessions}: for
 * those who may edit the programme, every session as it stands, with its
 * conflicts; for everyone else the public (and, for its participants,
 * participants-only) sessions of the latest release, with its "version"
 * (null before the first). */
static enum hm_err api_sessions(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *ev = web_own(req, prog_event(req->db, http_param(req, "slug")));
	struct auth_scope sc = prog_scope(ev);
	int editor = ev && auth_can(p, AUTH_PROGRAMME_EDIT, &sc);
	int64_t eid = json_integer_value(json_object_get(ev, "id"));
	json_t *rel = NULL, *signups = NULL, *all = NULL;
	if (ev && editor) {
		all = web_own(req, prog_sessions(req->db, eid));
		signups = web_own(req, all ? prog_signup_counts(req->db, eid) : NULL);
	} else if (ev) {
		all = web_own(req, prog_published(req->db, eid, &rel));
		web_own(req, rel);
	}
	int more = ev && !editor ? prog_sees_participants_only(req, ev) : 1;
	db_rollback(req->db);
	if (db_failed(req->db) || more < 0)
		return HM_EDB;
	if (!ev || (!str_eq(web_str(ev, "status"), "published") &&
		    !auth_can(p, AUTH_DRAFT_READ, &sc)))
		return http_fail(res, HM_ENOTFOUND, "There is no such event.");
	json_t *conflicts = editor && signups ? web_own(req, prog_conflicts_of(ev, all, signups)) : NULL;
	if (conflicts)
		prog_conflicts_explain(req, conflicts, all);
	json_t *out = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) {
		if (!editor && !more && !str_eq(web_str(s, "visibility"), "public"))
			continue;
		if (editor)
			json_object_set_new(s, "conflicts",
					    prog_conflicts_for(conflicts, json_integer_value(
										  json_object_get(s, "id"))));
		prog_api_item(req, s);
		json_array_append(out, s);
	}
	adm_api_cache(req, res);
	json_t *m = json_pack("{s:s, s:s, s:o}", "event", web_str(ev, "slug"), "timezone",
			      web_str(ev, "timezone"), "sessions", out);
	if (!editor)
		json_object_set(m, "version", rel ? json_object_get(rel, "version") : json_null());
	return adm_api_answer(res, 200, m);
}

/* GET /api/v1/events/{slug}/programme/conflicts: {event, conflicts:
 * [{type, sessions, message, named, …}…]}, for its organisers. */
static enum hm_err api_conflicts(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_web_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *sessions = NULL;
	json_t *c = prog_conflicts(req->db, ev, &sessions);
	web_own(req, sessions);
	db_rollback(req->db);
	if (!c)
		return HM_EDB;
	prog_conflicts_explain(req, c, sessions);
	return adm_api_answer(res, 200, json_pack("{s:s, s:o}", "event", web_str(ev, "slug"),
						  "conflicts", c));
}

/* GET /api/v1/events/{slug}/programme/releases: {event, releases:
 * [{version, note, changes, released_at, released_by}…] newest first,
 * pending: what a release now would publish}, for its organisers. */
static enum hm_err api_releases(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_web_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	int64_t id = json_integer_value(json_object_get(ev, "id"));
	json_t *list = prog_releases(req->db, id);
	json_t *pending = list ? prog_pending(req->db, id) : NULL;
	db_rollback(req->db);
	if (!list || !pending) {
		json_decref(list);
		json_decref(pending);
		return HM_EDB;
	}
	return adm_api_answer(res, 200, json_pack("{s:s, s:o, s:o}", "event", web_str(ev, "slug"),
						  "releases", list, "pending", pending));
}

/* POST /admin/events/{slug}/programme/releases and the API's: releases
 * the programme as it stands with a note for the changelog; 201 {version,
 * note, changes, released_at}, or back to the tab. */
static enum hm_err post_release(struct http_req *req, struct http_res *res)
{
	static const struct field fields[] = {
		{.name = "note", .kind = FIELD_MULTILINE, .max_len = 2000, .label = N_("Note")},
	};
	struct form f;
	json_t *ev, *out = NULL;
	enum hm_err e = prog_web_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	if (form_read(req, fields, HM_ARRAY_LEN(fields), &f) != HM_OK)
		return http_fail(res, HM_EINVAL,
				 f.error ? f.error : "The note is at most 2,000 characters.");
	e = prog_release(req->db, web_principal(req), ev, form_get(&f, "note"), time_now_s(), &out);
	if (e == HM_ECONFLICT)
		return http_fail(res, e, "Nothing has changed since the latest release.");
	if (e == HM_EEXIST)
		return http_fail(res, HM_ECONFLICT,
				 "Someone else released the programme at the same moment. Look at the "
				 "latest release, then try again.");
	if (e == HM_EINVAL)
		return http_fail(res, e, "The note is at most 2,000 characters.");
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	if (req->want_json) {
		http_res_header(res, "Location",
				arena_printf(&req->pool, "/api/v1/events/%s/programme/releases",
					     web_str(ev, "slug")));
		return adm_api_answer(res, 201, out);
	}
	json_decref(out);
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/events/%s/programme?done=released",
					 web_str(ev, "slug")));
}

/* GET /api/v1/sessions/{id}: the session as stored, with its conflicts,
 * for those who may edit the programme; for everyone else the copy of
 * the latest release (404 before it is released). */
static enum hm_err api_session(struct http_req *req, struct http_res *res)
{
	int64_t id = site_id_param(req);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *live = id ? web_own(req, prog_session_get(req->db, id)) : NULL;
	struct auth_scope sc = prog_scope(live);
	if (live && auth_can(web_principal(req), AUTH_PROGRAMME_EDIT, &sc)) {
		db_rollback(req->db);
		return adm_api_get(req, res, &session_kind, NULL);
	}
	json_t *rel = live ? web_own(req, prog_release_latest(req->db, sc.event_id)) : NULL;
	json_t *s = rel ? web_own(req, prog_release_session(req->db, json_integer_value(
									 json_object_get(rel, "id")),
							    id))
			: NULL;
	json_t *ev = json_pack("{s:I, s:I}", "id", (json_int_t)sc.event_id, "series_id",
			       (json_int_t)sc.series_id);
	web_own(req, ev);
	int more = s && !str_eq(web_str(s, "visibility"), "public")
			   ? prog_sees_participants_only(req, ev)
			   : 0;
	db_rollback(req->db);
	if (db_failed(req->db) || more < 0)
		return HM_EDB;
	if (!s || (!str_eq(web_str(s, "visibility"), "public") && !more) ||
	    (!str_eq(web_str(s, "event_status"), "published") &&
	     !auth_can(web_principal(req), AUTH_DRAFT_READ, &sc)))
		return http_fail(res, HM_ENOTFOUND, "The programme has no such session.");
	json_t *out = json_deep_copy(s);
	prog_api_item(req, out);
	adm_api_cache(req, res);
	return adm_api_answer(res, 200, out);
}

/* POST /admin/sessions/{id}/copy and the API's: a new session like this
 * one (its people too), in the same event, for the organiser to move; to
 * its edit page, or 201 with it. */
static enum hm_err post_session_copy(struct http_req *req, struct http_res *res)
{
	struct field_errors errs = {0};
	json_t *t, *out = NULL;
	enum hm_err e = adm_for_edit(req, res, &session_kind, &t);
	if (e != HM_OK)
		return e;
	web_own(req, t);
	static const char *const keys[] = {"title",	     "kind",	   "track",
					   "description_md", "starts_at",  "ends_at",
					   "room",	     "capacity",   "visibility",
					   "languages",	     "interpretation", "interpretation_languages",
					   "event_slug"};
	json_t *in = web_own(req, json_object());
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(t, keys[i]);
		if (v)
			json_object_set(in, keys[i], v);
	}
	json_t *people = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(t, "people"), i, p)
		json_array_append_new(people, json_pack("{s:O, s:O}", "person", json_object_get(p, "id"),
							"role", json_object_get(p, "role")));
	json_object_set_new(in, "people", people);
	e = kind_save(&session_kind, req->db, web_principal(req), NULL, in, time_now_s(), &out, &errs);
	if (e == HM_EINVAL)
		return http_fail(res, e, errs.n ? errs.items[0].msgid : "This cannot be done in its present state.");
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	long long id = (long long)json_integer_value(json_object_get(out, "id"));
	if (req->want_json) {
		session_kind.api_item(req, out);
		http_res_header(res, "Location", arena_printf(&req->pool, "/api/v1/sessions/%lld", id));
		return adm_api_answer(res, 201, out);
	}
	json_decref(out);
	return web_redirect(req, res, arena_printf(&req->pool, "/admin/sessions/%lld/edit?done=copied", id));
}

/* POST /admin/sessions/{id} and the API's PATCH: the kind's save; a
 * PATCH takes JSON only. */
static enum hm_err session_save_h(struct http_req *req, struct http_res *res)
{
	const char *ct = req->content_type ? req->content_type : "";
	if (req->method == HTTP_PATCH && strncasecmp(ct, "application/json", 16) != 0)
		return http_fail(res, HM_EINVAL, "PATCH takes a JSON object of the fields to change.");
	return adm_save(req, res, &session_kind);
}

const struct route prog_admin_routes[] = {
	{GET, "/admin/sessions", page_sessions, WEB_STAFF},
	{GET, "/admin/events/{slug}/programme", page_programme, WEB_PRIVATE},
	{GET, "/admin/events/{slug}/sessions/new", page_session_new, WEB_PRIVATE},
	{POST, "/admin/events/{slug}/sessions", session_save_h, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/rooms", post_room, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/rooms/{id}/delete", post_room_delete, WEB_PRIVATE | WEB_CSRF},
	{GET, "/admin/sessions/{id}/edit", adm_h_edit, WEB_PRIVATE, &session_kind},
	{POST, "/admin/sessions/{id}", session_save_h, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/sessions/{id}/delete", adm_h_delete, WEB_PRIVATE | WEB_CSRF, &session_kind},
	{POST, "/admin/sessions/{id}/copy", post_session_copy, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/programme/releases", post_release, WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/events/{slug}/programme/conflicts", api_conflicts, WEB_JSON | WEB_PRIVATE},
	{GET, "/api/v1/events/{slug}/programme/releases", api_releases, WEB_JSON | WEB_PRIVATE},
	{POST, "/api/v1/events/{slug}/programme/releases", post_release,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	TR_ROUTES("/admin/sessions", "/api/v1/sessions", "{id}", &session_kind),
	{GET, "/api/v1/events/{slug}/rooms", api_rooms, WEB_JSON | WEB_PRIVATE},
	{POST, "/api/v1/events/{slug}/rooms", post_room, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/events/{slug}/rooms/{id}", post_room_delete,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/events/{slug}/sessions", api_sessions, WEB_JSON},
	{POST, "/api/v1/events/{slug}/sessions", session_save_h, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/sessions/{id}", api_session, WEB_JSON},
	{PATCH, "/api/v1/sessions/{id}", session_save_h, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{POST, "/api/v1/sessions/{id}/copy", post_session_copy, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/sessions/{id}", adm_h_delete, WEB_JSON | WEB_PRIVATE | WEB_CSRF,
	 &session_kind},
	WEB_ROUTES_END,
};
