/*
 * kind.c — the plumbing the admin pages of every kind share: labels of
 * stored values, the page frame and gates, and the handlers that serve
 * every kind through its struct kind (edit page, save, status change,
 * delete, API list and get).
 */
#include "site/kind.h"
#include "site/site.h"

#include "site/feature.h"

#include "core/text.h"
#include "db/db.h"
#include "site/confirm.h"
#include "site/old_address.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <assert.h>
#include <string.h>

/* ============================================================== labels */

/* The statuses every kind may have; the rest of the vocabulary is the
 * features' (struct feature's vocab). */
static const struct vocab statuses[] = {
	{"draft", N_("Draft"), N_("Drafts")},
	{"published", N_("Published"), N_("Published")},
	{"cancelled", N_("Cancelled"), N_("Cancelled")},
	{NULL, NULL, NULL},
};

static const struct vocab *vocab_find(const struct vocab *v, const char *key)
{
	for (; v && v->key; v++)
		if (strcmp(v->key, key) == 0)
			return v;
	return NULL;
}

const char *adm_label_n(struct http_req *req, const char *key, int plural)
{
	if (!key)
		return NULL;
	const struct vocab *v = vocab_find(statuses, key);
	for (const struct feature *const *f = site_features; !v && *f; f++)
		v = vocab_find((*f)->vocab, key);
	if (!v)
		return key;
	return web_t(req, plural && v->plural ? v->plural : v->label);
}

const char *adm_label(struct http_req *req, const char *key)
{
	return adm_label_n(req, key, 0);
}

json_t *adm_options(struct http_req *req, const char *const *list)
{
	json_t *a = json_array();
	for (; *list; list++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "value", *list, "label",
						   adm_label(req, *list)));
	return a;
}

json_t *adm_country_options(struct http_req *req)
{
	json_t *a = json_array();
	json_array_append_new(a, json_pack("{s:s, s:s}", "value", "", "label",
					   web_t(req, "— No country —")));
	json_t *all = fmt_country_options(&req->pool, req->lang, NULL);
	json_array_extend(a, all);
	json_decref(all);
	return a;
}

void adm_decorate_status(struct http_req *req, json_t *o)
{
	const char *s = web_str(o, "status");
	web_set_str(o, "status_label", adm_label(req, s));
	json_object_set_new(o, "status_class", json_sprintf("badge-%s", s ? s : "draft"));
	json_object_set_new(o, "is_draft", json_boolean(str_eq(s, "draft")));
	json_object_set_new(o, "is_published", json_boolean(str_eq(s, "published")));
	json_object_set_new(o, "is_cancelled", json_boolean(str_eq(s, "cancelled")));
}

int adm_count_status(const json_t *rows, const char *status)
{
	int n = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) n += str_eq(web_str(r, "status"), status);
	return n;
}

/* ========================================================== page frame */

enum hm_err adm_page(struct http_req *req, struct http_res *res, json_t *m, const char *tpl,
		     const char *title, const char *section)
{
	static const struct {
		const char *key, *msgid;
	} notices[] = {
		{"created", N_("Created. It is a draft until you publish it.")},
		{"saved", N_("Your changes are saved.")},
		{"published", N_("Published: everyone can see it now.")},
		{"unpublished", N_("Back to draft: the public no longer sees it.")},
		{"cancelled", N_("Marked as cancelled. The public page says so.")},
		{"added", N_("The organisation is added.")},
		{"removed", N_("Removed.")},
		{"moved", N_("The order is changed.")},
		{"granted", N_("The account now organises this event.")},
		{"revoked", N_("The account no longer organises this event.")},
		{"deleted", N_("Deleted.")},
		{"restored", N_("Restored, with all that went with it.")},
		{"released", N_("Released: the public sees this version of the programme now.")},
		{"copied", N_("This is a copy: give it its own time or room.")},
	};
	const char *done = http_query(req, "done");
	/* When the thing was made and changed, as its readers write dates. */
	static const char *const stamps[][2] = {{"created_at", "created_display"},
						{"updated_at", "updated_display"}};
	for (size_t i = 0; i < HM_ARRAY_LEN(stamps); i++)
		if (json_is_string(json_object_get(m, stamps[i][0])))
			site_display_time(req, m, stamps[i][0], stamps[i][1]);
	web_private(req, res);
	json_object_set_new(m, "admin_nav", json_pack("{s:b}", section, 1));
	json_object_set_new(m, "csrf", json_string(web_csrf_token(req, res)));
	for (size_t i = 0; done && i < HM_ARRAY_LEN(notices); i++)
		if (strcmp(done, notices[i].key) == 0)
			web_set_str(m, "notice", web_t(req, notices[i].msgid));
	/* What was done, with a way to see it or a way back. */
	const char *view = web_notice_view_get(req);
	if (view && json_object_get(m, "notice") && !str_eq(done, "deleted") &&
	    !str_eq(done, "unpublished"))
		web_set_str(m, "notice_view", view);
	const char *undo = http_query(req, "undo");
	int64_t undo_id = 0;
	if (str_eq(done, "deleted") && undo && text_int_parse(undo, &undo_id) &&
	    undo_id > 0)
		json_object_set_new(m, "notice_undo",
				    json_sprintf("/admin/trash/%lld/restore", (long long)undo_id));
	http_res_page(res, m, tpl, title);
	return HM_OK;
}

enum hm_err adm_gate_staff(struct http_req *req, struct http_res *res)
{
	res->no_store = 1;
	if (auth_is_staff(web_principal(req)))
		return HM_OK;
	return web_require(req, res, AUTH_SITE_ADMIN, NULL);
}

enum hm_err adm_api_answer(struct http_res *res, int status, json_t *model)
{
	res->status = status;
	http_res_page(res, model, NULL, NULL);
	return HM_OK;
}

void adm_api_cache(struct http_req *req, struct http_res *res)
{
	if (web_principal(req)->account_id == 0 && web_principal(req)->via == AUTH_VIA_NONE)
		res->cacheable = 1;
	else
		web_private(req, res);
}

enum hm_err adm_domain_fail(struct http_res *res, enum hm_err e)
{
	switch (e) {
	case HM_EFORBIDDEN: return http_fail(res, e, "Your account may not do this.");
	case HM_ENOTFOUND: return http_fail(res, e, "There is no such thing here.");
	case HM_ECONFLICT: return http_fail(res, e, "This cannot be done in its present state.");
	case HM_EEXIST: return http_fail(res, e, "This already exists.");
	case HM_EINVAL: return http_fail(res, e, "The request is not valid.");
	default: return e;
	}
}

json_t *adm_empty_form(void)
{
	return json_pack("{s:{}, s:{}, s:b}", "values", "errors", "has_errors", 0);
}




/* ====================================================== every kind alike */

enum hm_err adm_for_edit(struct http_req *req, struct http_res *res, const struct kind *k,
			 json_t **out)
{
	json_t *t = NULL;
	struct auth_scope sc;
	if (k->for_edit)
		return k->for_edit(req, res, out);
	*out = NULL;
	res->no_store = 1; /* errors included: an admin page says nothing to caches */
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	t = k->get(req->db, http_param(req, kind_param(k)));
	db_rollback(req->db);
	/* 404 when p may not see it, 403 when p may see but not edit it. */
	if (!t || !k->visible(web_principal(req), t)) {
		json_decref(t);
		return http_fail(res, HM_ENOTFOUND, k->missing);
	}
	k->scope(t, &sc);
	enum hm_err e = web_require(req, res, k->edit_action, &sc);
	if (e != HM_OK) {
		json_decref(t);
		return e;
	}
	*out = t;
	return HM_OK;
}

/* Why one cannot be deleted, as a sentence. */
static const char *keep_message(struct http_req *req, const struct kind_keep_why *why)
{
	const struct kind_keep_rule *r = why->rule;
	if (!r || !r->one)
		return web_t(req, "This cannot be done in its present state.");
	if (!r->many)
		return web_t(req, r->one);
	return arena_printf(&req->pool,
			    i18n_ngettext(req->lang, r->one, r->many, (unsigned long)why->n),
			    (long long)why->n);
}

/* t's "deletion" for the edit page: admins see the form, or why it cannot
 * be deleted; others nothing. */
static enum hm_err adm_deletion(struct http_req *req, const struct kind *k, json_t *t)
{
	struct kind_keep_why why = {NULL, 0};
	enum hm_err e = HM_OK;
	if (!kind_may_delete(k, req->db, web_principal(req), t)) {
		json_object_set_new(t, "deletion", json_null());
		return HM_OK;
	}
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	e = kind_keep(k, req->db, t, &why);
	db_rollback(req->db);
	if (e != HM_OK)
		return e;
	char key[24];
	json_t *d = json_pack("{s:o, s:b}", "action",
			      json_sprintf("%s/%s/delete", k->admin_path, kind_key(k, t, key)),
			      "may", why.rule == NULL);
	web_set_str(d, "reason", why.rule ? keep_message(req, &why) : NULL);
	json_object_set_new(t, "deletion", d);
	return HM_OK;
}

enum hm_err adm_edit_page(struct http_req *req, struct http_res *res, const struct kind *k)
{
	json_t *t;
	enum hm_err e = adm_for_edit(req, res, k, &t);
	if (e != HM_OK)
		return e;
	if ((e = adm_deletion(req, k, t)) != HM_OK) {
		json_decref(t);
		return e;
	}
	if (k->tr) {
		char key[24];
		json_object_set_new(t, "translations_url",
				    json_sprintf("%s/%s/translations", k->admin_path, kind_key(k, t, key)));
	}
	/* The notice of a save links to the public page, when there is one. */
	struct principal visitor;
	char url[256];
	auth_principal_visitor(&visitor);
	if ((!k->visible || k->visible(&visitor, t)) && kind_public_url(k, t, url, sizeof(url)))
		web_notice_view(req, url);
	return k->form_page(req, res, t, adm_values_of(t, k->fields, k->nfields, k->list_field));
}

/* 1 if a form (not a JSON call) asks k for a preview rather than a save. */
static int asks_preview(struct http_req *req, const struct kind *k)
{
	const char *ct = req->content_type ? req->content_type : "";
	struct kv_list kv;
	if (!k->preview || req->want_json || strncasecmp(ct, "application/json", 16) == 0)
		return 0;
	form_pairs(req, &kv);
	for (size_t i = 0; i < kv.n; i++)
		if (strcmp(kv.items[i].key, "preview") == 0)
			return 1;
	return 0;
}

/* The form again with what it sent and its preview beside it; nothing is
 * saved. cur: the thing edited (NULL: a new one). */
static enum hm_err preview_page(struct http_req *req, struct http_res *res, const struct kind *k,
				json_t *cur, struct adm_input *in)
{
	if (in->f.error) {
		adm_input_free(in);
		return http_fail(res, HM_EINVAL, "The form could not be read. Please try again.");
	}
	if (in->f.nerrors)
		res->status = 400;
	json_t *fj = adm_input_form_json(in);
	json_object_set_new(fj, "preview", k->preview(req, &in->f));
	adm_input_free(in);
	return k->form_page(req, res, json_incref(cur), fj);
}

enum hm_err adm_save(struct http_req *req, struct http_res *res, const struct kind *k)
{
	const struct principal *p = web_principal(req);
	const char *slug = http_param(req, kind_param(k));
	struct field_errors errs = {0};
	struct adm_input in;
	json_t *cur = NULL, *out = NULL;
	int preview = asks_preview(req, k);
	enum hm_err e;

	web_private(req, res);
	if (slug) {
		if ((e = adm_for_edit(req, res, k, &cur)) != HM_OK)
			return e;
		web_own(req, cur);
	} else if (k->may_create_web && (e = k->may_create_web(req, res)) != HM_OK) {
		return e;
	}
	/* A preview shows the whole form as sent, required fields included. */
	e = adm_input_read(req, k->fields, k->nfields, k->list_field, k->json_extra,
			   slug && !preview, &in);
	if (k->input_extra) {
		k->input_extra(req, &in);
		if (in.f.nerrors)
			e = HM_EINVAL;
	}
	if (preview)
		return preview_page(req, res, k, cur, &in);
	if (e == HM_OK) {
		json_t *j = adm_input_json(&in);
		e = kind_save(k, req->db, p, slug, j, time_now_s(), &out, &errs);
		json_decref(j);
		/* A refused change of status, or a conflict the domain explains, is
		 * shown on the form. */
		if (e != HM_OK && e != HM_EINVAL && e != HM_EEXIST &&
		    !(e == HM_ECONFLICT && errs.n)) {
			adm_input_free(&in);
			return adm_domain_fail(res, e);
		}
		adm_input_errors(req, &in, &errs);
	}
	if (e != HM_OK) {
		json_t *fj = adm_input_form_json(&in);
		adm_input_free(&in);
		res->status = e == HM_EINVAL ? 400 : 409;
		if (req->want_json)
			return adm_api_answer(res, res->status, fj);
		/* form_page takes its own reference; the request keeps ours. */
		return k->form_page(req, res, json_incref(cur), fj);
	}
	adm_input_free(&in);
	char key[24];
	const char *at = arena_strdup(&req->pool, kind_key(k, out, key));
	if (req->want_json) {
		k->api_item(req, out);
		if (!slug)
			http_res_header(res, "Location",
					arena_printf(&req->pool, "%s/%s", k->api_path, at));
		return adm_api_answer(res, slug ? 200 : 201, out);
	}
	const char *to = k->saved_to ? k->saved_to
				     : arena_printf(&req->pool, "%s/%s/edit?done=%s", k->admin_path,
						    at, slug ? "saved" : k->done_created);
	json_decref(out);
	return web_redirect(req, res, to);
}

/* adm_set_status; now: a publication at once (kind_publish_now). */
static enum hm_err set_status(struct http_req *req, struct http_res *res, const struct kind *k,
			      const char *status, const char *done, int now)
{
	json_t *t;
	enum hm_err e = adm_for_edit(req, res, k, &t);
	if (e != HM_OK)
		return e;
	web_own(req, t);
	const char *slug = http_param(req, kind_param(k));
	e = now ? kind_publish_now(k, req->db, web_principal(req), slug, time_now_s())
		: kind_set_status(k, req->db, web_principal(req), slug, status, time_now_s());
	if (e == HM_ECONFLICT) {
		/* Why, as the status it had when loaded says (a change between
		 * the two reads gets the general sentence). */
		const char *why = kind_status_refused(k, web_str(t, "status"), status);
		return http_fail(res, e, why ? why : "This cannot be done in its present state.");
	}
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	if (req->want_json && k->status_to)
		return adm_api_get(req, res, k, NULL); /* the thing as it is now */
	if (req->want_json)
		return adm_api_answer(res, 200,
				      json_pack("{s:s, s:s}", "slug", slug, "status", status));
	if (k->status_to)
		return web_redirect(req, res,
				    arena_printf(&req->pool, "%s?done=%s&%s=%s", k->status_to, done,
						 k->entity, slug));
	return web_redirect(req, res, arena_printf(&req->pool, "%s/%s/edit?done=%s", k->admin_path,
						   slug, done));
}

enum hm_err adm_set_status(struct http_req *req, struct http_res *res, const struct kind *k,
			   const char *status, const char *done)
{
	return set_status(req, res, k, status, done, 0);
}

/* The name of t for sentences, as its kind names it. */
static const char *name_of(const struct kind *k, const json_t *t)
{
	const char *s = k->name_field ? web_str(t, k->name_field) : NULL;
	return s ? s : "";
}

enum hm_err adm_delete_ask(struct http_req *req, struct http_res *res, const struct kind *k,
			   json_t *t)
{
	struct kind_keep_why why = {NULL, 0};
	char key[24];
	if (!kind_may_delete(k, req->db, web_principal(req), t))
		return http_fail(res, HM_EFORBIDDEN, "Only administrators may delete this.");
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	enum hm_err e = kind_keep(k, req->db, t, &why);
	db_rollback(req->db);
	if (e != HM_OK)
		return e;
	if (why.rule)
		return http_fail(res, HM_ECONFLICT, keep_message(req, &why));
	struct confirm c = {
		.question = arena_printf(&req->pool, web_t(req, "Delete “%s”?"), name_of(k, t)),
		.yes = web_t(req, "Yes, delete it"),
		.back = k->saved_to ? k->saved_to
				    : arena_printf(&req->pool, "%s/%s/edit", k->admin_path,
						   kind_key(k, t, key)),
		.admin = k->admin_path + strlen("/admin/"),
	};
	int n = 0;
	const char *s = web_str(t, "status");
	if (str_eq(s, "published") || str_eq(s, "cancelled"))
		c.lines[n++] = web_t(req, "Its public page will answer “not found”, and it leaves "
					  "every list and feed.");
	size_t gone = k->gone_key ? json_array_size(json_object_get(t, k->gone_key)) : 0;
	if (k->gone_sql && !json_object_get(t, k->gone_key) && web_read_begin(req) == HM_OK) {
		struct db_stmt *st = db_prepare(req->db, k->gone_sql);
		if (st) {
			db_bind_int(st, 1, json_integer_value(json_object_get(t, "id")));
			json_t *rows = db_rows_json(st);
			gone = json_array_size(rows);
			json_decref(rows);
		}
		db_rollback(req->db);
	}
	if (gone)
		c.lines[n++] = arena_printf(
			&req->pool,
			web_nt(req, "%d account organises it and will no longer do so.",
			       "%d accounts organise it and will no longer do so.", gone),
			(int)gone);
	if (k->trash)
		c.lines[n++] = arena_printf(&req->pool,
					    web_nt(req,
						   "It goes to the trash, where it can be restored "
						   "with all that goes with it for %d day.",
						   "It goes to the trash, where it can be restored "
						   "with all that goes with it for %d days.",
						   TRASH_DAYS),
					    TRASH_DAYS);
	else
		c.lines[n++] = web_t(req, "This cannot be undone.");
	return web_confirm_page(req, res, &c);
}

enum hm_err adm_delete(struct http_req *req, struct http_res *res, const struct kind *k)
{
	struct kind_keep_why why = {NULL, 0};
	int64_t trash_id = 0;
	json_t *t;
	enum hm_err e = adm_for_edit(req, res, k, &t);
	if (e != HM_OK)
		return e;
	web_own(req, t);
	if (!web_confirmed(req))
		return adm_delete_ask(req, res, k, t);
	e = kind_delete_trash(k, req->db, web_principal(req), http_param(req, kind_param(k)),
			      time_now_s(), &why, &trash_id);
	if (e == HM_ECONFLICT)
		return http_fail(res, e, keep_message(req, &why));
	if (e == HM_EFORBIDDEN)
		return http_fail(res, e, "Only administrators may delete this.");
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, k->missing);
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return adm_deleted(req, res, k, trash_id);
}

enum hm_err adm_deleted(struct http_req *req, struct http_res *res, const struct kind *k,
			int64_t trash_id)
{
	if (req->want_json) {
		/* as every other DELETE of the API answers, with the way back */
		json_t *m = json_pack("{s:b}", "deleted", 1);
		if (trash_id) {
			json_object_set_new(m, "trash_id", json_integer(trash_id));
			json_object_set_new(m, "restore",
					    json_sprintf("/api/v1/trash/%lld/restore",
							 (long long)trash_id));
		}
		http_res_page(res, m, NULL, NULL);
		return HM_OK;
	}
	const char *list = k->saved_to ? k->saved_to : k->admin_path;
	if (!trash_id)
		return web_redirect(req, res, arena_printf(&req->pool, "%s?done=deleted", list));
	return web_redirect(req, res, arena_printf(&req->pool, "%s?done=deleted&undo=%lld", list,
						   (long long)trash_id));
}

enum hm_err adm_api_list(struct http_req *req, struct http_res *res, const struct kind *k)
{
	const struct principal *p = web_principal(req);
	json_t *all = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	all = k->list(req->db);
	db_rollback(req->db);
	json_t *out = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(all, i, t) {
		if (k->visible && !k->visible(p, t))
			continue;
		k->api_item(req, t);
		json_array_append(out, t);
	}
	json_decref(all);
	adm_api_cache(req, res);
	return adm_api_answer(res, 200, json_pack("{s:o}", k->key, out));
}

/* The key of the path is none of k's: when it was the address of one p
 * may see, 301 to prefix/<its key now>; else k's 404. */
static enum hm_err kind_moved(struct http_req *req, struct http_res *res, const struct kind *k,
			      const char *prefix)
{
	json_t *t = NULL;
	const char *key = NULL;
	if (!k->address || !k->key_by_id_sql)
		return http_fail(res, HM_ENOTFOUND, k->missing);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	int64_t id = old_address_find(req->db, k->entity, http_param(req, kind_param(k)));
	struct db_stmt *st = id > 0 ? db_prepare(req->db, k->key_by_id_sql) : NULL;
	if (st) {
		db_bind_int(st, 1, id);
		if (db_step(st) == 1)
			key = arena_strdup(&req->pool, db_col_text(st, 0));
		db_done(st);
	}
	if (key)
		t = k->get(req->db, key);
	db_rollback(req->db);
	if (!t || (k->visible && !k->visible(web_principal(req), t))) {
		json_decref(t);
		return http_fail(res, HM_ENOTFOUND, k->missing);
	}
	json_decref(t);
	web_private(req, res);
	return web_moved(req, res, arena_printf(&req->pool, "%s/%s", prefix, key));
}

enum hm_err adm_api_get(struct http_req *req, struct http_res *res, const struct kind *k,
			json_t *(*view)(json_t *t))
{
	const struct principal *p = web_principal(req);
	json_t *t = NULL;
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	t = k->get(req->db, http_param(req, kind_param(k)));
	db_rollback(req->db);
	if (!t)
		return kind_moved(req, res, k, k->api_path);
	if (k->visible && !k->visible(p, t)) {
		json_decref(t);
		return http_fail(res, HM_ENOTFOUND, k->missing);
	}
	if (view) {
		t = view(t);
	} else {
		k->api_item(req, t);
	}
	adm_api_cache(req, res);
	return adm_api_answer(res, 200, t);
}

const char *kind_edit_url(struct http_req *req, const struct kind *k, const char *key)
{
	const struct principal *p = web_principal(req);
	if (!p->account_id || !key)
		return NULL;
	if (web_read_begin(req) != HM_OK)
		return NULL;
	/* The same question kind_save asks: its may_edit over the thing as
	 * stored, else the edit right in its scope. */
	json_t *t = k->snapshot ? k->snapshot(req->db, key) : k->get(req->db, key);
	int may = 0;
	if (t && (!k->visible || k->visible(p, t))) {
		if (k->may_edit) {
			may = k->may_edit(req->db, p, t);
		} else if (k->scope) {
			struct auth_scope sc;
			k->scope(t, &sc);
			may = auth_can(p, k->edit_action, &sc);
		}
	}
	db_rollback(req->db);
	db_failed_reset(req->db); /* a link not offered is not the page's failure */
	json_decref(t);
	return may ? arena_printf(&req->pool, "%s/%s/edit", k->admin_path, key) : NULL;
}

/* ============================================== the kind of the route */

static const struct kind *route_kind(const struct http_req *req)
{
	assert(req->route && req->route->data);
	return req->route->data;
}

enum hm_err adm_h_edit(struct http_req *req, struct http_res *res)
{
	return adm_edit_page(req, res, route_kind(req));
}

enum hm_err adm_h_save(struct http_req *req, struct http_res *res)
{
	return adm_save(req, res, route_kind(req));
}

enum hm_err adm_h_publish(struct http_req *req, struct http_res *res)
{
	return adm_set_status(req, res, route_kind(req), "published", "published");
}

enum hm_err adm_unpublish_ask(struct http_req *req, struct http_res *res, const struct kind *k,
			      const json_t *t, const char *back)
{
	struct confirm c = {
		.question = arena_printf(&req->pool, web_t(req, "Take “%s” back to draft?"),
					 name_of(k, t)),
		.lines = {web_t(req, "The public will no longer see it: its page will answer “not "
				     "found”, and it leaves every list and feed."),
			  web_t(req, "You can publish it again at any time; nothing is lost.")},
		.yes = web_t(req, "Yes, back to draft"),
		.back = back,
		.admin = k->admin_path + strlen("/admin/"),
	};
	return web_confirm_page(req, res, &c);
}

enum hm_err adm_h_unpublish(struct http_req *req, struct http_res *res)
{
	const struct kind *k = route_kind(req);
	if (!web_confirmed(req)) {
		json_t *t;
		char key[24];
		enum hm_err e = adm_for_edit(req, res, k, &t);
		if (e != HM_OK)
			return e;
		web_own(req, t);
		/* Only what the public sees is asked about. */
		if (str_eq(web_str(t, "status"), "published") ||
		    str_eq(web_str(t, "status"), "cancelled"))
			return adm_unpublish_ask(
				req, res, k, t,
				k->status_to ? k->status_to
					     : arena_printf(&req->pool, "%s/%s/edit", k->admin_path,
							    kind_key(k, t, key)));
	}
	return adm_set_status(req, res, k, "draft", "unpublished");
}

enum hm_err adm_h_publish_now(struct http_req *req, struct http_res *res)
{
	return set_status(req, res, route_kind(req), "published", "published", 1);
}

enum hm_err adm_h_delete(struct http_req *req, struct http_res *res)
{
	return adm_delete(req, res, route_kind(req));
}

enum hm_err adm_h_api_list(struct http_req *req, struct http_res *res)
{
	return adm_api_list(req, res, route_kind(req));
}

enum hm_err adm_h_api_get(struct http_req *req, struct http_res *res)
{
	return adm_api_get(req, res, route_kind(req), NULL);
}
