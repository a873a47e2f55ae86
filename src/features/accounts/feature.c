/*
 * feature.c — the accounts feature as the site sees it: signing in and
 * out, one's account, profile, password and API tokens, a forgotten
 * password, and the administrators' pages of accounts and roles.
 */
#include "features/accounts/accounts.h"

#include "site/feature.h"

static const struct route *const routes[] = {
	account_routes,
	reset_routes,
	profile_routes,
	admin_account_routes,
	two_factor_routes,
	NULL,
};

const struct feature accounts_feature = {
	.name = "accounts",
	.routes = routes,
};
