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

/* Adds what the voting page shows beside the JSON twin's keys. */
void dlg_page_model(struct http_req *req, json_t *m);
/* Adds what the report page shows: counts in words, groups, consensus. */
void dlg_report_model(struct http_req *req, json_t *m);

#endif
