/*
 * accounts.h — what the account pages (signing in, one's account and
 * profile, a forgotten password, the administrators' accounts pages)
 * share, internal to src/features/accounts.
 */
#ifndef HM_FEATURES_ACCOUNTS_H
#define HM_FEATURES_ACCOUNTS_H

#include <jansson.h>

#include "auth/auth.h"
#include "site/form.h"
#include "site/site.h"
#include "site/web.h"

/* A translated sentence for a password that auth_password_quality refuses
 * for the person with this e-mail and name (either may be NULL), or NULL
 * when it is acceptable. */
const char *accounts_password_problem(struct http_req *req, const char *pw, const char *email,
				      const char *name);

/* Adds to an account (auth_account_get's) lang_name ("English", in
 * itself) and to each of its roles its name in paths ("event:SLUG"),
 * the event's or series' title, a label that names it ("Organiser of
 * Harmony through Diversity and Dialogue") and where it leads. */
void accounts_decorate(struct http_req *req, json_t *acct);

/* [{code, name, selected}…] of the languages the site speaks. */
json_t *accounts_language_choices(struct http_req *req, const char *current);

enum link_mail { MAIL_RESET, MAIL_INVITE };

/* Makes a reset token for the account and queues the message that
 * carries it, in the account's own language. HM_ENOTFOUND when no account
 * has the e-mail; mail_send's errors otherwise. */
enum hm_err accounts_send_link(struct http_req *req, enum link_mail kind, const char *email,
			   const struct principal *inviter);

/* The model of the account page (account.c): the account, its sessions,
 * tokens and second factor, with the token form's choices; NULL when the
 * account cannot be read. */
json_t *accounts_account_model(struct http_req *req, struct http_res *res, const char *scope,
			       int64_t days);

/* The route tables of the account pages. */
extern const struct route account_routes[];
extern const struct route reset_routes[];
extern const struct route profile_routes[];
extern const struct route admin_account_routes[];
extern const struct route two_factor_routes[];

#endif
