/*
 * server.c — the only code that knows libmicrohttpd. Reads requests into a
 * struct http_req, routes them, lets the web layer render the answer, adds
 * the security headers, and keeps a cache of rendered public pages (as
 * ready-made MHD responses, which are reference-counted and may be queued
 * on many connections at once) that is dropped when the data changes.
 */
#include "http/server.h"
#include "db/db.h"
#include "http/stream.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_URL 2048
#define MAX_QUERY_FIELDS 64
#define CACHE_SLOTS 1024 /* power of two */
_Static_assert((CACHE_SLOTS & (CACHE_SLOTS - 1)) == 0, "slots are found with a mask");
#define CACHE_MAX_BODY (512 * 1024)

#define CSP_BASE                                                                           \
	"default-src 'self'; img-src 'self' data:; style-src 'self'; "                      \
	"script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
static const char CSP[] = CSP_BASE "frame-ancestors 'none'";
/* The longest list of frame ancestors a handler may give. */
#define FRAME_ANCESTORS_MAX 4096

struct cache_entry {
	char *key;
	uint64_t hash;
	uint64_t version;
	struct MHD_Response *resp;
	char etag[24];
};

/* The classes requests are counted by (server_metrics_write). */
const char *const server_metric_classes[] = {"page", "api", "admin", "feed", "media", "static",
					     "other", NULL};
#define METRIC_CLASSES 7
/* Answers by status class: 1xx…5xx. */
#define METRIC_CODES 5
/* Upper bounds of the latency buckets, in microseconds (then +Inf). */
static const uint64_t metric_bounds_us[] = {500,   1000,   2500,   5000,   10000,  25000,
					    50000, 100000, 250000, 500000, 1000000, 2500000};
#define METRIC_BUCKETS (sizeof(metric_bounds_us) / sizeof(metric_bounds_us[0]) + 1)

struct metrics {
	_Atomic uint64_t answers[METRIC_CLASSES][METRIC_CODES];
	_Atomic uint64_t buckets[METRIC_CLASSES][METRIC_BUCKETS];
	_Atomic uint64_t sum_us[METRIC_CLASSES];
	_Atomic uint64_t cache_hits, cache_misses;
};

struct server {
	struct server_config cfg;
	struct metrics metrics;
	char *base_url;
	struct MHD_Daemon *daemon;
	unsigned port;
	atomic_int inflight;
	struct streams *streams;

	pthread_mutex_t cache_mu;
	struct cache_entry cache[CACHE_SLOTS];
	size_t ncache;

	pthread_mutex_t db_mu;
	struct db **dbs;
	size_t ndbs;
};

/* A body must arrive within BODY_GRACE_S of the headers, plus one second
 * for every BODY_MIN_RATE bytes received (counted up to the body limit):
 * a trickle of a byte every few seconds, which the idle timeout alone
 * lets through, is cut at 30 s, and a 10 MiB upload at 16 KiB/s still
 * arrives. */
#define BODY_GRACE_S 30
#define BODY_MIN_RATE (16 * 1024)

/* Per-connection state of one request while its body arrives. */
struct conn_ctx {
	struct buf body;
	int too_big;
	int64_t start;   /* monotonic seconds, when the headers were in */
	size_t received; /* body bytes, kept or not */
	int timeout_cut; /* the connection's idle timeout was shortened */
	/* the request and its answer, here rather than on handle's stack so
	 * that a deferred answer outlives the call that parked it */
	struct http_req req;
	struct http_res res;
	uint64_t start_us; /* when handling began, for the metrics */
	int metric_cls;
};

enum { DEFER_WAITING, DEFER_PARKED, DEFER_DONE };

struct http_deferred {
	pthread_mutex_t mu;
	int state;
	struct MHD_Connection *c; /* set when parked */
	http_finish_fn finish;
	void *cls;
};

static _Thread_local struct db *tls_db;

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Counts one answer of class cls with this status, begun at start (µs). */
static void metrics_count(struct server *srv, int cls, unsigned status, uint64_t start)
{
	struct metrics *m = &srv->metrics;
	uint64_t us = mono_us() - start;
	size_t b = 0;
	if (cls < 0 || cls >= METRIC_CLASSES)
		cls = METRIC_CLASSES - 1;
	unsigned code = status / 100;
	if (code >= 1 && code <= METRIC_CODES)
		atomic_fetch_add_explicit(&m->answers[cls][code - 1], 1, memory_order_relaxed);
	while (b < METRIC_BUCKETS - 1 && us > metric_bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&m->buckets[cls][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us[cls], us, memory_order_relaxed);
}

void server_metrics_write(const struct server *srv, struct buf *out)
{
	const struct metrics *m = &srv->metrics;
	buf_puts(out, "# HELP harmony_http_responses_total Answers sent, by class of path and "
		      "status class.\n# TYPE harmony_http_responses_total counter\n");
	for (int c = 0; c < METRIC_CLASSES; c++)
		for (int k = 0; k < METRIC_CODES; k++)
			buf_printf(out, "harmony_http_responses_total{class=\"%s\",code=\"%dxx\"} %llu\n",
				   server_metric_classes[c], k + 1,
				   (unsigned long long)atomic_load(&m->answers[c][k]));
	buf_puts(out, "# HELP harmony_http_request_duration_seconds Time from the request's "
		      "headers to its answer being queued.\n"
		      "# TYPE harmony_http_request_duration_seconds histogram\n");
	for (int c = 0; c < METRIC_CLASSES; c++) {
		uint64_t total = 0;
		for (size_t b = 0; b < METRIC_BUCKETS; b++) {
			total += atomic_load(&m->buckets[c][b]);
			if (b < METRIC_BUCKETS - 1)
				buf_printf(out,
					   "harmony_http_request_duration_seconds_bucket{class=\"%s\","
					   "le=\"%g\"} %llu\n",
					   server_metric_classes[c], (double)metric_bounds_us[b] / 1e6,
					   (unsigned long long)total);
			else
				buf_printf(out,
					   "harmony_http_request_duration_seconds_bucket{class=\"%s\","
					   "le=\"+Inf\"} %llu\n",
					   server_metric_classes[c], (unsigned long long)total);
		}
		buf_printf(out, "harmony_http_request_duration_seconds_sum{class=\"%s\"} %.6f\n",
			   server_metric_classes[c], (double)atomic_load(&m->sum_us[c]) / 1e6);
		buf_printf(out, "harmony_http_request_duration_seconds_count{class=\"%s\"} %llu\n",
			   server_metric_classes[c], (unsigned long long)total);
	}
	buf_printf(out,
		   "# HELP harmony_page_cache_hits_total Public pages answered from the page cache.\n"
		   "# TYPE harmony_page_cache_hits_total counter\nharmony_page_cache_hits_total %llu\n"
		   "# HELP harmony_page_cache_misses_total Public pages the cache did not hold.\n"
		   "# TYPE harmony_page_cache_misses_total counter\n"
		   "harmony_page_cache_misses_total %llu\n",
		   (unsigned long long)atomic_load(&m->cache_hits),
		   (unsigned long long)atomic_load(&m->cache_misses));
	buf_printf(out,
		   "# HELP harmony_http_in_flight Requests being read or answered.\n"
		   "# TYPE harmony_http_in_flight gauge\nharmony_http_in_flight %d\n",
		   atomic_load(&srv->inflight));
}

static int64_t mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* --------------------------------------------------------- small bits */

static const char *const method_names[HTTP_METHOD__MAX] = {
	[HTTP_GET] = "GET",	[HTTP_HEAD] = "HEAD",	  [HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",	[HTTP_PATCH] = "PATCH",	  [HTTP_DELETE] = "DELETE",
	[HTTP_OPTIONS] = "OPTIONS",
};

const char *http_method_name(enum http_method m)
{
	return (m >= 0 && m < HTTP_METHOD__MAX) ? method_names[m] : "?";
}

enum http_method http_method_parse(const char *s)
{
	for (int m = 0; m < HTTP_METHOD__MAX; m++)
		if (strcmp(s, method_names[m]) == 0)
			return (enum http_method)m;
	return HTTP_METHOD__MAX;
}

const char *http_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* The client's address as text, in the request's arena. */
static const char *client_address(struct http_req *req, struct MHD_Connection *c, int trust_proxy)
{
	if (trust_proxy) {
		/* The proxy appends the address it saw last; that is the one it vouches for. */
		const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
		if (xff && *xff) {
			const char *last = strrchr(xff, ',');
			last = last ? last + 1 : xff;
			while (*last == ' ')
				last++;
			if (*last)
				return arena_strdup(&req->pool, last);
		}
	}
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char a[INET6_ADDRSTRLEN] = "";
	if (ci && ci->client_addr) {
		if (ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, a,
				  sizeof(a));
		else if (ci->client_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
				  a, sizeof(a));
	}
	return arena_strdup(&req->pool, a);
}

const char *http_param(const struct http_req *req, const char *name)
{
	return kv_get(&req->params, name);
}

const char *http_query(const struct http_req *req, const char *name)
{
	return kv_get(&req->query, name);
}

/* The headers add_common_headers sends, which no handler may change. */
static int security_header(const char *name)
{
	static const char *const names[] = {"Content-Security-Policy",
					     "Content-Security-Policy-Report-Only",
					     "X-Frame-Options",
					     "X-Content-Type-Options",
					     "Referrer-Policy",
					     "Cross-Origin-Opener-Policy",
					     NULL};
	for (int i = 0; names[i]; i++)
		if (strcasecmp(name, names[i]) == 0)
			return 1;
	return 0;
}

void http_res_header(struct http_res *res, const char *name, const char *value)
{
	if (security_header(name)) {
		log_error("a handler's %s header dropped: the server sends it", name);
		return;
	}
	if (res->nheaders < HTTP_MAX_HEADERS) {
		res->headers[res->nheaders].name = name;
		res->headers[res->nheaders].value = value;
		res->nheaders++;
	}
}

void http_res_page(struct http_res *res, json_t *model, const char *template, const char *title)
{
	json_decref(res->model);
	res->model = model;
	res->template = template;
	res->title = title;
}

enum hm_err http_fail(struct http_res *res, enum hm_err e, const char *message)
{
	res->error = message;
	return e;
}

/* Closes a stream the server did not take (an error answers instead). */
static void stream_drop(struct http_res *res)
{
	if (res->stream_ops && res->stream_ops->close)
		res->stream_ops->close(res->stream_cls);
	res->stream_ops = NULL;
	res->stream_cls = NULL;
}

void http_res_stream(struct http_res *res, const struct http_stream_ops *ops, void *cls,
		     const char *content_type)
{
	stream_drop(res);
	res->stream_ops = ops;
	res->stream_cls = cls;
	res->content_type = content_type;
	res->cacheable = 0;
	res->no_store = 1;
}

struct http_deferred *http_res_defer(struct http_res *res, http_finish_fn finish, void *cls)
{
	assert(!res->deferred);
	struct http_deferred *d = xcalloc(1, sizeof(*d));
	pthread_mutex_init(&d->mu, NULL);
	d->state = DEFER_WAITING;
	d->finish = finish;
	d->cls = cls;
	res->deferred = d;
	res->cacheable = 0;
	return d;
}

void http_deferred_done(struct http_deferred *d)
{
	pthread_mutex_lock(&d->mu);
	int parked = d->state == DEFER_PARKED;
	struct MHD_Connection *c = d->c;
	d->state = DEFER_DONE;
	pthread_mutex_unlock(&d->mu);
	/* after the unlock: once resumed, the connection's thread may finish
	 * and free d; while parked nothing else touches it */
	if (parked)
		MHD_resume_connection(c);
}

const char *server_base_url(const struct server *srv)
{
	/* NULL only for a request that found a port nobody was told yet */
	const char *url = __atomic_load_n(&srv->base_url, __ATOMIC_ACQUIRE);
	return url ? url : "";
}


/* -------------------------------------------------------- db per thread */

static struct db *thread_db(struct server *srv)
{
	if (tls_db)
		return tls_db;
	char err[512];
	if (db_open(srv->cfg.db_path, DB_OPEN_EXISTING, 0, &tls_db, err, sizeof(err)) != HM_OK) {
		log_error("%s", err);
		return NULL;
	}
	pthread_mutex_lock(&srv->db_mu);
	srv->dbs = xrealloc(srv->dbs, (srv->ndbs + 1) * sizeof(*srv->dbs));
	srv->dbs[srv->ndbs++] = tls_db;
	pthread_mutex_unlock(&srv->db_mu);
	return tls_db;
}

/* ---------------------------------------------------------- page cache */

static int etag_matches(struct MHD_Connection *c, const char *etag);
static enum MHD_Result queue_not_modified(struct MHD_Connection *c, const char *etag,
					  const char *frame_ancestors);

/* Answers from the cache if key holds a response for this data version:
 * 1 (and *ret set) on a hit, 0 on a miss. The response is queued under the
 * lock so that no other thread can drop it in between. */
static int cache_serve(struct server *srv, struct MHD_Connection *c, const char *key,
		       uint64_t hash, uint64_t version, enum MHD_Result *ret)
{
	int hit = 0;
	pthread_mutex_lock(&srv->cache_mu);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct cache_entry *ce = &srv->cache[(hash + i) & (CACHE_SLOTS - 1)];
		if (!ce->key)
			break;
		if (ce->hash == hash && strcmp(ce->key, key) == 0) {
			if (ce->version == version) {
				hit = 1;
				if (etag_matches(c, ce->etag))
					*ret = queue_not_modified(c, ce->etag, NULL);
				else
					*ret = MHD_queue_response(c, MHD_HTTP_OK, ce->resp);
			}
			break;
		}
	}
	pthread_mutex_unlock(&srv->cache_mu);
	return hit;
}

static void cache_clear_locked(struct server *srv)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct cache_entry *ce = &srv->cache[i];
		if (ce->key) {
			free(ce->key);
			MHD_destroy_response(ce->resp);
			ce->key = NULL;
		}
	}
	srv->ncache = 0;
}

/* Takes over the caller's reference to resp (whatever happens, the caller
 * must not destroy it) and keeps it under key. A full table is simply
 * emptied: pages are cheap to render again. */
static void cache_put(struct server *srv, const char *key, uint64_t hash, uint64_t version,
		      struct MHD_Response *resp, const char *etag)
{
	pthread_mutex_lock(&srv->cache_mu);
	if (srv->ncache >= CACHE_SLOTS / 2)
		cache_clear_locked(srv);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct cache_entry *ce = &srv->cache[(hash + i) & (CACHE_SLOTS - 1)];
		if (ce->key && ce->hash == hash && strcmp(ce->key, key) == 0) {
			if (ce->version >= version) {
				MHD_destroy_response(resp); /* another thread was first */
				goto out;
			}
			MHD_destroy_response(ce->resp);
		} else if (ce->key) {
			continue;
		} else {
			ce->key = xstrdup(key);
			ce->hash = hash;
			srv->ncache++;
		}
		ce->version = version;
		ce->resp = resp;
		snprintf(ce->etag, sizeof(ce->etag), "%s", etag);
		break;
	}
out:
	pthread_mutex_unlock(&srv->cache_mu);
}

/* ------------------------------------------------------------ answers */

/* 1 if fa is origins separated by single spaces (struct http_res's
 * frame_ancestors), nothing else. */
static int frame_ancestors_valid(const char *fa)
{
	size_t n = strlen(fa);
	if (n == 0 || n > FRAME_ANCESTORS_MAX)
		return 0;
	for (const char *p = fa;;) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);
		if (!http_origin_valid(p, len))
			return 0;
		if (!sp)
			return 1;
		p = sp + 1;
	}
}

/* The security headers of every answer. frame_ancestors: the handler's
 * (struct http_res), NULL for none: 'none' and X-Frame-Options: DENY. */
static void add_common_headers(struct MHD_Response *r, const char *frame_ancestors)
{
	if (frame_ancestors && !frame_ancestors_valid(frame_ancestors)) {
		log_error("frame ancestors refused (not origins): the answer keeps 'none'");
		frame_ancestors = NULL;
	}
	if (frame_ancestors) {
		char csp[sizeof(CSP_BASE) + FRAME_ANCESTORS_MAX + 32];
		snprintf(csp, sizeof(csp), "%sframe-ancestors 'self' %s", CSP_BASE, frame_ancestors);
		MHD_add_response_header(r, "Content-Security-Policy", csp);
	} else {
		MHD_add_response_header(r, "Content-Security-Policy", CSP);
		MHD_add_response_header(r, "X-Frame-Options", "DENY");
	}
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
}

/* A short plain-text answer. extra_name/extra_value: one more header
 * (Allow, Connection), or NULL. */
static enum MHD_Result queue_plain_with(struct MHD_Connection *c, unsigned status,
					const char *msg, const char *extra_name,
					const char *extra_value)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(msg), (void *)(uintptr_t)msg,
								 MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_common_headers(r, NULL);
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (extra_name)
		MHD_add_response_header(r, extra_name, extra_value);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result queue_plain(struct MHD_Connection *c, unsigned status, const char *msg,
				   const char *allow)
{
	return queue_plain_with(c, status, msg, allow ? "Allow" : NULL, allow);
}

/* ------------------------------------------------------------ framing */

/* What the header list says about how a request is framed. */
struct framing {
	unsigned nhost, nlength, ncoding;
	const char *coding; /* the Transfer-Encoding value, when there is one */
	int bad_name;       /* a header name that is not a token ("Foo : bar") */
};

/* RFC 9110 tchar: what a header name is made of. */
static int is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";
	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || (ch && strchr(extra, ch))))
			return 0;
	}
	return 1;
}

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct framing *f = cls;
	(void)kind;
	if (!is_token(key))
		f->bad_name = 1;
	else if (strcasecmp(key, "Host") == 0)
		f->nhost++;
	else if (strcasecmp(key, "Content-Length") == 0)
		f->nlength++;
	else if (strcasecmp(key, "Transfer-Encoding") == 0) {
		f->ncoding++;
		f->coding = value ? value : "";
	}
	return MHD_YES;
}

/* RFC 9112 (sections 3.2, 5.1, 6.1, 6.3): a request whose length or
 * target host could be read two ways is refused, and its connection
 * closed, so that nothing sent behind it is taken for another request.
 * libmicrohttpd 0.9.75 lets these through (the first Content-Length wins;
 * Transfer-Encoding wins over Content-Length; Host is not counted), so
 * they are checked here, on the first call, before anything is read of
 * the body. NULL when the framing is sound; else the message, and
 * *status (400, or 501 for a transfer coding other than chunked). */
static const char *framing_refusal(struct MHD_Connection *c, const char *version,
				   unsigned *status)
{
	struct framing f = {0, 0, 0, NULL, 0};
	int http10 = strcmp(version, MHD_HTTP_VERSION_1_0) == 0;
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &f);
	*status = MHD_HTTP_BAD_REQUEST;
	if (f.bad_name)
		return "Malformed header name.\n";
	if (f.nhost > 1 || (f.nhost == 0 && !http10))
		return "A request must carry exactly one Host header.\n";
	if (f.nlength > 1)
		return "A request must carry at most one Content-Length header.\n";
	if (f.ncoding && f.nlength)
		return "Content-Length and Transfer-Encoding together.\n";
	if (f.ncoding && http10)
		return "Transfer-Encoding in an HTTP/1.0 request.\n";
	if (f.ncoding > 1)
		return "More than one Transfer-Encoding header.\n";
	if (f.ncoding && strcasecmp(f.coding, "chunked") != 0) {
		*status = MHD_HTTP_NOT_IMPLEMENTED;
		return "Only the chunked transfer coding is accepted.\n";
	}
	return NULL;
}

struct query_collect {
	size_t bytes; /* of the raw query, to hold the whole URL to MAX_URL */
	struct arena *a;
	struct kv items[MAX_QUERY_FIELDS];
	const char *raw[MAX_QUERY_FIELDS][2]; /* key and value as received */
	size_t n;
	int bad;
};

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct query_collect *q = cls;
	(void)kind;
	if (q->n == MAX_QUERY_FIELDS) {
		q->bad = 2;
		return MHD_NO;
	}
	char *k, *v = NULL;
	size_t klen, vlen = 0;
	q->bytes += strlen(key) + (value ? strlen(value) + 1 : 0) + 1;
	if (q->bytes > MAX_URL) {
		q->bad = 3;
		return MHD_NO;
	}
	if (http_percent_decode(q->a, key, strlen(key), 1, &k, &klen) != HM_OK ||
	    (value && http_percent_decode(q->a, value, strlen(value), 1, &v, &vlen) != HM_OK)) {
		q->bad = 1;
		return MHD_NO;
	}
	q->items[q->n].key = k;
	q->items[q->n].value = v ? v : "";
	q->items[q->n].value_len = vlen;
	q->raw[q->n][0] = key;
	q->raw[q->n][1] = value ? value : "";
	q->n++;
	return MHD_YES;
}

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* The page cache key: what a public page depends on, as
 * "<json 0|1>|<lang>|<path>?<k>=<v>&<k>=<v>". Path and arguments go in as
 * received (still percent-encoded: each spelling decodes one way only),
 * where "?" cannot occur in the path nor "&" in an argument, nor "=" in an
 * argument's name, so two requests that differ in what a handler sees
 * never share a key. Built with memcpy in the request arena: this runs on
 * every public request. */
static char *page_cache_key(struct http_req *req, const char *url, size_t url_len,
			    const struct query_collect *q, size_t *len)
{
	const char *lang = req->lang ? req->lang : "";
	size_t lang_len = strlen(lang), n = 4 + lang_len + url_len;
	size_t klen[MAX_QUERY_FIELDS], vlen[MAX_QUERY_FIELDS];
	for (size_t i = 0; i < q->n; i++) {
		klen[i] = strlen(q->raw[i][0]);
		vlen[i] = strlen(q->raw[i][1]);
		n += 2 + klen[i] + vlen[i];
	}
	char *key = arena_alloc(&req->pool, n + 1), *p = key;
	*p++ = req->want_json ? '1' : '0';
	*p++ = '|';
	p = put(p, lang, lang_len);
	*p++ = '|';
	p = put(p, url, url_len);
	for (size_t i = 0; i < q->n; i++) {
		*p++ = i ? '&' : '?';
		p = put(p, q->raw[i][0], klen[i]);
		*p++ = '=';
		p = put(p, q->raw[i][1], vlen[i]);
	}
	assert((size_t)(p - key) < n + 1); /* the key fits what was counted above */
	*p = '\0';
	*len = (size_t)(p - key);
	return key;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static int etag_matches(struct MHD_Connection *c, const char *etag)
{
	const char *inm = header(c, "If-None-Match");
	return inm && etag[0] && (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0);
}

static enum MHD_Result queue_not_modified(struct MHD_Connection *c, const char *etag,
					  const char *frame_ancestors)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_common_headers(r, frame_ancestors);
	MHD_add_response_header(r, "ETag", etag);
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, r);
	MHD_destroy_response(r);
	return ret;
}

/* Hands the handler's stream to the registry and queues it: no page
 * cache, no ETag, no-store. 503 over the caps or while stopping. */
static enum MHD_Result queue_stream(struct server *srv, struct MHD_Connection *c,
				    const struct http_req *req, struct http_res *res)
{
	const struct http_stream_ops *ops = res->stream_ops;
	void *cls = res->stream_cls;
	struct MHD_Response *r;
	res->stream_ops = NULL; /* the registry's now */
	res->stream_cls = NULL;
	switch (streams_open(srv->streams, c, req->client_addr, ops, cls, &r)) {
	case STREAM_OPENED:
		break;
	case STREAM_FULL:
		return queue_plain(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				   "Too many open streams; try again later.\n", NULL);
	case STREAM_STOPPING:
		return queue_plain(c, MHD_HTTP_SERVICE_UNAVAILABLE, "The server is stopping.\n",
				   NULL);
	default:
		return MHD_NO;
	}
	add_common_headers(r, res->frame_ancestors);
	MHD_add_response_header(r, "Content-Type",
				res->content_type ? res->content_type : "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Accel-Buffering", "no"); /* proxies: pass chunks on */
	if (req->lang)
		MHD_add_response_header(r, "Content-Language", req->lang);
	for (int i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Counts the answer (status 0: none was made) and frees the request. */
static void request_end(struct server *srv, struct conn_ctx *ctx, unsigned status)
{
	struct http_res *res = &ctx->res;
	if (status)
		metrics_count(srv, ctx->metric_cls, status, ctx->start_us);
	stream_drop(res);
	if (res->deferred) {
		pthread_mutex_destroy(&res->deferred->mu);
		free(res->deferred);
		res->deferred = NULL;
	}
	json_decref(res->model);
	res->model = NULL;
	buf_free(&res->body);
	arena_free(&ctx->req.pool);
}

/* Renders what the handler (or a deferred finish) left in ctx->res with
 * outcome e, adds the headers and queues it; keeps it in the page cache
 * when cache_key is given and the answer may be kept. */
static enum MHD_Result answer(struct server *srv, struct MHD_Connection *c, struct conn_ctx *ctx,
			      enum hm_err e, const char *cache_key, uint64_t cache_hash,
			      uint64_t version)
{
	struct http_req *req = &ctx->req;
	struct http_res *res = &ctx->res;
	const struct server_hooks *hooks = srv->cfg.hooks;
	enum MHD_Result ret = MHD_NO;
	unsigned status = 0;
	hooks->finish(req, res, e);

	char etag[24] = "";
	/* an answer that may be framed is not kept: the cache's 304s and hits
	 * carry the default headers */
	int cacheable = res->cacheable && res->status == 200 && cache_key &&
			res->body.len <= CACHE_MAX_BODY && !res->frame_ancestors;
	if (res->status == 200 && (cacheable || res->cacheable)) {
		snprintf(etag, sizeof(etag), "\"%016llx\"",
			 (unsigned long long)hash_fnv1a64(res->body.data, res->body.len, HASH_FNV64_INIT));
		if (etag_matches(c, etag)) {
			ret = queue_not_modified(c, etag, res->frame_ancestors);
			status = MHD_HTTP_NOT_MODIFIED;
			goto out;
		}
	}

	size_t blen = res->body.len;
	struct MHD_Response *r =
		MHD_create_response_from_buffer(blen, buf_steal(&res->body), MHD_RESPMEM_MUST_FREE);
	if (!r)
		goto out;
	add_common_headers(r, res->frame_ancestors);
	if (res->status != 204) /* No Content: no body to give a type to */
		MHD_add_response_header(r, "Content-Type",
					res->content_type ? res->content_type
							 : "text/html; charset=utf-8");
	int has_cc = 0;
	for (int i = 0; i < res->nheaders; i++)
		has_cc |= strcasecmp(res->headers[i].name, "Cache-Control") == 0;
	if (has_cc)
		; /* the handler chose */
	else if (res->no_store)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	else if (res->cacheable)
		MHD_add_response_header(r, "Cache-Control", "public, max-age=60");
	else
		MHD_add_response_header(r, "Cache-Control", "no-cache");
	if (etag[0])
		MHD_add_response_header(r, "ETag", etag);
	if (res->template || res->model)
		MHD_add_response_header(r, "Vary", "Accept, Accept-Language, Cookie");
	if (res->location)
		MHD_add_response_header(r, "Location", res->location);
	if (req->lang)
		MHD_add_response_header(r, "Content-Language", req->lang);
	for (int i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	ret = MHD_queue_response(c, (unsigned)res->status, r);
	status = (unsigned)res->status;
	if (cacheable)
		cache_put(srv, cache_key, cache_hash, version, r, etag);
	else
		MHD_destroy_response(r);
out:
	request_end(srv, ctx, status);
	return ret;
}

/* The second half of a deferred answer, on the connection's worker
 * thread once the work is done: finish fills the answer. */
static enum MHD_Result answer_deferred(struct server *srv, struct MHD_Connection *c,
				       struct conn_ctx *ctx)
{
	struct http_deferred *d = ctx->res.deferred;
	ctx->req.db = thread_db(srv);
	enum hm_err e = d->finish(d->cls, &ctx->req, &ctx->res);
	return answer(srv, c, ctx, e, NULL, 0, 0);
}


static enum MHD_Result handle(struct server *srv, struct MHD_Connection *c, const char *url,
			      const char *method, struct conn_ctx *ctx)
{
	const struct server_hooks *hooks = srv->cfg.hooks;
	struct http_req *req = &ctx->req;
	struct http_res *res = &ctx->res;
	enum MHD_Result ret = MHD_NO;
	enum hm_err e = HM_OK;
	const struct route *route = NULL;
	unsigned allowed = 0;
	char *cache_key = NULL;
	uint64_t cache_hash = 0, version = 0;
	struct query_collect q;
	char *path;
	size_t path_len, url_len = strlen(url);

	ctx->start_us = mono_us();
	ctx->metric_cls = hooks->metrics_class ? hooks->metrics_class(url) : METRIC_CLASSES - 1;
	unsigned status = 0; /* what was answered, for the metrics */

	memset(req, 0, sizeof(*req));
	memset(res, 0, sizeof(*res));
	arena_init(&req->pool);
	buf_init(&res->body);
	res->status = 200;

	req->method = http_method_parse(method);
	if (req->method == HTTP_METHOD__MAX) {
		status = MHD_HTTP_NOT_IMPLEMENTED;
		ret = queue_plain(c, MHD_HTTP_NOT_IMPLEMENTED, "Method not implemented.\n", NULL);
		goto out;
	}
	if (url_len > MAX_URL) {
		status = MHD_HTTP_URI_TOO_LONG;
		ret = queue_plain(c, MHD_HTTP_URI_TOO_LONG, "URL too long.\n", NULL);
		goto out;
	}
	if (ctx->too_big) {
		status = MHD_HTTP_CONTENT_TOO_LARGE;
		ret = queue_plain(c, MHD_HTTP_CONTENT_TOO_LARGE, "Request body too large.\n", NULL);
		goto out;
	}
	if (http_percent_decode(&req->pool, url, url_len, 0, &path, &path_len) != HM_OK ||
	    path[0] != '/') {
		status = MHD_HTTP_BAD_REQUEST;
		ret = queue_plain(c, MHD_HTTP_BAD_REQUEST, "Malformed URL encoding.\n", NULL);
		goto out;
	}
	req->path = path;
	req->raw_path = url;

	/* Only the counters: the items are written as they are collected
	 * (zeroing the whole tables cost every request 2 KiB of stores). */
	q.bytes = 0;
	q.n = 0;
	q.bad = 0;
	q.a = &req->pool;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, &q);
	if (q.bad == 3 || url_len + q.bytes > MAX_URL) {
		status = MHD_HTTP_URI_TOO_LONG;
		ret = queue_plain(c, MHD_HTTP_URI_TOO_LONG, "URL too long.\n", NULL);
		goto out;
	}
	if (q.bad) {
		status = MHD_HTTP_BAD_REQUEST;
		ret = queue_plain(c, MHD_HTTP_BAD_REQUEST,
				  q.bad == 2 ? "Too many query arguments.\n"
					     : "Malformed URL encoding in the query.\n",
				  NULL);
		goto out;
	}
	req->query.items = arena_alloc(&req->pool, (q.n ? q.n : 1) * sizeof(struct kv));
	memcpy(req->query.items, q.items, q.n * sizeof(struct kv));
	req->query.n = q.n;

	const char *cookie = header(c, "Cookie");
	if (cookie)
		http_parse_cookies(&req->pool, cookie, &req->cookies);
	req->want_json = http_accept_prefers_json(header(c, "Accept"));
	req->content_type = header(c, "Content-Type");
	req->body = ctx->body.data;
	req->body_len = ctx->body.len;
	req->srv = srv;
	req->conn = c;
	if (hooks->language)
		req->lang = hooks->language(req);
	/* NULL when the database cannot be reached for now (a PostgreSQL
	 * server down or restarting; thread_db logged why): the request goes
	 * on without one, past the page cache, and the "before" hook answers
	 * it (the site's 503, page or JSON, with Retry-After; /healthz says
	 * "not ready"). The next request on this thread connects again. */
	req->db = thread_db(srv);

	/* Public GETs are answered from the page cache while the data holds,
	 * and within the minute: pages that depend on the time (a scheduled
	 * post, upcoming events) are computed from the time to the minute. */
	if (req->db && (req->method == HTTP_GET || req->method == HTTP_HEAD) &&
	    !(hooks->private_request && hooks->private_request(req))) {
		size_t key_len;
		cache_key = page_cache_key(req, url, url_len, &q, &key_len);
		cache_hash = hash_fnv1a64(cache_key, key_len, HASH_FNV64_INIT);
		version = ((uint64_t)(time(NULL) / 60) << 40) + db_data_version(req->db);
		if (cache_serve(srv, c, cache_key, cache_hash, version, &ret)) {
			atomic_fetch_add_explicit(&srv->metrics.cache_hits, 1, memory_order_relaxed);
			status = 200;
			goto out;
		}
		atomic_fetch_add_explicit(&srv->metrics.cache_misses, 1, memory_order_relaxed);
	}

	/* Only handlers need these; cache hits above do without. */
	req->client_addr = client_address(req, c, srv->cfg.trust_proxy);
	if (srv->cfg.trust_proxy) {
		const char *proto = header(c, "X-Forwarded-Proto");
		req->secure = proto && strcasecmp(proto, "https") == 0;
	}
	switch (router_match(srv->cfg.routes, srv->cfg.nroutes, req->path, req->method, &req->pool,
			     &req->params, &route, &allowed)) {
	case ROUTE_FOUND:
		req->route = route;
		if (hooks->before)
			e = hooks->before(req, res, route);
		if (e == HM_OK)
			e = route->handler(req, res);
		break;
	case ROUTE_BAD_METHOD: {
		/* The hook sees unmatched requests too (route NULL): it may
		 * refuse them first (a bad credential) and choose their form. */
		if (hooks->before && (e = hooks->before(req, res, NULL)) != HM_OK)
			break;
		struct buf allow;
		buf_init(&allow);
		router_allow_header(allowed, &allow);
		http_res_header(res, "Allow", arena_strdup(&req->pool, allow.data));
		buf_free(&allow);
		e = http_fail(res, HM_EINVAL, "This address does not accept that method.");
		res->status = MHD_HTTP_METHOD_NOT_ALLOWED;
		break;
	}
	default:
		if (hooks->before && (e = hooks->before(req, res, NULL)) != HM_OK)
			break;
		e = http_fail(res, HM_ENOTFOUND, "There is no page at this address.");
		break;
	}
	if (res->stream_ops) {
		if (e == HM_OK) {
			ret = queue_stream(srv, c, req, res);
			status = 200; /* the stream's opening; it lasts as long as it lasts */
			goto out;
		}
		stream_drop(res);
	}
	if (res->deferred) {
		/* Parked until the work is done, unless it is done already. A
		 * handler that deferred answers through finish, whatever it
		 * returned. */
		struct http_deferred *d = res->deferred;
		pthread_mutex_lock(&d->mu);
		int done = d->state == DEFER_DONE;
		if (!done) {
			d->c = c;
			d->state = DEFER_PARKED;
			MHD_suspend_connection(c);
		}
		pthread_mutex_unlock(&d->mu);
		if (!done)
			return MHD_YES;
		return answer_deferred(srv, c, ctx);
	}
	return answer(srv, c, ctx, e, cache_key, cache_hash, version);
out:
	request_end(srv, ctx, status);
	return ret;
}

/* 1 while the body keeps to its deadline (BODY_GRACE_S); then the idle
 * timeout is cut to what is left of it, so that a client that goes quiet
 * is dropped at the deadline rather than an idle timeout later. 0 when
 * the deadline has passed: the connection is closed (libmicrohttpd cannot
 * queue an answer while a body arrives). Called only when bytes come. */
static int body_in_time(struct server *srv, struct MHD_Connection *c, struct conn_ctx *ctx)
{
	size_t counted = ctx->received < srv->cfg.max_body ? ctx->received : srv->cfg.max_body;
	int64_t left = ctx->start + BODY_GRACE_S + (int64_t)(counted / BODY_MIN_RATE) - mono_s();
	if (left <= 0) {
		log_info("closing a connection whose body came too slowly (%zu bytes)", ctx->received);
		return 0;
	}
	if (srv->cfg.timeout_s == 0 || (uint64_t)left < srv->cfg.timeout_s) {
		MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned)left);
		ctx->timeout_cut = 1;
	} else if (ctx->timeout_cut) {
		MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, srv->cfg.timeout_s);
		ctx->timeout_cut = 0;
	}
	return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct conn_ctx *ctx = *con_cls;

	if (!ctx) {
		/* First call: headers only. Answering now would make MHD close
		 * the connection, so anything but a refusal waits for the next call. */
		ctx = xcalloc(1, sizeof(*ctx));
		buf_init(&ctx->body);
		ctx->start = mono_s();
		*con_cls = ctx;
		atomic_fetch_add(&srv->inflight, 1);
		unsigned status;
		const char *refusal = framing_refusal(c, version, &status);
		if (refusal) {
			ctx->too_big = 1; /* whatever comes is not read */
			return queue_plain_with(c, status, refusal, "Connection", "close");
		}
		const char *cl = header(c, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body) {
			ctx->too_big = 1;
			return queue_plain(c, MHD_HTTP_CONTENT_TOO_LARGE, "Request body too large.\n",
					   NULL);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!ctx->too_big) {
			if (ctx->body.len + *upload_data_size > srv->cfg.max_body) {
				ctx->too_big = 1;
				buf_free(&ctx->body);
			} else {
				buf_append(&ctx->body, upload_data, *upload_data_size);
			}
		}
		ctx->received += *upload_data_size;
		*upload_data_size = 0;
		return body_in_time(srv, c, ctx) ? MHD_YES : MHD_NO;
	}
	if (ctx->res.deferred) /* resumed: its work is done */
		return answer_deferred(srv, c, ctx);
	if (ctx->timeout_cut)
		MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, srv->cfg.timeout_s);
	return handle(srv, c, url, method, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct conn_ctx *ctx = *con_cls;
	(void)c;
	(void)toe;
	if (!ctx)
		return;
	buf_free(&ctx->body);
	free(ctx);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

/* Keeps the URL as received so that we decode it ourselves, strictly, and
 * can answer 400 to malformed escapes (MHD's own decoder is lenient). */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	log_debug("%s", line);
}

/* ----------------------------------------------------------- lifecycle */

/* The host part of the address listened on, for the site's own address:
 * 127.0.0.1 for any IPv4 address. */
static void listen_host(const struct sockaddr_storage *ss, char *host, size_t n)
{
	snprintf(host, n, "127.0.0.1");
	if (ss->ss_family == AF_INET6) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, a, sizeof(a));
		snprintf(host, n, "[%s]", a);
	} else if (((const struct sockaddr_in *)ss)->sin_addr.s_addr != htonl(INADDR_ANY)) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, host, (socklen_t)n);
	}
}

/* Sets the site's address once (without a trailing slash): the one
 * configured, else http://HOST:PORT; stored with release order, read
 * with acquire order by server_base_url on any thread. */
static void publish_base_url(struct server *srv, const struct server_config *cfg,
			     const struct sockaddr_storage *ss, unsigned port)
{
	char host[INET6_ADDRSTRLEN + 2];
	listen_host(ss, host, sizeof(host));
	char *url = cfg->base_url ? xstrdup(cfg->base_url) : xasprintf("http://%s:%u", host, port);
	size_t bl = strlen(url);
	while (bl > 0 && url[bl - 1] == '/')
		url[--bl] = '\0';
	__atomic_store_n(&srv->base_url, url, __ATOMIC_RELEASE);
}

static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256];
	const char *colon = strrchr(s, ':');
	if (!colon)
		return -1;
	size_t hl = (size_t)(colon - s);
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || colon[1] == '\0')
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[') {
		size_t l = strlen(host);
		if (l < 3 || host[l - 1] != ']')
			return -1;
		host[l - 1] = '\0';
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return -1;
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		if (host[0] == '\0')
			a4->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -1;
		*len = sizeof(*a4);
	}
	return 0;
}

static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

unsigned server_port(const struct server *srv)
{
	return srv->port;
}

/* Frees what server_start made; the daemon is stopped. */
static void server_free(struct server *srv)
{
	cache_clear_locked(srv);
	streams_free(srv->streams);
	for (size_t i = 0; i < srv->ndbs; i++)
		db_close(srv->dbs[i]);
	free(srv->dbs);
	free(srv->base_url);
	pthread_mutex_destroy(&srv->cache_mu);
	pthread_mutex_destroy(&srv->db_mu);
	free(srv);
}

struct server *server_start(const struct server_config *cfg, int *rc)
{
	struct server *srv;
	struct sockaddr_storage ss;
	socklen_t sslen;

	*rc = 1;
	if (!cfg->hooks || !cfg->hooks->finish) {
		fprintf(stderr, "harmony: the server was started without its hooks\n");
		return NULL;
	}
	if (parse_listen(cfg->listen, &ss, &sslen) != 0) {
		fprintf(stderr, "harmony: --listen %s: expected ADDR:PORT, e.g. 127.0.0.1:8080\n",
			cfg->listen);
		*rc = 2;
		return NULL;
	}
	srv = xcalloc(1, sizeof(*srv));
	srv->cfg = *cfg;
	pthread_mutex_init(&srv->cache_mu, NULL);
	pthread_mutex_init(&srv->db_mu, NULL);
	unsigned threads = cfg->threads;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);
	srv->streams = streams_new(cfg->max_streams ? cfg->max_streams : 512,
				   cfg->max_streams_per_addr ? cfg->max_streams_per_addr : 8,
				   cfg->keepalive_s ? cfg->keepalive_s : 15);
	if (!srv->streams) {
		server_free(srv);
		return NULL;
	}

	/* The site's address is read by the pool's threads (links, origins):
	 * set before they start whenever it is known beforehand. */
	unsigned requested_port = ss.ss_family == AF_INET6
					  ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
					  : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (requested_port)
		publish_base_url(srv, cfg, &ss, requested_port);

	/* ITC lets MHD_quiesce_daemon stop the pool's listening at shutdown;
	 * suspend/resume parks the streams that have nothing to send. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			 MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
		/* libmicrohttpd counts the socket's peer: behind a trusted proxy
		 * that is the proxy, and a cap would hold every user behind it
		 * to per_ip_limit connections together. The proxy caps its
		 * clients; harmony's own limits (streams per address, sign-in
		 * throttles) count the address the proxy reports. */
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->trust_proxy ? 0u : cfg->per_ip_limit,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
		/* A connection's buffer holds its request line and headers:
		 * 16 KiB takes a 10 KiB URL (answered 414 by harmony, not 431
		 * by libmicrohttpd) and headers as large as nginx's defaults.
		 * libmicrohttpd zeroes the whole buffer between two requests
		 * of a connection, so a larger one costs every keep-alive
		 * request (32 KiB was 6% of the server's CPU on cached pages). */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_END);
	if (!srv->daemon) {
		fprintf(stderr, "harmony: cannot listen on %s: %s\n", cfg->listen, strerror(errno));
		server_free(srv);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	if (!requested_port) /* only now known: published before anyone is told the port */
		publish_base_url(srv, cfg, &ss, srv->port);
	char host[INET6_ADDRSTRLEN + 2];
	listen_host(&ss, host, sizeof(host));
	printf("listening on http://%s:%u\n", host, srv->port);
	fflush(stdout);
	log_info("serving %s on port %u with %u threads", cfg->db_path, srv->port, threads);
	*rc = 0;
	return srv;
}

void server_stop(struct server *srv)
{
	/* No new connections from here on: shutdown() stops the socket
	 * listening, so a new client is refused at once. It is ours now, but
	 * the pool's threads may still be taking it out of their epoll sets:
	 * libmicrohttpd asks that it be closed only after MHD_stop_daemon (a
	 * close here raced with them, as ThreadSanitizer showed). */
	MHD_socket lsock = MHD_quiesce_daemon(srv->daemon);
	if (lsock != MHD_INVALID_SOCKET)
		shutdown(lsock, SHUT_RDWR);
	else
		log_warn("could not stop listening; new connections may still be served");
	/* Streams send what they have and end; none is parked from here on,
	 * so the daemon can be stopped below. */
	streams_end(srv->streams);
	for (int i = 0; i < 100 && atomic_load(&srv->inflight) > 0; i++) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(srv->daemon);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	server_free(srv);
	log_info("stopped");
}

int server_run(const struct server_config *cfg)
{
	sigset_t sigs;
	int sig = 0, rc;

	/* Signals are taken by sigwait below; worker threads inherit the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	struct server *srv = server_start(cfg, &rc);
	if (!srv)
		return rc;
	while (sigwait(&sigs, &sig) != 0)
		;
	log_info("signal %d: finishing requests in flight", sig);
	server_stop(srv);
	return 0;
}
