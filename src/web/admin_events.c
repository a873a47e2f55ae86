/*
 * admin_events.c — the admin pages (/admin, series, events, organisations,
 * an event's organisations and organisers) and their JSON API under
 * /api/v1. Handlers read input against declared field tables, leave every
 * rule and right to events_admin, and answer with a page (303 after a
 * form that worked) or JSON.
 */
#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "events/events_admin.h"
#include "media/media.h"
#include "web/form.h"
#include "web/web.h"

#include <stdlib.h>
#include <string.h>


static const char *sval(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Sets key to s, or to null so a template never falls through to an
 * outer object's field of the same name. */
static void set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, s ? json_string(s) : json_null());
}

/* Runs body inside one read transaction, so a page shows one state. */

/* ============================================================ vocabulary */

/* Labels (msgids) of the stored values the forms offer. */
static const struct {
	const char *key, *label;
} vocab[] = {
	{"consultation", "Consultation"},
	{"symposium", "Symposium"},
	{"draft", "Draft"},
	{"published", "Published"},
	{"cancelled", "Cancelled"},
	{"government", "Government"},
	{"academia", "Academia"},
	{"business", "Business"},
	{"ngo", "NGO"},
	{"cultural", "Cultural organisation"},
	{"international", "International organisation"},
	{"media", "Media"},
	{"other", "Other"},
	{"convener", "Convener"},
	{"co-organiser", "Co-organiser"},
	{"partner", "Partner"},
	{"sponsor", "Sponsor"},
	{"day", "Exact dates"},
	{"month", "Month only"},
	{"event", "This event"},
	{"series", "The whole series"},
};

static const char *label_of(struct http_req *req, const char *key)
{
	for (size_t i = 0; key && i < HM_ARRAY_LEN(vocab); i++)
		if (strcmp(vocab[i].key, key) == 0)
			return web_t(req, vocab[i].label);
	return key;
}

/* [{value, label}…] for a NULL-terminated list of stored values. */
static json_t *options_of(struct http_req *req, const char *const *list)
{
	json_t *a = json_array();
	for (; *list; list++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "value", *list, "label",
						   label_of(req, *list)));
	return a;
}

/* Adds status_label and status_class (for the badge) to a row. */
static void decorate_status(struct http_req *req, json_t *o)
{
	const char *s = sval(o, "status");
	set_str(o, "status_label", label_of(req, s));
	json_object_set_new(o, "status_class", json_sprintf("badge-%s", s ? s : "draft"));
	json_object_set_new(o, "is_draft", json_boolean(str_eq(s, "draft")));
	json_object_set_new(o, "is_published", json_boolean(str_eq(s, "published")));
	json_object_set_new(o, "is_cancelled", json_boolean(str_eq(s, "cancelled")));
}

/* ============================================================ page frame */

/* Finishes an admin page: private, with the admin navigation marking
 * section, the CSRF token for its forms, and a notice from ?done=. */
static enum hm_err admin_page(struct http_req *req, struct http_res *res, json_t *m,
			      const char *tpl, const char *title, const char *section)
{
	static const struct {
		const char *key, *msgid;
	} notices[] = {
		{"created", "Created. It is a draft until you publish it."},
		{"saved", "Your changes are saved."},
		{"published", "Published: everyone can see it now."},
		{"unpublished", "Back to draft: the public no longer sees it."},
		{"cancelled", "Marked as cancelled. The public page says so."},
		{"added", "The organisation is added."},
		{"removed", "Removed."},
		{"moved", "The order is changed."},
		{"granted", "The account now organises this event."},
		{"revoked", "The account no longer organises this event."},
	};
	const char *done = http_query(req, "done");
	web_private(req, res);
	json_object_set_new(m, "admin_nav", json_pack("{s:b}", section, 1));
	json_object_set_new(m, "csrf", json_string(web_csrf_token(req, res)));
	for (size_t i = 0; done && i < HM_ARRAY_LEN(notices); i++)
		if (strcmp(done, notices[i].key) == 0)
			set_str(m, "notice", web_t(req, notices[i].msgid));
	http_res_page(res, m, tpl, title);
	return HM_OK;
}

/* Admins and organisers only; others get web_require's answer (the
 * sign-in page for a visitor, 403 for a participant). */
static enum hm_err gate_staff(struct http_req *req, struct http_res *res)
{
	res->no_store = 1;
	if (admin_is_staff(web_principal(req)))
		return HM_OK;
	return web_require(req, res, AUTH_SITE_ADMIN, NULL);
}

/* Answers a JSON call with model (stolen) and status. */
static enum hm_err api_answer(struct http_res *res, int status, json_t *model)
{
	res->status = status;
	http_res_page(res, model, NULL, NULL);
	return HM_OK;
}

/* GET answers that depend on who asks: visitors share the page cache,
 * anything seen by a signed-in principal is private. */
static void api_cache(struct http_req *req, struct http_res *res)
{
	if (web_principal(req)->account_id == 0 && web_principal(req)->via == AUTH_VIA_NONE)
		res->cacheable = 1;
	else
		web_private(req, res);
}

/* A domain refusal as an answer. */
static enum hm_err domain_fail(struct http_res *res, enum hm_err e)
{
	switch (e) {
	case HM_EFORBIDDEN: return http_fail(res, e, "Your account may not do this.");
	case HM_ENOTFOUND: return http_fail(res, e, "There is no such thing here.");
	case HM_ECONFLICT: return http_fail(res, e, "This cannot be done in its present state.");
	case HM_EEXIST: return http_fail(res, e, "This already exists.");
	case HM_EINVAL: return http_fail(res, e, "The request is not valid.");
	default: return e;
	}
}

/* ================================================================ input */

/* What a form or JSON body sent beyond its declared fields: which keys
 * were present (so an update changes only those) and the sectors, which
 * come as repeated checkboxes or a JSON array. */
struct input {
	struct form f;
	json_t *present; /* {key: true} */
	json_t *sectors; /* array, or NULL when not sent */
	const char *sectors_error;
};

static void input_free(struct input *in)
{
	json_decref(in->present);
	json_decref(in->sectors);
}

/* Notes the keys of the body; takes "sectors" out of a JSON body (the form
 * reader accepts only scalars) and collects repeated "sectors" fields. */
static void input_extras(struct http_req *req, struct input *in)
{
	const char *ct = req->content_type ? req->content_type : "";
	memset(in, 0, sizeof(*in));
	in->present = json_object();
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
		json_t *s = json_object_get(o, "sectors");
		if (s) {
			in->sectors = json_is_null(s) ? json_array() : json_incref(s);
			json_object_del(o, "sectors");
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
	struct kv_list kv = {0};
	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
		if (http_parse_urlencoded(&req->pool, req->body, req->body_len, 200, &kv) != HM_OK)
			return;
	} else if (strncasecmp(ct, "multipart/form-data", 19) == 0) {
		const char *boundary;
		struct multipart mp;
		if (http_multipart_boundary(&req->pool, ct, &boundary) != HM_OK ||
		    http_parse_multipart(&req->pool, req->body, req->body_len, boundary, 200, &mp) !=
			    HM_OK)
			return;
		kv.items = arena_alloc(&req->pool, (mp.n ? mp.n : 1) * sizeof(*kv.items));
		for (size_t i = 0; i < mp.n; i++) {
			if (mp.parts[i].filename)
				continue;
			kv.items[kv.n].key = mp.parts[i].name;
			kv.items[kv.n].value = mp.parts[i].data;
			kv.n++;
		}
	}
	for (size_t i = 0; i < kv.n; i++) {
		json_object_set_new(in->present, kv.items[i].key, json_true());
		if (strcmp(kv.items[i].key, "sectors") != 0)
			continue;
		if (!in->sectors)
			in->sectors = json_array();
		/* The form sends an empty "sectors" first, so none ticked still
		 * says "sectors: none". */
		if (kv.items[i].value[0])
			json_array_append_new(in->sectors, json_string(kv.items[i].value));
	}
}

/* Reads a body against fields. partial: an update, where absent fields
 * stay as they are (their "required" errors are dropped). HM_EINVAL when
 * some field is bad. */
static enum hm_err input_read(struct http_req *req, const struct field *fields, size_t n,
			      int partial, struct input *in)
{
	input_extras(req, in);
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
 * sectors when sent. Caller owns it. */
static json_t *input_json(const struct input *in)
{
	json_t *o = json_object();
	for (size_t i = 0; i < in->f.n; i++) {
		const char *name = in->f.fields[i].name;
		if (!json_object_get(in->present, name))
			continue;
		set_str(o, name, in->f.values[i]);
	}
	if (in->sectors)
		json_object_set(o, "sectors", in->sectors);
	return o;
}

/* Puts the domain's messages beside their fields (or over the form). */
static void input_errors(struct http_req *req, struct input *in, const struct admin_errors *errs)
{
	for (int i = 0; i < errs->n; i++) {
		const char *field = errs->items[i].field, *msgid = errs->items[i].msgid;
		int declared = 0;
		for (size_t k = 0; k < in->f.n; k++)
			declared |= strcmp(in->f.fields[k].name, field) == 0;
		if (declared)
			form_set_error(req, &in->f, field, msgid);
		else if (strcmp(field, "sectors") == 0)
			in->sectors_error = web_t(req, msgid);
		else if (!in->f.error)
			in->f.error = web_t(req, msgid);
	}
}

/* {values, errors, has_errors, error} with the sectors. Caller owns it. */
static json_t *input_form_json(const struct input *in)
{
	json_t *fj = form_json(&in->f);
	/* form_json leaves file fields out, their messages too. */
	for (size_t i = 0; i < in->f.n; i++)
		if (in->f.fields[i].kind == FIELD_FILE && in->f.errors[i])
			json_object_set_new(json_object_get(fj, "errors"), in->f.fields[i].name,
					    json_string(in->f.errors[i]));
	if (in->sectors)
		json_object_set(json_object_get(fj, "values"), "sectors", in->sectors);
	if (in->sectors_error) {
		json_object_set_new(json_object_get(fj, "errors"), "sectors",
				    json_string(in->sectors_error));
		json_object_set_new(fj, "has_errors", json_true());
	}
	return fj;
}

/* The form model of a stored thing: its fields as strings. */
static json_t *values_of(const json_t *thing, const struct field *fields, size_t n)
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
	json_t *sectors = json_object_get(thing, "sectors");
	if (sectors)
		json_object_set(values, "sectors", sectors);
	return json_pack("{s:o, s:{}, s:b}", "values", values, "errors", "has_errors", 0);
}

/* ============================================================ form model */

enum widget_kind { W_INPUT, W_TEXTAREA, W_SELECT, W_CHECKBOXES, W_FILE };

/* How one field is shown: its label and hint (msgids), widget, and the
 * fieldset it belongs to. */
struct widget {
	const char *name;
	const char *label;
	const char *hint;
	enum widget_kind kind;
	const char *type; /* W_INPUT: text, date, email, number, url */
	int fieldset;
	int required; /* shown as required though the API may leave it out (a default applies) */
};

/* The fieldsets of a form for the shared template: each field with its
 * value and error from fj, and its options from options[name]. Caller
 * owns it. */
static json_t *fieldsets_model(struct http_req *req, const char *const *legends, size_t nlegends,
			       const struct widget *w, size_t nw, const struct field *fields,
			       size_t nf, const json_t *fj, const json_t *options)
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
			const char *err = sval(errors, w[i].name);
			const char *id = arena_printf(&req->pool, "f-%s", w[i].name);
			struct buf described;
			buf_init(&described);
			if (w[i].hint)
				buf_printf(&described, "%s-hint", id);
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
			set_str(f, "hint", w[i].hint ? web_t(req, w[i].hint) : NULL);
			set_str(f, "error", err);
			set_str(f, "describedby", described.len ? described.data : NULL);
			buf_free(&described);
			if (fd && fd->max_len && (w[i].kind == W_INPUT || w[i].kind == W_TEXTAREA))
				json_object_set_new(f, "maxlength", json_integer((json_int_t)fd->max_len));
			else
				json_object_set_new(f, "maxlength", json_null());
			json_t *v = json_object_get(values, w[i].name);
			set_str(f, "value", json_is_string(v) ? json_string_value(v) : "");
			json_t *opts = json_object_get(options, w[i].name);
			if (opts) {
				json_t *out = json_array();
				size_t j;
				json_t *o;
				json_array_foreach(opts, j, o) {
					const char *ov = sval(o, "value");
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
							       "label", sval(o, "label"), "id",
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

/* ============================================================== dashboard */

/* Events p may edit, newest first, ready for the tables. */
static json_t *editable_events(struct http_req *req, const struct principal *p)
{
	json_t *all = admin_event_list(req->db), *out = json_array();
	size_t i;
	json_t *ev;
	json_array_foreach(all, i, ev) {
		struct auth_scope sc;
		admin_event_scope(ev, &sc);
		if (!auth_can(p, AUTH_EVENT_EDIT, &sc))
			continue;
		json_object_set_new(ev, "may_name_organisers",
				    json_boolean(auth_can(p, AUTH_SERIES_EDIT, &sc)));
		json_array_append(out, ev);
	}
	json_decref(all);
	web_decorate_events(req, out);
	json_array_foreach(out, i, ev)
		decorate_status(req, ev);
	return out;
}

/* Series p may edit. */
static json_t *editable_series(struct http_req *req, const struct principal *p)
{
	json_t *all = admin_series_list(req->db), *out = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) {
		struct auth_scope sc;
		admin_series_scope(s, &sc);
		if (!auth_can(p, AUTH_SERIES_EDIT, &sc))
			continue;
		decorate_status(req, s);
		json_array_append(out, s);
	}
	json_decref(all);
	return out;
}

static int count_status(const json_t *rows, const char *status)
{
	int n = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) n += str_eq(sval(r, "status"), status);
	return n;
}

static enum hm_err page_dashboard(struct http_req *req, struct http_res *res)
{
	enum hm_err e = gate_staff(req, res);
	if (e != HM_OK)
		return e;
	const struct principal *p = web_principal(req);
	json_t *m = json_object();
	WEB_READ_TXN(req, {
		json_object_set_new(m, "events", editable_events(req, p));
		json_object_set_new(m, "series", editable_series(req, p));
	});
	json_t *events = json_object_get(m, "events");
	json_object_set_new(m, "counts",
			    json_pack("{s:i, s:i, s:i, s:i}", "events",
				      (int)json_array_size(events), "drafts",
				      count_status(events, "draft"), "published",
				      count_status(events, "published"), "cancelled",
				      count_status(events, "cancelled")));
	json_object_set_new(m, "may_create_event", json_boolean(admin_may_create_event(p)));
	json_object_set_new(m, "may_create_series",
			    json_boolean(auth_can(p, AUTH_SERIES_CREATE, NULL)));
	json_object_set_new(m, "is_admin", json_boolean(auth_is_admin(p)));
	return admin_page(req, res, m, "admin/dashboard", web_t(req, "Administration"),
			  "dashboard");
}

/* ================================================================= series */

static const struct field series_fields[] = {
	{.name = "title", .kind = FIELD_TEXT, .required = 1, .max_len = 200, .label = "Title"},
	{.name = "slug", .kind = FIELD_SLUG, .max_len = SLUG_MAX, .label = "Address"},
	{.name = "summary", .kind = FIELD_MULTILINE, .max_len = 2000, .label = "Summary"},
	{.name = "organisation", .kind = FIELD_TEXT, .max_len = SLUG_MAX, .label = "Organisation"},
	{.name = "status", .kind = FIELD_CHOICE, .choices = admin_series_statuses, .label = "Status"},
};

static const char *const series_legends[] = {"The series"};
static const struct widget series_widgets[] = {
	{"title", "Title", NULL, W_INPUT, "text", 0},
	{"slug", "Address", "Lower-case letters, digits and hyphens; made from the title when left empty.",
	 W_INPUT, "text", 0},
	{"organisation", "Run by", "The organisation that runs the series.", W_SELECT, NULL, 0},
	{"summary", "Summary", "One paragraph, shown on the series page.", W_TEXTAREA, NULL, 0},
};

/* Options for the organisation select: none, then every organisation. */
static json_t *org_options(struct http_req *req, const char *none_label)
{
	json_t *orgs = admin_org_list(req->db), *opts = json_array();
	if (none_label)
		json_array_append_new(opts, json_pack("{s:s, s:s}", "value", "", "label",
						      web_t(req, none_label)));
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		const char *acr = sval(o, "acronym");
		json_array_append_new(
			opts, json_pack("{s:s, s:s}", "value", sval(o, "slug"), "label",
					acr ? arena_printf(&req->pool, "%s (%s)", sval(o, "name"), acr)
					    : sval(o, "name")));
	}
	json_decref(orgs);
	return opts;
}

static enum hm_err page_series_list(struct http_req *req, struct http_res *res)
{
	enum hm_err e = gate_staff(req, res);
	if (e != HM_OK)
		return e;
	const struct principal *p = web_principal(req);
	json_t *m = json_object();
	WEB_READ_TXN(req, { json_object_set_new(m, "series", editable_series(req, p)); });
	json_object_set_new(m, "may_create_series",
			    json_boolean(auth_can(p, AUTH_SERIES_CREATE, NULL)));
	return admin_page(req, res, m, "admin/series", web_t(req, "Series"), "series");
}

/* The series form page, new (s NULL) or edit, with fj as its values. */
static enum hm_err series_form_page(struct http_req *req, struct http_res *res, json_t *s,
				    json_t *fj)
{
	json_t *options = json_object();
	WEB_READ_TXN(req, {
		json_object_set_new(options, "organisation", org_options(req, "— None —"));
	});
	json_t *m = json_object();
	json_object_set_new(m, "fieldsets",
			    fieldsets_model(req, series_legends, HM_ARRAY_LEN(series_legends),
					    series_widgets, HM_ARRAY_LEN(series_widgets),
					    series_fields, HM_ARRAY_LEN(series_fields), fj, options));
	json_decref(options);
	json_object_set_new(m, "form", fj);
	json_object_set_new(m, "is_new", json_boolean(!s));
	if (s) {
		size_t i;
		json_t *ev;
		decorate_status(req, s);
		json_array_foreach(json_object_get(s, "events"), i, ev)
			decorate_status(req, ev);
		json_object_set_new(m, "action", json_sprintf("/admin/series/%s", sval(s, "slug")));
		json_object_set_new(m, "public_url", json_sprintf("/series/%s", sval(s, "slug")));
		json_object_set_new(m, "series", s);
	} else {
		json_object_set_new(m, "action", json_string("/admin/series"));
	}
	return admin_page(req, res, m, "admin/series_form",
			  s ? web_t(req, "Edit series") : web_t(req, "New series"), "series");
}

static enum hm_err page_series_new(struct http_req *req, struct http_res *res)
{
	enum hm_err e = web_require(req, res, AUTH_SERIES_CREATE, NULL);
	if (e != HM_OK)
		return e;
	return series_form_page(req, res, NULL,
				json_pack("{s:{}, s:{}, s:b}", "values", "errors", "has_errors", 0));
}

/* Loads a series for editing: 404 when p may not see it, 403 when p may
 * see but not edit it. */
static enum hm_err series_for_edit(struct http_req *req, struct http_res *res, json_t **out)
{
	json_t *s = NULL;
	struct auth_scope sc;
	*out = NULL;
	res->no_store = 1; /* errors included: an admin page says nothing to caches */
	WEB_READ_TXN(req, { s = admin_series_get(req->db, http_param(req, "slug")); });
	if (!s || !admin_series_visible(web_principal(req), s)) {
		json_decref(s);
		return http_fail(res, HM_ENOTFOUND, "There is no such series.");
	}
	admin_series_scope(s, &sc);
	enum hm_err e = web_require(req, res, AUTH_SERIES_EDIT, &sc);
	if (e != HM_OK) {
		json_decref(s);
		return e;
	}
	*out = s;
	return HM_OK;
}

static enum hm_err page_series_edit(struct http_req *req, struct http_res *res)
{
	json_t *s;
	enum hm_err e = series_for_edit(req, res, &s);
	if (e != HM_OK)
		return e;
	json_t *fj = values_of(s, series_fields, HM_ARRAY_LEN(series_fields));
	return series_form_page(req, res, s, fj);
}

/* The series as the API shows it: no counts that include drafts, only
 * the events p may see. */
static void series_public(const struct principal *p, json_t *s)
{
	json_object_del(s, "event_count");
	json_t *events = json_object_get(s, "events");
	if (!events)
		return;
	json_t *keep = json_array();
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
		if (admin_event_visible(p, ev))
			json_array_append(keep, ev);
	json_object_set_new(s, "events", keep);
}

/* POST /admin/series, POST /admin/series/{slug}, and the API's POST and
 * PATCH: create when there is no slug in the path. */
static enum hm_err post_series_save(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	const char *slug = http_param(req, "slug");
	struct admin_errors errs = {0};
	struct input in;
	json_t *s = NULL, *out = NULL;
	enum hm_err e;

	web_private(req, res);
	if (slug) {
		if ((e = series_for_edit(req, res, &s)) != HM_OK)
			return e;
	} else if ((e = web_require(req, res, AUTH_SERIES_CREATE, NULL)) != HM_OK) {
		return e;
	}
	e = input_read(req, series_fields, HM_ARRAY_LEN(series_fields), slug != NULL, &in);
	if (!web_csrf_valid(req, in.f.csrf)) {
		input_free(&in);
		json_decref(s);
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	}
	if (e == HM_OK) {
		json_t *j = input_json(&in);
		e = slug ? admin_series_update(req->db, p, slug, j, time_now_s(), &out, &errs)
			 : admin_series_create(req->db, p, j, time_now_s(), &out, &errs);
		json_decref(j);
		if (e != HM_OK && e != HM_EINVAL && e != HM_EEXIST) {
			input_free(&in);
			json_decref(s);
			return domain_fail(res, e);
		}
		input_errors(req, &in, &errs);
	}
	if (e != HM_OK) {
		json_t *fj = input_form_json(&in);
		input_free(&in);
		res->status = e == HM_EEXIST ? 409 : 400;
		if (req->want_json) {
			json_decref(s);
			return api_answer(res, res->status, fj);
		}
		return series_form_page(req, res, s, fj);
	}
	input_free(&in);
	json_decref(s);
	const char *to = arena_printf(&req->pool, "/admin/series/%s/edit?done=%s", sval(out, "slug"),
				      slug ? "saved" : "created");
	if (req->want_json) {
		series_public(p, out);
		if (!slug)
			http_res_header(res, "Location",
					arena_printf(&req->pool, "/api/v1/series/%s", sval(out, "slug")));
		return api_answer(res, slug ? 200 : 201, out);
	}
	json_decref(out);
	return web_redirect(req, res, to);
}

/* Publishing, unpublishing and cancelling work alike for series and events:
 * what differs is how the thing is loaded for editing, the domain call
 * and where the browser goes back to. */
struct status_target {
	enum hm_err (*for_edit)(struct http_req *req, struct http_res *res, json_t **out);
	enum hm_err (*set)(struct db *db, const struct principal *p, const char *slug,
			   const char *status, int64_t now);
	const char *admin_path; /* "/admin/series" */
};

/* POST /admin/{series,events}/{slug}/publish, /unpublish (and /cancel). */
static enum hm_err change_status(struct http_req *req, struct http_res *res,
				 const struct status_target *t, const char *status, const char *done)
{
	json_t *thing;
	enum hm_err e = t->for_edit(req, res, &thing);
	if (e != HM_OK)
		return e;
	json_decref(thing);
	if ((e = web_post_guard(req, res)) != HM_OK)
		return e;
	const char *slug = http_param(req, "slug");
	e = t->set(req->db, web_principal(req), slug, status, time_now_s());
	if (e != HM_OK)
		return domain_fail(res, e);
	if (req->want_json)
		return api_answer(res, 200, json_pack("{s:s, s:s}", "slug", slug, "status", status));
	return web_redirect(req, res, arena_printf(&req->pool, "%s/%s/edit?done=%s", t->admin_path,
						   slug, done));
}

static const struct status_target series_target = {series_for_edit, admin_series_set_status,
						   "/admin/series"};

static enum hm_err series_status(struct http_req *req, struct http_res *res, const char *status,
				 const char *done)
{
	return change_status(req, res, &series_target, status, done);
}

static enum hm_err post_series_publish(struct http_req *req, struct http_res *res)
{
	return series_status(req, res, "published", "published");
}

static enum hm_err post_series_unpublish(struct http_req *req, struct http_res *res)
{
	return series_status(req, res, "draft", "unpublished");
}

/* ================================================================= events */

static const struct field event_fields[] = {
	{.name = "title", .kind = FIELD_TEXT, .required = 1, .max_len = 200, .label = "Title"},
	{.name = "slug", .kind = FIELD_SLUG, .max_len = SLUG_MAX, .label = "Address"},
	{.name = "series", .kind = FIELD_TEXT, .max_len = SLUG_MAX, .label = "Series"},
	{.name = "kind", .kind = FIELD_CHOICE, .choices = admin_event_kinds, .label = "Kind"},
	{.name = "theme", .kind = FIELD_TEXT, .max_len = 300, .label = "Theme"},
	{.name = "summary", .kind = FIELD_MULTILINE, .max_len = 2000, .label = "Summary"},
	{.name = "description_md", .kind = FIELD_MULTILINE, .max_len = 100000,
	 .label = "Description"},
	{.name = "region", .kind = FIELD_TEXT, .max_len = 200, .label = "Region"},
	{.name = "city", .kind = FIELD_TEXT, .max_len = 200, .label = "City"},
	{.name = "country", .kind = FIELD_COUNTRY, .max_len = 2, .label = "Country"},
	{.name = "venue", .kind = FIELD_TEXT, .max_len = 300, .label = "Venue"},
	{.name = "starts_on", .kind = FIELD_DATE, .required = 1, .label = "First day"},
	{.name = "ends_on", .kind = FIELD_DATE, .required = 1, .label = "Last day"},
	{.name = "date_precision", .kind = FIELD_CHOICE, .choices = admin_date_precisions,
	 .label = "Dates known"},
	{.name = "timezone", .kind = FIELD_TIMEZONE, .max_len = 64, .label = "Time zone"},
	{.name = "capacity", .kind = FIELD_INT, .min = 0, .max = 10000000, .max_len = 12,
	 .label = "Capacity"},
	{.name = "contact_name", .kind = FIELD_TEXT, .max_len = 200, .label = "Contact name"},
	{.name = "contact_title", .kind = FIELD_TEXT, .max_len = 200, .label = "Contact title"},
	{.name = "contact_org", .kind = FIELD_TEXT, .max_len = 200, .label = "Contact organisation"},
	{.name = "contact_email", .kind = FIELD_EMAIL, .max_len = AUTH_EMAIL_MAX,
	 .label = "Contact e-mail"},
	{.name = "status", .kind = FIELD_CHOICE, .choices = admin_event_statuses, .label = "Status"},
};

static const char *const event_legends[] = {"The event", "Description", "Place", "Dates",
					    "Participants", "Contact"};
static const struct widget event_widgets[] = {
	{"title", "Title", NULL, W_INPUT, "text", 0},
	{"slug", "Address", "Lower-case letters, digits and hyphens; made from the title when left empty. Changing it changes the event's link.",
	 W_INPUT, "text", 0},
	{"series", "Series", NULL, W_SELECT, NULL, 0},
	{"kind", "Kind", NULL, W_SELECT, NULL, 0},
	{"theme", "Theme", "The theme in a few words, such as “Harmony through Diversity and Dialogue”.",
	 W_INPUT, "text", 0},
	{"summary", "Summary", "One paragraph, shown in lists and at the top of the event page.",
	 W_TEXTAREA, NULL, 0},
	{"description_md", "Description", "Markdown: *emphasis*, **strong**, [links](https://…), lists. HTML is not kept.",
	 W_TEXTAREA, NULL, 1},
	{"region", "Region", "Such as Asia-South Pacific.", W_INPUT, "text", 2},
	{"city", "City", NULL, W_INPUT, "text", 2},
	{"country", "Country", "Two-letter ISO code, such as CN for China.", W_INPUT, "text", 2},
	{"venue", "Venue", NULL, W_INPUT, "text", 2},
	{"starts_on", "First day", NULL, W_INPUT, "date", 3},
	{"ends_on", "Last day", NULL, W_INPUT, "date", 3},
	{"date_precision", "Dates known", "Choose “Month only” when the exact days are not fixed yet.",
	 W_SELECT, NULL, 3},
	{"timezone", "Time zone", "The IANA name of the venue's zone, such as Asia/Shanghai.",
	 W_INPUT, "text", 3, 1},
	{"capacity", "Capacity", "How many participants the venue holds.", W_INPUT, "number", 4},
	{"sectors", "Sectors invited", NULL, W_CHECKBOXES, NULL, 4},
	{"contact_name", "Name", NULL, W_INPUT, "text", 5},
	{"contact_title", "Title", "Such as Senior Advisor.", W_INPUT, "text", 5},
	{"contact_org", "Organisation", NULL, W_INPUT, "text", 5},
	{"contact_email", "E-mail address", NULL, W_INPUT, "email", 5},
};

/* The series an event may be put in by p (and cur, the present one of
 * an event being edited), with "no series" first for admins and for an
 * event that has none. */
static json_t *series_options(struct http_req *req, const struct principal *p, int editing,
			      const char *cur)
{
	json_t *all = admin_series_list(req->db), *opts = json_array();
	struct auth_scope none = {0};
	if (auth_can(p, AUTH_EVENT_CREATE, &none) || (editing && !cur))
		json_array_append_new(opts, json_pack("{s:s, s:s}", "value", "", "label",
						      web_t(req, "— No series —")));
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) {
		struct auth_scope sc;
		admin_series_scope(s, &sc);
		if (!auth_can(p, AUTH_EVENT_CREATE, &sc) && !str_eq(cur, sval(s, "slug")))
			continue;
		json_array_append_new(opts, json_pack("{s:s, s:s}", "value", sval(s, "slug"), "label",
						      sval(s, "title")));
	}
	json_decref(all);
	return opts;
}

/* The tabs over an event's admin pages. */
static json_t *event_tabs(struct http_req *req, const json_t *ev, const char *current)
{
	struct auth_scope sc;
	admin_event_scope(ev, &sc);
	const char *slug = sval(ev, "slug");
	json_t *tabs = json_array();
	static const struct {
		const char *key, *label, *path;
	} all[] = {
		{"details", "Details", "edit"},
		{"organisations", "Organisations", "organisations"},
		{"organisers", "Organisers", "organisers"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(all); i++) {
		if (strcmp(all[i].key, "organisers") == 0 &&
		    !auth_can(web_principal(req), AUTH_SERIES_EDIT, &sc))
			continue;
		json_array_append_new(
			tabs, json_pack("{s:s, s:o, s:b}", "label", web_t(req, all[i].label), "url",
					json_sprintf("/admin/events/%s/%s", slug, all[i].path),
					"current", strcmp(all[i].key, current) == 0));
	}
	return tabs;
}

/* The event form page, new (ev NULL) or edit, with fj as its values. */
static enum hm_err event_form_page(struct http_req *req, struct http_res *res, json_t *ev,
				   json_t *fj)
{
	const struct principal *p = web_principal(req);
	json_t *options = json_object();
	WEB_READ_TXN(req, {
		json_object_set_new(options, "series",
				    series_options(req, p, ev != NULL, ev ? sval(ev, "series") : NULL));
	});
	json_object_set_new(options, "kind", options_of(req, admin_event_kinds));
	json_object_set_new(options, "date_precision", options_of(req, admin_date_precisions));
	json_object_set_new(options, "sectors", options_of(req, admin_sectors));
	json_t *m = json_object();
	json_object_set_new(m, "fieldsets",
			    fieldsets_model(req, event_legends, HM_ARRAY_LEN(event_legends),
					    event_widgets, HM_ARRAY_LEN(event_widgets), event_fields,
					    HM_ARRAY_LEN(event_fields), fj, options));
	json_decref(options);
	json_object_set_new(m, "form", fj);
	json_object_set_new(m, "is_new", json_boolean(!ev));
	if (ev) {
		const char *slug = sval(ev, "slug");
		decorate_status(req, ev);
		json_object_set_new(m, "tabs", event_tabs(req, ev, "details"));
		json_object_set_new(m, "action", json_sprintf("/admin/events/%s", slug));
		json_object_set_new(m, "public_url", json_sprintf("/events/%s", slug));
		json_object_set_new(m, "event", ev);
	} else {
		json_object_set_new(m, "action", json_string("/admin/events"));
	}
	return admin_page(req, res, m, "admin/events_form",
			  ev ? web_t(req, "Edit event") : web_t(req, "New event"), "events");
}

static enum hm_err page_events_list(struct http_req *req, struct http_res *res)
{
	enum hm_err e = gate_staff(req, res);
	if (e != HM_OK)
		return e;
	const struct principal *p = web_principal(req);
	const char *want = http_query(req, "status");
	if (want && !admin_in_list(admin_event_statuses, want))
		want = NULL;
	json_t *m = json_object(), *events = NULL;
	WEB_READ_TXN(req, { events = editable_events(req, p); });
	json_t *filters = json_array();
	json_array_append_new(filters, json_pack("{s:s, s:s, s:b, s:i}", "label", web_t(req, "All"),
						 "url", "/admin/events", "current", !want, "count",
						 (int)json_array_size(events)));
	for (const char *const *s = admin_event_statuses; *s; s++)
		json_array_append_new(
			filters, json_pack("{s:s, s:o, s:b, s:i}", "label", label_of(req, *s), "url",
					   json_sprintf("/admin/events?status=%s", *s), "current",
					   str_eq(want, *s), "count", count_status(events, *s)));
	if (want) {
		json_t *keep = json_array();
		size_t i;
		json_t *ev;
		json_array_foreach(events, i, ev)
			if (str_eq(sval(ev, "status"), want))
				json_array_append(keep, ev);
		json_decref(events);
		events = keep;
	}
	json_object_set_new(m, "events", events);
	json_object_set_new(m, "filters", filters);
	json_object_set_new(m, "may_create_event", json_boolean(admin_may_create_event(p)));
	return admin_page(req, res, m, "admin/events", web_t(req, "Events"), "events");
}

static enum hm_err page_event_new(struct http_req *req, struct http_res *res)
{
	enum hm_err e = gate_staff(req, res);
	if (e != HM_OK)
		return e;
	if (!admin_may_create_event(web_principal(req)))
		return web_require(req, res, AUTH_EVENT_CREATE, NULL);
	json_t *fj = json_pack("{s:{s:s, s:s, s:s}, s:{}, s:b}", "values", "kind", "consultation",
			       "date_precision", "day", "timezone", "UTC", "errors", "has_errors",
			       0);
	const char *series = http_query(req, "series");
	if (series && slug_valid(series))
		json_object_set_new(json_object_get(fj, "values"), "series", json_string(series));
	return event_form_page(req, res, NULL, fj);
}

/* Loads an event for editing: 404 when p may not see it, 403 when p may
 * see but not edit it. */
static enum hm_err event_for_edit(struct http_req *req, struct http_res *res, json_t **out)
{
	json_t *ev = NULL;
	struct auth_scope sc;
	*out = NULL;
	res->no_store = 1; /* errors included: an admin page says nothing to caches */
	WEB_READ_TXN(req, { ev = admin_event_get(req->db, http_param(req, "slug")); });
	if (!ev || !admin_event_visible(web_principal(req), ev)) {
		json_decref(ev);
		return http_fail(res, HM_ENOTFOUND, "There is no such event.");
	}
	admin_event_scope(ev, &sc);
	enum hm_err e = web_require(req, res, AUTH_EVENT_EDIT, &sc);
	if (e != HM_OK) {
		json_decref(ev);
		return e;
	}
	*out = ev;
	return HM_OK;
}

static enum hm_err page_event_edit(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	return event_form_page(req, res, ev,
			       values_of(ev, event_fields, HM_ARRAY_LEN(event_fields)));
}

/* The event as the API shows it: its series only when p may see it. */
static void event_public(const struct principal *p, json_t *ev)
{
	json_t *series = json_pack("{s:I, s:s?}", "id",
				   json_integer_value(json_object_get(ev, "series_id")), "status",
				   sval(ev, "series_status"));
	if (!json_object_get(ev, "series") || json_is_null(json_object_get(ev, "series")) ||
	    !admin_series_visible(p, series)) {
		json_object_set_new(ev, "series", json_null());
		json_object_set_new(ev, "series_title", json_null());
		json_object_set_new(ev, "series_id", json_null());
	}
	json_object_del(ev, "series_status");
	json_decref(series);
}

/* POST /admin/events, POST /admin/events/{slug}, and the API's POST and
 * PATCH: create when there is no slug in the path. */
static enum hm_err post_event_save(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	const char *slug = http_param(req, "slug");
	struct admin_errors errs = {0};
	struct input in;
	json_t *ev = NULL, *out = NULL;
	enum hm_err e;

	web_private(req, res);
	if (slug) {
		if ((e = event_for_edit(req, res, &ev)) != HM_OK)
			return e;
	} else if ((e = gate_staff(req, res)) != HM_OK) {
		return e;
	}
	e = input_read(req, event_fields, HM_ARRAY_LEN(event_fields), slug != NULL, &in);
	if (!web_csrf_valid(req, in.f.csrf)) {
		input_free(&in);
		json_decref(ev);
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	}
	if (e == HM_OK) {
		json_t *j = input_json(&in);
		e = slug ? admin_event_update(req->db, p, slug, j, time_now_s(), &out, &errs)
			 : admin_event_create(req->db, p, j, time_now_s(), &out, &errs);
		json_decref(j);
		if (e != HM_OK && e != HM_EINVAL && e != HM_EEXIST) {
			input_free(&in);
			json_decref(ev);
			return domain_fail(res, e);
		}
		input_errors(req, &in, &errs);
	}
	if (e != HM_OK) {
		json_t *fj = input_form_json(&in);
		input_free(&in);
		res->status = e == HM_EEXIST ? 409 : 400;
		if (req->want_json) {
			json_decref(ev);
			return api_answer(res, res->status, fj);
		}
		return event_form_page(req, res, ev, fj);
	}
	input_free(&in);
	json_decref(ev);
	if (req->want_json) {
		event_public(p, out);
		if (!slug)
			http_res_header(res, "Location",
					arena_printf(&req->pool, "/api/v1/events/%s", sval(out, "slug")));
		return api_answer(res, slug ? 200 : 201, out);
	}
	const char *to = arena_printf(&req->pool, "/admin/events/%s/edit?done=%s", sval(out, "slug"),
				      slug ? "saved" : "created");
	json_decref(out);
	return web_redirect(req, res, to);
}

static const struct status_target event_target = {event_for_edit, admin_event_set_status,
						  "/admin/events"};

static enum hm_err event_status(struct http_req *req, struct http_res *res, const char *status,
				const char *done)
{
	return change_status(req, res, &event_target, status, done);
}

static enum hm_err post_event_publish(struct http_req *req, struct http_res *res)
{
	return event_status(req, res, "published", "published");
}

static enum hm_err post_event_unpublish(struct http_req *req, struct http_res *res)
{
	return event_status(req, res, "draft", "unpublished");
}

static enum hm_err post_event_cancel(struct http_req *req, struct http_res *res)
{
	return event_status(req, res, "cancelled", "cancelled");
}

/* ================================================ organisations in events */

static const struct field eo_fields[] = {
	{.name = "organisation", .kind = FIELD_SLUG, .required = 1, .label = "Organisation"},
	{.name = "role", .kind = FIELD_CHOICE, .required = 1, .choices = admin_org_roles,
	 .label = "Role"},
};

/* The organisations page of an event, with fj for the add form. */
static enum hm_err eo_page(struct http_req *req, struct http_res *res, json_t *ev, json_t *fj)
{
	json_t *m = json_object(), *opts = NULL;
	WEB_READ_TXN(req, { opts = org_options(req, "— Choose an organisation —"); });
	json_t *entries = json_object_get(ev, "organisations");
	size_t i;
	json_t *o;
	json_array_foreach(entries, i, o) {
		json_t *prev = i ? json_array_get(entries, i - 1) : NULL;
		json_t *next = json_array_get(entries, i + 1);
		set_str(o, "role_label", label_of(req, sval(o, "role")));
		set_str(o, "kind_label", label_of(req, sval(o, "kind")));
		json_object_set_new(o, "may_move_up",
				    json_boolean(prev && str_eq(sval(prev, "role"), sval(o, "role"))));
		json_object_set_new(o, "may_move_down",
				    json_boolean(next && str_eq(sval(next, "role"), sval(o, "role"))));
		json_object_set_new(o, "base", json_sprintf("/admin/events/%s/organisations/%s/%s",
							    sval(ev, "slug"), sval(o, "slug"),
							    sval(o, "role")));
	}
	json_t *values = json_object_get(fj, "values"), *errors = json_object_get(fj, "errors");
	json_t *org_sel = json_array(), *role_sel = json_array();
	json_array_foreach(opts, i, o) {
		json_object_set_new(o, "selected", json_boolean(str_eq(sval(o, "value"),
								       sval(values, "organisation"))));
		json_array_append(org_sel, o);
	}
	json_decref(opts);
	for (const char *const *r = admin_org_roles; *r; r++)
		json_array_append_new(role_sel,
				      json_pack("{s:s, s:s, s:b}", "value", *r, "label", label_of(req, *r),
						"selected", str_eq(*r, sval(values, "role"))));
	json_object_set_new(m, "org_options", org_sel);
	json_object_set_new(m, "role_options", role_sel);
	set_str(m, "organisation_error", sval(errors, "organisation"));
	set_str(m, "role_error", sval(errors, "role"));
	json_object_set_new(m, "form", fj);
	decorate_status(req, ev);
	json_object_set_new(m, "tabs", event_tabs(req, ev, "organisations"));
	json_object_set_new(m, "event", ev);
	return admin_page(req, res, m, "admin/events_organisations",
			  web_t(req, "Organisations of the event"), "events");
}

static enum hm_err page_event_orgs(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		web_private(req, res);
		json_t *m = json_pack("{s:O}", "organisations", json_object_get(ev, "organisations"));
		json_decref(ev);
		return api_answer(res, 200, m);
	}
	return eo_page(req, res, ev, json_pack("{s:{}, s:{}, s:b}", "values", "errors",
					       "has_errors", 0));
}

/* The event's organisations after a change, as the API answers it. */
static json_t *eo_list(struct http_req *req, const char *slug)
{
	json_t *ev = NULL, *list = NULL;
	if (db_begin_read(req->db) == HM_OK) {
		ev = admin_event_get(req->db, slug);
		db_rollback(req->db);
	}
	list = json_object_get(ev, "organisations");
	json_t *m = json_pack("{s:o}", "organisations", list ? json_incref(list) : json_array());
	json_decref(ev);
	return m;
}

static enum hm_err post_event_org_add(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	struct form f;
	enum hm_err e = event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	e = form_read(req, eo_fields, HM_ARRAY_LEN(eo_fields), &f);
	if (!web_csrf_valid(req, f.csrf)) {
		json_decref(ev);
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	}
	const char *slug = http_param(req, "slug");
	if (e == HM_OK) {
		e = admin_event_org_add(req->db, web_principal(req), slug,
					form_get(&f, "organisation"), form_get(&f, "role"), time_now_s());
		if (e == HM_ENOTFOUND)
			form_set_error(req, &f, "organisation",
				       "There is no organisation with this address.");
		else if (e == HM_EEXIST)
			form_set_error(req, &f, "organisation",
				       "This organisation already has this role in the event.");
		else if (e == HM_EINVAL)
			form_set_error(req, &f, "role", "Choose one of the roles.");
		else if (e != HM_OK) {
			json_decref(ev);
			return domain_fail(res, e);
		}
	}
	if (e != HM_OK) {
		res->status = e == HM_EEXIST ? 409 : 400;
		if (req->want_json) {
			json_decref(ev);
			return api_answer(res, res->status, form_json(&f));
		}
		return eo_page(req, res, ev, form_json(&f));
	}
	json_decref(ev);
	if (req->want_json)
		return api_answer(res, 201, eo_list(req, slug));
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/events/%s/organisations?done=added", slug));
}

/* POST /admin/events/{slug}/organisations/{org}/{role}/remove and the
 * API's DELETE. */
static enum hm_err post_event_org_remove(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_decref(ev);
	if ((e = web_post_guard(req, res)) != HM_OK)
		return e;
	const char *slug = http_param(req, "slug");
	e = admin_event_org_remove(req->db, web_principal(req), slug, http_param(req, "org"),
				   http_param(req, "role"), time_now_s());
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "This organisation does not have this role in the event.");
	if (e != HM_OK)
		return domain_fail(res, e);
	if (req->want_json)
		return api_answer(res, 200, eo_list(req, slug));
	return web_redirect(
		req, res, arena_printf(&req->pool, "/admin/events/%s/organisations?done=removed", slug));
}

static const char *const directions[] = {"up", "down", NULL};
static const struct field move_fields[] = {
	{.name = "direction", .kind = FIELD_CHOICE, .required = 1, .choices = directions,
	 .label = "Direction"},
};

static enum hm_err post_event_org_move(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	struct form f;
	enum hm_err e = event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_decref(ev);
	web_private(req, res);
	e = form_read(req, move_fields, HM_ARRAY_LEN(move_fields), &f);
	if (!web_csrf_valid(req, f.csrf))
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	if (e != HM_OK)
		return http_fail(res, HM_EINVAL, "Choose up or down.");
	const char *slug = http_param(req, "slug");
	e = admin_event_org_move(req->db, web_principal(req), slug, http_param(req, "org"),
				 http_param(req, "role"),
				 str_eq(form_get(&f, "direction"), "up") ? -1 : 1, time_now_s());
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "This organisation does not have this role in the event.");
	if (e == HM_ECONFLICT)
		return http_fail(res, e, "It is already at that end of the list.");
	if (e != HM_OK)
		return domain_fail(res, e);
	if (req->want_json)
		return api_answer(res, 200, eo_list(req, slug));
	return web_redirect(
		req, res, arena_printf(&req->pool, "/admin/events/%s/organisations?done=moved", slug));
}

/* PUT /api/v1/events/{slug}/organisations: the whole list in order. */
static enum hm_err api_event_orgs_put(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	req->want_json = 1;
	enum hm_err e = event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_decref(ev);
	web_private(req, res);
	if (!web_csrf_valid(req, NULL))
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	const char *ct = req->content_type ? req->content_type : "";
	json_t *body = strncasecmp(ct, "application/json", 16) == 0 && req->body
			       ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, NULL)
			       : NULL;
	json_t *list = json_object_get(body, "organisations");
	if (!json_is_array(list)) {
		json_decref(body);
		return api_answer(res, 400,
				  json_pack("{s:{s:s}, s:b}", "errors", "organisations",
					    web_t(req, "Send {\"organisations\": [{\"organisation\": …, \"role\": …}…]}."),
					    "has_errors", 1));
	}
	struct admin_errors errs = {0};
	const char *slug = http_param(req, "slug");
	e = admin_event_org_set(req->db, web_principal(req), slug, list, time_now_s(), &errs);
	json_decref(body);
	if (e == HM_EINVAL) {
		json_t *errors = json_object();
		for (int i = 0; i < errs.n; i++)
			json_object_set_new(errors, errs.items[i].field,
					    json_string(web_t(req, errs.items[i].msgid)));
		return api_answer(res, 400, json_pack("{s:o, s:b}", "errors", errors, "has_errors", 1));
	}
	if (e != HM_OK)
		return domain_fail(res, e);
	return api_answer(res, 200, eo_list(req, slug));
}

/* ======================================================= event organisers */

/* Loads an event whose organisers p may name (admins, series organisers). */
static enum hm_err event_for_organisers(struct http_req *req, struct http_res *res, json_t **out)
{
	json_t *ev;
	struct auth_scope sc;
	enum hm_err e = event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	admin_event_scope(ev, &sc);
	if ((e = web_require(req, res, AUTH_SERIES_EDIT, &sc)) != HM_OK) {
		json_decref(ev);
		return e;
	}
	*out = ev;
	return HM_OK;
}

static const struct field organiser_fields[] = {
	{.name = "email", .kind = FIELD_EMAIL, .required = 1, .max_len = AUTH_EMAIL_MAX,
	 .label = "E-mail address"},
};

static json_t *organisers_of(struct http_req *req, const json_t *ev)
{
	json_t *list = NULL;
	struct auth_scope sc;
	admin_event_scope(ev, &sc);
	if (db_begin_read(req->db) != HM_OK)
		return NULL;
	list = admin_event_organisers(req->db, sc.event_id, sc.series_id);
	db_rollback(req->db);
	return list;
}

static enum hm_err organisers_page(struct http_req *req, struct http_res *res, json_t *ev,
				   json_t *fj)
{
	json_t *list = organisers_of(req, ev);
	if (!list)
		return HM_EDB;
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o) {
		set_str(o, "via_label", label_of(req, sval(o, "via")));
		json_object_set_new(o, "is_event_grant", json_boolean(str_eq(sval(o, "via"), "event")));
	}
	json_t *m = json_object();
	json_object_set_new(m, "organisers", list);
	json_object_set_new(m, "form", fj);
	decorate_status(req, ev);
	json_object_set_new(m, "tabs", event_tabs(req, ev, "organisers"));
	json_object_set_new(m, "event", ev);
	return admin_page(req, res, m, "admin/events_organisers",
			  web_t(req, "Organisers of the event"), "events");
}

static enum hm_err page_event_organisers(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = event_for_organisers(req, res, &ev);
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		json_t *list = organisers_of(req, ev);
		json_decref(ev);
		web_private(req, res);
		if (!list)
			return HM_EDB;
		return api_answer(res, 200, json_pack("{s:o}", "organisers", list));
	}
	return organisers_page(req, res, ev,
			       json_pack("{s:{}, s:{}, s:b}", "values", "errors", "has_errors", 0));
}

static enum hm_err post_event_organiser_grant(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	struct form f;
	enum hm_err e = event_for_organisers(req, res, &ev);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	e = form_read(req, organiser_fields, HM_ARRAY_LEN(organiser_fields), &f);
	if (!web_csrf_valid(req, f.csrf)) {
		json_decref(ev);
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	}
	const char *slug = http_param(req, "slug");
	if (e == HM_OK) {
		e = admin_event_organiser_grant(req->db, web_principal(req), slug,
						form_get(&f, "email"), time_now_s());
		if (e == HM_ENOTFOUND)
			form_set_error(req, &f, "email", "No account has this e-mail address.");
		else if (e == HM_EEXIST)
			form_set_error(req, &f, "email", "This account already organises the event.");
		else if (e != HM_OK) {
			json_decref(ev);
			return domain_fail(res, e);
		}
	}
	if (e != HM_OK) {
		res->status = e == HM_EEXIST ? 409 : e == HM_ENOTFOUND ? 404 : 400;
		if (req->want_json) {
			json_decref(ev);
			return api_answer(res, res->status, form_json(&f));
		}
		return organisers_page(req, res, ev, form_json(&f));
	}
	if (req->want_json) {
		json_t *list = organisers_of(req, ev);
		json_decref(ev);
		return list ? api_answer(res, 201, json_pack("{s:o}", "organisers", list)) : HM_EDB;
	}
	json_decref(ev);
	return web_redirect(
		req, res, arena_printf(&req->pool, "/admin/events/%s/organisers?done=granted", slug));
}

static enum hm_err post_event_organiser_revoke(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = event_for_organisers(req, res, &ev);
	if (e != HM_OK)
		return e;
	if ((e = web_post_guard(req, res)) != HM_OK) {
		json_decref(ev);
		return e;
	}
	const char *slug = http_param(req, "slug"), *ids = http_param(req, "id");
	char *end;
	long long id = strtoll(ids, &end, 10);
	if (*end || id <= 0) {
		json_decref(ev);
		return http_fail(res, HM_ENOTFOUND, "This account does not organise the event.");
	}
	e = admin_event_organiser_revoke(req->db, web_principal(req), slug, id, time_now_s());
	if (e == HM_ENOTFOUND) {
		json_decref(ev);
		return http_fail(res, e, "This account does not organise the event.");
	}
	if (e != HM_OK) {
		json_decref(ev);
		return domain_fail(res, e);
	}
	if (req->want_json) {
		json_t *list = organisers_of(req, ev);
		json_decref(ev);
		return list ? api_answer(res, 200, json_pack("{s:o}", "organisers", list)) : HM_EDB;
	}
	json_decref(ev);
	return web_redirect(
		req, res, arena_printf(&req->pool, "/admin/events/%s/organisers?done=revoked", slug));
}

/* ========================================================== organisations */

static const struct field org_fields[] = {
	{.name = "name", .kind = FIELD_TEXT, .required = 1, .max_len = 200, .label = "Name"},
	{.name = "acronym", .kind = FIELD_TEXT, .max_len = 40, .label = "Acronym"},
	{.name = "slug", .kind = FIELD_SLUG, .max_len = SLUG_MAX, .label = "Address"},
	{.name = "kind", .kind = FIELD_CHOICE, .choices = admin_org_kinds, .label = "Kind"},
	{.name = "country", .kind = FIELD_COUNTRY, .max_len = 2, .label = "Country"},
	{.name = "website", .kind = FIELD_URL, .max_len = 1000, .label = "Website"},
	{.name = "description", .kind = FIELD_MULTILINE, .max_len = 20000, .label = "Description"},
	{.name = "logo", .kind = FIELD_TEXT, .max_len = MEDIA_NAME_SIZE, .label = "Logo"},
	{.name = "logo_file", .kind = FIELD_FILE, .label = "Logo"},
	{.name = "remove_logo", .kind = FIELD_BOOL, .label = "Remove the logo"},
};

static const char *const org_legends[] = {"The organisation"};
static const struct widget org_widgets[] = {
	{"name", "Name", "The full name, such as United Nations Alliance of Civilizations.", W_INPUT,
	 "text", 0},
	{"acronym", "Acronym", "Such as UNAOC.", W_INPUT, "text", 0},
	{"slug", "Address", "Lower-case letters, digits and hyphens; made from the name when left empty.",
	 W_INPUT, "text", 0},
	{"kind", "Kind", NULL, W_SELECT, NULL, 0},
	{"country", "Country", "Two-letter ISO code, such as CN; leave empty for international bodies.",
	 W_INPUT, "text", 0},
	{"website", "Website", "Starting with https://.", W_INPUT, "url", 0},
	{"description", "Description", NULL, W_TEXTAREA, NULL, 0},
	{"logo_file", "Logo", "A JPEG, PNG or WebP image of at most 8 MB; it replaces the present one.",
	 W_FILE, NULL, 0},
};

/* Adds logo_url and logo_thumb_url to an organisation with a logo. */
static void org_logo_urls(json_t *o)
{
	const char *logo = sval(o, "logo");
	char thumb[MEDIA_NAME_SIZE];
	if (!logo || !media_name_is_original(logo))
		return;
	media_thumb_name(logo, thumb);
	json_object_set_new(o, "logo_url", json_sprintf("/media/%s", logo));
	json_object_set_new(o, "logo_thumb_url", json_sprintf("/media/%s", thumb));
}

/* The logo of an organisation form: a file sent is stored first (under
 * its content's hash, so a form that fails later leaves at most an unused
 * file, and the stored name rides along in the form) and becomes "logo";
 * "remove_logo" clears it. The caller has checked the right to edit. */
static void org_logo_input(struct http_req *req, struct input *in)
{
	int file = -1, logo = -1;
	for (size_t k = 0; k < in->f.n; k++) {
		if (strcmp(in->f.fields[k].name, "logo_file") == 0)
			file = (int)k;
		else if (strcmp(in->f.fields[k].name, "logo") == 0)
			logo = (int)k;
	}
	if (file < 0 || logo < 0)
		return;
	const struct form_file *ff = &in->f.files[file];
	if (ff->data) {
		struct media_stored ms;
		const char *why = NULL;
		if (media_store(ff->data, ff->len, &ms, &why) == HM_OK) {
			in->f.values[logo] = arena_strdup(&req->pool, ms.name);
			json_object_set_new(in->present, "logo", json_true());
		} else {
			form_set_error(req, &in->f, "logo_file",
				       why ? why : "The image could not be saved.");
		}
	} else if (form_bool(&in->f, "remove_logo")) {
		in->f.values[logo] = NULL;
		json_object_set_new(in->present, "logo", json_true());
	}
}

static enum hm_err page_orgs_list(struct http_req *req, struct http_res *res)
{
	enum hm_err e = gate_staff(req, res);
	if (e != HM_OK)
		return e;
	const struct principal *p = web_principal(req);
	json_t *orgs = NULL;
	WEB_READ_TXN(req, {
		orgs = admin_org_list(req->db);
		size_t i;
		json_t *o;
		json_array_foreach(orgs, i, o) {
			int may = auth_is_admin(p);
			if (!may) {
				json_t *full = admin_org_get(req->db, sval(o, "slug"));
				may = full && admin_org_may_edit(p, full);
				json_decref(full);
			}
			json_object_set_new(o, "may_edit", json_boolean(may));
			set_str(o, "kind_label", label_of(req, sval(o, "kind")));
		}
	});
	json_t *m = json_pack("{s:o}", "organisations", orgs);
	return admin_page(req, res, m, "admin/organisations", web_t(req, "Organisations"),
			  "organisations");
}

static enum hm_err org_form_page(struct http_req *req, struct http_res *res, json_t *org,
				 json_t *fj)
{
	json_t *options = json_pack("{s:o}", "kind", options_of(req, admin_org_kinds));
	json_t *m = json_object();
	json_object_set_new(m, "fieldsets",
			    fieldsets_model(req, org_legends, HM_ARRAY_LEN(org_legends), org_widgets,
					    HM_ARRAY_LEN(org_widgets), org_fields,
					    HM_ARRAY_LEN(org_fields), fj, options));
	json_decref(options);
	json_object_set_new(m, "form", fj);
	json_object_set_new(m, "is_new", json_boolean(!org));
	const char *logo = sval(json_object_get(fj, "values"), "logo");
	if (logo && media_name_is_original(logo)) {
		json_t *l = json_pack("{s:s}", "logo", logo);
		org_logo_urls(l);
		json_object_set_new(m, "current_logo", l);
	}
	if (org) {
		size_t i;
		json_t *ev;
		json_array_foreach(json_object_get(org, "events"), i, ev) {
			decorate_status(req, ev);
			set_str(ev, "role_label", label_of(req, sval(ev, "role")));
		}
		json_object_set_new(m, "action",
				    json_sprintf("/admin/organisations/%s", sval(org, "slug")));
		json_object_set_new(m, "public_url",
				    json_sprintf("/organisations/%s", sval(org, "slug")));
		json_object_set_new(m, "organisation", org);
	} else {
		json_object_set_new(m, "action", json_string("/admin/organisations"));
	}
	return admin_page(req, res, m, "admin/organisations_form",
			  org ? web_t(req, "Edit organisation") : web_t(req, "New organisation"),
			  "organisations");
}

static enum hm_err page_org_new(struct http_req *req, struct http_res *res)
{
	enum hm_err e = gate_staff(req, res);
	if (e != HM_OK)
		return e;
	return org_form_page(req, res, NULL,
			     json_pack("{s:{s:s}, s:{}, s:b}", "values", "kind", "other", "errors",
				       "has_errors", 0));
}

/* Loads an organisation for editing: 404 when there is none, 403 unless
 * p may edit it. */
static enum hm_err org_for_edit(struct http_req *req, struct http_res *res, json_t **out)
{
	json_t *o = NULL;
	*out = NULL;
	enum hm_err e = gate_staff(req, res);
	if (e != HM_OK)
		return e;
	WEB_READ_TXN(req, { o = admin_org_get(req->db, http_param(req, "slug")); });
	if (!o)
		return http_fail(res, HM_ENOTFOUND, "There is no such organisation.");
	if (!admin_org_may_edit(web_principal(req), o)) {
		json_decref(o);
		res->no_store = 1;
		return http_fail(res, HM_EFORBIDDEN,
				 "This organisation takes part in events you do not organise: ask an administrator to change it.");
	}
	*out = o;
	return HM_OK;
}

static enum hm_err page_org_edit(struct http_req *req, struct http_res *res)
{
	json_t *o;
	enum hm_err e = org_for_edit(req, res, &o);
	if (e != HM_OK)
		return e;
	return org_form_page(req, res, o, values_of(o, org_fields, HM_ARRAY_LEN(org_fields)));
}

static enum hm_err post_org_save(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	const char *slug = http_param(req, "slug");
	struct admin_errors errs = {0};
	struct input in;
	json_t *org = NULL, *out = NULL;
	enum hm_err e;

	web_private(req, res);
	if (slug) {
		if ((e = org_for_edit(req, res, &org)) != HM_OK)
			return e;
	} else if ((e = gate_staff(req, res)) != HM_OK) {
		return e;
	}
	e = input_read(req, org_fields, HM_ARRAY_LEN(org_fields), slug != NULL, &in);
	if (!web_csrf_valid(req, in.f.csrf)) {
		input_free(&in);
		json_decref(org);
		return http_fail(res, HM_EFORBIDDEN, WEB_FORM_EXPIRED);
	}
	org_logo_input(req, &in);
	if (in.f.nerrors)
		e = HM_EINVAL;
	if (e == HM_OK) {
		json_t *j = input_json(&in);
		e = slug ? admin_org_update(req->db, p, slug, j, time_now_s(), &out, &errs)
			 : admin_org_create(req->db, p, j, time_now_s(), &out, &errs);
		json_decref(j);
		if (e != HM_OK && e != HM_EINVAL && e != HM_EEXIST) {
			input_free(&in);
			json_decref(org);
			return domain_fail(res, e);
		}
		input_errors(req, &in, &errs);
	}
	if (e != HM_OK) {
		json_t *fj = input_form_json(&in);
		input_free(&in);
		res->status = e == HM_EEXIST ? 409 : 400;
		if (req->want_json) {
			json_decref(org);
			return api_answer(res, res->status, fj);
		}
		return org_form_page(req, res, org, fj);
	}
	input_free(&in);
	json_decref(org);
	if (req->want_json) {
		org_logo_urls(out);
		if (!slug)
			http_res_header(res, "Location",
					arena_printf(&req->pool, "/api/v1/organisations/%s",
						     sval(out, "slug")));
		return api_answer(res, slug ? 200 : 201, out);
	}
	const char *to = arena_printf(&req->pool, "/admin/organisations/%s/edit?done=saved",
				      sval(out, "slug"));
	json_decref(out);
	return web_redirect(req, res, to);
}

/* ============================================================== JSON API */

/* The API's handlers answer JSON whatever the Accept header says, errors
 * included. */
#define API(name, fn)                                                                          \
	static enum hm_err name(struct http_req *req, struct http_res *res)                   \
	{                                                                                      \
		req->want_json = 1;                                                            \
		return fn(req, res);                                                           \
	}

static enum hm_err api_series_list(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *all = NULL, *out = json_array();
	req->want_json = 1;
	WEB_READ_TXN(req, { all = admin_series_list(req->db); });
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) {
		if (!admin_series_visible(p, s))
			continue;
		series_public(p, s);
		json_array_append(out, s);
	}
	json_decref(all);
	api_cache(req, res);
	return api_answer(res, 200, json_pack("{s:o}", "series", out));
}

static enum hm_err api_series_get(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *s = NULL;
	req->want_json = 1;
	WEB_READ_TXN(req, { s = admin_series_get(req->db, http_param(req, "slug")); });
	if (!s || !admin_series_visible(p, s)) {
		json_decref(s);
		return http_fail(res, HM_ENOTFOUND, "There is no such series.");
	}
	series_public(p, s);
	api_cache(req, res);
	return api_answer(res, 200, s);
}

static enum hm_err api_events_list(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *all = NULL, *out = json_array();
	req->want_json = 1;
	WEB_READ_TXN(req, { all = admin_event_list(req->db); });
	size_t i;
	json_t *ev;
	json_array_foreach(all, i, ev) {
		if (!admin_event_visible(p, ev))
			continue;
		event_public(p, ev);
		json_array_append(out, ev);
	}
	json_decref(all);
	api_cache(req, res);
	return api_answer(res, 200, json_pack("{s:o}", "events", out));
}

static enum hm_err api_event_get(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *ev = NULL;
	req->want_json = 1;
	WEB_READ_TXN(req, { ev = admin_event_get(req->db, http_param(req, "slug")); });
	if (!ev || !admin_event_visible(p, ev)) {
		json_decref(ev);
		return http_fail(res, HM_ENOTFOUND, "There is no such event.");
	}
	event_public(p, ev);
	api_cache(req, res);
	return api_answer(res, 200, ev);
}

static enum hm_err api_event_orgs_get(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *ev = NULL;
	req->want_json = 1;
	WEB_READ_TXN(req, { ev = admin_event_get(req->db, http_param(req, "slug")); });
	if (!ev || !admin_event_visible(p, ev)) {
		json_decref(ev);
		return http_fail(res, HM_ENOTFOUND, "There is no such event.");
	}
	json_t *m = json_pack("{s:O}", "organisations", json_object_get(ev, "organisations"));
	json_decref(ev);
	api_cache(req, res);
	return api_answer(res, 200, m);
}

static enum hm_err api_orgs_list(struct http_req *req, struct http_res *res)
{
	json_t *all = NULL;
	req->want_json = 1;
	WEB_READ_TXN(req, { all = admin_org_list(req->db); });
	size_t i;
	json_t *o;
	json_array_foreach(all, i, o) {
		json_object_del(o, "event_count");
		org_logo_urls(o);
	}
	api_cache(req, res);
	return api_answer(res, 200, json_pack("{s:o}", "organisations", all));
}

static enum hm_err api_org_get(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *o = NULL;
	req->want_json = 1;
	WEB_READ_TXN(req, { o = admin_org_get(req->db, http_param(req, "slug")); });
	if (!o)
		return http_fail(res, HM_ENOTFOUND, "There is no such organisation.");
	json_t *keep = json_array();
	size_t i;
	json_t *ev;
	json_array_foreach(json_object_get(o, "events"), i, ev)
		if (admin_event_visible(p, ev))
			json_array_append(keep, ev);
	json_object_set_new(o, "events", keep);
	org_logo_urls(o);
	api_cache(req, res);
	return api_answer(res, 200, o);
}

API(api_series_save, post_series_save)
API(api_event_save, post_event_save)
API(api_event_org_add, post_event_org_add)
API(api_event_org_remove, post_event_org_remove)
API(api_event_organisers, page_event_organisers)
API(api_event_organiser_grant, post_event_organiser_grant)
API(api_event_organiser_revoke, post_event_organiser_revoke)
API(api_org_save, post_org_save)

/* ================================================================ routes */

#define GET HTTP_M(HTTP_GET)
#define POST HTTP_M(HTTP_POST)
#define PUT HTTP_M(HTTP_PUT)
#define PATCH HTTP_M(HTTP_PATCH)
#define DELETE HTTP_M(HTTP_DELETE)

const struct route admin_event_routes[] = {
	{GET, "/admin", page_dashboard},
	{GET, "/admin/series", page_series_list},
	{POST, "/admin/series", post_series_save},
	{GET, "/admin/series/new", page_series_new},
	{GET, "/admin/series/{slug}/edit", page_series_edit},
	{POST, "/admin/series/{slug}", post_series_save},
	{POST, "/admin/series/{slug}/publish", post_series_publish},
	{POST, "/admin/series/{slug}/unpublish", post_series_unpublish},
	{GET, "/admin/events", page_events_list},
	{POST, "/admin/events", post_event_save},
	{GET, "/admin/events/new", page_event_new},
	{GET, "/admin/events/{slug}/edit", page_event_edit},
	{POST, "/admin/events/{slug}", post_event_save},
	{POST, "/admin/events/{slug}/publish", post_event_publish},
	{POST, "/admin/events/{slug}/unpublish", post_event_unpublish},
	{POST, "/admin/events/{slug}/cancel", post_event_cancel},
	{GET, "/admin/events/{slug}/organisations", page_event_orgs},
	{POST, "/admin/events/{slug}/organisations", post_event_org_add},
	{POST, "/admin/events/{slug}/organisations/{org}/{role}/remove", post_event_org_remove},
	{POST, "/admin/events/{slug}/organisations/{org}/{role}/move", post_event_org_move},
	{GET, "/admin/events/{slug}/organisers", page_event_organisers},
	{POST, "/admin/events/{slug}/organisers", post_event_organiser_grant},
	{POST, "/admin/events/{slug}/organisers/{id}/revoke", post_event_organiser_revoke},
	{GET, "/admin/organisations", page_orgs_list},
	{POST, "/admin/organisations", post_org_save},
	{GET, "/admin/organisations/new", page_org_new},
	{GET, "/admin/organisations/{slug}/edit", page_org_edit},
	{POST, "/admin/organisations/{slug}", post_org_save},

	{GET, "/api/v1/series", api_series_list},
	{POST, "/api/v1/series", api_series_save},
	{GET, "/api/v1/series/{slug}", api_series_get},
	{PATCH, "/api/v1/series/{slug}", api_series_save},
	{GET, "/api/v1/events", api_events_list},
	{POST, "/api/v1/events", api_event_save},
	{GET, "/api/v1/events/{slug}", api_event_get},
	{PATCH, "/api/v1/events/{slug}", api_event_save},
	{GET, "/api/v1/events/{slug}/organisations", api_event_orgs_get},
	{POST, "/api/v1/events/{slug}/organisations", api_event_org_add},
	{PUT, "/api/v1/events/{slug}/organisations", api_event_orgs_put},
	{DELETE, "/api/v1/events/{slug}/organisations/{org}/{role}", api_event_org_remove},
	{GET, "/api/v1/events/{slug}/organisers", api_event_organisers},
	{POST, "/api/v1/events/{slug}/organisers", api_event_organiser_grant},
	{DELETE, "/api/v1/events/{slug}/organisers/{id}", api_event_organiser_revoke},
	{GET, "/api/v1/organisations", api_orgs_list},
	{POST, "/api/v1/organisations", api_org_save},
	{GET, "/api/v1/organisations/{slug}", api_org_get},
	{PATCH, "/api/v1/organisations/{slug}", api_org_save},
};
const size_t admin_event_nroutes = HM_ARRAY_LEN(admin_event_routes);
