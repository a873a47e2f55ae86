/*
 * site.h — what the pages of the site's own business share (internal to
 * src/web): passwords by e-mail link, one's profile, and the outbox,
 * audit log and accounts of administrators. Each page has its JSON twin
 * under /api/v1/, answered by the same handler.
 */
#ifndef HM_WEB_SITE_H
#define HM_WEB_SITE_H

#include <jansson.h>

#include "auth/auth.h"
#include "site/form.h"
#include "site/web.h"

#define SITE_PER_PAGE 50

/* Adds page, pages and the links to neighbouring pages; base is the
 * path with its query so far ("/admin/audit?entity=event"). */
void site_paging(json_t *m, int page, int64_t total, const char *base);

/* Answers a form that failed: its values and errors, in the page (HTML) or
 * alone (JSON). model (stolen) is the page's other data. */
enum hm_err site_form_fail(struct http_req *req, struct http_res *res, int status,
			   const struct form *f, json_t *model, const char *tpl, const char *title);

/* {values: {}, errors: {}}: a form not yet sent. */
json_t *site_empty_form(void);
/* {csrf: token} for the forms of the page. */
json_t *site_csrf_model(struct http_req *req, struct http_res *res);

/* Marks the admin section a page belongs to, for the sub-navigation. */
void site_section(struct http_req *req, json_t *m, const char *key);


/* The site's time zone (setting "timezone"), "UTC" when none; in the
 * arena. */
const char *site_zone(struct http_req *req);
/* Sets out_key to the timestamp at key as the reader's date and time in
 * the site's zone, with the zone ("29 Nov 2012, 09:30 GMT+8"), or to the
 * stamp itself. */
void site_display_time(struct http_req *req, json_t *o, const char *key, const char *out_key);


/* The {id} of the path as a positive number, 0 when it is not one. */
int64_t site_id_param(struct http_req *req);
/* A query argument, NULL when absent or empty. */
const char *site_query_opt(struct http_req *req, const char *name);


/* [{key, before, after, kind: added|removed|changed}…] for the keys
 * whose values differ, in key order (admin_audit.c). */
json_t *site_audit_changes(json_t *before, json_t *after);
/* The same for a page: times among the values shown as the reader's
 * date and time (site_display_time), not as stamps. */
json_t *site_audit_changes_shown(struct http_req *req, json_t *before, json_t *after);

/* Site settings as an object: {"site_name": …, "site_tagline": …}. */
json_t *site_settings(struct db *db);
/* The site's name (site setting "site_name", else "harmony"), in the arena. */
const char *site_name(struct http_req *req);

/* ---- bodies and refusals by field (body.c) ---- */
struct field_errors;
/* The body as one object: a JSON object, or the form's fields (repeated
 * names as lists, "q_<id>" fields under "answers"); owned by the request;
 * NULL when a JSON body is not an object. */
json_t *site_body_object(struct http_req *req);
/* A form model {values, errors, has_errors, error, summary} of the values
 * sent and errs (translated); the summary follows order (the form's field
 * names, NULL-terminated; NULL: as errs has them), the others after. */
json_t *site_errors_form(struct http_req *req, const json_t *values, const struct field_errors *errs,
			 const char *const *order);
/* A JSON refusal {error, errors} with status. */
enum hm_err site_refuse_json(struct http_req *req, struct http_res *res, int status,
			     const struct field_errors *errs);

#endif
