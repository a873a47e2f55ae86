/*
 * agenda.c — a reader's own programme: the sessions they starred
 * (POST|DELETE /api/v1/sessions/{id}/star, the Star button of a session's
 * page), their places in limited sessions (…/signup, "Take a place"),
 * their agenda across events (/agenda, by day in each event's zone) and
 * its secret calendar feed (/agenda/{token}.ics, for calendar apps that
 * carry no cookie).
 *
 * What a reader stars or signs up for is read as the public reads the
 * programme: the session as its event's latest release has it, seen only
 * when the reader may see it (a published event, or one whose drafts they
 * may read; a participants-only session by the event's organisers and
 * approved participants). A session gone from the latest release drops
 * out of the agenda and its feed; a moved one comes with its new time and
 * a higher SEQUENCE (calendar.c).
 *
 * Places: a session with a capacity is limited. The count and the insert
 * are one write transaction, and db_begin takes the one write lock of
 * both backends (SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock),
 * so two readers never take the same last place. Signing up stars too.
 *
 * The feed's address stays retrievable (a subscription address is only
 * useful while one can copy it again): its token is a keyed hash (server
 * key "agenda") of the account and a random salt kept in its row, as a
 * registration's link is; the row keeps the token's digest, which a
 * calendar's request is looked up by. A new address is a new salt: the
 * old one stops working in the same transaction.
 */
#include "features/programme/prog_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "features/registration/registration.h"
#include "http/server.h"
#include "site/confirm.h"
#include "site/site.h"
#include "site/translations.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <sodium.h>
#include <string.h>

enum {
	AG_SESSION_EVENT,
	AG_STAR_ADD,
	AG_STAR_DEL,
	AG_STARRED,
	AG_SIGNUP_COUNT,
	AG_SIGNUP_ADD,
	AG_SIGNUP_DEL,
	AG_SIGNED_UP,
	AG_STAR_EVENTS,
	AG_MY_STARS,
	AG_MY_SIGNUPS,
	AG_FEED_GET,
	AG_FEED_BY_HASH,
	AG_FEED_PUT,
	AG__MAX
};

static const char *const sql[AG__MAX] = {
	[AG_SESSION_EVENT] = "SELECT event_id FROM programme_session WHERE id = ?",
	[AG_STAR_ADD] = "INSERT INTO programme_star (session_id, account_id, created_at) "
			"VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
	[AG_STAR_DEL] = "DELETE FROM programme_star WHERE session_id = ? AND account_id = ?",
	[AG_STARRED] = "SELECT count(*) FROM programme_star WHERE session_id = ? AND account_id = ?",
	[AG_SIGNUP_COUNT] = "SELECT count(*) FROM programme_signup WHERE session_id = ?",
	[AG_SIGNUP_ADD] = "INSERT INTO programme_signup (session_id, account_id, created_at) "
			  "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
	[AG_SIGNUP_DEL] = "DELETE FROM programme_signup WHERE session_id = ? AND account_id = ?",
	[AG_SIGNED_UP] =
		"SELECT count(*) FROM programme_signup WHERE session_id = ? AND account_id = ?",
	[AG_STAR_EVENTS] = "SELECT e.id, e.starts_on FROM programme_star st "
			   "JOIN programme_session s ON s.id = st.session_id "
			   "JOIN event e ON e.id = s.event_id WHERE st.account_id = ? "
			   "GROUP BY e.id, e.starts_on ORDER BY e.starts_on, e.id",
	[AG_MY_STARS] = "SELECT session_id FROM programme_star WHERE account_id = ?",
	[AG_MY_SIGNUPS] = "SELECT session_id FROM programme_signup WHERE account_id = ?",
	[AG_FEED_GET] = "SELECT salt, created_at FROM programme_feed WHERE account_id = ?",
	[AG_FEED_BY_HASH] = "SELECT account_id FROM programme_feed WHERE token_hash = ?",
	[AG_FEED_PUT] = "INSERT INTO programme_feed (account_id, token_hash, salt, created_at) "
			"VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET "
			"token_hash = excluded.token_hash, salt = excluded.salt, "
			"created_at = excluded.created_at",
};

#define FEED_TOKEN_LEN 43 /* 32 bytes as unpadded base64url */

/* The count of the row (a, b) of statement i: 0/1 for a pair, -1 failed. */
static int64_t count2(struct db *db, int i, int64_t a, int64_t b)
{
	struct db_stmt *st = db_prepare(db, sql[i]);
	if (!st)
		return -1;
	db_bind_int(st, 1, a);
	db_bind_int(st, 2, b);
	int r = db_step(st);
	int64_t n = r == 1 ? db_col_int(st, 0) : -1;
	db_done(st);
	return n;
}

static enum hm_err run3(struct db *db, int i, int64_t a, int64_t b, const char *at)
{
	struct db_stmt *st = db_prepare(db, sql[i]);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, a);
	db_bind_int(st, 2, b);
	if (at)
		db_bind_text(st, 3, at);
	return db_run(st);
}

/* The ids of statement i's rows (one parameter) as a set {"<id>": true}. */
static json_t *id_set(struct db *db, int i, int64_t arg)
{
	struct db_stmt *st = db_prepare(db, sql[i]);
	if (!st)
		return NULL;
	db_bind_int(st, 1, arg);
	json_t *set = json_object();
	int r;
	char key[24];
	while ((r = db_step(st)) == 1) {
		snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 0));
		json_object_set_new(set, key, json_true());
	}
	db_done(st);
	if (r < 0) {
		json_decref(set);
		return NULL;
	}
	return set;
}

static int64_t id_of(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* 1 if p sees the event ev (published, or a draft p may read). */
static int sees_event(const struct principal *p, const json_t *ev)
{
	struct auth_scope sc = prog_scope(ev);
	return str_eq(web_str(ev, "status"), "published") || auth_can(p, AUTH_DRAFT_READ, &sc);
}

/* 1 if p sees the participants-only sessions of ev: its organisers and
 * approved participants (prog_sees_participants_only, for any principal);
 * -1 on a failed read. */
static int sees_more(struct db *db, const struct principal *p, const json_t *ev)
{
	struct auth_scope sc = prog_scope(ev);
	if (auth_can(p, AUTH_PROGRAMME_EDIT, &sc))
		return 1;
	if (!p->account_id || !p->email[0])
		return 0;
	return reg_is_participant(db, id_of(ev, "id"), p->email);
}

/* The session id as p sees it in its event's latest release (*s, *ev
 * owned by the request): HM_ENOTFOUND when it is not there or p may not
 * see it, HM_EDB on a failed read. In the caller's transaction. */
static enum hm_err released_for(struct http_req *req, const struct principal *p, int64_t id,
				json_t **s, json_t **ev)
{
	*s = *ev = NULL;
	int64_t event_id = id > 0 ? db_int_of(req->db, sql[AG_SESSION_EVENT], id) : -1;
	if (event_id < 0)
		return db_failed(req->db) ? HM_EDB : HM_ENOTFOUND;
	json_t *e = web_own(req, prog_event_by_id(req->db, event_id));
	if (!e)
		return db_failed(req->db) ? HM_EDB : HM_ENOTFOUND;
	if (!sees_event(p, e))
		return HM_ENOTFOUND;
	json_t *rel = web_own(req, prog_release_latest(req->db, event_id));
	json_t *t = rel ? web_own(req, prog_release_session(req->db, id_of(rel, "id"), id)) : NULL;
	if (!t)
		return db_failed(req->db) ? HM_EDB : HM_ENOTFOUND;
	if (!str_eq(web_str(t, "visibility"), "public")) {
		int more = sees_more(req->db, p, e);
		if (more < 0)
			return HM_EDB;
		if (!more)
			return HM_ENOTFOUND;
	}
	*s = t;
	*ev = e;
	return HM_OK;
}

/* The places of a limited session, taken of them: {capacity, taken,
 * left, full, label: "12 places left" | "Full"}; null when it is not
 * limited. Counts, not people: the same for every reader. */
static json_t *places_of(struct http_req *req, const json_t *s, int64_t taken)
{
	json_t *cap = json_object_get(s, "capacity");
	if (!json_is_integer(cap))
		return json_null();
	int64_t c = json_integer_value(cap), left = c - taken;
	if (left < 0)
		left = 0;
	const char *label =
		left ? arena_printf(&req->pool,
				    web_nt(req, "%d place left", "%d places left", (unsigned long)left),
				    (int)left)
		     : web_t(req, "Full");
	return json_pack("{s:I, s:I, s:I, s:b, s:s}", "capacity", (json_int_t)c, "taken",
			 (json_int_t)taken, "left", (json_int_t)left, "full", left == 0, "label",
			 label);
}

/* ------------------------------------------------ the session's page */

enum hm_err prog_agenda_session(struct http_req *req, json_t *s)
{
	int64_t id = id_of(s, "id");
	const struct principal *p = web_principal(req);
	json_t *places = json_null();
	if (json_is_integer(json_object_get(s, "capacity"))) {
		int64_t taken = db_int_of(req->db, sql[AG_SIGNUP_COUNT], id);
		if (taken < 0)
			return HM_EDB;
		places = places_of(req, s, taken);
	}
	json_object_set_new(s, "places", places);
	json_t *a;
	if (p->account_id) {
		int64_t starred = count2(req->db, AG_STARRED, id, p->account_id);
		int64_t signed_up = count2(req->db, AG_SIGNED_UP, id, p->account_id);
		if (starred < 0 || signed_up < 0)
			return HM_EDB;
		a = json_pack("{s:b, s:b, s:b, s:s}", "signed_in", 1, "starred", starred > 0,
			      "signed_up", signed_up > 0, "csrf", web_csrf_token(req, NULL));
	} else {
		a = json_pack("{s:b, s:s}", "signed_in", 0, "sign_in_url",
			      arena_printf(&req->pool, "/sign-in?next=/events/%s/sessions/%lld",
					   web_str(s, "event_slug"), (long long)id));
	}
	json_object_set_new(s, "agenda", a);
	return HM_OK;
}

/* ------------------------------------------- stars and places: writes */

enum action { STAR, UNSTAR, SIGNUP, GIVE_UP };

struct outcome {
	json_t *session; /* the released session, owned by the request */
	json_t *event;
	int changed;     /* something was written (201 for a star or a place) */
	int starred, signed_up;
	json_t *places;
};

/* Does a to session id for the asker, in one write transaction; slug
 * (optional) must be the session's event. HM_ENOTFOUND, HM_ECONFLICT
 * (full, or not limited) answered with their sentence. */
static enum hm_err act(struct http_req *req, struct http_res *res, int64_t id, const char *slug,
		       enum action a, struct outcome *o)
{
	const struct principal *p = web_principal(req);
	memset(o, 0, sizeof(*o));
	if (!p->account_id)
		return http_fail(res, HM_EUNAUTH, "Sign in first.");
	const char *now = web_now(req);
	enum hm_err e = db_begin(req->db);
	if (e != HM_OK)
		return e;
	e = released_for(req, p, id, &o->session, &o->event);
	if (e == HM_OK && slug && !str_eq(slug, web_str(o->event, "slug")))
		e = HM_ENOTFOUND;
	if (e == HM_ENOTFOUND) {
		db_rollback(req->db);
		return http_fail(res, e, "The programme has no such session.");
	}
	int limited = o->session && json_is_integer(json_object_get(o->session, "capacity"));
	if (e == HM_OK && (a == SIGNUP || a == GIVE_UP) && !limited) {
		db_rollback(req->db);
		return http_fail(res, HM_ECONFLICT,
				 "This session takes no sign-ups: it is open to all who may come.");
	}
	switch (e == HM_OK ? (int)a : -1) {
	case STAR:
		e = run3(req->db, AG_STAR_ADD, id, p->account_id, now);
		o->changed = db_changes(req->db) > 0;
		break;
	case UNSTAR:
		e = run3(req->db, AG_STAR_DEL, id, p->account_id, NULL);
		o->changed = db_changes(req->db) > 0;
		break;
	case SIGNUP: {
		int64_t mine = count2(req->db, AG_SIGNED_UP, id, p->account_id);
		int64_t taken = db_int_of(req->db, sql[AG_SIGNUP_COUNT], id);
		if (mine < 0 || taken < 0) {
			e = HM_EDB;
			break;
		}
		if (mine)
			break; /* already in: nothing to do */
		if (taken >= id_of(o->session, "capacity")) {
			db_rollback(req->db);
			return http_fail(res, HM_ECONFLICT,
					 "This session is full: no places are left.");
		}
		e = run3(req->db, AG_SIGNUP_ADD, id, p->account_id, now);
		o->changed = 1;
		if (e == HM_OK) /* a place taken is a session to remember */
			e = run3(req->db, AG_STAR_ADD, id, p->account_id, now);
		break;
	}
	case GIVE_UP:
		e = run3(req->db, AG_SIGNUP_DEL, id, p->account_id, NULL);
		o->changed = db_changes(req->db) > 0;
		break;
	default:
		break;
	}
	if (e == HM_OK) {
		int64_t st = count2(req->db, AG_STARRED, id, p->account_id);
		int64_t su = count2(req->db, AG_SIGNED_UP, id, p->account_id);
		int64_t taken = limited ? db_int_of(req->db, sql[AG_SIGNUP_COUNT], id) : 0;
		if (st < 0 || su < 0 || taken < 0)
			e = HM_EDB;
		o->starred = st > 0;
		o->signed_up = su > 0;
		o->places = web_own(req, places_of(req, o->session, taken));
	}
	if (e == HM_OK)
		e = db_commit(req->db);
	if (e != HM_OK)
		db_rollback(req->db);
	return e;
}

/* POST|DELETE /api/v1/sessions/{id}/star, …/signup: {session, starred,
 * signed_up}; 201 when a star or a place was added, 200 otherwise. */
static enum hm_err api_act(struct http_req *req, struct http_res *res, int add, int signup)
{
	struct outcome o;
	enum action a = signup ? (add ? SIGNUP : GIVE_UP) : (add ? STAR : UNSTAR);
	enum hm_err e = act(req, res, site_id_param(req), NULL, a, &o);
	if (e != HM_OK)
		return e;
	json_t *s = json_deep_copy(o.session);
	prog_api_item(req, s);
	json_object_del(s, "event_slug");
	json_object_set_new(s, "event", json_string(web_str(o.event, "slug")));
	json_object_set(s, "places", o.places);
	json_object_set_new(s, "url", json_sprintf("/events/%s/sessions/%lld",
						   web_str(o.event, "slug"),
						   (long long)id_of(o.session, "id")));
	return adm_api_answer(res, add && o.changed ? 201 : 200,
			      json_pack("{s:o, s:b, s:b}", "session", s, "starred", o.starred,
					"signed_up", o.signed_up));
}

static enum hm_err api_star(struct http_req *req, struct http_res *res)
{
	return api_act(req, res, req->method == HTTP_POST, 0);
}

static enum hm_err api_signup(struct http_req *req, struct http_res *res)
{
	return api_act(req, res, req->method == HTTP_POST, 1);
}

/* The forms of a session's page: the change, then back to the page. */
static enum hm_err form_act(struct http_req *req, struct http_res *res, enum action a)
{
	const char *slug = http_param(req, "slug");
	int64_t id = site_id_param(req);
	const char *back = arena_printf(&req->pool, "/events/%s/sessions/%lld", slug, (long long)id);
	if (a == GIVE_UP && !web_confirmed(req))
		return web_confirm_page(
			req, res,
			&(struct confirm){
				.question = web_t(req, "Give up your place?"),
				.lines = {web_t(req, "Someone else may take it; if the session fills "
						     "up, you cannot have it back.")},
				.yes = web_t(req, "Yes, give up my place"),
				.back = back,
			});
	struct outcome o;
	enum hm_err e = act(req, res, id, slug, a, &o);
	if (e != HM_OK)
		return e;
	if (req->want_json)
		return adm_api_answer(res, 200,
				      json_pack("{s:b, s:b, s:O}", "starred", o.starred, "signed_up",
						o.signed_up, "places", o.places));
	return web_redirect(req, res, back);
}

static enum hm_err form_star(struct http_req *req, struct http_res *res)
{
	return form_act(req, res, STAR);
}
static enum hm_err form_unstar(struct http_req *req, struct http_res *res)
{
	return form_act(req, res, UNSTAR);
}
static enum hm_err form_signup(struct http_req *req, struct http_res *res)
{
	return form_act(req, res, SIGNUP);
}
static enum hm_err form_give_up(struct http_req *req, struct http_res *res)
{
	return form_act(req, res, GIVE_UP);
}

/* ------------------------------------------------------------ the agenda */

/* The agenda of p (in the caller's read transaction): *events
 * [{event: {slug, title, timezone, dates}, days: [{day, day_label,
 * sessions: [{id, title, kind, kind_label, starts_at, ends_at,
 * start_time, end_time, room, visibility, url, signed_up, places}…]}…]}…];
 * *raw (optional) the same sessions as prog_ics takes them. Both owned
 * by the request. */
static enum hm_err agenda_of(struct http_req *req, const struct principal *p, json_t **events,
			     json_t **raw)
{
	struct db *db = req->db;
	json_t *stars = web_own(req, id_set(db, AG_MY_STARS, p->account_id));
	json_t *mine = web_own(req, id_set(db, AG_MY_SIGNUPS, p->account_id));
	struct db_stmt *st = stars && mine ? db_prepare(db, sql[AG_STAR_EVENTS]) : NULL;
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, p->account_id);
	json_t *evs = web_own(req, db_rows_json(st));
	if (!evs)
		return HM_EDB;
	json_t *out = web_own(req, json_array()), *flat = web_own(req, json_array());
	size_t i, j;
	json_t *row, *s;
	char key[24];
	json_array_foreach(evs, i, row) {
		json_t *ev = web_own(req, prog_event_by_id(db, id_of(row, "id")));
		if (!ev)
			return db_failed(db) ? HM_EDB : HM_OK;
		if (!sees_event(p, ev))
			continue;
		int more = sees_more(db, p, ev);
		json_t *all = web_own(req, prog_published(db, id_of(ev, "id"), NULL));
		tr_overlay_list(req, "session", prog_tr_fields, all);
		json_t *taken = web_own(req, prog_signup_counts(db, id_of(ev, "id")));
		if (more < 0 || !all || !taken)
			return HM_EDB;
		json_t *days = json_array(), *cur = NULL;
		const char *last = NULL;
		json_array_foreach(all, j, s) {
			snprintf(key, sizeof(key), "%lld", (long long)id_of(s, "id"));
			const char *start = web_str(s, "starts_at"), *end = web_str(s, "ends_at");
			if (!json_object_get(stars, key) || !start || !end || strlen(start) < 16 ||
			    strlen(end) < 16 ||
			    (!more && !str_eq(web_str(s, "visibility"), "public")))
				continue;
			json_array_append(flat, s);
			const char *day = arena_printf(&req->pool, "%.10s", start);
			if (!last || strcmp(last, day) != 0) {
				cur = json_array();
				json_array_append_new(
					days, json_pack("{s:s, s:s?, s:o}", "day", day, "day_label",
							fmt_date(&req->pool, req->lang, day, FMT_LONG),
							"sessions", cur));
				last = day;
			}
			json_t *t = json_pack(
				"{s:O, s:O, s:O, s:s?, s:O, s:O, s:o, s:o, s:O?, s:O, s:o, s:b, s:o}",
				"id", json_object_get(s, "id"), "title", json_object_get(s, "title"),
				"kind", json_object_get(s, "kind"), "kind_label",
				adm_label(req, web_str(s, "kind")), "starts_at",
				json_object_get(s, "starts_at"), "ends_at", json_object_get(s, "ends_at"),
				"start_time", json_sprintf("%.5s", start + 11), "end_time",
				json_sprintf("%.5s", end + 11), "room", json_object_get(s, "room"),
				"visibility", json_object_get(s, "visibility"), "url",
				json_sprintf("/events/%s/sessions/%s", web_str(ev, "slug"), key),
				"signed_up", json_object_get(mine, key) != NULL, "places",
				places_of(req, s, json_integer_value(json_object_get(taken, key))));
			json_array_append_new(cur, t);
		}
		if (!json_array_size(days)) {
			json_decref(days);
			continue;
		}
		json_t *head = json_pack("{s:O, s:O, s:O}", "slug", json_object_get(ev, "slug"),
					 "title", json_object_get(ev, "title"), "timezone",
					 json_object_get(ev, "timezone"));
		web_set_str(head, "dates", fmt_date_range(&req->pool, req->lang,
							  web_str(ev, "starts_on"),
							  web_str(ev, "ends_on")));
		json_array_append_new(out, json_pack("{s:o, s:o}", "event", head, "days", days));
	}
	*events = out;
	if (raw)
		*raw = flat;
	return HM_OK;
}

/* The token of a feed: the keyed hash of "<account>:<salt>". */
static enum hm_err feed_token(struct db *db, int64_t account_id, const char *salt,
			      char out[FEED_TOKEN_LEN + 1])
{
	unsigned char key[32], mac[32];
	enum hm_err e = auth_server_key(db, "agenda", key);
	if (e != HM_OK)
		return e;
	char msg[96];
	snprintf(msg, sizeof(msg), "%lld:%s", (long long)account_id, salt);
	crypto_generichash(mac, sizeof(mac), (const unsigned char *)msg, strlen(msg), key,
			   sizeof(key));
	sodium_memzero(key, sizeof(key));
	sodium_bin2base64(out, FEED_TOKEN_LEN + 1, mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return HM_OK;
}

static void digest_of(const char *token, char hex[65])
{
	unsigned char d[32];
	crypto_generichash(d, sizeof(d), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(hex, 65, d, sizeof(d));
}

/* The feed of account_id: {url, created_at}, or null when it has none. */
static enum hm_err feed_of(struct http_req *req, int64_t account_id, json_t **out)
{
	*out = NULL;
	struct db_stmt *st = db_prepare(req->db, sql[AG_FEED_GET]);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, account_id);
	json_t *row = web_own(req, db_one_json(st));
	if (!row) {
		if (db_failed(req->db))
			return HM_EDB;
		*out = json_null();
		return HM_OK;
	}
	char token[FEED_TOKEN_LEN + 1];
	enum hm_err e = feed_token(req->db, account_id, web_str(row, "salt"), token);
	if (e != HM_OK)
		return e;
	*out = json_pack("{s:s, s:s, s:O}", "url",
			 arena_printf(&req->pool, "%s/agenda/%s.ics", server_base_url(req->srv),
				      token),
			 "path", arena_printf(&req->pool, "/agenda/%s.ics", token), "created_at",
			 json_object_get(row, "created_at"));
	sodium_memzero(token, sizeof(token));
	return HM_OK;
}

/* GET /agenda (and its JSON twin): {events, count, feed}. */
static enum hm_err page_agenda(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *events = NULL, *raw = NULL, *feed = NULL;
	enum hm_err e = agenda_of(req, p, &events, &raw);
	if (e == HM_OK)
		e = feed_of(req, p->account_id, &feed);
	db_rollback(req->db);
	if (e != HM_OK) {
		json_decref(feed);
		return e;
	}
	json_t *m = json_pack("{s:O, s:I, s:o}", "events", events, "count",
			      (json_int_t)json_array_size(raw), "feed", feed);
	json_object_set_new(m, "csrf", json_string(web_csrf_token(req, res)));
	const char *done = http_query(req, "done");
	if (str_eq(done, "feed"))
		json_object_set_new(m, "done_feed", json_true());
	web_private(req, res);
	http_res_page(res, m, "pages/agenda", web_t(req, "My agenda"));
	return HM_OK;
}

/* POST /agenda/feed: a new secret address for the agenda's calendar
 * feed; the old one stops working. 201 {feed}; a form goes back to
 * /agenda, after asking when it replaces an address. */
static enum hm_err post_feed(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	int json = req->want_json || (req->route->flags & WEB_JSON);
	if (!json && !web_confirmed(req)) {
		if (web_read_begin(req) != HM_OK)
			return HM_EDB;
		json_t *have = NULL;
		enum hm_err e = feed_of(req, p->account_id, &have);
		db_rollback(req->db);
		if (e != HM_OK)
			return e;
		int replaces = !json_is_null(have);
		json_decref(have);
		if (replaces)
			return web_confirm_page(
				req, res,
				&(struct confirm){
					.question = web_t(req, "Make a new address?"),
					.lines = {web_t(req, "The address you have now stops working "
							     "at once: calendars subscribed to it "
							     "will no longer be updated.")},
					.yes = web_t(req, "Yes, make a new address"),
					.back = "/agenda",
				});
	}
	unsigned char raw[16];
	char salt[33], token[FEED_TOKEN_LEN + 1], hex[65];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(salt, sizeof(salt), raw, sizeof(raw));
	enum hm_err e = db_begin(req->db);
	if (e != HM_OK)
		return e;
	e = feed_token(req->db, p->account_id, salt, token);
	if (e == HM_OK) {
		digest_of(token, hex);
		struct db_stmt *st = db_prepare(req->db, sql[AG_FEED_PUT]);
		if (!st) {
			e = HM_EDB;
		} else {
			db_bind_int(st, 1, p->account_id);
			db_bind_text(st, 2, hex);
			db_bind_text(st, 3, salt);
			db_bind_text(st, 4, web_now(req));
			e = db_run(st);
		}
	}
	sodium_memzero(token, sizeof(token));
	json_t *feed = NULL;
	if (e == HM_OK)
		e = feed_of(req, p->account_id, &feed);
	if (e == HM_OK)
		e = db_commit(req->db);
	if (e != HM_OK) {
		db_rollback(req->db);
		json_decref(feed);
		return e;
	}
	if (json)
		return adm_api_answer(res, 201, json_pack("{s:o}", "feed", feed));
	json_decref(feed);
	return web_redirect(req, res, "/agenda?done=feed");
}

/* GET /agenda/{token}.ics: the calendar of the agenda of the token's
 * account, for calendar apps (no cookie); 404 for any other token. */
static enum hm_err page_feed(struct http_req *req, struct http_res *res)
{
	const char *file = http_param(req, "file");
	size_t n = file ? strlen(file) : 0;
	res->no_store = 1;
	if (n != FEED_TOKEN_LEN + 4 || strcmp(file + FEED_TOKEN_LEN, ".ics") != 0)
		return http_fail(res, HM_ENOTFOUND, "There is no such calendar.");
	char token[FEED_TOKEN_LEN + 1], hex[65];
	memcpy(token, file, FEED_TOKEN_LEN);
	token[FEED_TOKEN_LEN] = '\0';
	digest_of(token, hex);
	sodium_memzero(token, sizeof(token));
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	struct db_stmt *st = db_prepare(req->db, sql[AG_FEED_BY_HASH]);
	int64_t account_id = 0;
	if (st) {
		db_bind_text(st, 1, hex);
		if (db_step(st) == 1)
			account_id = db_col_int(st, 0);
		db_done(st);
	}
	struct principal p;
	enum hm_err e = account_id ? auth_principal_load(req->db, account_id, AUTH_VIA_NONE, &p)
				   : HM_ENOTFOUND;
	json_t *events = NULL, *raw = NULL;
	if (e == HM_OK)
		e = agenda_of(req, &p, &events, &raw);
	db_rollback(req->db);
	if (db_failed(req->db))
		return HM_EDB;
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such calendar.");
	if (e != HM_OK)
		return e;
	if ((e = prog_ics(req, &res->body, web_t(req, "My agenda"), raw, NULL)) != HM_OK)
		return e;
	res->content_type = "text/calendar; charset=utf-8";
	http_res_header(res, "Content-Disposition", "inline; filename=\"agenda.ics\"");
	return HM_OK;
}

const struct route prog_agenda_routes[] = {
	{POST | DELETE, "/api/v1/sessions/{id}/star", api_star, WEB_JSON | WEB_SELF | WEB_CSRF},
	{POST | DELETE, "/api/v1/sessions/{id}/signup", api_signup,
	 WEB_JSON | WEB_SELF | WEB_CSRF},
	{POST, "/events/{slug}/sessions/{id}/star", form_star, WEB_SELF | WEB_CSRF},
	{POST, "/events/{slug}/sessions/{id}/unstar", form_unstar, WEB_SELF | WEB_CSRF},
	{POST, "/events/{slug}/sessions/{id}/signup", form_signup, WEB_SELF | WEB_CSRF},
	{POST, "/events/{slug}/sessions/{id}/give-up", form_give_up, WEB_SELF | WEB_CSRF},
	{GET, "/agenda", page_agenda, WEB_SELF},
	{POST, "/agenda/feed", post_feed, WEB_SELF | WEB_CSRF},
	{GET, "/agenda/{file}", page_feed, WEB_PRIVATE},
	WEB_ROUTES_END,
};
