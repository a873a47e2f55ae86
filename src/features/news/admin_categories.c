/*
 * admin_categories.c — news categories for administrators
 * (/admin/categories and /api/v1/categories): the list, the form,
 * deleting one no post uses; everyone may read them through the API,
 * with the count of public posts.
 */
#include "site/confirm.h"
#include "site/feature.h"
#include "site/site.h"
#include "features/news/news_web.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "features/news/news.h"
#include "features/news/news_internal.h"

#include <string.h>

/* ---------------------------------------------------------- categories */

static const struct field category_fields[] = {
	{.name = "name", .kind = FIELD_TEXT, .required = 1, .max_len = CATEGORY_NAME_MAX},
	{.name = "slug", .kind = FIELD_SLUG, .max_len = SLUG_MAX},
};

static enum hm_err gate_categories(struct http_req *req, struct http_res *res)
{
	return web_require(req, res, AUTH_NEWS_EDIT, NULL);
}

static void decorate_category(json_t *c)
{
	json_int_t id = json_integer_value(json_object_get(c, "id"));
	json_object_set_new(c, "edit_url", json_sprintf("/admin/categories/%lld", (long long)id));
	json_object_set_new(c, "url", json_sprintf("/news/category/%s",
						   json_string_value(json_object_get(c, "slug"))));
	json_object_set_new(c, "in_use", json_boolean(json_integer_value(json_object_get(c, "posts")) > 0));
}

static enum hm_err page_admin_categories(struct http_req *req, struct http_res *res)
{
	enum hm_err e = gate_categories(req, res);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	json_t *cats = category_admin_list(req->db);
	size_t i;
	json_t *c;
	json_array_foreach(cats, i, c)
		decorate_category(c);
	json_t *m = json_pack("{s:b, s:o}", "has_categories", json_array_size(cats) > 0,
			      "categories", cats);
	if (http_query(req, "in_use"))
		json_object_set_new(m, "in_use_error", json_true());
	return adm_page(req, res, m, "admin/categories", web_t(req, "Categories"), "categories");
}

static enum hm_err render_category_form(struct http_req *req, struct http_res *res,
					json_t *form, const json_t *cat)
{
	json_t *m = json_pack("{s:o, s:s}", "form", form, "csrf", web_csrf_token(req, res));
	if (cat) {
		json_object_set_new(m, "category", json_deep_copy(cat));
		json_object_set_new(m, "action",
				    json_sprintf("/admin/categories/%lld",
						 (long long)json_integer_value(json_object_get(cat, "id"))));
	} else {
		json_object_set_new(m, "is_new", json_true());
		json_object_set_new(m, "action", json_string("/admin/categories"));
	}
	news_web_nav(m, "categories");
	http_res_page(res, m, "admin/categories_form",
		      cat ? arena_strdup(&req->pool, json_string_value(json_object_get(cat, "name")))
			  : web_t(req, "New category"));
	return HM_OK;
}

static enum hm_err category_new_form(struct http_req *req, struct http_res *res)
{
	enum hm_err e = gate_categories(req, res);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	return render_category_form(req, res, json_pack("{s:{}, s:{}, s:b}", "values", "errors",
							"has_errors", 0),
				    NULL);
}

static enum hm_err category_edit_form(struct http_req *req, struct http_res *res)
{
	enum hm_err e = gate_categories(req, res);
	if (e != HM_OK)
		return e;
	web_private(req, res);
	json_t *c = category_admin_get(req->db, site_id_param(req));
	if (!c)
		return http_fail(res, HM_ENOTFOUND, "There is no such category.");
	decorate_category(c);
	if (req->want_json) {
		http_res_page(res, c, NULL, NULL);
		return HM_OK;
	}
	json_t *form = json_pack("{s:{s:O, s:O}, s:{}, s:b}", "values", "name",
				 json_object_get(c, "name"), "slug", json_object_get(c, "slug"),
				 "errors", "has_errors", 0);
	e = render_category_form(req, res, form, c);
	json_decref(c);
	return e;
}

/* ------------------------------------------------------ the kind table */

static json_t *cat_get(struct db *db, const char *key)
{
	int64_t id;
	if (!key || !text_int_parse(key, &id) || id <= 0)
		return NULL;
	return category_admin_get(db, id);
}

static int cat_may(const struct principal *p)
{
	return auth_can(p, AUTH_NEWS_EDIT, NULL);
}

static int cat_may_edit(struct db *db, const struct principal *p, const json_t *before)
{
	(void)db;
	(void)before;
	return cat_may(p);
}

static json_t *cat_merge(const json_t *cur, const json_t *in)
{
	json_t *m = json_deep_copy(cur);
	static const char *const keys[] = {"name", "slug"};
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(in, keys[i]);
		if (v)
			json_object_set(m, keys[i], v);
	}
	return m;
}

static json_t *cat_defaults(void)
{
	return json_object();
}

static int cat_check(const json_t *m, struct field_errors *errs)
{
	int n = errs->n;
	const char *name = json_string_value(json_object_get(m, "name"));
	const char *slug = json_string_value(json_object_get(m, "slug"));
	if (!name || !*name)
		field_error_add(errs, "name", "This field is required.");
	else if (news_too_long(name, CATEGORY_NAME_MAX))
		field_error_add(errs, "name", "This is too long.");
	if (slug && *slug && !slug_valid(slug))
		field_error_add(errs, "slug", "Use lower-case letters, digits and single hyphens only.");
	return errs->n - n;
}

static enum hm_err cat_write(struct db *db, const json_t *m, int64_t ref, int64_t id,
			     const char *ts, int64_t *id_out)
{
	(void)ref; /* a category refers to nothing */
	(void)ts;  /* nor keeps its times */
	struct db_stmt *st = news_admin_prep(db, id ? SQL_CAT_UPDATE : SQL_CAT_INSERT);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, json_string_value(json_object_get(m, "slug")));
	db_bind_text(st, 2, json_string_value(json_object_get(m, "name")));
	if (id)
		db_bind_int(st, 3, id);
	enum hm_err e = db_run(st);
	if (e == HM_OK)
		*id_out = id ? id : db_last_insert_id(db);
	return e;
}

static const char *cat_action(const json_t *before, const json_t *after)
{
	(void)after;
	return before ? "category.update" : "category.create";
}

/* What a deletion keeps in the trash: the row (only a category no post
 * uses is deleted). */
static const char *const trash_cat_cols[] = {"id", "slug", "name", NULL};
static const struct kind_part cat_trash[] = {
	{"category", "SELECT id, slug, name FROM category WHERE id = ?",
	 "INSERT INTO category (id, slug, name) VALUES (?, ?, ?)", trash_cat_cols, "id"},
	{NULL, NULL, NULL, NULL, NULL},
};

static const struct kind_keep_rule cat_keep[] = {
	{1, NULL, "SELECT count(*) FROM post_category WHERE category_id = ?",
	 N_("Posts use this category. Remove it from them before deleting it."), NULL},
	{0, NULL, NULL, NULL, NULL},
};

/* The one of the path, for those who may change categories: 404 when
 * there is none. */
static enum hm_err cat_for_edit(struct http_req *req, struct http_res *res, json_t **out)
{
	*out = NULL;
	res->no_store = 1;
	enum hm_err e = gate_categories(req, res);
	if (e != HM_OK)
		return e;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *c = cat_get(req->db, http_param(req, "id"));
	db_rollback(req->db);
	if (!c)
		return http_fail(res, HM_ENOTFOUND, "There is no such category.");
	*out = c;
	return HM_OK;
}

static void cat_api_item(struct http_req *req, json_t *c)
{
	(void)req; /* only those who may change categories are answered so */
	decorate_category(c);
}

/* The form again, with what was sent and what was wrong. */
static enum hm_err cat_form_page(struct http_req *req, struct http_res *res, json_t *cat,
				 json_t *fj)
{
	if (cat)
		decorate_category(cat);
	enum hm_err e = render_category_form(req, res, fj, cat);
	json_decref(cat);
	return e;
}

const struct kind category_kind = {
	.key = "categories",
	.entity = "category",
	.missing = N_("There is no such category."),
	.admin_path = "/admin/categories",
	.api_path = "/api/v1/categories",
	.param = "id",
	.saved_to = "/admin/categories",
	.fields = category_fields,
	.nfields = HM_ARRAY_LEN(category_fields),
	.list = category_admin_list,
	.get = cat_get,
	.snapshot = cat_get,
	.edit_action = AUTH_NEWS_EDIT,
	.may_edit = cat_may_edit,
	.may_create = cat_may,
	.may_create_web = gate_categories,
	.for_edit = cat_for_edit,
	.merge = cat_merge,
	.defaults = cat_defaults,
	.check = cat_check,
	.slug_taken_sql = "SELECT 1 FROM category WHERE slug = ? AND id <> ?",
	.slug_from = "name",
	.slug_taken_msg = N_("Another category already has this address."),
	.write = cat_write,
	.action = cat_action,
	.delete_sql = "DELETE FROM category WHERE id = ?",
	.delete_action = "category.delete",
	.keep = cat_keep,
	.trash = cat_trash,
	.name_field = "name",
	.api_item = cat_api_item,
	.form_page = cat_form_page,
};

/* The admin list's delete button: back to the list, which says why when
 * posts still use it. The API's DELETE is adm_h_delete's. */
static enum hm_err category_delete_h(struct http_req *req, struct http_res *res)
{
	web_private(req, res);
	enum hm_err e = gate_categories(req, res);
	int64_t trash_id = 0;
	if (e != HM_OK)
		return e;
	if (!web_confirmed(req)) {
		json_t *t;
		if ((e = cat_for_edit(req, res, &t)) != HM_OK)
			return e;
		web_own(req, t);
		e = adm_delete_ask(req, res, &category_kind, t);
		/* In use: the list says so, as after the button. */
		if (e == HM_ECONFLICT)
			return web_redirect(req, res, "/admin/categories?in_use=1");
		return e;
	}
	e = kind_delete_trash(&category_kind, req->db, web_principal(req), http_param(req, "id"),
			      time_now_s(), NULL, &trash_id);
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such category.");
	if (e == HM_ECONFLICT)
		return web_redirect(req, res, "/admin/categories?in_use=1");
	if (e == HM_EFORBIDDEN)
		return http_fail(res, e, "Only administrators may delete this.");
	if (e != HM_OK)
		return e;
	return adm_deleted(req, res, &category_kind, trash_id);
}

/* GET /api/v1/categories: public counts for everyone, all posts counted
 * for those who manage them. */
static enum hm_err api_categories(struct http_req *req, struct http_res *res)
{
	json_t *cats;
	if (auth_can(web_principal(req), AUTH_NEWS_EDIT, NULL)) {
		web_private(req, res);
		cats = category_admin_list(req->db);
	} else {
		cats = category_list(req->db, web_now(req));
	}
	size_t i;
	json_t *c;
	json_array_foreach(cats, i, c)
		json_object_set_new(c, "url", json_sprintf("/news/category/%s",
							   json_string_value(json_object_get(c, "slug"))));
	http_res_page(res, json_pack("{s:o}", "categories", cats), NULL, NULL);
	return HM_OK;
}

/* GET /api/v1/categories/{id}: public, with the count of published posts
 * for everyone but those who manage categories. */
static enum hm_err api_category(struct http_req *req, struct http_res *res)
{
	json_t *c = category_admin_get(req->db, site_id_param(req));
	if (!c)
		return http_fail(res, HM_ENOTFOUND, "There is no such category.");
	if (auth_can(web_principal(req), AUTH_NEWS_EDIT, NULL)) {
		web_private(req, res);
	} else {
		json_t *pub = category_list(req->db, web_now(req));
		size_t i;
		json_t *o;
		json_object_set_new(c, "posts", json_integer(0));
		json_array_foreach(pub, i, o)
			if (json_equal(json_object_get(o, "slug"), json_object_get(c, "slug")))
				json_object_set(c, "posts", json_object_get(o, "posts"));
		json_decref(pub);
	}
	decorate_category(c);
	json_object_del(c, "edit_url");
	json_object_del(c, "in_use");
	http_res_page(res, c, NULL, NULL);
	return HM_OK;
}

const struct route category_admin_routes[] = {
	{GET, "/admin/categories", page_admin_categories, WEB_STAFF},
	{POST, "/admin/categories", adm_h_save, WEB_STAFF | WEB_CSRF, &category_kind},
	{GET, "/admin/categories/new", category_new_form, WEB_STAFF},
	{GET, "/admin/categories/{id}", category_edit_form, WEB_PRIVATE},
	/* …/edit, as every other kind's edit page is addressed */
	{GET, "/admin/categories/{id}/edit", category_edit_form, WEB_PRIVATE},
	{POST, "/admin/categories/{id}", adm_h_save, WEB_PRIVATE | WEB_CSRF, &category_kind},
	{POST, "/admin/categories/{id}/delete", category_delete_h, WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/categories", api_categories, WEB_JSON},
	{POST, "/api/v1/categories", adm_h_save, WEB_JSON | WEB_STAFF | WEB_CSRF, &category_kind},
	{GET, "/api/v1/categories/{id}", api_category, WEB_JSON},
	{PATCH, "/api/v1/categories/{id}", adm_h_save, WEB_JSON | WEB_PRIVATE | WEB_CSRF, &category_kind},
	{DELETE, "/api/v1/categories/{id}", adm_h_delete, WEB_JSON | WEB_PRIVATE | WEB_CSRF,
	 &category_kind},
	WEB_ROUTES_END,
};
