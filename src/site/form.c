/*
 * form.c — declared-field form reading and validation for HTML forms and
 * JSON API calls alike, so both paths enforce the same rules.
 */
#include "site/form.h"
#include "auth/auth.h"
#include "core/text.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>

#define FORM_BODY_FIELDS 200

static int field_index(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *form_get(const struct form *f, const char *name)
{
	int i = field_index(f, name);
	return i < 0 ? NULL : f->values[i];
}

int64_t form_int(const struct form *f, const char *name, int64_t dflt)
{
	const char *v = form_get(f, name);
	return v ? strtoll(v, NULL, 10) : dflt;
}

int form_bool(const struct form *f, const char *name)
{
	const char *v = form_get(f, name);
	return v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0 && strcmp(v, "off") != 0;
}

void form_set_error(struct http_req *req, struct form *f, const char *name, const char *msgid)
{
	int i = field_index(f, name);
	if (i < 0)
		return;
	if (!f->errors[i])
		f->nerrors++;
	f->errors[i] = i18n_gettext(req->lang, msgid);
}

/* Stores a received value for a declared field (the first one wins). */
static void put(struct form *f, const char *key, const char *value)
{
	if (strcmp(key, "_csrf") == 0) {
		if (!f->csrf)
			f->csrf = value;
		return;
	}
	int i = field_index(f, key);
	/* a file field takes a file part only, never text posing as one */
	if (i >= 0 && !f->values[i] && f->fields[i].kind != FIELD_FILE)
		f->values[i] = value;
}

static enum hm_err read_body(struct http_req *req, struct form *f)
{
	const char *ct = req->content_type ? req->content_type : "";
	if (!req->body || req->body_len == 0)
		return HM_OK;
	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
		struct kv_list kv;
		if (http_parse_urlencoded(&req->pool, req->body, req->body_len, FORM_BODY_FIELDS, &kv) !=
		    HM_OK)
			return HM_EINVAL;
		for (size_t i = 0; i < kv.n; i++)
			put(f, kv.items[i].key, kv.items[i].value);
		return HM_OK;
	}
	if (strncasecmp(ct, "multipart/form-data", 19) == 0) {
		const char *boundary;
		struct multipart mp;
		if (http_multipart_boundary(&req->pool, ct, &boundary) != HM_OK ||
		    http_parse_multipart(&req->pool, req->body, req->body_len, boundary,
					 FORM_BODY_FIELDS, &mp) != HM_OK)
			return HM_EINVAL;
		for (size_t i = 0; i < mp.n; i++) {
			const struct multipart_part *p = &mp.parts[i];
			int k = field_index(f, p->name);
			if (p->filename) {
				if (k >= 0 && f->fields[k].kind == FIELD_FILE && !f->files[k].data &&
				    p->len > 0) {
					f->files[k] = (struct form_file){p->filename, p->content_type,
									 p->data, p->len};
					f->values[k] = p->filename;
				}
				continue;
			}
			/* Text parts must be text. */
			if (memchr(p->data, '\0', p->len) || !utf8_valid(p->data, p->len))
				return HM_EINVAL;
			put(f, p->name, p->data);
		}
		return HM_OK;
	}
	if (strncasecmp(ct, "application/json", 16) == 0) {
		json_error_t jerr;
		json_t *o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(o)) {
			json_decref(o);
			return HM_EINVAL;
		}
		const char *key;
		json_t *v;
		json_object_foreach(o, key, v) {
			const char *s = NULL;
			if (json_is_string(v))
				s = arena_strdup(&req->pool, json_string_value(v));
			else if (json_is_integer(v))
				s = arena_printf(&req->pool, "%lld", (long long)json_integer_value(v));
			else if (json_is_boolean(v))
				s = json_is_true(v) ? "1" : "0";
			else if (json_is_null(v))
				continue;
			else {
				/* Refused whole, naming the key: nothing of a body
				 * with a list or an object where one value belongs
				 * is taken, declared field or not. */
				f->error = arena_printf(&req->pool,
							i18n_gettext(req->lang,
								     "\"%s\" takes one value: text, a whole "
								     "number, true or false."),
							key);
				int i = field_index(f, key);
				if (i >= 0 && !f->errors[i]) {
					f->errors[i] = f->error;
					f->nerrors++;
				}
				json_decref(o);
				return HM_EINVAL;
			}
			put(f, arena_strdup(&req->pool, key), s);
		}
		json_decref(o);
		return HM_OK;
	}
	return HM_EINVAL;
}

void form_pairs(struct http_req *req, struct kv_list *out)
{
	const char *ct = req->content_type ? req->content_type : "";
	memset(out, 0, sizeof(*out));
	if (!req->body || !req->body_len)
		return;
	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
		if (http_parse_urlencoded(&req->pool, req->body, req->body_len, FORM_BODY_FIELDS,
					  out) != HM_OK)
			memset(out, 0, sizeof(*out));
		return;
	}
	if (strncasecmp(ct, "multipart/form-data", 19) != 0)
		return;
	const char *boundary;
	struct multipart mp;
	if (http_multipart_boundary(&req->pool, ct, &boundary) != HM_OK ||
	    http_parse_multipart(&req->pool, req->body, req->body_len, boundary, FORM_BODY_FIELDS,
				 &mp) != HM_OK)
		return;
	out->items = arena_alloc(&req->pool, (mp.n ? mp.n : 1) * sizeof(*out->items));
	for (size_t i = 0; i < mp.n; i++) {
		if (mp.parts[i].filename)
			continue;
		out->items[out->n].key = mp.parts[i].name;
		out->items[out->n].value = mp.parts[i].data;
		out->items[out->n].value_len = mp.parts[i].len;
		out->n++;
	}
}

static int has_controls(const char *s, int allow_newlines)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			if (!allow_newlines && *p != '\t')
				return 1;
		} else if (*p < 0x20 || *p == 0x7f) {
			return 1;
		}
	}
	return 0;
}

/* The message for a bad value, or NULL when it is fine. */
static const char *check(struct http_req *req, const struct field *fd, const char *v)
{
	size_t max = fd->max_len ? fd->max_len : (fd->kind == FIELD_MULTILINE ? 100000 : 200);
	if (!utf8_valid(v, strlen(v)))
		return N_("The text is not valid UTF-8.");
	if (strlen(v) > max)
		return N_("This is too long.");
	switch (fd->kind) {
	case FIELD_TEXT:
	case FIELD_PASSWORD:
		return has_controls(v, 0) ? N_("Line breaks and control characters are not allowed here.")
					  : NULL;
	case FIELD_MULTILINE:
		return has_controls(v, 1) ? N_("Control characters are not allowed.") : NULL;
	case FIELD_EMAIL: {
		char norm[AUTH_EMAIL_MAX + 1];
		return auth_email_normalise(v, norm) == HM_OK
			       ? NULL
			       : N_("Enter an e-mail address such as name@example.org.");
	}
	case FIELD_SLUG:
		return slug_valid(v) ? NULL : N_("Use lower-case letters, digits and single hyphens only.");
	case FIELD_DATE:
		return text_date_valid(v) ? NULL : N_("Enter a date as YYYY-MM-DD.");
	case FIELD_DATETIME: {
		int t[5];
		return text_datetime_parse(v, t) ? NULL : N_("Enter a date and time as YYYY-MM-DDTHH:MM.");
	}
	case FIELD_INT: {
		int64_t n;
		if (!text_int_parse(v, &n))
			return N_("Enter a whole number.");
		if ((fd->min || fd->max) && (n < fd->min || n > fd->max))
			return N_("This number is out of range.");
		return NULL;
	}
	case FIELD_BOOL:
		return NULL;
	case FIELD_URL:
		if ((strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
		    has_controls(v, 0) || strpbrk(v, " <>\"'"))
			return N_("Enter an address starting with https:// or http://.");
		return NULL;
	case FIELD_CHOICE:
		for (const char *const *c = fd->choices; c && *c; c++)
			if (strcmp(*c, v) == 0)
				return NULL;
		return N_("Choose one of the options.");
	case FIELD_TIMEZONE:
		return tz_valid(v) ? NULL : N_("Choose a known time zone, such as Asia/Shanghai.");
	case FIELD_COUNTRY:
		return fmt_country(&req->pool, "en", v) ? NULL
							: N_("Enter a two-letter country code, such as CN.");
	case FIELD_FILE:
		return NULL;
	}
	return NULL;
}

enum hm_err form_read(struct http_req *req, const struct field *fields, size_t n, struct form *f)
{
	memset(f, 0, sizeof(*f));
	f->lang = req->lang;
	f->fields = fields;
	f->n = n < FORM_MAX_FIELDS ? n : FORM_MAX_FIELDS;
	if (read_body(req, f) != HM_OK) {
		if (!f->error)
			f->error = i18n_gettext(req->lang, "The form could not be read. Please try again.");
		return HM_EINVAL;
	}
	for (size_t i = 0; i < f->n; i++) {
		const struct field *fd = &fields[i];
		const char *v = f->values[i];
		if (fd->kind == FIELD_BOOL) {
			f->values[i] = form_bool(f, fd->name) ? "1" : "0";
			continue;
		}
		if (v && fd->kind != FIELD_PASSWORD && fd->kind != FIELD_MULTILINE &&
		    fd->kind != FIELD_FILE) {
			/* Surrounding spaces are never meant. */
			while (*v == ' ' || *v == '\t')
				v++;
			size_t l = strlen(v);
			while (l && (v[l - 1] == ' ' || v[l - 1] == '\t'))
				l--;
			v = arena_strndup(&req->pool, v, l);
			f->values[i] = v;
		}
		if (!v || !*v) {
			f->values[i] = NULL;
			if (fd->required) {
				f->errors[i] = i18n_gettext(req->lang, "This field is required.");
				f->nerrors++;
			}
			continue;
		}
		const char *msg = check(req, fd, v);
		if (msg) {
			f->errors[i] = i18n_gettext(req->lang, msg);
			f->nerrors++;
		}
	}
	return f->nerrors ? HM_EINVAL : HM_OK;
}

json_t *form_json(const struct form *f)
{
	json_t *values = json_object(), *errors = json_object();
	for (size_t i = 0; i < f->n; i++) {
		/* A password or a file is never sent back; its message is. */
		int secret = f->fields[i].kind == FIELD_PASSWORD || f->fields[i].kind == FIELD_FILE;
		if (f->values[i] && !secret)
			json_object_set_new(values, f->fields[i].name, json_string(f->values[i]));
		if (f->errors[i])
			json_object_set_new(errors, f->fields[i].name, json_string(f->errors[i]));
	}
	json_t *o = json_pack("{s:o, s:o, s:b, s:[]}", "values", values, "errors", errors,
			      "has_errors", f->nerrors > 0 || f->error, "summary");
	if (f->error)
		json_object_set_new(o, "error", json_string(f->error));
	for (size_t i = 0; i < f->n; i++)
		if (f->errors[i])
			form_summary_add(o, f->fields[i].name,
					 f->fields[i].label && f->lang
						 ? i18n_gettext(f->lang, f->fields[i].label)
						 : f->fields[i].label,
					 f->errors[i]);
	return o;
}

void form_summary_add(json_t *fj, const char *field, const char *label, const char *message)
{
	json_t *s = json_object_get(fj, "summary");
	if (!s) {
		s = json_array();
		json_object_set_new(fj, "summary", s);
	}
	json_t *e = json_pack("{s:s, s:o, s:s}", "field", field, "href",
			      json_sprintf("#f-%s", field), "message", message ? message : "");
	json_object_set_new(e, "label", label && *label ? json_string(label) : json_null());
	json_array_append_new(s, e);
}
