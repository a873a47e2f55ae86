/*
 * news_admin.c — posts and categories for organisers: validation, rights,
 * one transaction and one audit entry per change; the reads behind the
 * admin pages and the API (drafts and scheduled posts included, filtered
 * by what the principal may see); wall-clock times in the site's zone.
 */
#include "news/news_admin.h"
#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "media/media.h"
#include "view/i18n.h"

#include <stdio.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

enum news_admin_sql {
	SQL_POST_GET,
	SQL_POST_LIST,
	SQL_POST_SCOPE,
	SQL_POST_CATS,
	SQL_POST_CAT_SLUGS,
	SQL_POST_SLUG_TAKEN,
	SQL_POST_INSERT,
	SQL_POST_UPDATE,
	SQL_POST_CATS_CLEAR,
	SQL_POST_CAT_ADD,
	SQL_POST_PUBLISH,
	SQL_POST_DELETE,
	SQL_EVENT_BY_SLUG,
	SQL_EVENTS_ALL,
	SQL_CAT_ID,
	SQL_CAT_GET,
	SQL_CAT_LIST,
	SQL_CAT_SLUG_TAKEN,
	SQL_CAT_INSERT,
	SQL_CAT_UPDATE,
	SQL_CAT_DELETE,
	SQL_SITE_TZ,
	NEWS_ADMIN_SQL__MAX
};

#define POST_COLS                                                                           \
	"p.id, p.slug, p.title, p.summary, p.status, p.published_at, "                      \
	"substr(p.published_at, 1, 10) AS ymd, p.is_featured, p.image, p.image_alt, "       \
	"p.image_credit, e.slug AS event_slug, e.title AS event_title, "                    \
	"coalesce(p.event_id, 0) AS scope_event, coalesce(e.series_id, 0) AS scope_series, " \
	"p.created_at, p.updated_at "
#define CAT_COLS                                                                            \
	"c.id, c.slug, c.name, (SELECT count(*) FROM post_category pc "                      \
	"WHERE pc.category_id = c.id) AS posts "

static const char *const sql[NEWS_ADMIN_SQL__MAX] = {
	[SQL_POST_GET] = "SELECT " POST_COLS ", p.body_md FROM post p "
			 "LEFT JOIN event e ON e.id = p.event_id WHERE p.id = ?",
	[SQL_POST_LIST] = "SELECT " POST_COLS "FROM post p LEFT JOIN event e ON e.id = p.event_id "
			  "WHERE (? IS NULL OR e.slug = ?) AND (? IS NULL OR EXISTS ("
			  "SELECT 1 FROM post_category pc JOIN category c ON c.id = pc.category_id "
			  "WHERE pc.post_id = p.id AND c.slug = ?)) "
			  "ORDER BY p.published_at IS NULL DESC, p.published_at DESC, p.id DESC",
	[SQL_POST_SCOPE] = "SELECT coalesce(p.event_id, 0), coalesce(e.series_id, 0) FROM post p "
			   "LEFT JOIN event e ON e.id = p.event_id WHERE p.id = ?",
	[SQL_POST_CATS] = "SELECT c.slug, c.name FROM post_category pc "
			  "JOIN category c ON c.id = pc.category_id WHERE pc.post_id = ? "
			  "ORDER BY c.name",
	[SQL_POST_CAT_SLUGS] = "SELECT c.slug FROM post_category pc "
			       "JOIN category c ON c.id = pc.category_id WHERE pc.post_id = ?",
	[SQL_POST_SLUG_TAKEN] = "SELECT 1 FROM post WHERE slug = ? AND id <> ?",
	[SQL_POST_INSERT] = "INSERT INTO post (slug, title, summary, body_md, status, published_at, "
			    "is_featured, image, image_alt, image_credit, event_id, created_at, "
			    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_POST_UPDATE] = "UPDATE post SET slug = ?, title = ?, summary = ?, body_md = ?, "
			    "status = ?, published_at = ?, is_featured = ?, image = ?, "
			    "image_alt = ?, image_credit = ?, event_id = ?, updated_at = ? "
			    "WHERE id = ?",
	[SQL_POST_CATS_CLEAR] = "DELETE FROM post_category WHERE post_id = ?",
	[SQL_POST_CAT_ADD] = "INSERT OR IGNORE INTO post_category (post_id, category_id) "
			     "VALUES (?, ?)",
	[SQL_POST_PUBLISH] = "UPDATE post SET status = ?, published_at = ?, updated_at = ? "
			     "WHERE id = ?",
	[SQL_POST_DELETE] = "DELETE FROM post WHERE id = ?",
	[SQL_EVENT_BY_SLUG] = "SELECT id, coalesce(series_id, 0) FROM event WHERE slug = ?",
	[SQL_EVENTS_ALL] = "SELECT id, coalesce(series_id, 0), slug, title, starts_on FROM event "
			   "ORDER BY starts_on DESC, id DESC",
	[SQL_CAT_ID] = "SELECT id FROM category WHERE slug = ?",
	[SQL_CAT_GET] = "SELECT " CAT_COLS "FROM category c WHERE c.id = ?",
	[SQL_CAT_LIST] = "SELECT " CAT_COLS "FROM category c ORDER BY c.name, c.id",
	[SQL_CAT_SLUG_TAKEN] = "SELECT 1 FROM category WHERE slug = ? AND id <> ?",
	[SQL_CAT_INSERT] = "INSERT INTO category (slug, name) VALUES (?, ?)",
	[SQL_CAT_UPDATE] = "UPDATE category SET slug = ?, name = ? WHERE id = ?",
	[SQL_CAT_DELETE] = "DELETE FROM category WHERE id = ?",
	[SQL_SITE_TZ] = "SELECT value FROM site_setting WHERE key = 'timezone'",
};

static struct db_stmt *prep(struct db *db, enum news_admin_sql i)
{
	return db_prepare(db, sql[i]);
}

void news_error_add(struct news_errors *errs, const char *field, const char *msgid)
{
	if (errs && errs->n < NEWS_ERRORS_MAX) {
		errs->e[errs->n].field = field;
		errs->e[errs->n].msgid = msgid;
		errs->n++;
	}
}

static const char *now_text(struct arena *a, int64_t now)
{
	return time_format_rfc3339(a, now);
}

/* ------------------------------------------------------------------ reads */

static struct auth_scope scope_of(const json_t *p)
{
	struct auth_scope s = {
		.event_id = json_integer_value(json_object_get(p, "scope_event")),
		.series_id = json_integer_value(json_object_get(p, "scope_series")),
	};
	return s;
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
	struct db_stmt *st = prep(db, SQL_POST_CATS);
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
	struct db_stmt *st = prep(db, SQL_POST_SCOPE);
	memset(out, 0, sizeof(*out));
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, id);
	int rc = db_step(st);
	if (rc == 1) {
		out->event_id = db_col_int(st, 0);
		out->series_id = db_col_int(st, 1);
	}
	db_done(st);
	return rc == 1 ? HM_OK : rc == 0 ? HM_ENOTFOUND : HM_EDB;
}

json_t *post_admin_get(struct db *db, int64_t id, int64_t now)
{
	struct arena a;
	struct db_stmt *st = prep(db, SQL_POST_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	json_t *p = db_one_json(st);
	if (!p)
		return NULL;
	arena_init(&a);
	post_finish(db, p, now_text(&a, now));
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
	struct db_stmt *st = prep(db, SQL_POST_LIST);
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
	const char *nows = now_text(&a, now);
	size_t i;
	json_t *p;
	json_array_foreach(rows, i, p) {
		struct auth_scope s = scope_of(p);
		int can_edit = auth_can(actor, AUTH_NEWS_EDIT, &s);
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
	struct db_stmt *st = prep(db, SQL_EVENTS_ALL);
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

/* -------------------------------------------------------------- checks */

static int too_long_or_bad(const char *s, size_t max)
{
	return s && (strlen(s) > max || !utf8_valid(s, strlen(s)));
}

/* 1 if sql (a "slug taken" statement) finds slug used by another row. */
static int slug_taken(struct db *db, enum news_admin_sql q, const char *slug, int64_t self)
{
	struct db_stmt *st = prep(db, q);
	if (!st)
		return 1;
	db_bind_text(st, 1, slug);
	db_bind_int(st, 2, self);
	int rc = db_step(st);
	db_done(st);
	return rc != 0;
}

/* A free slug made from text: the slug itself, else with -2, -3… */
static const char *unique_slug(struct db *db, struct arena *a, enum news_admin_sql q,
			       const char *text, int64_t self)
{
	const char *base = slugify(a, text);
	if (!slug_taken(db, q, base, self))
		return base;
	for (int n = 2; n < 1000; n++) {
		char suffix[8];
		int sl = snprintf(suffix, sizeof(suffix), "-%d", n);
		size_t bl = strlen(base);
		if (bl + (size_t)sl > SLUG_MAX)
			bl = SLUG_MAX - (size_t)sl;
		while (bl > 0 && base[bl - 1] == '-')
			bl--;
		const char *cand = arena_printf(a, "%.*s%s", (int)bl, base, suffix);
		if (!slug_taken(db, q, cand, self))
			return cand;
	}
	return NULL;
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
			      struct post_row *row, struct news_errors *errs)
{
	memset(row, 0, sizeof(*row));
	if (!in->title || !*in->title)
		news_error_add(errs, "title", "This field is required.");
	else if (too_long_or_bad(in->title, POST_TITLE_MAX))
		news_error_add(errs, "title", "This is too long.");
	if (too_long_or_bad(in->summary, POST_SUMMARY_MAX))
		news_error_add(errs, "summary", "This is too long.");
	if (too_long_or_bad(in->body_md, POST_BODY_MAX))
		news_error_add(errs, "body_md", "This is too long.");
	if (too_long_or_bad(in->image_credit, POST_CREDIT_MAX))
		news_error_add(errs, "image_credit", "This is too long.");
	if (too_long_or_bad(in->image_alt, POST_ALT_MAX))
		news_error_add(errs, "image_alt", "This is too long.");

	int event_known = 1;
	if (in->event_slug && *in->event_slug) {
		struct db_stmt *st = prep(db, SQL_EVENT_BY_SLUG);
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
		else if (slug_taken(db, SQL_POST_SLUG_TAKEN, in->slug, self))
			news_error_add(errs, "slug", "Another post already has this address.");
		else
			row->slug = in->slug;
	} else if (in->title && *in->title) {
		row->slug = unique_slug(db, a, SQL_POST_SLUG_TAKEN, in->title, self);
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
			struct db_stmt *st = prep(db, SQL_CAT_ID);
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
	return errs->n ? HM_EINVAL : HM_OK;
}

static enum hm_err post_write_categories(struct db *db, int64_t id, const struct post_row *row)
{
	struct db_stmt *st = prep(db, SQL_POST_CATS_CLEAR);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, id);
	enum hm_err e = db_run(st);
	for (size_t i = 0; e == HM_OK && i < row->ncategories; i++) {
		if (!(st = prep(db, SQL_POST_CAT_ADD)))
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

enum hm_err post_create(struct db *db, const struct principal *actor,
			const struct post_input *in, int64_t now, int64_t *id_out,
			struct news_errors *errs)
{
	struct news_errors scratch;
	struct post_row row;
	struct arena a;
	json_t *after = NULL;
	if (!errs)
		errs = &scratch;
	memset(errs, 0, sizeof(*errs));
	arena_init(&a);
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		goto out_free;
	e = post_check(db, &a, actor, in, 0, now, &row, errs);
	if (e != HM_OK)
		goto out;
	struct db_stmt *st = prep(db, SQL_POST_INSERT);
	if (!st) {
		e = HM_EDB;
		goto out;
	}
	bind_post(st, in, &row);
	db_bind_text(st, 12, now_text(&a, now));
	db_bind_text(st, 13, now_text(&a, now));
	if ((e = db_run(st)) != HM_OK) {
		if (e == HM_EEXIST) {
			news_error_add(errs, "slug", "Another post already has this address.");
			e = HM_EINVAL;
		}
		goto out;
	}
	int64_t id = db_last_insert_id(db);
	if ((e = post_write_categories(db, id, &row)) != HM_OK)
		goto out;
	after = post_admin_get(db, id, now);
	if ((e = audit_record_at(db, actor, "post.create", "post", id, NULL, after, now)) != HM_OK)
		goto out;
	e = db_commit(db);
	if (e == HM_OK && id_out)
		*id_out = id;
out:
	if (e != HM_OK)
		db_rollback(db);
out_free:
	json_decref(after);
	arena_free(&a);
	return e;
}

enum hm_err post_update(struct db *db, const struct principal *actor, int64_t id,
			const struct post_input *in, int64_t now, struct news_errors *errs)
{
	struct news_errors scratch;
	struct post_row row;
	struct auth_scope old;
	struct arena a;
	json_t *before = NULL, *after = NULL;
	if (!errs)
		errs = &scratch;
	memset(errs, 0, sizeof(*errs));
	arena_init(&a);
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		goto out_free;
	if ((e = post_scope(db, id, &old)) != HM_OK)
		goto out;
	if (!auth_can(actor, AUTH_NEWS_EDIT, &old)) {
		e = HM_EFORBIDDEN;
		goto out;
	}
	before = post_admin_get(db, id, now);
	e = post_check(db, &a, actor, in, id, now, &row, errs);
	if (e != HM_OK)
		goto out;
	struct db_stmt *st = prep(db, SQL_POST_UPDATE);
	if (!st) {
		e = HM_EDB;
		goto out;
	}
	bind_post(st, in, &row);
	db_bind_text(st, 12, now_text(&a, now));
	db_bind_int(st, 13, id);
	if ((e = db_run(st)) != HM_OK) {
		if (e == HM_EEXIST) {
			news_error_add(errs, "slug", "Another post already has this address.");
			e = HM_EINVAL;
		}
		goto out;
	}
	if ((e = post_write_categories(db, id, &row)) != HM_OK)
		goto out;
	after = post_admin_get(db, id, now);
	if ((e = audit_record_at(db, actor, "post.update", "post", id, before, after, now)) !=
	    HM_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != HM_OK)
		db_rollback(db);
out_free:
	json_decref(before);
	json_decref(after);
	arena_free(&a);
	return e;
}

enum hm_err post_set_published(struct db *db, const struct principal *actor, int64_t id,
			       int publish, int64_t now)
{
	struct auth_scope s;
	struct arena a;
	json_t *before = NULL, *after = NULL;
	arena_init(&a);
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		goto out_free;
	if ((e = post_scope(db, id, &s)) != HM_OK)
		goto out;
	if (!auth_can(actor, AUTH_NEWS_EDIT, &s)) {
		e = HM_EFORBIDDEN;
		goto out;
	}
	before = post_admin_get(db, id, now);
	const char *status = json_string_value(json_object_get(before, "status"));
	const char *at = json_string_value(json_object_get(before, "published_at"));
	if (str_eq(status, publish ? "published" : "draft")) {
		db_rollback(db);
		goto out_free;
	}
	if (publish && !at)
		at = time_format_rfc3339(&a, now - now % 60);
	struct db_stmt *st = prep(db, SQL_POST_PUBLISH);
	if (!st) {
		e = HM_EDB;
		goto out;
	}
	db_bind_text(st, 1, publish ? "published" : "draft");
	db_bind_text(st, 2, at);
	db_bind_text(st, 3, now_text(&a, now));
	db_bind_int(st, 4, id);
	if ((e = db_run(st)) != HM_OK)
		goto out;
	after = post_admin_get(db, id, now);
	if ((e = audit_record_at(db, actor, publish ? "post.publish" : "post.unpublish", "post", id,
				 before, after, now)) != HM_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != HM_OK)
		db_rollback(db);
out_free:
	json_decref(before);
	json_decref(after);
	arena_free(&a);
	return e;
}

enum hm_err post_delete(struct db *db, const struct principal *actor, int64_t id, int64_t now)
{
	struct auth_scope s;
	json_t *before = NULL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	if ((e = post_scope(db, id, &s)) != HM_OK)
		goto out;
	if (!auth_can(actor, AUTH_NEWS_EDIT, &s)) {
		e = HM_EFORBIDDEN;
		goto out;
	}
	before = post_admin_get(db, id, now);
	struct db_stmt *st = prep(db, SQL_POST_DELETE);
	if (!st) {
		e = HM_EDB;
		goto out;
	}
	db_bind_int(st, 1, id);
	if ((e = db_run(st)) != HM_OK)
		goto out;
	if ((e = audit_record_at(db, actor, "post.delete", "post", id, before, NULL, now)) != HM_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != HM_OK)
		db_rollback(db);
	json_decref(before);
	return e;
}

/* ----------------------------------------------------------- categories */

json_t *category_admin_get(struct db *db, int64_t id)
{
	struct db_stmt *st = prep(db, SQL_CAT_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	return db_one_json(st);
}

json_t *category_admin_list(struct db *db)
{
	struct db_stmt *st = prep(db, SQL_CAT_LIST);
	return st ? db_rows_json(st) : json_array();
}

/* Checks name and slug; *slug_out is the slug to store. */
static void category_check(struct db *db, struct arena *a, int64_t self, const char *name,
			   const char *slug, const char **slug_out, struct news_errors *errs)
{
	*slug_out = NULL;
	if (!name || !*name)
		news_error_add(errs, "name", "This field is required.");
	else if (too_long_or_bad(name, CATEGORY_NAME_MAX))
		news_error_add(errs, "name", "This is too long.");
	if (slug && *slug) {
		if (!slug_valid(slug))
			news_error_add(errs, "slug",
				       "Use lower-case letters, digits and single hyphens only.");
		else if (slug_taken(db, SQL_CAT_SLUG_TAKEN, slug, self))
			news_error_add(errs, "slug", "Another category already has this address.");
		else
			*slug_out = slug;
	} else if (name && *name) {
		*slug_out = unique_slug(db, a, SQL_CAT_SLUG_TAKEN, name, self);
		if (!*slug_out)
			news_error_add(errs, "slug", "Choose an address for this category.");
	}
}

/* Creates (id 0) or updates a category. */
static enum hm_err category_save(struct db *db, const struct principal *actor, int64_t id,
				 const char *name, const char *slug, int64_t now, int64_t *id_out,
				 struct news_errors *errs)
{
	struct news_errors scratch;
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
	category_check(db, &a, id, name, slug, &use_slug, errs);
	if (errs->n) {
		e = HM_EINVAL;
		goto out;
	}
	struct db_stmt *st = prep(db, id ? SQL_CAT_UPDATE : SQL_CAT_INSERT);
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
			e = HM_EINVAL;
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
			    struct news_errors *errs)
{
	return category_save(db, actor, 0, name, slug, now, id_out, errs);
}

enum hm_err category_update(struct db *db, const struct principal *actor, int64_t id,
			    const char *name, const char *slug, int64_t now,
			    struct news_errors *errs)
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
	struct db_stmt *st = prep(db, SQL_CAT_DELETE);
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

/* ----------------------------------------------------------------- time */

const char *news_site_timezone(struct db *db, struct arena *a)
{
	const char *tz = "UTC";
	struct db_stmt *st = prep(db, SQL_SITE_TZ);
	if (st && db_step(st) == 1) {
		const char *v = db_col_text(st, 0);
		if (v && tz_valid(v))
			tz = arena_strdup(a, v);
	}
	if (st)
		db_done(st);
	return tz;
}

static UCalendar *calendar(const char *tz)
{
	UChar utz[128];
	UErrorCode st = U_ZERO_ERROR;
	if (!tz || strlen(tz) >= HM_ARRAY_LEN(utz) || !tz_valid(tz))
		return NULL;
	u_uastrcpy(utz, tz);
	UCalendar *cal = ucal_open(utz, -1, "en_US_POSIX", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st)) {
		if (cal)
			ucal_close(cal);
		return NULL;
	}
	return cal;
}

enum hm_err news_local_to_utc(const char *local, const char *tz, int64_t *out)
{
	int y, mo, d, h, mi;
	char tail;
	if (!local || strlen(local) != 16 || local[4] != '-' || local[7] != '-' ||
	    local[10] != 'T' || local[13] != ':' ||
	    sscanf(local, "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d, &h, &mi, &tail) != 5)
		return HM_EINVAL;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 ||
	    h > 23 || mi < 0 || mi > 59)
		return HM_EINVAL;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return HM_EINVAL;
	UCalendar *cal = calendar(tz);
	if (!cal)
		return HM_EINVAL;
	UErrorCode st = U_ZERO_ERROR;
	/* Lenient (the fields are checked above), so that a skipped wall time
	 * moves forward instead of failing. */
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_NEXT_VALID);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	ucal_clear(cal);
	ucal_setDateTime(cal, y, mo - 1, d, h, mi, 0, &st);
	UDate ms = ucal_getMillis(cal, &st);
	ucal_close(cal);
	if (U_FAILURE(st) || ms < 0)
		return HM_EINVAL;
	*out = (int64_t)(ms / 1000);
	return HM_OK;
}

const char *news_utc_to_local(struct arena *a, const char *tz, int64_t utc)
{
	UCalendar *cal = calendar(tz);
	if (!cal)
		return NULL;
	UErrorCode st = U_ZERO_ERROR;
	ucal_setMillis(cal, (UDate)utc * 1000.0, &st);
	int y = ucal_get(cal, UCAL_YEAR, &st), mo = ucal_get(cal, UCAL_MONTH, &st) + 1,
	    d = ucal_get(cal, UCAL_DATE, &st), h = ucal_get(cal, UCAL_HOUR_OF_DAY, &st),
	    mi = ucal_get(cal, UCAL_MINUTE, &st);
	ucal_close(cal);
	if (U_FAILURE(st))
		return NULL;
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi);
}
