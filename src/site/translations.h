/*
 * translations.h — organisers' texts in other languages (table
 * content_translation, migration 0011). A thing is written in one language,
 * its own (its row's lang); an organiser who may edit it adds versions of
 * its texts in the site's other languages, field by field, on a page that
 * shows the original beside each field. A visitor reads each field in
 * their language where it exists and in the original otherwise, and every
 * field says which (text_lang), so the page marks it with lang and dir.
 *
 * A kind names the fields that take versions (struct translatable, its
 * kind's .tr); the routes below serve every such kind alike, with the
 * kind in the route's data like the other kind handlers:
 *   GET  <admin_path>/{key}/translations           the languages and their state
 *   GET  <admin_path>/{key}/translations/{lang}    the side-by-side form
 *   POST <admin_path>/{key}/translations/{lang}    saves it (CSRF)
 *   POST <admin_path>/{key}/translations           the original's language
 *   GET  <api_path>/{key}/translations             {lang, translations: {fr: {…}}}
 *   PUT  <api_path>/{key}/translations/{lang}      replaces one language's version
 *   DELETE <api_path>/{key}/translations/{lang}    removes it
 *   PATCH <api_path>/{key}/translations            {"lang": "fr"}: the original's language
 */
#ifndef HM_SITE_TRANSLATIONS_H
#define HM_SITE_TRANSLATIONS_H

#include <jansson.h>
#include <stdint.h>

#include "core/core.h"

struct db;
struct http_req;
struct http_res;
struct kind;

struct translatable {
	/* The kind's fields that take versions, by name (their checks and
	 * labels are the kind's), NULL-terminated. */
	const char *const *fields;
	/* The thing's own language and setting it, bound to its id:
	 * "SELECT lang FROM event WHERE id = ?", "UPDATE event SET lang = ? WHERE id = ?". */
	const char *lang_sql;
	const char *set_lang_sql;
	/* Its public page, from the thing as the kind's get gives it (NULL:
	 * none yet, a draft). */
	const char *(*public_url)(struct http_req *req, const json_t *t);
};

/* ---- the store (in the caller's transaction) */

/* Every version of thing id: {lang: {field: text}}. NULL on failure. */
json_t *tr_versions(struct db *db, const char *entity, int64_t id);
/* Replaces thing id's version in lang with fields ({field: text}; empty
 * texts are left out). */
enum hm_err tr_store(struct db *db, const char *entity, int64_t id, const char *lang,
		     json_t *fields, const char *ts);
/* Forgets every version of thing id (it is deleted). */
enum hm_err tr_forget(struct db *db, const char *entity, int64_t id);

/* The versions of a thing of entity, as a part of what its deletion keeps
 * in the trash (struct kind_part, site/kind.h): they come back with it. */
extern const char *const tr_trash_cols[];
#define TR_TRASH_PART(entity)                                                                 \
	{"content_translation",                                                               \
	 "SELECT entity_id, lang, field, body, updated_at FROM content_translation "          \
	 "WHERE entity = '" entity "' AND entity_id = ?",                                     \
	 "INSERT INTO content_translation (entity, entity_id, lang, field, body, updated_at) " \
	 "VALUES ('" entity "', ?, ?, ?, ?, ?)",                                              \
	 tr_trash_cols, "entity_id"}

/* ---- reading in the visitor's language */

/* Lays the fields' versions in the request's language over obj (a thing
 * with "id" and "lang", the language it is written in), and sets
 * obj.text_lang = {field: the language its text is in}. Call it before
 * Markdown is rendered, in the page's read transaction. A thing without
 * "lang" (as the admin's reads give it: the original, for editing) is
 * left as it is. */
void tr_overlay(struct http_req *req, const char *entity, const char *const *fields, json_t *obj);
/* The same for each thing of a list (NULL: nothing). */
void tr_overlay_list(struct http_req *req, const char *entity, const char *const *fields,
		     json_t *list);

/* ---- route handlers, for the kind in the route's data */
/* The eight routes of a kind's versions, for its route table:
 * TR_ROUTES("/admin/events", "/api/v1/events", "{slug}", &event_kind). */
#define TR_ROUTES(admin, api, key, kind)                                                      \
	{GET, admin "/" key "/translations", tr_h_overview, WEB_PRIVATE, kind},               \
	{POST, admin "/" key "/translations", tr_h_original, WEB_PRIVATE | WEB_CSRF, kind},   \
	{GET, admin "/" key "/translations/{lang}", tr_h_form, WEB_PRIVATE, kind},            \
	{POST, admin "/" key "/translations/{lang}", tr_h_save, WEB_PRIVATE | WEB_CSRF, kind}, \
	{GET, api "/" key "/translations", tr_h_api_get, WEB_JSON, kind},                     \
	{PATCH, api "/" key "/translations", tr_h_original, WEB_JSON | WEB_PRIVATE | WEB_CSRF, \
	 kind},                                                                               \
	{PUT, api "/" key "/translations/{lang}", tr_h_save, WEB_JSON | WEB_PRIVATE | WEB_CSRF, \
	 kind},                                                                               \
	{DELETE, api "/" key "/translations/{lang}", tr_h_api_delete,                          \
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF, kind}

enum hm_err tr_h_overview(struct http_req *req, struct http_res *res);
enum hm_err tr_h_form(struct http_req *req, struct http_res *res);
enum hm_err tr_h_save(struct http_req *req, struct http_res *res);
enum hm_err tr_h_original(struct http_req *req, struct http_res *res);
enum hm_err tr_h_api_get(struct http_req *req, struct http_res *res);
enum hm_err tr_h_api_delete(struct http_req *req, struct http_res *res);

#endif
