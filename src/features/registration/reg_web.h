/*
 * reg_web.h — what the registration pages share (internal to
 * src/features/registration): web_common.c's helpers and the route
 * tables feature.c lists.
 */
#ifndef HM_REG_WEB_H
#define HM_REG_WEB_H

#include <jansson.h>

#include "db/db.h"
#include "features/registration/registration.h"
#include "site/feature.h"
#include "site/kind.h"
#include "site/site.h"

/* The event of the path ({slug}) with its registration settings, owned
 * by the request. manage: the asker must manage its registrations (the
 * answer is private); else the event must be published (or the asker
 * its organiser). */
enum hm_err reg_web_event(struct http_req *req, struct http_res *res, int manage, json_t **out);
/* site_errors_form (site.h) in the order of a person's fields. */
json_t *reg_web_form(struct http_req *req, const json_t *values, const struct field_errors *errs);
/* Counts one registration (or delegation) from the request's address for
 * ev: 1 when it may go on (organisers are not held, nor anyone when the
 * limit is 0), 0 when the address is over the limit (Retry-After set, the
 * reason in errs: answer 429), -1 when the count could not be kept. */
int reg_web_rate(struct http_req *req, struct http_res *res, const json_t *ev,
		 struct field_errors *errs);
/* [{value, label, selected}…] of keys labelled by the vocabularies. */
json_t *reg_web_options(struct http_req *req, const char *const *keys, const char *current);
/* status_label, status_class, sector_label, gender_label, country_name,
 * created_display… */
void reg_web_decorate(struct http_req *req, json_t *r);

extern const struct vocab reg_vocab[];
extern const struct route reg_public_routes[];
extern const struct route reg_admin_routes[];
extern const struct route reg_desk_routes[];
extern const struct route reg_delegation_routes[];

/* What registration adds to an event's public page. */
enum hm_err reg_event_page(struct http_req *req, json_t *ev);

#endif
