/*
 * body.c — what forms and JSON calls share beyond form.h: a request's body
 * as one JSON object (a JSON body, or a form's fields with repeated names
 * as lists and "q_<id>" fields under "answers"), and a store's refusals by
 * field (struct field_errors of msgids) as a form model or a JSON answer.
 */
#include "site/kind.h"
#include "site/site.h"

#include <string.h>
#include <strings.h>

json_t *site_body_object(struct http_req *req)
{
	if (req->content_type && strncasecmp(req->content_type, "application/json", 16) == 0) {
		json_t *j = req->body ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
						   NULL)
				      : NULL;
		if (!json_is_object(j)) {
			json_decref(j);
			return NULL;
		}
		return web_own(req, j);
	}
	struct kv_list kv;
	form_pairs(req, &kv);
	json_t *o = json_object(), *answers = json_object();
	for (size_t i = 0; i < kv.n; i++) {
		const char *k = kv.items[i].key, *v = kv.items[i].value;
		if (!k || str_eq(k, "_csrf") || strlen(kv.items[i].value) != kv.items[i].value_len)
			continue;
		json_t *into = o;
		if (strncmp(k, "q_", 2) == 0) {
			into = answers;
			k += 2;
		}
		json_t *old = json_object_get(into, k);
		if (!old)
			json_object_set_new(into, k, json_string(v));
		else if (json_is_array(old))
			json_array_append_new(old, json_string(v));
		else
			json_object_set_new(into, k, json_pack("[O, s]", old, v));
	}
	json_object_set_new(o, "answers", answers);
	return web_own(req, o);
}

json_t *site_errors_form(struct http_req *req, const json_t *values, const struct field_errors *errs,
			 const char *const *order)
{
	json_t *fj = json_pack("{s:o, s:{}, s:b, s:[]}", "values",
			       values ? json_deep_copy(values) : json_object(), "errors",
			       "has_errors", errs && errs->n > 0, "summary");
	json_t *errors = json_object_get(fj, "errors");
	/* the summary lists the errors in the order of the form's fields */
	size_t norder = 0;
	while (order && order[norder])
		norder++;
	int done[FIELD_ERRORS_MAX] = {0};
	/* k < norder: that field's errors; k == norder: all the others */
	for (size_t k = 0; k <= norder; k++)
		for (int i = 0; errs && i < errs->n; i++) {
			const char *field = errs->items[i].field;
			if (done[i] || (k < norder && !str_eq(field, order[k])))
				continue;
			done[i] = 1;
			const char *msg = web_t(req, errs->items[i].msgid);
			if (!*field) {
				json_object_set_new(fj, "error", json_string(msg));
				continue;
			}
			json_object_set_new(errors, field, json_string(msg));
			form_summary_add(fj, field, "", msg);
		}
	if (errs && errs->n && !json_object_get(fj, "error"))
		json_object_set_new(fj, "error",
				    json_string(web_t(req, "Please correct the fields marked below.")));
	return fj;
}

enum hm_err site_refuse_json(struct http_req *req, struct http_res *res, int status,
			   const struct field_errors *errs)
{
	json_t *fj = site_errors_form(req, NULL, errs, NULL);
	json_t *m = json_pack("{s:O, s:b, s:O}", "error", json_object_get(fj, "error"),
			      "has_errors", 1, "errors", json_object_get(fj, "errors"));
	json_decref(fj);
	return adm_api_answer(res, status, m);
}
