/*
 * feature.c — the site's own records for administrators: the outbox of
 * e-mail, the audit log and the site's settings; and its health, for load balancers.
 */
#include "site/feature.h"

extern const struct route outbox_routes[];
extern const struct route settings_routes[];
extern const struct route audit_routes[];
extern const struct route health_routes[];

static const struct route *const routes[] = {
	outbox_routes,
	settings_routes,
	audit_routes,
	health_routes,
	NULL,
};

const struct feature system_feature = {
	.name = "system",
	.routes = routes,
};
