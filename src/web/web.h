/*
 * web.h — the site: its route table, page handlers, and the step that turns
 * a handler's model into HTML (through the templates, in the site layout)
 * or JSON. web_init compiles the embedded templates and loads the message
 * catalogues once, before the server starts its threads.
 */
#ifndef HM_WEB_H
#define HM_WEB_H

#include <jansson.h>

#include "http/router.h"

extern const struct route web_routes[];
extern const size_t web_nroutes;

/* Compiles templates and loads catalogues. On error prints why, returns
 * non-OK. */
enum hm_err web_init(void);
void web_shutdown(void);

/* ---- helpers shared by the page handlers (render.c) ---- */

/* Current time as RFC 3339 UTC, truncated to the minute (pages that depend
 * on it are cached per minute), and today's UTC date. */
const char *web_now(struct http_req *req);
const char *web_today(struct http_req *req);

/* Adds display fields (url, dates, country name, role labels…) to models
 * for the request's language. */
void web_decorate_event(struct http_req *req, json_t *ev);
void web_decorate_events(struct http_req *req, json_t *events);
void web_decorate_post(struct http_req *req, json_t *post, int full);
void web_decorate_posts(struct http_req *req, json_t *posts);
void web_decorate_org(struct http_req *req, json_t *org);

/* Translation in the request's language. */
const char *web_t(struct http_req *req, const char *msgid);

/* Renders a named template (not in the layout) into out. */
enum hm_err web_render_plain(struct http_req *req, const char *name, json_t *model,
			     struct buf *out);

/* The URL of an embedded asset with its content hash ("/assets/site.css?v=…"). */
const char *web_asset_url(const char *name);

#endif
