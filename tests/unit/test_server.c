/*
 * test_server.c — the real server (libmicrohttpd, worker threads) on a
 * loopback port with a small route table and hooks of its own, talked to
 * over real sockets: the hooks (before skips the handler), and streams —
 * events as they come, keep-alives, the caps (503), a stream that ends,
 * and streams ending when the server stops; and the site's stream of data
 * changes (src/site/changes.c) seeing a write made by another connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "http/server.h"
#include "site/web.h"

#define GATED 1u

/* ------------------------------------------------------------ the site */

static atomic_int gated_ran;
static _Atomic uint64_t counter; /* what the test streams follow */
static atomic_int opened, closed;

static enum hm_err h_hello(struct http_req *req, struct http_res *res)
{
	(void)req;
	buf_puts(&res->body, "hello");
	return HM_OK;
}

static enum hm_err h_gated(struct http_req *req, struct http_res *res)
{
	(void)req;
	(void)res;
	atomic_fetch_add(&gated_ran, 1);
	return HM_OK;
}

struct counting {
	_Atomic uint64_t sent;
	int finite; /* one event, then the end */
};

static int counting_tick(void *cls)
{
	struct counting *c = cls;
	return atomic_load(&counter) > atomic_load(&c->sent);
}

static int counting_fill(void *cls, struct buf *out)
{
	struct counting *c = cls;
	if (c->finite) {
		buf_puts(out, "data: end\n\n");
		return 1;
	}
	uint64_t v = atomic_load(&counter);
	if (v > atomic_load(&c->sent)) {
		buf_printf(out, "data: %llu\n\n", (unsigned long long)v);
		atomic_store(&c->sent, v);
	}
	return 0;
}

static void counting_close(void *cls)
{
	atomic_fetch_add(&closed, 1);
	free(cls);
}

static const struct http_stream_ops counting_ops = {
	.tick = counting_tick,
	.fill = counting_fill,
	.close = counting_close,
	.keepalive = HTTP_SSE_KEEPALIVE,
};

static enum hm_err start_counting(struct http_res *res, int finite)
{
	struct counting *c = calloc(1, sizeof(*c));
	atomic_store(&c->sent, atomic_load(&counter));
	c->finite = finite;
	atomic_fetch_add(&opened, 1);
	http_res_stream(res, &counting_ops, c, "text/event-stream");
	return HM_OK;
}

static enum hm_err h_stream(struct http_req *req, struct http_res *res)
{
	(void)req;
	return start_counting(res, 0);
}

static enum hm_err h_finite(struct http_req *req, struct http_res *res)
{
	(void)req;
	return start_counting(res, 1);
}

/* A stream the handler gives up on: it must be closed, not sent. */
static enum hm_err h_stream_then_error(struct http_req *req, struct http_res *res)
{
	(void)req;
	start_counting(res, 0);
	return http_fail(res, HM_ECONFLICT, "changed my mind");
}

static const struct route routes[] = {
	{HTTP_M(HTTP_GET), "/hello", h_hello, 0},
	{HTTP_M(HTTP_GET), "/gated", h_gated, GATED},
	{HTTP_M(HTTP_GET), "/stream", h_stream, 0},
	{HTTP_M(HTTP_GET), "/finite", h_finite, 0},
	{HTTP_M(HTTP_GET), "/regret", h_stream_then_error, 0},
	{HTTP_M(HTTP_GET), "/changes", web_changes_stream, 0},
};

static void t_finish(struct http_req *req, struct http_res *res, enum hm_err e)
{
	(void)req;
	if (e != HM_OK) {
		res->status = hm_err_http_status(e);
		buf_reset(&res->body);
		buf_puts(&res->body, res->error ? res->error : "error");
	}
	res->content_type = "text/plain";
}

static const char *t_language(struct http_req *req)
{
	(void)req;
	return "en";
}

static int t_private(struct http_req *req)
{
	return http_header(req, "Authorization") != NULL;
}

static enum hm_err t_before(struct http_req *req, struct http_res *res, const struct route *r)
{
	/* No route (a 404 or 405 follows): the hook may still refuse. */
	if (!r)
		return strncmp(req->path, "/refused/", 9) == 0
			       ? http_fail(res, HM_EUNAUTH, "refused")
			       : HM_OK;
	if (r->flags & GATED)
		return http_fail(res, HM_EFORBIDDEN, "gated");
	return HM_OK;
}

static const struct server_hooks hooks = {
	.finish = t_finish,
	.language = t_language,
	.private_request = t_private,
	.before = t_before,
};

/* ------------------------------------------------------------- fixture */

struct fixture {
	char dir[64];
	char db[96];
	struct server *srv;
	unsigned port;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/hm-test-server-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	char err[256];
	struct db *db;
	if (db_open(f->db, DB_OPEN_CREATE, 1, &db, err, sizeof(err)) != HM_OK)
		return -1;
	db_close(db);
	struct server_config cfg = {
		.listen = "127.0.0.1:0",
		.db_path = f->db,
		.threads = 2,
		.per_ip_limit = 64,
		.timeout_s = 15,
		.max_body = 1024 * 1024,
		.trust_proxy = 1, /* so a test can speak for several addresses */
		.max_streams = 3,
		.max_streams_per_addr = 2,
		.keepalive_s = 1,
		.routes = routes,
		.nroutes = HM_ARRAY_LEN(routes),
		.hooks = &hooks,
	};
	int rc;
	atomic_store(&counter, 0);
	atomic_store(&opened, 0);
	atomic_store(&closed, 0);
	atomic_store(&gated_ran, 0);
	f->srv = server_start(&cfg, &rc);
	if (!f->srv)
		return -1;
	f->port = server_port(f->srv);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (f->srv)
		server_stop(f->srv);
	char p[160];
	static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm"};
	for (size_t i = 0; i < HM_ARRAY_LEN(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dir, files[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ------------------------------------------------------------- client */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connects and sends a GET of path, as client address addr (X-Forwarded-For). */
static int get(unsigned port, const char *path, const char *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	char req[256];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: %s\r\n\r\n",
			 path, addr ? addr : "192.0.2.1");
	assert_int_equal(write(fd, req, (size_t)n), n);
	return fd;
}

/* Reads into b until needle appears (1), the peer closes (0) or timeout_ms
 * pass (-1). */
static int read_until(int fd, struct buf *b, const char *needle, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	for (;;) {
		if (needle && b->data && strstr(b->data, needle))
			return 1;
		int64_t left = end - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		char tmp[4096];
		ssize_t n = read(fd, tmp, sizeof(tmp));
		if (n <= 0)
			return 0;
		buf_append(b, tmp, (size_t)n);
	}
}

/* Waits until cond() holds or timeout_ms pass. */
static int wait_for(atomic_int *v, int want, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	while (atomic_load(v) != want && now_ms() < end) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return atomic_load(v) == want;
}

/* --------------------------------------------------------------- tests */

static void test_server_hooks_route_gate_and_finish(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	buf_init(&b);
	int fd = get(f->port, "/hello", NULL);
	assert_int_equal(read_until(fd, &b, "hello", 5000), 1);
	assert_non_null(strstr(b.data, "HTTP/1.1 200"));
	assert_non_null(strstr(b.data, "Content-Language: en"));
	close(fd);

	buf_reset(&b);
	fd = get(f->port, "/gated", NULL);
	assert_int_equal(read_until(fd, &b, "gated", 5000), 1);
	assert_non_null(strstr(b.data, "HTTP/1.1 403"));
	assert_int_equal(atomic_load(&gated_ran), 0); /* before said no: no handler */
	close(fd);

	buf_reset(&b);
	fd = get(f->port, "/nope", NULL);
	assert_int_equal(read_until(fd, &b, "\r\n\r\n", 5000), 1);
	assert_non_null(strstr(b.data, "HTTP/1.1 404"));
	close(fd);

	/* The hook sees a request no route serves, and may answer it first. */
	buf_reset(&b);
	fd = get(f->port, "/refused/nope", NULL);
	assert_int_equal(read_until(fd, &b, "\r\n\r\n", 5000), 1);
	assert_non_null(strstr(b.data, "HTTP/1.1 401"));
	close(fd);
	buf_free(&b);
}

static void test_stream_sends_events_as_they_come(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	buf_init(&b);
	int fd = get(f->port, "/stream", NULL);
	/* The headers go out at once, with a keep-alive as the first bytes. */
	assert_int_equal(read_until(fd, &b, ": keep-alive\n\n", 3000), 1);
	assert_non_null(strstr(b.data, "HTTP/1.1 200"));
	assert_non_null(strstr(b.data, "Content-Type: text/event-stream"));
	assert_non_null(strstr(b.data, "Cache-Control: no-store"));
	assert_non_null(strstr(b.data, "Transfer-Encoding: chunked"));
	assert_null(strstr(b.data, "ETag"));

	atomic_store(&counter, 1);
	assert_int_equal(read_until(fd, &b, "data: 1\n\n", 3000), 1);
	atomic_store(&counter, 2);
	assert_int_equal(read_until(fd, &b, "data: 2\n\n", 3000), 1);
	close(fd);
	buf_free(&b);
}

static void test_stream_idle_gets_keepalives(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	buf_init(&b);
	int fd = get(f->port, "/stream", NULL);
	assert_int_equal(read_until(fd, &b, ": keep-alive\n\n", 3000), 1);
	size_t first = (size_t)(strstr(b.data, ": keep-alive\n\n") - b.data);
	/* keepalive_s is 1 here: another one within a few seconds. */
	int64_t t0 = now_ms();
	for (;;) {
		assert_true(now_ms() - t0 < 4000);
		assert_true(read_until(fd, &b, NULL, 200) != 0);
		const char *second = strstr(b.data + first + 1, ": keep-alive\n\n");
		if (second)
			break;
	}
	close(fd);
	buf_free(&b);
}

static void test_stream_caps_answer_503(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	buf_init(&b);
	/* Two from one address (the cap per address), then a third: 503. */
	int a1 = get(f->port, "/stream", "198.51.100.1");
	int a2 = get(f->port, "/stream", "198.51.100.1");
	assert_int_equal(read_until(a1, &b, ": keep-alive", 3000), 1);
	buf_reset(&b);
	assert_int_equal(read_until(a2, &b, ": keep-alive", 3000), 1);
	buf_reset(&b);
	int a3 = get(f->port, "/stream", "198.51.100.1");
	assert_int_equal(read_until(a3, &b, "\r\n\r\n", 3000), 1);
	assert_non_null(strstr(b.data, "HTTP/1.1 503"));
	close(a3);

	/* Another address may still open one: three in all, the total cap. */
	buf_reset(&b);
	int b1 = get(f->port, "/stream", "198.51.100.2");
	assert_int_equal(read_until(b1, &b, ": keep-alive", 3000), 1);
	assert_non_null(strstr(b.data, "HTTP/1.1 200"));
	buf_reset(&b);
	int c1 = get(f->port, "/stream", "198.51.100.3");
	assert_int_equal(read_until(c1, &b, "\r\n\r\n", 3000), 1);
	assert_non_null(strstr(b.data, "HTTP/1.1 503"));
	close(c1);

	/* A client that goes frees its place (seen at its next keep-alive). */
	close(a1);
	int64_t t0 = now_ms();
	int ok = 0;
	while (!ok && now_ms() - t0 < 8000) {
		buf_reset(&b);
		int a4 = get(f->port, "/stream", "198.51.100.1");
		assert_int_equal(read_until(a4, &b, "\r\n\r\n", 3000), 1);
		ok = strstr(b.data, "HTTP/1.1 200") != NULL;
		close(a4);
		if (!ok) {
			struct timespec ts = {0, 300 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	assert_true(ok);
	close(a2);
	close(b1);
	buf_free(&b);
}

static void test_stream_that_ends_ends_the_body(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	buf_init(&b);
	int fd = get(f->port, "/finite", NULL);
	/* Its event, then the last chunk: the response is complete. */
	assert_int_equal(read_until(fd, &b, "data: end\n\n\r\n0\r\n\r\n", 3000), 1);
	assert_true(wait_for(&closed, 1, 3000));
	close(fd);
	buf_free(&b);
}

static void test_stream_dropped_by_handler_error_is_closed(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	buf_init(&b);
	int fd = get(f->port, "/regret", NULL);
	assert_int_equal(read_until(fd, &b, "changed my mind", 3000), 1);
	assert_non_null(strstr(b.data, "HTTP/1.1 409"));
	assert_null(strstr(b.data, "text/event-stream"));
	assert_int_equal(atomic_load(&opened), 1);
	assert_true(wait_for(&closed, 1, 3000));
	close(fd);
	buf_free(&b);
}

static void test_streams_end_when_the_server_stops(void **state)
{
	struct fixture *f = *state;
	struct buf b1, b2;
	buf_init(&b1);
	buf_init(&b2);
	int s1 = get(f->port, "/stream", "203.0.113.1");
	int s2 = get(f->port, "/stream", "203.0.113.2");
	assert_int_equal(read_until(s1, &b1, ": keep-alive\n\n", 3000), 1);
	assert_int_equal(read_until(s2, &b2, ": keep-alive\n\n", 3000), 1);
	int64_t t0 = now_ms();
	server_stop(f->srv);
	f->srv = NULL;
	assert_true(now_ms() - t0 < 3000); /* not the 10 s of a stuck request */
	/* Each stream got its last chunk, or at least the connection closed. */
	assert_int_equal(read_until(s1, &b1, NULL, 3000), 0);
	assert_int_equal(read_until(s2, &b2, NULL, 3000), 0);
	assert_non_null(strstr(b1.data, "\r\n0\r\n\r\n"));
	assert_non_null(strstr(b2.data, "\r\n0\r\n\r\n"));
	assert_int_equal(atomic_load(&closed), 2);
	close(s1);
	close(s2);
	buf_free(&b1);
	buf_free(&b2);
}

static void test_changes_stream_follows_the_data_version(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	buf_init(&b);
	int fd = get(f->port, "/changes", NULL);
	assert_int_equal(read_until(fd, &b, ": keep-alive\n\n", 3000), 1);
	assert_non_null(strstr(b.data, "Content-Type: text/event-stream"));
	assert_null(strstr(b.data, "event: change"));

	/* A write through a connection of its own, as another process would. */
	char err[256];
	struct db *db;
	assert_int_equal(db_open(f->db, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)), HM_OK);
	assert_int_equal(db_exec_script(db, "INSERT INTO site_setting(key, value) VALUES ('t', '1')",
					err, sizeof(err)),
			 HM_OK);
	assert_int_equal(read_until(fd, &b, "event: change\ndata: {\"version\":", 4000), 1);
	const char *first = strstr(b.data, "event: change");
	assert_int_equal(db_exec_script(db, "UPDATE site_setting SET value = '2' WHERE key = 't'",
					err, sizeof(err)),
			 HM_OK);
	int64_t t0 = now_ms();
	while (!strstr(first + 1, "event: change")) {
		assert_true(now_ms() - t0 < 4000);
		assert_true(read_until(fd, &b, NULL, 200) != 0);
		first = strstr(b.data, "event: change");
	}
	db_close(db);
	close(fd);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_server_hooks_route_gate_and_finish, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stream_sends_events_as_they_come, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stream_idle_gets_keepalives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_caps_answer_503, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_that_ends_ends_the_body, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stream_dropped_by_handler_error_is_closed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_streams_end_when_the_server_stops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_changes_stream_follows_the_data_version, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
