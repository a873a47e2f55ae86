/*
 * web_people.c — the people of a programme on the web: their list and
 * forms for the event's organisers (/admin/events/{slug}/people…), who
 * does what in a session (from its edit page), their API, and a public
 * page per person listing their sessions in the latest release
 * (/events/{slug}/people/{id}).
 */
#include "features/programme/prog_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "features/events/events_admin.h"
#include "media/media.h"
#include "site/confirm.h"
#include "site/site.h"
#include "site/translations.h"
#include "view/i18n.h"

#include <string.h>

static const struct field person_fields[] = {
	{.name = "name", .kind = FIELD_TEXT, .required = 1, .max_len = 200, .label = N_("Name")},
	{.name = "title", .kind = FIELD_TEXT, .max_len = 200, .label = N_("Title or position")},
	{.name = "organisation", .kind = FIELD_TEXT, .max_len = 200, .label = N_("Organisation")},
	{.name = "bio", .kind = FIELD_MULTILINE, .max_len = 4000, .label = N_("Short biography")},
	{.name = "email", .kind = FIELD_TEXT, .max_len = 254, .label = N_("Account")},
	{.name = "photo", .kind = FIELD_TEXT, .max_len = MEDIA_NAME_SIZE, .label = N_("Photograph")},
	{.name = "photo_file", .kind = FIELD_FILE, .label = N_("Photograph")},
	{.name = "remove_photo", .kind = FIELD_BOOL, .label = N_("Remove the photo")},
};

static const char *const legends[] = {N_("The person")};
static const struct adm_widget widgets[] = {
	{"name", N_("Name"), NULL, W_INPUT, "text", 0, 0},
	{"title", N_("Title or position"), NULL, W_INPUT, "text", 0, 0},
	{"organisation", N_("Organisation"), NULL, W_INPUT, "text", 0, 0},
	{"bio", N_("Short biography"), N_("Shown on their public page."), W_TEXTAREA, NULL, 0, 0},
	{"email", N_("Account or registration"),
	 N_("The e-mail address of their account on this site, or of their approved registration for this event, if they have one; it is not shown to the public."),
	 W_INPUT, "email", 0, 0},
	{"photo_file", N_("Photograph"), N_("A JPEG, PNG or WebP image of at most 8 MB; it replaces the present one."),
	 W_FILE, NULL, 0, 0},
};

static json_t *role_options(struct http_req *req)
{
	return adm_options(req, prog_roles);
}

/* What the people page and a person's form show: the event, its tabs and
 * the person form's fields from fj (the model keeps a reference). */
static json_t *person_form_model(struct http_req *req, json_t *ev, json_t *fj)
{
	json_t *m = json_object();
	json_object_set(m, "event", ev);
	json_object_set_new(m, "tabs", adm_event_tabs(req, ev, "programme"));
	json_object_set_new(m, "fieldsets",
			    adm_fieldsets(req, legends, HM_ARRAY_LEN(legends), widgets,
					  HM_ARRAY_LEN(widgets), person_fields,
					  HM_ARRAY_LEN(person_fields), fj, NULL));
	json_object_set(m, "form", fj);
	return m;
}

/* The people page (list and the form to add one), with fj as that form. */
static enum hm_err people_page(struct http_req *req, struct http_res *res, json_t *ev, json_t *fj)
{
	web_own(req, fj);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *people = prog_people(req->db, json_integer_value(json_object_get(ev, "id")));
	db_rollback(req->db);
	if (!people)
		return HM_EDB;
	json_t *m = person_form_model(req, ev, fj);
	json_object_set_new(m, "people", people);
	return adm_page(req, res, m, "admin/people", web_t(req, "People of the programme"), "events");
}

/* GET /admin/events/{slug}/people */
static enum hm_err page_people(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_web_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	return people_page(req, res, ev, adm_empty_form());
}

/* The person of the path in ev, for its organisers. */
static enum hm_err path_person(struct http_req *req, struct http_res *res, json_t **ev,
			       json_t **out)
{
	*out = NULL;
	enum hm_err e = prog_web_event(req, res, ev);
	if (e != HM_OK)
		return e;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *p = web_own(req, prog_person_get(req->db, json_integer_value(json_object_get(*ev, "id")),
						 site_id_param(req)));
	db_rollback(req->db);
	if (!p)
		return db_failed(req->db) ? HM_EDB
					  : http_fail(res, HM_ENOTFOUND, "There is no such person.");
	*out = p;
	return HM_OK;
}

static enum hm_err person_form_page(struct http_req *req, struct http_res *res, json_t *ev,
				    json_t *person, json_t *fj)
{
	web_own(req, fj);
	json_t *m = person_form_model(req, ev, fj);
	json_object_set(m, "person", person);
	const char *photo = web_str(json_object_get(fj, "values"), "photo");
	if (photo && *photo) {
		json_t *ph = json_pack("{s:s}", "photo", photo);
		prog_person_photo(ph);
		json_object_set_new(m, "current_photo", ph);
	}
	return adm_page(req, res, m, "admin/person_form", web_str(person, "name"), "events");
}

/* GET /admin/events/{slug}/people/{id}/edit */
static enum hm_err page_person_edit(struct http_req *req, struct http_res *res)
{
	json_t *ev, *p;
	enum hm_err e = path_person(req, res, &ev, &p);
	if (e != HM_OK)
		return e;
	json_t *fj = adm_empty_form();
	json_t *v = json_object_get(fj, "values");
	static const char *const keys[] = {"name", "title", "organisation", "bio"};
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++)
		json_object_set(v, keys[i], json_object_get(p, keys[i]));
	if (web_str(p, "account_email"))
		json_object_set(v, "email", json_object_get(p, "account_email"));
	else if (web_str(p, "participant_email"))
		json_object_set(v, "email", json_object_get(p, "participant_email"));
	if (web_str(p, "photo"))
		json_object_set(v, "photo", json_object_get(p, "photo"));
	return person_form_page(req, res, ev, p, fj);
}

/* A person as the API gives it (the organisers'): the account's address
 * is theirs to see. */
static json_t *person_api(json_t *p)
{
	json_object_del(p, "event_id");
	prog_person_photo(p);
	return p;
}

/* The error of field name in f, or NULL. */
static const char *form_error_of(const struct form *f, const char *name)
{
	for (size_t k = 0; k < f->n; k++)
		if (str_eq(f->fields[k].name, name))
			return f->errors[k];
	return NULL;
}

/* POST /admin/events/{slug}/people[/{id}], POST and PATCH of the API. */
static enum hm_err post_person(struct http_req *req, struct http_res *res)
{
	struct field_errors errs = {0};
	struct form f;
	json_t *ev, *cur = NULL;
	int64_t id = site_id_param(req);
	enum hm_err e = id ? path_person(req, res, &ev, &cur) : prog_web_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	e = form_read(req, person_fields, HM_ARRAY_LEN(person_fields), &f);
	if (f.error)
		return http_fail(res, HM_EINVAL, f.error);
	/* an update changes what is sent; a new one needs its name */
	json_t *in = web_own(req, json_object());
	static const char *const keys[] = {"name", "title", "organisation", "bio", "email", "photo"};
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++) {
		const char *v = form_get(&f, keys[i]);
		if (v || (!id && !str_eq(keys[i], "photo")) || (!req->want_json && !str_eq(keys[i], "photo")))
			json_object_set_new(in, keys[i], json_string(v ? v : ""));
	}
	/* a photo sent is stored first; "remove_photo" clears it */
	for (size_t k = 0; k < f.n; k++) {
		const struct form_file *ff = &f.files[k];
		if (!str_eq(f.fields[k].name, "photo_file") || !ff->data)
			continue;
		struct media_stored ms;
		const char *why = NULL;
		if (media_store(ff->data, ff->len, &ms, &why) == HM_OK)
			web_set_str(in, "photo", ms.name);
		else
			form_set_error(req, &f, "photo_file", why ? why : "The image could not be saved.");
	}
	if (form_bool(&f, "remove_photo"))
		web_set_str(in, "photo", "");
	if (!form_error_of(&f, "photo_file") && (e == HM_OK || id)) {
		int64_t out_id = 0;
		e = prog_person_save(req->db, web_principal(req), ev, id, in, time_now_s(), &out_id,
				     &errs);
		if (e == HM_OK) {
			const char *slug = web_str(ev, "slug");
			if (!req->want_json)
				return web_redirect(req, res,
						    arena_printf(&req->pool,
								 "/admin/events/%s/people?done=saved",
								 slug));
			if (web_read_begin(req) != HM_OK)
				return HM_EDB;
			json_t *p = prog_person_get(req->db, json_integer_value(json_object_get(ev, "id")),
						    out_id);
			db_rollback(req->db);
			if (!p)
				return HM_EDB;
			if (!id)
				http_res_header(res, "Location",
						arena_printf(&req->pool, "/api/v1/events/%s/people/%lld",
							     slug, (long long)out_id));
			return adm_api_answer(res, id ? 200 : 201, person_api(p));
		}
		if (e != HM_EINVAL)
			return adm_domain_fail(res, e);
		for (int i = 0; i < errs.n; i++)
			form_set_error(req, &f, errs.items[i].field, errs.items[i].msgid);
	}
	json_t *fj = form_json(&f);
	res->status = 400;
	if (req->want_json)
		return adm_api_answer(res, 400, fj);
	return id ? person_form_page(req, res, ev, cur, fj) : people_page(req, res, ev, fj);
}

/* POST /admin/events/{slug}/people/{id}/delete (asks first), the API's DELETE */
static enum hm_err post_person_delete(struct http_req *req, struct http_res *res)
{
	json_t *ev, *p;
	enum hm_err e = path_person(req, res, &ev, &p);
	if (e != HM_OK)
		return e;
	const char *back = arena_printf(&req->pool, "/admin/events/%s/people", web_str(ev, "slug"));
	if (!req->want_json && !web_confirmed(req)) {
		long long n = (long long)json_integer_value(json_object_get(p, "sessions"));
		struct confirm c = {
			.question = web_t(req, "Remove this person from the programme?"),
			.thing = web_str(p, "name"),
			.lines = {n ? arena_printf(&req->pool,
						   web_nt(req, "They leave %lld session.",
							  "They leave %lld sessions.", (unsigned long)n),
						   n)
				    : NULL},
			.yes = web_t(req, "Yes, remove them"),
			.back = back,
			.admin = "events",
		};
		return web_confirm_page(req, res, &c);
	}
	e = prog_person_delete(req->db, web_principal(req), ev, site_id_param(req), time_now_s());
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	if (req->want_json) {
		res->status = 204;
		return HM_OK;
	}
	return web_redirect(req, res, arena_printf(&req->pool, "%s?done=removed", back));
}

/* GET /api/v1/events/{slug}/people: {event, people: […]}, for its organisers. */
static enum hm_err api_people(struct http_req *req, struct http_res *res)
{
	json_t *ev, *people;
	enum hm_err e = prog_web_event_read(req, res, &ev, prog_people, &people);
	if (e != HM_OK)
		return e;
	size_t i;
	json_t *p;
	json_array_foreach(people, i, p) person_api(p);
	return adm_api_answer(res, 200, json_pack("{s:s, s:o}", "event", web_str(ev, "slug"),
						  "people", people));
}

/* GET /api/v1/events/{slug}/people/{id} */
static enum hm_err api_person(struct http_req *req, struct http_res *res)
{
	json_t *ev, *p;
	enum hm_err e = path_person(req, res, &ev, &p);
	if (e != HM_OK)
		return e;
	return adm_api_answer(res, 200, person_api(json_incref(p)));
}

/* ----------------------------------------------- a session's people */

/* POST /admin/sessions/{id}/people (person, role: adds one) and
 * /admin/sessions/{id}/people/remove (person, role): a change of the
 * session's "people" through the session's own save, so it is checked,
 * audited and released as any change. */
static enum hm_err post_session_people(struct http_req *req, struct http_res *res)
{
	static const struct field fields[] = {
		{.name = "person", .kind = FIELD_INT, .required = 1, .min = 1, .max = INT64_MAX, .label = N_("Person")},
		{.name = "role", .kind = FIELD_CHOICE, .required = 1, .choices = prog_roles, .label = N_("Role")},
	};
	struct form f;
	struct field_errors errs = {0};
	json_t *t;
	enum hm_err e = adm_for_edit(req, res, &session_kind, &t);
	if (e != HM_OK)
		return e;
	web_own(req, t);
	const char *back = arena_printf(&req->pool, "/admin/sessions/%lld/edit",
					(long long)json_integer_value(json_object_get(t, "id")));
	if (form_read(req, fields, HM_ARRAY_LEN(fields), &f) != HM_OK)
		return http_fail(res, HM_EINVAL, "Choose a person and a role.");
	int64_t person = 0;
	text_int_parse(form_get(&f, "person"), &person);
	const char *role = form_get(&f, "role");
	int removing = strstr(req->path, "/remove") != NULL;
	json_t *list = web_own(req, json_array());
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(t, "people"), i, p) {
		int it = json_integer_value(json_object_get(p, "id")) == person &&
			 str_eq(web_str(p, "role"), role);
		if (removing && it)
			continue;
		json_array_append_new(list, json_pack("{s:O, s:O}", "person", json_object_get(p, "id"),
						      "role", json_object_get(p, "role")));
	}
	if (!removing)
		json_array_append_new(list, json_pack("{s:I, s:s}", "person", (json_int_t)person, "role",
						      role));
	json_t *in = web_own(req, json_pack("{s:O}", "people", list));
	char key[24];
	e = kind_save(&session_kind, req->db, web_principal(req),
		      kind_key(&session_kind, t, key), in, time_now_s(), NULL, &errs);
	if (e == HM_EINVAL && field_error_get(&errs, "people"))
		return http_fail(res, e, field_error_get(&errs, "people"));
	if (e == HM_EINVAL)
		return http_fail(res, e, errs.n ? errs.items[0].msgid : "Choose a person and a role.");
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return web_redirect(req, res, arena_printf(&req->pool, "%s?done=saved", back));
}

/* The people of the event and the roles, for the session form. */
json_t *prog_people_options(struct http_req *req, int64_t event_id)
{
	json_t *people = prog_people(req->db, event_id);
	if (!people)
		return NULL;
	json_t *opts = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(people, i, p) {
		const char *org = web_str(p, "organisation");
		json_array_append_new(
			opts, json_pack("{s:O, s:s}", "value", json_object_get(p, "id"), "label",
					org && *org ? arena_printf(&req->pool, "%s (%s)", web_str(p, "name"),
								   org)
						    : web_str(p, "name")));
	}
	json_decref(people);
	return json_pack("{s:o, s:o}", "people", opts, "roles", role_options(req));
}

/* ------------------------------------------------------------- public */

/* GET /events/{slug}/people/{id}: the person and their sessions in the
 * latest release (those the reader may see); 404 when they have none. */
static enum hm_err page_person(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = prog_public_event(req, res, &ev);
	if (e != HM_OK)
		return e;
	int64_t eid = json_integer_value(json_object_get(ev, "id")), id = site_id_param(req);
	json_t *p = id ? web_own(req, prog_person_get(req->db, eid, id)) : NULL;
	json_t *all = p ? web_own(req, prog_published(req->db, eid, NULL)) : NULL;
	tr_overlay_list(req, "session", prog_tr_fields, all);
	int more = all ? prog_sees_participants_only(req, ev) : 0;
	db_rollback(req->db);
	if (db_failed(req->db) || more < 0)
		return HM_EDB;
	json_t *sessions = web_own(req, json_array());
	size_t i, j;
	json_t *s, *who;
	json_array_foreach(all, i, s) {
		if (!more && !str_eq(web_str(s, "visibility"), "public"))
			continue;
		json_t *roles = json_array();
		json_array_foreach(json_object_get(s, "people"), j, who) if (
			json_integer_value(json_object_get(who, "id")) == id)
			json_array_append_new(roles,
					      json_string(adm_label(req, web_str(who, "role"))));
		if (!json_array_size(roles)) {
			json_decref(roles);
			continue;
		}
		const char *start = web_str(s, "starts_at"), *end = web_str(s, "ends_at");
		json_t *o = json_pack("{s:O, s:O, s:O?, s:O, s:O, s:O?, s:o}", "id", json_object_get(s, "id"),
				      "title", json_object_get(s, "title"), "text_lang",
				      json_object_get(s, "text_lang"), "starts_at",
				      json_object_get(s, "starts_at"), "ends_at",
				      json_object_get(s, "ends_at"), "room", json_object_get(s, "room"),
				      "roles", roles);
		json_object_set_new(o, "url", json_sprintf("/events/%s/sessions/%lld", web_str(ev, "slug"),
							   (long long)json_integer_value(
								   json_object_get(s, "id"))));
		if (start && end && strlen(start) >= 16 && strlen(end) >= 16) {
			web_set_str(o, "day_label",
				    fmt_date(&req->pool, req->lang, arena_printf(&req->pool, "%.10s", start),
					     FMT_LONG));
			json_object_set_new(o, "start_time", json_sprintf("%.5s", start + 11));
			json_object_set_new(o, "end_time", json_sprintf("%.5s", end + 11));
		}
		json_array_append_new(sessions, o);
	}
	if (!p || !json_array_size(sessions))
		return http_fail(res, HM_ENOTFOUND, "There is no such person.");
	json_t *m = json_pack("{s:{s:O, s:O}, s:{s:O, s:O, s:O, s:O, s:O, s:O}, s:O}", "event", "slug",
			      json_object_get(ev, "slug"), "title", json_object_get(ev, "title"),
			      "person", "id", json_object_get(p, "id"), "name",
			      json_object_get(p, "name"), "title", json_object_get(p, "title"),
			      "organisation", json_object_get(p, "organisation"), "bio",
			      json_object_get(p, "bio"), "photo", json_object_get(p, "photo"),
			      "sessions", sessions);
	prog_person_photo(json_object_get(m, "person"));
	if (web_principal(req)->account_id == 0 && web_principal(req)->via == AUTH_VIA_NONE)
		res->cacheable = 1;
	else
		web_private(req, res);
	http_res_page(res, m, "pages/person", web_str(p, "name"));
	return HM_OK;
}

const struct route prog_people_routes[] = {
	{GET, "/events/{slug}/people/{id}", page_person, 0},
	{GET, "/admin/events/{slug}/people", page_people, WEB_PRIVATE},
	{POST, "/admin/events/{slug}/people", post_person, WEB_PRIVATE | WEB_CSRF},
	{GET, "/admin/events/{slug}/people/{id}/edit", page_person_edit, WEB_PRIVATE},
	{POST, "/admin/events/{slug}/people/{id}", post_person, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/people/{id}/delete", post_person_delete, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/sessions/{id}/people", post_session_people, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/sessions/{id}/people/remove", post_session_people, WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/events/{slug}/people", api_people, WEB_JSON | WEB_PRIVATE},
	{POST, "/api/v1/events/{slug}/people", post_person, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/events/{slug}/people/{id}", api_person, WEB_JSON | WEB_PRIVATE},
	{PATCH, "/api/v1/events/{slug}/people/{id}", post_person, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/events/{slug}/people/{id}", post_person_delete,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	WEB_ROUTES_END,
};
