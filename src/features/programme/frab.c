/*
 * frab.c — the released programme in the "frab" schedule format that
 * conference apps (Giggity, EventFahrplan, ConfClerk), digital signage
 * and the C3VOC recording tools read: /events/{slug}/schedule.json
 * (voc/schedule's JSON Schema) and /events/{slug}/schedule.xml (its XSD).
 * Both are written from one model (frab_schedule): the latest release's
 * public sessions — participants-only ones never, whoever asks, since
 * these files are shared and copied into apps — grouped by day (in the
 * event's zone, every day of the event even when empty) and room.
 *
 * Identifiers are stable: each session's guid is the name-based UUID
 * (v5, SHA-1, libuuid; URL namespace) of its iCalendar UID
 * "session-<id>@<host>" (the host of the site's base URL), each person's
 * of "person-<id>@<host>", each room's of "room-<event id>-<name>@<host>":
 * renaming the event, or serving it on another port or over https, keeps
 * them. frab knows speakers only: every person of a session is in its
 * persons, with harmony's role (speaker, moderator, chair, rapporteur)
 * as "role" in the JSON (the schema lets persons carry more keys); the
 * XSD has no place for it. Text is written by jansson and libxml2's
 * xmlTextWriter, which escape it; control characters XML cannot carry
 * are dropped first.
 */
#include "features/programme/prog_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "http/server.h"
#include "view/i18n.h"

#include <libxml/xmlwriter.h>
#include <string.h>
#include <uuid/uuid.h>

#define XC(s) ((const xmlChar *)(s))

/* The name-based UUID (v5) of name in the URL namespace (RFC 4122's
 * 6ba7b811-9dad-11d1-80b4-00c04fd430c8), lower case. */
static const char *uuid5_url(struct arena *a, const char *name)
{
	static const uuid_t ns_url = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
				      0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
	uuid_t u;
	char out[37];
	uuid_generate_sha1(u, ns_url, name, strlen(name));
	uuid_unparse_lower(u, out);
	return arena_strdup(a, out);
}

/* The conference's acronym: the event's slug with "_" for "-" (the
 * schema's acronym has no hyphen but an optional "-2012-name" tail),
 * lower case, at least four characters. */
static const char *acronym_of(struct arena *a, const char *slug)
{
	struct buf b;
	buf_init(&b);
	for (const char *p = slug ? slug : ""; *p; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		buf_putc(&b, (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
	}
	while (b.len < 4)
		buf_putc(&b, '_');
	const char *s = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}

/* A session's slug: "<acronym>-<id>-<title in ASCII letters and
 * digits>", "…-session" when the title has too few of them (as the XSD's
 * voc-slug-new and the schema's slug want). */
static const char *event_slug(struct arena *a, const char *acronym, long long id,
			      const char *title)
{
	char t[49];
	size_t n = 0;
	for (const char *p = title ? title : ""; *p && n < sizeof(t) - 1; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			t[n++] = c;
		else if (n && t[n - 1] != '-')
			t[n++] = '-';
	}
	while (n && t[n - 1] == '-')
		n--;
	t[n] = '\0';
	return arena_printf(a, "%s-%lld-%s", acronym, id, n >= 4 ? t : "session");
}

/* "HH:MM" of a duration in seconds (at most 99:59, as the XSD allows). */
static const char *duration_of(struct arena *a, int64_t secs)
{
	int64_t m = secs > 0 ? secs / 60 : 0;
	if (m > 99 * 60 + 59)
		m = 99 * 60 + 59;
	return arena_printf(a, "%02d:%02d", (int)(m / 60), (int)(m % 60));
}

/* 1 if tz fits the schema's time_zone_name ("Area/Place" or "UTC"). */
static int tz_name_fits(const char *tz)
{
	if (!tz)
		return 0;
	if (str_eq(tz, "UTC"))
		return 1;
	const char *p = tz;
	for (int part = 0; part < 2; part++) {
		if (!(*p >= 'A' && *p <= 'Z'))
			return 0;
		p++;
		if (!(*p >= 'a' && *p <= 'z'))
			return 0;
		while (*p >= 'a' && *p <= 'z')
			p++;
		if (part == 0 && *p++ != '/')
			return 0;
	}
	return 1;
}

/* The local midnight beginning day ymd in tz, as RFC 3339 with offset. */
static const char *midnight(struct arena *a, const char *tz, const char *ymd)
{
	int64_t t;
	if (tz_local_to_utc(arena_printf(a, "%sT00:00", ymd), tz, &t) != HM_OK)
		return NULL;
	return prog_time_in_zone(a, tz, t);
}

/* The day after ymd ("2012-11-30" → "2012-12-01"). */
static const char *next_day(struct arena *a, const char *ymd)
{
	int64_t t = time_parse_rfc3339(arena_printf(a, "%sT12:00:00Z", ymd));
	if (t < 0)
		return NULL;
	return arena_printf(a, "%.10s", time_format_rfc3339(a, t + 86400));
}

const char *prog_room_label(struct http_req *req, const json_t *s)
{
	const char *room = web_str(s, "room");
	return room && *room ? room : web_t(req, "Venue");
}

json_t *prog_frab_schedule(struct http_req *req, const json_t *ev, const json_t *sessions,
			   const json_t *rel)
{
	struct arena *a = &req->pool;
	const char *base = server_base_url(req->srv), *host = prog_site_host(req);
	const char *slug = web_str(ev, "slug"), *tz = web_str(ev, "timezone");
	const char *acronym = acronym_of(a, slug);
	long long event_id = (long long)json_integer_value(json_object_get(ev, "id"));
	if (!tz)
		return NULL;

	/* the days: the event's, widened to any session outside them */
	const char *first = web_str(ev, "starts_on"), *last = web_str(ev, "ends_on");
	json_t *rooms = json_array(), *room_index = json_object(), *tracks = json_array(),
	       *track_seen = json_object();
	size_t i;
	json_t *s;
	json_array_foreach(sessions, i, s) {
		const char *st = web_str(s, "starts_at");
		if (!st || strlen(st) < 10)
			continue;
		const char *day = arena_printf(a, "%.10s", st);
		if (!first || strcmp(day, first) < 0)
			first = day;
		if (!last || strcmp(day, last) > 0)
			last = day;
		const char *rn = prog_room_label(req, s);
		if (!json_object_get(room_index, rn)) {
			json_object_set_new(room_index, rn, json_integer((json_int_t)json_array_size(rooms)));
			json_t *r = json_pack("{s:s, s:s?}", "name", rn, "guid",
					      uuid5_url(a, arena_printf(a, "room-%lld-%s@%s", event_id,
									 rn, host)));
			json_t *cap = json_object_get(s, "room_capacity");
			json_object_set(r, "capacity", json_is_integer(cap) ? cap : json_null());
			json_array_append_new(rooms, r);
		}
		const char *track = web_str(s, "track");
		if (track && *track && !json_object_get(track_seen, track)) {
			json_object_set_new(track_seen, track, json_true());
			json_array_append_new(tracks, json_pack("{s:s}", "name", track));
		}
	}
	json_decref(track_seen);
	if (!first)
		first = last = arena_printf(a, "%.10s", time_format_rfc3339(a, time_now_s()));
	if (!last || strcmp(last, first) < 0)
		last = first;

	json_t *days = json_array();
	int ndays = 0;
	for (const char *d = first; d && strcmp(d, last) <= 0 && ndays < 366; d = next_day(a, d)) {
		const char *nd = next_day(a, d);
		json_t *dr = json_object();
		json_t *r;
		json_array_foreach(rooms, i, r)
			json_object_set_new(dr, web_str(r, "name"), json_array());
		json_array_append_new(days, json_pack("{s:i, s:s, s:s?, s:s?, s:o}", "index", ++ndays,
						      "date", d, "day_start", midnight(a, tz, d),
						      "day_end", nd ? midnight(a, tz, nd) : NULL,
						      "rooms", dr));
	}

	json_array_foreach(sessions, i, s) {
		const char *st = web_str(s, "starts_at"), *en = web_str(s, "ends_at");
		int64_t from = time_parse_rfc3339(st), to = time_parse_rfc3339(en);
		if (from < 0 || to < 0 || strlen(st) < 16)
			continue;
		long long id = (long long)json_integer_value(json_object_get(s, "id"));
		const char *rn = prog_room_label(req, s);
		const char *day = arena_printf(a, "%.10s", st);
		json_t *dd = NULL, *d;
		size_t k;
		json_array_foreach(days, k, d) if (str_eq(web_str(d, "date"), day)) dd = d;
		if (!dd)
			continue;
		json_t *persons = json_array(), *p;
		size_t j;
		json_array_foreach(json_object_get(s, "people"), j, p) {
			json_t *o = json_pack(
				"{s:s?, s:O, s:O, s:O}", "guid",
				uuid5_url(a, arena_printf(a, "person-%lld@%s",
							  (long long)json_integer_value(
								  json_object_get(p, "id")),
							  host)),
				"name", json_object_get(p, "name"), "public_name",
				json_object_get(p, "name"), "role", json_object_get(p, "role"));
			json_array_append_new(persons, o);
		}
		const char *track = web_str(s, "track");
		const char *md = web_str(s, "description_md");
		json_t *langs = json_object_get(s, "languages");
		json_t *e = json_pack(
			"{s:s?, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:O,"
			" s:s, s:n, s:o, s:o}",
			"guid", uuid5_url(a, arena_printf(a, "session-%lld@%s", id, host)), "id",
			(json_int_t)id, "date", st, "start", arena_printf(a, "%.5s", st + 11), "end",
			en, "duration", duration_of(a, to - from), "room", rn, "slug",
			event_slug(a, acronym, id, web_str(s, "title")), "url",
			arena_printf(a, "%s/events/%s/sessions/%lld", base, slug, id), "title",
			web_str(s, "title") ? web_str(s, "title") : "", "subtitle", "", "track",
			track && *track ? track : NULL, "type", web_str(s, "kind") ? web_str(s, "kind") : "",
			"language", json_array_size(langs) ? json_array_get(langs, 0) : json_null(),
			"abstract", md ? md : "", "description", "persons", persons, "links",
			json_array());
		if (!e)
			continue;
		json_array_append_new(json_object_get(json_object_get(dd, "rooms"), rn), e);
	}
	json_decref(room_index);

	json_t *conf = json_pack("{s:s, s:O, s:s, s:s, s:i, s:s, s:s}", "acronym", acronym, "title",
				 json_object_get(ev, "title"), "start", first, "end", last,
				 "daysCount", ndays, "timeslot_duration", "00:15", "url",
				 arena_printf(a, "%s/events/%s/programme", base, slug));
	if (tz_name_fits(tz))
		json_object_set_new(conf, "time_zone_name", json_string(tz));
	json_object_set_new(conf, "tracks", tracks);
	json_object_set_new(conf, "rooms", rooms);
	json_object_set_new(conf, "days", days);
	json_t *sched = json_pack(
		"{s:s, s:s, s:o}", "version",
		rel ? arena_printf(a, "%lld", (long long)json_integer_value(json_object_get(rel, "version")))
		    : "0",
		"base_url", arena_printf(a, "%s/", base), "conference", conf);
	return json_pack("{s:s, s:{s:s, s:s}, s:o}", "$schema",
			 "https://c3voc.de/schedule/schema.json", "generator", "name", "harmony",
			 "version", HM_VERSION, "schedule", sched);
}

/* The public sessions of the latest release of the path's event: 404
 * when the asker may not see the event. */
static enum hm_err frab_load(struct http_req *req, struct http_res *res, json_t **ev_out,
			     json_t **sessions, json_t **rel)
{
	json_t *ev;
	enum hm_err e = prog_public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_t *all = web_own(req, prog_published(req->db, json_integer_value(json_object_get(ev, "id")), rel));
	web_own(req, *rel);
	db_rollback(req->db);
	if (!all)
		return HM_EDB;
	json_t *pub = web_own(req, json_array());
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) if (str_eq(web_str(s, "visibility"), "public"))
		json_array_append(pub, s);
	*ev_out = ev;
	*sessions = pub;
	return HM_OK;
}

/* GET /events/{slug}/schedule.json */
static enum hm_err page_schedule_json(struct http_req *req, struct http_res *res)
{
	json_t *ev, *sessions, *rel = NULL;
	enum hm_err e = frab_load(req, res, &ev, &sessions, &rel);
	if (e != HM_OK)
		return e;
	json_t *m = web_own(req, prog_frab_schedule(req, ev, sessions, rel));
	char *out = m ? json_dumps(m, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	if (!out)
		return HM_EINTERNAL;
	buf_puts(&res->body, out);
	buf_putc(&res->body, '\n');
	free(out);
	res->content_type = "application/json; charset=utf-8";
	res->cacheable = 1;
	return HM_OK;
}

/* s without the control characters XML 1.0 cannot carry. */
static const char *xml_clean(struct arena *a, const char *s)
{
	if (!s)
		return "";
	size_t n = strlen(s);
	char *o = arena_alloc(a, n + 1), *q = o;
	for (; *s; s++)
		if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n' || *s == '\r')
			*q++ = *s;
	*q = '\0';
	return o;
}

struct xw {
	xmlTextWriterPtr w;
	struct arena *a;
	int rc; /* < 0 once a write failed */
};

static void x_start(struct xw *x, const char *name)
{
	if (x->rc >= 0)
		x->rc = xmlTextWriterStartElement(x->w, XC(name));
}

static void x_end(struct xw *x)
{
	if (x->rc >= 0)
		x->rc = xmlTextWriterEndElement(x->w);
}

static void x_attr(struct xw *x, const char *name, const char *v)
{
	if (x->rc >= 0 && v)
		x->rc = xmlTextWriterWriteAttribute(x->w, XC(name), XC(xml_clean(x->a, v)));
}

static void x_elem(struct xw *x, const char *name, const char *v)
{
	if (x->rc >= 0)
		x->rc = xmlTextWriterWriteElement(x->w, XC(name), XC(xml_clean(x->a, v)));
}

static void x_text(struct xw *x, const char *v)
{
	if (x->rc >= 0)
		x->rc = xmlTextWriterWriteString(x->w, XC(xml_clean(x->a, v)));
}

/* One event of the schedule (as prog_frab_schedule has it) as XML. */
static void x_event(struct xw *x, const json_t *e)
{
	x_start(x, "event");
	x_attr(x, "guid", web_str(e, "guid"));
	x_attr(x, "id", arena_printf(x->a, "%lld", (long long)json_integer_value(json_object_get(e, "id"))));
	static const char *const keys[] = {"room", "title", "subtitle", "type", "date", "start",
					   "duration", "abstract", "slug"};
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++)
		x_elem(x, keys[i], web_str(e, keys[i]));
	x_elem(x, "track", web_str(e, "track"));
	if (web_str(e, "language"))
		x_elem(x, "language", web_str(e, "language"));
	x_start(x, "persons");
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(e, "persons"), i, p) {
		x_start(x, "person");
		x_attr(x, "guid", web_str(p, "guid"));
		x_text(x, web_str(p, "name"));
		x_end(x);
	}
	x_end(x);
	x_start(x, "links");
	x_end(x);
	x_elem(x, "url", web_str(e, "url"));
	x_end(x);
}

/* GET /events/{slug}/schedule.xml */
static enum hm_err page_schedule_xml(struct http_req *req, struct http_res *res)
{
	json_t *ev, *sessions, *rel = NULL;
	enum hm_err e = frab_load(req, res, &ev, &sessions, &rel);
	if (e != HM_OK)
		return e;
	json_t *m = web_own(req, prog_frab_schedule(req, ev, sessions, rel));
	json_t *sc = json_object_get(m, "schedule"), *conf = json_object_get(sc, "conference");
	if (!conf)
		return HM_EINTERNAL;
	xmlBufferPtr xb = xmlBufferCreate();
	struct xw x = {xb ? xmlNewTextWriterMemory(xb, 0) : NULL, &req->pool, 0};
	if (!x.w) {
		if (xb)
			xmlBufferFree(xb);
		return HM_EINTERNAL;
	}
	xmlTextWriterSetIndent(x.w, 1);
	xmlTextWriterSetIndentString(x.w, XC(" "));
	x.rc = xmlTextWriterStartDocument(x.w, "1.0", "UTF-8", NULL);
	x_start(&x, "schedule");
	x_start(&x, "generator");
	x_attr(&x, "name", "harmony");
	x_attr(&x, "version", HM_VERSION);
	x_end(&x);
	x_elem(&x, "url", arena_printf(&req->pool, "%s/events/%s/schedule.xml",
				       server_base_url(req->srv), web_str(ev, "slug")));
	x_elem(&x, "version", web_str(sc, "version"));
	x_start(&x, "conference");
	static const char *const ck[] = {"title", "acronym", "start", "end"};
	for (size_t i = 0; i < HM_ARRAY_LEN(ck); i++)
		x_elem(&x, ck[i], web_str(conf, ck[i]));
	x_elem(&x, "days", arena_printf(&req->pool, "%lld",
					(long long)json_integer_value(json_object_get(conf, "daysCount"))));
	x_elem(&x, "timeslot_duration", web_str(conf, "timeslot_duration"));
	x_elem(&x, "base_url", web_str(sc, "base_url"));
	x_elem(&x, "url", web_str(conf, "url"));
	x_elem(&x, "time_zone_name", web_str(ev, "timezone"));
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(conf, "tracks"), i, t) {
		x_start(&x, "track");
		x_attr(&x, "name", web_str(t, "name"));
		x_end(&x);
	}
	x_end(&x);
	json_t *d;
	json_array_foreach(json_object_get(conf, "days"), i, d) {
		x_start(&x, "day");
		x_attr(&x, "index", arena_printf(&req->pool, "%lld",
						 (long long)json_integer_value(json_object_get(d, "index"))));
		x_attr(&x, "date", web_str(d, "date"));
		x_attr(&x, "start", web_str(d, "day_start"));
		x_attr(&x, "end", web_str(d, "day_end"));
		json_t *r;
		size_t k;
		json_array_foreach(json_object_get(conf, "rooms"), k, r) {
			x_start(&x, "room");
			x_attr(&x, "name", web_str(r, "name"));
			x_attr(&x, "guid", web_str(r, "guid"));
			json_t *ev1;
			size_t j;
			json_array_foreach(json_object_get(json_object_get(d, "rooms"), web_str(r, "name")),
					   j, ev1) x_event(&x, ev1);
			x_end(&x);
		}
		x_end(&x);
	}
	x_end(&x);
	if (x.rc >= 0)
		x.rc = xmlTextWriterEndDocument(x.w);
	xmlFreeTextWriter(x.w);
	if (x.rc < 0) {
		xmlBufferFree(xb);
		return HM_EINTERNAL;
	}
	buf_append(&res->body, (const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	res->content_type = "application/xml; charset=utf-8";
	res->cacheable = 1;
	return HM_OK;
}

const struct route prog_frab_routes[] = {
	{GET, "/events/{slug}/schedule.json", page_schedule_json, 0},
	{GET, "/events/{slug}/schedule.xml", page_schedule_xml, 0},
	WEB_ROUTES_END,
};
