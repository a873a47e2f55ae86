/*
 * prog_internal.h — what the programme's files share: its statements,
 * the session kind, its route tables and its helpers. Not for other
 * features (they use programme.h).
 */
#ifndef HM_PROG_INTERNAL_H
#define HM_PROG_INTERNAL_H

#include "features/programme/programme.h"
#include "site/feature.h"
#include "site/kind.h"
#include "site/web.h"

enum prog_sql {
	PSQL_ROOMS,
	PSQL_ROOM_GET,
	PSQL_ROOM_BY_NAME,
	PSQL_ROOM_INSERT,
	PSQL_ROOM_DELETE,
	PSQL_ROOM_IN_USE,
	PSQL_SESSIONS,
	PSQL_SESSION_GET,
	PSQL_SESSION_INSERT,
	PSQL_SESSION_UPDATE,
	PSQL_EVENT,
	PSQL_EVENT_BY_ID,
	PSQL_EDITABLE_EVENTS,
	PSQL__MAX
};

/* The statement i, prepared (NULL on failure). */
struct db_stmt *prog_prep(struct db *db, enum prog_sql i);

/* The event by slug as the programme needs it: {id, series_id, slug,
 * title, status, starts_on, ends_on, timezone}. NULL: none. */
json_t *prog_event(struct db *db, const char *slug);
json_t *prog_event_by_id(struct db *db, int64_t id);

/* The scope of an event ({id, series_id} or {event_id, series_id}). */
struct auth_scope prog_scope(const json_t *ev);

/* 1 if p may see t (a session as prog_session_get gives it): its event
 * is published or p may read its drafts, and it is public or p may edit
 * the programme (participants are the public pages' concern). */
int prog_session_visible(const struct principal *p, const json_t *t);

/* The event of the path ({slug}) for its programme's organisers: 404
 * when p may not see it, web_require's answer when p may not edit its
 * programme. *out owned by the request. */
enum hm_err prog_web_event(struct http_req *req, struct http_res *res, json_t **out);

/* prog_web_event, then what read gives of the event (by its id) in a
 * read transaction: *out the caller's; HM_EDB when the read failed. */
enum hm_err prog_web_event_read(struct http_req *req, struct http_res *res, json_t **ev,
				json_t *(*read)(struct db *db, int64_t event_id), json_t **out);

/* Trims a session for the API (the internal keys go). */
void prog_api_item(struct http_req *req, json_t *t);

/* Adds a room to an event (audited "room.create"); HM_EEXIST when the
 * name is taken, HM_EINVAL when errs says what is wrong. */
enum hm_err prog_room_add(struct db *db, const struct principal *p, const json_t *ev,
			  const char *name, const char *capacity, int64_t now,
			  struct field_errors *errs);
/* How a row of an event (a room, a person) is deleted: get_sql reads it
 * (bound to its id, then the event's) for the audit entry, in_use_sql
 * (bound to its id; NULL: none) counts what keeps it, delete_sql
 * (bound as get_sql) deletes it. */
struct prog_deletion {
	const char *get_sql, *in_use_sql, *delete_sql;
	const char *action, *entity;
};
/* Deletes row id of ev as d says, audited, in one transaction:
 * HM_ENOTFOUND when it is not the event's, HM_ECONFLICT when in use,
 * HM_EFORBIDDEN when p may not edit the event's programme. */
enum hm_err prog_delete_of_event(struct db *db, const struct principal *p, const json_t *ev,
				 const struct prog_deletion *d, int64_t id, int64_t now);
/* Deletes room id of event ev (audited "room.delete"); HM_ECONFLICT
 * when sessions use it, HM_ENOTFOUND when it is not the event's. */
enum hm_err prog_room_delete(struct db *db, const struct principal *p, const json_t *ev,
			     int64_t id, int64_t now);

/* A stored session finished for reading (store.c): times in its event's
 * zone, language lists, interpretation a boolean. */
void prog_session_finish(json_t *s);
/* rows (stolen: sessions as the store or a release has them) finished,
 * each with its people, live (release_id 0: of event_id) or as release
 * release_id has them. NULL: rows was NULL or a read failed. */
json_t *prog_sessions_finished(struct db *db, json_t *rows, int64_t event_id, int64_t release_id);

/* ---------------------------------------------------------- people.c */
/* The roles of a session's people: speaker, moderator, chair, rapporteur. */
extern const char *const prog_roles[];
/* The people of an event: [{id, event_id, name, title, organisation, bio,
 * photo, account_id, account_email, sessions}…] by name. */
json_t *prog_people(struct db *db, int64_t event_id);
json_t *prog_person_get(struct db *db, int64_t event_id, int64_t id);
/* Creates (id 0) or changes a person of ev from in ({name, title,
 * organisation, bio, email: of the account it is linked to, "" for
 * none, photo: a stored image's name, "" for none}; a change names only
 * what it changes), audited. HM_EINVAL: errs says why. */
enum hm_err prog_person_save(struct db *db, const struct principal *p, const json_t *ev,
			     int64_t id, const json_t *in, int64_t now, int64_t *id_out,
			     struct field_errors *errs);
/* Deletes a person (from their sessions too), audited. */
enum hm_err prog_person_delete(struct db *db, const struct principal *p, const json_t *ev,
			       int64_t id, int64_t now);
/* Who does what in each session of the event, live (release_id 0) or as
 * release release_id has it: {"<session id>": [{id, name, title,
 * organisation, role}…]}. */
json_t *prog_session_people(struct db *db, int64_t event_id, int64_t release_id);
/* The same for one session (live): [{id, name, title, organisation, role}…]. */
json_t *prog_people_of_session(struct db *db, int64_t session_id);
/* Adds photo_url and photo_thumb_url to a person with a photo. */
void prog_person_photo(json_t *p);
/* Sets each session's "people" from a map prog_session_people gave. */
void prog_attach_people(json_t *sessions, const json_t *people);
/* A session's "people" as sent ([{"person": id or name, "role"}…]):
 * errors added when its form is wrong (the number added). */
int prog_people_check(const json_t *people, struct field_errors *errs);
/* Each person named is one of the event's (else an error on "people"). */
enum hm_err prog_people_resolve(struct db *db, int64_t event_id, const json_t *people,
				struct field_errors *errs);
/* Replaces the people of a session (checked and resolved before). */
enum hm_err prog_people_write(struct db *db, int64_t event_id, int64_t session_id,
			      const json_t *people);

/* --------------------------------------------------------- release.c */
/* The latest release of an event: {id, version, note, released_at};
 * NULL when there is none (or the read failed: db_failed says). */
json_t *prog_release_latest(struct db *db, int64_t event_id);
/* The sessions of a release, as prog_sessions gives them plus their
 * "sequence"; one of them (NULL: not in it). */
json_t *prog_release_sessions(struct db *db, int64_t release_id);
json_t *prog_release_session(struct db *db, int64_t release_id, int64_t session_id);
/* The sessions the public sees: those of the latest release ([] when
 * none); *release (optional) is that release or NULL. NULL: a failed read. */
json_t *prog_published(struct db *db, int64_t event_id, json_t **release);
/* The releases, newest first: [{version, note, changes, released_at,
 * released_by}…]. */
json_t *prog_releases(struct db *db, int64_t event_id);
/* What changed from prev to live (sessions as prog_sessions gives them):
 * [{session, title, change: added|moved|updated|cancelled, starts_at,
 * ends_at, room, visibility, was?, fields?}…]. */
json_t *prog_changes(const json_t *prev, const json_t *live);
/* What a release now would publish (live against the latest release). */
json_t *prog_pending(struct db *db, int64_t event_id);
/* Releases the programme of ev as it stands (audited
 * "programme.release"): *out {version, note, changes, released_at}.
 * HM_ECONFLICT: nothing changed since the latest release; HM_EEXIST:
 * another release took the version at the same time; HM_EINVAL: the note
 * is too long. */
enum hm_err prog_release(struct db *db, const struct principal *p, const json_t *ev,
			 const char *note, int64_t now, json_t **out);

/* ------------------------------------------------------- conflicts.c */
/* The conflicts of sessions (as prog_sessions gives them) of event ev
 * ({timezone, starts_on, ends_on}), signups {"<session id>": count}:
 * [{type: room|person|dates|day|capacity|interpretation, sessions: [ids],
 * room?, person?: {id, name}, room_capacity?, capacity?, signups?}…]. */
json_t *prog_conflicts_of(const json_t *ev, const json_t *sessions, const json_t *signups);
/* The sign-ups of the sessions of an event: {"<session id>": count}. */
json_t *prog_signup_counts(struct db *db, int64_t event_id);
/* The conflicts of an event's programme as it stands, and (optional)
 * its sessions (*sessions_out, the caller's). NULL: a failed read. */
json_t *prog_conflicts(struct db *db, const json_t *ev, json_t **sessions_out);
/* Those that name session_id. */
json_t *prog_conflicts_for(const json_t *conflicts, int64_t session_id);
/* Adds to each conflict its "message" in the request's language and
 * "named": the sessions it names [{id, title, start, end}…]. */
void prog_conflicts_explain(struct http_req *req, json_t *conflicts, const json_t *sessions);

/* ------------------------------------------------------ web_public.c */
/* Begins the request's read transaction and finds the event of the path
 * as its readers may see it: published, or a draft for those who may
 * read its drafts. *out owned by the request. HM_OK: the transaction is
 * the caller's to end; otherwise it is ended. */
enum hm_err prog_public_event(struct http_req *req, struct http_res *res, json_t **out);
/* 1 if the asker sees the participants-only sessions of ev: its
 * organisers and its approved participants. -1 on a failed read. */
int prog_sees_participants_only(struct http_req *req, const json_t *ev);

/* -------------------------------------------------------- calendar.c */
/* Writes an iCalendar of sessions (as prog_release_sessions gives them:
 * each with its event's timezone and event_slug) named name to b, with a
 * VTIMEZONE for each zone; fallback_ev (optional: {timezone, starts_on})
 * names the calendar's zone and gives one when there are no sessions. */
enum hm_err prog_ics(struct http_req *req, struct buf *b, const char *name, const json_t *sessions,
		     const json_t *fallback_ev);
extern const struct route prog_calendar_routes[];
/* The host of the site's base URL ("example.org"): what the iCalendar
 * UIDs ("session-<id>@<host>") and the frab guids are made from. */
const char *prog_site_host(struct http_req *req);

/* ------------------------------------------------------------ frab.c */
/* The room a session is shown in: its room's name, or "Venue" (in the
 * request's language) when it has none. */
const char *prog_room_label(struct http_req *req, const json_t *s);
/* The frab schedule (voc/schedule's schema.json) of event ev ({id, slug,
 * title, timezone, starts_on, ends_on}) from sessions (as prog_published
 * gives them; the caller picks which) and release rel (NULL: none, version
 * "0"): {$schema, generator, schedule}. NULL for an event without zone. */
json_t *prog_frab_schedule(struct http_req *req, const json_t *ev, const json_t *sessions,
			   const json_t *rel);
extern const struct route prog_frab_routes[];

/* ------------------------------------------------------------- now.c */
/* /events/{slug}/now: what runs now and next, per room, for the venue's
 * screens. */
extern const struct route prog_now_routes[];

/* ------------------------------------------------------- web_admin.c */
/* The changelog entries of a release as the pages say them: each with
 * its change's label (change_label), is_cancelled, and the local times
 * ("when": "29 Nov 09:30", and was.when). */
void prog_changes_explain(struct http_req *req, json_t *changes);

/* ------------------------------------------------------ web_people.c */
/* {people: [{value, label}…], roles: [{value, label}…]} for the session
 * form, in the request's read transaction. NULL: a failed read. */
json_t *prog_people_options(struct http_req *req, int64_t event_id);
extern const struct route prog_people_routes[];

/* ---------------------------------------------------------- agenda.c */
/* Adds to a released session s (its public page, in the page's read
 * transaction) "places" (a limited session's {capacity, taken, left,
 * full, label}, else null) and "agenda" (the reader's {signed_in,
 * starred, signed_up}, or a visitor's {signed_in: false, sign_in_url}). */
enum hm_err prog_agenda_session(struct http_req *req, json_t *s);
/* Stars, places, /agenda and its calendar feed. */
extern const struct route prog_agenda_routes[];

/* The fields of a session that take versions in other languages. */
extern const char *const prog_tr_fields[];
/* The session form's conflicts as the organiser edits (session.c). */
extern const struct route prog_check_routes[];
extern const struct kind session_kind;
extern const struct route prog_admin_routes[];
extern const struct route prog_public_routes[];

/* The link to the programme on an event's public page (event_page). */
enum hm_err prog_event_page(struct http_req *req, json_t *ev);
extern const struct vocab prog_vocab[];

#endif
