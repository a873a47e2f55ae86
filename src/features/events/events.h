/*
 * events.h — series, events and organisations: the read side used by the
 * public pages and the JSON API. Every function returns a new json_t model
 * (caller owns it) built from one consistent snapshot, or NULL when the
 * thing does not exist or is not visible to the public.
 */
#ifndef HM_EVENTS_H
#define HM_EVENTS_H

#include <jansson.h>

struct db;


/* Published events; when upcoming, those ending on or after today
 * ("YYYY-MM-DD"), soonest first; otherwise those before it, latest first. */
json_t *event_list(struct db *db, int upcoming, const char *today, int limit);

/* A published event with its series, sectors, and organisations by role
 * ("organisations": [{slug, name, acronym, kind, country, role}…]). */
json_t *event_get(struct db *db, const char *slug);
/* The same in any status, for a preview its organisers open. */
json_t *event_get_preview(struct db *db, const char *slug);

/* A published series with its published events, latest first, and the
 * same events grouped as "regions": [{region, events: […]}…]. */
json_t *series_get(struct db *db, const char *slug);
json_t *series_get_preview(struct db *db, const char *slug);

/* Every published series (for the home page and the JSON API). */
json_t *series_list(struct db *db);

/* The index pages: every published series with its organiser and how
 * many events the public may see ("events", first_starts_on,
 * last_ends_on), by title; every organisation with that count, by name.
 * NULL when a read failed. */
json_t *series_index(struct db *db);
json_t *org_index(struct db *db);

/* An organisation and the published events it took part in with its role. */
json_t *org_get(struct db *db, const char *slug);

/* The slug now of the event, series or organisation that had slug as its
 * address (old_address), when the public may see it: a JSON string, or
 * NULL (none, or not public). */
enum events_moved { EVENTS_MOVED_EVENT, EVENTS_MOVED_SERIES, EVENTS_MOVED_ORG };
json_t *events_moved(struct db *db, enum events_moved which, const char *slug);

/* The texts of events, series and organisations that take versions in
 * other languages (site/translations.h), as their kinds' fields name them
 * and their public reads give them. */
extern const char *const events_tr_fields[];
extern const char *const series_tr_fields[];
extern const char *const orgs_tr_fields[];

/* Appends the iCalendar file (RFC 5545) of ev, as event_get gives it,
 * to b: one all-day VEVENT on its dates, with base (the site's address)
 * in its URL and UID, and the country's name (may be NULL) in LOCATION.
 * 0 (nothing appended) when its exact dates are not known. */
struct buf;
struct arena;
int events_ical(struct buf *b, struct arena *a, const json_t *ev, const char *base,
		const char *country_name);

#endif
