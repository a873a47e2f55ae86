/*
 * router.c — segment-by-segment matching of paths against route patterns.
 * Routes are few (tens), so a linear scan over the table is both simplest
 * and fast; patterns are compared in place without copying.
 */
#include "http/router.h"

#include <string.h>

#define ROUTE_MAX_PARAMS 8

/* Matches one pattern; fills up to ROUTE_MAX_PARAMS params. */
static int pattern_match(const char *pat, const char *path, struct arena *a,
			 struct kv *params, size_t *nparams)
{
	*nparams = 0;
	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			return 0;
		pat++;
		path++;
		const char *pend = strchr(pat, '/');
		const char *send = strchr(path, '/');
		size_t plen = pend ? (size_t)(pend - pat) : strlen(pat);
		size_t slen = send ? (size_t)(send - path) : strlen(path);
		/* "{name}" or "{name}.ext": a parameter, with a literal tail
		 * the segment must end with (kept out of the value) */
		const char *close = pat[0] == '{' ? memchr(pat, '}', plen) : NULL;
		if (close && close - pat >= 2) {
			size_t nlen = (size_t)(close - pat) - 1;
			size_t tlen = plen - nlen - 2;
			if (slen <= tlen || *nparams == ROUTE_MAX_PARAMS ||
			    memcmp(path + slen - tlen, close + 1, tlen) != 0)
				return 0;
			if (a) {
				params[*nparams].key = arena_strndup(a, pat + 1, nlen);
				params[*nparams].value = arena_strndup(a, path, slen - tlen);
				params[*nparams].value_len = slen - tlen;
			}
			(*nparams)++;
		} else if (plen != slen || memcmp(pat, path, plen) != 0) {
			return 0;
		}
		pat += plen;
		path += slen;
	}
	return *pat == '\0' && *path == '\0';
}

enum route_result router_match(const struct route *routes, size_t nroutes, const char *path,
			       enum http_method method, struct arena *a, struct kv_list *params,
			       const struct route **out, unsigned *allowed)
{
	struct kv tmp[ROUTE_MAX_PARAMS];
	size_t n;
	unsigned allow = 0;
	enum http_method m = method == HTTP_HEAD ? HTTP_GET : method;

	*out = NULL;
	for (size_t i = 0; i < nroutes; i++) {
		if (!pattern_match(routes[i].pattern, path, NULL, tmp, &n))
			continue;
		if (routes[i].methods & HTTP_M(m)) {
			pattern_match(routes[i].pattern, path, a, tmp, &n);
			params->items = arena_alloc(a, (n ? n : 1) * sizeof(struct kv));
			memcpy(params->items, tmp, n * sizeof(struct kv));
			params->n = n;
			*out = &routes[i];
			return ROUTE_FOUND;
		}
		allow |= routes[i].methods;
	}
	if (allow) {
		if (allow & HTTP_M(HTTP_GET))
			allow |= HTTP_M(HTTP_HEAD);
		*allowed = allow;
		return ROUTE_BAD_METHOD;
	}
	return ROUTE_NOT_FOUND;
}

void router_allow_header(unsigned methods, struct buf *out)
{
	for (int m = 0; m < HTTP_METHOD__MAX; m++) {
		if (!(methods & HTTP_M(m)))
			continue;
		if (out->len)
			buf_puts(out, ", ");
		buf_puts(out, http_method_name((enum http_method)m));
	}
}
