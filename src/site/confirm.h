/*
 * confirm.h — the confirmation step of a destructive action, which works
 * without script: a browser's POST without confirm=yes changes nothing and
 * is answered with a page saying what will happen, whose button sends the
 * same form again with confirm=yes. (GET /admin/events/{slug}/cancel is
 * the same step as a page of its own.)
 *
 *	if (!web_confirmed(req))
 *		return web_confirm_page(req, res, &(struct confirm){…});
 */
#ifndef HM_SITE_CONFIRM_H
#define HM_SITE_CONFIRM_H

#include "site/web.h"

#define CONFIRM_LINES 6

struct confirm {
	const char *question; /* "Delete the event?" (translated) */
	const char *thing;    /* its name, shown quoted; NULL: none */
	/* What will happen, one sentence each (translated); NULL ends. */
	const char *lines[CONFIRM_LINES];
	const char *yes;      /* the button: "Yes, delete it" */
	const char *back;     /* where "No" goes (a local path) */
	const char *action;   /* where the form goes; NULL: the request's path */
	const char *admin;    /* the admin section to mark, or NULL */
};

/* 1 when the action may go ahead: a JSON call, or a form that sent
 * confirm=yes. */
int web_confirmed(struct http_req *req);
/* Answers 200 with the confirmation page of c: the form's fields (but its
 * token, which the page gives anew) and confirm=yes, to c->action. */
enum hm_err web_confirm_page(struct http_req *req, struct http_res *res, const struct confirm *c);

#endif
