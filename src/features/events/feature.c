/*
 * feature.c — the events feature as the site sees it: series, events and
 * organisations, public and admin, with their JSON API; the "Events"
 * entry of the navigation; what it adds to the home page; the logos of
 * organisations among the uploads in use.
 */
#include "features/events/events_web.h"

static const struct route *const routes[] = {
	event_public_routes,
	event_admin_routes,
	series_admin_routes,
	event_org_admin_routes,
	organiser_admin_routes,
	org_admin_routes,
	NULL,
};

static const struct nav_item nav[] = {
	{"/events", N_("Events")},
	{NULL, NULL},
};

static const struct media_ref media_refs[] = {
	{"SELECT logo FROM organisation WHERE logo IS NOT NULL",
	 "SELECT 1 FROM organisation WHERE logo = ? LIMIT 1"},
};

static const struct kind *const kinds[] = {&series_kind, &event_kind, &org_kind, NULL};

const struct feature events_feature = {
	.name = "events",
	.routes = routes,
	.kinds = kinds,
	.demo = "src/features/events/demo.sql",
	.nav = nav,
	.vocab = events_vocab,
	.media_refs = media_refs,
	.nmedia_refs = HM_ARRAY_LEN(media_refs),
	.home = events_home,
};
