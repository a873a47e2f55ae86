/*
 * core.c — allocation wrappers, byte buffer, arena, errors and logging.
 * Out-of-memory aborts the process with a message: there is no useful
 * recovery for a web server that cannot allocate a few bytes.
 */
#include "core/core.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(size_t n)
{
	fprintf(stderr, "harmony: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_steal(&b);
}

/* ---------------------------------------------------------------- buf */

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_append(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	int m = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	assert(m == n); /* the same format and arguments: the same length */
	(void)m;
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *buf_steal(struct buf *b)
{
	char *p = b->data;
	if (!p)
		p = xstrdup("");
	buf_init(b);
	return p;
}

/* -------------------------------------------------------------- arena */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_CHUNK 8192

struct arena_defer {
	struct arena_defer *next;
	void (*fn)(void *);
	void *p;
};

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->defers = NULL;
}

void *arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	assert(fn);
	if (!p)
		return NULL;
	struct arena_defer *d = arena_alloc(a, sizeof(*d));
	d->fn = fn;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
	return p;
}

void arena_free(struct arena *a)
{
	/* The records live in the chunks freed below: run them all first. */
	while (a->defers) {
		struct arena_defer *d = a->defers;
		a->defers = d->next;
		d->fn(d->p);
	}
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t align = sizeof(max_align_t);
	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	struct arena_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = xmalloc(sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	assert(c->cap - c->used >= n); /* the head chunk has room, or is new and big enough */
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return arena_strdup(a, "");
	}
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

/* ------------------------------------------------------------- errors */

static const struct {
	int http;
	int exit;
	const char *str;
} err_table[HM_ERR__MAX] = {
	[HM_OK] = {200, 0, "ok"},
	[HM_ENOTFOUND] = {404, 3, "not found"},
	[HM_EINVAL] = {400, 2, "invalid input"},
	[HM_EEXIST] = {409, 4, "already exists"},
	[HM_EFORBIDDEN] = {403, 5, "forbidden"},
	[HM_EUNAUTH] = {401, 5, "sign-in required"},
	[HM_ECONFLICT] = {409, 4, "conflict"},
	[HM_ETOOBIG] = {413, 2, "too large"},
	[HM_EDB] = {500, 6, "database error"},
	[HM_EIO] = {500, 7, "input/output error"},
	[HM_ESCHEMA] = {500, 8, "not a harmony database of a known version"},
	[HM_EBUSY] = {503, 9, "storage unavailable for now, try again"},
	[HM_EINTERNAL] = {500, 1, "internal error"},
};

int hm_err_http_status(enum hm_err e)
{
	return (e >= 0 && e < HM_ERR__MAX) ? err_table[e].http : 500;
}

int hm_err_exit_code(enum hm_err e)
{
	return (e >= 0 && e < HM_ERR__MAX) ? err_table[e].exit : 1;
}

const char *hm_err_str(enum hm_err e)
{
	return (e >= 0 && e < HM_ERR__MAX) ? err_table[e].str : "unknown error";
}

/* ------------------------------------------------------------ logging */

enum log_level log_min_level = LOG_INFO;

void hm_log(enum log_level lvl, const char *func, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (lvl < log_min_level)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char ts[32];
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s: %s\n", ts, names[lvl], func, line);
}

/* --------------------------------------------------------------- time */

int64_t time_now_s(void)
{
	return (int64_t)time(NULL);
}

/* ------------------------------------------------------------ strings */

int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

void url_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			buf_putc(out, (char)*p);
		} else {
			buf_putc(out, '%');
			buf_putc(out, hex[*p >> 4]);
			buf_putc(out, hex[*p & 15]);
		}
	}
}

/* ------------------------------------------------------------ hashing */

uint64_t hash_fnv1a64(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

uint32_t hash_fnv1a32(const void *p, size_t n, uint32_t h)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 16777619u;
	}
	return h;
}
