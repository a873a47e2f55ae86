/*
 * news_web.h — what the news pages share (internal to src/features/news):
 * the organisers' posts (admin_news.c), categories (admin_categories.c)
 * and image uploads (media.c), each with its JSON twin under /api/v1/;
 * the display fields of posts (decorate.c); the route tables the
 * feature's descriptor lists (feature.c). The helpers are in news_web.c.
 */
#ifndef HM_WEB_NEWS_WEB_H
#define HM_WEB_NEWS_WEB_H

#include <jansson.h>

#include "features/news/news_admin.h"
#include "site/feature.h"
#include "site/form.h"
#include "site/web.h"

/* 1 if the body is JSON. */
int news_web_json_body(const struct http_req *req);

/* The gate of every news editing handler: editors of some news pass,
 * everyone else gets web_require's answer (sign-in, 401 or 403). */
enum hm_err news_web_gate(struct http_req *req, struct http_res *res);
/* Marks the admin sub-navigation's current section. */
void news_web_nav(json_t *m, const char *section);

/* ---------------------------------------------------- display (decorate.c) */

/* Adds the display fields (url, permalink, date, image and category
 * links; with full, the share link and the body as HTML). */
void news_decorate(struct http_req *req, json_t *post, int full);
void news_decorate_list(struct http_req *req, json_t *posts);

/* ----------------------------------------------------------- the feature */

/* What news adds to the home page and to an event's page (public.c). */
enum hm_err news_home(struct http_req *req, json_t *m);
enum hm_err news_event_page(struct http_req *req, json_t *ev);

extern const struct route news_public_routes[];
extern const struct route news_admin_routes[];
extern const struct route category_admin_routes[];
extern const struct route news_media_routes[];

/* The texts of posts that take versions in other languages
 * (site/translations.h), as the post kind's fields name them. */
extern const char *const news_tr_fields[];

#endif
