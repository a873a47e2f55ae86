/*
 * now.c — "now and next" (/events/{slug}/now and its JSON twin): for
 * the screens at the venue, per room, the sessions of the latest release
 * running at a moment and the one that comes next there. The moment is
 * the present, or ?at=<RFC 3339> for rehearsals and tests. Who sees
 * which sessions is as on the programme page: participants-only ones
 * for the event's organisers and approved participants. The page reloads
 * itself each minute (meta refresh: no script needed on a kiosk).
 */
#include "features/programme/prog_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "http/server.h"
#include "site/site.h"
#include "site/translations.h"
#include "view/i18n.h"

#include <string.h>

/* A session as the screen shows it. */
static json_t *now_item(struct http_req *req, const json_t *s, const char *today)
{
	const char *st = web_str(s, "starts_at"), *en = web_str(s, "ends_at");
	json_t *o = json_pack("{s:O, s:O, s:O, s:O, s:O, s:s?}", "id", json_object_get(s, "id"),
			      "title", json_object_get(s, "title"), "kind", json_object_get(s, "kind"),
			      "starts_at", json_object_get(s, "starts_at"), "ends_at",
			      json_object_get(s, "ends_at"), "kind_label",
			      adm_label(req, web_str(s, "kind")));
	json_object_set_new(o, "start_time", json_sprintf("%.5s", st + 11));
	json_object_set_new(o, "end_time", json_sprintf("%.5s", en + 11));
	json_object_set_new(o, "url", json_sprintf("/events/%s/sessions/%lld", web_str(s, "event_slug"),
						   (long long)json_integer_value(json_object_get(s, "id"))));
	if (strncmp(st, today, 10) != 0)
		web_set_str(o, "day_label",
			    fmt_date(&req->pool, req->lang, arena_printf(&req->pool, "%.10s", st),
				     FMT_LONG));
	json_t *people = json_array(), *p;
	struct buf names;
	buf_init(&names);
	size_t i;
	json_array_foreach(json_object_get(s, "people"), i, p) {
		json_array_append_new(people, json_pack("{s:O, s:O}", "name", json_object_get(p, "name"),
							"role", json_object_get(p, "role")));
		buf_printf(&names, "%s%s", i ? ", " : "", web_str(p, "name") ? web_str(p, "name") : "");
	}
	json_object_set_new(o, "people", people);
	web_set_str(o, "people_text", names.len ? names.data : NULL);
	buf_free(&names);
	return o;
}

/* GET /events/{slug}/now[?at=…] */
static enum hm_err page_now(struct http_req *req, struct http_res *res)
{
	const char *at_q = site_query_opt(req, "at");
	int64_t at = at_q ? time_parse_rfc3339(at_q) : time_now_s();
	if (at < 0)
		return http_fail(res, HM_EINVAL,
				 "The moment (at) must be a date and time with its offset, such as "
				 "2012-11-29T09:30:00+08:00.");
	json_t *ev;
	enum hm_err e = prog_public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_t *rel = NULL;
	json_t *all = web_own(req, prog_published(req->db, json_integer_value(json_object_get(ev, "id")), &rel));
	web_own(req, rel);
	tr_overlay_list(req, "session", prog_tr_fields, all);
	int more = prog_sees_participants_only(req, ev);
	db_rollback(req->db);
	if (!all || more < 0)
		return HM_EDB;
	const char *tz = web_str(ev, "timezone"), *slug = web_str(ev, "slug");
	const char *at_local = tz ? prog_time_in_zone(&req->pool, tz, at) : NULL;
	if (!at_local)
		return HM_EINTERNAL;
	/* per room, in the order rooms first come in the programme */
	json_t *rooms = json_array(), *index = json_object();
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) {
		if (!more && !str_eq(web_str(s, "visibility"), "public"))
			continue;
		int64_t from = time_parse_rfc3339(web_str(s, "starts_at"));
		int64_t to = time_parse_rfc3339(web_str(s, "ends_at"));
		if (from < 0 || to < 0)
			continue;
		int running = from <= at && at < to, later = from > at;
		if (!running && !later)
			continue;
		const char *rn = prog_room_label(req, s);
		json_t *r = json_object_get(index, rn);
		if (!r) {
			r = json_pack("{s:s, s:[], s:n}", "room", rn, "now", "next");
			json_array_append_new(rooms, r);
			json_object_set(index, rn, r);
		}
		if (running)
			json_array_append_new(json_object_get(r, "now"), now_item(req, s, at_local));
		else if (json_is_null(json_object_get(r, "next")))
			json_object_set_new(r, "next", now_item(req, s, at_local));
	}
	json_decref(index);
	json_t *m = json_pack("{s:{s:s, s:O, s:O}, s:s, s:s, s:s?, s:o}", "event", "slug", slug,
			      "title", json_object_get(ev, "title"), "timezone",
			      json_object_get(ev, "timezone"), "at", at_local, "at_time",
			      arena_printf(&req->pool, "%.5s", at_local + 11), "at_day",
			      fmt_date(&req->pool, req->lang, arena_printf(&req->pool, "%.10s", at_local),
				       FMT_LONG),
			      "rooms", rooms);
	json_object_set_new(m, "released", json_boolean(rel != NULL));
	if (at_q)
		json_object_set_new(m, "at_query", json_string(at_q));
	/* the present changes each minute: never kept by a cache; a fixed
	 * moment may be, for visitors */
	if (more || web_principal(req)->account_id || web_principal(req)->via != AUTH_VIA_NONE)
		web_private(req, res);
	else if (at_q)
		res->cacheable = 1;
	http_res_page(res, m, "pages/programme_now",
		      arena_printf(&req->pool, "%s — %s", web_t(req, "Now and next"), web_str(ev, "title")));
	return HM_OK;
}

const struct route prog_now_routes[] = {
	{GET, "/events/{slug}/now", page_now, 0},
	WEB_ROUTES_END,
};
