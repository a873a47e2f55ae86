/*
 * admin_news.c — the organisers' news posts (/admin/news) and their JSON
 * twin (/api/v1/posts): the list, the form with its preview and image
 * upload, publishing, unpublishing and deleting. Handlers read declared
 * fields, pass through the permission gate and call the domain
 * (news_admin.h, media.h); forms keep what was typed and show errors
 * beside each field.
 */
#include "site/feature.h"
#include "site/site.h"
#include "features/news/news_web.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "media/media.h"
#include "view/i18n.h"
#include "view/markdown.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- helpers */

/* form_json plus the errors the form has no field for (categories). */
static json_t *form_model(struct http_req *req, struct form *f, const struct field_errors *errs)
{
	json_t *o = form_json(f);
	for (int i = 0; errs && i < errs->n; i++)
		if (strcmp(errs->items[i].field, "categories") == 0) {
			json_object_set_new(json_object_get(o, "errors"), "categories",
					    json_string(web_t(req, errs->items[i].msgid)));
			json_object_set_new(o, "has_errors", json_true());
		}
	return o;
}

/* Every "categories" value of an urlencoded or multipart body (form_read
 * keeps the first of each name only); text only. */
static void form_categories(struct http_req *req, struct slug_list *out)
{
	struct kv_list kv;
	form_pairs(req, &kv);
	for (size_t i = 0; i < kv.n; i++)
		if (strcmp(kv.items[i].key, "categories") == 0 &&
		    !memchr(kv.items[i].value, '\0', kv.items[i].value_len))
			news_web_slug_add(out, kv.items[i].value);
}

/* --------------------------------------------------------------- posts */

static const char *const post_statuses[] = {"draft", "published", NULL};

static const struct field post_fields[] = {
	{.name = "title", .kind = FIELD_TEXT, .required = 1, .max_len = POST_TITLE_MAX},
	{.name = "slug", .kind = FIELD_SLUG, .max_len = SLUG_MAX},
	{.name = "summary", .kind = FIELD_MULTILINE, .max_len = POST_SUMMARY_MAX},
	{.name = "body_md", .kind = FIELD_MULTILINE, .max_len = POST_BODY_MAX},
	{.name = "status", .kind = FIELD_CHOICE, .choices = post_statuses},
	{.name = "published_at", .kind = FIELD_TEXT, .max_len = 40},
	{.name = "is_featured", .kind = FIELD_BOOL},
	{.name = "event_slug", .kind = FIELD_TEXT, .max_len = 200},
	{.name = "image", .kind = FIELD_TEXT, .max_len = MEDIA_NAME_SIZE},
	{.name = "image_file", .kind = FIELD_FILE},
	{.name = "remove_image", .kind = FIELD_BOOL},
	{.name = "image_alt", .kind = FIELD_TEXT, .max_len = POST_ALT_MAX},
	{.name = "image_credit", .kind = FIELD_TEXT, .max_len = POST_CREDIT_MAX},
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

/* The post as the API takes it back (PATCH starts from this). */
static json_t *post_as_input(const json_t *p)
{
	json_t *in = json_object();
	static const char *const keys[] = {"title", "slug", "summary", "body_md", "status",
					   "published_at", "is_featured", "event_slug", "image",
					   "image_alt", "image_credit"};
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(p, keys[i]);
		if (v)
			json_object_set(in, keys[i], v);
	}
	json_t *cats = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(p, "categories"), i, c)
		json_array_append(cats, json_object_get(c, "slug"));
	json_object_set_new(in, "categories", cats);
	return in;
}

/* The event choices, categories and flags the post form needs, for the
 * values in fv (form values object) and the chosen categories. */
static void form_choices(struct http_req *req, json_t *m, json_t *fv, const struct slug_list *cats)
{
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
		for (size_t k = 0; cats && k < cats->n; k++)
			on |= str_eq(cats->v[k], json_string_value(json_object_get(e, "slug")));
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

/* Renders the post form page. post: the stored post when editing (borrowed). */
static enum hm_err render_post_form(struct http_req *req, struct http_res *res, json_t *form,
				    const struct slug_list *cats, const json_t *post,
				    json_t *preview)
{
	json_t *m = json_object();
	json_object_set_new(m, "form", form);
	json_object_set_new(m, "csrf", json_string(web_csrf_token(req, res)));
	form_choices(req, m, json_object_get(form, "values"), cats);
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
	if (http_query(req, "saved"))
		json_object_set_new(m, "saved", json_true());
	news_web_nav(m, "news");
	/* The title outlives post (the caller frees it before the page is made). */
	const char *title = post ? arena_strdup(&req->pool, json_string_value(json_object_get(post, "title")))
				 : web_t(req, "New post");
	http_res_page(res, m, "admin/news_form", title);
	return HM_OK;
}

/* Reads a wall-clock "YYYY-MM-DDTHH:MM" in the site's zone or an RFC 3339
 * time into RFC 3339 UTC; NULL (and a field error) when it is neither. */
static const char *resolve_time(struct http_req *req, struct form *f)
{
	const char *v = form_get(f, "published_at");
	if (!v)
		return NULL;
	int64_t t;
	if (strlen(v) == 16 &&
	    tz_local_to_utc(v, news_site_timezone(req->db, &req->pool), &t) == HM_OK)
		return time_format_rfc3339(&req->pool, t);
	t = time_parse_rfc3339(v);
	if (t >= 0)
		return time_format_rfc3339(&req->pool, t);
	form_set_error(req, f, "published_at", "Enter a date and time as YYYY-MM-DDTHH:MM.");
	return NULL;
}

static json_t *post_api_model(struct http_req *req, int64_t id)
{
	struct auth_scope scope = {0};
	json_t *p = post_admin_get(req->db, id, time_now_s());
	if (p) {
		post_scope(req->db, id, &scope);
		post_hide_unseen_event(web_principal(req), p, &scope);
		decorate_admin_post(req, p, NULL);
	}
	return p;
}

/* Saves a post from a form or a JSON body: id 0 creates. The HTML form
 * may also upload an image, ask for a preview or remove the image. */
static enum hm_err post_save(struct http_req *req, struct http_res *res, int64_t id)
{
	const struct principal *who = web_principal(req);
	struct auth_scope scope = {0};
	struct slug_list cats = {0};
	struct field_errors errs = {0};
	struct form f;
	json_t *post = NULL;
	enum hm_err e;
	web_private(req, res);
	if ((e = news_web_gate(req, res)) != HM_OK)
		return e;
	if (id) {
		if ((e = post_scope(req->db, id, &scope)) == HM_ENOTFOUND)
			return http_fail(res, e, "There is no such post.");
		if (e != HM_OK)
			return e;
		if ((e = web_require(req, res, AUTH_NEWS_EDIT, &scope)) != HM_OK)
			return e;
		post = web_own(req, post_admin_get(req->db, id, time_now_s()));
		if (!post)
			return http_fail(res, HM_ENOTFOUND, "There is no such post.");
		post_hide_unseen_event(who, post, &scope);
		decorate_admin_post(req, post, NULL);
	}
	if (req->method == HTTP_PATCH && !news_web_json_body(req))
		return http_fail(res, HM_EINVAL, "PATCH takes a JSON object of the fields to change.");
	if (news_web_json_body(req)) {
		json_t *cur = post && req->method == HTTP_PATCH ? post_as_input(post) : NULL;
		e = news_web_json_prepare(req, cur, &cats);
		json_decref(cur);
		if (e != HM_OK)
			return http_fail(res, HM_EINVAL,
					 "The body must be a JSON object; categories a list of their slugs.");
	} else {
		form_categories(req, &cats);
	}
	form_read(req, post_fields, HM_ARRAY_LEN(post_fields), &f);
	if (f.error)
		return http_fail(res, HM_EINVAL, "The form could not be read. Please try again.");

	/* An uploaded file is stored at once (content-addressed, harmless), so
	 * the form can keep it through a preview or a correction. */
	const char *image = form_get(&f, "image");
	for (size_t k = 0; k < f.n; k++) {
		if (strcmp(post_fields[k].name, "image_file") != 0 || !f.files[k].data)
			continue;
		struct auth_scope up = scope;
		const char *ev = form_get(&f, "event_slug");
		if (ev && auth_scope_event(req->db, ev, &up) != HM_OK)
			up = scope;
		struct media_stored ms;
		const char *why = NULL;
		enum hm_err ue = media_upload(req->db, who, &up, f.files[k].data, f.files[k].len,
					      &ms, &why);
		if (ue == HM_OK)
			image = arena_strdup(&req->pool, ms.name);
		else
			/* On the text field: form_json leaves file fields out. */
			form_set_error(req, &f, "image", why ? why : "The image could not be saved.");
	}
	if (form_bool(&f, "remove_image"))
		image = NULL;
	for (size_t k = 0; k < f.n; k++)
		if (strcmp(post_fields[k].name, "image") == 0)
			f.values[k] = image;
	const char *published_at = resolve_time(req, &f);

	int preview = form_get(&f, "preview") && !news_web_is_api(req) && !req->want_json;
	if (f.nerrors == 0 && !preview) {
		struct post_input in = {
			.title = form_get(&f, "title"),
			.slug = form_get(&f, "slug"),
			.summary = form_get(&f, "summary"),
			.body_md = form_get(&f, "body_md"),
			.publish = str_eq(form_get(&f, "status"), "published"),
			.published_at = published_at,
			.featured = form_bool(&f, "is_featured"),
			.event_slug = form_get(&f, "event_slug"),
			.image = image,
			.image_alt = form_get(&f, "image_alt"),
			.image_credit = form_get(&f, "image_credit"),
			.categories = cats.v,
			.ncategories = cats.n,
		};
		int64_t new_id = id;
		e = id ? post_update(req->db, who, id, &in, time_now_s(), &errs)
		       : post_create(req->db, who, &in, time_now_s(), &new_id, &errs);
		if (e == HM_OK) {
			if (req->want_json) {
				res->status = id ? 200 : 201;
				if (!id)
					http_res_header(res, "Location",
							arena_printf(&req->pool, "/api/v1/posts/%lld",
								     (long long)new_id));
				http_res_page(res, post_api_model(req, new_id), NULL, NULL);
				return HM_OK;
			}
			return web_redirect(req, res,
					    arena_printf(&req->pool, "/admin/news/%lld?saved=1",
							 (long long)new_id));
		}
		if (e == HM_EFORBIDDEN)
			return http_fail(res, e, "Your account may not post news for this event.");
		if (e != HM_EINVAL && e != HM_EEXIST)
			return e;
		news_web_apply_errors(req, &f, &errs);
	}

	json_t *fj = form_model(req, &f, &errs);
	if (!preview || f.nerrors)
		res->status = 400;
	if (e == HM_EEXIST)
		res->status = 409;
	if (req->want_json) {
		http_res_page(res, fj, NULL, NULL);
		return HM_OK;
	}
	json_t *pv = NULL;
	if (preview) {
		const char *md = form_get(&f, "body_md");
		char *html = markdown_to_html(md ? md : "", md ? strlen(md) : 0);
		pv = json_pack("{s:s?, s:s?, s:s}", "title", form_get(&f, "title"), "summary",
			       form_get(&f, "summary"), "html", html);
		free(html);
		json_object_set_new(pv, "image_url",
				    image && media_name_is_original(image)
					    ? json_sprintf("/media/%s", image)
					    : json_null());
		json_object_set_new(pv, "image_alt", form_get(&f, "image_alt")
							     ? json_string(form_get(&f, "image_alt"))
							     : json_string(""));
		json_object_set_new(pv, "image_credit", form_get(&f, "image_credit")
								? json_string(form_get(&f, "image_credit"))
								: json_null());
	}
	/* The checked boxes as sent, even when the domain refused one. */
	return render_post_form(req, res, fj, &cats, post, pv);
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
	return render_post_form(req, res, form, NULL, NULL, NULL);
}

static enum hm_err post_edit_form(struct http_req *req, struct http_res *res)
{
	int64_t id = site_id_param(req);
	struct auth_scope scope;
	enum hm_err e = news_web_gate(req, res);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	if (!id || post_scope(req->db, id, &scope) != HM_OK)
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	if ((e = web_require(req, res, AUTH_NEWS_EDIT, &scope)) != HM_OK)
		return e;
	json_t *post = post_admin_get(req->db, id, time_now_s());
	if (!post)
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	post_hide_unseen_event(web_principal(req), post, &scope);
	const char *tz = news_site_timezone(req->db, &req->pool);
	decorate_admin_post(req, post, tz);
	json_t *values = post_as_input(post);
	struct slug_list cats = {0};
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(values, "categories"), i, c)
		news_web_slug_add(&cats, arena_strdup(&req->pool, json_string_value(c)));
	json_object_del(values, "categories");
	json_object_set_new(values, "is_featured",
			    json_string(json_is_true(json_object_get(post, "is_featured")) ? "1" : "0"));
	const char *at = json_string_value(json_object_get(post, "published_at"));
	if (at) {
		const char *local = tz_utc_to_local(&req->pool, tz, time_parse_rfc3339(at));
		json_object_set_new(values, "published_at", local ? json_string(local) : json_null());
	}
	if (req->want_json) {
		json_decref(values);
		http_res_page(res, post, NULL, NULL);
		return HM_OK;
	}
	json_t *form = json_pack("{s:o, s:{}, s:b}", "values", values, "errors", "has_errors", 0);
	e = render_post_form(req, res, form, &cats, post, NULL);
	json_decref(post);
	return e;
}

static enum hm_err post_create_h(struct http_req *req, struct http_res *res)
{
	return post_save(req, res, 0);
}

static enum hm_err post_update_h(struct http_req *req, struct http_res *res)
{
	int64_t id = site_id_param(req);
	if (!id)
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	return post_save(req, res, id);
}

/* The common start of publish, unpublish and delete: gate, post, CSRF. */
static enum hm_err post_action_begin(struct http_req *req, struct http_res *res, int64_t *id)
{
	struct auth_scope scope;
	web_private(req, res);
	enum hm_err e = news_web_gate(req, res);
	if (e != HM_OK)
		return e;
	*id = site_id_param(req);
	if (!*id || post_scope(req->db, *id, &scope) != HM_OK)
		return http_fail(res, HM_ENOTFOUND, "There is no such post.");
	if ((e = web_require(req, res, AUTH_NEWS_EDIT, &scope)) != HM_OK)
		return e;
	return HM_OK;
}

static enum hm_err post_publish_common(struct http_req *req, struct http_res *res, int publish)
{
	int64_t id;
	enum hm_err e = post_action_begin(req, res, &id);
	if (e != HM_OK)
		return e;
	e = post_set_published(req->db, web_principal(req), id, publish, time_now_s());
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		http_res_page(res, post_api_model(req, id), NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res, "/admin/news");
}

static enum hm_err post_publish_h(struct http_req *req, struct http_res *res)
{
	return post_publish_common(req, res, 1);
}

static enum hm_err post_unpublish_h(struct http_req *req, struct http_res *res)
{
	return post_publish_common(req, res, 0);
}

static enum hm_err post_delete_h(struct http_req *req, struct http_res *res)
{
	int64_t id;
	enum hm_err e = post_action_begin(req, res, &id);
	if (e != HM_OK)
		return e;
	if ((e = post_delete(req->db, web_principal(req), id, time_now_s())) != HM_OK)
		return e;
	if (req->want_json) {
		http_res_page(res, json_pack("{s:b}", "deleted", 1), NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res, "/admin/news");
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
	json_t *m = json_pack("{s:b, s:o, s:s, s:b, s:s}", "has_posts", json_array_size(posts) > 0,
			      "posts", posts, "csrf", web_csrf_token(req, res),
			      "can_manage_categories",
			      auth_can(web_principal(req), AUTH_NEWS_EDIT, NULL), "timezone", tz);
	news_web_nav(m, "news");
	http_res_page(res, m, "admin/news", web_t(req, "News"));
	return HM_OK;
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
	json_t *p = post_api_model(req, id);
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
	{POST, "/admin/news", post_create_h, WEB_STAFF | WEB_CSRF},
	{GET, "/admin/news/new", post_new_form, WEB_STAFF},
	{GET, "/admin/news/{id}", post_edit_form, WEB_PRIVATE},
	/* …/edit, as every other kind's edit page is addressed */
	{GET, "/admin/news/{id}/edit", post_edit_form, WEB_PRIVATE},
	{POST, "/admin/news/{id}", post_update_h, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/news/{id}/publish", post_publish_h, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/news/{id}/unpublish", post_unpublish_h, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/news/{id}/delete", post_delete_h, WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/posts", api_posts, WEB_JSON},
	{POST, "/api/v1/posts", post_create_h, WEB_JSON | WEB_STAFF | WEB_CSRF},
	{GET, "/api/v1/posts/{id}", api_post, WEB_JSON},
	{PATCH, "/api/v1/posts/{id}", post_update_h, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/posts/{id}", post_delete_h, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{POST, "/api/v1/posts/{id}/publish", post_publish_h, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{POST, "/api/v1/posts/{id}/unpublish", post_unpublish_h, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	WEB_ROUTES_END,
};
