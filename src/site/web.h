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

/* Every route of the site, gathered from the features' descriptors
 * (features.c lists the features). */
const struct route *web_route_table(size_t *n);

/* ---- what a route needs (struct route's flags, gate.c) ----
 * Declared on the route and checked once by web_route_gate before the
 * handler runs, so that a new route cannot forget its gate. */
enum web_route_flag {
	WEB_JSON = 1u << 0,      /* the API: answers JSON whatever Accept says, errors too */
	WEB_SIGNED_IN = 1u << 1, /* an account: a visitor asking for a page is sent to
				    sign in, others get 401 */
	WEB_STAFF = 1u << 2,     /* an administrator or an organiser of some event or series */
	WEB_ADMIN = 1u << 3,     /* an administrator (site.admin) */
	WEB_CSRF = 1u << 4,      /* a POST, PUT, PATCH or DELETE carries its CSRF token */
	WEB_PRIVATE = 1u << 5,   /* never stored by any cache */
};

/* The server's "before" hook: checks what r->flags declare, in the order
 * above. HM_OK, or the error (with res filled in) that answers instead of
 * the handler. */
enum hm_err web_route_gate(struct http_req *req, struct http_res *res, const struct route *r);

/* The modules' tables. */
extern const struct route public_routes[];
extern const size_t public_nroutes;
extern const struct route account_routes[];
extern const size_t account_nroutes;
extern const struct route admin_event_routes[];
extern const size_t admin_event_nroutes;
extern const struct route admin_series_routes[];
extern const size_t admin_series_nroutes;
extern const struct route admin_event_org_routes[];
extern const size_t admin_event_org_nroutes;
extern const struct route admin_organiser_routes[];
extern const size_t admin_organiser_nroutes;
extern const struct route admin_org_routes[];
extern const size_t admin_org_nroutes;
extern const struct route admin_news_routes[];
extern const size_t admin_news_nroutes;
extern const struct route admin_category_routes[];
extern const size_t admin_category_nroutes;
extern const struct route admin_media_routes[];
extern const size_t admin_media_nroutes;
extern const struct route site_reset_routes[];
extern const size_t site_reset_nroutes;
extern const struct route site_profile_routes[];
extern const size_t site_profile_nroutes;
extern const struct route admin_outbox_routes[];
extern const size_t admin_outbox_nroutes;
extern const struct route admin_audit_routes[];
extern const size_t admin_audit_nroutes;
extern const struct route admin_account_routes[];
extern const size_t admin_account_nroutes;

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

/* Runs body inside one read transaction, so a page made of several queries
 * sees one state of the data; returns HM_EDB from the handler if it cannot
 * begin. */
#define WEB_READ_TXN(req, body)                                                                \
	do {                                                                                   \
		if (db_begin_read((req)->db) != HM_OK)                                          \
			return HM_EDB;                                                         \
		body;                                                                          \
		db_rollback((req)->db);                                                        \
	} while (0)

/* The message for a form whose CSRF token no longer holds (a msgid). */
#define WEB_FORM_EXPIRED "This form has expired. Please reload the page and try again."

/* A page number from ?page=: 1 when absent, 0 when not a whole number
 * from 1 to 1,000,000. */
int web_page_param(struct http_req *req);

/* Translation in the request's language. */
const char *web_t(struct http_req *req, const char *msgid);

/* Renders a named template (not in the layout) into out. */
enum hm_err web_render_plain(struct http_req *req, const char *name, json_t *model,
			     struct buf *out);

/* The URL of an embedded asset with its content hash ("/assets/site.css?v=…"). */
const char *web_asset_url(const char *name);

/* ---- who is asking, what they may do, CSRF (session.c) ---- */

struct principal;
struct auth_scope;
enum auth_action;

/* The principal of the request, loaded once: a bearer API token, else the
 * session cookie, else a public visitor. Never NULL. */
const struct principal *web_principal(struct http_req *req);

/* HM_OK if the principal may do a in scope. Otherwise a visitor asking
 * for HTML is sent to the sign-in page (and back afterwards), others get
 * 401/403; the error is returned for the handler to pass on. */
enum hm_err web_require(struct http_req *req, struct http_res *res, int action,
			const struct auth_scope *scope);

/* The CSRF token for the forms of the page being built. For a visitor it
 * also sets the pre-session cookie the token is bound to. */
const char *web_csrf_token(struct http_req *req, struct http_res *res);

/* 1 if a state-changing request carries a valid CSRF token: the form's
 * "_csrf" field (token may be NULL) or the X-CSRF-Token header. Requests
 * with a bearer API token need none (no cookie is involved). */
int web_csrf_valid(struct http_req *req, const char *token);

/* The start of a POST that sends nothing but its CSRF token (publish,
 * remove, revoke, sign out…): marks the answer private, reads the body
 * for its "_csrf" field and checks it (the X-CSRF-Token header counts
 * too). HM_OK when it holds; otherwise the answer is 403 with
 * WEB_FORM_EXPIRED and that error is returned for the handler to pass on. */
enum hm_err web_post_guard(struct http_req *req, struct http_res *res);

/* Marks the answer private: no caching anywhere, and sets the page's
 * "site.account" so the layout shows who is signed in. */
void web_private(struct http_req *req, struct http_res *res);

/* Sends the client to a local path with 303 See Other. */
enum hm_err web_redirect(struct http_req *req, struct http_res *res, const char *path);

/* 1 if path is a safe local redirect target ("/x", not "//x" or "/\\x"). */
int web_local_path(const char *path);

/* ---- what the site gives the platform (hooks.c) ---- */

/* Turns a handler's result into the bytes sent: a page in the site's
 * layout, the model as JSON, or an error page (render.c). */
void web_finish(struct http_req *req, struct http_res *res, enum hm_err e);

/* The server's hooks: web_finish, the language, the credentials that keep
 * a request out of the page cache, web_route_gate. */
struct server_hooks;
const struct server_hooks *web_server_hooks(void);

/* GET: a text/event-stream of "event: change" with data {"version":N}
 * each time the site's data version moves (looked at about once a
 * second), with keep-alive comments in between (changes.c). */
enum hm_err web_changes_stream(struct http_req *req, struct http_res *res);

/* The columns that hold uploaded images, for every sweep of unused
 * uploads (refs.c): a static table of *n. */
struct media_ref;
const struct media_ref *web_media_refs(size_t *n);

/* The jobs the server's scheduler runs (refs.c): *n pointers into the
 * modules' static tables. */
struct job;
const struct job *const *web_jobs(size_t *n);

#endif
