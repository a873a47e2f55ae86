/*
 * news_web.c — the helpers the organisers' news pages share (see
 * news_web.h): paths and gates, the domain's refusals onto a form, and a
 * JSON body laid over a post or category for PATCH.
 */
#include "features/news/news_web.h"

#include "auth/auth.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

int news_web_is_api(const struct http_req *req)
{
	return str_starts_with(req->path, "/api/");
}


/* The gate of every news editing handler: editors of some news pass,
 * everyone else gets web_require's answer (sign-in, 401 or 403). */
enum hm_err news_web_gate(struct http_req *req, struct http_res *res)
{
	if (news_can_edit_any(web_principal(req)))
		return HM_OK;
	return web_require(req, res, AUTH_NEWS_EDIT, NULL);
}

/* Marks the admin sub-navigation's current section. */
void news_web_nav(json_t *m, const char *section)
{
	json_object_set_new(m, "admin_nav", json_pack("{s:b}", section, 1));
}

/* 1 if the form declares a field of that name. */
static int form_has_field(const struct form *f, const char *name)
{
	for (size_t k = 0; k < f->n; k++)
		if (strcmp(f->fields[k].name, name) == 0)
			return 1;
	return 0;
}

/* The domain's refusals onto the form's fields; categories (not a field
 * of the table) are added by form_model, anything else goes to the top. */
void news_web_apply_errors(struct http_req *req, struct form *f, const struct field_errors *errs)
{
	for (int i = 0; i < errs->n; i++) {
		const char *field = errs->items[i].field;
		if (form_has_field(f, field))
			form_set_error(req, f, field, errs->items[i].msgid);
		else if (strcmp(field, "categories") != 0 && !f->error)
			f->error = web_t(req, errs->items[i].msgid);
	}
}

void news_web_slug_add(struct slug_list *l, const char *s)
{
	l->given = 1;
	if (s && *s && l->n < HM_ARRAY_LEN(l->v))
		l->v[l->n++] = s;
}

enum hm_err news_web_json_prepare(struct http_req *req, const json_t *current,
				  struct slug_list *cats)
{
	json_error_t jerr;
	json_t *o = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES,
			       &jerr);
	enum hm_err e = HM_EINVAL;
	json_t *merged = current ? json_deep_copy(current) : json_object();
	if (!json_is_object(o))
		goto out;
	json_object_update(merged, o);
	json_t *c = json_object_get(merged, "categories");
	if (c && !json_is_null(c)) {
		size_t i;
		json_t *v;
		if (!json_is_array(c))
			goto out;
		json_array_foreach(c, i, v) {
			if (!json_is_string(v))
				goto out;
			news_web_slug_add(cats, arena_strdup(&req->pool, json_string_value(v)));
		}
	}
	cats->given = 1;
	/* Fields of the HTML form only. */
	json_object_del(merged, "categories");
	json_object_del(merged, "preview");
	json_object_del(merged, "remove_image");
	char *s = json_dumps(merged, JSON_COMPACT);
	if (!s)
		goto out;
	req->body = arena_strdup(&req->pool, s);
	req->body_len = strlen(s);
	free(s);
	e = HM_OK;
out:
	json_decref(o);
	json_decref(merged);
	return e;
}

int news_web_json_body(const struct http_req *req)
{
	return req->content_type && strncasecmp(req->content_type, "application/json", 16) == 0;
}
