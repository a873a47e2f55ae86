/*
 * feature.c — the dialogue as the site sees it: conversations of an
 * event, their voting page and report, and the JSON API of organisers
 * and participants.
 */
#include "features/dialogue/dlg_web.h"

static const struct route *const routes[] = {
	dlg_routes,
	NULL,
};

const struct feature dialogue_feature = {
	.name = "dialogue",
	.routes = routes,
	.demo = "src/features/dialogue/demo.sql",
};
