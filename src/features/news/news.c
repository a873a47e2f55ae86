/*
 * news.c — read queries for posts and categories. Visibility (published
 * and due) is decided in SQL so a draft or scheduled post can never slip
 * into a list, a permalink or the feed.
 */
#include "features/news/news.h"
#include "db/db.h"

enum news_sql {
	SQL_COUNT,
	SQL_COUNT_CAT,
	SQL_LIST,
	SQL_LIST_CAT,
	SQL_GET,
	SQL_POST_CATS,
	SQL_FEATURED,
	SQL_FOR_EVENT,
	SQL_CATEGORY,
	SQL_CATEGORIES,
	SQL_MOVED,
	SQL_FIRST_ADDRESS,
	NEWS_SQL__MAX
};

#define PUBLIC "p.status = 'published' AND p.published_at <= ?"
#define POST_COLS                                                                           \
	"p.id, p.lang, p.slug, p.title, p.summary, p.published_at, p.is_featured, p.image, "        \
	"p.image_alt, p.image_credit, substr(p.published_at, 1, 10) AS ymd "

static const char *const sql[NEWS_SQL__MAX] = {
	[SQL_COUNT] = "SELECT count(*) FROM post p WHERE " PUBLIC,
	[SQL_COUNT_CAT] = "SELECT count(*) FROM post p JOIN post_category pc ON pc.post_id = p.id "
			  "JOIN category c ON c.id = pc.category_id WHERE " PUBLIC " AND c.slug = ?",
	[SQL_LIST] = "SELECT " POST_COLS "FROM post p WHERE " PUBLIC
		     " ORDER BY p.published_at DESC, p.id DESC LIMIT ? OFFSET ?",
	[SQL_LIST_CAT] = "SELECT " POST_COLS "FROM post p JOIN post_category pc ON pc.post_id = p.id "
			 "JOIN category c ON c.id = pc.category_id WHERE " PUBLIC
			 " AND c.slug = ? ORDER BY p.published_at DESC, p.id DESC LIMIT ? OFFSET ?",
	[SQL_GET] = "SELECT " POST_COLS ", p.body_md, p.updated_at, e.slug AS event_slug, "
		    "e.title AS event_title FROM post p "
		    "LEFT JOIN event e ON e.id = p.event_id AND e.status IN ('published', 'cancelled') "
		    "WHERE " PUBLIC " AND substr(p.published_at, 1, 10) = ? AND p.slug = ?",
	[SQL_POST_CATS] = "SELECT c.slug, c.name FROM post_category pc "
			  "JOIN category c ON c.id = pc.category_id WHERE pc.post_id = ? "
			  "ORDER BY c.name",
	[SQL_FEATURED] = "SELECT " POST_COLS "FROM post p WHERE " PUBLIC
			 " AND p.is_featured = 1 ORDER BY p.published_at DESC, p.id DESC LIMIT ?",
	[SQL_FOR_EVENT] = "SELECT " POST_COLS "FROM post p WHERE " PUBLIC
			  " AND p.event_id = ? ORDER BY p.published_at DESC, p.id DESC LIMIT ?",
	[SQL_CATEGORY] = "SELECT id, slug, name FROM category WHERE slug = ?",
	[SQL_CATEGORIES] = "SELECT c.slug, c.name, (SELECT count(*) FROM post_category pc "
			   "JOIN post p ON p.id = pc.post_id WHERE pc.category_id = c.id AND " PUBLIC
			   ") AS posts FROM category c ORDER BY c.name",
	/* Where a post the public may see is now, by an address it had. */
	[SQL_MOVED] = "SELECT substr(p.published_at, 1, 10) AS ymd, p.slug FROM old_address a "
		      "JOIN post p ON p.id = a.entity_id WHERE a.entity = 'post' AND "
		      "a.address = ? AND " PUBLIC,
	/* The first address a post had that it has no longer. */
	[SQL_FIRST_ADDRESS] = "SELECT address FROM old_address WHERE entity = 'post' AND "
			      "entity_id = ? ORDER BY created_at, id LIMIT 1",
};

/* Adds "categories" to each post of an array (or to one post object). */
static void add_categories(struct db *db, json_t *post)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_POST_CATS]);
	if (!st) {
		json_object_set_new(post, "categories", json_array());
		return;
	}
	db_bind_int(st, 1, json_integer_value(json_object_get(post, "id")));
	json_object_set_new(post, "categories", db_rows_json(st));
}

static json_t *posts_with_categories(struct db *db, struct db_stmt *st)
{
	json_t *posts = db_rows_json(st);
	size_t i;
	json_t *p;
	json_array_foreach(posts, i, p)
		add_categories(db, p);
	return posts;
}

json_t *news_list(struct db *db, const char *now, const char *category, int page, int per_page)
{
	struct db_stmt *st = db_prepare(db, sql[category ? SQL_COUNT_CAT : SQL_COUNT]);
	long long total = 0;
	if (!st)
		return NULL;
	db_bind_text(st, 1, now);
	if (category)
		db_bind_text(st, 2, category);
	if (db_step(st) == 1)
		total = db_col_int(st, 0);
	db_done(st);

	long long pages = total ? (total + per_page - 1) / per_page : 1;
	st = db_prepare(db, sql[category ? SQL_LIST_CAT : SQL_LIST]);
	if (!st)
		return NULL;
	int i = 1;
	db_bind_text(st, i++, now);
	if (category)
		db_bind_text(st, i++, category);
	db_bind_int(st, i++, per_page);
	db_bind_int(st, i++, (long long)(page - 1) * per_page);
	json_t *posts = posts_with_categories(db, st);
	return json_pack("{s:o, s:i, s:I, s:I}", "posts", posts, "page", page, "pages",
			 (json_int_t)pages, "total", (json_int_t)total);
}

json_t *news_get(struct db *db, const char *now, const char *ymd, const char *slug)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_GET]);
	if (!st)
		return NULL;
	db_bind_text(st, 1, now);
	db_bind_text(st, 2, ymd);
	db_bind_text(st, 3, slug);
	json_t *p = db_one_json(st);
	if (p)
		add_categories(db, p);
	return p;
}

json_t *news_featured(struct db *db, const char *now, int limit)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_FEATURED]);
	if (!st)
		return json_array();
	db_bind_text(st, 1, now);
	db_bind_int(st, 2, limit);
	return posts_with_categories(db, st);
}

json_t *news_for_event(struct db *db, const char *now, long long event_id, int limit)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_FOR_EVENT]);
	if (!st)
		return json_array();
	db_bind_text(st, 1, now);
	db_bind_int(st, 2, event_id);
	db_bind_int(st, 3, limit);
	return posts_with_categories(db, st);
}

json_t *news_moved(struct db *db, const char *now, const char *address)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_MOVED]);
	if (!st)
		return NULL;
	db_bind_text(st, 1, address);
	db_bind_text(st, 2, now);
	return db_one_json(st);
}

json_t *news_first_address(struct db *db, long long id)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_FIRST_ADDRESS]);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	json_t *a = db_step(st) == 1 ? json_string(db_col_text(st, 0)) : NULL;
	db_done(st);
	return a;
}

json_t *category_get(struct db *db, const char *slug)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_CATEGORY]);
	if (!st)
		return NULL;
	db_bind_text(st, 1, slug);
	return db_one_json(st);
}

json_t *category_list(struct db *db, const char *now)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_CATEGORIES]);
	if (!st)
		return json_array();
	db_bind_text(st, 1, now);
	return db_rows_json(st);
}
