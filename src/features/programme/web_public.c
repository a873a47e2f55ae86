/*
 * web_public.c — the programme as its readers see it: the programme of an
 * event by day, then time, with rooms (/events/{slug}/programme), a page
 * per session (/events/{slug}/sessions/{id}), both with their JSON
 * twins, and the link on the event's page (the event_page hook); other
 * features add to a session's page through the session_page hook. A
 * participants-only session is shown to the event's organisers and its
 * approved participants only; those pages are then private, the
 * visitors' shared.
 */
#include "features/programme/prog_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "features/registration/registration.h"
#include "site/site.h"
#include "site/translations.h"
#include "view/format_extra.h"
#include "http/server.h"
#include "view/i18n.h"
#include "view/ical.h"
#include "view/markdown.h"

#include <stdlib.h>
#include <string.h>

enum hm_err prog_public_event(struct http_req *req, struct http_res *res, json_t **out)
{
	*out = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *ev = web_own(req, prog_event(req->db, http_param(req, "slug")));
	enum hm_err e = HM_OK;
	if (!ev) {
		e = db_failed(req->db) ? HM_EDB
				       : http_fail(res, HM_ENOTFOUND, "There is no such event.");
	} else {
		struct auth_scope sc = prog_scope(ev);
		if (!str_eq(web_str(ev, "status"), "published") &&
		    !auth_can(web_principal(req), AUTH_DRAFT_READ, &sc))
			e = http_fail(res, HM_ENOTFOUND, "There is no such event.");
	}
	if (e != HM_OK) {
		db_rollback(req->db);
		return e;
	}
	*out = ev;
	return HM_OK;
}

int prog_sees_participants_only(struct http_req *req, const json_t *ev)
{
	const struct principal *p = web_principal(req);
	struct auth_scope sc = prog_scope(ev);
	if (auth_can(p, AUTH_PROGRAMME_EDIT, &sc))
		return 1;
	if (!p->account_id || !p->email[0])
		return 0;
	return reg_is_participant(req->db, json_integer_value(json_object_get(ev, "id")), p->email);
}

/* A session as its readers see it: the internal keys gone, its labels,
 * local times and address added. */
static void public_session(struct http_req *req, json_t *s, const char *slug)
{
	const char *start = web_str(s, "starts_at"), *end = web_str(s, "ends_at");
	prog_api_item(req, s);
	json_object_del(s, "created_at");
	json_object_del(s, "updated_at");
	json_object_del(s, "event_slug");
	web_set_str(s, "kind_label", adm_label(req, web_str(s, "kind")));
	if (start && end && strlen(start) >= 16 && strlen(end) >= 16) {
		json_object_set_new(s, "start_time", json_sprintf("%.5s", start + 11));
		json_object_set_new(s, "end_time", json_sprintf("%.5s", end + 11));
	}
	json_object_set_new(s, "is_participants_only",
			    json_boolean(str_eq(web_str(s, "visibility"), "participants-only")));
	struct buf names;
	buf_init(&names);
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(s, "languages"), i, l) {
		const char *n = fmt_language(&req->pool, json_string_value(l));
		buf_printf(&names, "%s%s", i ? ", " : "", n ? n : json_string_value(l));
	}
	web_set_str(s, "languages_text", names.len ? names.data : NULL);
	buf_free(&names);
	buf_init(&names);
	json_array_foreach(json_object_get(s, "interpretation_languages"), i, l) {
		const char *n = fmt_language(&req->pool, json_string_value(l));
		buf_printf(&names, "%s%s", i ? ", " : "", n ? n : json_string_value(l));
	}
	web_set_str(s, "interpretation_text",
		    json_is_true(json_object_get(s, "interpretation")) && names.len ? names.data : NULL);
	buf_free(&names);
	json_object_set_new(s, "url", json_sprintf("/events/%s/sessions/%lld", slug,
						   (long long)json_integer_value(json_object_get(s, "id"))));
	/* its people by role, in the order of the roles, each with their page */
	json_t *roles = json_array();
	for (const char *const *r = prog_roles; *r; r++) {
		json_t *who = json_array();
		json_array_foreach(json_object_get(s, "people"), i, l) {
			if (!str_eq(web_str(l, "role"), *r))
				continue;
			json_object_set_new(l, "url", json_sprintf("/events/%s/people/%lld", slug,
								   (long long)json_integer_value(
									   json_object_get(l, "id"))));
			json_array_append(who, l);
		}
		if (json_array_size(who))
			json_array_append_new(roles, json_pack("{s:s, s:o}", "label",
							       adm_label_n(req, *r, json_array_size(who) > 1),
							       "people", who));
		else
			json_decref(who);
	}
	json_object_set_new(s, "roles", roles);
	json_object_del(s, "sequence");
}

/* The event as the pages name it. */
static json_t *event_head(struct http_req *req, const json_t *ev)
{
	json_t *h = json_pack("{s:O, s:O, s:O, s:O, s:O}", "slug", json_object_get(ev, "slug"),
			      "title", json_object_get(ev, "title"), "timezone",
			      json_object_get(ev, "timezone"), "starts_on",
			      json_object_get(ev, "starts_on"), "ends_on",
			      json_object_get(ev, "ends_on"));
	web_set_str(h, "dates", fmt_date_range(&req->pool, req->lang, web_str(ev, "starts_on"),
					       web_str(ev, "ends_on")));
	return h;
}

/* The release a page shows: {version, released_at, released_label,
 * changes_url}, or null before the first. */
static json_t *release_head(struct http_req *req, const json_t *rel)
{
	if (!rel)
		return json_null();
	json_t *h = json_pack("{s:O, s:O}", "version", json_object_get(rel, "version"),
			      "released_at", json_object_get(rel, "released_at"));
	const char *at = web_str(rel, "released_at");
	web_set_str(h, "released_label",
		    at && strlen(at) >= 10 ? fmt_date(&req->pool, req->lang,
						      arena_printf(&req->pool, "%.10s", at), FMT_LONG)
					   : NULL);
	return h;
}

/* Visitors share the page; anyone signed in reads their own. */
static void cache_for(struct http_req *req, struct http_res *res)
{
	if (web_principal(req)->account_id == 0 && web_principal(req)->via == AUTH_VIA_NONE)
		res->cacheable = 1;
	else
		web_private(req, res);
}

/* The zone the reader asked to see the times in (?tz=, an IANA zone),
 * NULL for the event's own; *bad when it names no zone ICU knows. */
static const char *reader_zone(struct http_req *req, const json_t *ev, int *bad)
{
	const char *tz = http_query(req, "tz");
	*bad = 0;
	if (!tz || !*tz || str_eq(tz, web_str(ev, "timezone")))
		return NULL;
	if (strlen(tz) > 64 || !prog_time_in_zone(&req->pool, tz, 0)) {
		*bad = 1;
		return NULL;
	}
	return tz;
}

/* The times of s in zone tz instead of its event's. */
static void in_zone(struct http_req *req, json_t *s, const char *tz)
{
	static const char *const keys[] = {"starts_at", "ends_at"};
	for (size_t k = 0; k < HM_ARRAY_LEN(keys); k++) {
		int64_t t = time_parse_rfc3339(web_str(s, keys[k]));
		const char *z = t >= 0 ? prog_time_in_zone(&req->pool, tz, t) : NULL;
		if (z)
			web_set_str(s, keys[k], z);
	}
}

/* The model's "zone": {shown (the zone of the times on the page), event
 * (the event's), is_event, mine (the signed-in reader's own zone, when it
 * is another), url (the page in the event's zone)}. */
static json_t *zone_head(struct http_req *req, const json_t *ev, const char *tz, const char *path)
{
	const char *own = web_principal(req)->timezone;
	const char *evz = web_str(ev, "timezone");
	json_t *z = json_pack("{s:s, s:s?, s:b, s:s}", "shown", tz ? tz : evz, "event", evz, "is_event",
			      !tz, "url", path);
	if (own && *own && !str_eq(own, tz ? tz : evz))
		web_set_str(z, "mine", own);
	return z;
}

/* GET /events/{slug}/programme[?tz=Zone] */
static enum hm_err page_programme(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	int bad;
	const char *tz = reader_zone(req, ev, &bad);
	if (bad) {
		db_rollback(req->db);
		return http_fail(res, HM_EINVAL, "There is no time zone of this name.");
	}
	json_t *rel = NULL;
	json_t *all = web_own(req, prog_published(req->db, json_integer_value(json_object_get(ev, "id")), &rel));
	web_own(req, rel);
	tr_overlay_list(req, "session", prog_tr_fields, all);
	int more = prog_sees_participants_only(req, ev);
	db_rollback(req->db);
	if (!all || more < 0)
		return HM_EDB;
	const char *slug = web_str(ev, "slug");
	json_t *days = json_array(), *cur = NULL;
	const char *last = NULL;
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) {
		if (!more && !str_eq(web_str(s, "visibility"), "public"))
			continue;
		if (tz)
			in_zone(req, s, tz);
		const char *start = web_str(s, "starts_at");
		if (!start || strlen(start) < 10)
			continue;
		const char *day = arena_printf(&req->pool, "%.10s", start);
		public_session(req, s, slug);
		if (!last || strcmp(last, day) != 0) {
			cur = json_array();
			json_array_append_new(
				days, json_pack("{s:s, s:s?, s:o}", "day", day, "day_label",
						fmt_date(&req->pool, req->lang, day, FMT_LONG), "sessions",
						cur));
			last = day;
		}
		json_array_append(cur, s);
	}
	/* ?by=room: each day's sessions by room (by name; those without one
	 * last), as a venue's signs read */
	int by_room = str_eq(http_query(req, "by"), "room");
	json_t *d;
	json_array_foreach(days, i, d) {
		if (!by_room)
			break;
		json_t *rooms = json_array(), *none = json_array();
		size_t j, k;
		json_t *x, *r;
		json_array_foreach(json_object_get(d, "sessions"), j, x) {
			const char *name = web_str(x, "room");
			if (!name) {
				json_array_append(none, x);
				continue;
			}
			json_t *at = NULL;
			json_array_foreach(rooms, k, r) if (str_eq(web_str(r, "room"), name)) at = r;
			if (!at) {
				size_t pos = 0;
				json_array_foreach(rooms, k, r) if (strcmp(web_str(r, "room"), name) < 0) pos = k + 1;
				at = json_pack("{s:s, s:[]}", "room", name, "sessions");
				json_array_insert_new(rooms, pos, at);
			}
			json_array_append(json_object_get(at, "sessions"), x);
		}
		if (json_array_size(none))
			json_array_append_new(rooms, json_pack("{s:s, s:O}", "room",
							       web_t(req, "Elsewhere"), "sessions", none));
		json_decref(none);
		json_object_set_new(d, "rooms", rooms);
	}
	json_t *m = json_pack("{s:o, s:o, s:b}", "event", event_head(req, ev), "days", days,
			      "by_room", by_room);
	json_object_set_new(m, "release", release_head(req, rel));
	json_object_set_new(m, "zone", zone_head(req, ev, tz,
						 arena_printf(&req->pool, "/events/%s/programme", slug)));
	json_object_set_new(m, "views",
			    json_pack("{s:s, s:s}", "time",
				      arena_printf(&req->pool, "/events/%s/programme%s%s", slug,
						   tz ? "?tz=" : "", tz ? tz : ""),
				      "room",
				      arena_printf(&req->pool, "/events/%s/programme?by=room%s%s", slug,
						   tz ? "&tz=" : "", tz ? tz : "")));
	cache_for(req, res);
	http_res_page(res, m, "pages/programme",
		      arena_printf(&req->pool, "%s — %s", web_t(req, "Programme"), web_str(ev, "title")));
	return HM_OK;
}

/* GET /events/{slug}/sessions/{id} */
static enum hm_err page_session(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	int64_t id = site_id_param(req);
	json_t *rel = web_own(req, prog_release_latest(req->db, json_integer_value(json_object_get(ev, "id"))));
	json_t *s = id && rel ? web_own(req, prog_release_session(req->db, json_integer_value(json_object_get(rel, "id")), id)) : NULL;
	if (s)
		tr_overlay(req, "session", prog_tr_fields, s);
	int more = s ? prog_sees_participants_only(req, ev) : 0;
	int seen = s && more >= 0 &&
		   json_integer_value(json_object_get(s, "event_id")) ==
			   json_integer_value(json_object_get(ev, "id")) &&
		   (more || str_eq(web_str(s, "visibility"), "public"));
	/* what other features add (the dialogue: the session's conversations) */
	e = seen ? web_features_session_page(req, s) : HM_OK;
	if (e == HM_OK && seen) /* its places, the reader's star and place (agenda.c) */
		e = prog_agenda_session(req, s);
	db_rollback(req->db);
	if (db_failed(req->db) || more < 0 || e != HM_OK)
		return HM_EDB;
	if (!seen)
		return http_fail(res, HM_ENOTFOUND, "The programme has no such session.");
	int bad;
	const char *tz = reader_zone(req, ev, &bad);
	if (bad)
		return http_fail(res, HM_EINVAL, "There is no time zone of this name.");
	if (tz)
		in_zone(req, s, tz);
	const char *start = web_str(s, "starts_at");
	const char *day = start ? arena_printf(&req->pool, "%.10s", start) : NULL;
	const char *md = web_str(s, "description_md");
	char *html = markdown_to_html(md ? md : "", md ? strlen(md) : 0);
	json_t *t = json_deep_copy(s);
	public_session(req, t, web_str(ev, "slug"));
	json_object_set_new(t, "description_html", json_string(html ? html : ""));
	free(html);
	web_set_str(t, "day_label", day ? fmt_date(&req->pool, req->lang, day, FMT_LONG) : NULL);
	json_t *m = json_pack("{s:o, s:o}", "event", event_head(req, ev), "session", t);
	json_object_set_new(m, "zone", zone_head(req, ev, tz,
						 arena_printf(&req->pool, "/events/%s/sessions/%lld",
							      web_str(ev, "slug"), (long long)id)));
	cache_for(req, res);
	http_res_page(res, m, "pages/session", web_str(s, "title"));
	return HM_OK;
}

/* GET /events/{slug}/programme/changes: the releases, newest first, with
 * what each changed (the sessions the reader may see). */
static enum hm_err page_changes(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_t *list = web_own(req, prog_releases(req->db, json_integer_value(json_object_get(ev, "id"))));
	int more = list ? prog_sees_participants_only(req, ev) : 0;
	db_rollback(req->db);
	if (!list || more < 0)
		return HM_EDB;
	size_t i, j;
	json_t *r, *c;
	json_array_foreach(list, i, r) {
		json_object_del(r, "released_by"); /* who released it is the organisers' business */
		json_t *shown = json_array();
		json_array_foreach(json_object_get(r, "changes"), j, c) {
			if (!more && !str_eq(web_str(c, "visibility"), "public"))
				continue;
			if (!str_eq(web_str(c, "change"), "cancelled"))
				json_object_set_new(c, "url",
						    json_sprintf("/events/%s/sessions/%lld", web_str(ev, "slug"),
								 (long long)json_integer_value(
									 json_object_get(c, "session"))));
			json_object_del(c, "fields");
			json_array_append(shown, c);
		}
		prog_changes_explain(req, shown);
		json_object_set_new(r, "changes", shown);
		const char *at = web_str(r, "released_at");
		web_set_str(r, "released_label",
			    at && strlen(at) >= 10 ? fmt_date(&req->pool, req->lang,
							      arena_printf(&req->pool, "%.10s", at), FMT_LONG)
						   : NULL);
	}
	json_t *m = json_pack("{s:o, s:O}", "event", event_head(req, ev), "releases", list);
	cache_for(req, res);
	http_res_page(res, m, "pages/programme_changes",
		      arena_printf(&req->pool, "%s — %s", web_t(req, "What changed in the programme"),
				   web_str(ev, "title")));
	return HM_OK;
}

enum hm_err prog_event_page(struct http_req *req, json_t *ev)
{
	/* The event's page is shared by all its readers: the link is there
	 * when the public has sessions to see. */
	json_t *all = prog_published(req->db, json_integer_value(json_object_get(ev, "id")), NULL);
	if (!all)
		return HM_EDB;
	int n = 0;
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) n += str_eq(web_str(s, "visibility"), "public");
	json_decref(all);
	if (n)
		json_object_set_new(
			ev, "programme_box",
			json_pack("{s:o, s:s}", "url",
				  json_sprintf("/events/%s/programme", web_str(ev, "slug")), "count",
				  arena_printf(&req->pool,
					       web_nt(req, "%d session", "%d sessions", (unsigned long)n),
					       n)));
	return HM_OK;
}

const struct route prog_public_routes[] = {
	{GET, "/events/{slug}/programme", page_programme, 0},
	{GET, "/events/{slug}/programme/changes", page_changes, 0},
	{GET, "/events/{slug}/sessions/{id}", page_session, 0},
	WEB_ROUTES_END,
};
