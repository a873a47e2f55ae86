/*
 * web_page.c — the models of the dialogue's HTML pages: the voting page
 * (one statement, agree / disagree / pass as plain forms) and the report
 * (every statement's shares). The JSON twins answer the same keys
 * without these additions.
 */
#include "features/dialogue/dlg_web.h"

#include <stdio.h>

void dlg_page_model(struct http_req *req, json_t *m)
{
	const json_t *prog = json_object_get(m, "progress");
	long long voted = json_integer_value(json_object_get(prog, "voted"));
	long long total = json_integer_value(json_object_get(prog, "total"));
	char *text = arena_printf(&req->pool, web_nt(req, "%lld of %lld statement", "%lld of %lld statements",
						     (unsigned long)total),
				  voted, total);
	json_object_set_new(m, "progress_text", json_string(text));
	const char *why = json_string_value(json_object_get(m, "why_not"));
	if (why) {
		char key[40];
		snprintf(key, sizeof(key), "why_%s", why);
		for (char *k = key; *k; k++)
			if (*k == '-')
				*k = '_';
		json_object_set_new(m, key, json_true());
	}
}
