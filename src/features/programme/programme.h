/*
 * programme.h — an event's programme: its rooms and its sessions, for
 * other code. Times are stored in UTC and given in the event's time zone
 * as RFC 3339 with their offset ("2012-11-12T09:30:00+08:00"); rooms are
 * named. Reads return new json_t (caller owns), NULL on a failed read.
 */
#ifndef HM_PROGRAMME_H
#define HM_PROGRAMME_H

#include <jansson.h>
#include <stdint.h>

#include "core/core.h"

struct db;

/* The kinds of session, NULL-terminated: opening, plenary, panel,
 * workshop, roundtable, break, reception, closing. */
extern const char *const prog_kinds[];
/* Who sees a session: public, participants-only. */
extern const char *const prog_visibilities[];

/* utc as RFC 3339 in the IANA zone tz, with its offset at that instant:
 * "2012-11-12T09:30:00+08:00" ("…Z" in UTC). NULL for an unknown zone. */
const char *prog_time_in_zone(struct arena *a, const char *tz, int64_t utc);

/* The rooms of an event, by name: [{id, name, capacity, sessions}…]. */
json_t *prog_rooms(struct db *db, int64_t event_id);

/* The sessions of an event, by start then room: each as
 * prog_session_get gives it. */
json_t *prog_sessions(struct db *db, int64_t event_id);

/* One session: {id, event_id, event_slug, event_status, series_id,
 * timezone, title, kind, track, description_md, starts_at, ends_at (in the
 * event's zone), room (its name or null), room_capacity, languages [...],
 * capacity, visibility, created_at, updated_at}. NULL: none (or a failed
 * read: db_failed says). */
json_t *prog_session_get(struct db *db, int64_t id);

#endif
