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
#include "view/format_extra.h"
#include "http/server.h"
#include "view/i18n.h"
#include "view/ical.h"
#include "view/markdown.h"

#include <stdlib.h>
#include <string.h>

/* Begins the request's read transaction and finds the event of the path
 * as its readers may see it: published, or a draft for those who may
 * read its drafts. *out owned by the request. HM_OK: the transaction is
 * the caller's to end; otherwise it is ended. */
static enum hm_err public_event(struct http_req *req, struct http_res *res, json_t **out)
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

/* 1 if the asker sees the participants-only sessions of ev: its
 * organisers and its approved participants. -1 on a failed read. */
static int sees_participants_only(struct http_req *req, const json_t *ev)
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
	json_object_set_new(s, "url", json_sprintf("/events/%s/sessions/%lld", slug,
						   (long long)json_integer_value(json_object_get(s, "id"))));
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

/* Visitors share the page; anyone signed in reads their own. */
static void cache_for(struct http_req *req, struct http_res *res)
{
	if (web_principal(req)->account_id == 0 && web_principal(req)->via == AUTH_VIA_NONE)
		res->cacheable = 1;
	else
		web_private(req, res);
}

/* GET /events/{slug}/programme */
static enum hm_err page_programme(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_t *all = web_own(req, prog_sessions(req->db, json_integer_value(json_object_get(ev, "id"))));
	int more = sees_participants_only(req, ev);
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
	json_t *m = json_pack("{s:o, s:o}", "event", event_head(req, ev), "days", days);
	cache_for(req, res);
	http_res_page(res, m, "pages/programme",
		      arena_printf(&req->pool, "%s — %s", web_t(req, "Programme"), web_str(ev, "title")));
	return HM_OK;
}

/* GET /events/{slug}/sessions/{id} */
static enum hm_err page_session(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	int64_t id = site_id_param(req);
	json_t *s = id ? web_own(req, prog_session_get(req->db, id)) : NULL;
	int more = s ? sees_participants_only(req, ev) : 0;
	int seen = s && more >= 0 &&
		   json_integer_value(json_object_get(s, "event_id")) ==
			   json_integer_value(json_object_get(ev, "id")) &&
		   (more || str_eq(web_str(s, "visibility"), "public"));
	/* what other features add (the dialogue: the session's conversations) */
	e = seen ? web_features_session_page(req, s) : HM_OK;
	db_rollback(req->db);
	if (db_failed(req->db) || more < 0 || e != HM_OK)
		return HM_EDB;
	if (!seen)
		return http_fail(res, HM_ENOTFOUND, "There is no such session.");
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
	cache_for(req, res);
	http_res_page(res, m, "pages/session", web_str(s, "title"));
	return HM_OK;
}

/* "2012-11-29T09:30:00+08:00" → "20121129T093000" (the wall clock of
 * a time given in the event's zone); 0 when it is not such a time. */
static int ical_local(const char *t, char out[16])
{
	if (!t || strlen(t) < 19 || t[10] != 'T')
		return 0;
	snprintf(out, 16, "%.4s%.2s%.2sT%.2s%.2s%.2s", t, t + 5, t + 8, t + 11, t + 14, t + 17);
	return 1;
}

/* The host of base ("https://example.org:8443/x" → "example.org"). */
static const char *host_of(struct arena *a, const char *base)
{
	const char *h = strstr(base, "://");
	h = h ? h + 3 : base;
	size_t n = strcspn(h, "/:");
	return n ? arena_strndup(a, h, n) : "harmony.invalid";
}

/* GET /events/{slug}/programme.ics: the public sessions as VEVENTs whose
 * times carry the event's TZID, with that zone's VTIMEZONE, so a
 * calendar shows them at the event's hours wherever it is; each UID is
 * the session's id, stable across changes. */
static enum hm_err page_programme_ics(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_t *all = web_own(req, prog_sessions(req->db, json_integer_value(json_object_get(ev, "id"))));
	db_rollback(req->db);
	if (!all)
		return HM_EDB;
	const char *tz = web_str(ev, "timezone"), *slug = web_str(ev, "slug");
	const char *base = server_base_url(req->srv), *host = host_of(&req->pool, base);
	int64_t from = -1, to = -1;
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) {
		int64_t a = time_parse_rfc3339(web_str(s, "starts_at"));
		int64_t b = time_parse_rfc3339(web_str(s, "ends_at"));
		if (from < 0 || a < from)
			from = a;
		if (b > to)
			to = b;
	}
	if (from < 0) {
		from = time_parse_rfc3339(arena_printf(&req->pool, "%sT00:00:00Z", web_str(ev, "starts_on")));
		to = from + 86400;
	}
	struct buf *b = &res->body;
	buf_puts(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	ical_prop(b, "PRODID", "-//harmony//harmony " HM_VERSION "//EN");
	ical_prop(b, "CALSCALE", "GREGORIAN");
	ical_prop(b, "METHOD", "PUBLISH");
	ical_text(b, "X-WR-CALNAME", web_str(ev, "title"));
	ical_prop(b, "X-WR-TIMEZONE", tz);
	if (!tz_vtimezone(b, tz, from, to))
		return HM_EINTERNAL;
	json_array_foreach(all, i, s) {
		char start[16], end[16], stamp[17];
		if (!str_eq(web_str(s, "visibility"), "public") ||
		    !ical_local(web_str(s, "starts_at"), start) || !ical_local(web_str(s, "ends_at"), end))
			continue;
		if (!ical_utc(web_str(s, "updated_at"), stamp))
			strcpy(stamp, "19700101T000000Z");
		long long id = (long long)json_integer_value(json_object_get(s, "id"));
		const char *url = arena_printf(&req->pool, "%s/events/%s/sessions/%lld", base, slug, id);
		buf_puts(b, "BEGIN:VEVENT\r\n");
		ical_prop(b, "UID", arena_printf(&req->pool, "session-%lld@%s", id, host));
		ical_prop(b, "DTSTAMP", stamp);
		ical_prop(b, "LAST-MODIFIED", stamp);
		ical_prop(b, arena_printf(&req->pool, "DTSTART;TZID=%s", tz), start);
		ical_prop(b, arena_printf(&req->pool, "DTEND;TZID=%s", tz), end);
		ical_text(b, "SUMMARY", web_str(s, "title"));
		ical_text(b, "LOCATION", web_str(s, "room"));
		const char *md = web_str(s, "description_md");
		ical_text(b, "DESCRIPTION", arena_printf(&req->pool, "%s%s%s", md ? md : "",
							 md && *md ? "\n\n" : "", url));
		ical_text(b, "CATEGORIES", adm_label(req, web_str(s, "kind")));
		ical_prop(b, "URL", url);
		buf_puts(b, "END:VEVENT\r\n");
	}
	buf_puts(b, "END:VCALENDAR\r\n");
	res->content_type = "text/calendar; charset=utf-8";
	http_res_header(res, "Content-Disposition",
			arena_printf(&req->pool, "attachment; filename=\"%s-programme.ics\"", slug));
	res->cacheable = 1;
	return HM_OK;
}

enum hm_err prog_event_page(struct http_req *req, json_t *ev)
{
	/* The event's page is shared by all its readers: the link is there
	 * when the public has sessions to see. */
	json_t *all = prog_sessions(req->db, json_integer_value(json_object_get(ev, "id")));
	if (!all)
		return db_failed(req->db) ? HM_EDB : HM_OK;
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
	{GET, "/events/{slug}/programme.ics", page_programme_ics, 0},
	{GET, "/events/{slug}/sessions/{id}", page_session, 0},
	WEB_ROUTES_END,
};
