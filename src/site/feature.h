/*
 * feature.h — what a feature tells the site about itself. Each feature
 * (src/features/NAME/) exports one `const struct feature NAME_feature`;
 * src/site/features.c lists them, and the site gathers from that list its
 * routes, navigation, background jobs, the columns that hold uploaded
 * images, and the sections features add to pages they share (the home
 * page, an event's page). Adding a feature is a new folder and one line
 * in that list.
 */
#ifndef HM_SITE_FEATURE_H
#define HM_SITE_FEATURE_H

#include <jansson.h>
#include <stddef.h>

#include "http/router.h"
#include "jobs/jobs.h"
#include "media/media.h"

struct db;

/* One entry of a navigation bar. */
struct nav_item {
	const char *key;    /* the layout's flag: "nav_news" (site.nav_news is true on its pages) */
	const char *prefix; /* the pages it marks current: "/news" ("/" marks "/" alone) */
};

struct feature {
	const char *name; /* "news" */
	const struct route *routes;
	size_t nroutes;
	/* Public navigation entries this feature owns. */
	const struct nav_item *nav;
	size_t nnav;
	/* Background work, run by the scheduler while the server runs. */
	const struct job *jobs;
	size_t njobs;
	/* Where this feature's rows name uploaded images, so the sweep of
	 * unused uploads keeps them. */
	const struct media_ref *media_refs;
	size_t nmedia_refs;
	/* What it adds to the home page's model, inside the page's read
	 * transaction; NULL: nothing. HM_OK or HM_EDB. */
	enum hm_err (*home)(struct http_req *req, json_t *m);
	/* What it adds to a published event's page (ev, with its "id"),
	 * inside the page's read transaction; NULL: nothing. */
	enum hm_err (*event_page)(struct http_req *req, json_t *ev);
};

/* The features of this build, in route order (earlier routes win). */
extern const struct feature *const site_features[];
extern const size_t site_nfeatures;

#endif
