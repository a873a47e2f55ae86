/*
 * confirm.c — the confirmation step of a destructive action (delete,
 * cancel, revoke, unpublish), without script: a browser's POST that does
 * not carry confirm=yes changes nothing and is answered with a page that
 * says what will happen and carries the same form again, with its fields
 * and confirm=yes, behind a button that names the action. A JSON call is a
 * program's, which has said what it wants.
 */
#include "site/confirm.h"

#include "site/form.h"

#include <string.h>

int web_confirmed(struct http_req *req)
{
	if (req->want_json)
		return 1;
	struct kv_list kv;
	form_pairs(req, &kv);
	for (size_t i = 0; i < kv.n; i++)
		if (strcmp(kv.items[i].key, "confirm") == 0)
			return strcmp(kv.items[i].value, "yes") == 0;
	return 0;
}

enum hm_err web_confirm_page(struct http_req *req, struct http_res *res, const struct confirm *c)
{
	struct kv_list kv;
	json_t *hidden = json_array(), *lines = json_array();
	form_pairs(req, &kv);
	for (size_t i = 0; i < kv.n; i++) {
		const char *k = kv.items[i].key;
		if (strcmp(k, "_csrf") == 0 || strcmp(k, "confirm") == 0 ||
		    strlen(kv.items[i].value) != kv.items[i].value_len)
			continue;
		json_array_append_new(hidden, json_pack("{s:s, s:s}", "name", k, "value",
							kv.items[i].value));
	}
	for (int i = 0; i < CONFIRM_LINES && c->lines[i]; i++)
		json_array_append_new(lines, json_string(c->lines[i]));
	web_private(req, res);
	json_t *m = json_pack("{s:s, s:s?, s:o, s:s, s:o, s:s, s:s, s:s}", "question", c->question,
			      "thing", c->thing, "lines", lines, "action",
			      c->action ? c->action : req->path, "hidden", hidden, "yes", c->yes,
			      "back", c->back, "csrf", web_csrf_token(req, res));
	if (!m) /* a string that is not UTF-8: none of ours */
		return HM_EINTERNAL;
	if (c->admin)
		json_object_set_new(m, "admin_nav", json_pack("{s:b}", c->admin, 1));
	http_res_page(res, m, "pages/confirm", c->question);
	return HM_OK;
}
