/*
 * admin_categories.c — news categories for administrators
 * (/admin/categories and /api/v1/categories): the list, the form,
 * deleting one no post uses; everyone may read them through the API,
 * with the count of public posts.
 */
#include "site/feature.h"
#include "site/site.h"
#include "features/news/news_web.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "features/news/news.h"

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
	json_t *m = json_pack("{s:b, s:o, s:s}", "has_categories", json_array_size(cats) > 0,
			      "categories", cats, "csrf", web_csrf_token(req, res));
	if (http_query(req, "in_use"))
		json_object_set_new(m, "in_use_error", json_true());
	news_web_nav(m, "categories");
	http_res_page(res, m, "admin/categories", web_t(req, "Categories"));
	return HM_OK;
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

/* Creates (id 0) or updates a category from a form or JSON. */
static enum hm_err category_save_h(struct http_req *req, struct http_res *res, int64_t id)
{
	struct form f;
	struct field_errors errs = {0};
	json_t *cat = NULL;
	web_private(req, res);
	enum hm_err e = gate_categories(req, res);
	if (e != HM_OK)
		return e;
	if (id && !(cat = category_admin_get(req->db, id)))
		return http_fail(res, HM_ENOTFOUND, "There is no such category.");
	if (cat)
		decorate_category(cat);
	if (req->method == HTTP_PATCH && !news_web_json_body(req)) {
		json_decref(cat);
		return http_fail(res, HM_EINVAL, "PATCH takes a JSON object of the fields to change.");
	}
	if (cat && req->method == HTTP_PATCH) {
		struct slug_list unused = {0};
		json_t *cur = json_pack("{s:O, s:O}", "name", json_object_get(cat, "name"), "slug",
					json_object_get(cat, "slug"));
		e = news_web_json_prepare(req, cur, &unused);
		json_decref(cur);
		if (e != HM_OK) {
			json_decref(cat);
			return http_fail(res, HM_EINVAL, "The body must be a JSON object.");
		}
	}
	form_read(req, category_fields, HM_ARRAY_LEN(category_fields), &f);
	if (f.nerrors == 0 && !f.error) {
		int64_t new_id = id;
		e = id ? category_update(req->db, web_principal(req), id, form_get(&f, "name"),
					 form_get(&f, "slug"), time_now_s(), &errs)
		       : category_create(req->db, web_principal(req), form_get(&f, "name"),
					 form_get(&f, "slug"), time_now_s(), &new_id, &errs);
		if (e == HM_OK) {
			json_decref(cat);
			if (req->want_json) {
				json_t *c = category_admin_get(req->db, new_id);
				if (c)
					decorate_category(c);
				res->status = id ? 200 : 201;
				if (!id)
					http_res_header(res, "Location",
							arena_printf(&req->pool, "/api/v1/categories/%lld",
								     (long long)new_id));
				http_res_page(res, c, NULL, NULL);
				return HM_OK;
			}
			return web_redirect(req, res, "/admin/categories");
		}
		if (e != HM_EINVAL && e != HM_EEXIST) {
			json_decref(cat);
			return e;
		}
		news_web_apply_errors(req, &f, &errs);
	}
	res->status = 400;
	if (e == HM_EEXIST)
		res->status = 409;
	json_t *fj = form_json(&f);
	if (req->want_json) {
		json_decref(cat);
		http_res_page(res, fj, NULL, NULL);
		return HM_OK;
	}
	e = render_category_form(req, res, fj, cat);
	json_decref(cat);
	return e;
}

static enum hm_err category_create_h(struct http_req *req, struct http_res *res)
{
	return category_save_h(req, res, 0);
}

static enum hm_err category_update_h(struct http_req *req, struct http_res *res)
{
	int64_t id = site_id_param(req);
	if (!id)
		return http_fail(res, HM_ENOTFOUND, "There is no such category.");
	return category_save_h(req, res, id);
}

static enum hm_err category_delete_h(struct http_req *req, struct http_res *res)
{
	web_private(req, res);
	enum hm_err e = gate_categories(req, res);
	if (e != HM_OK)
		return e;
	e = category_delete(req->db, web_principal(req), site_id_param(req), time_now_s());
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such category.");
	if (e == HM_ECONFLICT) {
		if (!req->want_json)
			return web_redirect(req, res, "/admin/categories?in_use=1");
		return http_fail(res, e,
				 "Posts use this category. Remove it from them before deleting it.");
	}
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		http_res_page(res, json_pack("{s:b}", "deleted", 1), NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res, "/admin/categories");
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
	{POST, "/admin/categories", category_create_h, WEB_STAFF | WEB_CSRF},
	{GET, "/admin/categories/new", category_new_form, WEB_STAFF},
	{GET, "/admin/categories/{id}", category_edit_form, WEB_PRIVATE},
	/* …/edit, as every other kind's edit page is addressed */
	{GET, "/admin/categories/{id}/edit", category_edit_form, WEB_PRIVATE},
	{POST, "/admin/categories/{id}", category_update_h, WEB_PRIVATE | WEB_CSRF},
	{POST, "/admin/categories/{id}/delete", category_delete_h, WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/categories", api_categories, WEB_JSON},
	{POST, "/api/v1/categories", category_create_h, WEB_JSON | WEB_STAFF | WEB_CSRF},
	{GET, "/api/v1/categories/{id}", api_category, WEB_JSON},
	{PATCH, "/api/v1/categories/{id}", category_update_h, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/categories/{id}", category_delete_h, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	WEB_ROUTES_END,
};
