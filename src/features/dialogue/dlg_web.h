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

/* Statement s ({id, text, lang: the original's (null: not known),
 * translations: {lang: {text}}}) as the request's reader reads it: text
 * becomes its version in their language where there is one, and
 * text_lang {"text": the language shown} (as the site's translated
 * things say it), original_text, translated (bool) and translations ({}
 * when none) are set; html: also original_lang_name, the original's
 * language by name, when translated. */
void dlg_web_read_in(struct http_req *req, json_t *s, int html);
/* For a page, on a statement dlg_web_read_in translated: original_lang
 * (the original's language, "" when not known), original_lang_name and
 * shown_lang (the language its text is shown in). */
void dlg_web_original_names(struct http_req *req, json_t *s);
/* The same for each statement of list, with trs the conversation's
 * translations (dlg_conv_translations's). */
void dlg_web_read_in_all(struct http_req *req, json_t *list, const json_t *trs, int html);

/* Adds what the voting page shows beside the JSON twin's keys. */
void dlg_page_model(struct http_req *req, json_t *m);
/* Adds what the report page shows: counts in words, groups, consensus. */
void dlg_report_model(struct http_req *req, json_t *m);

/* The session_page hook: s's open and closed conversations its reader
 * may see, oldest first, as "conversations": [{id, topic, question,
 * status, status_label, url}…] (the empty list when none). */
enum hm_err dlg_session_page(struct http_req *req, json_t *s);

#endif
