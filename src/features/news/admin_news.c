/*
 * admin_news.c — the organisers' news posts (/admin/news) and their JSON
 * twin (/api/v1/posts): the list, the form with its preview and image
 * upload, publishing, unpublishing and deleting. Handlers read declared
 * fields, pass through the permission gate and call the domain
 * (news_admin.h, media.h); forms keep what was typed and show errors
 * beside each field.
 */
#include "site/confirm.h"
#include "site/feature.h"
#include "site/translations.h"
#include "site/site.h"
#include "features/news/news_internal.h"
#include "features/news/news_web.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "media/media.h"
#include "view/i18n.h"
#include "view/markdown.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* --------------------------------------------------------------- posts */

static const char *const post_statuses[] = {"draft", "published", NULL};

static const struct field post_fields[] = {
	{.name = "title", .kind = FIELD_TEXT, .required = 1, .max_len = POST_TITLE_MAX,
	 .label = N_("Title")},
	{.name = "slug", .kind = FIELD_SLUG, .max_len = SLUG_MAX, .label = N_("Address")},
	{.name = "summary", .kind = FIELD_MULTILINE, .max_len = POST_SUMMARY_MAX,
	 .label = N_("Summary")},
	{.name = "body_md", .kind = FIELD_MULTILINE, .max_len = POST_BODY_MAX, .label = N_("Text")},
	{.name = "status", .kind = FIELD_CHOICE, .choices = post_statuses, .label = N_("Status")},
	{.name = "published_at", .kind = FIELD_TEXT, .max_len = 40, .label = N_("Publication time")},
	{.name = "is_featured", .kind = FIELD_BOOL},
	{.name = "event_slug", .kind = FIELD_TEXT, .max_len = 200, .label = N_("Event")},
	{.name = "image", .kind = FIELD_TEXT, .max_len = MEDIA_NAME_SIZE, .label = N_("Image")},
	{.name = "image_file", .kind = FIELD_FILE, .label = N_("Image")},
	{.name = "remove_image", .kind = FIELD_BOOL},
	{.name = "image_alt", .kind = FIELD_TEXT, .max_len = POST_ALT_MAX,
	 .label = N_("Description of the image")},
	{.name = "image_credit", .kind = FIELD_TEXT, .max_len = POST_CREDIT_MAX,
	 .label = N_("Photo credit")},
	{.name = "preview", .kind = FIELD_TEXT, .max_len = 20},
};

/* Display fields for a post of the admin views and the API. */
static void decorate_admin_post(struct http_req *req, json_t *p, const char *tz)
{
	const char *state = json_string_value(json_object_get(p, "state"));
	const char *img = json_string_value(json_object_get(p, "image"));
	const char *at = json_string_value(json_object_get(p, "published_at"));
	news_decorate(req, p, 0);
	if (!str_eq(state, "published")) {
		/* Not at its permalink yet. Keys are kept as null, never left out,
		 * so a template never finds another post's value instead. */
		json_object_set_new(p, "url", json_null());
		json_object_set_new(p, "permalink", json_null());
	}
	json_object_set_new(p, "edit_url", json_sprintf("/admin/news/%lld",
							(long long)json_integer_value(
								json_object_get(p, "id"))));
	json_object_set_new(p, "translations_url",
			    json_sprintf("/admin/news/%lld/translations",
					 (long long)json_integer_value(json_object_get(p, "id"))));
	json_object_set_new(p, "state_draft", json_boolean(str_eq(state, "draft")));
	json_object_set_new(p, "state_scheduled", json_boolean(str_eq(state, "scheduled")));
	json_object_set_new(p, "state_published", json_boolean(str_eq(state, "published")));
	json_object_set_new(p, "thumb_url", json_null());
	if (!json_object_get(p, "image_url"))
		json_object_set_new(p, "image_url", json_null());
	if (img && media_name_is_original(img)) {
		char thumb[MEDIA_NAME_SIZE];
		media_thumb_name(img, thumb);
		json_object_set_new(p, "thumb_url", json_sprintf("/media/%s", thumb));
	}
	if (at && tz) {
		int64_t t = time_parse_rfc3339(at);
		const char *shown = t >= 0 ? fmt_datetime(&req->pool, req->lang, tz, t, FMT_MEDIUM)
					   : NULL;
		json_object_set_new(p, "published_display", shown ? json_string(shown) : json_null());
	} else if (tz) {
		json_object_set_new(p, "published_display", json_null());
	}
}

/* The post as its form shows it. */
static json_t *post_as_input(const json_t *p)
{
	json_t *in = json_object();
	static const char *const keys[] = {"title", "slug", "summary", "body_md", "status",
					   "published_at", "event_slug", "image",
					   "image_alt", "image_credit"};
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(p, keys[i]);
		if (v)
			json_object_set(in, keys[i], v);
	}
	/* a checkbox's value */
	web_set_str(in, "is_featured", json_is_true(json_object_get(p, "is_featured")) ? "1" : "0");
	json_t *cats = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(p, "categories"), i, c)
		json_array_append(cats, json_object_get(c, "slug"));
	json_object_set_new(in, "categories", cats);
	return in;
}

/* The event choices, categories and flags the post form needs, for the
 * values in fv (form values object, its categories a list of slugs). */
static void form_choices(struct http_req *req, json_t *m, json_t *fv)
{
	const json_t *cats = json_object_get(fv, "categories");
	const struct principal *p = web_principal(req);
	const char *ev = json_string_value(json_object_get(fv, "event_slug"));
	json_t *events = news_event_choices(req->db, p);
	size_t i;
	json_t *e;
	json_array_foreach(events, i, e)
		json_object_set_new(e, "selected",
				    json_boolean(str_eq(ev, json_string_value(json_object_get(e, "slug")))));
	json_object_set_new(m, "events", events);
	json_object_set_new(m, "can_post_site", json_boolean(auth_can(p, AUTH_NEWS_EDIT, NULL)));
	json_object_set_new(m, "site_selected", json_boolean(!ev || !*ev));
	json_t *all = category_admin_list(req->db);
	json_array_foreach(all, i, e) {
		int on = 0;
		size_t k;
		json_t *c;
		json_array_foreach(cats, k, c)
			on |= str_eq(json_string_value(c), json_string_value(json_object_get(e, "slug")));
		json_object_set_new(e, "checked", json_boolean(on));
	}
	json_object_set_new(m, "has_categories", json_boolean(json_array_size(all) > 0));
	json_object_set_new(m, "categories", all);
	const char *status = json_string_value(json_object_get(fv, "status"));
	json_object_set_new(m, "status_published", json_boolean(str_eq(status, "published")));
	json_object_set_new(m, "featured_checked",
			    json_boolean(str_eq(json_string_value(json_object_get(fv, "is_featured")), "1")));
	const char *img = json_string_value(json_object_get(fv, "image"));
	if (img && media_name_is_original(img)) {
		char thumb[MEDIA_NAME_SIZE];
		media_thumb_name(img, thumb);
		json_object_set_new(m, "current_image",
				    json_pack("{s:s, s:s, s:s}", "name", img, "url",
					      arena_printf(&req->pool, "/media/%s", img), "thumb_url",
					      arena_printf(&req->pool, "/media/%s", thumb)));
	}
	json_object_set_new(m, "timezone", json_string(news_site_timezone(req->db, &req->pool)));
}

/* Renders the post form page. post: the stored post when editing
 * (borrowed); form (stolen) may carry a preview. */
static enum hm_err render_post_form(struct http_req *req, struct http_res *res, json_t *form,
				    const json_t *post)
{
	json_t *m = json_object();
	json_t *values = json_object_get(form, "values");
	json_t *preview = json_incref(json_object_get(form, "preview"));
	json_object_del(form, "preview");
	/* The form speaks the site's wall-clock time; what it sent was read
	 * as UTC. */
	const char *at = json_string_value(json_object_get(values, "published_at"));
	int64_t t = at ? time_parse_rfc3339(at) : -1;
	if (t >= 0) {
		const char *local =
			tz_utc_to_local(&req->pool, news_site_timezone(req->db, &req->pool), t);
		if (local)
			json_object_set_new(values, "published_at", json_string(local));
	}
	json_object_set_new(m, "form", form);
	json_object_set_new(m, "csrf", json_string(web_csrf_token(req, res)));
	/* The limits, said beside the fields the form's descriptors bound. */
	static const char *const limited[] = {"title", "slug", "summary", "image_alt",
					      "image_credit"};
	json_t *limits = json_object();
	for (size_t i = 0; i < HM_ARRAY_LEN(post_fields); i++)
		for (size_t j = 0; j < HM_ARRAY_LEN(limited); j++)
			if (str_eq(post_fields[i].name, limited[j]))
				web_set_str(limits, limited[j],
					    adm_limit_text(req, post_fields[i].max_len));
	json_object_set_new(m, "limits", limits);
	form_choices(req, m, values);
	if (post) {
		json_object_set_new(m, "post", json_deep_copy(post));
		json_object_set_new(m, "action",
				    json_sprintf("/admin/news/%lld", (long long)json_integer_value(
									      json_object_get(post, "id"))));
	} else {
		json_object_set_new(m, "is_new", json_true());
		json_object_set_new(m, "action", json_string("/admin/news"));
	}
	if (preview)
		json_object_set_new(m, "preview", preview);
	const char *done = http_query(req, "done");
	if (str_eq(done, "saved") || str_eq(done, "created") || str_eq(done, "restored"))
		json_object_set_new(m, "saved", json_true());
	news_web_nav(m, "news");
	/* The title outlives post (the caller frees it before the page is made). */
	const char *title = post ? arena_strdup(&req->pool, json_string_value(json_object_get(post, "title")))
				 : web_t(req, "New post");
	http_res_page(res, m, "admin/news_form", title);
	return HM_OK;
}

/* Post id as the API shows it to the principal; known: its scope when the
 * caller has it (NULL: looked up). */
static json_t *post_api_model(struct http_req *req, int64_t id, const struct auth_scope *known)
{
	struct auth_scope scope = {0};
	json_t *p = post_admin_get(req->db, id, time_now_s());
	if (p) {
		if (known)
			scope = *known;
		else
			post_scope(req->db, id, &scope);
		post_hide_unseen_event(web_principal(req), p, &scope);
		decorate_admin_post(req, p, NULL);
	}
	return p;
}

/* The post of the path for editing, as the form shows it: 404 when there
 * is none, else web_require's answer unless p may edit its news. */
static enum hm_err post_for_edit(struct http_req *req, struct http_res *res, json_t **out)
{
	int64_t id = site_id_param(req);
	struct auth_scope scope;
	enum hm_err e;
	*out = NULL;
	res->no_store = 1;
	if ((e = news_web_gate(req, res)) != HM_OK)
		return e;
	if (!id || (e = post_scope(req->db, id, &scope)) == HM_ENOTFOUND)
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	if (e != HM_OK)
		return e;
	if ((e = web_require(req, res, AUTH_NEWS_EDIT, &scope)) != HM_OK)
		return e;
	if (!(*out = post_api_model(req, id, &scope)))
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	return HM_OK;
}

/* The API's post: as the principal may see it, with its display fields. */
static void post_api_item(struct http_req *req, json_t *t)
{
	json_t *full = post_api_model(req, json_integer_value(json_object_get(t, "id")), NULL);
	if (full) {
		json_object_clear(t);
		json_object_update(t, full);
		json_decref(full);
	}
}

/* What the form sends beyond its fields: an uploaded image, stored at once
 * (content-addressed, harmless) so the form keeps it through a preview or
 * a correction, or its removal; a wall-clock time in the site's zone; and,
 * as an HTML form leaves out what is not ticked, "not featured" and "no
 * category". */
static void post_input_extra(struct http_req *req, struct adm_input *in)
{
	const struct principal *who = web_principal(req);
	int json = news_web_json_body(req);
	int file = -1, image = -1, at = -1;
	for (size_t k = 0; k < in->f.n; k++) {
		const char *name = in->f.fields[k].name;
		if (strcmp(name, "image_file") == 0)
			file = (int)k;
		else if (strcmp(name, "image") == 0)
			image = (int)k;
		else if (strcmp(name, "published_at") == 0)
			at = (int)k;
	}
	assert(file >= 0 && image >= 0 && at >= 0);
	if (!json) {
		json_object_set_new(in->present, "is_featured", json_true());
		if (!in->list)
			in->list = json_array();
	}
	if (in->f.files[file].data) {
		/* The right to upload: where the post goes, else where it is. */
		struct auth_scope up = {0};
		const char *ev = form_get(&in->f, "event_slug");
		int64_t id = site_id_param(req);
		if (!ev || auth_scope_event(req->db, ev, &up) != HM_OK) {
			memset(&up, 0, sizeof(up));
			if (id)
				post_scope(req->db, id, &up);
		}
		struct media_stored ms;
		const char *why = NULL;
		if (media_upload(req->db, who, &up, in->f.files[file].data, in->f.files[file].len,
				 &ms, &why) == HM_OK) {
			in->f.values[image] = arena_strdup(&req->pool, ms.name);
			json_object_set_new(in->present, "image", json_true());
		} else {
			/* On the text field: form_json leaves file fields out. */
			form_set_error(req, &in->f, "image", why ? why : "The image could not be saved.");
		}
	}
	if (!json && form_bool(&in->f, "remove_image")) {
		in->f.values[image] = NULL;
		json_object_set_new(in->present, "image", json_true());
	}
	const char *v = in->f.values[at];
	int64_t t;
	if (v && strlen(v) == 16 &&
	    tz_local_to_utc(v, news_site_timezone(req->db, &req->pool), &t) == HM_OK)
		in->f.values[at] = time_format_rfc3339(&req->pool, t);
	else if (v && time_parse_rfc3339(v) < 0)
		form_set_error(req, &in->f, "published_at",
			       "Enter a date and time as YYYY-MM-DDTHH:MM.");
}

/* The preview of what the form sends, for the form page. */
static json_t *post_preview_model(struct http_req *req, const struct form *f)
{
	const char *md = form_get(f, "body_md");
	const char *image = form_get(f, "image");
	char *html = markdown_to_html(md ? md : "", md ? strlen(md) : 0);
	json_t *pv = json_pack("{s:s?, s:s?, s:s}", "title", form_get(f, "title"), "summary",
			       form_get(f, "summary"), "html", html);
	free(html);
	json_object_set_new(pv, "image_url",
			    image && media_name_is_original(image) ? json_sprintf("/media/%s", image)
								   : json_null());
	web_set_str(pv, "image_alt", form_get(f, "image_alt") ? form_get(f, "image_alt") : "");
	web_set_str(pv, "image_credit", form_get(f, "image_credit"));
	(void)req;
	return pv;
}

/* The form page: new (t NULL) or the post t, with fj (stolen). */
static enum hm_err post_form_page(struct http_req *req, struct http_res *res, json_t *t,
				  json_t *fj)
{
	enum hm_err e = render_post_form(req, res, fj, t);
	json_decref(t);
	return e;
}

/* Its public page: a published post's (a scheduled one has it from its
 * time on). */
static const char *post_public_url(struct http_req *req, const json_t *t)
{
	const char *ymd = web_str(t, "ymd");
	if (!str_eq(web_str(t, "status"), "published") || !ymd || strlen(ymd) != 10)
		return NULL;
	return arena_printf(&req->pool, "/news/%.4s/%.2s/%.2s/%s", ymd, ymd + 5, ymd + 8,
			    web_str(t, "slug"));
}

static const struct translatable post_tr = {
	.fields = news_tr_fields,
	.lang_sql = "SELECT lang FROM post WHERE id = ?",
	.set_lang_sql = "UPDATE post SET lang = ? WHERE id = ?",
	.public_url = post_public_url,
};

/* Who may restore a deleted post: its editors, as its event (if it is
 * still there; else it comes back as site news) says. */
static int post_may_restore(struct db *db, const struct principal *p, const json_t *t)
{
	struct auth_scope s = {0};
	const char *ev = web_str(t, "event_slug");
	if (ev && auth_scope_event(db, ev, &s) != HM_OK)
		memset(&s, 0, sizeof(s));
	return auth_can(p, AUTH_NEWS_EDIT, &s);
}

/* What a deletion keeps in the trash: the row (its event, unless deleted
 * since) and its categories (those still there). */
static const char *const trash_post_cols[] = {
	"id", "slug", "title", "summary", "body_md", "status", "published_at", "is_featured",
	"image", "image_alt", "image_credit", "event_id", "created_at", "updated_at", "lang", NULL};
static const char *const trash_post_cat_cols[] = {"post_id", "category_id", NULL};
static const struct kind_part post_trash[] = {
	{"post",
	 "SELECT id, slug, title, summary, body_md, status, published_at, is_featured, image, "
	 "image_alt, image_credit, event_id, created_at, updated_at, lang FROM post WHERE id = ?",
	 "INSERT INTO post (id, slug, title, summary, body_md, status, published_at, is_featured, "
	 "image, image_alt, image_credit, event_id, created_at, updated_at, lang) "
	 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT id FROM event WHERE id = ?), ?, ?, ?)",
	 trash_post_cols, "id"},
	{"post_category", "SELECT post_id, category_id FROM post_category WHERE post_id = ?",
	 "INSERT INTO post_category (post_id, category_id) "
	 "SELECT CAST(? AS INTEGER), c.id FROM category c WHERE c.id = ?",
	 trash_post_cat_cols, "post_id"},
	TR_TRASH_PART("post"),
	{NULL, NULL, NULL, NULL, NULL},
};

const struct kind post_kind = {
	.tr = &post_tr,
	.key = "posts",
	.entity = "post",
	.missing = N_("There is no such post."),
	.admin_path = "/admin/news",
	.api_path = "/api/v1/posts",
	.done_created = "created",
	.param = "id",
	.fields = post_fields,
	.nfields = HM_ARRAY_LEN(post_fields),
	.list_field = "categories",
	.get = post_snapshot,
	.snapshot = post_snapshot,
	.edit_action = AUTH_NEWS_EDIT,
	.may_edit = post_may_edit,
	.may_create_web = news_web_gate,
	.for_edit = post_for_edit,
	.statuses = post_statuses,
	.publish_at = "published_at",
	.status_to = "/admin/news",
	.merge = post_merge,
	.defaults = post_defaults,
	.complete = post_complete,
	.check = post_check,
	.resolve = post_resolve,
	.slug_taken_sql = "SELECT 1 FROM post WHERE slug = ? AND id <> ?",
	.slug_from = "title",
	.slug_taken_msg = N_("Another post already has this address."),
	.address = post_address,
	.write = post_write,
	.action = post_action,
	.may_delete = post_may_edit,
	.delete_sql = "DELETE FROM post WHERE id = ?",
	.delete_action = "post.delete",
	.trash = post_trash,
	.may_restore = post_may_restore,
	.media_field = "image",
	.name_field = "title",
	.public_path = "/news",
	.api_item = post_api_item,
	.input_extra = post_input_extra,
	.form_page = post_form_page,
	.preview = post_preview_model,
};

/* POST /admin/news, /admin/news/{id} and the API's POST and PATCH: the
 * kind's save (or the form's preview); a PATCH takes JSON only. */
static enum hm_err post_save_h(struct http_req *req, struct http_res *res)
{
	if (req->method == HTTP_PATCH && !news_web_json_body(req))
		return http_fail(res, HM_EINVAL, "PATCH takes a JSON object of the fields to change.");
	return adm_save(req, res, &post_kind);
}

static enum hm_err post_new_form(struct http_req *req, struct http_res *res)
{
	enum hm_err e = news_web_gate(req, res);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	json_t *values = json_pack("{s:s, s:s}", "status", "draft", "is_featured", "0");
	const char *ev = http_query(req, "event");
	if (ev && utf8_valid(ev, strlen(ev)))
		json_object_set_new(values, "event_slug", json_string(ev));
	else if (!auth_can(web_principal(req), AUTH_NEWS_EDIT, NULL)) {
		/* An organiser without site news: their first event. */
		json_t *evs = news_event_choices(req->db, web_principal(req));
		const char *first = json_string_value(json_object_get(json_array_get(evs, 0), "slug"));
		if (first)
			json_object_set_new(values, "event_slug", json_string(first));
		json_decref(evs);
	}
	json_t *form = json_pack("{s:o, s:{}, s:b}", "values", values, "errors", "has_errors", 0);
	return render_post_form(req, res, form, NULL);
}

/* GET /admin/news/{id}/edit (and /admin/news/{id}): the form with the
 * stored values, the time in the site's zone; its JSON twin is the post. */
static enum hm_err post_edit_form(struct http_req *req, struct http_res *res)
{
	json_t *post;
	enum hm_err e = post_for_edit(req, res, &post);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	const char *tz = news_site_timezone(req->db, &req->pool);
	decorate_admin_post(req, post, tz);
	if (req->want_json) {
		http_res_page(res, post, NULL, NULL);
		return HM_OK;
	}
	json_t *form = json_pack("{s:o, s:{}, s:b}", "values", post_as_input(post), "errors",
				 "has_errors", 0);
	e = render_post_form(req, res, form, post);
	json_decref(post);
	return e;
}

/* /admin/news: every post the principal may edit, drafts included. */
static enum hm_err page_admin_news(struct http_req *req, struct http_res *res)
{
	enum hm_err e = news_web_gate(req, res);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	struct post_filter flt = {.editable_only = 1};
	json_t *posts = post_admin_list(req->db, web_principal(req), time_now_s(), &flt);
	const char *tz = news_site_timezone(req->db, &req->pool);
	size_t i;
	json_t *p;
	json_array_foreach(posts, i, p)
		decorate_admin_post(req, p, tz);
	/* has_posts, not posts.0: a section on posts.0 would put the first post
	 * on the context stack, where the others' missing keys would be found. */
	/* After publishing: a link to the post, or when it is scheduled, when
	 * it appears and the button that publishes it now. */
	const char *done = http_query(req, "done");
	int64_t which = 0;
	const char *ps = http_query(req, "post");
	if (ps && !text_int_parse(ps, &which))
		which = 0;
	const char *scheduled = NULL, *publish_now = NULL;
	json_array_foreach(posts, i, p) {
		if (!which || json_integer_value(json_object_get(p, "id")) != which ||
		    !str_eq(done, "published"))
			continue;
		if (web_str(p, "url"))
			web_notice_view(req, web_str(p, "url"));
		if (json_is_true(json_object_get(p, "state_scheduled"))) {
			scheduled = arena_printf(&req->pool,
						 web_t(req, "Scheduled: it appears on %s (%s)."),
						 web_str(p, "published_display"), tz);
			publish_now = arena_printf(&req->pool, "%s/publish-now", web_str(p, "edit_url"));
		}
	}
	json_t *m = json_pack("{s:b, s:o, s:b, s:s}", "has_posts", json_array_size(posts) > 0,
			      "posts", posts, "can_manage_categories",
			      auth_can(web_principal(req), AUTH_NEWS_EDIT, NULL), "timezone", tz);
	e = adm_page(req, res, m, "admin/news", web_t(req, "News"), "news");
	if (scheduled) {
		web_set_str(m, "notice", scheduled);
		web_set_str(m, "notice_publish_now", publish_now);
	}
	return e;
}

/* GET /api/v1/posts: what the principal may see. ?state= ?event= ?category= */
static enum hm_err api_posts(struct http_req *req, struct http_res *res)
{
	static const char *const states[] = {"draft", "scheduled", "published"};
	const char *state = http_query(req, "state");
	int ok = !state;
	for (size_t i = 0; state && i < HM_ARRAY_LEN(states); i++)
		ok |= strcmp(state, states[i]) == 0;
	if (!ok)
		return http_fail(res, HM_EINVAL, "state must be draft, scheduled or published.");
	const struct principal *p = web_principal(req);
	if (p->account_id)
		web_private(req, res);
	struct post_filter flt = {
		.event_slug = http_query(req, "event"),
		.category_slug = http_query(req, "category"),
		.state = state,
	};
	json_t *posts = post_admin_list(req->db, p, time_now_s(), &flt);
	size_t i;
	json_t *o;
	json_array_foreach(posts, i, o)
		decorate_admin_post(req, o, NULL);
	http_res_page(res, json_pack("{s:o, s:I}", "posts", posts, "total",
				     (json_int_t)json_array_size(posts)),
		      NULL, NULL);
	return HM_OK;
}

/* GET /api/v1/posts/{id}: 404 unless published and due or the principal
 * may read its drafts. */
static enum hm_err api_post(struct http_req *req, struct http_res *res)
{
	int64_t id = site_id_param(req);
	struct auth_scope scope;
	if (!id || post_scope(req->db, id, &scope) != HM_OK)
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	json_t *p = post_api_model(req, id, &scope);
	if (!p || !post_visible_to(web_principal(req), p, &scope)) {
		json_decref(p);
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	}
	if (web_principal(req)->account_id)
		web_private(req, res);
	http_res_page(res, p, NULL, NULL);
	return HM_OK;
}

const struct route news_admin_routes[] = {
	{GET, "/admin/news", page_admin_news, WEB_STAFF},
	{POST, "/admin/news", post_save_h, WEB_STAFF | WEB_CSRF},
	{GET, "/admin/news/new", post_new_form, WEB_STAFF},
	{GET, "/admin/news/{id}", post_edit_form, WEB_PRIVATE},
	/* …/edit, as every other kind's edit page is addressed */
	{GET, "/admin/news/{id}/edit", post_edit_form, WEB_PRIVATE},
	{POST, "/admin/news/{id}", post_save_h, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/news/{id}/publish", adm_h_publish, WEB_PRIVATE | WEB_CSRF, &post_kind},
	{POST, "/admin/news/{id}/unpublish", adm_h_unpublish, WEB_PRIVATE | WEB_CSRF, &post_kind},
	{POST, "/admin/news/{id}/publish-now", adm_h_publish_now, WEB_PRIVATE | WEB_CSRF,
	 &post_kind},
	{POST, "/admin/news/{id}/delete", adm_h_delete, WEB_PRIVATE | WEB_CSRF, &post_kind},
	{GET, "/api/v1/posts", api_posts, WEB_JSON},
	{POST, "/api/v1/posts", post_save_h, WEB_JSON | WEB_STAFF | WEB_CSRF},
	{GET, "/api/v1/posts/{id}", api_post, WEB_JSON},
	{PATCH, "/api/v1/posts/{id}", post_save_h, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/posts/{id}", adm_h_delete, WEB_JSON | WEB_PRIVATE | WEB_CSRF, &post_kind},
	{POST, "/api/v1/posts/{id}/publish", adm_h_publish, WEB_JSON | WEB_PRIVATE | WEB_CSRF,
	 &post_kind},
	{POST, "/api/v1/posts/{id}/unpublish", adm_h_unpublish, WEB_JSON | WEB_PRIVATE | WEB_CSRF,
	 &post_kind},
	TR_ROUTES("/admin/news", "/api/v1/posts", "{id}", &post_kind),
	{POST, "/api/v1/posts/{id}/publish-now", adm_h_publish_now, WEB_JSON | WEB_PRIVATE | WEB_CSRF,
	 &post_kind},
	WEB_ROUTES_END,
};
