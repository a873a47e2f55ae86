/*
 * event.c — events: their reads for organisers (every status, with
 * sectors and organisations), an event's organisers, the kind table that
 * says how an event is edited, stored, audited and deleted, the admin home
 * (/admin) and the admin pages of events (/admin/events…: the list with its
 * status filters, the form with its tabs, publishing, cancelling,
 * deleting) and their JSON API (/api/v1/events…).
 */
#include "db/db.h"
#include "site/translations.h"
#include "features/events/events.h"
#include <stdlib.h>
#include "features/events/events_internal.h"
#include "features/events/events_web.h"
#include "core/text.h"
#include "view/format_extra.h"
#include <string.h>
/* ================================================================= reads */

json_t *admin_event_list(struct db *db)
{
	return admin_rows(db, ASQL_EVENT_LIST);
}

json_t *admin_event_get(struct db *db, const char *slug)
{
	json_t *ev = events_one_with(db, admin_sql[ASQL_EVENT_ONE], slug, "organisations",
				     admin_sql[ASQL_EVENT_ORGS]);
	if (ev) {
		json_int_t id = json_integer_value(json_object_get(ev, "id"));
		json_object_set_new(ev, "sectors", events_sectors(db, id));
	}
	return ev;
}

json_t *admin_event_organisers(struct db *db, int64_t event_id, int64_t series_id)
{
	struct db_stmt *st = admin_prep(db, ASQL_ORGANISERS);
	if (!st)
		return json_array();
	db_bind_int(st, 1, event_id);
	if (series_id)
		db_bind_int(st, 2, series_id);
	else
		db_bind_null(st, 2);
	return db_rows_json(st);
}

/* ================================================================ writes */

static int event_may_edit(struct db *db, const struct principal *p, const json_t *before)
{
	struct auth_scope sc;
	(void)db;
	admin_event_scope(before, &sc);
	return auth_can(p, AUTH_EVENT_EDIT, &sc);
}

static json_t *event_defaults(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[]}", "kind", "consultation", "date_precision",
			 "day", "timezone", "UTC", "status", "draft", "sectors");
}

/* The sectors: an array of keys, or null for none. */
static void event_take_sectors(json_t *m, const json_t *in)
{
	json_t *sectors = json_object_get(in, "sectors");
	if (sectors)
		json_object_set_new(m, "sectors",
				    json_is_null(sectors) ? json_array() : json_incref(sectors));
}

/* The series (its id in *ref, 0 for none), and the right to put an event
 * in it: creating one, or moving one to another series. */
static enum hm_err event_resolve(struct db *db, const struct principal *p, const json_t *before,
				 const json_t *m, int64_t *ref, struct field_errors *errs)
{
	const char *series = admin_nonempty(m, "series");
	int64_t series_id = 0;
	*ref = 0;
	if (series && (series_id = admin_id_by_slug(db, ASQL_SERIES_ID, series)) <= 0) {
		if (series_id < 0)
			return HM_EDB;
		field_error_add(errs, "series", "There is no series with this address.");
		return HM_EINVAL;
	}
	int64_t old_series = json_integer_value(json_object_get(before, "series_id"));
	if (!before || series_id != old_series) {
		struct auth_scope sc = {.series_id = series_id};
		if (!auth_can(p, AUTH_EVENT_CREATE, &sc))
			return HM_EFORBIDDEN;
	}
	*ref = series_id;
	return HM_OK;
}

/* A capacity from a string or integer field; -1 for none. */
static int64_t int_field(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return json_integer_value(v);
	const char *s = json_string_value(v);
	if (!s || !*s)
		return -1;
	return strtoll(s, NULL, 10);
}

/* Writes m (merged and checked) as event id (0: a new one), with its
 * sectors. */
static enum hm_err event_write(struct db *db, const json_t *m, int64_t series_id, int64_t id,
			       const char *ts, int64_t *id_out)
{
	struct db_stmt *st = admin_prep(db, id ? ASQL_EVENT_UPDATE : ASQL_EVENT_INSERT);
	if (!st)
		return HM_EDB;
	int k = 1;
	if (series_id)
		db_bind_int(st, k++, series_id);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, admin_sval(m, "slug"));
	db_bind_text(st, k++, admin_sval(m, "title"));
	db_bind_text(st, k++, admin_sval(m, "kind"));
	admin_bind_text0(st, k++, m, "theme");
	admin_bind_text0(st, k++, m, "summary");
	admin_bind_text0(st, k++, m, "description_md");
	admin_bind_text0(st, k++, m, "region");
	admin_bind_text0(st, k++, m, "city");
	admin_bind_opt(st, k++, m, "country");
	admin_bind_opt(st, k++, m, "venue");
	db_bind_text(st, k++, admin_sval(m, "starts_on"));
	db_bind_text(st, k++, admin_sval(m, "ends_on"));
	db_bind_text(st, k++, admin_sval(m, "date_precision"));
	db_bind_text(st, k++, admin_sval(m, "timezone"));
	int64_t cap = int_field(m, "capacity");
	if (cap >= 0)
		db_bind_int(st, k++, cap);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, admin_sval(m, "status"));
	admin_bind_opt(st, k++, m, "contact_name");
	admin_bind_opt(st, k++, m, "contact_title");
	admin_bind_opt(st, k++, m, "contact_org");
	char email[AUTH_EMAIL_MAX + 1];
	const char *ce = admin_nonempty(m, "contact_email");
	db_bind_text(st, k++, ce && auth_email_normalise(ce, email) == HM_OK ? email : NULL);
	if (!id)
		db_bind_text(st, k++, ts);
	db_bind_text(st, k++, ts);
	if (id)
		db_bind_int(st, k++, id);
	enum hm_err e = db_run(st);
	if (e != HM_OK)
		return e;
	if (!id)
		id = db_last_insert_id(db);
	*id_out = id;

	if (!(st = admin_prep(db, ASQL_SECTORS_CLEAR)))
		return HM_EDB;
	db_bind_int(st, 1, id);
	if ((e = db_run(st)) != HM_OK)
		return e;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(m, "sectors"), i, s) {
		if (!(st = admin_prep(db, ASQL_SECTOR_INSERT)))
			return HM_EDB;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, json_string_value(s));
		db_bind_int(st, 3, (int64_t)i + 1);
		if ((e = db_run(st)) != HM_OK)
			return e;
	}
	return HM_OK;
}

/* The audit action for a change of event status, else event.update. */
static const char *event_action(const json_t *before, const json_t *after)
{
	const char *was = admin_sval(before, "status"), *now = admin_sval(after, "status");
	if (!before)
		return "event.create";
	if (str_eq(was, now))
		return "event.update";
	if (str_eq(now, "published"))
		return "event.publish";
	if (str_eq(now, "cancelled"))
		return "event.cancel";
	return "event.unpublish";
}

/* Only a draft without news posts, sessions or conversations is deleted:
 * a published or cancelled event has a public page, a post keeps its
 * event, and the trash does not keep a programme or a dialogue. */
static const struct kind_keep_rule event_keep[] = {
	{ADMIN_KEEP_EVENT_PUBLISHED, "published", NULL,
	 N_("Published events cannot be deleted; cancel the event instead."),
	 NULL},
	{ADMIN_KEEP_EVENT_CANCELLED, "cancelled", NULL,
	 N_("Cancelled events cannot be deleted: their public page says the event is cancelled."),
	 NULL},
	{ADMIN_KEEP_EVENT_POSTS, NULL, SQL_EVENT_POST_COUNT,
	 NN_("%lld news post is linked to this event: move it to another event or delete it first.",
	     "%lld news posts are linked to this event: move them to another event or delete them first.")},
	{ADMIN_KEEP_EVENT_SESSIONS, NULL, SQL_EVENT_SESSION_COUNT,
	 NN_("This event's programme has %lld session: delete it first.",
	     "This event's programme has %lld sessions: delete them first.")},
	{ADMIN_KEEP_EVENT_CONVERSATIONS, NULL, SQL_EVENT_CONVERSATION_COUNT,
	 NN_("This event has %lld conversation, whose statements and votes would be lost: it stays a draft.",
	     "This event has %lld conversations, whose statements and votes would be lost: it stays a draft.")},
	{0, NULL, NULL, NULL, NULL},
};

/* What a deletion keeps in the trash: the row (its series, unless deleted
 * since), its sectors, its organisations (those still there) and its
 * organisers' grants. */
static const char *const trash_event_cols[] = {
	"id", "series_id", "slug", "title", "kind", "theme", "summary", "description_md",
	"region", "city", "country", "venue", "starts_on", "ends_on", "date_precision",
	"timezone", "capacity", "status", "contact_name", "contact_title", "contact_org",
	"contact_email", "created_at", "updated_at", "lang", NULL};
static const char *const trash_sector_cols[] = {"event_id", "sector", "position", NULL};
static const char *const trash_event_org_cols[] = {"event_id", "role", "position",
						   "organisation_id", NULL};
/* The organisers' grants, back for the accounts that are still there. */
#define TRASH_GRANTS_INSERT                                                                 \
	"INSERT INTO account_role (account_id, role, event_id, series_id, created_at) "      \
	"SELECT a.id, CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS INTEGER), "              \
	"CAST(? AS TEXT) FROM account a WHERE a.id = ?"
static const char *const trash_grant_cols[] = {"role", "event_id", "series_id", "created_at",
					       "account_id", NULL};
static const struct kind_part event_trash[] = {
	{"event",
	 "SELECT id, series_id, slug, title, kind, theme, summary, description_md, region, city, "
	 "country, venue, starts_on, ends_on, date_precision, timezone, capacity, status, "
	 "contact_name, contact_title, contact_org, contact_email, created_at, updated_at, lang "
	 "FROM event WHERE id = ?",
	 "INSERT INTO event (id, series_id, slug, title, kind, theme, summary, description_md, "
	 "region, city, country, venue, starts_on, ends_on, date_precision, timezone, capacity, "
	 "status, contact_name, contact_title, contact_org, contact_email, created_at, updated_at, "
	 "lang) "
	 "VALUES (?, (SELECT id FROM series WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	 "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	 trash_event_cols, "id"},
	{"event_sector", "SELECT event_id, sector, position FROM event_sector WHERE event_id = ?",
	 "INSERT INTO event_sector (event_id, sector, position) VALUES (?, ?, ?)",
	 trash_sector_cols, "event_id"},
	{"event_organisation",
	 "SELECT event_id, organisation_id, role, position FROM event_organisation "
	 "WHERE event_id = ?",
	 "INSERT INTO event_organisation (event_id, organisation_id, role, position) "
	 "SELECT CAST(? AS INTEGER), o.id, CAST(? AS TEXT), CAST(? AS INTEGER) "
	 "FROM organisation o WHERE o.id = ?",
	 trash_event_org_cols, "event_id"},
	{"account_role",
	 "SELECT account_id, role, event_id, series_id, created_at FROM account_role "
	 "WHERE event_id = ?",
	 TRASH_GRANTS_INSERT, trash_grant_cols, "event_id"},
	TR_TRASH_PART("event"),
	{NULL, NULL, NULL, NULL, NULL},
};

/* A draft was never public: cancelling it would put it on the public
 * pages, marked cancelled. It stays a draft, or is deleted. */
static const struct kind_status_rule event_status_rules[] = {
	{"draft", "cancelled",
	 N_("A draft cannot be cancelled: it has never been public. Keep it as a draft, or delete "
	    "it.")},
	{NULL, NULL, NULL},
};

/* ======================================================= event organisers */

/* Loads the event's scope and checks the right to name its organisers:
 * admins and the organisers of its series (auth_role_grant checks the
 * same rule again itself). */
static enum hm_err organisers_scope(struct db *db, const struct principal *p, const char *event,
				    struct auth_scope *sc)
{
	enum hm_err e = auth_scope_event(db, event, sc);
	if (e != HM_OK)
		return e;
	return auth_can(p, AUTH_SERIES_EDIT, sc) ? HM_OK : HM_EFORBIDDEN;
}

enum hm_err admin_event_organiser_grant(struct db *db, const struct principal *p,
					const char *event, const char *email, int64_t now)
{
	struct auth_scope sc;
	int64_t account_id;
	enum hm_err e = organisers_scope(db, p, event, &sc);
	if (e != HM_OK)
		return e;
	if ((e = auth_account_find(db, email, &account_id)) != HM_OK)
		return e;
	struct auth_grant g = {.role = AUTH_ROLE_ORGANISER, .event_id = sc.event_id};
	return auth_role_grant(db, p, account_id, &g, now);
}

enum hm_err admin_event_organiser_revoke(struct db *db, const struct principal *p,
					 const char *event, int64_t account_id, int64_t now)
{
	struct auth_scope sc;
	enum hm_err e = organisers_scope(db, p, event, &sc);
	if (e != HM_OK)
		return e;
	struct auth_grant g = {.role = AUTH_ROLE_ORGANISER, .event_id = sc.event_id};
	return auth_role_revoke(db, p, account_id, &g, now);
}

/* ================================================================ the web */
/* ============================================================== dashboard */

static enum hm_err page_dashboard(struct http_req *req, struct http_res *res)
{
	const struct principal *p = web_principal(req);
	json_t *m = json_object();
	if (web_read_begin(req) != HM_OK) {
		json_decref(m);
		return HM_EDB;
	}
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
	/* Each figure's label agrees with it: "1 draft", "3 drafts". */
	static const struct {
		const char *key, *one, *many;
	} stat_labels[] = {
		{"events", NN_("event you can edit", "events you can edit")},
		{"drafts", NN_("draft", "drafts")},
		{"published", NN_("published", "published")},
		{"cancelled", NN_("cancelled", "cancelled")},
	};
	json_t *counts = json_object_get(m, "counts");
	json_t *labels = json_object();
	for (size_t i = 0; i < HM_ARRAY_LEN(stat_labels); i++)
		json_object_set_new(labels, stat_labels[i].key,
				    json_string(web_nt(req, stat_labels[i].one, stat_labels[i].many,
						       (unsigned long)json_integer_value(json_object_get(
							       counts, stat_labels[i].key)))));
	json_object_set_new(m, "count_labels", labels);
	json_object_set_new(m, "may_create_event", json_boolean(admin_may_create_event(p)));
	json_object_set_new(m, "may_create_series",
			    json_boolean(auth_can(p, AUTH_SERIES_CREATE, NULL)));
	json_object_set_new(m, "is_admin", json_boolean(auth_is_admin(p)));
	return adm_page(req, res, m, "admin/dashboard", web_t(req, "Administration"),
			"dashboard");
}

/* ================================================================= events */

static const struct field event_fields[] = {
	{.name = "title", .kind = FIELD_TEXT, .required = 1, .max_len = 200, .label = N_("Title")},
	{.name = "slug", .kind = FIELD_SLUG, .max_len = SLUG_MAX, .label = N_("Address")},
	{.name = "series", .kind = FIELD_TEXT, .max_len = SLUG_MAX, .label = N_("Series")},
	{.name = "kind", .kind = FIELD_CHOICE, .choices = admin_event_kinds, .label = N_("Kind")},
	{.name = "theme", .kind = FIELD_TEXT, .max_len = 300, .label = N_("Theme")},
	{.name = "summary", .kind = FIELD_MULTILINE, .max_len = 2000, .label = N_("Summary")},
	{.name = "description_md", .kind = FIELD_MULTILINE, .max_len = 100000,
	 .label = N_("Description")},
	{.name = "region", .kind = FIELD_TEXT, .max_len = 200, .label = N_("Region")},
	{.name = "city", .kind = FIELD_TEXT, .max_len = 200, .label = N_("City")},
	{.name = "country", .kind = FIELD_COUNTRY, .max_len = 2, .label = N_("Country")},
	{.name = "venue", .kind = FIELD_TEXT, .max_len = 300, .label = N_("Venue")},
	{.name = "starts_on", .kind = FIELD_DATE, .required = 1, .label = N_("First day")},
	{.name = "ends_on", .kind = FIELD_DATE, .required = 1, .label = N_("Last day")},
	{.name = "date_precision", .kind = FIELD_CHOICE, .choices = admin_date_precisions,
	 .label = N_("Dates known")},
	{.name = "timezone", .kind = FIELD_TIMEZONE, .max_len = 64, .label = N_("Time zone")},
	{.name = "capacity", .kind = FIELD_INT, .min = 0, .max = 10000000, .max_len = 12,
	 .label = N_("Capacity")},
	{.name = "contact_name", .kind = FIELD_TEXT, .max_len = 200, .label = N_("Contact name")},
	{.name = "contact_title", .kind = FIELD_TEXT, .max_len = 200, .label = N_("Contact title")},
	{.name = "contact_org", .kind = FIELD_TEXT, .max_len = 200, .label = N_("Contact organisation")},
	{.name = "contact_email", .kind = FIELD_EMAIL, .max_len = AUTH_EMAIL_MAX,
	 .label = N_("Contact e-mail")},
	{.name = "status", .kind = FIELD_CHOICE, .choices = admin_event_statuses, .label = N_("Status")},
};

static const char *const event_legends[] = {N_("The event"), N_("Description"), N_("Place"), N_("Dates"),
					    N_("Participants"), N_("Contact")};
static const struct adm_widget event_widgets[] = {
	{"title", N_("Title"), NULL, W_INPUT, "text", 0},
	{"slug", N_("Address"), N_("Lower-case letters, digits and hyphens; made from the title when left empty. Changing it changes the event's link."),
	 W_INPUT, "text", 0},
	{"series", N_("Series"), NULL, W_SELECT, NULL, 0},
	{"kind", N_("Kind"), NULL, W_SELECT, NULL, 0},
	{"theme", N_("Theme"), N_("The theme in a few words, such as “Harmony through Diversity and Dialogue”."),
	 W_INPUT, "text", 0},
	{"summary", N_("Summary"), N_("One paragraph, shown in lists and at the top of the event page."),
	 W_TEXTAREA, NULL, 0},
	{"description_md", N_("Description"), N_("Markdown: *emphasis*, **strong**, [links](https://…), lists. HTML is not kept."),
	 W_TEXTAREA, NULL, 1},
	{"region", N_("Region"), N_("Such as Asia-South Pacific."), W_INPUT, "text", 2},
	{"city", N_("City"), NULL, W_INPUT, "text", 2},
	{"country", N_("Country"), NULL, W_SELECT, NULL, 2},
	{"venue", N_("Venue"), NULL, W_INPUT, "text", 2},
	{"starts_on", N_("First day"), NULL, W_INPUT, "date", 3},
	{"ends_on", N_("Last day"), NULL, W_INPUT, "date", 3},
	{"date_precision", N_("Dates known"), N_("Choose “Month only” when the exact days are not fixed yet."),
	 W_SELECT, NULL, 3},
	{"timezone", N_("Time zone"), N_("The venue's zone: type a city to search, such as Shanghai."),
	 W_INPUT, "text", 3, 1},
	{"capacity", N_("Capacity"), N_("How many participants the venue holds."), W_INPUT, "number", 4},
	{"sectors", N_("Sectors invited"), NULL, W_CHECKBOXES, NULL, 4},
	{"contact_name", N_("Name"), NULL, W_INPUT, "text", 5},
	{"contact_title", N_("Job title"), N_("Such as Senior Advisor."), W_INPUT, "text", 5},
	{"contact_org", N_("Organisation"), NULL, W_INPUT, "text", 5},
	{"contact_email", N_("E-mail address"), NULL, W_INPUT, "email", 5},
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
		{"details", N_("Details"), "edit"},
		{"organisations", N_("Organisations"), "organisations"},
		{"organisers", N_("Organisers"), "organisers"},
		{"translations", N_("Translations"), "translations"},
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
	/* the other features' pages of an event */
	for (const struct feature *const *f = site_features; *f; f++)
		for (const struct nav_item *t = (*f)->event_tabs; t && t->path; t++)
			json_array_append_new(
				tabs, json_pack("{s:s, s:o, s:b}", "label", web_t(req, t->label),
						"url", json_sprintf("/admin/events/%s/%s", slug, t->path),
						"current", strcmp(t->path, current) == 0));
	return tabs;
}

enum hm_err adm_event_tab_page(struct http_req *req, struct http_res *res, json_t *m, json_t *ev,
			       json_t *fj, const char *tab, const char *tpl, const char *title)
{
	json_object_set_new(m, "form", fj);
	adm_decorate_status(req, ev);
	json_object_set_new(m, "tabs", adm_event_tabs(req, ev, tab));
	json_object_set_new(m, "event", ev);
	return adm_page(req, res, m, tpl, title, "events");
}

/* The event form page, new (ev NULL) or edit, with fj as its values. */
static enum hm_err event_form_page(struct http_req *req, struct http_res *res, json_t *ev,
				   json_t *fj)
{
	const struct principal *p = web_principal(req);
	json_t *options = json_object();
	if (web_read_begin(req) != HM_OK) {
		json_decref(options);
		json_decref(ev);
		json_decref(fj);
		return HM_EDB;
	}
	json_object_set_new(options, "series", series_options(req, p, ev != NULL,
							      web_str(ev, "series")));
	db_rollback(req->db);
	json_object_set_new(options, "kind", adm_options(req, admin_event_kinds));
	json_object_set_new(options, "date_precision", adm_options(req, admin_date_precisions));
	/* The sectors by the names the public page gives them ("Governments",
	 * "Corporations"), so the form and the page say the same. */
	json_t *sectors = json_array();
	for (const char *const *s = admin_sectors; *s; s++)
		json_array_append_new(sectors, json_pack("{s:s, s:s}", "value", *s, "label",
							 adm_label_n(req, *s, 1)));
	json_object_set_new(options, "sectors", sectors);
	json_object_set_new(options, "country", adm_country_options(req));
	json_object_set_new(options, "timezone",
			    fmt_timezone_options(&req->pool, req->lang, web_str(ev, "starts_on")));
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
	if (web_read_begin(req) != HM_OK) {
		json_decref(m);
		return HM_EDB;
	}
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
static void event_public(struct http_req *req, json_t *ev)
{
	const struct principal *p = web_principal(req);
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

/* Its public page, once it has one. */
static const char *event_public_url(struct http_req *req, const json_t *t)
{
	const char *status = web_str(t, "status");
	if (!str_eq(status, "published") && !str_eq(status, "cancelled"))
		return NULL;
	return arena_printf(&req->pool, "/events/%s", web_str(t, "slug"));
}

static const struct translatable event_tr = {
	.fields = events_tr_fields,
	.lang_sql = "SELECT lang FROM event WHERE id = ?",
	.set_lang_sql = "UPDATE event SET lang = ? WHERE id = ?",
	.public_url = event_public_url,
};

const struct kind event_kind = {
	.tr = &event_tr,
	.key = "events",
	.missing = N_("There is no such event."),
	.admin_path = "/admin/events",
	.api_path = "/api/v1/events",
	.done_created = "created",
	.fields = event_fields,
	.nfields = HM_ARRAY_LEN(event_fields),
	.list_field = "sectors",
	.edit_action = AUTH_EVENT_EDIT,
	.list = admin_event_list,
	.get = admin_event_get,
	.visible = admin_event_visible,
	.scope = admin_event_scope,
	.api_item = event_public,
	.form_page = event_form_page,
	.entity = "event",
	.merge = event_merge,
	.statuses = admin_event_statuses,
	.status_rules = event_status_rules,
	.slug_taken_sql = SQL_EVENT_SLUG_TAKEN,
	.slug_from = "title",
	.slug_taken_msg = N_("Another event already has this address."),
	.address = kind_address_slug,
	.key_by_id_sql = "SELECT slug FROM event WHERE id = ?",
	.snapshot = admin_event_get,
	.may_edit = event_may_edit,
	.defaults = event_defaults,
	.take_extra = event_take_sectors,
	.check = admin_event_check,
	.resolve = event_resolve,
	.write = event_write,
	.action = event_action,
	.delete_sql = SQL_EVENT_DELETE,
	.delete_action = "event.delete",
	.keep = event_keep,
	.gone_key = "organisers",
	.gone_sql = SQL_EVENT_GRANTS,
	.trash = event_trash,
	.name_field = "title",
	.public_path = "/events",
};

enum hm_err adm_event_for_edit(struct http_req *req, struct http_res *res, json_t **out)
{
	return adm_for_edit(req, res, &event_kind, out);
}

/* ============================================================ cancelling */

/* Cancelling asks first, on a page of its own (no script needed): what
 * will happen, and the button that does it. Only a published event is
 * cancelled; a draft's page says why not. */
static enum hm_err cancel_page(struct http_req *req, struct http_res *res, json_t *ev)
{
	const char *why = kind_status_refused(&event_kind, web_str(ev, "status"), "cancelled");
	if (why)
		return http_fail(res, HM_ECONFLICT, why);
	if (str_eq(web_str(ev, "status"), "cancelled"))
		return web_redirect(req, res,
				    arena_printf(&req->pool, "/admin/events/%s/edit",
						 web_str(ev, "slug")));
	json_t *m = json_object();
	adm_decorate_status(req, ev);
	json_object_set_new(m, "public_url", json_sprintf("/events/%s", web_str(ev, "slug")));
	json_object_set_new(m, "event", json_incref(ev));
	return adm_page(req, res, m, "admin/events_cancel", web_t(req, "Cancel the event"),
			"events");
}

static enum hm_err page_event_cancel(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = adm_event_for_edit(req, res, &ev);
	if (e != HM_OK)
		return e;
	web_own(req, ev);
	return cancel_page(req, res, ev);
}

static const struct field cancel_fields[] = {
	{.name = "confirm", .kind = FIELD_TEXT, .max_len = 8},
};

/* POST …/cancel: from a browser, only with confirm=yes (sent by the
 * confirmation page's button); without it, the confirmation page. A
 * JSON call is a program's, which has said what it wants. */
static enum hm_err post_event_cancel(struct http_req *req, struct http_res *res)
{
	if (!req->want_json) {
		struct form f;
		form_read(req, cancel_fields, HM_ARRAY_LEN(cancel_fields), &f);
		if (!str_eq(form_get(&f, "confirm"), "yes"))
			return page_event_cancel(req, res);
	}
	return adm_set_status(req, res, &event_kind, "cancelled", "cancelled");
}

const struct route event_admin_routes[] = {
	{GET, "/admin", page_dashboard, WEB_STAFF},
	{GET, "/admin/events", page_events_list, WEB_STAFF},
	{POST, "/admin/events", adm_h_save, WEB_STAFF | WEB_CSRF, &event_kind},
	{GET, "/admin/events/new", page_event_new, WEB_STAFF},
	{GET, "/admin/events/{slug}/edit", adm_h_edit, WEB_PRIVATE, &event_kind},
	{POST, "/admin/events/{slug}", adm_h_save, WEB_PRIVATE | WEB_CSRF, &event_kind},
	{POST, "/admin/events/{slug}/publish", adm_h_publish, WEB_PRIVATE | WEB_CSRF, &event_kind},
	{POST, "/admin/events/{slug}/unpublish", adm_h_unpublish, WEB_PRIVATE | WEB_CSRF, &event_kind},
	{GET, "/admin/events/{slug}/cancel", page_event_cancel, WEB_PRIVATE},
	{POST, "/admin/events/{slug}/cancel", post_event_cancel, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/events/{slug}/delete", adm_h_delete, WEB_PRIVATE | WEB_CSRF, &event_kind},
	{GET, "/api/v1/events", adm_h_api_list, WEB_JSON, &event_kind},
	{POST, "/api/v1/events", adm_h_save, WEB_JSON | WEB_STAFF | WEB_CSRF, &event_kind},
	{GET, "/api/v1/events/{slug}", adm_h_api_get, WEB_JSON, &event_kind},
	{PATCH, "/api/v1/events/{slug}", adm_h_save, WEB_JSON | WEB_PRIVATE | WEB_CSRF, &event_kind},
	{DELETE, "/api/v1/events/{slug}", adm_h_delete, WEB_JSON | WEB_PRIVATE | WEB_CSRF, &event_kind},
	TR_ROUTES("/admin/events", "/api/v1/events", "{slug}", &event_kind),
	WEB_ROUTES_END,
};
