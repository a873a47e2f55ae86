/*
 * admin_series.c — the admin pages of series (/admin/series…) and their
 * JSON API (/api/v1/series…): the list, the form, publishing, deleting.
 * Rules and rights are events_admin's; the handlers are admin.c's, told
 * about series by series_kind.
 */
#include "site/feature.h"
#include "features/events/events_web.h"

#include "core/text.h"
#include "db/db.h"

static const struct field series_fields[] = {
	{.name = "title", .kind = FIELD_TEXT, .required = 1, .max_len = 200, .label = "Title"},
	{.name = "slug", .kind = FIELD_SLUG, .max_len = SLUG_MAX, .label = "Address"},
	{.name = "summary", .kind = FIELD_MULTILINE, .max_len = 2000, .label = "Summary"},
	{.name = "organisation", .kind = FIELD_TEXT, .max_len = SLUG_MAX, .label = "Organisation"},
	{.name = "status", .kind = FIELD_CHOICE, .choices = admin_series_statuses, .label = "Status"},
};

static const char *const series_legends[] = {"The series"};
static const struct adm_widget series_widgets[] = {
	{"title", "Title", NULL, W_INPUT, "text", 0},
	{"slug", "Address", "Lower-case letters, digits and hyphens; made from the title when left empty.",
	 W_INPUT, "text", 0},
	{"organisation", "Run by", "The organisation that runs the series.", W_SELECT, NULL, 0},
	{"summary", "Summary", "One paragraph, shown on the series page.", W_TEXTAREA, NULL, 0},
};

static enum hm_err page_series_list(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *m = json_object();
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
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
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
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

static const struct adm_kind series_kind = {
	.key = "series",
	.missing = "There is no such series.",
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
	.may_create = may_create_series,
	.create = admin_series_create,
	.update = admin_series_update,
	.set_status = admin_series_set_status,
	.keep = admin_series_keep,
	.remove = admin_series_delete,
	.form_page = series_form_page,
};

static enum hm_err page_series_edit(struct http_req *req, struct http_res *res)
{
	return adm_edit_page(req, res, &series_kind);
}

static enum hm_err post_series_save(struct http_req *req, struct http_res *res)
{
	return adm_save(req, res, &series_kind);
}

static enum hm_err post_series_publish(struct http_req *req, struct http_res *res)
{
	return adm_set_status(req, res, &series_kind, "published", "published");
}

static enum hm_err post_series_unpublish(struct http_req *req, struct http_res *res)
{
	return adm_set_status(req, res, &series_kind, "draft", "unpublished");
}

static enum hm_err post_series_delete(struct http_req *req, struct http_res *res)
{
	return adm_delete(req, res, &series_kind);
}

static enum hm_err api_series_list(struct http_req *req, struct http_res *res)
{
	return adm_api_list(req, res, &series_kind);
}

static enum hm_err api_series_get(struct http_req *req, struct http_res *res)
{
	return adm_api_get(req, res, &series_kind, NULL);
}


#define GET HTTP_M(HTTP_GET)
#define POST HTTP_M(HTTP_POST)
#define PATCH HTTP_M(HTTP_PATCH)
#define DELETE HTTP_M(HTTP_DELETE)

const struct route series_admin_routes[] = {
	{GET, "/admin/series", page_series_list, WEB_STAFF},
	{POST, "/admin/series", post_series_save, WEB_STAFF | WEB_CSRF},
	{GET, "/admin/series/new", page_series_new, WEB_STAFF},
	{GET, "/admin/series/{slug}/edit", page_series_edit, WEB_PRIVATE},
	{POST, "/admin/series/{slug}", post_series_save, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/series/{slug}/publish", post_series_publish, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/series/{slug}/unpublish", post_series_unpublish, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/series/{slug}/delete", post_series_delete, WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/series", api_series_list, WEB_JSON},
	{POST, "/api/v1/series", post_series_save, WEB_JSON | WEB_STAFF | WEB_CSRF},
	{GET, "/api/v1/series/{slug}", api_series_get, WEB_JSON},
	{PATCH, "/api/v1/series/{slug}", post_series_save, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/series/{slug}", post_series_delete, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	WEB_ROUTES_END,
};
