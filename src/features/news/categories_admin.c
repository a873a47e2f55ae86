/*
 * categories_admin.c — news categories as administrators read them, with
 * their counts of posts, drafts included. How one is created, renamed and
 * deleted is category_kind's (admin_categories.c).
 */
#include "features/news/news_internal.h"

#include "db/db.h"

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
