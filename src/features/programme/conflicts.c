/*
 * conflicts.c — what is wrong with a programme as it stands: a room used
 * twice at once, a person in two sessions at once, a session outside the
 * event's dates or running past midnight, more places or sign-ups than
 * its room holds, interpretation offered into no language. Warnings, not
 * refusals: an organiser moving two sessions passes through a clash, and
 * the list says what to fix before a release.
 */
#include "features/programme/prog_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>

static const char signups_sql[] =
	"SELECT su.session_id, count(*) AS n FROM programme_signup su "
	"JOIN programme_session s ON s.id = su.session_id WHERE s.event_id = ? "
	"GROUP BY su.session_id";

struct span {
	int64_t id, start, end;
	const json_t *s;
};

static int overlap(const struct span *a, const struct span *b)
{
	return a->start < b->end && b->start < a->end;
}

static json_t *pair(const struct span *a, const struct span *b)
{
	return json_pack("[I, I]", (json_int_t)a->id, (json_int_t)b->id);
}

json_t *prog_conflicts_of(const json_t *ev, const json_t *sessions, const json_t *signups)
{
	json_t *out = json_array();
	size_t n = json_array_size(sessions), i, j;
	struct span *sp = calloc(n ? n : 1, sizeof(*sp));
	struct arena a;
	if (!sp)
		return out;
	arena_init(&a);
	const char *tz = json_string_value(json_object_get(ev, "timezone"));
	const char *from = json_string_value(json_object_get(ev, "starts_on"));
	const char *to = json_string_value(json_object_get(ev, "ends_on"));
	for (i = 0; i < n; i++) {
		const json_t *s = json_array_get(sessions, i);
		sp[i].s = s;
		sp[i].id = json_integer_value(json_object_get(s, "id"));
		sp[i].start = time_parse_rfc3339(json_string_value(json_object_get(s, "starts_at")));
		sp[i].end = time_parse_rfc3339(json_string_value(json_object_get(s, "ends_at")));
	}
	for (i = 0; i < n; i++) {
		const json_t *s = sp[i].s;
		const char *room = json_string_value(json_object_get(s, "room"));
		for (j = i + 1; j < n; j++) {
			if (!overlap(&sp[i], &sp[j]))
				continue;
			const char *r2 = json_string_value(json_object_get(sp[j].s, "room"));
			if (room && r2 && str_eq(room, r2))
				json_array_append_new(out, json_pack("{s:s, s:o, s:s}", "type", "room",
								     "sessions", pair(&sp[i], &sp[j]),
								     "room", room));
			/* each person once per pair, whatever their roles */
			json_t *seen = json_object();
			size_t k, q;
			json_t *p, *p2;
			json_array_foreach(json_object_get(s, "people"), k, p) {
				char key[24];
				json_int_t pid = json_integer_value(json_object_get(p, "id"));
				snprintf(key, sizeof(key), "%lld", (long long)pid);
				if (json_object_get(seen, key))
					continue;
				json_array_foreach(json_object_get(sp[j].s, "people"), q, p2) {
					if (json_integer_value(json_object_get(p2, "id")) != pid)
						continue;
					json_object_set_new(seen, key, json_true());
					json_array_append_new(
						out, json_pack("{s:s, s:o, s:{s:I, s:O}}", "type", "person",
							       "sessions", pair(&sp[i], &sp[j]), "person",
							       "id", pid, "name",
							       json_object_get(p, "name")));
					break;
				}
			}
			json_decref(seen);
		}
		json_t *one = json_pack("[I]", (json_int_t)sp[i].id);
		const char *sday = tz && sp[i].start >= 0 ? fmt_local_ymd(&a, tz, sp[i].start) : NULL;
		const char *eday = tz && sp[i].end > 0 ? fmt_local_ymd(&a, tz, sp[i].end - 1) : NULL;
		if (sday && eday && from && to &&
		    (strcmp(sday, from) < 0 || strcmp(eday, to) > 0 || strcmp(sday, to) > 0))
			json_array_append_new(out, json_pack("{s:s, s:O}", "type", "dates", "sessions", one));
		else if (sday && eday && !str_eq(sday, eday))
			json_array_append_new(out, json_pack("{s:s, s:O}", "type", "day", "sessions", one));
		json_t *rc = json_object_get(s, "room_capacity");
		json_t *cap = json_object_get(s, "capacity");
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)sp[i].id);
		json_int_t taken = json_integer_value(json_object_get(signups, key));
		if (json_is_integer(rc) &&
		    (taken > json_integer_value(rc) ||
		     (json_is_integer(cap) && json_integer_value(cap) > json_integer_value(rc))))
			json_array_append_new(
				out, json_pack("{s:s, s:O, s:O, s:O, s:I}", "type", "capacity", "sessions",
					       one, "room_capacity", rc, "capacity", cap, "signups",
					       taken));
		if (json_is_true(json_object_get(s, "interpretation")) &&
		    !json_array_size(json_object_get(s, "interpretation_languages")))
			json_array_append_new(out, json_pack("{s:s, s:O}", "type", "interpretation",
							     "sessions", one));
		json_decref(one);
	}
	arena_free(&a);
	free(sp);
	return out;
}

json_t *prog_signup_counts(struct db *db, int64_t event_id)
{
	struct db_stmt *st = db_prepare(db, signups_sql);
	if (!st)
		return NULL;
	db_bind_int(st, 1, event_id);
	json_t *rows = db_rows_json(st);
	if (!rows)
		return NULL;
	json_t *m = json_object();
	size_t i;
	json_t *r;
	char key[24];
	json_array_foreach(rows, i, r) {
		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(json_object_get(r, "session_id")));
		json_object_set(m, key, json_object_get(r, "n"));
	}
	json_decref(rows);
	return m;
}

json_t *prog_conflicts(struct db *db, const json_t *ev, json_t **sessions_out)
{
	int64_t id = json_integer_value(json_object_get(ev, "id"));
	json_t *sessions = prog_sessions(db, id);
	json_t *signups = sessions ? prog_signup_counts(db, id) : NULL;
	json_t *out = signups ? prog_conflicts_of(ev, sessions, signups) : NULL;
	if (sessions_out && out)
		*sessions_out = json_incref(sessions);
	json_decref(sessions);
	json_decref(signups);
	return out;
}

json_t *prog_conflicts_for(const json_t *conflicts, int64_t session_id)
{
	json_t *out = json_array();
	size_t i, j;
	json_t *c, *id;
	json_array_foreach(conflicts, i, c) {
		json_array_foreach(json_object_get(c, "sessions"), j, id) {
			if (json_integer_value(id) == session_id) {
				json_array_append(out, c);
				break;
			}
		}
	}
	return out;
}

void prog_conflicts_explain(struct http_req *req, json_t *conflicts, const json_t *sessions)
{
	size_t i, j, k;
	json_t *c, *id, *s;
	json_array_foreach(conflicts, i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		const char *msg = NULL;
		if (str_eq(type, "room"))
			msg = arena_printf(&req->pool, web_t(req, "%s has two sessions at once."),
					   web_str(c, "room"));
		else if (str_eq(type, "person"))
			msg = arena_printf(&req->pool, web_t(req, "%s is in two sessions at once."),
					   web_str(json_object_get(c, "person"), "name"));
		else if (str_eq(type, "dates"))
			msg = web_t(req, "This session is outside the event's dates.");
		else if (str_eq(type, "day"))
			msg = web_t(req, "This session runs past midnight into the next day.");
		else if (str_eq(type, "capacity"))
			msg = arena_printf(
				&req->pool,
				web_nt(req, "The room holds %lld person: fewer than the places or sign-ups.",
				       "The room holds %lld people: fewer than the places or sign-ups.",
				       (unsigned long)json_integer_value(
					       json_object_get(c, "room_capacity"))),
				(long long)json_integer_value(json_object_get(c, "room_capacity")));
		else if (str_eq(type, "interpretation"))
			msg = web_t(req, "Interpretation is offered, into no language.");
		web_set_str(c, "message", msg);
		/* the sessions it names, with their titles and times */
		json_t *named = json_array();
		json_array_foreach(json_object_get(c, "sessions"), j, id) {
			json_array_foreach(sessions, k, s) {
				if (json_integer_value(json_object_get(s, "id")) !=
				    json_integer_value(id))
					continue;
				const char *st = web_str(s, "starts_at"), *en = web_str(s, "ends_at");
				json_array_append_new(
					named,
					json_pack("{s:O, s:O, s:s?, s:s?}", "id", id, "title",
						  json_object_get(s, "title"), "start",
						  st && strlen(st) >= 16 ? arena_printf(&req->pool, "%.10s %.5s", st, st + 11) : NULL,
						  "end",
						  en && strlen(en) >= 16 ? arena_printf(&req->pool, "%.5s", en + 11) : NULL));
				break;
			}
		}
		json_object_set_new(c, "named", named);
	}
}
