/*
 * web_page.c — the models of the dialogue's HTML pages: the voting page
 * (one statement, agree / disagree / pass as plain forms) and the report
 * (every statement's shares). The JSON twins answer the same keys
 * without these additions.
 */
#include "features/dialogue/dlg_web.h"

#include "view/format_extra.h"
#include "view/i18n.h"

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
	json_t *next = json_object_get(m, "next");
	if (json_is_true(json_object_get(next, "translated")))
		dlg_web_original_names(req, next);
	/* a participant reading a statement written in another language, with
	 * no version in theirs, may suggest one for the moderators */
	const char *own = dlg_jstr(next, "lang"), *want = req->lang ? req->lang : "en";
	if (json_is_true(json_object_get(m, "may_vote")) && own && !str_eq(own, want) &&
	    !json_is_true(json_object_get(next, "translated"))) {
		json_object_set_new(next, "suggest", json_true());
		web_set_str(next, "suggest_lang", want);
		web_set_str(next, "suggest_dir", i18n_dir(want));
		web_set_str(next, "suggest_lang_name", fmt_language(&req->pool, want));
		int64_t max = json_integer_value(json_object_get(json_object_get(m, "conversation"), "max_length"));
		json_object_set_new(next, "suggest_max", json_integer(DLG_TR_FACTOR * max));
	}
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

void dlg_web_original_names(struct http_req *req, json_t *s)
{
	const char *own = dlg_jstr(s, "lang");
	web_set_str(s, "original_lang", own ? own : "");
	if (own)
		web_set_str(s, "original_lang_name", fmt_language(&req->pool, own));
	web_set_str(s, "shown_lang", dlg_jstr(json_object_get(s, "text_lang"), "text"));
}

void dlg_web_read_in(struct http_req *req, json_t *s, int html)
{
	if (!json_is_object(s))
		return;
	const char *own = dlg_jstr(s, "lang");
	const char *want = req->lang ? req->lang : "en";
	json_t *trs = json_object_get(s, "translations");
	if (!trs)
		json_object_set_new(s, "translations", trs = json_object());
	const char *mine = str_eq(own, want) ? NULL
					     : json_string_value(json_object_get(
						       json_object_get(trs, want), "text"));
	json_t *original = json_incref(json_object_get(s, "text"));
	json_object_set_new(s, "original_text", original);
	json_object_set_new(s, "translated", json_boolean(mine != NULL));
	if (mine) {
		json_object_set_new(s, "text", json_string(mine));
		json_object_set_new(s, "text_lang", json_pack("{s:s}", "text", want));
	} else
		json_object_set_new(s, "text_lang", json_pack("{s:s?}", "text", own));
	if (html && mine)
		dlg_web_original_names(req, s);
}

void dlg_web_read_in_all(struct http_req *req, json_t *list, const json_t *trs, int html)
{
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s) {
		char k[24];
		snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(json_object_get(s, "id")));
		json_t *t = json_object_get(trs, k);
		json_object_set_new(s, "translations", t ? json_deep_copy(t) : json_object());
		dlg_web_read_in(req, s, html);
	}
}

enum hm_err dlg_session_page(struct http_req *req, json_t *s)
{
	json_t *list = dlg_session_conversations(req->db, json_integer_value(json_object_get(s, "id")));
	if (!list)
		return HM_EDB;
	json_t *out = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c) {
		if (!dlg_may_see(web_principal(req), c))
			continue;
		long long id = (long long)json_integer_value(json_object_get(c, "id"));
		json_t *o = json_pack("{s:I, s:O, s:O, s:O, s:o, s:s}", "id", (json_int_t)id, "topic",
				      json_object_get(c, "topic"), "question",
				      json_object_get(c, "question"), "status",
				      json_object_get(c, "status"), "url",
				      json_sprintf("/conversations/%lld", id), "status_label",
				      dlg_label(req, dlg_jstr(c, "status")));
		if (o)
			json_array_append_new(out, o);
	}
	json_decref(list);
	json_object_set_new(s, "conversations", out);
	return HM_OK;
}
