/*
 * translations.c — organisers' texts in other languages: the store, the
 * overlay a public page reads through, and the side-by-side editor and API
 * every kind with a struct translatable shares (translations.h).
 */
#include "site/translations.h"

#include "auth/auth.h"
#include "db/db.h"
#include "site/kind.h"
#include "site/web.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <assert.h>
#include <string.h>

/* ============================================================== store */

static const char SQL_VERSIONS[] =
	"SELECT lang, field, body FROM content_translation "
	"WHERE entity = ? AND entity_id = ? ORDER BY lang, field";
static const char SQL_ONE_LANG[] =
	"SELECT field, body FROM content_translation "
	"WHERE entity = ? AND entity_id = ? AND lang = ?";
static const char SQL_DROP_LANG[] =
	"DELETE FROM content_translation WHERE entity = ? AND entity_id = ? AND lang = ?";
static const char SQL_DROP_ALL[] =
	"DELETE FROM content_translation WHERE entity = ? AND entity_id = ?";
static const char SQL_INSERT[] =
	"INSERT INTO content_translation (entity, entity_id, lang, field, body, updated_at) "
	"VALUES (?, ?, ?, ?, ?, ?)";

json_t *tr_versions(struct db *db, const char *entity, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_VERSIONS);
	if (!st)
		return NULL;
	db_bind_text(st, 1, entity);
	db_bind_int(st, 2, id);
	json_t *out = json_object();
	int rc;
	while ((rc = db_step(st)) == 1) {
		const char *lang = db_col_text(st, 0);
		json_t *l = json_object_get(out, lang);
		if (!l)
			json_object_set_new(out, lang, l = json_object());
		json_object_set_new(l, db_col_text(st, 1), json_string(db_col_text(st, 2)));
	}
	db_done(st);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static enum hm_err drop(struct db *db, const char *sql, const char *entity, int64_t id,
			const char *lang)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, entity);
	db_bind_int(st, 2, id);
	if (lang)
		db_bind_text(st, 3, lang);
	return db_run(st);
}

enum hm_err tr_store(struct db *db, const char *entity, int64_t id, const char *lang,
		     json_t *fields, const char *ts)
{
	enum hm_err e = drop(db, SQL_DROP_LANG, entity, id, lang);
	for (void *it = json_object_iter(fields); it && e == HM_OK;
	     it = json_object_iter_next(fields, it)) {
		const char *name = json_object_iter_key(it);
		const char *text = json_string_value(json_object_iter_value(it));
		if (!text || !text[0])
			continue;
		struct db_stmt *st = db_prepare(db, SQL_INSERT);
		if (!st)
			return HM_EDB;
		db_bind_text(st, 1, entity);
		db_bind_int(st, 2, id);
		db_bind_text(st, 3, lang);
		db_bind_text(st, 4, name);
		db_bind_text(st, 5, text);
		db_bind_text(st, 6, ts);
		e = db_run(st);
	}
	return e;
}

enum hm_err tr_forget(struct db *db, const char *entity, int64_t id)
{
	return drop(db, SQL_DROP_ALL, entity, id, NULL);
}

const char *const tr_trash_cols[] = {"entity_id", "lang", "field", "body", "updated_at", NULL};

/* ============================================================ overlay */

static int listed(const char *const *fields, const char *name)
{
	for (; *fields; fields++)
		if (strcmp(*fields, name) == 0)
			return 1;
	return 0;
}

void tr_overlay(struct http_req *req, const char *entity, const char *const *fields, json_t *obj)
{
	if (!json_is_object(obj))
		return;
	/* Only the public reads select lang: what an organiser edits is the
	 * original, always. */
	const char *own = json_string_value(json_object_get(obj, "lang"));
	const char *want = req->lang ? req->lang : "en";
	if (!own)
		return;
	json_t *text_lang = json_object();
	for (const char *const *f = fields; *f; f++)
		if (json_object_get(obj, *f))
			json_object_set_new(text_lang, *f, json_string(own));
	json_int_t id = json_integer_value(json_object_get(obj, "id"));
	if (strcmp(own, want) != 0 && id > 0) {
		struct db_stmt *st = db_prepare(req->db, SQL_ONE_LANG);
		if (st) {
			db_bind_text(st, 1, entity);
			db_bind_int(st, 2, id);
			db_bind_text(st, 3, want);
			while (db_step(st) == 1) {
				const char *field = db_col_text(st, 0);
				if (!listed(fields, field))
					continue; /* a field no longer translated */
				json_object_set_new(obj, field, json_string(db_col_text(st, 1)));
				json_object_set_new(text_lang, field, json_string(want));
			}
			db_done(st);
		}
	}
	json_object_set_new(obj, "text_lang", text_lang);
}

void tr_overlay_list(struct http_req *req, const char *entity, const char *const *fields,
		     json_t *list)
{
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
		tr_overlay(req, entity, fields, o);
}

/* =========================================================== the web */

static const struct kind *route_kind(const struct http_req *req)
{
	assert(req->route && req->route->data);
	const struct kind *k = req->route->data;
	assert(k->tr);
	return k;
}

/* The kind's declared field named name (NULL: none). */
static const struct field *kind_field(const struct kind *k, const char *name)
{
	for (size_t i = 0; i < k->nfields; i++)
		if (strcmp(k->fields[i].name, name) == 0)
			return &k->fields[i];
	return NULL;
}

/* The fields a version has, as the form reads them: the kind's own checks
 * and limits, none required (a version may leave a field to the
 * original). */
static size_t version_fields(const struct kind *k, struct field *out, size_t max)
{
	size_t n = 0;
	for (const char *const *f = k->tr->fields; *f && n < max; f++) {
		const struct field *kf = kind_field(k, *f);
		if (!kf)
			continue;
		out[n] = *kf;
		out[n].required = 0;
		n++;
	}
	return n;
}

/* The thing of the path, loaded for editing (the request keeps it), and
 * the language of the path, one of the site's: HM_OK with both, else the
 * answer (adm_for_edit's, or 404 for a language the site does not speak). */
static enum hm_err edit_in_lang(struct http_req *req, struct http_res *res, const struct kind *k,
				json_t **t, const char **lang)
{
	enum hm_err e = adm_for_edit(req, res, k, t);
	if (e != HM_OK)
		return e;
	web_own(req, *t);
	*lang = http_param(req, "lang");
	if (!*lang || !i18n_supported(*lang))
		return http_fail(res, HM_ENOTFOUND, N_("This language is not offered."));
	return HM_OK;
}

/* The thing's own language, read in the caller's transaction. */
static const char *own_lang(struct http_req *req, const struct kind *k, int64_t id)
{
	struct db_stmt *st = db_prepare(req->db, k->tr->lang_sql);
	const char *lang = "en";
	if (!st)
		return lang;
	db_bind_int(st, 1, id);
	if (db_step(st) == 1 && db_col_text(st, 0))
		lang = arena_strdup(&req->pool, db_col_text(st, 0));
	db_done(st);
	return lang;
}

static int64_t thing_id(const json_t *t)
{
	return (int64_t)json_integer_value(json_object_get(t, "id"));
}

static const char *thing_name(const json_t *t)
{
	const char *s = json_string_value(json_object_get(t, "title"));
	return s ? s : json_string_value(json_object_get(t, "name"));
}

/* The admin section of the kind's pages ("/admin/events" → "events"). */
static const char *section(const struct kind *k)
{
	const char *s = strrchr(k->admin_path, '/');
	return s ? s + 1 : k->admin_path;
}

static const char *base_path(struct http_req *req, const struct kind *k, const json_t *t)
{
	char key[24];
	return arena_printf(&req->pool, "%s/%s/translations", k->admin_path, kind_key(k, t, key));
}

/* The overview: each of the site's languages but the original, with how
 * many of the fields its version has. */
enum hm_err tr_h_overview(struct http_req *req, struct http_res *res)
{
	const struct kind *k = route_kind(req);
	json_t *t = NULL;
	enum hm_err e = adm_for_edit(req, res, k, &t);
	if (e != HM_OK)
		return e;
	web_own(req, t);
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	const char *own = own_lang(req, k, thing_id(t));
	json_t *versions = tr_versions(req->db, k->entity, thing_id(t));
	db_rollback(req->db);
	if (!versions)
		return HM_EDB;
	web_own(req, versions);
	size_t total = 0;
	for (const char *const *f = k->tr->fields; *f; f++)
		total++;
	const char *base = base_path(req, k, t);
	json_t *langs = json_array(), *choices = json_array();
	for (const char *const *l = i18n_languages(); *l; l++) {
		json_array_append_new(choices, json_pack("{s:s, s:s, s:b}", "code", *l, "name",
							 fmt_language(&req->pool, *l), "selected",
							 strcmp(*l, own) == 0));
		if (strcmp(*l, own) == 0)
			continue;
		size_t have = json_object_size(json_object_get(versions, *l));
		json_array_append_new(
			langs, json_pack("{s:s, s:s, s:s, s:i, s:i, s:b, s:b, s:s}", "code", *l, "name",
					 fmt_language(&req->pool, *l), "url",
					 arena_printf(&req->pool, "%s/%s", base, *l), "have", (int)have,
					 "total", (int)total, "complete", have == total, "none",
					 have == 0, "state",
					 arena_printf(&req->pool,
						      web_nt(req, "%zu of %zu field translated",
							     "%zu of %zu fields translated",
							     (unsigned long)total),
						      have, total)));
	}
	char key[24];
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "name", thing_name(t),
			      "own_lang", own, "own_lang_name", fmt_language(&req->pool, own),
			      "edit_url",
			      arena_printf(&req->pool, "%s/%s/edit", k->admin_path, kind_key(k, t, key)),
			      "languages", langs, "choices", choices, "action", base);
	const char *pub = k->tr->public_url ? k->tr->public_url(req, t) : NULL;
	if (pub)
		web_set_str(m, "public_url", pub);
	return adm_page(req, res, m, "admin/translations", web_t(req, "Translations"), section(k));
}

/* The side-by-side form: the original's text beside each field. fj: the
 * values and errors to show (NULL: the stored version). */
static enum hm_err form_page(struct http_req *req, struct http_res *res, const struct kind *k,
			     const json_t *t, const char *lang, json_t *fj)
{
	if (web_read_begin(req) != HM_OK) {
		json_decref(fj);
		return HM_EDB;
	}
	const char *own = own_lang(req, k, thing_id(t));
	json_t *versions = tr_versions(req->db, k->entity, thing_id(t));
	db_rollback(req->db);
	if (!versions) {
		json_decref(fj);
		return HM_EDB;
	}
	web_own(req, versions);
	json_t *mine = json_object_get(versions, lang);
	json_t *values = fj ? json_object_get(fj, "values") : NULL;
	json_t *errors = fj ? json_object_get(fj, "errors") : NULL;
	json_t *rows = json_array();
	for (const char *const *f = k->tr->fields; *f; f++) {
		const struct field *kf = kind_field(k, *f);
		if (!kf)
			continue;
		const char *orig = json_string_value(json_object_get(t, *f));
		const char *val = values ? json_string_value(json_object_get(values, *f))
					 : json_string_value(json_object_get(mine, *f));
		const char *err = errors ? json_string_value(json_object_get(errors, *f)) : NULL;
		json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", *f, "id",
					arena_printf(&req->pool, "f-%s", *f), "label",
					web_t(req, kf->label ? kf->label : *f), "original",
					orig ? orig : "", "multiline", kf->kind == FIELD_MULTILINE);
		web_set_str(row, "value", val ? val : "");
		if (err)
			web_set_str(row, "error", err);
		if (kf->max_len)
			json_object_set_new(row, "max_len", json_integer((json_int_t)kf->max_len));
		json_array_append_new(rows, row);
	}
	json_decref(fj);
	const char *base = base_path(req, k, t);
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:b}", "name",
			      thing_name(t), "lang", lang, "lang_name",
			      fmt_language(&req->pool, lang), "lang_dir", i18n_dir(lang), "own_lang",
			      own, "own_dir", i18n_dir(own), "own_lang_name",
			      fmt_language(&req->pool, own), "fields", rows, "overview", base,
			      "has_errors", errors && json_object_size(errors) > 0);
	web_set_str(m, "action", arena_printf(&req->pool, "%s/%s", base, lang));
	return adm_page(req, res, m, "admin/translation_form",
			arena_printf(&req->pool, "%s · %s", web_t(req, "Translation"),
				     fmt_language(&req->pool, lang)),
			section(k));
}

enum hm_err tr_h_form(struct http_req *req, struct http_res *res)
{
	const struct kind *k = route_kind(req);
	const char *lang = NULL;
	json_t *t = NULL;
	enum hm_err e = edit_in_lang(req, res, k, &t, &lang);
	if (e != HM_OK)
		return e;
	return form_page(req, res, k, t, lang, NULL);
}

/* POST …/translations/{lang} (a form) and PUT on the API: the version in
 * lang becomes what was sent; fields left empty or out are read in the
 * original. */
enum hm_err tr_h_save(struct http_req *req, struct http_res *res)
{
	const struct kind *k = route_kind(req);
	const char *lang = NULL;
	json_t *t = NULL;
	enum hm_err e = edit_in_lang(req, res, k, &t, &lang);
	if (e != HM_OK)
		return e;
	struct field fields[FORM_MAX_FIELDS];
	size_t n = version_fields(k, fields, FORM_MAX_FIELDS);
	struct adm_input in;
	e = adm_input_read(req, fields, n, NULL, NULL, 1, &in);
	if (e == HM_OK && web_read_begin(req) == HM_OK) {
		const char *own = own_lang(req, k, thing_id(t));
		db_rollback(req->db);
		if (strcmp(own, lang) == 0) {
			in.f.error = web_t(req, "This is the language the original is written in: "
						"edit the original instead.");
			e = HM_EINVAL;
		}
	}
	if (e != HM_OK) {
		json_t *fj = adm_input_form_json(&in);
		adm_input_free(&in);
		res->status = 400;
		if (req->want_json)
			return adm_api_answer(res, 400, fj);
		return form_page(req, res, k, t, lang, fj);
	}
	json_t *version = json_object();
	for (size_t i = 0; i < n; i++) {
		const char *v = form_get(&in.f, fields[i].name);
		if (v && v[0])
			json_object_set_new(version, fields[i].name, json_string(v));
	}
	adm_input_free(&in);
	web_own(req, version);
	int64_t now = time_now_s();
	const char *ts = time_format_rfc3339(&req->pool, now);
	if ((e = db_begin(req->db)) != HM_OK)
		return e;
	json_t *before_all = tr_versions(req->db, k->entity, thing_id(t));
	json_t *before = before_all ? json_incref(json_object_get(before_all, lang)) : NULL;
	json_decref(before_all);
	web_own(req, before);
	if (!before_all) {
		db_rollback(req->db);
		return HM_EDB;
	}
	json_t *was = before ? json_pack("{s:s, s:O}", "lang", lang, "fields", before)
			     : json_pack("{s:s, s:{}}", "lang", lang, "fields");
	json_t *now_is = json_pack("{s:s, s:O}", "lang", lang, "fields", version);
	web_own(req, was);
	web_own(req, now_is);
	if ((e = tr_store(req->db, k->entity, thing_id(t), lang, version, ts)) != HM_OK ||
	    (e = audit_record_at(req->db, web_principal(req),
				 arena_printf(&req->pool, "%s.translate", k->entity), k->entity,
				 thing_id(t), was, now_is, now)) != HM_OK ||
	    (e = db_commit(req->db)) != HM_OK) {
		db_rollback(req->db);
		return e;
	}
	if (req->want_json)
		return adm_api_answer(res, 200,
				      json_pack("{s:s, s:O}", "lang", lang, "fields", version));
	return web_redirect(req, res,
			    arena_printf(&req->pool, "%s?done=saved", base_path(req, k, t)));
}

/* The original's language: POST …/translations (lang=…) and PATCH on the
 * API ({"lang": "fr"}). A version already in that language stays, unused
 * while the original is in it. */
enum hm_err tr_h_original(struct http_req *req, struct http_res *res)
{
	static const char *const langs[] = {"ar", "en", "es", "fr", "ru", "zh", NULL};
	static const struct field fields[] = {
		{.name = "lang", .kind = FIELD_CHOICE, .required = 1, .choices = langs,
		 .label = N_("Language of the original")},
	};
	const struct kind *k = route_kind(req);
	json_t *t = NULL;
	enum hm_err e = adm_for_edit(req, res, k, &t);
	if (e != HM_OK)
		return e;
	web_own(req, t);
	struct form f;
	if (form_read(req, fields, HM_ARRAY_LEN(fields), &f) != HM_OK)
		return http_fail(res, HM_EINVAL, N_("Choose one of the site's six languages."));
	const char *lang = form_get(&f, "lang");
	int64_t now = time_now_s();
	if ((e = db_begin(req->db)) != HM_OK)
		return e;
	const char *was = own_lang(req, k, thing_id(t));
	struct db_stmt *st = db_prepare(req->db, k->tr->set_lang_sql);
	if (!st) {
		db_rollback(req->db);
		return HM_EDB;
	}
	db_bind_text(st, 1, lang);
	db_bind_int(st, 2, thing_id(t));
	json_t *before = json_pack("{s:s}", "lang", was), *after = json_pack("{s:s}", "lang", lang);
	web_own(req, before);
	web_own(req, after);
	if ((e = db_run(st)) != HM_OK ||
	    (strcmp(was, lang) != 0 &&
	     (e = audit_record_at(req->db, web_principal(req),
				  arena_printf(&req->pool, "%s.language", k->entity), k->entity,
				  thing_id(t), before, after, now)) != HM_OK) ||
	    (e = db_commit(req->db)) != HM_OK) {
		db_rollback(req->db);
		return e;
	}
	if (req->want_json)
		return adm_api_answer(res, 200, json_pack("{s:s}", "lang", lang));
	return web_redirect(req, res,
			    arena_printf(&req->pool, "%s?done=saved", base_path(req, k, t)));
}

/* GET <api>/{key}/translations: whoever may see the thing. */
enum hm_err tr_h_api_get(struct http_req *req, struct http_res *res)
{
	const struct kind *k = route_kind(req);
	json_t *t = NULL, *versions = NULL;
	const char *own = "en";
	if (web_read_begin(req) != HM_OK)
		return HM_EDB;
	t = web_own(req, k->get(req->db, http_param(req, kind_param(k))));
	int seen = t && (!k->visible || k->visible(web_principal(req), t));
	if (seen) {
		own = own_lang(req, k, thing_id(t));
		versions = tr_versions(req->db, k->entity, thing_id(t));
	}
	db_rollback(req->db);
	if (!seen)
		return http_fail(res, HM_ENOTFOUND, k->missing);
	if (!versions)
		return HM_EDB;
	adm_api_cache(req, res);
	return adm_api_answer(res, 200, json_pack("{s:s, s:o}", "lang", own, "translations", versions));
}

/* DELETE <api>/{key}/translations/{lang}: {"deleted": true}, also when
 * there was none (as the kinds' DELETE answers). */
enum hm_err tr_h_api_delete(struct http_req *req, struct http_res *res)
{
	const struct kind *k = route_kind(req);
	const char *lang = NULL;
	json_t *t = NULL;
	enum hm_err e = edit_in_lang(req, res, k, &t, &lang);
	if (e != HM_OK)
		return e;
	int64_t now = time_now_s();
	if ((e = db_begin(req->db)) != HM_OK)
		return e;
	json_t *all = tr_versions(req->db, k->entity, thing_id(t));
	web_own(req, all);
	json_t *before = all ? json_object_get(all, lang) : NULL;
	if (!all) {
		db_rollback(req->db);
		return HM_EDB;
	}
	if (before) {
		json_t *was = json_pack("{s:s, s:O}", "lang", lang, "fields", before);
		web_own(req, was);
		if ((e = drop(req->db, SQL_DROP_LANG, k->entity, thing_id(t), lang)) != HM_OK ||
		    (e = audit_record_at(req->db, web_principal(req),
					 arena_printf(&req->pool, "%s.translate", k->entity),
					 k->entity, thing_id(t), was, NULL, now)) != HM_OK) {
			db_rollback(req->db);
			return e;
		}
	}
	if ((e = db_commit(req->db)) != HM_OK) {
		db_rollback(req->db);
		return e;
	}
	return adm_api_answer(res, 200, json_pack("{s:b}", "deleted", 1));
}
