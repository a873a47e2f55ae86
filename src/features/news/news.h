/*
 * news.h — news posts and categories, read side. A post is public when its
 * status is 'published' and its publication time has come (a later time
 * means scheduled). Every function returns a new json_t (caller owns it),
 * or NULL when nothing public matches.
 */
#ifndef HM_NEWS_H
#define HM_NEWS_H

#include <jansson.h>

struct db;

/* Public posts, newest first: {"posts": […], "page", "pages", "total"}.
 * category: a category slug or NULL for all. now: RFC 3339 UTC. */
json_t *news_list(struct db *db, const char *now, const char *category, int page, int per_page);

/* The public post whose permalink date (UTC, "YYYY-MM-DD") and slug match,
 * with body_md, categories and related event. */
json_t *news_get(struct db *db, const char *now, const char *ymd, const char *slug);

/* Featured public posts, newest first. */
json_t *news_featured(struct db *db, const char *now, int limit);

/* Public posts about one event, newest first. */
json_t *news_for_event(struct db *db, const char *now, long long event_id, int limit);

/* A category by slug, or NULL. */
json_t *category_get(struct db *db, const char *slug);

/* {ymd, slug} of the post the public may see (as news_get) that had
 * address ("yyyy/mm/dd/slug", old_address) before; NULL when none. */
json_t *news_moved(struct db *db, const char *now, const char *address);
/* The first address post id had and has no longer ("yyyy/mm/dd/slug"),
 * a JSON string; NULL when it never changed. */
json_t *news_first_address(struct db *db, long long id);

/* Every category with its number of public posts. */
json_t *category_list(struct db *db, const char *now);

#endif
