/*
 * admin_event_orgs.c — the organisations of an event and their roles
 * (/admin/events/{slug}/organisations: add, remove, move within a role)
 * and their JSON API, which can also replace the whole list (PUT).
 */
#include "site/confirm.h"
#include "site/feature.h"
#include "features/events/events_web.h"

#include "db/db.h"

#include <string.h>

/* {"organisations": the event's list} (an empty one without ev);
 * consumes ev. */
static json_t *orgs_of(json_t *ev)
{
	json_t *list = json_object_get(ev, "organisations");
	json_t *m = json_pack("{s:o}", "organisations", list ? json_incref(list) : json_array());
	json_decref(ev);
	return m;
}

static const struct field eo_fields[] = {
	{.name = "organisation", .kind = FIELD_SLUG, .required = 1, .label = N_("Organisation")},
	{.name = "role", .kind = FIELD_CHOICE, .required = 1, .choices = admin_org_roles,
	 .label = N_("Role")},
};

/* The organisations page of an event, with fj for the add form. */
static enum hm_err eo_page(struct http_req *req, struct http_res *res, json_t *ev, json_t *fj)
{
	json_t *m = json_object(), *opts = NULL;
	if (web_read_begin(req) != HM_OK) {
		json_decref(m);
		json_decref(ev);
		json_decref(fj);
		return HM_EDB;
	}
	opts = adm_org_options(req, "— Choose an organisation —");
	db_rollback(req->db);
	json_t *entries = json_object_get(ev, "organisations");
	size_t i;
	json_t *o;
	json_array_foreach(entries, i, o) {
		json_t *prev = i ? json_array_get(entries, i - 1) : NULL;
		json_t *next = json_array_get(entries, i + 1);
		const char *role = web_str(o, "role");
		web_set_str(o, "role_label", adm_label(req, role));
		web_set_str(o, "kind_label", adm_label(req, web_str(o, "kind")));
		json_object_set_new(o, "may_move_up",
				    json_boolean(prev && str_eq(web_str(prev, "role"), role)));
		json_object_set_new(o, "may_move_down",
				    json_boolean(next && str_eq(web_str(next, "role"), role)));
		json_object_set_new(o, "base", json_sprintf("/admin/events/%s/organisations/%s/%s",
							    web_str(ev, "slug"), web_str(o, "slug"),
							    web_str(o, "role")));
	}
	json_t *values = json_object_get(fj, "values"), *errors = json_object_get(fj, "errors");
	json_t *org_sel = json_array(), *role_sel = json_array();
	json_array_foreach(opts, i, o) {
		json_object_set_new(o, "selected",
				    json_boolean(str_eq(web_str(o, "value"),
							web_str(values, "organisation"))));
		json_array_append(org_sel, o);
	}
	json_decref(opts);
	for (const char *const *r = admin_org_roles; *r; r++)
		json_array_append_new(role_sel,
				      json_pack("{s:s, s:s, s:b}", "value", *r, "label",
						adm_label(req, *r), "selected",
						str_eq(*r, web_str(values, "role"))));
	json_object_set_new(m, "org_options", org_sel);
	json_object_set_new(m, "role_options", role_sel);
	web_set_str(m, "organisation_error", web_str(errors, "organisation"));
	web_set_str(m, "role_error", web_str(errors, "role"));
	return adm_event_tab_page(req, res, m, ev, fj, "organisations", "admin/events_organisations",
				  web_t(req, "Organisations of the event"));
}

static enum hm_err page_event_orgs(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = adm_event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		web_private(req, res);
		return adm_api_answer(res, 200, orgs_of(ev));
	}
	return eo_page(req, res, ev, adm_empty_form());
}

/* The event's organisations after a change, as the API answers it. */
static json_t *eo_list(struct http_req *req, const char *slug)
{
	json_t *ev = NULL;
	if (db_begin_read(req->db) == HM_OK) {
		ev = admin_event_get(req->db, slug);
		db_rollback(req->db);
	}
	return orgs_of(ev);
}

static enum hm_err post_event_org_add(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	struct form f;
	enum hm_err e = adm_event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	e = form_read(req, eo_fields, HM_ARRAY_LEN(eo_fields), &f);
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
			return adm_domain_fail(res, e);
		}
	}
	if (e != HM_OK) {
		res->status = e == HM_EEXIST ? 409 : 400;
		if (req->want_json) {
			json_decref(ev);
			return adm_api_answer(res, res->status, form_json(&f));
		}
		return eo_page(req, res, ev, form_json(&f));
	}
	json_decref(ev);
	if (req->want_json)
		return adm_api_answer(res, 201, eo_list(req, slug));
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/events/%s/organisations?done=added", slug));
}

/* POST /admin/events/{slug}/organisations/{org}/{role}/remove and the
 * API's DELETE. */
static enum hm_err post_event_org_remove(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = adm_event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	web_own(req, ev);
	const char *slug = http_param(req, "slug");
	if (!web_confirmed(req))
		return web_confirm_page(
			req, res,
			&(struct confirm){
				.question = arena_printf(&req->pool,
							 web_t(req, "Remove this organisation from “%s”?"),
							 web_str(ev, "title")),
				.lines = {web_t(req, "The event's page no longer names it in this role. "
						     "The organisation itself stays; you can add it "
						     "again later.")},
				.yes = web_t(req, "Yes, remove it"),
				.back = arena_printf(&req->pool, "/admin/events/%s/organisations", slug),
				.admin = "events",
			});
	e = admin_event_org_remove(req->db, web_principal(req), slug, http_param(req, "org"),
				   http_param(req, "role"), time_now_s());
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "This organisation does not have this role in the event.");
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	if (req->want_json)
		return adm_api_answer(res, 200, eo_list(req, slug));
	return web_redirect(
		req, res, arena_printf(&req->pool, "/admin/events/%s/organisations?done=removed", slug));
}

static const char *const directions[] = {"up", "down", NULL};
static const struct field move_fields[] = {
	{.name = "direction", .kind = FIELD_CHOICE, .required = 1, .choices = directions,
	 .label = N_("Direction")},
};

static enum hm_err post_event_org_move(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	struct form f;
	enum hm_err e = adm_event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_decref(ev);
	web_private(req, res);
	e = form_read(req, move_fields, HM_ARRAY_LEN(move_fields), &f);
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
		return adm_domain_fail(res, e);
	if (req->want_json)
		return adm_api_answer(res, 200, eo_list(req, slug));
	return web_redirect(
		req, res, arena_printf(&req->pool, "/admin/events/%s/organisations?done=moved", slug));
}

/* PUT /api/v1/events/{slug}/organisations: the whole list in order. */
static enum hm_err api_event_orgs_put(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = adm_event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_decref(ev);
	web_private(req, res);
	const char *ct = req->content_type ? req->content_type : "";
	json_t *body = strncasecmp(ct, "application/json", 16) == 0 && req->body
			       ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, NULL)
			       : NULL;
	json_t *list = json_object_get(body, "organisations");
	if (!json_is_array(list)) {
		json_decref(body);
		return adm_api_answer(res, 400,
				      json_pack("{s:{s:s}, s:b}", "errors", "organisations",
						web_t(req, "Send {\"organisations\": [{\"organisation\": …, \"role\": …}…]}."),
						"has_errors", 1));
	}
	struct field_errors errs = {0};
	const char *slug = http_param(req, "slug");
	e = admin_event_org_set(req->db, web_principal(req), slug, list, time_now_s(), &errs);
	json_decref(body);
	if (e == HM_EINVAL) {
		json_t *errors = json_object();
		for (int i = 0; i < errs.n; i++)
			json_object_set_new(errors, errs.items[i].field,
					    json_string(web_t(req, errs.items[i].msgid)));
		return adm_api_answer(res, 400, json_pack("{s:o, s:b}", "errors", errors, "has_errors", 1));
	}
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return adm_api_answer(res, 200, eo_list(req, slug));
}

static enum hm_err api_event_orgs_get(struct http_req *req, struct http_res *res)
{
	return adm_api_get(req, res, &event_kind, orgs_of);
}

const struct route event_org_admin_routes[] = {
	{GET, "/admin/events/{slug}/organisations", page_event_orgs, WEB_PRIVATE},
	{POST, "/admin/events/{slug}/organisations", post_event_org_add, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/organisations/{org}/{role}/remove", post_event_org_remove, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/organisations/{org}/{role}/move", post_event_org_move, WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/events/{slug}/organisations", api_event_orgs_get, WEB_JSON},
	{POST, "/api/v1/events/{slug}/organisations", post_event_org_add, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{PUT, "/api/v1/events/{slug}/organisations", api_event_orgs_put, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/events/{slug}/organisations/{org}/{role}", post_event_org_remove, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	WEB_ROUTES_END,
};
