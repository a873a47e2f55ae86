/*
 * feature.c — search as the site sees it: the page /search (and its JSON
 * twin). The box that leads to it is in the layout's header; its index is
 * migration 0011's.
 */
#include "site/feature.h"

extern const struct route search_routes[];

static const struct route *const routes[] = {
	search_routes,
	NULL,
};

const struct feature search_feature = {
	.name = "search",
	.routes = routes,
};
