/*
 * categories_admin.c — news categories for administrators: creating,
 * renaming and deleting them (never one in use), with their counts of
 * posts, drafts included.
 */
#include "features/news/news_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"

#include <string.h>

/* ----------------------------------------------------------- categories */

json_t *category_admin_get(struct db *db, int64_t id)
{
	struct db_stmt *st = news_admin_prep(db, SQL_CAT_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	return db_one_json(st);
}

json_t *category_admin_list(struct db *db)
{
	struct db_stmt *st = news_admin_prep(db, SQL_CAT_LIST);
	return db_rows_json(st);
}

/* Checks name and slug; *slug_out is the slug to store. HM_EEXIST when
 * the chosen address is another category's, HM_EINVAL for any other
 * refusal (errs says which). */
static enum hm_err category_check(struct db *db, struct arena *a, int64_t self, const char *name,
			   const char *slug, const char **slug_out, struct field_errors *errs)
{
	int taken = 0;
	*slug_out = NULL;
	if (!name || !*name)
		news_error_add(errs, "name", "This field is required.");
	else if (news_too_long(name, CATEGORY_NAME_MAX))
		news_error_add(errs, "name", "This is too long.");
	if (slug && *slug) {
		if (!slug_valid(slug))
			news_error_add(errs, "slug",
				       "Use lower-case letters, digits and single hyphens only.");
		else if (news_slug_taken(db, SQL_CAT_SLUG_TAKEN, slug, self) && ++taken)
			news_error_add(errs, "slug", "Another category already has this address.");
		else
			*slug_out = slug;
	} else if (name && *name) {
		*slug_out = news_unique_slug(db, a, SQL_CAT_SLUG_TAKEN, name, self);
		if (!*slug_out)
			news_error_add(errs, "slug", "Choose an address for this category.");
	}
	return !errs->n ? HM_OK : taken ? HM_EEXIST : HM_EINVAL;
}

/* Creates (id 0) or updates a category. */
static enum hm_err category_save(struct db *db, const struct principal *actor, int64_t id,
				 const char *name, const char *slug, int64_t now, int64_t *id_out,
				 struct field_errors *errs)
{
	struct field_errors scratch;
	struct arena a;
	json_t *before = NULL, *after = NULL;
	const char *use_slug;
	if (!errs)
		errs = &scratch;
	memset(errs, 0, sizeof(*errs));
	if (!auth_can(actor, AUTH_NEWS_EDIT, NULL))
		return HM_EFORBIDDEN;
	arena_init(&a);
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		goto out_free;
	if (id && !(before = category_admin_get(db, id))) {
		e = HM_ENOTFOUND;
		goto out;
	}
	if ((e = category_check(db, &a, id, name, slug, &use_slug, errs)) != HM_OK)
		goto out;
	struct db_stmt *st = news_admin_prep(db, id ? SQL_CAT_UPDATE : SQL_CAT_INSERT);
	if (!st) {
		e = HM_EDB;
		goto out;
	}
	db_bind_text(st, 1, use_slug);
	db_bind_text(st, 2, name);
	if (id)
		db_bind_int(st, 3, id);
	if ((e = db_run(st)) != HM_OK) {
		if (e == HM_EEXIST) {
			news_error_add(errs, "slug", "Another category already has this address.");
		}
		goto out;
	}
	if (!id)
		id = db_last_insert_id(db);
	after = category_admin_get(db, id);
	e = audit_record_at(db, actor, before ? "category.update" : "category.create", "category",
			    id, before, after, now);
	if (e == HM_OK)
		e = db_commit(db);
	if (e == HM_OK && id_out)
		*id_out = id;
out:
	if (e != HM_OK)
		db_rollback(db);
out_free:
	json_decref(before);
	json_decref(after);
	arena_free(&a);
	return e;
}

enum hm_err category_create(struct db *db, const struct principal *actor, const char *name,
			    const char *slug, int64_t now, int64_t *id_out,
			    struct field_errors *errs)
{
	return category_save(db, actor, 0, name, slug, now, id_out, errs);
}

enum hm_err category_update(struct db *db, const struct principal *actor, int64_t id,
			    const char *name, const char *slug, int64_t now,
			    struct field_errors *errs)
{
	if (id <= 0)
		return HM_ENOTFOUND;
	return category_save(db, actor, id, name, slug, now, NULL, errs);
}

enum hm_err category_delete(struct db *db, const struct principal *actor, int64_t id,
			    int64_t now)
{
	json_t *before = NULL;
	if (!auth_can(actor, AUTH_NEWS_EDIT, NULL))
		return HM_EFORBIDDEN;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	if (!(before = category_admin_get(db, id))) {
		e = HM_ENOTFOUND;
		goto out;
	}
	if (json_integer_value(json_object_get(before, "posts")) > 0) {
		e = HM_ECONFLICT;
		goto out;
	}
	struct db_stmt *st = news_admin_prep(db, SQL_CAT_DELETE);
	if (!st) {
		e = HM_EDB;
		goto out;
	}
	db_bind_int(st, 1, id);
	if ((e = db_run(st)) != HM_OK)
		goto out;
	if ((e = audit_record_at(db, actor, "category.delete", "category", id, before, NULL,
				 now)) != HM_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != HM_OK)
		db_rollback(db);
	json_decref(before);
	return e;
}
