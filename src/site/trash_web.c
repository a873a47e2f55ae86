/*
 * trash_web.c — the trash's pages and API: what was deleted and may still
 * be restored (GET /admin/trash, /api/v1/trash), and restoring one (POST
 * /admin/trash/{id}/restore, /api/v1/trash/{id}/restore), the "Undo" of
 * the notice after a deletion. The store is trash.c.
 */
#include "site/feature.h"
#include "site/kind.h"
#include "site/site.h"
#include "site/web.h"

#include "db/db.h"
#include "view/i18n.h"

#include <string.h>

/* What each kind is called in the list. */
static const struct {
	const char *entity, *label;
} kinds[] = {
	{"series", N_("Series")},    {"event", N_("Event")}, {"organisation", N_("Organisation")},
	{"post", N_("News post")},   {"category", N_("Category")},
};

static const char *kind_label(struct http_req *req, const char *entity)
{
	for (size_t i = 0; i < HM_ARRAY_LEN(kinds); i++)
		if (str_eq(kinds[i].entity, entity))
			return web_t(req, kinds[i].label);
	return entity;
}

static enum hm_err page_trash(struct http_req *req, struct http_res *res)
{
	int64_t now = time_now_s();
	web_private(req, res);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	json_t *items = trash_list(req->db, web_principal(req), now);
	db_rollback(req->db);
	if (!items)
		return HM_EDB;
	size_t i;
	json_t *t;
	json_array_foreach(items, i, t) {
		web_set_str(t, "kind_label", kind_label(req, web_str(t, "entity")));
		site_display_time(req, t, "deleted_at", "deleted_display");
		json_object_set_new(t, "restore",
				    json_sprintf("/admin/trash/%lld/restore",
						 (long long)json_integer_value(json_object_get(t, "id"))));
	}
	if (req->want_json)
		return adm_api_answer(res, 200,
				      json_pack("{s:o, s:i}", "trash", items, "days", TRASH_DAYS));
	json_t *m = json_pack("{s:b, s:o, s:s}", "has_items", json_array_size(items) > 0, "items",
			      items, "days_text",
			      arena_printf(&req->pool,
					   web_nt(req,
						  "What is deleted stays here for %d day; then it "
						  "is gone.",
						  "What is deleted stays here for %d days; then it "
						  "is gone.",
						  TRASH_DAYS),
					   TRASH_DAYS));
	return adm_page(req, res, m, "pages/trash", web_t(req, "Trash"), "trash");
}

static enum hm_err post_restore(struct http_req *req, struct http_res *res)
{
	const struct kind *k = NULL;
	json_t *t = NULL;
	int64_t id = site_id_param(req);
	web_private(req, res);
	enum hm_err e = id ? trash_restore(req->db, web_principal(req), id, time_now_s(), &k, &t)
			   : HM_ENOTFOUND;
	switch (e) {
	case HM_OK: break;
	case HM_ENOTFOUND:
		return http_fail(res, e,
				 "There is nothing to restore here: it was restored already, or "
				 "deleted too long ago.");
	case HM_EEXIST:
		return http_fail(res, HM_ECONFLICT,
				 "Its address is used by something else now: give that one another "
				 "address first.");
	case HM_EFORBIDDEN: return http_fail(res, e, "Your account may not restore this.");
	default: return e;
	}
	web_own(req, t);
	char key[24];
	const char *at = arena_strdup(&req->pool, kind_key(k, t, key));
	if (req->want_json) {
		json_t *item = json_deep_copy(t);
		if (k->api_item)
			k->api_item(req, item);
		return adm_api_answer(res, 200,
				      json_pack("{s:b, s:s, s:o, s:o}", "restored", 1, "entity",
						k->entity, "location",
						json_sprintf("%s/%s", k->api_path, at), "item", item));
	}
	if (k->saved_to)
		return web_redirect(req, res,
				    arena_printf(&req->pool, "%s?done=restored", k->saved_to));
	return web_redirect(req, res,
			    arena_printf(&req->pool, "%s/%s/edit?done=restored", k->admin_path, at));
}

const struct route trash_routes[] = {
	{GET, "/admin/trash", page_trash, WEB_STAFF},
	{POST, "/admin/trash/{id}/restore", post_restore, WEB_STAFF | WEB_CSRF},
	{GET, "/api/v1/trash", page_trash, WEB_JSON | WEB_STAFF},
	{POST, "/api/v1/trash/{id}/restore", post_restore, WEB_JSON | WEB_STAFF | WEB_CSRF},
	WEB_ROUTES_END,
};
