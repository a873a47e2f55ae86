/*
 * old_address.c — the old addresses of things (old_address.h): recorded,
 * claimed and forgotten inside the writes of the kinds, looked up by the
 * pages and the API that cannot find a key, and the 301 that sends a
 * reader to where the thing is now.
 */
#include "site/old_address.h"

#include "db/db.h"
#include "http/http.h"
#include "site/web.h"

#include <string.h>

enum old_address_sql {
	SQL_KEEP,
	SQL_CLAIM,
	SQL_FORGET,
	SQL_FIND,
	OLD_ADDRESS_SQL__MAX
};

static const char *const sql[OLD_ADDRESS_SQL__MAX] = {
	[SQL_KEEP] = "INSERT INTO old_address (entity, address, entity_id, created_at) "
		     "VALUES (?, ?, ?, ?) ON CONFLICT (entity, address) DO UPDATE SET "
		     "entity_id = excluded.entity_id, created_at = excluded.created_at",
	[SQL_CLAIM] = "DELETE FROM old_address WHERE entity = ? AND address = ?",
	[SQL_FORGET] = "DELETE FROM old_address WHERE entity = ? AND entity_id = ?",
	[SQL_FIND] = "SELECT entity_id FROM old_address WHERE entity = ? AND address = ?",
};

enum hm_err old_address_keep(struct db *db, const char *entity, int64_t id, const char *address,
			     const char *ts)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_KEEP]);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, entity);
	db_bind_text(st, 2, address);
	db_bind_int(st, 3, id);
	db_bind_text(st, 4, ts);
	return db_run(st);
}

enum hm_err old_address_claim(struct db *db, const char *entity, const char *address)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_CLAIM]);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, entity);
	db_bind_text(st, 2, address);
	return db_run(st);
}

enum hm_err old_address_forget(struct db *db, const char *entity, int64_t id)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_FORGET]);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, entity);
	db_bind_int(st, 2, id);
	return db_run(st);
}

int64_t old_address_find(struct db *db, const char *entity, const char *address)
{
	struct db_stmt *st = db_prepare(db, sql[SQL_FIND]);
	if (!st)
		return -1;
	db_bind_text(st, 1, entity);
	db_bind_text(st, 2, address);
	int rc = db_step(st);
	int64_t id = rc == 1 ? db_col_int(st, 0) : rc == 0 ? 0 : -1;
	db_done(st);
	return id;
}

enum hm_err web_moved(struct http_req *req, struct http_res *res, const char *path)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, path);
	for (size_t i = 0; i < req->query.n; i++) {
		buf_puts(&b, i ? "&" : "?");
		url_encode(&b, req->query.items[i].key);
		buf_puts(&b, "=");
		url_encode(&b, req->query.items[i].value ? req->query.items[i].value : "");
	}
	const char *to = arena_strdup(&req->pool, b.data);
	buf_free(&b);
	res->status = 301;
	res->location = web_local_path(to) ? to : "/";
	return HM_OK;
}
