/*
 * organisation.c — organisations: their reads for organisers (with every
 * event they take part in), the kind table that says how one is edited,
 * stored, audited and deleted (organisations are shared by events, hence
 * admin_org_may_edit), and their admin pages (/admin/organisations…, with
 * logos) and JSON API (/api/v1/organisations…).
 */
#include "db/db.h"
#include "site/translations.h"
#include "features/events/events.h"
#include "features/events/events_internal.h"
#include "features/events/events_web.h"
#include "core/text.h"
#include "media/media.h"
#include "view/format_extra.h"
#include <string.h>
json_t *admin_org_list(struct db *db)
{
	return admin_rows(db, ASQL_ORG_LIST);
}

json_t *admin_org_get(struct db *db, const char *slug)
{
	json_t *o = events_one_with(db, admin_sql[ASQL_ORG_ONE], slug, "events",
				    admin_sql[ASQL_ORG_EVENTS]);
	if (!o)
		return NULL;
	int64_t id = json_integer_value(json_object_get(o, "id"));
	struct db_stmt *st = admin_prep(db, ASQL_ORG_RUNS_SERIES);
	if (st)
		db_bind_int(st, 1, id);
	json_t *series = db_rows_json(st);
	json_object_set_new(o, "series", series ? series : json_array());
	int64_t creator = 0;
	if ((st = admin_prep(db, ASQL_ORG_CREATOR))) {
		db_bind_int(st, 1, id);
		if (db_step(st) == 1)
			creator = db_col_int(st, 0);
		db_done(st);
	}
	json_object_set_new(o, "created_by", creator ? json_integer(creator) : json_null());
	return o;
}

/* The organisation's fields as stored, for audit entries and answers. */
static json_t *org_snapshot(struct db *db, const char *slug)
{
	json_t *o = admin_org_get(db, slug);
	if (o) {
		json_object_del(o, "events");
		json_object_del(o, "series");
		json_object_del(o, "created_by");
	}
	return o;
}

static enum hm_err org_write(struct db *db, const json_t *m, int64_t ref, int64_t id,
			     const char *ts, int64_t *id_out)
{
	(void)ref; /* an organisation refers to nothing */
	struct db_stmt *st = admin_prep(db, id ? ASQL_ORG_UPDATE : ASQL_ORG_INSERT);
	if (!st)
		return HM_EDB;
	int k = 1;
	db_bind_text(st, k++, admin_sval(m, "slug"));
	db_bind_text(st, k++, admin_sval(m, "name"));
	admin_bind_opt(st, k++, m, "acronym");
	db_bind_text(st, k++, admin_sval(m, "kind"));
	admin_bind_opt(st, k++, m, "country");
	admin_bind_opt(st, k++, m, "website");
	admin_bind_text0(st, k++, m, "description");
	admin_bind_opt(st, k++, m, "logo");
	if (!id)
		db_bind_text(st, k++, ts);
	db_bind_text(st, k++, ts);
	if (id)
		db_bind_int(st, k++, id);
	enum hm_err e = db_run(st);
	if (e == HM_OK)
		*id_out = id ? id : db_last_insert_id(db);
	return e;
}

static int org_may_edit(struct db *db, const struct principal *p, const json_t *before)
{
	json_t *full = admin_org_get(db, json_string_value(json_object_get(before, "slug")));
	int may = full && admin_org_may_edit(p, full);
	json_decref(full);
	return may;
}

/* Organisers add partners to their events, so they may create one. */
static int org_may_create(const struct principal *p)
{
	return auth_is_staff(p) && !p->read_only;
}

static json_t *org_defaults(void)
{
	return json_pack("{s:s}", "kind", "other");
}

static const char *org_action(const json_t *before, const json_t *after)
{
	(void)after;
	return before ? "organisation.update" : "organisation.create";
}

/* Deleting one never takes it off an event or a series silently. */
static const struct kind_keep_rule org_keep[] = {
	{ADMIN_KEEP_ORG_EVENTS, NULL, SQL_ORG_EVENT_COUNT,
	 NN_("This organisation is listed on %lld event: remove it from the event first.",
	     "This organisation is listed on %lld events: remove it from them first.")},
	{ADMIN_KEEP_ORG_SERIES, NULL, SQL_ORG_SERIES_COUNT,
	 NN_("This organisation runs %lld series: choose another organiser for it first.",
	     "This organisation runs %lld series: choose another organiser for them first.")},
	{0, NULL, NULL, NULL, NULL},
};

/* What a deletion keeps in the trash: the row (the keep rules let only an
 * organisation nothing names be deleted). */
static const char *const trash_org_cols[] = {"id", "slug", "name", "acronym", "kind",
					     "country", "url", "description", "logo",
					     "created_at", "updated_at", "lang", NULL};
static const struct kind_part org_trash[] = {
	{"organisation",
	 "SELECT id, slug, name, acronym, kind, country, url, description, logo, created_at, "
	 "updated_at, lang FROM organisation WHERE id = ?",
	 "INSERT INTO organisation (id, slug, name, acronym, kind, country, url, description, logo, "
	 "created_at, updated_at, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	 trash_org_cols, "id"},
	TR_TRASH_PART("organisation"),
	{NULL, NULL, NULL, NULL, NULL},
};

/* ================================================================ the web */
static const struct field org_fields[] = {
	{.name = "name", .kind = FIELD_TEXT, .required = 1, .max_len = 200, .label = N_("Name")},
	{.name = "acronym", .kind = FIELD_TEXT, .max_len = 40, .label = N_("Acronym")},
	{.name = "slug", .kind = FIELD_SLUG, .max_len = SLUG_MAX, .label = N_("Address")},
	{.name = "kind", .kind = FIELD_CHOICE, .choices = admin_org_kinds, .label = N_("Kind")},
	{.name = "country", .kind = FIELD_COUNTRY, .max_len = 2, .label = N_("Country")},
	{.name = "website", .kind = FIELD_URL, .max_len = 1000, .label = N_("Website")},
	{.name = "description", .kind = FIELD_MULTILINE, .max_len = 20000, .label = N_("Description")},
	{.name = "logo", .kind = FIELD_TEXT, .max_len = MEDIA_NAME_SIZE, .label = N_("Logo")},
	{.name = "logo_file", .kind = FIELD_FILE, .label = N_("Logo")},
	{.name = "remove_logo", .kind = FIELD_BOOL, .label = N_("Remove the logo")},
};

static const char *const org_legends[] = {N_("The organisation")};
static const struct adm_widget org_widgets[] = {
	{"name", N_("Name"), N_("The full name, such as United Nations Alliance of Civilizations."), W_INPUT,
	 "text", 0},
	{"acronym", N_("Acronym"), N_("Such as UNAOC."), W_INPUT, "text", 0},
	{"slug", N_("Address"), N_("Lower-case letters, digits and hyphens; made from the name when left empty."),
	 W_INPUT, "text", 0},
	{"kind", N_("Kind"), NULL, W_SELECT, NULL, 0},
	{"country", N_("Country"), N_("None for international bodies."), W_SELECT, NULL, 0},
	{"website", N_("Website"), N_("Starting with https://."), W_INPUT, "url", 0},
	{"description", N_("Description"), NULL, W_TEXTAREA, NULL, 0},
	{"logo_file", N_("Logo"), N_("A JPEG, PNG or WebP image of at most 8 MB; it replaces the present one."),
	 W_FILE, NULL, 0},
};

/* Adds logo_url and logo_thumb_url to an organisation with a logo. */
static void org_logo_urls(json_t *o)
{
	const char *logo = web_str(o, "logo");
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
static void org_logo_input(struct http_req *req, struct adm_input *in)
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
	const struct principal *p = web_principal(req);
	json_t *orgs = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	orgs = admin_org_list(req->db);
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		int may = auth_is_admin(p);
		if (!may) {
			json_t *full = admin_org_get(req->db, web_str(o, "slug"));
			may = full && admin_org_may_edit(p, full);
			json_decref(full);
		}
		json_object_set_new(o, "may_edit", json_boolean(may));
		web_set_str(o, "kind_label", adm_label(req, web_str(o, "kind")));
		web_set_str(o, "country_name",
			    fmt_country(&req->pool, req->lang, web_str(o, "country")));
	}
	db_rollback(req->db);
	json_t *m = json_pack("{s:o}", "organisations", orgs);
	return adm_page(req, res, m, "admin/organisations", web_t(req, "Organisations"),
			"organisations");
}

static enum hm_err org_form_page(struct http_req *req, struct http_res *res, json_t *org,
				 json_t *fj)
{
	json_t *options = json_pack("{s:o, s:o}", "kind", adm_options(req, admin_org_kinds),
				    "country", adm_country_options(req));
	json_t *m = json_object();
	json_object_set_new(m, "fieldsets",
			    adm_fieldsets(req, org_legends, HM_ARRAY_LEN(org_legends), org_widgets,
					  HM_ARRAY_LEN(org_widgets), org_fields,
					  HM_ARRAY_LEN(org_fields), fj, options));
	json_decref(options);
	json_object_set_new(m, "form", fj);
	json_object_set_new(m, "is_new", json_boolean(!org));
	const char *logo = web_str(json_object_get(fj, "values"), "logo");
	if (logo && media_name_is_original(logo)) {
		json_t *l = json_pack("{s:s}", "logo", logo);
		org_logo_urls(l);
		json_object_set_new(m, "current_logo", l);
	}
	if (org) {
		size_t i;
		json_t *ev;
		json_array_foreach(json_object_get(org, "events"), i, ev) {
			adm_decorate_status(req, ev);
			web_set_str(ev, "role_label", adm_label(req, web_str(ev, "role")));
		}
		json_object_set_new(m, "action",
				    json_sprintf("/admin/organisations/%s", web_str(org, "slug")));
		json_object_set_new(m, "public_url",
				    json_sprintf("/organisations/%s", web_str(org, "slug")));
		json_object_set_new(m, "organisation", org);
	} else {
		json_object_set_new(m, "action", json_string("/admin/organisations"));
	}
	return adm_page(req, res, m, "admin/organisations_form",
			org ? web_t(req, "Edit organisation") : web_t(req, "New organisation"),
			"organisations");
}

static enum hm_err page_org_new(struct http_req *req, struct http_res *res)
{
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
	enum hm_err e = adm_gate_staff(req, res);
	if (e != HM_OK)
		return e;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	o = admin_org_get(req->db, http_param(req, "slug"));
	db_rollback(req->db);
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

/* The organisation as the API shows it: no counts that include drafts,
 * only the events p may see, the URLs of its logo. */
static void org_public(struct http_req *req, json_t *o)
{
	const struct principal *p = web_principal(req);
	json_object_del(o, "event_count");
	/* What decides who may edit it, not what it is. */
	json_object_del(o, "series");
	json_object_del(o, "created_by");
	json_t *events = json_object_get(o, "events");
	if (events) {
		json_t *keep = json_array();
		size_t i;
		json_t *ev;
		json_array_foreach(events, i, ev)
			if (admin_event_visible(p, ev))
				json_array_append(keep, ev);
		json_object_set_new(o, "events", keep);
	}
	org_logo_urls(o);
}

static const char *org_public_url(struct http_req *req, const json_t *t)
{
	return arena_printf(&req->pool, "/organisations/%s", web_str(t, "slug"));
}

static const struct translatable org_tr = {
	.fields = orgs_tr_fields,
	.lang_sql = "SELECT lang FROM organisation WHERE id = ?",
	.set_lang_sql = "UPDATE organisation SET lang = ? WHERE id = ?",
	.public_url = org_public_url,
};

const struct kind org_kind = {
	.tr = &org_tr,
	.key = "organisations",
	.missing = N_("There is no such organisation."),
	.admin_path = "/admin/organisations",
	.api_path = "/api/v1/organisations",
	.done_created = "saved",
	.fields = org_fields,
	.nfields = HM_ARRAY_LEN(org_fields),
	.list = admin_org_list,
	.get = admin_org_get,
	.api_item = org_public,
	.for_edit = org_for_edit,
	.input_extra = org_logo_input,
	.form_page = org_form_page,
	.entity = "organisation",
	.merge = org_merge,
	.slug_taken_sql = SQL_ORG_SLUG_TAKEN,
	.slug_from = "name",
	.slug_taken_msg = N_("Another organisation already has this address."),
	.address = kind_address_slug,
	.key_by_id_sql = "SELECT slug FROM organisation WHERE id = ?",
	.snapshot = org_snapshot,
	.may_edit = org_may_edit,
	.may_create = org_may_create,
	.defaults = org_defaults,
	.check = admin_org_check,
	.write = org_write,
	.action = org_action,
	.delete_sql = SQL_ORG_DELETE,
	.delete_action = "organisation.delete",
	.keep = org_keep,
	.trash = org_trash,
	.media_field = "logo",
	.name_field = "name",
	.public_path = "/organisations",
};

const struct route org_admin_routes[] = {
	{GET, "/admin/organisations", page_orgs_list, WEB_STAFF},
	{POST, "/admin/organisations", adm_h_save, WEB_STAFF | WEB_CSRF, &org_kind},
	{GET, "/admin/organisations/new", page_org_new, WEB_STAFF},
	{GET, "/admin/organisations/{slug}/edit", adm_h_edit, WEB_PRIVATE, &org_kind},
	{POST, "/admin/organisations/{slug}", adm_h_save, WEB_PRIVATE | WEB_CSRF, &org_kind},
	{POST, "/admin/organisations/{slug}/delete", adm_h_delete, WEB_PRIVATE | WEB_CSRF, &org_kind},
	{GET, "/api/v1/organisations", adm_h_api_list, WEB_JSON, &org_kind},
	{POST, "/api/v1/organisations", adm_h_save, WEB_JSON | WEB_STAFF | WEB_CSRF, &org_kind},
	{GET, "/api/v1/organisations/{slug}", adm_h_api_get, WEB_JSON, &org_kind},
	{PATCH, "/api/v1/organisations/{slug}", adm_h_save, WEB_JSON | WEB_PRIVATE | WEB_CSRF, &org_kind},
	{DELETE, "/api/v1/organisations/{slug}", adm_h_delete, WEB_JSON | WEB_PRIVATE | WEB_CSRF, &org_kind},
	TR_ROUTES("/admin/organisations", "/api/v1/organisations", "{slug}", &org_kind),
	WEB_ROUTES_END,
};
