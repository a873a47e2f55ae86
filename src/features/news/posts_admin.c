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

/* ------------------------------------------------------ the post kind */

/* The keys of a post the rules take from a change as they are. */
static const char *const post_keys[] = {"title",     "slug",         "summary",
					"body_md",   "status",       "published_at",
					"image",     "image_alt",    "image_credit",
					"event_slug"};

static const char *nonempty(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : NULL;
}

static int64_t post_id_of(const char *key)
{
	int64_t id;
	return key && text_int_parse(key, &id) && id > 0 ? id : 0;
}

json_t *post_snapshot(struct db *db, const char *key)
{
	int64_t id = post_id_of(key);
	json_t *p = id ? post_admin_get(db, id, time_now_s()) : NULL;
	/* The audit keeps the post's own fields. */
	json_object_del(p, "event_status");
	return p;
}

int post_may_edit(struct db *db, const struct principal *p, const json_t *before)
{
	struct auth_scope s;
	return post_scope(db, json_integer_value(json_object_get(before, "id")), &s) == HM_OK &&
	       auth_can(p, AUTH_NEWS_EDIT, &s);
}

json_t *post_defaults(void)
{
	return json_pack("{s:s, s:b, s:[]}", "status", "draft", "is_featured", 0, "categories");
}

json_t *post_merge(const json_t *cur, const json_t *in)
{
	json_t *m = json_object();
	for (size_t i = 0; i < HM_ARRAY_LEN(post_keys); i++) {
		json_t *v = json_object_get(in, post_keys[i]);
		if (!v)
			v = json_object_get(cur, post_keys[i]);
		if (v)
			json_object_set(m, post_keys[i], v);
	}
	json_t *f = json_object_get(in, "is_featured");
	json_object_set_new(m, "is_featured",
			    json_boolean(f ? json_is_true(f) || str_eq(json_string_value(f), "1")
					   : json_is_true(json_object_get(cur, "is_featured"))));
	json_t *cats = json_object_get(in, "categories");
	if (cats) {
		json_object_set_new(m, "categories",
				    json_is_null(cats) ? json_array() : json_incref(cats));
	} else {
		/* What is stored: {slug, name} each; the rules speak of slugs. */
		json_t *slugs = json_array();
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(cur, "categories"), i, c) {
			json_t *slug = json_is_string(c) ? c : json_object_get(c, "slug");
			json_array_append(slugs, slug);
		}
		json_object_set_new(m, "categories", slugs);
	}
	return m;
}

void post_complete(json_t *m, const json_t *before, int64_t now)
{
	struct arena a;
	(void)before;
	arena_init(&a);
	const char *at = nonempty(m, "published_at");
	int64_t t = at ? time_parse_rfc3339(at) : -1;
	if (t >= 0)
		json_object_set_new(m, "published_at", json_string(time_format_rfc3339(&a, t)));
	else if (!at && str_eq(nonempty(m, "status"), "published"))
		/* To the minute, as the public pages compare to the minute. */
		json_object_set_new(m, "published_at",
				    json_string(time_format_rfc3339(&a, now - now % 60)));
	else if (!at)
		json_object_set_new(m, "published_at", json_null());
	arena_free(&a);
}

const char *post_address(const json_t *m, char *buf, size_t n)
{
	const char *at = nonempty(m, "published_at"), *slug = nonempty(m, "slug");
	if (!at || !slug || strlen(at) < 10)
		return NULL;
	snprintf(buf, n, "%.4s/%.2s/%.2s/%s", at, at + 5, at + 8, slug);
	return buf;
}

int post_check(const json_t *m, struct field_errors *errs)
{
	static const struct {
		const char *key;
		size_t max;
	} limits[] = {{"summary", POST_SUMMARY_MAX},
		      {"body_md", POST_BODY_MAX},
		      {"image_credit", POST_CREDIT_MAX},
		      {"image_alt", POST_ALT_MAX}};
	int n = errs->n;
	const char *title = nonempty(m, "title");
	if (!title)
		field_error_add(errs, "title", "This field is required.");
	else if (news_too_long(title, POST_TITLE_MAX))
		field_error_add(errs, "title", "This is too long.");
	for (size_t i = 0; i < HM_ARRAY_LEN(limits); i++)
		if (news_too_long(json_string_value(json_object_get(m, limits[i].key)),
				  limits[i].max))
			field_error_add(errs, limits[i].key, "This is too long.");
	const char *slug = nonempty(m, "slug");
	if (slug && !slug_valid(slug))
		field_error_add(errs, "slug", "Use lower-case letters, digits and single hyphens only.");
	const char *status = json_string_value(json_object_get(m, "status"));
	if (!str_eq(status, "draft") && !str_eq(status, "published"))
		field_error_add(errs, "status", "Choose one of the options.");
	const char *at = nonempty(m, "published_at");
	if (at && time_parse_rfc3339(at) < 0)
		field_error_add(errs, "published_at", "Enter a date and time as YYYY-MM-DDTHH:MM.");
	const char *image = nonempty(m, "image");
	if (image) {
		if (!media_name_is_original(image) || !media_exists(image))
			field_error_add(errs, "image", "There is no such uploaded image.");
		if (!nonempty(m, "image_alt"))
			field_error_add(errs, "image_alt",
					"Describe the image for people who cannot see it.");
	}
	json_t *cats = json_object_get(m, "categories");
	size_t i;
	json_t *c;
	if (!json_is_array(cats))
		field_error_add(errs, "categories", "There is no such category.");
	else if (json_array_size(cats) > POST_CATEGORIES_MAX)
		field_error_add(errs, "categories", "Choose fewer categories.");
	else
		json_array_foreach(cats, i, c) if (!json_is_string(c))
			field_error_add(errs, "categories", "There is no such category.");
	return errs->n - n;
}

/* The event (its id in *ref, 0 for site news) and the right to post news
 * there; then the categories. An unknown event is refused as a field
 * (nobody has rights in it), to those who may write some news. */
enum hm_err post_resolve(struct db *db, const struct principal *p, const json_t *before,
			 const json_t *m, int64_t *ref, struct field_errors *errs)
{
	struct auth_scope s = {0};
	const char *ev = nonempty(m, "event_slug");
	int known = 1;
	(void)before; /* may_edit checked the right where it is now */
	*ref = 0;
	if (ev) {
		struct db_stmt *st = news_admin_prep(db, SQL_EVENT_BY_SLUG);
		if (!st)
			return HM_EDB;
		db_bind_text(st, 1, ev);
		int rc = db_step(st);
		if (rc == 1) {
			*ref = s.event_id = db_col_int(st, 0);
			s.series_id = db_col_int(st, 1);
		}
		db_done(st);
		if (rc < 0)
			return HM_EDB;
		if (rc == 0) {
			known = 0;
			field_error_add(errs, "event_slug", "There is no such event.");
		}
	}
	if (known ? !auth_can(p, AUTH_NEWS_EDIT, &s) : !news_can_edit_any(p))
		return HM_EFORBIDDEN;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(m, "categories"), i, c) {
		struct db_stmt *st = news_admin_prep(db, SQL_CAT_ID);
		if (!st)
			return HM_EDB;
		db_bind_text(st, 1, json_string_value(c));
		int rc = db_step(st);
		db_done(st);
		if (rc < 0)
			return HM_EDB;
		if (rc == 0)
			field_error_add(errs, "categories", "There is no such category.");
	}
	return HM_OK;
}

enum hm_err post_write(struct db *db, const json_t *m, int64_t event_id, int64_t id,
		       const char *ts, int64_t *id_out)
{
	struct db_stmt *st = news_admin_prep(db, id ? SQL_POST_UPDATE : SQL_POST_INSERT);
	if (!st)
		return HM_EDB;
	const char *image = nonempty(m, "image");
	const char *summary = json_string_value(json_object_get(m, "summary"));
	const char *body = json_string_value(json_object_get(m, "body_md"));
	db_bind_text(st, 1, json_string_value(json_object_get(m, "slug")));
	db_bind_text(st, 2, json_string_value(json_object_get(m, "title")));
	db_bind_text(st, 3, summary ? summary : "");
	db_bind_text(st, 4, body ? body : "");
	db_bind_text(st, 5, json_string_value(json_object_get(m, "status")));
	db_bind_text(st, 6, nonempty(m, "published_at"));
	db_bind_int(st, 7, json_is_true(json_object_get(m, "is_featured")));
	db_bind_text(st, 8, image);
	db_bind_text(st, 9, image ? nonempty(m, "image_alt") : NULL);
	db_bind_text(st, 10, nonempty(m, "image_credit"));
	if (event_id)
		db_bind_int(st, 11, event_id);
	else
		db_bind_null(st, 11);
	db_bind_text(st, 12, ts);
	if (id)
		db_bind_int(st, 13, id);
	else
		db_bind_text(st, 13, ts); /* created_at */
	enum hm_err e = db_run(st);
	if (e != HM_OK)
		return e;
	if (!id)
		id = db_last_insert_id(db);
	*id_out = id;
	if (!(st = news_admin_prep(db, SQL_POST_CATS_CLEAR)))
		return HM_EDB;
	db_bind_int(st, 1, id);
	e = db_run(st);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(m, "categories"), i, c) {
		if (e != HM_OK)
			break;
		if (!(st = news_admin_prep(db, SQL_POST_CAT_ADD)))
			return HM_EDB;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, json_string_value(c));
		e = db_run(st);
	}
	return e;
}

/* A change of status is a publication or its withdrawal. */
const char *post_action(const json_t *before, const json_t *after)
{
	const char *was = json_string_value(json_object_get(before, "status"));
	const char *now = json_string_value(json_object_get(after, "status"));
	if (!before)
		return "post.create";
	if (str_eq(was, now))
		return "post.update";
	return str_eq(now, "published") ? "post.publish" : "post.unpublish";
}
