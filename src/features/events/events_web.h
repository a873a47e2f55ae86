/*
 * events_web.h — what the pages of events, series and organisations share
 * (internal to src/features/events): the admin pages' helpers, the
 * display fields of models (decorate.c), and the route tables the
 * feature's descriptor lists (feature.c).
 */
#ifndef HM_FEATURES_EVENTS_WEB_H
#define HM_FEATURES_EVENTS_WEB_H

#include <jansson.h>

#include "auth/auth.h"
#include "features/events/events_admin.h"
#include "site/feature.h"
#include "site/kind.h"
#include "site/web.h"

/* ---------------------------------------------------- display (decorate.c) */

/* Adds the display fields (url, dates, country name, role labels…) for the
 * request's language. */
void events_decorate(struct http_req *req, json_t *ev);
void events_decorate_list(struct http_req *req, json_t *events);
void events_decorate_org(struct http_req *req, json_t *org);
/* The labels of the values events store (the feature's vocabulary). */
extern const struct vocab events_vocab[];

/* ------------------------------------------------------ admin (events_web.c) */

/* Events and series p may edit, ready for the tables (newest events
 * first, series by title). */
json_t *adm_editable_events(struct http_req *req, const struct principal *p);
json_t *adm_editable_series(struct http_req *req, const struct principal *p);
/* Options for an organisation select: none_label (when not NULL), then
 * every organisation. Inside a read transaction. */
json_t *adm_org_options(struct http_req *req, const char *none_label);

extern const struct kind event_kind;

/* adm_for_edit for the event of the path (admin_events.c). */
enum hm_err adm_event_for_edit(struct http_req *req, struct http_res *res, json_t **out);

/* Finishes the page of one of an event's tabs: m gets the form fj and the
 * event ev (both stolen) with its status and the tabs, tab marked; then
 * adm_page with tpl and title in the events section (event.c). */
enum hm_err adm_event_tab_page(struct http_req *req, struct http_res *res, json_t *m, json_t *ev,
			       json_t *fj, const char *tab, const char *tpl, const char *title);

/* ----------------------------------------------------------- the feature */

/* What events add to the home page (public.c). */
enum hm_err events_home(struct http_req *req, json_t *m);

extern const struct route event_public_routes[];
extern const struct route event_admin_routes[];
extern const struct route series_admin_routes[];
extern const struct route org_admin_routes[];
extern const struct route event_org_admin_routes[];
extern const struct route organiser_admin_routes[];

#endif
