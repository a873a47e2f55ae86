/*
 * routes.c — the site's route table, gathered once from each module's own
 * table so modules never edit each other's lists. Order matters only
 * between patterns that could match the same path: earlier tables win.
 */
#include "site/web.h"

#include <string.h>

static const struct {
	const struct route *routes;
	const size_t *n;
} tables[] = {
	{public_routes, &public_nroutes},
	{account_routes, &account_nroutes},
	{admin_event_routes, &admin_event_nroutes},
	{admin_series_routes, &admin_series_nroutes},
	{admin_event_org_routes, &admin_event_org_nroutes},
	{admin_organiser_routes, &admin_organiser_nroutes},
	{admin_org_routes, &admin_org_nroutes},
	{admin_news_routes, &admin_news_nroutes},
	{admin_category_routes, &admin_category_nroutes},
	{admin_media_routes, &admin_media_nroutes},
	{site_reset_routes, &site_reset_nroutes},
	{site_profile_routes, &site_profile_nroutes},
	{admin_outbox_routes, &admin_outbox_nroutes},
	{admin_audit_routes, &admin_audit_nroutes},
	{admin_account_routes, &admin_account_nroutes},
};

static struct route *all;
static size_t nall;

const struct route *web_route_table(size_t *n)
{
	if (!all) {
		size_t total = 0;
		for (size_t i = 0; i < HM_ARRAY_LEN(tables); i++)
			total += *tables[i].n;
		all = xcalloc(total, sizeof(*all));
		for (size_t i = 0; i < HM_ARRAY_LEN(tables); i++) {
			memcpy(all + nall, tables[i].routes, *tables[i].n * sizeof(*all));
			nall += *tables[i].n;
		}
	}
	*n = nall;
	return all;
}
