/*
 * kind_form.c — reading the admin forms and their JSON twins (an update
 * changes only the keys sent; a kind's list field comes as repeated
 * checkboxes or an array), and the field-set model the shared form
 * template renders.
 */
#include "site/kind.h"

#include <stdlib.h>
#include <string.h>

/* ================================================================ input */

void adm_input_free(struct adm_input *in)
{
	json_decref(in->present);
	json_decref(in->list);
	json_decref(in->extra);
	json_decref(in->extra_errors);
}

/* Notes the keys of the body; takes the list field and the kind's
 * structured keys out of a JSON body (the form reader accepts only
 * scalars) and collects its repeated form fields. */
static void input_extras(struct http_req *req, const char *list_field,
			 const char *const *json_extra, struct adm_input *in)
{
	const char *ct = req->content_type ? req->content_type : "";
	memset(in, 0, sizeof(*in));
	in->present = json_object();
	in->list_field = list_field;
	if (!req->body || !req->body_len)
		return;
	if (strncasecmp(ct, "application/json", 16) == 0) {
		json_t *o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(o)) {
			json_decref(o);
			return;
		}
		const char *key;
		json_t *v;
		json_object_foreach(o, key, v)
			json_object_set_new(in->present, key, json_true());
		int taken = 0;
		for (const char *const *x = json_extra; x && *x; x++) {
			json_t *xv = json_object_get(o, *x);
			if (!xv)
				continue;
			if (!in->extra)
				in->extra = json_object();
			json_object_set(in->extra, *x, xv);
			json_object_del(o, *x);
			taken = 1;
		}
		json_t *s = list_field ? json_object_get(o, list_field) : NULL;
		if (s) {
			in->list = json_is_null(s) ? json_array() : json_incref(s);
			json_object_del(o, list_field);
			taken = 1;
		}
		if (taken) {
			char *text = json_dumps(o, JSON_COMPACT);
			if (text) {
				req->body = arena_strdup(&req->pool, text);
				req->body_len = strlen(text);
				free(text);
			}
		}
		json_decref(o);
		return;
	}
	struct kv_list kv;
	form_pairs(req, &kv);
	for (size_t i = 0; i < kv.n; i++) {
		json_object_set_new(in->present, kv.items[i].key, json_true());
		if (!list_field || strcmp(kv.items[i].key, list_field) != 0)
			continue;
		if (!in->list)
			in->list = json_array();
		/* The form sends the field empty first, so none ticked still
		 * says "none". */
		if (kv.items[i].value[0])
			json_array_append_new(in->list, json_string(kv.items[i].value));
	}
}

/* Reads a body against fields. partial: an update, where absent fields
 * stay as they are (their "required" errors are dropped). HM_EINVAL when
 * some field is bad. */
enum hm_err adm_input_read(struct http_req *req, const struct field *fields, size_t n,
			   const char *list_field, const char *const *json_extra, int partial,
			   struct adm_input *in)
{
	input_extras(req, list_field, json_extra, in);
	in->json_extra = json_extra;
	enum hm_err e = form_read(req, fields, n, &in->f);
	if (partial) {
		for (size_t i = 0; i < in->f.n; i++) {
			if (in->f.errors[i] && !json_object_get(in->present, fields[i].name)) {
				in->f.errors[i] = NULL;
				in->f.nerrors--;
			}
		}
		if (!in->f.nerrors && !in->f.error)
			e = HM_OK;
	}
	return e;
}

/* The declared fields that were sent, as {name: value or null}, plus the
 * list field when sent. Caller owns it. */
json_t *adm_input_json(const struct adm_input *in)
{
	json_t *o = json_object();
	for (size_t i = 0; i < in->f.n; i++) {
		const char *name = in->f.fields[i].name;
		if (!json_object_get(in->present, name))
			continue;
		web_set_str(o, name, in->f.values[i]);
	}
	if (in->list)
		json_object_set(o, in->list_field, in->list);
	if (in->extra)
		json_object_update(o, in->extra);
	return o;
}

/* Puts the domain's messages beside their fields (or over the form). */
void adm_input_errors(struct http_req *req, struct adm_input *in,
		      const struct field_errors *errs)
{
	for (int i = 0; i < errs->n; i++) {
		const char *field = errs->items[i].field, *msgid = errs->items[i].msgid;
		int declared = 0;
		for (size_t k = 0; k < in->f.n; k++)
			declared |= strcmp(in->f.fields[k].name, field) == 0;
		int extra = 0;
		for (const char *const *x = in->json_extra; x && *x; x++)
			extra |= strcmp(*x, field) == 0;
		if (declared) {
			form_set_error(req, &in->f, field, msgid);
		} else if (in->list_field && strcmp(field, in->list_field) == 0) {
			in->list_error = web_t(req, msgid);
		} else if (extra) {
			if (!in->extra_errors)
				in->extra_errors = json_object();
			json_object_set_new(in->extra_errors, field, json_string(web_t(req, msgid)));
		} else if (!in->f.error) {
			in->f.error = web_t(req, msgid);
		}
	}
}

/* {values, errors, has_errors, error} with the list field. Caller owns it. */
json_t *adm_input_form_json(const struct adm_input *in)
{
	json_t *fj = form_json(&in->f);
	/* form_json leaves file fields out, their messages too. */
	for (size_t i = 0; i < in->f.n; i++)
		if (in->f.fields[i].kind == FIELD_FILE && in->f.errors[i])
			json_object_set_new(json_object_get(fj, "errors"), in->f.fields[i].name,
					    json_string(in->f.errors[i]));
	if (in->list)
		json_object_set(json_object_get(fj, "values"), in->list_field, in->list);
	const char *key;
	json_t *msg;
	json_object_foreach(in->extra_errors, key, msg) {
		json_object_set(json_object_get(fj, "errors"), key, msg);
		json_object_set_new(fj, "has_errors", json_true());
		form_summary_add(fj, key, NULL, json_string_value(msg));
	}
	if (in->list_error) {
		json_object_set_new(json_object_get(fj, "errors"), in->list_field,
				    json_string(in->list_error));
		json_object_set_new(fj, "has_errors", json_true());
		form_summary_add(fj, in->list_field, NULL, in->list_error);
	}
	return fj;
}

/* The form model of a stored thing: its fields as strings. */
json_t *adm_values_of(const json_t *thing, const struct field *fields, size_t n,
		      const char *list_field)
{
	json_t *values = json_object();
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(thing, fields[i].name);
		if (json_is_string(v))
			json_object_set(values, fields[i].name, v);
		else if (json_is_integer(v))
			json_object_set_new(values, fields[i].name,
					    json_sprintf("%lld", (long long)json_integer_value(v)));
	}
	json_t *list = list_field ? json_object_get(thing, list_field) : NULL;
	if (list)
		json_object_set(values, list_field, list);
	return json_pack("{s:o, s:{}, s:b}", "values", values, "errors", "has_errors", 0);
}

/* ============================================================ form model */

const char *adm_limit_text(struct http_req *req, size_t max_len)
{
	return arena_printf(&req->pool,
			    web_nt(req, "At most %zu character.", "At most %zu characters.", max_len),
			    max_len);
}

/* Fields whose length a person types: text, not a date or a number. */
static int limit_shown(const struct adm_widget *w)
{
	if (w->kind == W_TEXTAREA)
		return 1;
	return w->kind == W_INPUT && (!w->type || str_eq(w->type, "text") ||
				      str_eq(w->type, "url") || str_eq(w->type, "email"));
}

/* The fieldsets of a form for the shared template: each field with its
 * value and error from fj, and its options from options[name]. Caller
 * owns it. */
json_t *adm_fieldsets(struct http_req *req, const char *const *legends, size_t nlegends,
		      const struct adm_widget *w, size_t nw, const struct field *fields, size_t nf,
		      const json_t *fj, const json_t *options)
{
	json_t *sets = json_array();
	const json_t *values = json_object_get(fj, "values"), *errors = json_object_get(fj, "errors");
	for (size_t s = 0; s < nlegends; s++) {
		json_t *list = json_array();
		for (size_t i = 0; i < nw; i++) {
			if (w[i].fieldset != (int)s)
				continue;
			const struct field *fd = NULL;
			for (size_t k = 0; k < nf; k++)
				if (strcmp(fields[k].name, w[i].name) == 0)
					fd = &fields[k];
			const char *err = web_str(errors, w[i].name);
			const char *id = arena_printf(&req->pool, "f-%s", w[i].name);
			struct buf described;
			buf_init(&described);
			if (w[i].hint)
				buf_printf(&described, "%s-hint", id);
			if (fd && fd->max_len && limit_shown(&w[i]))
				buf_printf(&described, "%s%s-limit", described.len ? " " : "", id);
			if (err)
				buf_printf(&described, "%s%s-error", described.len ? " " : "", id);
			json_t *f = json_pack(
				"{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:s, s:i}", "id", id, "name",
				w[i].name, "label", web_t(req, w[i].label), "required",
				w[i].required || (fd && fd->required), "is_input", w[i].kind == W_INPUT, "is_textarea",
				w[i].kind == W_TEXTAREA, "is_select", w[i].kind == W_SELECT,
				"is_checkboxes", w[i].kind == W_CHECKBOXES, "type",
				w[i].type ? w[i].type : "text", "rows",
				fd && fd->max_len > 5000 ? 14 : 4);
			json_object_set_new(f, "optional",
					    json_boolean(!w[i].required && !(fd && fd->required) &&
							 (w[i].kind == W_INPUT || w[i].kind == W_TEXTAREA ||
							  w[i].kind == W_FILE)));
			json_object_set_new(f, "is_file", json_boolean(w[i].kind == W_FILE));
			web_set_str(f, "hint", w[i].hint ? web_t(req, w[i].hint) : NULL);
			web_set_str(f, "error", err);
			web_set_str(f, "describedby", described.len ? described.data : NULL);
			buf_free(&described);
			if (fd && fd->max_len && (w[i].kind == W_INPUT || w[i].kind == W_TEXTAREA))
				json_object_set_new(f, "maxlength", json_integer((json_int_t)fd->max_len));
			else
				json_object_set_new(f, "maxlength", json_null());
			/* The limit, said beside the field ("At most 200 characters."). */
			web_set_str(f, "limit",
				    fd && fd->max_len && limit_shown(&w[i])
					    ? adm_limit_text(req, fd->max_len)
					    : NULL);
			json_t *v = json_object_get(values, w[i].name);
			web_set_str(f, "value", json_is_string(v) ? json_string_value(v) : "");
			json_t *opts = json_object_get(options, w[i].name);
			/* An input with options offers them as suggestions
			 * (<datalist>): a searchable list of time zones. */
			json_object_set_new(f, "list_id",
					    opts && w[i].kind == W_INPUT
						    ? json_string(arena_printf(&req->pool, "%s-list", id))
						    : json_null());
			if (opts) {
				json_t *out = json_array();
				size_t j;
				json_t *o;
				json_array_foreach(opts, j, o) {
					const char *ov = web_str(o, "value");
					int sel = 0;
					if (json_is_array(v)) {
						size_t q;
						json_t *x;
						json_array_foreach(v, q, x) sel |= str_eq(json_string_value(x), ov);
					} else {
						sel = str_eq(json_string_value(v), ov) ||
						      (!json_is_string(v) && ov && !*ov);
					}
					json_array_append_new(
						out, json_pack("{s:s, s:s, s:s, s:b}", "value", ov ? ov : "",
							       "label", web_str(o, "label"), "id",
							       arena_printf(&req->pool, "%s-%s", id,
									    ov && *ov ? ov : "none"),
							       "selected", sel));
				}
				json_object_set_new(f, "options", out);
			}
			json_array_append_new(list, f);
		}
		json_array_append_new(sets, json_pack("{s:s, s:o}", "legend", web_t(req, legends[s]),
						      "fields", list));
	}
	return sets;
}
