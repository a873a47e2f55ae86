/*
 * admin_events.c — the admin home (/admin) and the admin pages of events
 * (/admin/events…): the list with its status filters, the form with its
 * tabs, publishing, cancelling and deleting; and their JSON API
 * (/api/v1/events…).
 * Rules and rights are events_admin's; the handlers are admin.c's, told
 * about events by adm_event_kind.
 */
#include "site/feature.h"
#include "features/events/events_web.h"

#include "core/text.h"
#include "db/db.h"

#include <string.h>

/* ============================================================== dashboard */

static enum hm_err page_dashboard(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *m = json_object();
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_object_set_new(m, "events", adm_editable_events(req, p));
	json_object_set_new(m, "series", adm_editable_series(req, p));
	db_rollback(req->db);
	json_t *events = json_object_get(m, "events");
	json_object_set_new(m, "counts",
			    json_pack("{s:i, s:i, s:i, s:i}", "events",
				      (int)json_array_size(events), "drafts",
				      adm_count_status(events, "draft"), "published",
				      adm_count_status(events, "published"), "cancelled",
				      adm_count_status(events, "cancelled")));
	json_object_set_new(m, "may_create_event", json_boolean(admin_may_create_event(p)));
	json_object_set_new(m, "may_create_series",
			    json_boolean(auth_can(p, AUTH_SERIES_CREATE, NULL)));
	json_object_set_new(m, "is_admin", json_boolean(auth_is_admin(p)));
	return adm_page(req, res, m, "admin/dashboard", web_t(req, "Administration"),
			"dashboard");
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
static const struct adm_widget event_widgets[] = {
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
		if (!auth_can(p, AUTH_EVENT_CREATE, &sc) && !str_eq(cur, web_str(s, "slug")))
			continue;
		json_array_append_new(opts, json_pack("{s:s, s:s}", "value", web_str(s, "slug"),
						      "label", web_str(s, "title")));
	}
	json_decref(all);
	return opts;
}

/* The tabs over an event's admin pages. */
json_t *adm_event_tabs(struct http_req *req, const json_t *ev, const char *current)
{
	struct auth_scope sc;
	admin_event_scope(ev, &sc);
	const char *slug = web_str(ev, "slug");
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
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_object_set_new(options, "series", series_options(req, p, ev != NULL,
							      web_str(ev, "series")));
	db_rollback(req->db);
	json_object_set_new(options, "kind", adm_options(req, admin_event_kinds));
	json_object_set_new(options, "date_precision", adm_options(req, admin_date_precisions));
	json_object_set_new(options, "sectors", adm_options(req, admin_sectors));
	json_t *m = json_object();
	json_object_set_new(m, "fieldsets",
			    adm_fieldsets(req, event_legends, HM_ARRAY_LEN(event_legends),
					  event_widgets, HM_ARRAY_LEN(event_widgets), event_fields,
					  HM_ARRAY_LEN(event_fields), fj, options));
	json_decref(options);
	json_object_set_new(m, "form", fj);
	json_object_set_new(m, "is_new", json_boolean(!ev));
	if (ev) {
		const char *slug = web_str(ev, "slug");
		adm_decorate_status(req, ev);
		json_object_set_new(m, "tabs", adm_event_tabs(req, ev, "details"));
		json_object_set_new(m, "action", json_sprintf("/admin/events/%s", slug));
		json_object_set_new(m, "public_url", json_sprintf("/events/%s", slug));
		json_object_set_new(m, "event", ev);
	} else {
		json_object_set_new(m, "action", json_string("/admin/events"));
	}
	return adm_page(req, res, m, "admin/events_form",
			ev ? web_t(req, "Edit event") : web_t(req, "New event"), "events");
}

static enum hm_err page_events_list(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	const char *want = http_query(req, "status");
	if (want && !admin_in_list(admin_event_statuses, want))
		want = NULL;
	json_t *m = json_object(), *events = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	events = adm_editable_events(req, p);
	db_rollback(req->db);
	json_t *filters = json_array();
	json_array_append_new(filters, json_pack("{s:s, s:s, s:b, s:i}", "label", web_t(req, "All"),
						 "url", "/admin/events", "current", !want, "count",
						 (int)json_array_size(events)));
	for (const char *const *s = admin_event_statuses; *s; s++)
		json_array_append_new(
			filters, json_pack("{s:s, s:o, s:b, s:i}", "label", adm_label(req, *s), "url",
					   json_sprintf("/admin/events?status=%s", *s), "current",
					   str_eq(want, *s), "count", adm_count_status(events, *s)));
	if (want) {
		json_t *keep = json_array();
		size_t i;
		json_t *ev;
		json_array_foreach(events, i, ev)
			if (str_eq(web_str(ev, "status"), want))
				json_array_append(keep, ev);
		json_decref(events);
		events = keep;
	}
	json_object_set_new(m, "events", events);
	json_object_set_new(m, "filters", filters);
	json_object_set_new(m, "may_create_event", json_boolean(admin_may_create_event(p)));
	return adm_page(req, res, m, "admin/events", web_t(req, "Events"), "events");
}

static enum hm_err page_event_new(struct http_req *req, struct http_res *res)
{
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

/* The event as the API shows it: its series only when p may see it. */
static void event_public(const struct principal *p, json_t *ev)
{
	json_t *series = json_pack("{s:I, s:s?}", "id",
				   json_integer_value(json_object_get(ev, "series_id")), "status",
				   web_str(ev, "series_status"));
	if (!json_object_get(ev, "series") || json_is_null(json_object_get(ev, "series")) ||
	    !admin_series_visible(p, series)) {
		json_object_set_new(ev, "series", json_null());
		json_object_set_new(ev, "series_title", json_null());
		json_object_set_new(ev, "series_id", json_null());
	}
	json_object_del(ev, "series_status");
	json_decref(series);
}

const struct adm_kind adm_event_kind = {
	.key = "events",
	.missing = "There is no such event.",
	.admin_path = "/admin/events",
	.api_path = "/api/v1/events",
	.done_created = "created",
	.fields = event_fields,
	.nfields = HM_ARRAY_LEN(event_fields),
	.edit_action = AUTH_EVENT_EDIT,
	.list = admin_event_list,
	.get = admin_event_get,
	.visible = admin_event_visible,
	.scope = admin_event_scope,
	.api_item = event_public,
	.create = admin_event_create,
	.update = admin_event_update,
	.set_status = admin_event_set_status,
	.keep = admin_event_keep,
	.remove = admin_event_delete,
	.form_page = event_form_page,
};

enum hm_err adm_event_for_edit(struct http_req *req, struct http_res *res, json_t **out)
{
	return adm_for_edit(req, res, &adm_event_kind, out);
}

static enum hm_err page_event_edit(struct http_req *req, struct http_res *res)
{
	return adm_edit_page(req, res, &adm_event_kind);
}

static enum hm_err post_event_save(struct http_req *req, struct http_res *res)
{
	return adm_save(req, res, &adm_event_kind);
}

static enum hm_err post_event_publish(struct http_req *req, struct http_res *res)
{
	return adm_set_status(req, res, &adm_event_kind, "published", "published");
}

static enum hm_err post_event_unpublish(struct http_req *req, struct http_res *res)
{
	return adm_set_status(req, res, &adm_event_kind, "draft", "unpublished");
}

static enum hm_err post_event_cancel(struct http_req *req, struct http_res *res)
{
	return adm_set_status(req, res, &adm_event_kind, "cancelled", "cancelled");
}

static enum hm_err post_event_delete(struct http_req *req, struct http_res *res)
{
	return adm_delete(req, res, &adm_event_kind);
}

static enum hm_err api_events_list(struct http_req *req, struct http_res *res)
{
	return adm_api_list(req, res, &adm_event_kind);
}

static enum hm_err api_event_get(struct http_req *req, struct http_res *res)
{
	return adm_api_get(req, res, &adm_event_kind, NULL);
}


#define GET HTTP_M(HTTP_GET)
#define POST HTTP_M(HTTP_POST)
#define PATCH HTTP_M(HTTP_PATCH)
#define DELETE HTTP_M(HTTP_DELETE)

const struct route event_admin_routes[] = {
	{GET, "/admin", page_dashboard, WEB_STAFF},
	{GET, "/admin/events", page_events_list, WEB_STAFF},
	{POST, "/admin/events", post_event_save, WEB_STAFF | WEB_CSRF},
	{GET, "/admin/events/new", page_event_new, WEB_STAFF},
	{GET, "/admin/events/{slug}/edit", page_event_edit, WEB_PRIVATE},
	{POST, "/admin/events/{slug}", post_event_save, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/publish", post_event_publish, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/unpublish", post_event_unpublish, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/cancel", post_event_cancel, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/delete", post_event_delete, WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/events", api_events_list, WEB_JSON},
	{POST, "/api/v1/events", post_event_save, WEB_JSON | WEB_STAFF | WEB_CSRF},
	{GET, "/api/v1/events/{slug}", api_event_get, WEB_JSON},
	{PATCH, "/api/v1/events/{slug}", post_event_save, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/events/{slug}", post_event_delete, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	WEB_ROUTES_END,
};
