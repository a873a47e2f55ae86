/*
 * dlg_web.h — what the dialogue's pages share (internal to
 * src/features/dialogue): the route table feature.c lists and the models
 * of the HTML pages.
 */
#ifndef HM_DLG_WEB_H
#define HM_DLG_WEB_H

#include <jansson.h>

#include "core/text.h"
#include "db/db.h"
#include "features/dialogue/dlg_internal.h"
#include "site/feature.h"
#include "site/kind.h"
#include "site/site.h"

extern const struct route dlg_routes[];
extern const struct route dlg_admin_routes[];
extern const struct route dlg_live_routes[];
extern const struct route dlg_participant_routes[];

/* web_api.c's, for the other pages: the conversation of the path's {id}
 * as its visitor may see it (404 otherwise; *c owned by the request); the
 * report's visibility rule (403); a conversation as the API shows it. */
enum hm_err dlg_web_conv(struct http_req *req, struct http_res *res, json_t **c);
enum hm_err dlg_web_may_read_report(struct http_req *req, struct http_res *res, const json_t *c);
json_t *dlg_web_public_conv(const json_t *c);
/* The label of a stored value of the dialogue (statuses, settings, kinds
 * of participant and author), translated; the key itself when unknown. */
const char *dlg_label(struct http_req *req, const char *key);

/* Adds what the voting page shows beside the JSON twin's keys. */
void dlg_page_model(struct http_req *req, json_t *m);
/* Adds what the report page shows: counts in words, groups, consensus. */
void dlg_report_model(struct http_req *req, json_t *m);

#endif
