/*
 * posts_admin.c — news posts for organisers: every post whatever its
 * state (filtered by what the principal may see), and creating, editing,
 * publishing, unpublishing and deleting them, each in one transaction
 * with one audit entry.
 */
#include "features/news/news_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "media/media.h"
#include "view/i18n.h"

#include <string.h>

/* ------------------------------------------------------------------ reads */

static struct auth_scope scope_of(const json_t *p)
{
	struct auth_scope s = {
		.event_id = json_integer_value(json_object_get(p, "scope_event")),
		.series_id = json_integer_value(json_object_get(p, "scope_series")),
	};
	return s;
}

void post_hide_unseen_event(const struct principal *p, json_t *post, const struct auth_scope *s)
{
	/* A draft event is as invisible in a post's JSON as on its page. */
	if (str_eq(json_string_value(json_object_get(post, "event_status")), "draft") &&
	    !auth_can(p, AUTH_DRAFT_READ, s)) {
		json_object_set_new(post, "event_slug", json_null());
		json_object_set_new(post, "event_title", json_null());
	}
	json_object_del(post, "event_status");
}

/* Adds state and categories, drops the internal scope columns. */
static void post_finish(struct db *db, json_t *p, const char *now)
{
	const char *status = json_string_value(json_object_get(p, "status"));
	const char *at = json_string_value(json_object_get(p, "published_at"));
	const char *state = "draft";
	if (str_eq(status, "published"))
		state = at && strcmp(at, now) > 0 ? "scheduled" : "published";
	json_object_set_new(p, "state", json_string(state));
	json_object_del(p, "scope_event");
	json_object_del(p, "scope_series");
	struct db_stmt *st = news_admin_prep(db, SQL_POST_CATS);
	json_t *cats = json_array();
	if (st) {
		json_decref(cats);
		db_bind_int(st, 1, json_integer_value(json_object_get(p, "id")));
		cats = db_rows_json(st);
	}
	json_object_set_new(p, "categories", cats);
}

enum hm_err post_scope(struct db *db, int64_t id, struct auth_scope *out)
{
	struct db_stmt *st = news_admin_prep(db, SQL_POST_SCOPE);
	if (st)
		db_bind_int(st, 1, id);
	return auth_scope_row(st, out);
}

json_t *post_admin_get(struct db *db, int64_t id, int64_t now)
{
	struct arena a;
	struct db_stmt *st = news_admin_prep(db, SQL_POST_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	json_t *p = db_one_json(st);
	if (!p)
		return NULL;
	arena_init(&a);
	post_finish(db, p, news_now_text(&a, now));
	arena_free(&a);
	return p;
}

int post_visible_to(const struct principal *p, const json_t *post, const struct auth_scope *s)
{
	if (str_eq(json_string_value(json_object_get(post, "state")), "published"))
		return 1;
	return auth_can(p, AUTH_DRAFT_READ, s);
}

json_t *post_admin_list(struct db *db, const struct principal *actor, int64_t now,
			const struct post_filter *f)
{
	static const struct post_filter none;
	struct arena a;
	json_t *out = json_array();
	struct db_stmt *st = news_admin_prep(db, SQL_POST_LIST);
	if (!f)
		f = &none;
	if (!st)
		return out;
	db_bind_text(st, 1, f->event_slug);
	db_bind_text(st, 2, f->event_slug);
	db_bind_text(st, 3, f->category_slug);
	db_bind_text(st, 4, f->category_slug);
	json_t *rows = db_rows_json(st);
	arena_init(&a);
	const char *nows = news_now_text(&a, now);
	size_t i;
	json_t *p;
	json_array_foreach(rows, i, p) {
		struct auth_scope s = scope_of(p);
		int can_edit = auth_can(actor, AUTH_NEWS_EDIT, &s);
		post_hide_unseen_event(actor, p, &s);
		post_finish(db, p, nows);
		if (f->editable_only && !can_edit)
			continue;
		if (!post_visible_to(actor, p, &s))
			continue;
		if (f->state && !str_eq(f->state, json_string_value(json_object_get(p, "state"))))
			continue;
		json_object_set_new(p, "can_edit", json_boolean(can_edit));
		json_array_append(out, p);
	}
	arena_free(&a);
	json_decref(rows);
	return out;
}

json_t *news_event_choices(struct db *db, const struct principal *actor)
{
	json_t *out = json_array();
	struct db_stmt *st = news_admin_prep(db, SQL_EVENTS_ALL);
	while (st && db_step(st) == 1) {
		struct auth_scope s = {.event_id = db_col_int(st, 0), .series_id = db_col_int(st, 1)};
		if (!auth_can(actor, AUTH_NEWS_EDIT, &s))
			continue;
		json_array_append_new(out, json_pack("{s:s, s:s, s:s?}", "slug", db_col_text(st, 2),
						     "title", db_col_text(st, 3), "starts_on",
						     db_col_text(st, 4)));
	}
	if (st)
		db_done(st);
	return out;
}

int news_can_edit_any(const struct principal *p)
{
	if (auth_can(p, AUTH_NEWS_EDIT, NULL))
		return 1;
	for (size_t i = 0; p && i < p->ngrants && i < AUTH_GRANTS_MAX; i++) {
		struct auth_scope s = {p->grants[i].event_id, p->grants[i].series_id, 0};
		if (auth_can(p, AUTH_NEWS_EDIT, &s))
			return 1;
	}
	return 0;
}

struct post_row {
	const char *slug, *status, *published_at;
	int64_t event_id;
	struct auth_scope scope;
	int64_t category_ids[POST_CATEGORIES_MAX];
	size_t ncategories;
};

/* Checks in (with the database: slug, event, categories, image) into row.
 * HM_EINVAL with errs, HM_EFORBIDDEN, HM_EDB. */
static enum hm_err post_check(struct db *db, struct arena *a, const struct principal *actor,
			      const struct post_input *in, int64_t self, int64_t now,
			      struct post_row *row, struct field_errors *errs)
{
	int taken = 0; /* the chosen address is another post's: HM_EEXIST */
	memset(row, 0, sizeof(*row));
	if (!in->title || !*in->title)
		news_error_add(errs, "title", "This field is required.");
	else if (news_too_long(in->title, POST_TITLE_MAX))
		news_error_add(errs, "title", "This is too long.");
	if (news_too_long(in->summary, POST_SUMMARY_MAX))
		news_error_add(errs, "summary", "This is too long.");
	if (news_too_long(in->body_md, POST_BODY_MAX))
		news_error_add(errs, "body_md", "This is too long.");
	if (news_too_long(in->image_credit, POST_CREDIT_MAX))
		news_error_add(errs, "image_credit", "This is too long.");
	if (news_too_long(in->image_alt, POST_ALT_MAX))
		news_error_add(errs, "image_alt", "This is too long.");

	int event_known = 1;
	if (in->event_slug && *in->event_slug) {
		struct db_stmt *st = news_admin_prep(db, SQL_EVENT_BY_SLUG);
		if (!st)
			return HM_EDB;
		db_bind_text(st, 1, in->event_slug);
		if (db_step(st) == 1) {
			row->event_id = db_col_int(st, 0);
			row->scope.event_id = row->event_id;
			row->scope.series_id = db_col_int(st, 1);
		} else {
			event_known = 0;
			news_error_add(errs, "event_slug", "There is no such event.");
		}
		db_done(st);
	}
	/* Rights before anything else is said about the input; an unknown
	 * event is refused as a field (nobody has rights in it). */
	if (event_known && !auth_can(actor, AUTH_NEWS_EDIT, &row->scope))
		return HM_EFORBIDDEN;
	if (!event_known && !news_can_edit_any(actor))
		return HM_EFORBIDDEN;

	if (in->slug && *in->slug) {
		if (!slug_valid(in->slug))
			news_error_add(errs, "slug",
				       "Use lower-case letters, digits and single hyphens only.");
		else if (news_slug_taken(db, SQL_POST_SLUG_TAKEN, in->slug, self) && ++taken)
			news_error_add(errs, "slug", "Another post already has this address.");
		else
			row->slug = in->slug;
	} else if (in->title && *in->title) {
		row->slug = news_unique_slug(db, a, SQL_POST_SLUG_TAKEN, in->title, self);
		if (!row->slug)
			news_error_add(errs, "slug", "Choose an address for this post.");
	}

	if (in->image && *in->image) {
		if (!media_name_is_original(in->image) || !media_exists(in->image))
			news_error_add(errs, "image", "There is no such uploaded image.");
		if (!in->image_alt || !*in->image_alt)
			news_error_add(errs, "image_alt",
				       "Describe the image for people who cannot see it.");
	}

	if (in->ncategories > POST_CATEGORIES_MAX) {
		news_error_add(errs, "categories", "Choose fewer categories.");
	} else {
		for (size_t i = 0; i < in->ncategories; i++) {
			struct db_stmt *st = news_admin_prep(db, SQL_CAT_ID);
			if (!st)
				return HM_EDB;
			db_bind_text(st, 1, in->categories[i]);
			if (db_step(st) == 1)
				row->category_ids[row->ncategories++] = db_col_int(st, 0);
			else
				news_error_add(errs, "categories", "There is no such category.");
			db_done(st);
		}
	}

	row->status = in->publish ? "published" : "draft";
	if (in->published_at && *in->published_at) {
		int64_t t = time_parse_rfc3339(in->published_at);
		if (t < 0)
			news_error_add(errs, "published_at",
				       "Enter a date and time as YYYY-MM-DDTHH:MM.");
		else
			row->published_at = time_format_rfc3339(a, t);
	} else if (in->publish) {
		/* To the minute, as the public pages compare to the minute. */
		row->published_at = time_format_rfc3339(a, now - now % 60);
	}
	return !errs->n ? HM_OK : taken ? HM_EEXIST : HM_EINVAL;
}

static enum hm_err post_write_categories(struct db *db, int64_t id, const struct post_row *row)
{
	struct db_stmt *st = news_admin_prep(db, SQL_POST_CATS_CLEAR);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, id);
	enum hm_err e = db_run(st);
	for (size_t i = 0; e == HM_OK && i < row->ncategories; i++) {
		if (!(st = news_admin_prep(db, SQL_POST_CAT_ADD)))
			return HM_EDB;
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, row->category_ids[i]);
		e = db_run(st);
	}
	return e;
}

/* Binds the columns shared by insert and update, from index 1. */
static void bind_post(struct db_stmt *st, const struct post_input *in, const struct post_row *row)
{
	db_bind_text(st, 1, row->slug);
	db_bind_text(st, 2, in->title);
	db_bind_text(st, 3, in->summary ? in->summary : "");
	db_bind_text(st, 4, in->body_md ? in->body_md : "");
	db_bind_text(st, 5, row->status);
	db_bind_text(st, 6, row->published_at);
	db_bind_int(st, 7, in->featured ? 1 : 0);
	int has_image = in->image && *in->image;
	db_bind_text(st, 8, has_image ? in->image : NULL);
	db_bind_text(st, 9, has_image && in->image_alt && *in->image_alt ? in->image_alt : NULL);
	db_bind_text(st, 10, in->image_credit && *in->image_credit ? in->image_credit : NULL);
	if (row->event_id)
		db_bind_int(st, 11, row->event_id);
	else
		db_bind_null(st, 11);
}

/* -------------------------------------------------------------- writes */

/* Inside a transaction: the right to edit post id, and the post as it is
 * (*before, the caller's). HM_ENOTFOUND, HM_EFORBIDDEN. */
static enum hm_err post_open(struct db *db, const struct principal *actor, int64_t id,
			     int64_t now, json_t **before)
{
	struct auth_scope s;
	enum hm_err e = post_scope(db, id, &s);
	if (e != HM_OK)
		return e;
	if (!auth_can(actor, AUTH_NEWS_EDIT, &s))
		return HM_EFORBIDDEN;
	*before = post_admin_get(db, id, now);
	json_object_del(*before, "event_status"); /* the audit keeps the post's own fields */
	return HM_OK;
}

/* Records the change of post id, before and after (none once deleted),
 * and commits. */
static enum hm_err post_commit(struct db *db, const struct principal *actor, const char *action,
			       int64_t id, const json_t *before, int deleted, int64_t now)
{
	json_t *after = deleted ? NULL : post_admin_get(db, id, now);
	json_object_del(after, "event_status");
	enum hm_err e = audit_record_at(db, actor, action, "post", id, before, after, now);
	json_decref(after);
	return e == HM_OK ? db_commit(db) : e;
}

/* Creates (id 0) or replaces post id. */
static enum hm_err post_save(struct db *db, const struct principal *actor, int64_t id,
			     const struct post_input *in, int64_t now, int64_t *id_out,
			     struct field_errors *errs)
{
	struct field_errors scratch;
	struct post_row row;
	struct arena a;
	json_t *before = NULL;
	if (!errs)
		errs = &scratch;
	memset(errs, 0, sizeof(*errs));
	arena_init(&a);
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		goto out_free;
	if (id && (e = post_open(db, actor, id, now, &before)) != HM_OK)
		goto out;
	e = post_check(db, &a, actor, in, id, now, &row, errs);
	if (e != HM_OK)
		goto out;
	struct db_stmt *st = news_admin_prep(db, id ? SQL_POST_UPDATE : SQL_POST_INSERT);
	if (!st) {
		e = HM_EDB;
		goto out;
	}
	bind_post(st, in, &row);
	db_bind_text(st, 12, news_now_text(&a, now));
	if (id)
		db_bind_int(st, 13, id);
	else
		db_bind_text(st, 13, news_now_text(&a, now)); /* created_at */
	if ((e = db_run(st)) != HM_OK) {
		if (e == HM_EEXIST) {
			news_error_add(errs, "slug", "Another post already has this address.");
		}
		goto out;
	}
	int64_t saved = id ? id : db_last_insert_id(db);
	if ((e = post_write_categories(db, saved, &row)) != HM_OK)
		goto out;
	e = post_commit(db, actor, id ? "post.update" : "post.create", saved, before, 0, now);
	if (e == HM_OK && id_out)
		*id_out = saved;
out:
	if (e != HM_OK)
		db_rollback(db);
out_free:
	json_decref(before);
	arena_free(&a);
	return e;
}

enum hm_err post_create(struct db *db, const struct principal *actor,
			const struct post_input *in, int64_t now, int64_t *id_out,
			struct field_errors *errs)
{
	return post_save(db, actor, 0, in, now, id_out, errs);
}

enum hm_err post_update(struct db *db, const struct principal *actor, int64_t id,
			const struct post_input *in, int64_t now, struct field_errors *errs)
{
	return post_save(db, actor, id, in, now, NULL, errs);
}

enum hm_err post_set_published(struct db *db, const struct principal *actor, int64_t id,
			       int publish, int64_t now)
{
	struct arena a;
	json_t *before = NULL;
	arena_init(&a);
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		goto out_free;
	if ((e = post_open(db, actor, id, now, &before)) != HM_OK)
		goto out;
	const char *status = json_string_value(json_object_get(before, "status"));
	const char *at = json_string_value(json_object_get(before, "published_at"));
	if (str_eq(status, publish ? "published" : "draft")) {
		db_rollback(db);
		goto out_free;
	}
	if (publish && !at)
		at = time_format_rfc3339(&a, now - now % 60);
	struct db_stmt *st = news_admin_prep(db, SQL_POST_PUBLISH);
	if (!st) {
		e = HM_EDB;
		goto out;
	}
	db_bind_text(st, 1, publish ? "published" : "draft");
	db_bind_text(st, 2, at);
	db_bind_text(st, 3, news_now_text(&a, now));
	db_bind_int(st, 4, id);
	if ((e = db_run(st)) != HM_OK)
		goto out;
	e = post_commit(db, actor, publish ? "post.publish" : "post.unpublish", id, before, 0, now);
out:
	if (e != HM_OK)
		db_rollback(db);
out_free:
	json_decref(before);
	arena_free(&a);
	return e;
}

enum hm_err post_delete(struct db *db, const struct principal *actor, int64_t id, int64_t now)
{
	json_t *before = NULL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	if ((e = post_open(db, actor, id, now, &before)) != HM_OK)
		goto out;
	struct db_stmt *st = news_admin_prep(db, SQL_POST_DELETE);
	if (!st) {
		e = HM_EDB;
		goto out;
	}
	db_bind_int(st, 1, id);
	if ((e = db_run(st)) == HM_OK)
		e = post_commit(db, actor, "post.delete", id, before, 1, now);
out:
	if (e != HM_OK)
		db_rollback(db);
	json_decref(before);
	return e;
}
