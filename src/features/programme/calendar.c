/*
 * calendar.c — the programme as iCalendar (RFC 5545): the released
 * sessions as VEVENTs whose times carry their event's TZID, with that
 * zone's VTIMEZONE, so a calendar shows them at the event's hours
 * wherever it is; each UID is the session's id (stable across changes)
 * and SEQUENCE the number of releases that changed it, so an update
 * replaces the event in a subscribed calendar instead of adding one.
 */
#include "features/programme/prog_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "http/server.h"
#include "view/i18n.h"
#include "site/site.h"
#include "view/ical.h"

#include <string.h>

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

const char *prog_site_host(struct http_req *req)
{
	return host_of(&req->pool, server_base_url(req->srv));
}

enum hm_err prog_ics(struct http_req *req, struct buf *b, const char *name, const json_t *sessions,
		     const json_t *fallback_ev)
{
	const char *base = server_base_url(req->srv), *host = host_of(&req->pool, base);
	/* one VTIMEZONE per zone, spanning the sessions in it */
	json_t *zones = json_object();
	size_t i;
	json_t *s;
	json_array_foreach(sessions, i, s) {
		const char *tz = web_str(s, "timezone");
		int64_t from = time_parse_rfc3339(web_str(s, "starts_at"));
		int64_t to = time_parse_rfc3339(web_str(s, "ends_at"));
		if (!tz || from < 0 || to < 0)
			continue;
		json_t *z = json_object_get(zones, tz);
		if (!z) {
			json_object_set_new(zones, tz, json_pack("[I, I]", (json_int_t)from, (json_int_t)to));
			continue;
		}
		if (from < json_integer_value(json_array_get(z, 0)))
			json_array_set_new(z, 0, json_integer(from));
		if (to > json_integer_value(json_array_get(z, 1)))
			json_array_set_new(z, 1, json_integer(to));
	}
	const char *ftz = fallback_ev ? web_str(fallback_ev, "timezone") : NULL;
	if (ftz && !json_object_get(zones, ftz)) {
		int64_t from = time_parse_rfc3339(
			arena_printf(&req->pool, "%sT00:00:00Z", web_str(fallback_ev, "starts_on")));
		if (from >= 0)
			json_object_set_new(zones, ftz,
					    json_pack("[I, I]", (json_int_t)from, (json_int_t)(from + 86400)));
	}
	buf_puts(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	ical_prop(b, "PRODID", "-//harmony//harmony " HM_VERSION "//EN");
	ical_prop(b, "CALSCALE", "GREGORIAN");
	ical_prop(b, "METHOD", "PUBLISH");
	ical_text(b, "X-WR-CALNAME", name);
	if (ftz)
		ical_prop(b, "X-WR-TIMEZONE", ftz);
	const char *tz;
	json_t *z;
	json_object_foreach(zones, tz, z) {
		if (!tz_vtimezone(b, tz, json_integer_value(json_array_get(z, 0)),
				  json_integer_value(json_array_get(z, 1)))) {
			json_decref(zones);
			return HM_EINTERNAL;
		}
	}
	json_decref(zones);
	json_array_foreach(sessions, i, s) {
		char start[16], end[16], stamp[17];
		tz = web_str(s, "timezone");
		if (!tz || !ical_local(web_str(s, "starts_at"), start) ||
		    !ical_local(web_str(s, "ends_at"), end))
			continue;
		if (!ical_utc(web_str(s, "updated_at"), stamp))
			strcpy(stamp, "19700101T000000Z");
		long long id = (long long)json_integer_value(json_object_get(s, "id"));
		const char *url = arena_printf(&req->pool, "%s/events/%s/sessions/%lld", base,
					       web_str(s, "event_slug"), id);
		buf_puts(b, "BEGIN:VEVENT\r\n");
		ical_prop(b, "UID", arena_printf(&req->pool, "session-%lld@%s", id, host));
		ical_prop(b, "DTSTAMP", stamp);
		ical_prop(b, "SEQUENCE",
			  arena_printf(&req->pool, "%lld",
				       (long long)json_integer_value(json_object_get(s, "sequence"))));
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
	return HM_OK;
}

/* GET /events/{slug}/programme.ics: the public sessions of the latest
 * release. */
static enum hm_err page_programme_ics(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_t *all = web_own(req, prog_published(req->db, json_integer_value(json_object_get(ev, "id")), NULL));
	db_rollback(req->db);
	if (!all)
		return HM_EDB;
	json_t *pub = web_own(req, json_array());
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) if (str_eq(web_str(s, "visibility"), "public"))
		json_array_append(pub, s);
	if ((e = prog_ics(req, &res->body, web_str(ev, "title"), pub, ev)) != HM_OK)
		return e;
	res->content_type = "text/calendar; charset=utf-8";
	http_res_header(res, "Content-Disposition",
			arena_printf(&req->pool, "attachment; filename=\"%s-programme.ics\"",
				     web_str(ev, "slug")));
	res->cacheable = 1;
	return HM_OK;
}

/* GET /events/{slug}/sessions/{id}.ics: one session of the latest
 * release, with the UID and SEQUENCE it has in the whole programme's
 * calendar; 404 when it is not released or the asker may not see it (a
 * participants-only session: its organisers and approved participants,
 * whose answer is then private). */
static enum hm_err page_session_ics(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	int64_t id = site_id_param(req), event_id = json_integer_value(json_object_get(ev, "id"));
	json_t *rel = web_own(req, prog_release_latest(req->db, event_id));
	json_t *s = id && rel ? web_own(req, prog_release_session(
						  req->db, json_integer_value(json_object_get(rel, "id")), id))
			      : NULL;
	int pub = s && str_eq(web_str(s, "visibility"), "public");
	int more = s && !pub ? prog_sees_participants_only(req, ev) : 0;
	db_rollback(req->db);
	if (db_failed(req->db) || more < 0)
		return HM_EDB;
	if (!s || json_integer_value(json_object_get(s, "event_id")) != event_id || !(pub || more))
		return http_fail(res, HM_ENOTFOUND, "The programme has no such session.");
	json_t *one = web_own(req, json_pack("[O]", s));
	if ((e = prog_ics(req, &res->body, web_str(s, "title"), one, ev)) != HM_OK)
		return e;
	res->content_type = "text/calendar; charset=utf-8";
	http_res_header(res, "Content-Disposition",
			arena_printf(&req->pool, "attachment; filename=\"%s-session-%lld.ics\"",
				     web_str(ev, "slug"), (long long)id));
	if (pub)
		res->cacheable = 1;
	else
		web_private(req, res);
	return HM_OK;
}

const struct route prog_calendar_routes[] = {
	{GET, "/events/{slug}/programme.ics", page_programme_ics, 0},
	{GET, "/events/{slug}/sessions/{id}.ics", page_session_ics, 0},
	WEB_ROUTES_END,
};
