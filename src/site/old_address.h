/*
 * old_address.h — the addresses things had before they changed (table
 * old_address, migration 0009), so that an old link answers 301 with where
 * the thing is now, as WordPress keeps a post's old slugs. kind_save
 * records them and kind_delete forgets them for every kind with an
 * address hook; the public pages and the API ask when a key is unknown.
 */
#ifndef HM_SITE_OLD_ADDRESS_H
#define HM_SITE_OLD_ADDRESS_H

#include <stdint.h>

struct db;
struct http_req;
struct http_res;

/* In a write transaction. Records that thing id of entity was at address
 * (whoever was recorded there before loses it). */
enum hm_err old_address_keep(struct db *db, const char *entity, int64_t id, const char *address,
			     const char *ts);
/* address is a thing's own now: it is no longer an old address of any
 * (a new thing that takes a freed slug wins over the redirect). */
enum hm_err old_address_claim(struct db *db, const char *entity, const char *address);
/* Forgets every old address of thing id (it is deleted). */
enum hm_err old_address_forget(struct db *db, const char *entity, int64_t id);

/* In a read transaction. The id of the thing of entity that was at
 * address: 0 when none, -1 when the statement failed. */
int64_t old_address_find(struct db *db, const char *entity, const char *address);

/* Answers 301 to path (a local path), with the request's query kept. */
enum hm_err web_moved(struct http_req *req, struct http_res *res, const char *path);

#endif
