/*
 * notice.h — e-mailed notices of security-relevant changes to an account
 * (ASVS 2.2.3), so that its owner learns of a change they did not make:
 * a password changed or reset, a personal API token made, a role given,
 * the second factor turned on or off.
 * The accounts feature's public header: other features (an event's
 * organisers) call it after they give a role.
 */
#ifndef HM_FEATURES_ACCOUNTS_NOTICE_H
#define HM_FEATURES_ACCOUNTS_NOTICE_H

#include <stdint.h>

#include "auth/auth.h"
#include "core/core.h"

struct http_req;

/* What changed. Adding a kind is a line here and a row of the table in
 * notice.c (its subject and sentences). */
enum account_notice {
	ACCOUNT_NOTICE_PASSWORD_CHANGED, /* detail: NULL */
	ACCOUNT_NOTICE_PASSWORD_RESET,   /* detail: NULL */
	ACCOUNT_NOTICE_API_TOKEN,        /* detail: the token's label */
	ACCOUNT_NOTICE_ROLE_ADMIN,       /* detail: NULL */
	ACCOUNT_NOTICE_ROLE_EVENT,       /* detail: the event's title */
	ACCOUNT_NOTICE_ROLE_SERIES,      /* detail: the series' title */
	ACCOUNT_NOTICE_TWO_FACTOR_ON,    /* detail: NULL */
	ACCOUNT_NOTICE_TWO_FACTOR_OFF,   /* detail: NULL */
	ACCOUNT_NOTICE__MAX
};

/* Queues, through mail_send, one message to account_id's address in the
 * account's language: what changed (with detail, control characters
 * blanked), when (UTC), from which client address, by whom when someone
 * else did it, and what to do if it was not them (a new password at
 * <base>/forgot-password, their sessions and tokens at <base>/account).
 * It never names a password, token or link secret.
 *
 * Call it after the change is committed, outside any transaction: it is
 * a best effort. A failure is logged here and returned, and never marks
 * the request's connection as failed, so the caller goes on answering
 * the change as done. HM_EINVAL for a kind out of range or an address
 * mail_send refuses; HM_ENOTFOUND when the account is gone. */
enum hm_err accounts_notify(struct http_req *req, int64_t account_id, enum account_notice kind,
			    const char *detail);

/* accounts_notify for a role just given: ACCOUNT_NOTICE_ROLE_ADMIN, or
 * ROLE_EVENT / ROLE_SERIES with the event's or series' title looked up by
 * the grant's id. The same contract. */
enum hm_err accounts_notify_grant(struct http_req *req, int64_t account_id,
				  const struct auth_grant *g);

#endif
