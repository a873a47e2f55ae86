/*
 * core.h — the few things every harmony file needs: allocation that aborts
 * on out-of-memory (so call sites stay clean), a growable byte buffer,
 * a per-request arena, the error enum and logging. No product words here.
 */
#ifndef HM_CORE_H
#define HM_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define HM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Marks a user-facing text that is translated later, where it is used
 * (a table of labels, a message handed to http_fail): scripts/po-update
 * collects every N_("…") into the catalogues. */
#define N_(msgid) msgid
/* The same for a count's two English forms (one, many), kept together:
 * they are one entry in the catalogues, with a form per plural case. */
#define NN_(msgid, msgid_plural) msgid, msgid_plural

/* ---- allocation: every wrapper aborts on OOM, never returns NULL ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- growable buffer: data is always NUL-terminated ---- */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hands the bytes to the caller (who frees them) and leaves b empty. */
char *buf_steal(struct buf *b);

/* ---- arena: many small allocations, one free ---- */
struct arena_chunk;
struct arena_defer;
struct arena {
	struct arena_chunk *head;
	struct arena_defer *defers; /* run by arena_free, last registered first */
};
void arena_init(struct arena *a);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ties p to the arena's lifetime: arena_free calls fn(p) before it frees
 * the memory, in the reverse order of registration, so a handler that
 * made p has one way out. Returns p, so a value can be made and handed
 * over in one expression: json_t *m = arena_defer(&req->pool,
 * (void (*)(void *))json_decref, json_object()). NULL p is ignored. */
void *arena_defer(struct arena *a, void (*fn)(void *), void *p);

/* ---- errors: one enum, mapped once to HTTP status and CLI exit code ---- */
enum hm_err {
	HM_OK = 0,
	HM_ENOTFOUND,   /* no such thing */
	HM_EINVAL,      /* input failed validation */
	HM_EEXIST,      /* already there */
	HM_EFORBIDDEN,  /* not allowed for this role */
	HM_EUNAUTH,     /* not signed in */
	HM_ECONFLICT,   /* state does not allow it */
	HM_ETOOBIG,     /* over a size limit */
	HM_EDB,         /* storage failed */
	HM_EIO,         /* file or network failed */
	HM_ESCHEMA,     /* database is not ours or is newer */
	HM_EBUSY,       /* storage unavailable for now (locked, full, read-only): try again */
	HM_EINTERNAL,
	HM_ERR__MAX
};
int hm_err_http_status(enum hm_err e);
int hm_err_exit_code(enum hm_err e);
const char *hm_err_str(enum hm_err e);

/* ---- logging: to stderr, one line each, never secrets ---- */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
extern enum log_level log_min_level;
void hm_log(enum log_level lvl, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define log_debug(...) hm_log(LOG_DEBUG, __func__, __VA_ARGS__)
#define log_info(...) hm_log(LOG_INFO, __func__, __VA_ARGS__)
#define log_warn(...) hm_log(LOG_WARN, __func__, __VA_ARGS__)
#define log_error(...) hm_log(LOG_ERROR, __func__, __VA_ARGS__)

/* ---- time ---- */
/* Seconds since 1970-01-01 UTC: the "now" that writes are stamped with. */
int64_t time_now_s(void);

/* ---- hashing: FNV-1a, for hash tables, cache keys and ETags ----
 * Not for anything an attacker could gain by colliding. Start from the
 * INIT value; to hash several pieces as one, pass each result on as h. */
#define HASH_FNV64_INIT 1469598103934665603ull
#define HASH_FNV32_INIT 2166136261u
uint64_t hash_fnv1a64(const void *p, size_t n, uint64_t h);
uint32_t hash_fnv1a32(const void *p, size_t n, uint32_t h);

/* ---- small string helpers ---- */
int str_eq(const char *a, const char *b);           /* NULL-safe */
int str_starts_with(const char *s, const char *prefix);
int str_ends_with(const char *s, const char *suffix);



/* Appends s percent-encoded for a URL query component (RFC 3986
 * unreserved characters kept). */
void url_encode(struct buf *out, const char *s);

#endif
