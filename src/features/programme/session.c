/*
 * session.c — the session kind: how an organiser's session is read,
 * checked (times, room, the event's days), stored and audited, served by
 * the site's kind handlers for its edit pages (/admin/sessions/{id}…)
 * and its API (/api/v1/sessions/{id}); created under its event
 * (/admin/events/{slug}/sessions, /api/v1/events/{slug}/sessions).
 */
#include "features/programme/prog_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "features/events/events_admin.h"
#include "site/site.h"
#include "site/translations.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <string.h>

#define TITLE_MAX 200
#define TRACK_MAX 100
#define DESC_MAX 20000
#define LANGS_MAX 12

static const struct field session_fields[] = {
	{.name = "title", .kind = FIELD_TEXT, .required = 1, .max_len = TITLE_MAX, .label = N_("Title")},
	{.name = "kind", .kind = FIELD_CHOICE, .choices = prog_kinds, .label = N_("Kind of session")},
	{.name = "track", .kind = FIELD_TEXT, .max_len = TRACK_MAX, .label = N_("Track")},
	{.name = "description_md", .kind = FIELD_MULTILINE, .max_len = DESC_MAX, .label = N_("Description")},
	{.name = "starts_at", .kind = FIELD_TEXT, .required = 1, .max_len = 40, .label = N_("Starts")},
	{.name = "ends_at", .kind = FIELD_TEXT, .required = 1, .max_len = 40, .label = N_("Ends")},
	{.name = "room", .kind = FIELD_TEXT, .max_len = 100, .label = N_("Room")},
	{.name = "capacity", .kind = FIELD_INT, .min = 0, .max = 1000000, .label = N_("Capacity")},
	{.name = "visibility", .kind = FIELD_CHOICE, .choices = prog_visibilities, .label = N_("Who sees it")},
	{.name = "event_slug", .kind = FIELD_TEXT, .max_len = SLUG_MAX, .label = N_("Event")},
	{.name = "interpretation", .kind = FIELD_BOOL, .label = N_("Interpretation")},
	{.name = "interpretation_languages", .kind = FIELD_TEXT, .max_len = 100, .label = N_("Interpreted into")},
	/* when the editor read it: a later save by someone else is merged
	 * or refused, never silently overwritten */
	{.name = "updated_at", .kind = FIELD_TEXT, .max_len = 40, .label = N_("Last saved")},
};

/* "conflicts" is read only: a client sending back what it read is not
 * refused for it. */
static const char *const json_extra[] = {"people", "interpretation_languages", "conflicts", NULL};

/* ------------------------------------------------------------- reads */

static int64_t id_of(const char *key)
{
	int64_t id;
	return key && text_int_parse(key, &id) && id > 0 ? id : 0;
}

static json_t *session_snapshot(struct db *db, const char *key)
{
	int64_t id = id_of(key);
	return id ? prog_session_get(db, id) : NULL;
}

static void session_scope(const json_t *t, struct auth_scope *out)
{
	*out = prog_scope(t);
}

static int session_may_edit(struct db *db, const struct principal *p, const json_t *before)
{
	struct auth_scope s = prog_scope(before);
	(void)db;
	return auth_can(p, AUTH_PROGRAMME_EDIT, &s);
}

void prog_api_item(struct http_req *req, json_t *t)
{
	(void)req;
	static const char *const internal[] = {"event_id", "event_status", "series_id", "timezone",
					       "room_capacity"};
	for (size_t i = 0; i < HM_ARRAY_LEN(internal); i++)
		json_object_del(t, internal[i]);
}

/* ------------------------------------------------------------- rules */

static const char *nonempty(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : NULL;
}

static json_t *session_defaults(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[]}", "kind", "panel", "visibility", "public",
			 "track", "", "description_md", "", "languages");
}

/* The languages as sent: a list of codes (a form's text may hold several
 * separated by commas or spaces); empty entries dropped. */
static json_t *languages_of(const json_t *v)
{
	json_t *out = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		const char *s = json_string_value(x);
		if (!s) {
			json_array_append_new(out, json_string("?"));
			continue;
		}
		while (*s) {
			size_t n = strcspn(s, ", ");
			if (n)
				json_array_append_new(out, json_stringn(s, n));
			s += n;
			s += strspn(s, ", ");
		}
	}
	return out;
}

/* A list of language codes of in (or, not sent, of cur): a list, or a
 * text of codes separated by commas or spaces; "?" when it is neither. */
static json_t *codes_in(const json_t *in, const json_t *cur, const char *key)
{
	json_t *v = json_object_get(in, key);
	if (!v)
		v = json_object_get(cur, key);
	if (json_is_string(v)) {
		json_t *one = json_pack("[O]", v);
		json_t *out = languages_of(one);
		json_decref(one);
		return out;
	}
	return json_is_array(v) ? languages_of(v) : json_is_null(v) || !v ? json_array()
									 : json_string("?");
}

static json_t *session_merge(const json_t *cur, const json_t *in)
{
	static const char *const keys[] = {"title",   "kind", "track",    "description_md",
					   "starts_at", "ends_at", "room", "capacity",
					   "visibility"};
	json_t *m = json_object();
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(in, keys[i]);
		if (!v)
			v = json_object_get(cur, keys[i]);
		if (v)
			json_object_set(m, keys[i], v);
	}
	/* A session stays in its event; a new one goes where the path says. */
	json_t *ev = json_object_get(json_object_get(cur, "id") ? cur : in, "event_slug");
	if (ev)
		json_object_set(m, "event_slug", ev);
	json_t *cap = json_object_get(m, "capacity");
	if (json_is_string(cap)) {
		int64_t n;
		const char *s = json_string_value(cap);
		json_object_set_new(m, "capacity", !*s ? json_null()
						       : text_int_parse(s, &n) ? json_integer(n)
									       : json_string(s));
	}
	if (!nonempty(m, "room"))
		json_object_set_new(m, "room", json_null());
	json_object_set_new(m, "languages", codes_in(in, cur, "languages"));
	json_object_set_new(m, "interpretation_languages",
			    codes_in(in, cur, "interpretation_languages"));
	json_t *interp = json_object_get(in, "interpretation");
	if (!interp)
		interp = json_object_get(cur, "interpretation");
	json_object_set_new(m, "interpretation",
			    json_boolean(json_is_true(interp) ||
					 str_eq(json_string_value(interp), "1")));
	/* the people only when sent: absent, they stay as they are */
	if (json_object_get(in, "people"))
		json_object_set(m, "people", json_object_get(in, "people"));
	if (nonempty(in, "updated_at") && json_object_get(cur, "id"))
		json_object_set(m, "seen_updated_at", json_object_get(in, "updated_at"));
	return m;
}

/* Times as stored: UTC. */
static void session_complete(json_t *m, const json_t *before, int64_t now)
{
	struct arena a;
	static const char *const times[] = {"starts_at", "ends_at"};
	(void)before;
	(void)now;
	arena_init(&a);
	for (size_t i = 0; i < HM_ARRAY_LEN(times); i++) {
		int64_t t = time_parse_rfc3339(nonempty(m, times[i]));
		if (t >= 0)
			json_object_set_new(m, times[i], json_string(time_format_rfc3339(&a, t)));
	}
	arena_free(&a);
}

/* "en", "zh", "pt-BR": a language as BCP 47 writes it, short. */
static int language_valid(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
	if (n < 2 || n > 3)
		return 0;
	if (!s[n])
		return 1;
	if (s[n] != '-')
		return 0;
	s += n + 1;
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
	return n >= 2 && n <= 8 && !s[n];
}

static int one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (str_eq(s, *list))
			return 1;
	return 0;
}

static int session_check(const json_t *m, struct field_errors *errs)
{
	int n = errs->n;
	const char *title = nonempty(m, "title");
	if (!title)
		field_error_add(errs, "title", "This field is required.");
	else if (strlen(title) > TITLE_MAX)
		field_error_add(errs, "title", "This is too long.");
	if (!one_of(json_string_value(json_object_get(m, "kind")), prog_kinds))
		field_error_add(errs, "kind", "Choose one of the options.");
	if (!one_of(json_string_value(json_object_get(m, "visibility")), prog_visibilities))
		field_error_add(errs, "visibility", "Choose one of the options.");
	const char *track = json_string_value(json_object_get(m, "track"));
	if (track && strlen(track) > TRACK_MAX)
		field_error_add(errs, "track", "This is too long.");
	int64_t start = time_parse_rfc3339(nonempty(m, "starts_at"));
	int64_t end = time_parse_rfc3339(nonempty(m, "ends_at"));
	if (start < 0)
		field_error_add(errs, "starts_at", "Enter a date and time as YYYY-MM-DDTHH:MM.");
	if (end < 0)
		field_error_add(errs, "ends_at", "Enter a date and time as YYYY-MM-DDTHH:MM.");
	if (start >= 0 && end >= 0 && end <= start)
		field_error_add(errs, "ends_at", "The end must be after the start.");
	json_t *cap = json_object_get(m, "capacity");
	if (cap && !json_is_null(cap) && (!json_is_integer(cap) || json_integer_value(cap) < 0))
		field_error_add(errs, "capacity", "Enter a whole number of 0 or more.");
	static const char *const lists[] = {"languages", "interpretation_languages"};
	for (size_t k = 0; k < HM_ARRAY_LEN(lists); k++) {
		json_t *langs = json_object_get(m, lists[k]);
		size_t i;
		json_t *l;
		int bad = !json_is_array(langs) || json_array_size(langs) > LANGS_MAX;
		json_array_foreach(langs, i, l) bad |= !language_valid(json_string_value(l));
		if (bad)
			field_error_add(errs, lists[k], "Give each language as a code such as en or zh.");
	}
	prog_people_check(json_object_get(m, "people"), errs);
	return errs->n - n;
}

/* ------------------------------------------------- concurrent edits */

/* The fields an editor changes, as the merge and the snapshot name them. */
static const char *const edited[] = {
	"title",      "kind",	   "track",	 "description_md", "starts_at",
	"ends_at",    "room",	   "capacity",	 "visibility",	   "languages",
	"interpretation", "interpretation_languages",
};

/* 1 if a and b hold the same value of key (times compared as instants,
 * an absent value as null). */
static int same_value(const json_t *a, const json_t *b, const char *key)
{
	json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
	if (str_eq(key, "starts_at") || str_eq(key, "ends_at"))
		return time_parse_rfc3339(json_string_value(x)) ==
		       time_parse_rfc3339(json_string_value(y));
	if (json_is_null(x) || (json_is_string(x) && !*json_string_value(x) && str_eq(key, "room")))
		x = NULL;
	if (json_is_null(y) || (json_is_string(y) && !*json_string_value(y) && str_eq(key, "room")))
		y = NULL;
	if (json_is_boolean(x) && json_is_boolean(y))
		return json_is_true(x) == json_is_true(y);
	return (!x && !y) || (x && y && json_equal(x, y));
}

/* The session as it was when stored at updated_at: the audit entry of
 * the change that followed it keeps it (its "before"). NULL: not kept. */
static json_t *as_seen(struct db *db, int64_t id, const char *updated_at)
{
	struct db_stmt *st = db_prepare(db, "SELECT before_json FROM audit_log WHERE entity = 'session' "
					    "AND entity_id = ? AND action = 'session.update' "
					    "AND at >= ? ORDER BY id");
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, updated_at);
	json_t *seen = NULL;
	while (!seen && db_step(st) == 1) {
		json_t *b = json_loads(db_col_text(st, 0) ? db_col_text(st, 0) : "", 0, NULL);
		if (str_eq(json_string_value(json_object_get(b, "updated_at")), updated_at))
			seen = b;
		else
			json_decref(b);
	}
	db_done(st);
	return seen;
}

/* The editor read the session at m's seen_updated_at; someone saved it
 * since (before is it now). A field only they changed takes their value;
 * a field only the editor changed keeps the editor's; a field both
 * changed, differently, is refused (the form's error says so, each such field
 * says it changed) and nothing is saved. */
static enum hm_err settle_concurrent(struct db *db, const json_t *before, json_t *m,
				     struct field_errors *errs)
{
	const char *seen_at = nonempty(m, "seen_updated_at");
	if (!seen_at || str_eq(seen_at, nonempty(before, "updated_at")))
		return HM_OK;
	json_t *seen = as_seen(db, json_integer_value(json_object_get(before, "id")), seen_at);
	if (!seen && db_failed(db))
		return HM_EDB;
	int clash = 0;
	for (size_t i = 0; i < HM_ARRAY_LEN(edited); i++) {
		const char *k = edited[i];
		int mine = !seen || !same_value(seen, m, k);
		int theirs = !seen || !same_value(seen, before, k);
		if (!theirs || same_value(m, before, k))
			continue;
		if (!mine) { /* theirs alone */
			json_t *v = json_object_get(before, k);
			json_object_set(m, k, v ? v : json_null());
			continue;
		}
		field_error_add(errs, k, "Someone else changed this since you opened the form.");
		clash = 1;
	}
	json_decref(seen);
	if (clash) {
		field_error_add(errs, "",
				"Someone else saved this session after you opened it, and nothing was "
				"saved. The fields marked were changed by both of you: check them, then "
				"save again.");
		return HM_ECONFLICT;
	}
	return HM_OK;
}

/* The event (the right to edit its programme there), the room by its
 * name (its id in *ref), and the event's days. */
static enum hm_err session_resolve(struct db *db, const struct principal *p, const json_t *before,
				   const json_t *m, int64_t *ref, struct field_errors *errs)
{
	struct arena a;
	(void)before;
	*ref = 0;
	json_t *ev = prog_event(db, nonempty(m, "event_slug"));
	if (!ev)
		return db_failed(db) ? HM_EDB : HM_ENOTFOUND;
	struct auth_scope sc = prog_scope(ev);
	if (!auth_can(p, AUTH_PROGRAMME_EDIT, &sc)) {
		json_decref(ev);
		return HM_EFORBIDDEN;
	}
	enum hm_err e = HM_OK;
	if (json_object_get(m, "people"))
		e = prog_people_resolve(db, sc.event_id, json_object_get(m, "people"), errs);
	if (e != HM_OK) {
		json_decref(ev);
		return e;
	}
	const char *room = nonempty(m, "room");
	if (room) {
		struct db_stmt *st = prog_prep(db, PSQL_ROOM_BY_NAME);
		if (!st) {
			json_decref(ev);
			return HM_EDB;
		}
		db_bind_int(st, 1, sc.event_id);
		db_bind_text(st, 2, room);
		int rc = db_step(st);
		if (rc == 1)
			*ref = db_col_int(st, 0);
		db_done(st);
		if (rc < 0) {
			json_decref(ev);
			return HM_EDB;
		}
		if (rc == 0)
			field_error_add(errs, "room", "This event has no room of this name.");
	}
	/* Within the event's days, in its zone; a session may end at the
	 * midnight that closes its last day. */
	arena_init(&a);
	const char *tz = nonempty(ev, "timezone");
	const char *from = nonempty(ev, "starts_on"), *to = nonempty(ev, "ends_on");
	int64_t start = time_parse_rfc3339(nonempty(m, "starts_at"));
	int64_t end = time_parse_rfc3339(nonempty(m, "ends_at"));
	const char *sday = tz ? fmt_local_ymd(&a, tz, start) : NULL;
	const char *eday = tz ? fmt_local_ymd(&a, tz, end - 1) : NULL;
	if (sday && from && to && (strcmp(sday, from) < 0 || strcmp(sday, to) > 0))
		field_error_add(errs, "starts_at", "The session must fall within the event's dates.");
	else if (eday && from && to && (strcmp(eday, from) < 0 || strcmp(eday, to) > 0))
		field_error_add(errs, "ends_at", "The session must fall within the event's dates.");
	arena_free(&a);
	json_decref(ev);
	return HM_OK;
}

static enum hm_err session_write(struct db *db, const json_t *m, int64_t room_id, int64_t id,
				 const char *ts, int64_t *id_out)
{
	struct db_stmt *st = prog_prep(db, id ? PSQL_SESSION_UPDATE : PSQL_SESSION_INSERT);
	if (!st)
		return HM_EDB;
	struct buf langs;
	buf_init(&langs);
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(m, "languages"), i, l)
		buf_printf(&langs, "%s%s", i ? "," : "", json_string_value(l));
	const char *track = json_string_value(json_object_get(m, "track"));
	const char *desc = json_string_value(json_object_get(m, "description_md"));
	json_t *cap = json_object_get(m, "capacity");
	int k = 1;
	db_bind_text(st, k++, nonempty(m, "title"));
	db_bind_text(st, k++, nonempty(m, "kind"));
	db_bind_text(st, k++, track ? track : "");
	db_bind_text(st, k++, desc ? desc : "");
	db_bind_text(st, k++, nonempty(m, "starts_at"));
	db_bind_text(st, k++, nonempty(m, "ends_at"));
	if (room_id)
		db_bind_int(st, k++, room_id);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, langs.data ? langs.data : "");
	if (json_is_integer(cap))
		db_bind_int(st, k++, json_integer_value(cap));
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, nonempty(m, "visibility"));
	db_bind_int(st, k++, json_is_true(json_object_get(m, "interpretation")));
	struct buf il;
	buf_init(&il);
	json_array_foreach(json_object_get(m, "interpretation_languages"), i, l)
		buf_printf(&il, "%s%s", i ? "," : "", json_string_value(l));
	db_bind_text(st, k++, il.data ? il.data : "");
	buf_free(&il);
	db_bind_text(st, k++, ts);
	if (id) {
		db_bind_int(st, k++, id);
	} else {
		db_bind_text(st, k++, ts);
		db_bind_text(st, k++, nonempty(m, "event_slug"));
	}
	enum hm_err e = db_run(st);
	buf_free(&langs);
	if (e == HM_OK)
		*id_out = id ? id : db_last_insert_id(db);
	if (e == HM_OK && json_object_get(m, "people")) {
		json_t *ev = prog_event(db, nonempty(m, "event_slug"));
		e = ev ? prog_people_write(db, json_integer_value(json_object_get(ev, "id")), *id_out,
					   json_object_get(m, "people"))
		       : HM_EDB;
		json_decref(ev);
	}
	return e;
}

static const char *session_action(const json_t *before, const json_t *after)
{
	(void)after;
	return before ? "session.update" : "session.create";
}

/* What a deletion keeps in the trash: the row, back in its room while
 * the room is there. */
static const char *const trash_cols[] = {
	"id", "event_id", "title", "kind", "track", "description_md", "starts_at", "ends_at",
	"room_id", "languages", "capacity", "visibility", "interpretation",
	"interpretation_languages", "lang", "created_at", "updated_at", NULL};
static const char *const trash_personal_cols[] = {"session_id", "account_id", "created_at",
						  "account_id", NULL};
static const char *const trash_people_cols[] = {"session_id", "person_id", "role", "position",
						"person_id", NULL};
static const struct kind_part session_trash[] = {
	{"programme_session",
	 "SELECT id, event_id, title, kind, track, description_md, starts_at, ends_at, room_id, "
	 "languages, capacity, visibility, interpretation, interpretation_languages, lang, "
	 "created_at, updated_at FROM programme_session WHERE id = ?",
	 "INSERT INTO programme_session (id, event_id, title, kind, track, description_md, "
	 "starts_at, ends_at, room_id, languages, capacity, visibility, interpretation, "
	 "interpretation_languages, lang, created_at, updated_at) "
	 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT id FROM programme_room WHERE id = ?), ?, ?, ?, "
	 "?, ?, ?, ?, ?)",
	 trash_cols, "id"},
	/* its people, while they are in the programme */
	{"programme_session_person",
	 "SELECT session_id, person_id, role, position FROM programme_session_person "
	 "WHERE session_id = ?",
	 "INSERT INTO programme_session_person (session_id, person_id, role, position) "
	 "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM programme_person WHERE id = ?)",
	 trash_people_cols, "session_id"},
	/* its readers' stars and places, for the accounts still there */
	{"programme_star",
	 "SELECT session_id, account_id, created_at FROM programme_star "
	 "WHERE session_id = ?",
	 "INSERT INTO programme_star (session_id, account_id, created_at) "
	 "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM account WHERE id = ?)",
	 trash_personal_cols, "session_id"},
	{"programme_signup",
	 "SELECT session_id, account_id, created_at FROM programme_signup "
	 "WHERE session_id = ?",
	 "INSERT INTO programme_signup (session_id, account_id, created_at) "
	 "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM account WHERE id = ?)",
	 trash_personal_cols, "session_id"},
	TR_TRASH_PART("session"),
	{NULL, NULL, NULL, NULL, NULL},
};

/* ----------------------------------------------------------- the web */

/* A session as the API answers: its conflicts as the programme stands
 * for those who may edit it (the others see the released copy, without
 * them), the internal keys gone. */
static void session_api_item(struct http_req *req, json_t *t)
{
	struct auth_scope sc = prog_scope(t);
	if (auth_can(web_principal(req), AUTH_PROGRAMME_EDIT, &sc) && web_read_begin(req) == HM_OK) {
		json_t *ev = prog_event_by_id(req->db, sc.event_id), *all = NULL;
		json_t *c = ev ? prog_conflicts(req->db, ev, &all) : NULL;
		db_rollback(req->db);
		if (c) {
			json_t *mine = prog_conflicts_for(c, json_integer_value(json_object_get(t, "id")));
			prog_conflicts_explain(req, mine, all);
			json_object_set_new(t, "conflicts", mine);
		}
		json_decref(c);
		json_decref(ev);
		json_decref(all);
	}
	prog_api_item(req, t);
}

/* The time zone of the session's event: the path's event, or the
 * session's (NULL: unknown). */
static const char *zone_of_request(struct http_req *req)
{
	json_t *ev = NULL;
	const char *tz = NULL;
	if (web_read_begin(req) != HM_OK)
		return NULL;
	if (http_param(req, "slug")) {
		ev = prog_event(req->db, http_param(req, "slug"));
	} else if (site_id_param(req)) {
		ev = prog_session_get(req->db, site_id_param(req));
	}
	db_rollback(req->db);
	if (ev && nonempty(ev, "timezone"))
		tz = arena_strdup(&req->pool, nonempty(ev, "timezone"));
	json_decref(ev);
	return tz;
}

/* The path's event for a new one; a form's wall-clock times
 * ("YYYY-MM-DDTHH:MM") in the event's zone. */
static void session_input_extra(struct http_req *req, struct adm_input *in)
{
	const char *tz = NULL;
	int tz_read = 0;
	for (size_t k = 0; k < in->f.n; k++) {
		const char *name = in->f.fields[k].name;
		if (str_eq(name, "event_slug")) {
			in->f.values[k] = http_param(req, "slug");
			if (in->f.values[k])
				json_object_set_new(in->present, name, json_true());
			continue;
		}
		if (!str_eq(name, "starts_at") && !str_eq(name, "ends_at"))
			continue;
		const char *v = in->f.values[k];
		int64_t t;
		if (!v || strlen(v) != 16)
			continue;
		if (!tz_read) {
			tz = zone_of_request(req);
			tz_read = 1;
		}
		if (tz && tz_local_to_utc(v, tz, &t) == HM_OK)
			in->f.values[k] = time_format_rfc3339(&req->pool, t);
	}
}

static enum hm_err may_create_session(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	return prog_web_event(req, res, &ev);
}

static const char *const legends[] = {N_("The session"), N_("When and where"),
				      N_("Languages and places")};
static const struct adm_widget widgets[] = {
	{"title", N_("Title"), NULL, W_INPUT, "text", 0, 0},
	{"kind", N_("Kind of session"), NULL, W_SELECT, NULL, 0, 0},
	{"track", N_("Track"), N_("The theme it belongs to, such as “Culture and values”."), W_INPUT,
	 "text", 0, 0},
	{"description_md", N_("Description"), N_("Markdown."), W_TEXTAREA, NULL, 0, 0},
	{"starts_at", N_("Starts"), N_("In the event's time zone."), W_INPUT, "datetime-local", 1, 0},
	{"ends_at", N_("Ends"), N_("In the event's time zone."), W_INPUT, "datetime-local", 1, 0},
	{"room", N_("Room"), NULL, W_SELECT, NULL, 1, 0},
	{"visibility", N_("Who sees it"), NULL, W_SELECT, NULL, 1, 0},
	{"languages", N_("Languages spoken"), NULL, W_CHECKBOXES, NULL, 2, 0},
	{"capacity", N_("Capacity"), N_("Places, when fewer than the room holds."), W_INPUT, "number",
	 2, 0},
	{"interpretation", N_("Interpretation"), NULL, W_SELECT, NULL, 2, 0},
	{"interpretation_languages", N_("Interpreted into"),
	 N_("Language codes separated by commas, such as en, zh."), W_INPUT, "text", 2, 0},
};

/* A form's value of key (values: strings, the list field a list) as
 * the JSON of the session holds it, for comparing. Caller owns it. */
static json_t *as_stored(const json_t *values, const char *key)
{
	json_t *v = json_object_get(values, key);
	const char *s = json_string_value(v);
	int64_t n;
	if (str_eq(key, "capacity"))
		return s && *s && text_int_parse(s, &n) ? json_integer(n) : json_null();
	if (str_eq(key, "interpretation"))
		return json_boolean(str_eq(s, "1"));
	if (str_eq(key, "room"))
		return s && *s ? json_string(s) : json_null();
	if (str_eq(key, "languages") || str_eq(key, "interpretation_languages")) {
		json_t *one = json_is_array(v) ? json_incref(v) : json_pack("[s]", s ? s : "");
		json_t *out = languages_of(one);
		json_decref(one);
		return out;
	}
	return v ? json_incref(v) : json_null();
}

/* After a refused concurrent edit, the form shows the session as it is
 * now (t) with the editor's own changes (against seen, the version they
 * had read; all of them when it is not known) laid over it, so that a
 * second save keeps both. */
static void shown_after_clash(struct http_req *req, json_t *values, const json_t *seen,
			      const json_t *t, const char *tz)
{
	json_t *form = adm_values_of(t, session_fields, HM_ARRAY_LEN(session_fields), "languages");
	json_t *now = json_object_get(form, "values");
	for (size_t i = 0; i < HM_ARRAY_LEN(edited); i++) {
		const char *k = edited[i];
		json_t *mine = as_stored(values, k);
		json_t *wrap = json_pack("{s:O}", k, mine);
		int changed = !seen || !same_value(seen, wrap, k);
		json_decref(wrap);
		json_decref(mine);
		if (changed)
			continue;
		json_t *v = json_object_get(now, k);
		if (str_eq(k, "interpretation"))
			json_object_set_new(values, k, json_string(json_is_true(json_object_get(t, k)) ? "1" : "0"));
		else if (str_eq(k, "interpretation_languages"))
			json_object_del(values, k); /* the stored list is shown below */
		else
			json_object_set_new(values, k, v ? json_incref(v) : json_string(""));
		if (str_eq(k, "starts_at") || str_eq(k, "ends_at")) {
			int64_t when = time_parse_rfc3339(web_str(t, k));
			const char *local = when >= 0 && tz ? tz_utc_to_local(&req->pool, tz, when) : NULL;
			if (local)
				json_object_set_new(values, k, json_string(local));
		}
	}
	json_decref(form);
}

/* The form's wall-clock value of a time (stored, or as sent). */
static void local_value(struct http_req *req, json_t *values, const char *key, const char *tz)
{
	const char *v = json_string_value(json_object_get(values, key));
	int64_t t = v && strlen(v) > 16 ? time_parse_rfc3339(v) : -1;
	const char *local = t >= 0 && tz ? tz_utc_to_local(&req->pool, tz, t) : NULL;
	if (local)
		json_object_set_new(values, key, json_string(local));
}

static enum hm_err session_form_page(struct http_req *req, struct http_res *res, json_t *t,
				     json_t *fj)
{
	json_t *ev = NULL, *rooms = NULL;
	const char *slug = t ? nonempty(t, "event_slug") : http_param(req, "slug");
	web_own(req, t);
	web_own(req, fj);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	ev = web_own(req, prog_event(req->db, slug));
	int64_t eid = json_integer_value(json_object_get(ev, "id"));
	rooms = web_own(req, ev ? prog_rooms(req->db, eid) : NULL);
	json_t *people = t && rooms ? web_own(req, prog_people_options(req, eid)) : NULL;
	json_t *all = people ? web_own(req, prog_sessions(req->db, eid)) : NULL;
	json_t *signups = all ? web_own(req, prog_signup_counts(req->db, eid)) : NULL;
	db_rollback(req->db);
	if (!ev || !rooms || (t && !signups))
		return HM_EDB;
	const char *tz = nonempty(ev, "timezone");
	json_t *values = json_object_get(fj, "values");
	int stale = t && json_is_true(json_object_get(fj, "has_errors")) &&
		    nonempty(values, "updated_at") &&
		    !str_eq(nonempty(values, "updated_at"), nonempty(t, "updated_at"));
	if (stale) {
		if (web_read_begin(req) != HM_OK)
			return HM_EDB;
		json_t *seen = as_seen(req->db, json_integer_value(json_object_get(t, "id")),
				       nonempty(values, "updated_at"));
		db_rollback(req->db);
		shown_after_clash(req, values, seen, t, tz);
		json_decref(seen);
	}
	local_value(req, values, "starts_at", tz);
	local_value(req, values, "ends_at", tz);
	/* the stored values the form shows: lists as text, the flag as 0/1 */
	json_t *il = json_object_get(t, "interpretation_languages");
	if (t && !json_object_get(values, "interpretation_languages") && json_is_array(il)) {
		struct buf b;
		buf_init(&b);
		size_t k;
		json_t *x;
		json_array_foreach(il, k, x) buf_printf(&b, "%s%s", k ? ", " : "", json_string_value(x));
		json_object_set_new(values, "interpretation_languages", json_string(b.data ? b.data : ""));
		buf_free(&b);
	}
	json_t *iv = json_object_get(values, "interpretation");
	if (!json_is_string(iv))
		json_object_set_new(values, "interpretation",
				    json_string(json_is_true(json_object_get(t, "interpretation")) ? "1" : "0"));
	/* The form carries the time of the save it shows: after a refused
	 * concurrent edit, the one it has now seen, so saving again is a
	 * choice. */
	if (t && (!nonempty(values, "updated_at") || stale))
		json_object_set(values, "updated_at", json_object_get(t, "updated_at"));
	json_t *cap = json_object_get(values, "capacity");
	if (json_is_integer(cap))
		json_object_set_new(values, "capacity",
				    json_sprintf("%lld", (long long)json_integer_value(cap)));
	json_t *options = web_own(req, json_object());
	json_object_set_new(options, "kind", adm_options(req, prog_kinds));
	json_object_set_new(options, "visibility", adm_options(req, prog_visibilities));
	json_t *ro = json_array();
	json_array_append_new(ro, json_pack("{s:s, s:s}", "value", "", "label",
					    web_t(req, "— No room —")));
	size_t i;
	json_t *r;
	json_array_foreach(rooms, i, r)
		json_array_append_new(ro, json_pack("{s:O, s:O}", "value", json_object_get(r, "name"),
						    "label", json_object_get(r, "name")));
	json_object_set_new(options, "room", ro);
	json_t *lo = json_array();
	for (const char *const *l = i18n_languages(); *l; l++) {
		const char *name = fmt_language(&req->pool, *l);
		json_array_append_new(lo, json_pack("{s:s, s:s}", "value", *l, "label",
						    name ? name : *l));
	}
	json_object_set_new(options, "languages", lo);
	json_object_set_new(options, "interpretation",
			    json_pack("[{s:s, s:s}, {s:s, s:s}]", "value", "0", "label",
				      web_t(req, "None"), "value", "1", "label",
				      web_t(req, "Offered")));
	json_t *m = json_object();
	json_object_set_new(m, "fieldsets",
			    adm_fieldsets(req, legends, HM_ARRAY_LEN(legends), widgets,
					  HM_ARRAY_LEN(widgets), session_fields,
					  HM_ARRAY_LEN(session_fields), fj, options));
	json_object_set(m, "form", fj);
	json_object_set_new(m, "is_new", json_boolean(!t));
	json_object_set(m, "event", ev);
	json_object_set_new(m, "zone", json_string(fmt_timezone(&req->pool, req->lang, tz,
							       nonempty(ev, "starts_on"))
							   ));
	json_object_set_new(m, "tabs", adm_event_tabs(req, ev, "programme"));
	if (t) {
		json_t *c = web_own(req, prog_conflicts_of(ev, all, signups));
		json_t *mine = prog_conflicts_for(c, json_integer_value(json_object_get(t, "id")));
		prog_conflicts_explain(req, mine, all);
		json_object_set_new(m, "conflicts", mine);
		json_object_set(m, "people_options", people);
		size_t k;
		json_t *w;
		json_array_foreach(json_object_get(t, "people"), k, w)
			web_set_str(w, "role_label", adm_label(req, web_str(w, "role")));
		json_object_set(m, "session", t);
		json_object_set_new(m, "action", json_sprintf("/admin/sessions/%lld",
							      (long long)json_integer_value(
								      json_object_get(t, "id"))));
		json_object_set_new(m, "check_url",
				    json_sprintf("/admin/sessions/%lld/check",
						 (long long)json_integer_value(json_object_get(t, "id"))));
	} else {
		json_object_set_new(m, "action", json_sprintf("/admin/events/%s/sessions", slug));
		json_object_set_new(m, "check_url", json_sprintf("/admin/events/%s/sessions/check", slug));
	}
	return adm_page(req, res, m, "admin/session_form",
			t ? web_t(req, "Edit session") : web_t(req, "New session"), "events");
}

/* POST /admin/events/{slug}/sessions/check and /admin/sessions/{id}/check:
 * the session form as it stands, not saved: {conflicts: [...]} it would
 * have with the programme as it is (each explained), for the form to
 * warn as the organiser edits; 400 {error} when the times do not read. */
static enum hm_err session_check_h(struct http_req *req, struct http_res *res)
{
	json_t *cur = NULL, *ev = NULL;
	enum hm_err e;
	if (site_id_param(req)) {
		if ((e = adm_for_edit(req, res, &session_kind, &cur)) != HM_OK)
			return e;
		web_own(req, cur);
	} else if ((e = prog_web_event(req, res, &ev)) != HM_OK) {
		return e;
	}
	web_private(req, res);
	struct adm_input in;
	adm_input_read(req, session_fields, HM_ARRAY_LEN(session_fields), "languages", json_extra,
		       cur != NULL, &in);
	session_input_extra(req, &in);
	json_t *j = adm_input_json(&in);
	adm_input_free(&in);
	json_t *defaults = cur ? NULL : session_defaults();
	json_t *m = web_own(req, session_merge(cur ? cur : defaults, j));
	json_decref(defaults);
	json_decref(j);
	session_complete(m, cur, 0);
	int64_t start = time_parse_rfc3339(nonempty(m, "starts_at"));
	int64_t end = time_parse_rfc3339(nonempty(m, "ends_at"));
	if (start < 0 || end <= start)
		return http_fail(res, HM_EINVAL, "The end must be after the start.");
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	if (!ev)
		ev = web_own(req, prog_event(req->db, nonempty(m, "event_slug")));
	int64_t eid = json_integer_value(json_object_get(ev, "id"));
	json_t *all = ev ? web_own(req, prog_sessions(req->db, eid)) : NULL;
	json_t *rooms = all ? web_own(req, prog_rooms(req->db, eid)) : NULL;
	json_t *signups = rooms ? web_own(req, prog_signup_counts(req->db, eid)) : NULL;
	db_rollback(req->db);
	if (!signups)
		return HM_EDB;
	/* the draft in the place of the stored one (id 0: a new one) */
	int64_t id = cur ? json_integer_value(json_object_get(cur, "id")) : 0;
	const char *tz = nonempty(ev, "timezone");
	json_t *people = cur ? json_incref(json_object_get(cur, "people")) : json_array();
	json_t *draft = json_pack("{s:I, s:O, s:s, s:s, s:O, s:O, s:O, s:o}", "id", (json_int_t)id,
				  "title", json_object_get(m, "title") ? json_object_get(m, "title")
									: json_null(),
				  "starts_at", prog_time_in_zone(&req->pool, tz, start),
				  "ends_at", prog_time_in_zone(&req->pool, tz, end), "capacity",
				  json_object_get(m, "capacity") ? json_object_get(m, "capacity")
								  : json_null(),
				  "interpretation", json_object_get(m, "interpretation"),
				  "interpretation_languages",
				  json_object_get(m, "interpretation_languages"), "people", people);
	const char *room = nonempty(m, "room");
	size_t i;
	json_t *r;
	json_object_set_new(draft, "room", room ? json_string(room) : json_null());
	json_array_foreach(rooms, i, r) if (room && str_eq(web_str(r, "name"), room))
		json_object_set(draft, "room_capacity", json_object_get(r, "capacity"));
	json_t *list = web_own(req, json_array());
	json_t *x;
	json_array_foreach(all, i, x) if (json_integer_value(json_object_get(x, "id")) != id)
		json_array_append(list, x);
	json_array_append_new(list, draft);
	json_t *c = web_own(req, prog_conflicts_of(ev, list, signups));
	json_t *mine = prog_conflicts_for(c, id);
	prog_conflicts_explain(req, mine, list);
	return adm_api_answer(res, 200, json_pack("{s:o}", "conflicts", mine));
}

const struct route prog_check_routes[] = {
	{POST, "/admin/events/{slug}/sessions/check", session_check_h,
	 WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/sessions/{id}/check", session_check_h, WEB_PRIVATE | WEB_CSRF},
	WEB_ROUTES_END,
};

/* Versions of a session's texts in other languages (translations.h). */
const char *const prog_tr_fields[] = {"title", "track", "description_md", NULL};

static const char *session_public_url(struct http_req *req, const json_t *t)
{
	return arena_printf(&req->pool, "/events/%s/sessions/%lld", nonempty(t, "event_slug"),
			    (long long)json_integer_value(json_object_get(t, "id")));
}

static const struct translatable session_tr = {
	.fields = prog_tr_fields,
	.lang_sql = "SELECT lang FROM programme_session WHERE id = ?",
	.set_lang_sql = "UPDATE programme_session SET lang = ? WHERE id = ?",
	.public_url = session_public_url,
};

const struct kind session_kind = {
	.tr = &session_tr,
	.key = "sessions",
	.entity = "session",
	.missing = N_("The programme has no such session."),
	.admin_path = "/admin/sessions",
	.api_path = "/api/v1/sessions",
	.done_created = "saved",
	.param = "id",
	.fields = session_fields,
	.nfields = HM_ARRAY_LEN(session_fields),
	.list_field = "languages",
	.json_extra = json_extra,
	.get = session_snapshot,
	.snapshot = session_snapshot,
	.edit_action = AUTH_PROGRAMME_EDIT,
	.visible = prog_session_visible,
	.scope = session_scope,
	.may_edit = session_may_edit,
	.may_create_web = may_create_session,
	.merge = session_merge,
	.defaults = session_defaults,
	.complete = session_complete,
	.check = session_check,
	.settle = settle_concurrent,
	.resolve = session_resolve,
	.write = session_write,
	.action = session_action,
	.may_delete = session_may_edit,
	.delete_sql = "DELETE FROM programme_session WHERE id = ?",
	.delete_action = "session.delete",
	.trash = session_trash,
	.name_field = "title",
	.api_item = session_api_item,
	.input_extra = session_input_extra,
	.form_page = session_form_page,
};
