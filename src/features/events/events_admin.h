/*
 * events_admin.h — the write side of series, events and organisations, and
 * the read side organisers need (drafts included): create, update, publish,
 * unpublish, cancel and delete; an event's sectors, the organisations'
 * roles in an event and their order; who organises an event.
 *
 * Rights: every write takes the acting principal and checks it here
 * (HM_EFORBIDDEN), so the web layer, the JSON API and the CLI share one
 * rule. Writes run in one transaction and record the change in the audit
 * log with the thing before and after; do not call them inside db_begin.
 * Reads return every status: callers filter with admin_may (below).
 *
 * Input: writes take a JSON object of field name → string (null or "" to
 * clear an optional field); events also take "sectors" as an array of
 * sector keys. Updates change only the keys present. Fields are checked
 * here too (the domain is the last line), and rule failures are reported
 * per field in a struct field_errors as msgids for the caller to
 * translate. Outputs (json_t **out) are new references the caller owns.
 */
#ifndef HM_EVENTS_ADMIN_H
#define HM_EVENTS_ADMIN_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/core.h"
#include "site/kind.h"

struct db;

/* ------------------------------------------------------------ vocabulary */

/* NULL-terminated lists of the stored values, in display order. */
extern const char *const admin_event_kinds[];     /* consultation, symposium, other */
extern const char *const admin_event_statuses[];  /* draft, published, cancelled */
extern const char *const admin_series_statuses[]; /* draft, published */
extern const char *const admin_sectors[];         /* government … other */
extern const char *const admin_org_kinds[];       /* the same keys as sectors */
extern const char *const admin_org_roles[];       /* convener, co-organiser, partner, sponsor */
extern const char *const admin_date_precisions[]; /* day, month */

/* 1 if s is one of the NULL-terminated list. */
int admin_in_list(const char *const *list, const char *s);

/* --------------------------------------------------------------- errors */

/* The domain's refusals are a struct field_errors (site/kind.h). */

/* ----------------------------------------------------------- validators */

/* Pure checks, shared by the writes below and tested on their own. */
int admin_country_valid(const char *cc);  /* ISO 3166-1 alpha-2 known to ICU */
int admin_url_valid(const char *url);     /* http(s)://host…, no spaces or quotes */

/* Checks in (an object of field → string) against the event rules: kinds,
 * lengths, dates (ends_on ≥ starts_on), time zone, country, e-mail,
 * capacity, sectors. Does not look at the database (slug taken, series
 * known): the writes do that. Returns the number of errors added. */
int admin_event_check(const json_t *in, struct field_errors *errs);
int admin_series_check(const json_t *in, struct field_errors *errs);
int admin_org_check(const json_t *in, struct field_errors *errs);

/* ---------------------------------------------------------------- rights */

/* The scope of an event or series as returned by the reads below (its
 * "id" and "series_id", or the series' "id"). */
void admin_event_scope(const json_t *ev, struct auth_scope *out);
void admin_series_scope(const json_t *s, struct auth_scope *out);

/* 1 if p may see the event or series (published, cancelled, or a draft p
 * may read). */
int admin_event_visible(const struct principal *p, const json_t *ev);
int admin_series_visible(const struct principal *p, const json_t *s);

/* 1 if p may create an event in some series (or without one): the
 * "New event" button. */
int admin_may_create_event(const struct principal *p);

/* 1 if p may edit organisation org (as returned by admin_org_get, with its
 * "events", "series" and "created_by"): admins, and organisers who may
 * edit everything that shows it — every event it takes part in and every
 * series it runs; one that nothing shows yet, only whoever made it.
 * Organisations are shared by many events, so one event's organiser must
 * not rename another event's partner, nor the organiser of a series. */
int admin_org_may_edit(const struct principal *p, const json_t *org);

/* ----------------------------------------------------------------- reads */

/* Every series, by title: {id, slug, title, summary, status, organisation,
 * organisation_name, event_count, created_at, updated_at}. */
json_t *admin_series_list(struct db *db);
/* One series as above with "events" (every status, latest first); NULL
 * when there is none. */
json_t *admin_series_get(struct db *db, const char *slug);

/* Every event, latest first: {id, slug, title, kind, status, starts_on,
 * ends_on, date_precision, city, country, region, series_id, series,
 * series_title, series_status, updated_at}. */
json_t *admin_event_list(struct db *db);
/* One event with every field, "sectors" (keys in order) and
 * "organisations" ([{slug, name, acronym, kind, country, role,
 * position}…] by role, then position); NULL when there is none. */
json_t *admin_event_get(struct db *db, const char *slug);

/* Every organisation by name: {id, slug, name, acronym, kind, country,
 * website, logo, event_count, updated_at}. */
json_t *admin_org_list(struct db *db);
/* One organisation with description and "events" ([{id, series_id,
 * slug, title, status, starts_on, role}…], every status). */
json_t *admin_org_get(struct db *db, const char *slug);

/* The accounts organising an event: [{account_id, email, name, via}…]
 * where via is "event" (a grant on this event, which may be revoked
 * here) or "series" (a grant on its series). */
json_t *admin_event_organisers(struct db *db, int64_t event_id, int64_t series_id);

/* ------------------------------------------------ series, events, organisations */

/* The kind tables of series, events and organisations (site/kind.h): each
 * is written through kind_save (create with slug NULL, or update the keys
 * present), kind_set_status and kind_delete, and asked kind_keep.
 *   series: needs AUTH_SERIES_CREATE, then AUTH_SERIES_EDIT on it. Fields:
 *     title (required), slug (derived from the title when absent, made
 *     unique), summary, organisation (an organisation's slug), status
 *     (draft unless given).
 *   events: needs AUTH_EVENT_CREATE in the chosen series ("series": a slug;
 *     none: admins only), then AUTH_EVENT_EDIT on it, and AUTH_EVENT_CREATE
 *     in the new series when it moves. Required: title, starts_on, ends_on;
 *     timezone defaults to UTC, kind to consultation, date_precision to
 *     day; a status change is audited as event.publish, event.unpublish or
 *     event.cancel.
 *   organisations: admins and organisers create (they add partners to
 *     their events); admin_org_may_edit to change one.
 * A refused field is HM_EINVAL with errs; a chosen slug that is taken is
 * HM_EEXIST (errs names "slug"); HM_ENOTFOUND, HM_EFORBIDDEN. */
extern const struct kind series_kind;
extern const struct kind event_kind;
extern const struct kind org_kind;

/* ------------------------------------------------ organisations in events */

/* All need AUTH_EVENT_EDIT on the event; audited as
 * "event.organisations" with the list before and after.
 * add: HM_ENOTFOUND (event or organisation), HM_EINVAL (role),
 * HM_EEXIST (already in that role). The new entry goes last in its role. */
enum hm_err admin_event_org_add(struct db *db, const struct principal *p, const char *event,
				const char *org, const char *role, int64_t now);
/* HM_ENOTFOUND when the organisation does not hold that role. */
enum hm_err admin_event_org_remove(struct db *db, const struct principal *p, const char *event,
				   const char *org, const char *role, int64_t now);
/* Moves an entry one place up (delta -1) or down (+1) among the
 * organisations of the same role. HM_ECONFLICT when it is already first
 * or last. */
enum hm_err admin_event_org_move(struct db *db, const struct principal *p, const char *event,
				 const char *org, const char *role, int delta, int64_t now);
/* Replaces the whole list: list is [{organisation, role}…] in order (kept
 * within each role; roles are shown convener first). HM_EINVAL with errs
 * naming "organisations.N" for a bad entry or a duplicate. */
enum hm_err admin_event_org_set(struct db *db, const struct principal *p, const char *event,
				const json_t *list, int64_t now, struct field_errors *errs);

/* ------------------------------------------------------- event organisers */

/* Grants the account with this e-mail organiser of the event (through
 * auth_role_grant, which audits it). Only admins and organisers of the
 * event's series may (AUTH_SERIES_EDIT on the event's scope).
 * HM_ENOTFOUND: no such event or account; HM_EEXIST: already organiser of
 * the event. */
enum hm_err admin_event_organiser_grant(struct db *db, const struct principal *p,
					const char *event, const char *email, int64_t now);
/* HM_ENOTFOUND when the account holds no organiser grant on the event. */
enum hm_err admin_event_organiser_revoke(struct db *db, const struct principal *p,
					 const char *event, int64_t account_id, int64_t now);

/* ---------------------------------------------------------------- delete */

/* Deleting protects published permalinks and never changes another record
 * silently: only admins delete (AUTH_RECORD_DELETE), and only what nothing
 * else hangs on. An event goes only as a draft without news posts,
 * sessions or conversations (what its trash entry could not bring back; its
 * sectors, organisation entries and organiser grants go with it); a series
 * only as a draft without events (its organiser grants go with it); an
 * organisation only while it is on no event and runs no series. */

/* Why one cannot be deleted now: the why of the kinds' keep rules. */
enum admin_keep {
	ADMIN_KEEP_NONE,             /* it may be deleted */
	ADMIN_KEEP_EVENT_PUBLISHED,  /* cancel it instead */
	ADMIN_KEEP_EVENT_CANCELLED,  /* its page says it is cancelled */
	ADMIN_KEEP_EVENT_POSTS,      /* n news posts are linked to it */
	ADMIN_KEEP_EVENT_SESSIONS,   /* its programme has n sessions */
	ADMIN_KEEP_EVENT_CONVERSATIONS, /* it has n conversations */
	ADMIN_KEEP_SERIES_PUBLISHED,
	ADMIN_KEEP_SERIES_EVENTS,    /* n events are in it */
	ADMIN_KEEP_ORG_EVENTS,       /* it is listed on n events */
	ADMIN_KEEP_ORG_SERIES,       /* it runs n series */
	ADMIN_KEEP__MAX
};

/* kind_delete deletes the one with this slug in one transaction, audited
 * as "series.delete", "event.delete" or "organisation.delete" with it as
 * it was (an event's organisations and sectors, and the organiser grants
 * that go with it, included); HM_ECONFLICT with the keep rule that matched
 * (its why is one of the above, its sentence says it) when something keeps
 * it. kind_keep says the same without deleting; the right is not checked. */

/* The tabs over an event's admin pages (details, organisations,
 * organisers, translations, then the other features' event_tabs), current
 * (a key or a feature's tab path) marked (event.c). ev: its "id",
 * "series_id" and "slug". */
struct http_req;
json_t *adm_event_tabs(struct http_req *req, const json_t *ev, const char *current);

#endif
