/*
 * fuzz_router.c — libFuzzer target for router_match: any path (NUL-free,
 * as the server hands it over) against a table with literals, "{name}"
 * segments and "{name}.ext" segments. A parameter found must be a
 * non-empty piece of the path without "/", and a "{id}.ics" value never
 * keeps its tail.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum hm_err h(struct http_req *r, struct http_res *s)
{
	(void)r;
	(void)s;
	return HM_OK;
}

static const struct route routes[] = {
	{HTTP_M(HTTP_GET), "/", h},
	{HTTP_M(HTTP_GET), "/events/{slug}/sessions/{id}.ics", h},
	{HTTP_M(HTTP_GET), "/events/{slug}/sessions/{id}", h},
	{HTTP_M(HTTP_GET), "/events/{slug}/schedule.json", h},
	{HTTP_M(HTTP_POST), "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", h},
	{HTTP_M(HTTP_GET), "/{x}.", h},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > 4096 || memchr(data + 1, '\0', size - 1))
		return 0;
	struct arena a;
	arena_init(&a);
	char *path = arena_strndup(&a, (const char *)data + 1, size - 1);
	struct kv_list params = {0};
	const struct route *r = NULL;
	unsigned allowed = 0;
	enum http_method m = (data[0] & 1) ? HTTP_POST : HTTP_GET;
	if (router_match(routes, HM_ARRAY_LEN(routes), path, m, &a, &params, &r, &allowed) ==
	    ROUTE_FOUND) {
		for (size_t i = 0; i < params.n; i++) {
			const char *v = params.items[i].value;
			if (!v || !*v || strchr(v, '/') || strlen(v) != params.items[i].value_len ||
			    !strstr(path, v))
				__builtin_trap();
		}
		if (r == &routes[1] && strlen(path) < 5)
			__builtin_trap();
	}
	arena_free(&a);
	return 0;
}
