/*
 * router.h — matches a method and a decoded path against a table of route
 * patterns. A pattern is a path whose segments are literals, "{name}",
 * which matches one non-empty segment and becomes a path parameter, or
 * "{name}.ext", which matches a segment ending in ".ext" (and more before
 * it), the parameter being what comes before.
 */
#ifndef HM_ROUTER_H
#define HM_ROUTER_H

#include "http/http.h"

struct route {
	unsigned methods;    /* HTTP_M(HTTP_GET) | … ; GET implies HEAD */
	const char *pattern; /* "/news/{yyyy}/{mm}/{dd}/{slug}" */
	http_handler handler;
	/* What the route needs before its handler runs (signed in, staff,
	 * CSRF, JSON only…): opaque here, read by the server's "before" hook. */
	unsigned flags;
	/* What a handler that serves several routes is told (a kind table);
	 * NULL for most. The handler reads it as req->route->data. */
	const void *data;
};

enum route_result {
	ROUTE_FOUND,
	ROUTE_NOT_FOUND,
	ROUTE_BAD_METHOD /* the path matches, the method does not: *allowed says which do */
};

/* Finds the first route matching path and method. On ROUTE_FOUND, *out is
 * the route and params holds the path parameters (in the arena). On
 * ROUTE_BAD_METHOD, *allowed is the union of the methods of every route
 * whose pattern matches. */
enum route_result router_match(const struct route *routes, size_t nroutes, const char *path,
			       enum http_method method, struct arena *a, struct kv_list *params,
			       const struct route **out, unsigned *allowed);

/* Writes an Allow header value ("GET, HEAD, POST") for a method set. */
void router_allow_header(unsigned methods, struct buf *out);

#endif
