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
struct route;
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
	const struct route *route; /* the route matched (its flags and data); NULL before */
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
	/* Who may show this answer in a frame (Content-Security-Policy's
	 * frame-ancestors): NULL, the default, keeps 'none' and
	 * X-Frame-Options: DENY. Otherwise origins separated by spaces
	 * ("https://example.org http://localhost:8080"), each a scheme (http
	 * or https), a host and an optional port, nothing else: the answer
	 * then says frame-ancestors 'self' and those, without X-Frame-Options.
	 * A list with anything else in it keeps 'none' (logged). It is the
	 * only part of the security headers a handler may change (it cannot
	 * send its own: http_res_header drops them). Must outlive the
	 * response (a literal or req->pool). */
	const char *frame_ancestors;
	/* A stream answer (http_res_stream): the server's, not the handler's. */
	const struct http_stream_ops *stream_ops;
	void *stream_cls;
	/* A deferred answer (http_res_defer): the server's. */
	struct http_deferred *deferred;
};

/* ---- streams: a body produced over time (Server-Sent Events) ----
 * A handler answers with a stream by calling http_res_stream and
 * returning HM_OK. The server then sends the headers (Cache-Control:
 * no-store; never kept in the page cache) and the body in chunks as it
 * comes, without holding a worker thread while there is nothing to send:
 * the connection is parked (suspended) and looked at again when the
 * server's stream thread, about once a second, finds that tick says there
 * is something, or that a keep-alive is due. A stream ends when fill says
 * so, when the client goes, or when the server stops. */
struct http_stream_ops {
	/* On the server's stream thread, about once a second, while the
	 * stream is parked: 1 when fill has something to send now. Runs for
	 * every stream in turn: must be quick (no I/O beyond a cached look).
	 * May run at the same time as fill: share state atomically. NULL:
	 * only the keep-alives wake the stream. */
	int (*tick)(void *cls);
	/* On a worker thread, at the start and each time the stream wakes:
	 * appends what is to be sent to out (possibly nothing). Returns 0 to
	 * go on, 1 when the stream is over (after what it appended). */
	int (*fill)(void *cls, struct buf *out);
	/* Once, whatever happens (even when the stream is refused or never
	 * starts), when the stream is over: frees cls. May be NULL. */
	void (*close)(void *cls);
	/* Sent when nothing else was for the server's keep-alive interval
	 * (about 15 s), and at the start if fill has nothing, so that the
	 * headers go out at once; NULL: none. HTTP_SSE_KEEPALIVE for SSE. */
	const char *keepalive;
};

/* An SSE comment line: ignored by EventSource, keeps proxies from
 * closing an idle connection. */
#define HTTP_SSE_KEEPALIVE ": keep-alive\n\n"

/* Answers with a stream of type content_type ("text/event-stream").
 * ops must outlive the stream (a static table); cls is handed to the
 * stream, which calls ops->close(cls) once when done, also when the
 * server refuses it (too many streams: 503) or the handler then returns
 * an error. A second call replaces (and closes) the first stream. */
void http_res_stream(struct http_res *res, const struct http_stream_ops *ops, void *cls,
		     const char *content_type);

/* ---- deferred answers: work done on another thread ----
 * A handler whose answer waits on work another thread does (a vote that
 * is acknowledged only once a batch of votes is on disk) calls
 * http_res_defer, hands the returned handle with its work to that thread
 * and returns HM_OK. The server parks the connection (no worker thread
 * waits) until the other thread calls http_deferred_done(d); then, on
 * the connection's own worker thread, finish(cls, req, res) fills res as
 * a handler would (req, its arena and req->db as before), and the answer
 * goes out as any other. done may come before the handler has returned.
 * finish is called exactly once; d is the server's and must not be
 * touched after http_deferred_done. Deferred answers are never cached. */
struct http_deferred;
typedef enum hm_err (*http_finish_fn)(void *cls, struct http_req *req, struct http_res *res);
struct http_deferred *http_res_defer(struct http_res *res, http_finish_fn finish, void *cls);
/* From any thread, once. */
void http_deferred_done(struct http_deferred *d);

/* A handler fills res and returns HM_OK, or returns an error which the
 * server renders as an error page / JSON error in the site's layout. */
typedef enum hm_err (*http_handler)(struct http_req *req, struct http_res *res);

/* A request header (NULL if absent). */
const char *http_header(const struct http_req *req, const char *name);

/* Path parameter and query argument lookups (NULL if absent). */
const char *http_param(const struct http_req *req, const char *name);
const char *http_query(const struct http_req *req, const char *name);

/* Adds a response header (name and value must outlive the response:
 * literals or req->pool strings). The security headers the server sends
 * on every answer (Content-Security-Policy, X-Frame-Options,
 * X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy)
 * are not a handler's to send: they are dropped (see frame_ancestors). */
void http_res_header(struct http_res *res, const char *name, const char *value);

/* Sets res to a page: model (stolen), template and title. */
void http_res_page(struct http_res *res, json_t *model, const char *template, const char *title);

/* Sets an error message for the error page and returns e, so handlers can
 * write: return http_fail(res, HM_ENOTFOUND, "No such event."); */
enum hm_err http_fail(struct http_res *res, enum hm_err e, const char *message);

#endif
