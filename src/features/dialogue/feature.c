/*
 * feature.c — the dialogue as the site sees it: conversations of an
 * event, their voting page and report, the JSON API of organisers and
 * participants, and the list of a programme session's conversations on
 * its page.
 */
#include "features/dialogue/dlg_web.h"

static const struct route *const routes[] = {
	dlg_routes,
	dlg_admin_routes,
	dlg_live_routes,
	dlg_participant_routes,
	NULL,
};

static const struct nav_item event_tabs[] = {
	{"conversations", N_("Conversations")},
	{NULL, NULL},
};

const struct feature dialogue_feature = {
	.name = "dialogue",
	.routes = routes,
	.demo = "src/features/dialogue/demo.sql",
	.event_tabs = event_tabs,
	.session_page = dlg_session_page,
	.metrics = dlg_analysis_metrics,
	.start = dlg_service_start,
	.stop = dlg_service_stop,
};
