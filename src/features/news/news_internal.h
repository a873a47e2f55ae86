/*
 * news_internal.h — what the files of src/news share, not for other
 * modules: the organisers' statements and the helpers of their writes.
 */
#ifndef HM_NEWS_INTERNAL_H
#define HM_NEWS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "features/news/news_admin.h"

struct db_stmt;

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

struct db_stmt *news_admin_prep(struct db *db, enum news_admin_sql i);

/* Unix seconds as RFC 3339 UTC, in the arena. */
const char *news_now_text(struct arena *a, int64_t now);

/* 1 if s (not NULL) is over max bytes or not UTF-8. */
int news_too_long(const char *s, size_t max);

/* 1 if statement q (a "slug taken" one) finds slug used by another row
 * than self (or cannot tell). */
int news_slug_taken(struct db *db, enum news_admin_sql q, const char *slug, int64_t self);

/* A free slug made from text: the slug itself, else with -2, -3…; NULL
 * when none is free. In the arena. */
const char *news_unique_slug(struct db *db, struct arena *a, enum news_admin_sql q,
			     const char *text, int64_t self);

#endif
