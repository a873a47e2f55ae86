/*
 * server.h — the HTTP server: libmicrohttpd with epoll and a thread pool
 * sized to the cores, keep-alive, limits on headers, bodies, connections
 * per address and idle time, security headers on every answer, a cache of
 * rendered public pages that is dropped whenever the data changes, and a
 * clean stop on SIGTERM/SIGINT that lets requests in flight finish.
 */
#ifndef HM_SERVER_H
#define HM_SERVER_H

#include <stddef.h>

#include "http/router.h"

struct server_config {
	const char *listen;       /* "127.0.0.1:8080", "[::1]:0", ":8080" */
	const char *db_path;
	const char *base_url;     /* absolute URL of the site for permalinks and feeds;
				     NULL: derived from the listen address */
	unsigned threads;         /* 0: one per core */
	unsigned per_ip_limit;    /* connections per client address (0: no limit) */
	unsigned timeout_s;       /* idle connection timeout */
	size_t max_body;          /* bytes */
	int trust_proxy;          /* take the client address and scheme from
				     X-Forwarded-For / X-Forwarded-Proto */
	const char *smtp_url;     /* mail relay "smtp://host:port"; NULL: write .eml files */
	const char *outbox_dir;   /* folder for .eml files; NULL: "outbox" beside the database */
	const struct route *routes;
	size_t nroutes;
};

/* Turns a handler's result into the bytes sent: a page in the site's layout,
 * the model as JSON, or an error page. Provided by the web layer. */
void web_finish(struct http_req *req, struct http_res *res, enum hm_err e);
enum hm_err web_route_gate(struct http_req *req, struct http_res *res, const struct route *r);

/* The site's absolute base URL, without a trailing slash. */
const char *server_base_url(const struct server *srv);

/* Runs until SIGTERM or SIGINT. Prints "listening on http://ADDR:PORT" on
 * stdout once ready. Returns a process exit code. */
int server_run(const struct server_config *cfg);

#endif
