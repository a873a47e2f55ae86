/*
 * feature.h — what a feature tells the site about itself. Each feature
 * (src/features/NAME/) exports one `const struct feature NAME_feature`;
 * src/site/features.c lists them, and the site gathers from that list its
 * routes, navigation, background jobs, the columns that hold uploaded
 * images, and the sections features add to pages they share (the home
 * page, an event's page, a programme session's page). Adding a feature
 * is a new folder and one line in that list.
 */
#ifndef HM_SITE_FEATURE_H
#define HM_SITE_FEATURE_H

#include <jansson.h>
#include <stddef.h>

#include "http/router.h"
#include "jobs/jobs.h"
#include "media/media.h"
#include "site/kind.h"

struct db;

/* One entry of the site's navigation: marked current on its page and
 * every page below it. */
struct nav_item {
	const char *path;  /* "/news" */
	const char *label; /* a msgid: "News" */
};

struct feature {
	const char *name; /* "news" */
	/* Its route tables (NULL-terminated), each ending with WEB_ROUTES_END;
	 * a file of handlers keeps its table beside them. */
	const struct route *const *routes;
	/* The entries of the public navigation it owns, ending with {NULL}. */
	const struct nav_item *nav;
	/* The labels of the values it stores (kinds of event, sectors…),
	 * ending with {NULL}: adm_label finds them. */
	const struct vocab *vocab;
	/* The kinds of thing it lets organisers edit (NULL-terminated): the
	 * trash finds a deleted thing's kind among them. NULL: none. */
	const struct kind *const *kinds;
	/* Background work, run by the scheduler while the server runs. */
	const struct job *jobs;
	size_t njobs;
	/* Where its rows name uploaded images, so the sweep of unused uploads
	 * keeps them. */
	const struct media_ref *media_refs;
	size_t nmedia_refs;
	/* Its part of the demo (`harmony demo`): the path of an embedded SQL
	 * script, run after the site's and the earlier features'; NULL: none. */
	const char *demo;
	/* What it adds to the home page's model, inside the page's read
	 * transaction; NULL: nothing. HM_OK or HM_EDB. */
	enum hm_err (*home)(struct http_req *req, json_t *m);
	/* What it adds to a published event's page (ev, with its "id"),
	 * inside the page's read transaction; NULL: nothing. */
	enum hm_err (*event_page)(struct http_req *req, json_t *ev);
	/* What it adds to the public page of a session of an event's
	 * programme (s: prog_session_get's keys, "event_slug" among them),
	 * inside the page's read transaction; the keys it adds go out in the
	 * page's JSON twin too. NULL: nothing. */
	enum hm_err (*session_page)(struct http_req *req, json_t *s);
	/* Appends its counters to /metrics, in Prometheus's text form.
	 * NULL: none. */
	void (*metrics)(struct buf *out);
	/* The tabs it adds over an event's admin pages, ending with {NULL}:
	 * path below /admin/events/{slug}/ ("registrations") and label. */
	const struct nav_item *event_tabs;
	/* Its own threads, started with the server (db_path: the server's
	 * --db) and stopped once the server has stopped, before the
	 * scheduler. start: HM_OK, or an error that keeps the server from
	 * starting (logged). NULL: none. */
	enum hm_err (*start)(const char *db_path);
	void (*stop)(void);
};

/* The methods of a route, for the route tables: {GET, "/news", …}. */
#define GET HTTP_M(HTTP_GET)
#define POST HTTP_M(HTTP_POST)
#define PUT HTTP_M(HTTP_PUT)
#define PATCH HTTP_M(HTTP_PATCH)
#define DELETE HTTP_M(HTTP_DELETE)

/* The end of a route table. */
#define WEB_ROUTES_END {0, NULL, NULL, 0}

/* The features of this build, in route order (earlier routes win);
 * NULL-terminated (features.c). */
extern const struct feature *const site_features[];

/* The site's own routes (assets, uploads, the home page), before any
 * feature's (site.c). */
extern const struct route site_routes[];
/* The trash's pages and API (trash_web.c). */
extern const struct route trash_routes[];

/* The navigation for the layout: the home page, then each feature's
 * entries, as [{url, label, current}…]. */
json_t *web_nav(struct http_req *req);

/* Runs every feature's home hook, then every feature's event_page hook on
 * ev: HM_OK, or the first error. */
enum hm_err web_features_home(struct http_req *req, json_t *m);
enum hm_err web_features_event_page(struct http_req *req, json_t *ev);
/* Runs every feature's session_page hook on s: HM_OK, or the first error. */
enum hm_err web_features_session_page(struct http_req *req, json_t *s);
/* Appends every feature's metrics to out. */
void web_features_metrics(struct buf *out);

#endif
