/*
 * series.c — series: their reads for organisers (every status), the kind
 * table that says how a series is edited, stored, audited and deleted,
 * and its admin pages (/admin/series…) and JSON API (/api/v1/series…),
 * served by the site's kind handlers.
 */
#include "db/db.h"
#include "site/translations.h"
#include "features/events/events.h"
#include "features/events/events_internal.h"
#include "features/events/events_web.h"
#include "core/text.h"
json_t *admin_series_list(struct db *db)
{
	return admin_rows(db, ASQL_SERIES_LIST);
}

json_t *admin_series_get(struct db *db, const char *slug)
{
	return events_one_with(db, admin_sql[ASQL_SERIES_ONE], slug, "events",
			       admin_sql[ASQL_SERIES_EVENTS]);
}

/* The series' fields as stored, for audit entries and answers: what
 * admin_series_get gives without its events. */
static json_t *series_snapshot(struct db *db, const char *slug)
{
	json_t *s = admin_series_get(db, slug);
	if (s) {
		json_object_del(s, "events");
		json_object_del(s, "event_count");
	}
	return s;
}

static int series_may_edit(struct db *db, const struct principal *p, const json_t *before)
{
	struct auth_scope sc;
	(void)db;
	admin_series_scope(before, &sc);
	return auth_can(p, AUTH_SERIES_EDIT, &sc);
}

static int series_may_create(const struct principal *p)
{
	return auth_can(p, AUTH_SERIES_CREATE, NULL);
}

static json_t *series_defaults(void)
{
	return json_pack("{s:s}", "status", "draft");
}

/* The organisation that runs the series: its id (0: none) in *ref; an
 * error beside the field when there is no such organisation. */
static enum hm_err series_resolve(struct db *db, const struct principal *p, const json_t *before,
				  const json_t *m, int64_t *ref, struct field_errors *errs)
{
	const char *slug = admin_nonempty(m, "organisation");
	(void)p;
	(void)before;
	*ref = 0;
	if (!slug)
		return HM_OK;
	int64_t id = admin_id_by_slug(db, ASQL_ORG_ID, slug);
	if (id < 0)
		return HM_EDB;
	if (id == 0)
		field_error_add(errs, "organisation",
				"There is no organisation with this address.");
	*ref = id;
	return HM_OK;
}

/* Writes m (merged and checked) as series id (0: a new one). */
static enum hm_err series_write(struct db *db, const json_t *m, int64_t org_id, int64_t id,
				const char *ts, int64_t *id_out)
{
	struct db_stmt *st = admin_prep(db, id ? ASQL_SERIES_UPDATE : ASQL_SERIES_INSERT);
	if (!st)
		return HM_EDB;
	int k = 1;
	db_bind_text(st, k++, admin_sval(m, "slug"));
	db_bind_text(st, k++, admin_sval(m, "title"));
	admin_bind_text0(st, k++, m, "summary");
	if (org_id)
		db_bind_int(st, k++, org_id);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, admin_sval(m, "status"));
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

static const char *series_action(const json_t *before, const json_t *after)
{
	const char *was = admin_sval(before, "status"), *now = admin_sval(after, "status");
	if (!before)
		return "series.create";
	if (str_eq(was, now))
		return "series.update";
	return str_eq(now, "published") ? "series.publish" : "series.unpublish";
}

/* Only a draft series without events is deleted. */
static const struct kind_keep_rule series_keep[] = {
	{ADMIN_KEEP_SERIES_PUBLISHED, "published", NULL,
	 N_("Published series cannot be deleted."),
	 NULL},
	{ADMIN_KEEP_SERIES_EVENTS, NULL, SQL_SERIES_EVENT_COUNT,
	 NN_("This series holds %lld event: move it to another series or delete it first.",
	     "This series holds %lld events: move them to another series or delete them first.")},
	{0, NULL, NULL, NULL, NULL},
};

/* What a deletion keeps in the trash: the row (its organiser, unless
 * deleted since) and its organisers' grants. */
static const char *const trash_series_cols[] = {"id", "slug", "title", "summary",
						"organiser_id", "status", "created_at",
						"updated_at", "lang", NULL};
/* The organisers' grants, back for the accounts that are still there. */
#define TRASH_GRANTS_INSERT                                                                 \
	"INSERT INTO account_role (account_id, role, event_id, series_id, created_at) "      \
	"SELECT a.id, CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS INTEGER), "              \
	"CAST(? AS TEXT) FROM account a WHERE a.id = ?"
static const char *const trash_grant_cols[] = {"role", "event_id", "series_id", "created_at",
					       "account_id", NULL};
static const struct kind_part series_trash[] = {
	{"series",
	 "SELECT id, slug, title, summary, organiser_id, status, created_at, updated_at, lang "
	 "FROM series WHERE id = ?",
	 "INSERT INTO series (id, slug, title, summary, organiser_id, status, created_at, "
	 "updated_at, lang) VALUES (?, ?, ?, ?, (SELECT id FROM organisation WHERE id = ?), ?, ?, ?, ?)",
	 trash_series_cols, "id"},
	{"account_role",
	 "SELECT account_id, role, event_id, series_id, created_at FROM account_role "
	 "WHERE series_id = ?",
	 TRASH_GRANTS_INSERT, trash_grant_cols, "series_id"},
	TR_TRASH_PART("series"),
	{NULL, NULL, NULL, NULL, NULL},
};

/* ================================================================ the web */
static const struct field series_fields[] = {
	{.name = "title", .kind = FIELD_TEXT, .required = 1, .max_len = 200, .label = N_("Title")},
	{.name = "slug", .kind = FIELD_SLUG, .max_len = SLUG_MAX, .label = N_("Address")},
	{.name = "summary", .kind = FIELD_MULTILINE, .max_len = 2000, .label = N_("Summary")},
	{.name = "organisation", .kind = FIELD_TEXT, .max_len = SLUG_MAX, .label = N_("Organisation")},
	{.name = "status", .kind = FIELD_CHOICE, .choices = admin_series_statuses, .label = N_("Status")},
};

static const char *const series_legends[] = {N_("The series")};
static const struct adm_widget series_widgets[] = {
	{"title", N_("Title"), NULL, W_INPUT, "text", 0},
	{"slug", N_("Address"), N_("Lower-case letters, digits and hyphens; made from the title when left empty."),
	 W_INPUT, "text", 0},
	{"organisation", N_("Run by"), N_("The organisation that runs the series."), W_SELECT, NULL, 0},
	{"summary", N_("Summary"), N_("One paragraph, shown on the series page."), W_TEXTAREA, NULL, 0},
};

static enum hm_err page_series_list(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *m = json_object();
	if (web_read_begin(req) != HM_OK) {
		json_decref(m);
		return HM_EDB;
	}
	json_object_set_new(m, "series", adm_editable_series(req, p));
	db_rollback(req->db);
	json_object_set_new(m, "may_create_series",
			    json_boolean(auth_can(p, AUTH_SERIES_CREATE, NULL)));
	return adm_page(req, res, m, "admin/series", web_t(req, "Series"), "series");
}

static enum hm_err series_form_page(struct http_req *req, struct http_res *res, json_t *s,
				    json_t *fj)
{
	json_t *options = json_object();
	if (web_read_begin(req) != HM_OK) {
		json_decref(options);
		json_decref(s);
		json_decref(fj);
		return HM_EDB;
	}
	json_object_set_new(options, "organisation", adm_org_options(req, "— None —"));
	db_rollback(req->db);
	json_t *m = json_object();
	json_object_set_new(m, "fieldsets",
			    adm_fieldsets(req, series_legends, HM_ARRAY_LEN(series_legends),
					  series_widgets, HM_ARRAY_LEN(series_widgets),
					  series_fields, HM_ARRAY_LEN(series_fields), fj, options));
	json_decref(options);
	json_object_set_new(m, "form", fj);
	json_object_set_new(m, "is_new", json_boolean(!s));
	if (s) {
		size_t i;
		json_t *ev;
		adm_decorate_status(req, s);
		json_array_foreach(json_object_get(s, "events"), i, ev)
			adm_decorate_status(req, ev);
		const char *slug = web_str(s, "slug");
		json_object_set_new(m, "action", json_sprintf("/admin/series/%s", slug));
		json_object_set_new(m, "public_url", json_sprintf("/series/%s", slug));
		json_object_set_new(m, "series", s);
	} else {
		json_object_set_new(m, "action", json_string("/admin/series"));
	}
	return adm_page(req, res, m, "admin/series_form",
			s ? web_t(req, "Edit series") : web_t(req, "New series"), "series");
}

static enum hm_err may_create_series(struct http_req *req, struct http_res *res)
{
	return web_require(req, res, AUTH_SERIES_CREATE, NULL);
}

static enum hm_err page_series_new(struct http_req *req, struct http_res *res)
{
	enum hm_err e = may_create_series(req, res);
	if (e != HM_OK)
		return e;
	return series_form_page(req, res, NULL, adm_empty_form());
}

/* The series as the API shows it: no counts that include drafts, only
 * the events p may see. */
static void series_public(struct http_req *req, json_t *s)
{
	const struct principal *p = web_principal(req);
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

static const char *series_public_url(struct http_req *req, const json_t *t)
{
	if (!str_eq(web_str(t, "status"), "published"))
		return NULL;
	return arena_printf(&req->pool, "/series/%s", web_str(t, "slug"));
}

static const struct translatable series_tr = {
	.fields = series_tr_fields,
	.lang_sql = "SELECT lang FROM series WHERE id = ?",
	.set_lang_sql = "UPDATE series SET lang = ? WHERE id = ?",
	.public_url = series_public_url,
};

const struct kind series_kind = {
	.tr = &series_tr,
	.key = "series",
	.missing = N_("There is no such series."),
	.admin_path = "/admin/series",
	.api_path = "/api/v1/series",
	.done_created = "created",
	.fields = series_fields,
	.nfields = HM_ARRAY_LEN(series_fields),
	.edit_action = AUTH_SERIES_EDIT,
	.list = admin_series_list,
	.get = admin_series_get,
	.visible = admin_series_visible,
	.scope = admin_series_scope,
	.api_item = series_public,
	.may_create_web = may_create_series,
	.form_page = series_form_page,
	.entity = "series",
	.merge = series_merge,
	.statuses = admin_series_statuses,
	.slug_taken_sql = SQL_SERIES_SLUG_TAKEN,
	.slug_from = "title",
	.slug_taken_msg = N_("Another series already has this address."),
	.address = kind_address_slug,
	.key_by_id_sql = "SELECT slug FROM series WHERE id = ?",
	.snapshot = series_snapshot,
	.may_edit = series_may_edit,
	.may_create = series_may_create,
	.defaults = series_defaults,
	.check = admin_series_check,
	.resolve = series_resolve,
	.write = series_write,
	.action = series_action,
	.delete_sql = SQL_SERIES_DELETE,
	.delete_action = "series.delete",
	.keep = series_keep,
	.gone_key = "organisers",
	.gone_sql = SQL_SERIES_GRANTS,
	.trash = series_trash,
	.name_field = "title",
	.public_path = "/series",
};

const struct route series_admin_routes[] = {
	{GET, "/admin/series", page_series_list, WEB_STAFF},
	{POST, "/admin/series", adm_h_save, WEB_STAFF | WEB_CSRF, &series_kind},
	{GET, "/admin/series/new", page_series_new, WEB_STAFF},
	{GET, "/admin/series/{slug}/edit", adm_h_edit, WEB_PRIVATE, &series_kind},
	{POST, "/admin/series/{slug}", adm_h_save, WEB_PRIVATE | WEB_CSRF, &series_kind},
	{POST, "/admin/series/{slug}/publish", adm_h_publish, WEB_PRIVATE | WEB_CSRF, &series_kind},
	{POST, "/admin/series/{slug}/unpublish", adm_h_unpublish, WEB_PRIVATE | WEB_CSRF, &series_kind},
	{POST, "/admin/series/{slug}/delete", adm_h_delete, WEB_PRIVATE | WEB_CSRF, &series_kind},
	{GET, "/api/v1/series", adm_h_api_list, WEB_JSON, &series_kind},
	{POST, "/api/v1/series", adm_h_save, WEB_JSON | WEB_STAFF | WEB_CSRF, &series_kind},
	{GET, "/api/v1/series/{slug}", adm_h_api_get, WEB_JSON, &series_kind},
	{PATCH, "/api/v1/series/{slug}", adm_h_save, WEB_JSON | WEB_PRIVATE | WEB_CSRF, &series_kind},
	{DELETE, "/api/v1/series/{slug}", adm_h_delete, WEB_JSON | WEB_PRIVATE | WEB_CSRF, &series_kind},
	TR_ROUTES("/admin/series", "/api/v1/series", "{slug}", &series_kind),
	WEB_ROUTES_END,
};
