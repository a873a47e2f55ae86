/*
 * parse.h — pure parsers for untrusted HTTP input: percent-decoding, query
 * strings and urlencoded form bodies, Cookie headers, multipart/form-data
 * bodies. Bytes in, structs out; no libmicrohttpd, no I/O. Each has a fuzz
 * target under tests/fuzz/.
 *
 * Ownership: every string and array returned is allocated in the arena
 * passed in and lives as long as it. Inputs are borrowed and not modified.
 */
#ifndef HM_HTTP_PARSE_H
#define HM_HTTP_PARSE_H

#include <stddef.h>

#include "core/core.h"

struct kv {
	const char *key;
	const char *value;
	size_t value_len; /* values may hold NUL bytes only in multipart parts */
};

struct kv_list {
	struct kv *items;
	size_t n;
};

/* Decodes %XX escapes (and '+' as space when plus_is_space). Fails with
 * HM_EINVAL on a malformed escape, on an encoded or raw NUL, and on bytes
 * that are not valid UTF-8 after decoding. *out is NUL-terminated. */
enum hm_err http_percent_decode(struct arena *a, const char *s, size_t len, int plus_is_space,
				char **out, size_t *out_len);

/* Parses "a=1&b=two%20words" (query strings and
 * application/x-www-form-urlencoded bodies). Empty pairs and pairs with an
 * empty key are skipped; a key without '=' gets the empty value. At most max_fields pairs (HM_ETOOBIG
 * beyond). */
enum hm_err http_parse_urlencoded(struct arena *a, const char *s, size_t len, size_t max_fields,
				  struct kv_list *out);

/* Parses a Cookie request header ("a=1; b=2") per RFC 6265 §5.4 leniently:
 * malformed pairs are skipped, never an error; values are not decoded;
 * surrounding double quotes are removed. */
void http_parse_cookies(struct arena *a, const char *header, struct kv_list *out);

struct multipart_part {
	const char *name;         /* form field name */
	const char *filename;     /* NULL unless a file */
	const char *content_type; /* NULL if absent */
	const char *data;
	size_t len;
};

struct multipart {
	struct multipart_part *parts;
	size_t n;
};

/* Extracts the boundary from a Content-Type header value
 * ("multipart/form-data; boundary=..."). HM_EINVAL if absent or invalid. */
enum hm_err http_multipart_boundary(struct arena *a, const char *content_type, const char **out);

/* Parses a multipart/form-data body (RFC 7578); CRLF line ends only. Part
 * data is copied into the arena and NUL-terminated. HM_EINVAL on malformed
 * input, HM_ETOOBIG over max_parts. */
enum hm_err http_parse_multipart(struct arena *a, const char *body, size_t len,
				 const char *boundary, size_t max_parts, struct multipart *out);

/* Returns the value of key in list (first match), or NULL. */
const char *kv_get(const struct kv_list *list, const char *key);

/* 1 if the Accept header prefers application/json over text/html. */
int http_accept_prefers_json(const char *accept);

/* 1 if the n bytes at s are a web origin as a Content-Security-Policy
 * source names one and nothing else: "http://" or "https://" (lower
 * case), a host (letters, digits and '-' in dot-separated labels, each
 * 1 to 63 bytes and not starting or ending with '-'; or an IPv6 address
 * in brackets), and an optional port (":" and 1 to 65535, no leading
 * zero). No path, query, user, wildcard or white space. */
int http_origin_valid(const char *s, size_t n);

#endif
