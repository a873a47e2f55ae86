/*
 * http.h — what a handler sees: one struct per request (with its arena,
 * freed when the request completes) and one response it fills in. Handlers
 * return a model (json_t) and the name of a page template; the server turns
 * the model into JSON or HTML depending on what the client accepts, so
 * every page has its JSON twin.
 */
#ifndef HM_HTTP_H
#define HM_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "core/core.h"
#include "http/parse.h"

struct db;
struct server;

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_METHOD__MAX
};
#define HTTP_M(m) (1u << (m))

const char *http_method_name(enum http_method m);
/* HTTP_METHOD__MAX for an unknown method. */
enum http_method http_method_parse(const char *s);

struct http_req {
	struct arena pool;      /* everything per request lives here */
	enum http_method method;
	const char *path;       /* percent-decoded, valid UTF-8 */
	const char *raw_path;   /* as received, for cache keys */
	struct kv_list query;   /* decoded query arguments */
	struct kv_list params;  /* path parameters from the route pattern */
	struct kv_list cookies;
	const char *body;       /* request body (NUL-terminated), may be NULL */
	size_t body_len;
	const char *content_type;
	const char *lang;       /* negotiated language of the answer */
	int want_json;          /* Accept prefers application/json */
	const char *client_addr; /* the peer's address, or the proxy's client with --trust-proxy */
	int secure;             /* served over TLS (directly or, with --trust-proxy, by the proxy) */
	void *web;              /* the web layer's per-request state (who is asking…) */
	struct db *db;          /* this worker thread's connection */
	const struct server *srv;
	void *conn;             /* the libmicrohttpd connection: server.c only */
};

#define HTTP_MAX_HEADERS 8

struct http_res {
	int status;
	json_t *model;          /* owned; the page's data, also the JSON answer */
	const char *template;   /* page template name (templates/pages/NAME.mustache) */
	const char *title;      /* page title for the layout */
	/* A response that is not a page (feeds, assets): body and type. */
	struct buf body;
	const char *content_type;
	const char *location;   /* for redirects */
	struct {
		const char *name, *value;
	} headers[HTTP_MAX_HEADERS];
	int nheaders;
	int cacheable;          /* public: may be served from the page cache */
	int no_store;           /* private data: Cache-Control: no-store */
	const char *error;      /* message shown on error pages */
};

/* A handler fills res and returns HM_OK, or returns an error which the
 * server renders as an error page / JSON error in the site's layout. */
typedef enum hm_err (*http_handler)(struct http_req *req, struct http_res *res);

/* A request header (NULL if absent). */
const char *http_header(const struct http_req *req, const char *name);

/* Path parameter and query argument lookups (NULL if absent). */
const char *http_param(const struct http_req *req, const char *name);
const char *http_query(const struct http_req *req, const char *name);

/* Adds a response header (name and value must outlive the response:
 * literals or req->pool strings). */
void http_res_header(struct http_res *res, const char *name, const char *value);

/* Sets res to a page: model (stolen), template and title. */
void http_res_page(struct http_res *res, json_t *model, const char *template, const char *title);

/* Sets an error message for the error page and returns e, so handlers can
 * write: return http_fail(res, HM_ENOTFOUND, "No such event."); */
enum hm_err http_fail(struct http_res *res, enum hm_err e, const char *message);

#endif
