/*
 * public.c — the public pages of events: the list of events, an event (with
 * what other features add to it), a series, an organisation, and what
 * events add to the home page. Each handler checks its parameters, reads
 * in one transaction (a page never mixes two states of the data) and names
 * its template.
 */
#include "features/events/events_web.h"

#include "db/db.h"
#include "features/events/events.h"
#include "site/feature.h"
#include "site/kind.h"
#include "http/server.h"
#include "site/old_address.h"
#include "site/translations.h"
#include "view/ical.h"

#include <string.h>

static enum hm_err page_events(struct http_req *req, struct http_res *res)
{
	json_t *m = json_object();
	if (web_read_begin(req) != HM_OK) {
		json_decref(m);
		return HM_EDB;
	}
	json_t *up = event_list(req->db, 1, web_today(req), 100);
	json_t *past = event_list(req->db, 0, web_today(req), 100);
	events_decorate_list(req, up);
	events_decorate_list(req, past);
	json_object_set_new(m, "upcoming", up);
	json_object_set_new(m, "past", past);
	db_rollback(req->db);
	res->cacheable = 1;
	http_res_page(res, m, "pages/events", web_t(req, "Events"));
	return HM_OK;
}

/* The page of a thing not found at slug: a 301 to where it is now when
 * slug was its address, else the 404 with missing. */
static enum hm_err moved_or_missing_to(struct http_req *req, struct http_res *res,
				       enum events_moved which, const char *prefix,
				       const char *suffix, const char *missing)
{
	json_t *to = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	to = events_moved(req->db, which, http_param(req, "slug"));
	db_rollback(req->db);
	web_own(req, to);
	if (!to)
		return http_fail(res, HM_ENOTFOUND, missing);
	return web_moved(req, res, arena_printf(&req->pool, "%s/%s%s", prefix, json_string_value(to),
						suffix));
}

static enum hm_err moved_or_missing(struct http_req *req, struct http_res *res,
				    enum events_moved which, const char *prefix, const char *missing)
{
	return moved_or_missing_to(req, res, which, prefix, "", missing);
}

static enum hm_err page_series(struct http_req *req, struct http_res *res)
{
	json_t *s = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	s = series_get(req->db, http_param(req, "slug"));
	if (s) {
		tr_overlay(req, "series", series_tr_fields, s);
		events_decorate_list(req, json_object_get(s, "events"));
	}
	db_rollback(req->db);
	if (!s)
		return moved_or_missing(req, res, EVENTS_MOVED_SERIES, "/series",
					N_("There is no such series."));
	/* regions[].events share the event objects, decorated above. */
	json_object_set_new(s, "url", json_sprintf("/series/%s", http_param(req, "slug")));
	web_set_str(s, "edit_url", kind_edit_url(req, &series_kind, http_param(req, "slug")));
	res->cacheable = 1;
	http_res_page(res, s, "pages/series", json_string_value(json_object_get(s, "title")));
	return HM_OK;
}

static enum hm_err page_event(struct http_req *req, struct http_res *res)
{
	json_t *ev = NULL;
	enum hm_err e = HM_OK;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	ev = event_get(req->db, http_param(req, "slug"));
	if (ev)
		e = web_features_event_page(req, ev);
	if (ev && e == HM_OK)
		events_decorate(req, ev); /* its texts in the reader's language, read here */
	db_rollback(req->db);
	if (e != HM_OK) {
		json_decref(ev);
		return e;
	}
	if (!ev)
		return moved_or_missing(req, res, EVENTS_MOVED_EVENT, "/events",
					N_("There is no such event."));
	web_set_str(ev, "edit_url", kind_edit_url(req, &event_kind, http_param(req, "slug")));
	res->cacheable = 1;
	http_res_page(res, ev, "pages/event", json_string_value(json_object_get(ev, "title")));
	return HM_OK;
}

/* The host of the site's base URL, for UIDs: "consult.example.org". */
/* The host of a site's address ("harmony.example"), for UIDs. */
static const char *host_of(struct arena *a, const char *base)
{
	const char *h = strstr(base, "://");
	h = h ? h + 3 : base;
	size_t n = strcspn(h, "/:");
	return n ? arena_strndup(a, h, n) : "harmony.invalid";
}

/* An event as one iCalendar VEVENT. harmony keeps an event's dates as
 * calendar dates in the event's own time zone, so the event is an all-day
 * one (VALUE=DATE, DTEND the day after the last, exclusive) on those
 * dates, which is what its zone means; a calendar shows it on those days
 * wherever the reader is. Its UID is its id (stable across changes of
 * address); a cancelled event says STATUS:CANCELLED so calendars that
 * have it strike it out. */
int events_ical(struct buf *b, struct arena *a, const json_t *ev, const char *base,
		const char *country_name)
{
	char start[9], end[9], stamp[17];
	if (str_eq(web_str(ev, "date_precision"), "month") ||
	    !ical_date(web_str(ev, "starts_on"), 0, start) ||
	    !ical_date(web_str(ev, "ends_on"), 1, end))
		return 0;
	if (!ical_utc(web_str(ev, "updated_at"), stamp))
		strcpy(stamp, "19700101T000000Z");
	const char *slug = web_str(ev, "slug");
	buf_puts(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	ical_prop(b, "PRODID", "-//harmony//harmony " HM_VERSION "//EN");
	ical_prop(b, "CALSCALE", "GREGORIAN");
	ical_prop(b, "METHOD", "PUBLISH");
	buf_puts(b, "BEGIN:VEVENT\r\n");
	ical_prop(b, "UID", arena_printf(a, "event-%lld@%s",
					  (long long)json_integer_value(json_object_get(ev, "id")),
					  host_of(a, base)));
	ical_prop(b, "DTSTAMP", stamp);
	ical_prop(b, "LAST-MODIFIED", stamp);
	ical_prop(b, "DTSTART;VALUE=DATE", start);
	ical_prop(b, "DTEND;VALUE=DATE", end);
	ical_text(b, "SUMMARY", web_str(ev, "title"));
	const char *city = web_str(ev, "city"), *venue = web_str(ev, "venue");
	struct buf where;
	buf_init(&where);
	if (venue && *venue)
		buf_puts(&where, venue);
	if (city && *city)
		buf_printf(&where, "%s%s", where.len ? ", " : "", city);
	if (country_name && *country_name)
		buf_printf(&where, "%s%s", where.len ? ", " : "", country_name);
	buf_putc(&where, '\0');
	ical_text(b, "LOCATION", where.data);
	buf_free(&where);
	const char *url = arena_printf(a, "%s/events/%s", base, slug);
	const char *summary = web_str(ev, "summary");
	ical_text(b, "DESCRIPTION", arena_printf(a, "%s%s%s", summary ? summary : "",
						 summary && *summary ? "\n\n" : "", url));
	ical_prop(b, "URL", url);
	ical_prop(b, "STATUS", str_eq(web_str(ev, "status"), "cancelled") ? "CANCELLED"
									   : "CONFIRMED");
	ical_prop(b, "TRANSP", "TRANSPARENT");
	buf_puts(b, "END:VEVENT\r\nEND:VCALENDAR\r\n");
	return 1;
}

/* /events/{slug}/calendar.ics: the event for "Add to calendar"; an event
 * whose exact dates are not known (month precision) has none. */
static enum hm_err page_event_ics(struct http_req *req, struct http_res *res)
{
	json_t *ev = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	ev = event_get(req->db, http_param(req, "slug"));
	db_rollback(req->db);
	if (!ev)
		return moved_or_missing_to(req, res, EVENTS_MOVED_EVENT, "/events", "/calendar.ics",
					   N_("There is no such event."));
	web_own(req, ev);
	events_decorate(req, ev);
	if (!events_ical(&res->body, &req->pool, ev, server_base_url(req->srv),
			 web_str(ev, "country_name")))
		return http_fail(res, HM_ENOTFOUND,
				 "The exact dates of this event are not known yet.");
	res->content_type = "text/calendar; charset=utf-8";
	http_res_header(res, "Content-Disposition",
			arena_printf(&req->pool, "attachment; filename=\"%s.ics\"",
				     web_str(ev, "slug")));
	res->cacheable = 1;
	return HM_OK;
}

static enum hm_err page_org(struct http_req *req, struct http_res *res)
{
	json_t *o = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	o = org_get(req->db, http_param(req, "slug"));
	if (o) {
		events_decorate_org(req, o);
		events_decorate_list(req, json_object_get(o, "events"));
	}
	db_rollback(req->db);
	if (!o)
		return moved_or_missing(req, res, EVENTS_MOVED_ORG, "/organisations",
					N_("There is no such organisation."));
	web_set_str(o, "edit_url", kind_edit_url(req, &org_kind, http_param(req, "slug")));
	res->cacheable = 1;
	http_res_page(res, o, "pages/organisation", json_string_value(json_object_get(o, "name")));
	return HM_OK;
}

/* How many events, as the index pages say it. */
static void set_events_text(struct http_req *req, json_t *o)
{
	json_int_t n = json_integer_value(json_object_get(o, "events"));
	web_set_str(o, "events_text",
		    arena_printf(&req->pool, web_nt(req, "%lld event", "%lld events", (unsigned long)n),
				 (long long)n));
}

/* /series: every published series, with its organiser and its years. */
static enum hm_err page_series_index(struct http_req *req, struct http_res *res)
{
	json_t *list = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	list = series_index(req->db);
	db_rollback(req->db);
	if (!list)
		return HM_EDB;
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s) {
		json_object_set_new(s, "url", json_sprintf("/series/%s", web_str(s, "slug")));
		const char *org = web_str(s, "organiser_slug");
		web_set_str(s, "organiser_url",
			    org ? arena_printf(&req->pool, "/organisations/%s", org) : NULL);
		const char *from = web_str(s, "first_starts_on"), *to = web_str(s, "last_ends_on");
		const char *years = NULL;
		if (from && to && strlen(from) >= 4 && strlen(to) >= 4)
			years = strncmp(from, to, 4) == 0
					? arena_strndup(&req->pool, from, 4)
					: arena_printf(&req->pool, "%.4s–%.4s", from, to);
		web_set_str(s, "years", years);
		set_events_text(req, s);
	}
	res->cacheable = 1;
	http_res_page(res, json_pack("{s:o}", "series", list), "pages/series_index",
		      web_t(req, "Series"));
	return HM_OK;
}

/* /organisations: every organisation, by name, with how many events the
 * public may see it in. */
static enum hm_err page_org_index(struct http_req *req, struct http_res *res)
{
	json_t *list = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	list = org_index(req->db);
	db_rollback(req->db);
	if (!list)
		return HM_EDB;
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o) {
		events_decorate_org(req, o);
		json_object_del(o, "role_label");
		set_events_text(req, o);
	}
	res->cacheable = 1;
	http_res_page(res, json_pack("{s:o}", "organisations", list), "pages/organisations",
		      web_t(req, "Organisations"));
	return HM_OK;
}

/* GET /admin/events/{slug}/preview and /admin/series/{slug}/preview: the
 * public page of one its organisers may edit, in any status (a draft
 * before it is published), marked as a preview and never cached. */
static enum hm_err page_event_preview(struct http_req *req, struct http_res *res)
{
	json_t *t = NULL, *ev = NULL;
	enum hm_err e = adm_for_edit(req, res, &event_kind, &t);
	if (e != HM_OK)
		return e;
	json_decref(t);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	ev = event_get_preview(req->db, http_param(req, "slug"));
	if (ev && (e = web_features_event_page(req, ev)) == HM_OK)
		events_decorate(req, ev);
	db_rollback(req->db);
	if (!ev)
		return http_fail(res, HM_ENOTFOUND, N_("There is no such event."));
	if (e != HM_OK) {
		json_decref(ev);
		return e;
	}
	web_private(req, res);
	json_object_set_new(ev, "is_preview", json_true());
	web_set_str(ev, "edit_url",
		    arena_printf(&req->pool, "/admin/events/%s/edit", http_param(req, "slug")));
	http_res_page(res, ev, "pages/event", json_string_value(json_object_get(ev, "title")));
	return HM_OK;
}

static enum hm_err page_series_preview(struct http_req *req, struct http_res *res)
{
	json_t *t = NULL, *s = NULL;
	enum hm_err e = adm_for_edit(req, res, &series_kind, &t);
	if (e != HM_OK)
		return e;
	json_decref(t);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	s = series_get_preview(req->db, http_param(req, "slug"));
	if (s) {
		tr_overlay(req, "series", series_tr_fields, s);
		events_decorate_list(req, json_object_get(s, "events"));
	}
	db_rollback(req->db);
	if (!s)
		return http_fail(res, HM_ENOTFOUND, N_("There is no such series."));
	web_private(req, res);
	json_object_set_new(s, "is_preview", json_true());
	json_object_set_new(s, "url", json_sprintf("/series/%s", http_param(req, "slug")));
	web_set_str(s, "edit_url",
		    arena_printf(&req->pool, "/admin/series/%s/edit", http_param(req, "slug")));
	http_res_page(res, s, "pages/series", json_string_value(json_object_get(s, "title")));
	return HM_OK;
}

/* The home page's events: upcoming, past and every series. */
enum hm_err events_home(struct http_req *req, json_t *m)
{
	json_t *up = event_list(req->db, 1, web_today(req), 10);
	json_t *past = event_list(req->db, 0, web_today(req), 10);
	json_t *series = series_list(req->db);
	events_decorate_list(req, up);
	events_decorate_list(req, past);
	size_t i;
	json_t *s;
	tr_overlay_list(req, "series", series_tr_fields, series);
	json_array_foreach(series, i, s)
		json_object_set_new(s, "url", json_sprintf("/series/%s",
							   json_string_value(json_object_get(s, "slug"))));
	json_object_set_new(m, "upcoming", up);
	json_object_set_new(m, "past", past);
	json_object_set_new(m, "series", series);
	return HM_OK;
}

const struct route event_public_routes[] = {
	{GET, "/events", page_events},
	{GET, "/events/{slug}", page_event},
	{GET, "/events/{slug}/calendar.ics", page_event_ics},
	{GET, "/series", page_series_index},
	{GET, "/series/{slug}", page_series},
	{GET, "/organisations", page_org_index},
	{GET, "/organisations/{slug}", page_org},
	{GET, "/admin/events/{slug}/preview", page_event_preview, WEB_PRIVATE},
	{GET, "/admin/series/{slug}/preview", page_series_preview, WEB_PRIVATE},
	WEB_ROUTES_END,
};
