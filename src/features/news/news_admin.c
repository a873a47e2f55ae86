/*
 * news_admin.c — the news module's organiser side, what its files share:
 * the statements (one list for posts, categories and the site's time
 * zone) and the helpers their writes use. Posts are in posts_admin.c,
 * categories in categories_admin.c, wall-clock times in news_time.c.
 */
#include "features/news/news_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "view/i18n.h"

#include <stdio.h>
#include <string.h>

#define POST_COLS                                                                           \
	"p.id, p.slug, p.title, p.summary, p.status, p.published_at, "                      \
	"substr(p.published_at, 1, 10) AS ymd, p.is_featured, p.image, p.image_alt, "       \
	"p.image_credit, e.slug AS event_slug, e.title AS event_title, "                    \
	"e.status AS event_status, "                                                        \
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
	[SQL_POST_INSERT] = "INSERT INTO post (slug, title, summary, body_md, status, published_at, "
			    "is_featured, image, image_alt, image_credit, event_id, created_at, "
			    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_POST_UPDATE] = "UPDATE post SET slug = ?, title = ?, summary = ?, body_md = ?, "
			    "status = ?, published_at = ?, is_featured = ?, image = ?, "
			    "image_alt = ?, image_credit = ?, event_id = ?, updated_at = ? "
			    "WHERE id = ?",
	[SQL_POST_CATS_CLEAR] = "DELETE FROM post_category WHERE post_id = ?",
	[SQL_POST_CAT_ADD] = "INSERT INTO post_category (post_id, category_id) "
			     "SELECT ?, id FROM category WHERE slug = ? ON CONFLICT DO NOTHING",
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

struct db_stmt *news_admin_prep(struct db *db, enum news_admin_sql i)
{
	return db_prepare(db, sql[i]);
}

const char *news_now_text(struct arena *a, int64_t now)
{
	return time_format_rfc3339(a, now);
}

int news_too_long(const char *s, size_t max)
{
	return s && (strlen(s) > max || !utf8_valid(s, strlen(s)));
}

const char *news_site_timezone(struct db *db, struct arena *a)
{
	const char *tz = "UTC";
	struct db_stmt *st = news_admin_prep(db, SQL_SITE_TZ);
	if (st && db_step(st) == 1) {
		const char *v = db_col_text(st, 0);
		if (v && tz_valid(v))
			tz = arena_strdup(a, v);
	}
	if (st)
		db_done(st);
	return tz;
}
