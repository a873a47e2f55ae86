/*
 * test_router.c — route matching: literals, parameters, methods, 405 sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/router.h"

static enum hm_err h_home(struct http_req *r, struct http_res *s) { (void)r; (void)s; return HM_OK; }
static enum hm_err h_post(struct http_req *r, struct http_res *s) { (void)r; (void)s; return HM_OK; }
static enum hm_err h_news(struct http_req *r, struct http_res *s) { (void)r; (void)s; return HM_OK; }
static enum hm_err h_news_post(struct http_req *r, struct http_res *s) { (void)r; (void)s; return HM_OK; }
static enum hm_err h_feed(struct http_req *r, struct http_res *s) { (void)r; (void)s; return HM_OK; }
static enum hm_err h_ics(struct http_req *r, struct http_res *s) { (void)r; (void)s; return HM_OK; }

static const struct route routes[] = {
	{HTTP_M(HTTP_GET), "/", h_home},
	{HTTP_M(HTTP_GET), "/news", h_news},
	{HTTP_M(HTTP_POST), "/news", h_news_post},
	{HTTP_M(HTTP_GET), "/news.atom", h_feed},
	{HTTP_M(HTTP_GET), "/news/{yyyy}/{mm}/{dd}/{slug}", h_post},
	{HTTP_M(HTTP_GET), "/s/{id}.ics", h_ics},
};

static const struct {
	const char *id, *path;
	enum http_method method;
	enum route_result want;
	http_handler handler;
	const char *param, *value;
} cases[] = {
	/* negative cases first */
	{"R01 empty path", "", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R02 unknown", "/nope", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R03 trailing slash is another path", "/news/", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R04 too few segments", "/news/2012/11/12", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R05 too many segments", "/news/2012/11/12/a/b", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R06 empty parameter", "/news/2012//12/a", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R07 prefix of a literal", "/new", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R08 literal longer", "/newsx", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R09 method not allowed", "/news.atom", HTTP_DELETE, ROUTE_BAD_METHOD, NULL, NULL, NULL},
	{"R10 double slash", "//", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R11 tail without parameter", "/s/.ics", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R12 other tail", "/s/12.ical", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R13 no tail", "/s/12", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	{"R14 tail only part", "/s/ics", HTTP_GET, ROUTE_NOT_FOUND, NULL, NULL, NULL},
	/* positive */
	{"R20 root", "/", HTTP_GET, ROUTE_FOUND, h_home, NULL, NULL},
	{"R21 HEAD uses GET", "/", HTTP_HEAD, ROUTE_FOUND, h_home, NULL, NULL},
	{"R22 same path by method GET", "/news", HTTP_GET, ROUTE_FOUND, h_news, NULL, NULL},
	{"R23 same path by method POST", "/news", HTTP_POST, ROUTE_FOUND, h_news_post, NULL, NULL},
	{"R24 dot in literal", "/news.atom", HTTP_GET, ROUTE_FOUND, h_feed, NULL, NULL},
	{"R25 parameters", "/news/2012/11/12/harmony", HTTP_GET, ROUTE_FOUND, h_post, "slug", "harmony"},
	{"R26 parameter yyyy", "/news/2012/11/12/harmony", HTTP_GET, ROUTE_FOUND, h_post, "yyyy", "2012"},
	{"R27 unicode parameter", "/news/2012/11/12/和谐", HTTP_GET, ROUTE_FOUND, h_post, "slug", "和谐"},
	{"R28 parameter with a tail", "/s/12.ics", HTTP_GET, ROUTE_FOUND, h_ics, "id", "12"},
	{"R29 the tail once", "/s/12.ics.ics", HTTP_GET, ROUTE_FOUND, h_ics, "id", "12.ics"},
};

static void test_router_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a;
		struct kv_list params = {0};
		const struct route *r = NULL;
		unsigned allowed = 0;
		arena_init(&a);
		enum route_result got = router_match(routes, 6, cases[i].path, cases[i].method, &a,
						     &params, &r, &allowed);
		if (got != cases[i].want)
			fail_msg("%s: result %d, want %d", cases[i].id, got, cases[i].want);
		if (cases[i].handler && (!r || r->handler != cases[i].handler))
			fail_msg("%s: wrong handler", cases[i].id);
		if (cases[i].param) {
			const char *v = kv_get(&params, cases[i].param);
			if (!v || strcmp(v, cases[i].value) != 0)
				fail_msg("%s: %s = %s, want %s", cases[i].id, cases[i].param,
					 v ? v : "(null)", cases[i].value);
		}
		arena_free(&a);
	}
}

static void test_router_allow_lists_every_method_of_the_path(void **state)
{
	(void)state;
	struct arena a;
	struct kv_list params = {0};
	const struct route *r;
	unsigned allowed = 0;
	struct buf b;
	arena_init(&a);
	buf_init(&b);
	assert_int_equal(router_match(routes, 5, "/news", HTTP_DELETE, &a, &params, &r, &allowed),
			 ROUTE_BAD_METHOD);
	router_allow_header(allowed, &b);
	assert_string_equal(b.data, "GET, HEAD, POST");
	buf_free(&b);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router_table),
		cmocka_unit_test(test_router_allow_lists_every_method_of_the_path),
	};
	return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
