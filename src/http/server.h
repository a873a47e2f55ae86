/*
 * server.h — the HTTP server: libmicrohttpd with epoll and a thread pool
 * sized to the cores, keep-alive, strict framing (RFC 9112), limits on
 * headers, bodies (size and arrival time), connections per address and
 * idle time, security headers on every answer it makes, a cache of
 * rendered public pages that is dropped whenever the data changes, and a
 * clean stop on SIGTERM/SIGINT that lets requests in flight finish.
 */
#ifndef HM_SERVER_H
#define HM_SERVER_H

#include <stddef.h>

#include "http/router.h"

/* What the server asks of the layer above it: the only way it reaches up.
 * Each is called on a worker thread, for one request; none may keep a
 * pointer into req past its return. */
struct server_hooks {
	/* Turns a handler's result (or e, the error that stands for it) into
	 * what is sent: fills res->body and res->content_type. Required. */
	void (*finish)(struct http_req *req, struct http_res *res, enum hm_err e);
	/* The language of the answer, set as req->lang before the page cache
	 * is looked at: it is part of the cache key. Must not touch the
	 * database (cache hits never open a transaction). NULL: no language. */
	const char *(*language)(struct http_req *req);
	/* 1 when the request carries credentials (a session cookie, an
	 * Authorization header): it is then never answered from the page
	 * cache nor stored in it. NULL: no request is private. */
	int (*private_request)(struct http_req *req);
	/* Called after routing, before the route's handler: HM_OK lets the
	 * handler run; any other value skips it, and finish gets that error
	 * (res may already say more: a status, a location). Also called with
	 * route NULL when no route matches (before the 404 or 405): HM_OK
	 * lets that answer go, in the form the hook chose (want_json);
	 * another value answers instead. NULL: none. */
	enum hm_err (*before)(struct http_req *req, struct http_res *res,
			      const struct route *route);
	/* The class of a request's path for the metrics, one of
	 * server_metric_classes (so the counters stay few). NULL: all "other". */
	int (*metrics_class)(const char *path);
};

/* The classes the metrics count requests by, in the order of the
 * metrics_class hook's numbers; NULL-terminated. */
extern const char *const server_metric_classes[];

struct server_config {
	const char *listen;       /* "127.0.0.1:8080", "[::1]:0", ":8080" */
	const char *db_path;
	const char *base_url;     /* absolute URL of the site for permalinks and feeds;
				     NULL: derived from the listen address */
	unsigned threads;         /* 0: one per core */
	unsigned per_ip_limit;    /* connections per socket peer (0: no limit); not
				     applied with trust_proxy, where the peer is the proxy */
	unsigned timeout_s;       /* idle connection timeout */
	size_t max_body;          /* bytes */
	int trust_proxy;          /* take the client address and scheme from
				     X-Forwarded-For / X-Forwarded-Proto */
	unsigned max_streams;     /* open streams in all (0: 512); beyond: 503 */
	unsigned max_streams_per_addr; /* per client address (0: 8) */
	unsigned keepalive_s;     /* a stream's keep-alive after this many idle seconds (0: 15) */
	const struct route *routes;
	size_t nroutes;
	const struct server_hooks *hooks; /* required, with its finish */
};

/* The request metrics in Prometheus's text format (answers by class and
 * status class, latency histograms by class, page cache hits and misses,
 * open streams), appended to out. */
void server_metrics_write(const struct server *srv, struct buf *out);

/* The site's absolute base URL, without a trailing slash. */
const char *server_base_url(const struct server *srv);

/* Runs until SIGTERM or SIGINT. Prints "listening on http://ADDR:PORT" on
 * stdout once ready. Returns a process exit code. */
int server_run(const struct server_config *cfg);

/* The two halves of server_run, for tests and embedders that stop the
 * server themselves. server_start listens and starts the threads (it
 * prints the same line); NULL on error, with *rc the exit code (2 for a
 * bad --listen, 1 otherwise). server_stop stops listening, ends the
 * streams, lets requests in flight finish (up to 10 s), stops the
 * threads, closes the connections and frees srv. */
struct server *server_start(const struct server_config *cfg, int *rc);
void server_stop(struct server *srv);
/* The port it listens on (useful with port 0). */
unsigned server_port(const struct server *srv);

#endif
