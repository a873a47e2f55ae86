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
	SQL_POST_INSERT,
	SQL_POST_UPDATE,
	SQL_POST_CATS_CLEAR,
	SQL_POST_CAT_ADD,
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

/* The rules and the store of a post, for post_kind (struct kind says
 * what each does): a post is addressed by its id in decimal, its
 * categories are a list of slugs, its event a slug (event_slug). */
json_t *post_snapshot(struct db *db, const char *key);
int post_may_edit(struct db *db, const struct principal *p, const json_t *before);
json_t *post_defaults(void);
json_t *post_merge(const json_t *cur, const json_t *in);
void post_complete(json_t *m, const json_t *before, int64_t now);
/* A post's public address as old_address keeps it: "yyyy/mm/dd/slug" of
 * its publication date (UTC) and slug; NULL without a date. */
const char *post_address(const json_t *m, char *buf, size_t n);
int post_check(const json_t *m, struct field_errors *errs);
enum hm_err post_resolve(struct db *db, const struct principal *p, const json_t *before,
			 const json_t *m, int64_t *ref, struct field_errors *errs);
enum hm_err post_write(struct db *db, const json_t *m, int64_t event_id, int64_t id,
		       const char *ts, int64_t *id_out);
const char *post_action(const json_t *before, const json_t *after);

#endif
