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

/* Every accepted statement with its current agree / disagree / pass
 * counts in words. */
void dlg_report_model(struct http_req *req, json_t *m)
{
	json_t *r = json_object_get(m, "report");
	long long n = json_integer_value(json_object_get(r, "n"));
	json_object_set_new(m, "counts_text",
			    json_string(arena_printf(&req->pool,
						     web_nt(req, "%lld participant voted", "%lld participants voted",
							    (unsigned long)n),
						     n)));
	int64_t cid = json_integer_value(json_object_get(json_object_get(m, "conversation"), "id"));
	json_t *list = dlg_statements(req->db, cid, "accepted");
	json_t *shares = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s) {
		long long a = json_integer_value(json_object_get(s, "n_agree"));
		long long d = json_integer_value(json_object_get(s, "n_disagree"));
		long long p = json_integer_value(json_object_get(s, "n_pass"));
		json_array_append_new(
			shares, json_pack("{s:O, s:s}", "text", json_object_get(s, "text"), "shares_text",
					  arena_printf(&req->pool, web_t(req, "agree %lld · disagree %lld · pass %lld"),
						       a, d, p)));
	}
	json_decref(list);
	json_object_set_new(m, "shares", shares);
}
