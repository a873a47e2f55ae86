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
#include "site/old_address.h"
#include "site/translations.h"

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
static enum hm_err moved_or_missing(struct http_req *req, struct http_res *res,
				    enum events_moved which, const char *prefix, const char *missing)
{
	json_t *to = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	to = events_moved(req->db, which, http_param(req, "slug"));
	db_rollback(req->db);
	web_own(req, to);
	if (!to)
		return http_fail(res, HM_ENOTFOUND, missing);
	return web_moved(req, res, arena_printf(&req->pool, "%s/%s", prefix, json_string_value(to)));
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
	res->cacheable = 1;
	http_res_page(res, ev, "pages/event", json_string_value(json_object_get(ev, "title")));
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
	res->cacheable = 1;
	http_res_page(res, o, "pages/organisation", json_string_value(json_object_get(o, "name")));
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
	{GET, "/series/{slug}", page_series},
	{GET, "/organisations/{slug}", page_org},
	WEB_ROUTES_END,
};
