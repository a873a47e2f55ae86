/*
 * web_delegation.c — delegations: a focal point registers several
 * delegates at once with one nomination letter (/events/{slug}/delegation,
 * POST /api/v1/events/{slug}/delegations, multipart); the organisers see
 * them, read the letter, and decide for the whole delegation or person by
 * person (/admin/events/{slug}/delegations).
 */
#include "features/registration/reg_web.h"

#include "features/events/events_admin.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define FORM_ROWS 5 /* delegate rows on the page; the API takes up to REG_DELEGATES_MAX */

static json_t *rows_model(struct http_req *req, const json_t *values)
{
	json_t *rows = json_array();
	for (int i = 1; i <= FORM_ROWS; i++) {
		char k[4][24];
		snprintf(k[0], sizeof(k[0]), "name_%d", i);
		snprintf(k[1], sizeof(k[1]), "email_%d", i);
		snprintf(k[2], sizeof(k[2]), "position_%d", i);
		snprintf(k[3], sizeof(k[3]), "gender_%d", i);
		json_t *g = reg_web_options(req, reg_genders,
					    json_string_value(json_object_get(values, k[3])));
		json_array_append_new(
			rows, json_pack("{s:i, s:s, s:s, s:s, s:s, s:o}", "n", i, "name",
					json_string_value(json_object_get(values, k[0]))
						? json_string_value(json_object_get(values, k[0]))
						: "",
					"email",
					json_string_value(json_object_get(values, k[1]))
						? json_string_value(json_object_get(values, k[1]))
						: "",
					"position",
					json_string_value(json_object_get(values, k[2]))
						? json_string_value(json_object_get(values, k[2]))
						: "",
					"gender_field", k[3], "genders", g));
	}
	return rows;
}

static enum hm_err form_page(struct http_req *req, struct http_res *res, const json_t *ev,
			     const json_t *values, const struct field_errors *errs, int status)
{
	json_t *m = site_csrf_model(req, res);
	json_t *fj = reg_web_form(req, values, errs);
	/* each delegate's error beside its row */
	json_t *rows = rows_model(req, values);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		static const char *const f[] = {"name", "email", "position", "gender"};
		for (int k = 0; k < 4; k++) {
			char key[32];
			snprintf(key, sizeof(key), "%s_%zu", f[k], i + 1);
			const char *msg = json_string_value(json_object_get(json_object_get(fj, "errors"), key));
			if (msg) {
				char ek[32];
				snprintf(ek, sizeof(ek), "%s_error", f[k]);
				json_object_set_new(row, ek, json_string(msg));
			}
		}
	}
	json_object_set_new(m, "rows", rows);
	json_object_set_new(m, "form", fj);
	json_object_set_new(m, "event", json_pack("{s:O, s:O}", "slug", json_object_get(ev, "slug"),
						  "title", json_object_get(ev, "title")));
	json_object_set_new(m, "sectors",
			    reg_web_options(req, admin_sectors,
					    json_string_value(json_object_get(values, "sector"))));
	json_object_set_new(m, "countries",
			    fmt_country_options(&req->pool, req->lang,
						json_string_value(json_object_get(values, "country"))));
	json_object_set_new(m, "is_open", json_boolean(str_eq(reg_window(ev, time_now_s()), "open") ||
							reg_may_manage(web_principal(req), ev)));
	res->status = status;
	http_res_page(res, m, "pages/delegation", web_t(req, "Register a delegation"));
	return HM_OK;
}

static enum hm_err page_delegation(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 0, &ev);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	if (str_eq(reg_window(ev, time_now_s()), "none"))
		return http_fail(res, HM_ENOTFOUND, "This event does not take registrations here.");
	json_t *values = json_object();
	e = form_page(req, res, ev, values, NULL, 200);
	json_decref(values);
	return e;
}

/* The delegation as sent: the page's fields (name_1, email_1…) or the
 * API's ("delegates" as a JSON text), and the letter's file. */
static json_t *read_delegation(struct http_req *req, const struct form_file **letter)
{
	static const struct field fields[] = {
		{.name = "letter", .kind = FIELD_FILE, .max_len = REG_LETTER_MAX + 1,
		 .label = N_("Nomination letter")},
	};
	struct form *f = arena_alloc(&req->pool, sizeof(*f));
	form_read(req, fields, HM_ARRAY_LEN(fields), f);
	*letter = &f->files[0];
	json_t *in = site_body_object(req);
	if (!in)
		return NULL;
	json_t *delegates = json_array();
	const char *api = json_string_value(json_object_get(in, "delegates"));
	if (json_is_array(json_object_get(in, "delegates"))) {
		json_array_extend(delegates, json_object_get(in, "delegates"));
	} else if (api) {
		json_t *list = json_loads(api, 0, NULL);
		if (json_is_array(list))
			json_array_extend(delegates, list);
		json_decref(list);
	} else {
		for (int i = 1; i <= REG_DELEGATES_MAX; i++) {
			char k[24];
			json_t *one = json_object();
			static const char *const f2[] = {"name", "email", "position", "gender"};
			for (int j = 0; j < 4; j++) {
				snprintf(k, sizeof(k), "%s_%d", f2[j], i);
				const char *v = json_string_value(json_object_get(in, k));
				if (v && *v)
					json_object_set_new(one, f2[j], json_string(v));
			}
			if (json_object_size(one))
				json_array_append_new(delegates, one);
			else
				json_decref(one);
		}
	}
	json_object_set_new(in, "delegates", delegates);
	if ((*letter)->filename)
		json_object_set_new(in, "letter_name", json_string((*letter)->filename));
	return in;
}

static enum hm_err post_delegation(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 0, &ev);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	const struct principal *p = web_principal(req);
	if (p->read_only)
		return http_fail(res, HM_EFORBIDDEN, "This API token may only read.");
	int api = req->want_json || (req->route->flags & WEB_JSON);
	const struct form_file *letter;
	json_t *in = read_delegation(req, &letter);
	if (!in)
		return http_fail(res, HM_EINVAL,
				 "Send the delegation as multipart/form-data or as a JSON object.");
	/* a JSON call sends the letter as base64 */
	const char *b64 = json_string_value(json_object_get(in, "letter_base64"));
	if (b64 && !letter->data) {
		size_t n = strlen(b64), len = 0;
		char *bin = arena_alloc(&req->pool, n + 1);
		if (n > (size_t)REG_LETTER_MAX * 4 / 3 + 8 ||
		    sodium_base642bin((unsigned char *)bin, n + 1, b64, n, " \n\r", &len, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0)
			len = 0;
		struct form_file *f = arena_alloc(&req->pool, sizeof(*f));
		*f = (struct form_file){.filename = "letter.pdf", .data = len ? bin : NULL, .len = len};
		letter = f;
	}
	struct field_errors errs = {0};
	int ok = reg_web_rate(req, res, ev, &errs);
	if (ok < 0)
		return HM_EDB;
	if (ok == 0)
		return api ? site_refuse_json(req, res, 429, &errs)
			   : form_page(req, res, ev, in, &errs, 429);
	json_t *out = NULL;
	e = reg_delegation_create(req->db, p, ev, in, letter->data, letter->len, req->lang,
				  time_now_s(), &errs, &out);
	if (e == HM_EINVAL || e == HM_ECONFLICT) {
		int status = e == HM_ECONFLICT ? 409 : 400;
		return api ? site_refuse_json(req, res, status, &errs)
			   : form_page(req, res, ev, in, &errs, status);
	}
	if (e != HM_OK)
		return e;
	web_own(req, out);
	if (api)
		return adm_api_answer(res, 201, json_deep_copy(out));
	json_t *m = json_pack("{s:{s:O, s:O}, s:O, s:O}", "event", "slug",
			      json_object_get(ev, "slug"), "title", json_object_get(ev, "title"),
			      "delegation", in, "registrations", json_object_get(out, "registrations"));
	http_res_page(res, m, "pages/delegation_done", web_t(req, "Delegation received"));
	return HM_OK;
}

/* ------------------------------------------------------------ organisers */

static enum hm_err page_delegations(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *list = reg_delegations(req->db, json_integer_value(json_object_get(ev, "id")));
	if (!list)
		return HM_EDB;
	if (req->want_json || (req->route->flags & WEB_JSON))
		return adm_api_answer(res, 200, json_pack("{s:o}", "delegations", list));
	size_t i, j;
	json_t *d, *m;
	json_array_foreach(list, i, d) {
		site_display_time(req, d, "created_at", "created_display");
		json_array_foreach(json_object_get(d, "members"), j, m) reg_web_decorate(req, m);
		const char *sector = json_string_value(json_object_get(d, "sector"));
		web_set_str(d, "sector_label", sector ? adm_label(req, sector) : NULL);
	}
	json_t *e2 = json_deep_copy(ev);
	adm_decorate_status(req, e2);
	json_t *model = json_pack("{s:o, s:o, s:o}", "delegations", list, "event", e2, "tabs",
				  adm_event_tabs(req, ev, "delegations"));
	return adm_page(req, res, model, "admin/delegations", web_t(req, "Delegations"), "events");
}

static enum hm_err get_delegation_letter(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	char *pdf;
	size_t len;
	e = reg_delegation_letter(req->db, json_integer_value(json_object_get(ev, "id")),
				  site_id_param(req), &pdf, &len);
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such delegation.");
	if (e != HM_OK)
		return e;
	buf_append(&res->body, pdf, len);
	free(pdf);
	res->content_type = "application/pdf";
	/* an uploaded file: shown as a download, never as a page of the site */
	http_res_header(res, "Content-Disposition", "attachment; filename=\"nomination-letter.pdf\"");
	return HM_OK;
}

const struct route reg_delegation_routes[] = {
	{GET, "/events/{slug}/delegation", page_delegation, WEB_PRIVATE},
	{POST, "/events/{slug}/delegation", post_delegation, WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	{POST, "/api/v1/events/{slug}/delegations", post_delegation,
	 WEB_JSON | WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	{GET, "/api/v1/events/{slug}/delegations", page_delegations, WEB_JSON | WEB_PRIVATE},
	{GET, "/admin/events/{slug}/delegations", page_delegations, WEB_STAFF},
	{GET, "/admin/events/{slug}/delegations/{id}/letter.pdf", get_delegation_letter, WEB_STAFF},
	WEB_ROUTES_END,
};
