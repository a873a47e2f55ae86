/*
 * admin_event_organisers.c — who organises an event
 * (/admin/events/{slug}/organisers and its JSON API): the accounts with
 * a grant on the event or its series, naming one more by e-mail, and
 * revoking an event's own grants. For admins and series organisers.
 */
#include "site/confirm.h"
#include "site/feature.h"
#include "features/accounts/notice.h"
#include "features/events/events_web.h"
#include "site/site.h"

#include "db/db.h"

#include <stdlib.h>

/* Loads an event whose organisers p may name (admins, series organisers). */
static enum hm_err event_for_organisers(struct http_req *req, struct http_res *res, json_t **out)
{
	json_t *ev;
	struct auth_scope sc;
	enum hm_err e = adm_event_for_edit(req, res, &ev);
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
	 .label = N_("E-mail address")},
	/* asked again before the role is given */
	{.name = "password", .kind = FIELD_PASSWORD, .required = 1, .max_len = AUTH_PASSWORD_MAX,
	 .label = N_("Your password")},
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

/* {"organisers": […]} as the API answers it; consumes ev. */
static enum hm_err organisers_answer(struct http_req *req, struct http_res *res, json_t *ev,
				     int status)
{
	json_t *list = organisers_of(req, ev);
	json_decref(ev);
	if (!list)
		return HM_EDB;
	return adm_api_answer(res, status, json_pack("{s:o}", "organisers", list));
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
		web_set_str(o, "via_label", adm_label(req, web_str(o, "via")));
		json_object_set_new(o, "is_event_grant",
				    json_boolean(str_eq(web_str(o, "via"), "event")));
	}
	json_t *m = json_object();
	json_object_set_new(m, "organisers", list);
	return adm_event_tab_page(req, res, m, ev, fj, "organisers", "admin/events_organisers",
				  web_t(req, "Organisers of the event"));
}

static enum hm_err page_event_organisers(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = event_for_organisers(req, res, &ev);
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		web_private(req, res);
		return organisers_answer(req, res, ev, 200);
	}
	return organisers_page(req, res, ev, adm_empty_form());
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
	const char *slug = http_param(req, "slug");
	int status = 0;
	if (e == HM_OK && (e = web_reauth(req, res, &f)) != HM_OK) {
		if (e != HM_EINVAL) {
			json_decref(ev);
			return e;
		}
		status = res->status;
	}
	if (e == HM_OK) {
		e = admin_event_organiser_grant(req->db, web_principal(req), slug,
						form_get(&f, "email"), time_now_s());
		if (e == HM_ENOTFOUND)
			form_set_error(req, &f, "email", "No account has this e-mail address.");
		else if (e == HM_EEXIST)
			form_set_error(req, &f, "email", "This account already organises the event.");
		else if (e != HM_OK) {
			json_decref(ev);
			return adm_domain_fail(res, e);
		}
	}
	if (e != HM_OK) {
		res->status = status                ? status
			      : e == HM_EEXIST    ? 409
			      : e == HM_ENOTFOUND ? 404
						  : 400;
		if (req->want_json) {
			json_decref(ev);
			return adm_api_answer(res, res->status, form_json(&f));
		}
		return organisers_page(req, res, ev, form_json(&f));
	}
	/* The new organiser is told (the change is made: a best effort). */
	struct auth_scope sc;
	struct auth_grant g = {.role = AUTH_ROLE_ORGANISER};
	int64_t id = 0;
	admin_event_scope(ev, &sc);
	g.event_id = sc.event_id;
	if (auth_account_find(req->db, form_get(&f, "email"), &id) == HM_OK)
		accounts_notify_grant(req, id, &g);
	if (req->want_json)
		return organisers_answer(req, res, ev, 201);
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
	const char *slug = http_param(req, "slug");
	int64_t id = site_id_param(req);
	if (!id) {
		json_decref(ev);
		return http_fail(res, HM_ENOTFOUND, "This account does not organise the event.");
	}
	if (!web_confirmed(req)) {
		web_own(req, ev);
		return web_confirm_page(
			req, res,
			&(struct confirm){
				.question = arena_printf(&req->pool,
							 web_t(req, "Remove this organiser of “%s”?"),
							 web_str(ev, "title")),
				.lines = {web_t(req, "The account can no longer edit the event. You can "
						     "add it again later.")},
				.yes = web_t(req, "Yes, remove the organiser"),
				.back = arena_printf(&req->pool, "/admin/events/%s/organisers", slug),
				.admin = "events",
			});
	}
	e = admin_event_organiser_revoke(req->db, web_principal(req), slug, id, time_now_s());
	if (e == HM_ENOTFOUND) {
		json_decref(ev);
		return http_fail(res, e, "This account does not organise the event.");
	}
	if (e != HM_OK) {
		json_decref(ev);
		return adm_domain_fail(res, e);
	}
	if (req->want_json)
		return organisers_answer(req, res, ev, 200);
	json_decref(ev);
	return web_redirect(
		req, res, arena_printf(&req->pool, "/admin/events/%s/organisers?done=revoked", slug));
}

const struct route organiser_admin_routes[] = {
	{GET, "/admin/events/{slug}/organisers", page_event_organisers, WEB_PRIVATE},
	{POST, "/admin/events/{slug}/organisers", post_event_organiser_grant, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/organisers/{id}/revoke", post_event_organiser_revoke, WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/events/{slug}/organisers", page_event_organisers, WEB_JSON},
	{POST, "/api/v1/events/{slug}/organisers", post_event_organiser_grant, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/events/{slug}/organisers/{id}", post_event_organiser_revoke, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	WEB_ROUTES_END,
};
