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
 * handler runs, in this order, so that a new route cannot forget its gate.
 * Checks that depend on the thing addressed (may this organiser edit this
 * event?) stay with the handler, which knows the thing. */
enum web_route_flag {
	WEB_JSON = 1u << 0,    /* the API: answers JSON whatever Accept says, errors too */
	WEB_PRIVATE = 1u << 1, /* never stored by any cache, errors included */
	WEB_SELF = 1u << 2,    /* the signed-in person's own pages (AUTH_ACCOUNT_SELF) */
	WEB_STAFF = 1u << 3,   /* an administrator or an organiser of some event or series */
	WEB_CSRF = 1u << 4,    /* a POST, PUT, PATCH or DELETE from a signed-in browser
				  carries its CSRF token ("_csrf" field or X-CSRF-Token);
				  API tokens need none, and a visitor is refused by the
				  handler's own check of the thing addressed (a draft
				  stays 404) unless the route is WEB_VISITOR */
	WEB_VISITOR = 1u << 5, /* a form a visitor fills in (signing in, a forgotten
				  password): its token is bound to the pre-session
				  cookie and checked for everyone */
	WEB_NO_DB = 1u << 6,   /* runs even when the database cannot be reached
				  (req->db NULL, the visitor's rights): /healthz;
				  every other route answers 503 then */
	WEB_EMBED = 1u << 7,   /* with WEB_VISITOR: a form of a page other sites may
				  frame (the dialogue's voting page). A browser sends
				  no cookie of ours into a frame on another site, so a
				  visitor's request there that carries no cookie at all
				  acts only through what it names itself (a host
				  site's participant id), which anyone could send
				  from anywhere: no token is asked of it, only that
				  it comes from this site (same_origin). With any
				  cookie it is checked as WEB_VISITOR */
};
/* A site-wide right (enum auth_action) the route needs, e.g.
 * WEB_NEEDS(AUTH_AUDIT_READ). A visitor asking for a page is sent to sign
 * in; others get 401 or 403. WEB_SELF, WEB_STAFF and WEB_NEEDS imply
 * WEB_PRIVATE. */
#define WEB_NEEDS(action) (((unsigned)(action) + 1u) << 8)

/* The server's "before" hook: checks what r->flags declare, in the order
 * above. HM_OK, or the error (with res filled in) that answers instead of
 * the handler. With r NULL (no route: a 404 or 405 follows) it refuses a
 * bad bearer token (401) and makes the answer JSON under /api/. */
enum hm_err web_route_gate(struct http_req *req, struct http_res *res, const struct route *r);

/* Compiles templates and loads catalogues. On error prints why, returns
 * non-OK. */
enum hm_err web_init(void);
void web_shutdown(void);

/* ---- helpers shared by the page handlers (render.c) ---- */

/* Current time as RFC 3339 UTC, truncated to the minute (pages that depend
 * on it are cached per minute), and today's UTC date. */
const char *web_now(struct http_req *req);
const char *web_today(struct http_req *req);

/* The string at key of a model, NULL when absent or not a string. */
const char *web_str(const json_t *o, const char *key);
/* Sets key to s, or to null when s is NULL: a present null keeps a
 * template's lookup from falling through to an outer object's field of
 * the same name (an organisation without a country must not show its
 * event's). */
void web_set_str(json_t *o, const char *key, const char *s);

struct form;
/* Asks again for the signed-in person's password before a sensitive change
 * (a new API token, a role granted; ASVS 3.7.1): the form's "password"
 * field must prove it exactly as signing in does, under the same throttle.
 * HM_OK; HM_EINVAL with the message beside "password" and res->status
 * 400 (not right) or 429 (too many attempts, with Retry-After), for the
 * handler to answer with its form; another error as it is. */
enum hm_err web_reauth(struct http_req *req, struct http_res *res, struct form *f);

/* Ties j to the request: it is released (json_decref) when the request
 * ends, so a handler holding it has one way out. Returns j (NULL stays
 * NULL). */
json_t *web_own(struct http_req *req, json_t *j);

/* Begins the one read transaction of a page made of several queries, so
 * that it sees one state of the data; the handler ends it with
 * db_rollback. HM_EDB (logged) when it cannot begin. */
enum hm_err web_read_begin(struct http_req *req);

/* The message for a form whose CSRF token no longer holds (a msgid). */
#define WEB_FORM_EXPIRED "This form has expired. Please reload the page and try again."

/* A page number from ?page=: 1 when absent, 0 when not a whole number
 * from 1 to 1,000,000. */
int web_page_param(struct http_req *req);

/* Translation in the request's language. */
const char *web_t(struct http_req *req, const char *msgid);
/* The plural form for n in the request's language (Russian has three,
 * Arabic six): web_nt(req, "%d draft", "%d drafts", n) with the number
 * still to be put in by the caller. */
const char *web_nt(struct http_req *req, const char *msgid, const char *msgid_plural,
		   unsigned long n);
/* "Too many failed attempts. Please wait N seconds and try again.", N's
 * plural form in the request's language. */
const char *web_retry_text(struct http_req *req, long long seconds);

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
/* 1 if the request sent a bearer token that is unknown, revoked,
 * expired or malformed ("Bearer" with nothing after it): the gate answers
 * it 401 in JSON on every path, public and unknown ones included. */
int web_token_refused(struct http_req *req);

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

/* Marks the answer private: no caching anywhere, and sets the page's
 * "site.account" so the layout shows who is signed in. */
void web_private(struct http_req *req, struct http_res *res);
/* The public page (a local path) an admin page's notice of what was done
 * links to ("Published: everyone can see it now. View it"); NULL: none. */
void web_notice_view(struct http_req *req, const char *url);
const char *web_notice_view_get(struct http_req *req);

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
/* Starts the features' own threads (feature.start, in list order; on an
 * error the ones started are stopped) and stops them (feature.stop, in
 * reverse order; safe when none was started). */
enum hm_err web_features_start(const char *db_path);
void web_features_stop(void);

#endif
