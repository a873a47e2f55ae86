/*
 * feature.c — the site's own records for administrators: the outbox of
 * e-mail and the audit log.
 */
#include "site/feature.h"

extern const struct route outbox_routes[];
extern const struct route audit_routes[];

static const struct route *const routes[] = {
	outbox_routes,
	audit_routes,
	NULL,
};

const struct feature system_feature = {
	.name = "system",
	.routes = routes,
};
