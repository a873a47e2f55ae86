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

/* Trims a session for the API (the internal keys go). */
void prog_api_item(struct http_req *req, json_t *t);

/* Adds a room to an event (audited "room.create"); HM_EEXIST when the
 * name is taken, HM_EINVAL when errs says what is wrong. */
enum hm_err prog_room_add(struct db *db, const struct principal *p, const json_t *ev,
			  const char *name, const char *capacity, int64_t now,
			  struct field_errors *errs);
/* Deletes room id of event ev (audited "room.delete"); HM_ECONFLICT
 * when sessions use it, HM_ENOTFOUND when it is not the event's. */
enum hm_err prog_room_delete(struct db *db, const struct principal *p, const json_t *ev,
			     int64_t id, int64_t now);

extern const struct kind session_kind;
extern const struct route prog_admin_routes[];
extern const struct route prog_public_routes[];

/* The link to the programme on an event's public page (event_page). */
enum hm_err prog_event_page(struct http_req *req, json_t *ev);
extern const struct vocab prog_vocab[];

#endif
