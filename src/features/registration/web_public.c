/*
 * web_public.c — registering for an event (/events/{slug}/register and
 * POST /api/v1/events/{slug}/registrations) and a person's own
 * registration through the link of their e-mails (/registration/{token}):
 * see it, change it, confirm an offered seat, cancel.
 */
#include "features/registration/reg_web.h"

#include "features/events/events_admin.h"
#include "site/confirm.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <string.h>

/* The questions of ev for the form, with what was answered. */
static json_t *questions_model(const json_t *ev, const json_t *answers, const json_t *errors,
			       int approved)
{
	json_t *out = json_array();
	size_t i;
	const json_t *q;
	json_array_foreach(json_object_get(json_object_get(ev, "registration"), "questions"), i, q) {
		if (!approved && str_eq(json_string_value(json_object_get(q, "stage")), "approved"))
			continue;
		json_t *one = json_deep_copy(q);
		const char *id = json_string_value(json_object_get(q, "id"));
		const char *kind = json_string_value(json_object_get(q, "kind"));
		const json_t *given = json_object_get(answers, id);
		json_object_set_new(one, "field", json_sprintf("q_%s", id));
		json_object_set_new(one, "field_id", json_sprintf("f-q_%s", id));
		char key[48];
		snprintf(key, sizeof(key), "q_%s", id ? id : "");
		const json_t *err = json_object_get(errors, key);
		if (err)
			json_object_set_new(one, "error", json_deep_copy(err));
		char is[32];
		snprintf(is, sizeof(is), "is_%s", kind ? kind : "text");
		json_object_set_new(one, is, json_true());
		if (json_is_string(given))
			json_object_set(one, "answer", (json_t *)json_object_get(answers, id));
		json_t *opts = json_array();
		size_t j;
		const json_t *o;
		json_array_foreach(json_object_get(q, "options"), j, o) {
			int sel = json_equal(given, o);
			size_t k;
			const json_t *g;
			if (json_is_array(given))
				json_array_foreach(given, k, g) sel |= json_equal(g, o);
			json_array_append_new(opts, json_pack("{s:O, s:b, s:I}", "value", o, "selected",
							      sel, "n", (json_int_t)j));
		}
		json_object_set_new(one, "choices", opts);
		if (str_eq(kind, "yesno"))
			json_object_set_new(one, "is_yes", json_boolean(str_eq(json_string_value(given), "yes"))),
				json_object_set_new(one, "is_no", json_boolean(str_eq(json_string_value(given), "no")));
		json_array_append_new(out, one);
	}
	return out;
}

/* The model of the registration form (or the page of one's own). */
static json_t *form_model(struct http_req *req, struct http_res *res, const json_t *ev,
			  json_t *fj, int approved)
{
	json_t *m = site_csrf_model(req, res);
	json_t *e = json_deep_copy(ev);
	const char *dates = fmt_date_range(&req->pool, req->lang,
					   json_string_value(json_object_get(ev, "starts_on")),
					   json_string_value(json_object_get(ev, "ends_on")));
	web_set_str(e, "dates", dates);
	const char *cc = json_string_value(json_object_get(ev, "country"));
	web_set_str(e, "country_name", cc ? fmt_country(&req->pool, req->lang, cc) : NULL);
	json_object_set_new(m, "event", e);
	const json_t *values = json_object_get(fj, "values");
	const char *gender = json_string_value(json_object_get(values, "gender"));
	json_object_set_new(m, "sectors",
			    reg_web_options(req, admin_sectors,
					    json_string_value(json_object_get(values, "sector"))));
	json_object_set_new(m, "genders", reg_web_options(req, reg_genders, gender));
	json_object_set_new(m, "countries",
			    fmt_country_options(&req->pool, req->lang,
						json_string_value(json_object_get(values, "country"))));
	json_object_set_new(m, "questions",
			    questions_model(ev, json_object_get(values, "answers"),
					    json_object_get(fj, "errors"), approved));
	json_t *orgs = reg_org_names(req->db);
	json_object_set_new(m, "organisations", orgs ? orgs : json_array());
	if (json_is_true(json_object_get(values, "consent_directory")) ||
	    str_eq(json_string_value(json_object_get(values, "consent_directory")), "yes"))
		json_object_set_new(m, "consent_checked", json_true());
	json_object_set_new(m, "form", fj);
	return m;
}

/* The fields the JSON twin lists, for clients that build their own form. */
static json_t *fields_json(struct http_req *req, const json_t *ev)
{
	json_t *f = json_pack(
		"[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b},"
		" {s:s, s:s, s:b, s:o}, {s:s, s:s, s:b}, {s:s, s:s, s:b, s:o}, {s:s, s:s, s:b},"
		" {s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b}]",
		"name", "name", "kind", "text", "required", 1, "name", "email", "kind", "email",
		"required", 1, "name", "organisation", "kind", "text", "required", 0, "name",
		"position", "kind", "text", "required", 0, "name", "sector", "kind", "choice",
		"required", 1, "choices", reg_web_options(req, admin_sectors, NULL), "name",
		"country", "kind", "country", "required", 1, "name", "gender", "kind", "choice",
		"required", 0, "choices", reg_web_options(req, reg_genders, NULL), "name",
		"languages", "kind", "text", "required", 0, "name", "accessibility", "kind",
		"multiline", "required", 0, "name", "dietary", "kind", "multiline", "required", 0,
		"name", "consent_directory", "kind", "yesno", "required", 0);
	json_t *qs = json_object_get(json_object_get(ev, "registration"), "questions");
	return json_pack("{s:o, s:O}", "fields", f, "questions", qs ? qs : json_null());
}

static enum hm_err page_register(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 0, &ev);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	const char *window = reg_window(ev, time_now_s());
	if (str_eq(window, "none"))
		return http_fail(res, HM_ENOTFOUND, "This event does not take registrations here.");
	const char *mode = json_string_value(
		json_object_get(json_object_get(ev, "registration"), "mode"));
	const char *invitation = http_query(req, "invitation");
	json_t *values = json_object();
	if (invitation) {
		json_t *inv = reg_invitation_by_token(
			req->db, json_integer_value(json_object_get(ev, "id")), invitation);
		if (inv) {
			json_object_set(values, "email", json_object_get(inv, "email"));
			json_object_set(values, "name", json_object_get(inv, "name"));
			json_object_set_new(values, "invitation", json_string(invitation));
		} else
			invitation = NULL;
		json_decref(inv);
	}
	json_t *fj = reg_web_form(req, values, NULL);
	json_decref(values);
	json_t *m = form_model(req, res, ev, fj, 0);
	json_object_set_new(m, "with_email", json_true());
	json_object_set_new(m, "window", json_string(window));
	json_object_set_new(m, "is_open", json_boolean(str_eq(window, "open")));
	json_object_set_new(m, "mode", json_string(mode));
	json_object_set_new(m, "needs_invitation",
			    json_boolean(str_eq(mode, "invitation") && !invitation));
	if (req->want_json) {
		json_t *j = fields_json(req, ev);
		json_object_set(j, "csrf", json_object_get(m, "csrf"));
		json_object_set_new(j, "window", json_string(window));
		json_object_set_new(j, "mode", json_string(mode));
		json_decref(m);
		return adm_api_answer(res, 200, j);
	}
	http_res_page(res, m, "pages/register",
		      arena_printf(&req->pool, "%s · %s", web_t(req, "Register"),
				   json_string_value(json_object_get(ev, "title"))));
	return HM_OK;
}

static enum hm_err post_register(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 0, &ev);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	if (web_principal(req)->read_only)
		return http_fail(res, HM_EFORBIDDEN, "This API token may only read.");
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send a JSON object of the registration's fields.");
	struct field_errors errs = {0};
	json_t *out = NULL;
	const struct principal *p = web_principal(req);
	/* a whole room behind one address registers well within the limit; a
	 * flood from one address does not */
	int ok = reg_web_rate(req, res, ev, &errs);
	if (ok < 0)
		return HM_EDB;
	if (ok == 0) {
		if (req->want_json || req->route->flags & WEB_JSON)
			return site_refuse_json(req, res, 429, &errs);
		res->status = 429;
		json_t *m = form_model(req, res, ev, reg_web_form(req, in, &errs), 0);
		json_object_set_new(m, "with_email", json_true());
		json_object_set_new(m, "is_open", json_true());
		http_res_page(res, m, "pages/register", web_t(req, "Register"));
		return HM_OK;
	}
	const char *lang = json_string_value(json_object_get(in, "lang"));
	e = reg_register(req->db, p, ev, in, lang && i18n_supported(lang) ? lang : req->lang,
			 time_now_s(), &errs, &out);
	if (e == HM_EEXIST) {
		field_error_add(&errs, "email",
				"This e-mail address is registered for this event already. The "
				"e-mail we sent has the link to your registration.");
	}
	if (e == HM_EINVAL || e == HM_EEXIST || e == HM_ECONFLICT) {
		int status = e == HM_EEXIST ? 409 : e == HM_ECONFLICT ? 409 : 400;
		if (req->want_json || req->route->flags & WEB_JSON)
			return site_refuse_json(req, res, status, &errs);
		res->status = status;
		json_t *m = form_model(req, res, ev, reg_web_form(req, in, &errs), 0);
		json_object_set_new(m, "with_email", json_true());
		json_object_set_new(m, "is_open", json_true());
		json_object_set_new(m, "window", json_string(reg_window(ev, time_now_s())));
		http_res_page(res, m, "pages/register", web_t(req, "Register"));
		return HM_OK;
	}
	if (e != HM_OK)
		return e;
	web_own(req, out);
	const char *token = json_string_value(json_object_get(out, "token"));
	const char *manage = arena_printf(&req->pool, "/registration/%s", token);
	if (req->want_json || req->route->flags & WEB_JSON) {
		json_t *j = json_pack("{s:O, s:O, s:s}", "id", json_object_get(out, "id"), "status",
				      json_object_get(out, "status"), "manage_url", manage);
		return adm_api_answer(res, 201, j);
	}
	return web_redirect(req, res, arena_printf(&req->pool, "%s?done=registered", manage));
}

/* ------------------------------------------------------- one's own */

static enum hm_err own_page(struct http_req *req, struct http_res *res, json_t *r, json_t *fj,
			    int status)
{
	json_t *ev = web_own(req, reg_event_by_id(req->db,
						  json_integer_value(json_object_get(r, "event_id"))));
	if (!ev)
		return HM_EDB;
	reg_web_decorate(req, r);
	if (req->want_json) {
		json_t *j = r; /* ours: given to the answer */
		json_object_set_new(j, "event", json_pack("{s:O, s:O}", "slug", json_object_get(ev, "slug"),
							 "title", json_object_get(ev, "title")));
		return adm_api_answer(res, status, j);
	}
	if (!fj) {
		json_t *values = json_deep_copy(r);
		fj = reg_web_form(req, values, NULL);
		json_decref(values);
	}
	res->status = status;
	const char *s = json_string_value(json_object_get(r, "status"));
	json_t *m = form_model(req, res, ev, fj, str_eq(s, "approved"));
	int followup = 0;
	size_t i;
	const json_t *q;
	json_array_foreach(json_object_get(json_object_get(ev, "registration"), "questions"), i, q)
		followup |= str_eq(json_string_value(json_object_get(q, "stage")), "approved");
	json_object_set_new(m, "has_followup", json_boolean(followup && str_eq(s, "approved")));
	json_object_set_new(m, "registration", r);
	json_object_set_new(m, "token", json_string(http_param(req, "token")));
	json_object_set_new(m, "is_offered", json_boolean(str_eq(s, "offered")));
	const char *dir = json_string_value(
		json_object_get(json_object_get(ev, "registration"), "directory"));
	if (str_eq(s, "approved") && (str_eq(dir, "public") || str_eq(dir, "participants")))
		json_object_set_new(m, "directory_url",
				    json_sprintf("/events/%s/participants?registration=%s",
						 json_string_value(json_object_get(ev, "slug")),
						 http_param(req, "token")));
	json_object_set_new(m, "has_letter",
			    json_boolean(str_eq(s, "approved") &&
					 json_is_true(json_object_get(r, "wants_letter"))));
	json_object_set_new(m, "is_active", json_boolean(!str_eq(s, "declined") &&
							 !str_eq(s, "cancelled") &&
							 !str_eq(s, "expired")));
	const char *done = http_query(req, "done");
	if (done)
		json_object_set_new(m, "done", json_pack("{s:b}", done, 1));
	http_res_page(res, m, "pages/registration", web_t(req, "Your registration"));
	return HM_OK;
}

static enum hm_err page_own(struct http_req *req, struct http_res *res)
{
	web_private(req, res);
	json_t *r = reg_by_token(req->db, http_param(req, "token"));
	if (!r)
		return db_failed(req->db) ? HM_EDB
					  : http_fail(res, HM_ENOTFOUND,
						      "This link does not name a registration.");
	return own_page(req, res, r, NULL, 200);
}

static enum hm_err post_own(struct http_req *req, struct http_res *res)
{
	web_private(req, res);
	if (web_principal(req)->read_only)
		return http_fail(res, HM_EFORBIDDEN, "This API token may only read.");
	const char *token = http_param(req, "token");
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send a JSON object.");
	const char *action = json_string_value(json_object_get(in, "action"));
	struct field_errors errs = {0};
	enum hm_err e;
	int64_t now = time_now_s();
	if (str_eq(action, "cancel")) {
		if (!web_confirmed(req))
			return web_confirm_page(
				req, res,
				&(struct confirm){
					.question = web_t(req, "Cancel your registration?"),
					.lines = {web_t(req, "If you have a seat, it goes to the next "
							     "person on the waiting list. You cannot "
							     "undo this.")},
					.yes = web_t(req, "Yes, cancel my registration"),
					.back = arena_printf(&req->pool, "/registration/%s", token),
				});
		e = reg_self_cancel(req->db, token, now);
	} else if (str_eq(action, "confirm"))
		e = reg_self_confirm(req->db, token, now);
	else
		e = reg_self_update(req->db, token, in, now, &errs);
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "This link does not name a registration.");
	if (e == HM_ECONFLICT)
		return http_fail(res, e,
				 str_eq(action, "confirm")
					 ? "There is no seat waiting for your confirmation: the offer "
					   "may have lapsed."
					 : "This registration can no longer be changed.");
	json_t *r = reg_by_token(req->db, token);
	if (!r)
		return HM_EDB;
	if (e == HM_EINVAL)
		return req->want_json ? (json_decref(r), site_refuse_json(req, res, 400, &errs))
				      : own_page(req, res, r, reg_web_form(req, in, &errs), 400);
	if (e != HM_OK) {
		json_decref(r);
		return e;
	}
	if (req->want_json)
		return own_page(req, res, r, NULL, 200);
	json_decref(r);
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/registration/%s?done=%s", token,
					 str_eq(action, "cancel")    ? "cancelled"
					 : str_eq(action, "confirm") ? "confirmed"
								     : "saved"));
}

/* ------------------------------------------------------ the directory */

/* 1 if the asker may see ev's list of participants: everyone when the
 * organisers chose "public", approved participants (signed in with the
 * address they registered with) when "participants", organisers always. */
static int directory_visible(struct http_req *req, const json_t *ev)
{
	const char *who = json_string_value(
		json_object_get(json_object_get(ev, "registration"), "directory"));
	const struct principal *p = web_principal(req);
	if (str_eq(who, "public") || reg_may_manage(p, ev))
		return 1;
	if (!str_eq(who, "participants"))
		return 0;
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	/* an approved person without an account comes with their link's token */
	const char *token = http_query(req, "registration");
	if (token) {
		json_t *r = reg_by_token(req->db, token);
		int ok = r && json_integer_value(json_object_get(r, "event_id")) == event_id &&
			 str_eq(json_string_value(json_object_get(r, "status")), "approved");
		json_decref(r);
		if (ok)
			return 1;
	}
	return p->account_id && reg_is_participant(req->db, event_id, p->email) == 1;
}

static enum hm_err page_participants(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 0, &ev);
	if (e != HM_OK)
		return e;
	const char *who = json_string_value(
		json_object_get(json_object_get(ev, "registration"), "directory"));
	/* a public list is the same for all; any other is someone's */
	if (!str_eq(who, "public"))
		web_private(req, res);
	if (!directory_visible(req, ev)) {
		if (str_eq(who, "participants") && !web_principal(req)->account_id &&
		    !http_query(req, "registration"))
			return web_require(req, res, AUTH_ACCOUNT_SELF, NULL);
		return http_fail(res, HM_ENOTFOUND, "This event has no list of participants for you.");
	}
	json_t *list = reg_directory(req->db, json_integer_value(json_object_get(ev, "id")));
	if (!list)
		return HM_EDB;
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o) {
		const char *cc = json_string_value(json_object_get(o, "country"));
		web_set_str(o, "country_name", cc ? fmt_country(&req->pool, req->lang, cc) : NULL);
		const char *sector = json_string_value(json_object_get(o, "sector"));
		web_set_str(o, "sector_label", sector ? adm_label(req, sector) : NULL);
	}
	if (req->want_json)
		return adm_api_answer(res, 200, json_pack("{s:o}", "participants", list));
	json_t *m = json_pack("{s:o, s:{s:O, s:O}, s:i}", "participants", list, "event", "slug",
			      json_object_get(ev, "slug"), "title", json_object_get(ev, "title"),
			      "count", (int)json_array_size(list));
	http_res_page(res, m, "pages/participants",
		      arena_printf(&req->pool, "%s · %s", web_t(req, "Participants"),
				   json_string_value(json_object_get(ev, "title"))));
	return HM_OK;
}

/* ------------------------------------------------- the event's page */

enum hm_err reg_event_page(struct http_req *req, json_t *ev)
{
	json_t *full = reg_event_by_id(req->db, json_integer_value(json_object_get(ev, "id")));
	if (!full)
		return db_failed(req->db) ? HM_EDB : HM_OK;
	const char *window = reg_window(full, time_now_s());
	if (!str_eq(window, "none")) {
		json_t *box = json_pack("{s:s, s:s, s:b, s:b, s:b}", "url",
					arena_printf(&req->pool, "/events/%s/register",
						     json_string_value(json_object_get(ev, "slug"))),
					"delegation_url",
					arena_printf(&req->pool, "/events/%s/delegation",
						     json_string_value(json_object_get(ev, "slug"))),
					"is_open", str_eq(window, "open"), "not_yet",
					str_eq(window, "not_yet"), "closed", str_eq(window, "closed"));
		const json_t *r = json_object_get(full, "registration");
		const char *opens = json_string_value(json_object_get(r, "opens_at"));
		const char *closes = json_string_value(json_object_get(r, "closes_at"));
		const char *tz = json_string_value(json_object_get(full, "timezone"));
		if (opens)
			web_set_str(box, "opens", fmt_datetime(&req->pool, req->lang, tz,
							       time_parse_rfc3339(opens), FMT_LONG));
		if (closes)
			web_set_str(box, "closes", fmt_datetime(&req->pool, req->lang, tz,
								time_parse_rfc3339(closes), FMT_LONG));
		/* the public page links a public list only (participants find theirs
		 * on their own registration's page) */
		const char *dir = json_string_value(json_object_get(r, "directory"));
		if (str_eq(dir, "public"))
			json_object_set_new(box, "directory_url",
					    json_sprintf("/events/%s/participants",
							 json_string_value(json_object_get(ev, "slug"))));
		json_object_set_new(box, "by_invitation",
				    json_boolean(str_eq(json_string_value(json_object_get(r, "mode")),
							"invitation")));
		json_object_set_new(ev, "registration_box", box);
	}
	json_decref(full);
	return HM_OK;
}

const struct route reg_public_routes[] = {
	{GET, "/events/{slug}/register", page_register, WEB_PRIVATE},
	{POST, "/events/{slug}/register", post_register, WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	{POST, "/api/v1/events/{slug}/registrations", post_register,
	 WEB_JSON | WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	{GET, "/registration/{token}", page_own, WEB_PRIVATE},
	{GET, "/events/{slug}/participants", page_participants, 0},
	{GET, "/api/v1/events/{slug}/participants", page_participants, WEB_JSON},
	{POST, "/registration/{token}", post_own, WEB_PRIVATE | WEB_VISITOR | WEB_CSRF},
	WEB_ROUTES_END,
};
