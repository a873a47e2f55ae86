/*
 * parse.c — the parsers of untrusted HTTP input declared in parse.h:
 * percent-decoding, urlencoded pairs, Cookie headers, multipart/form-data
 * bodies and the Accept preference. Pure functions over byte ranges: every
 * read is bounded by the length given, every result lives in the arena.
 */
#include "http/parse.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* RFC 2046 §5.1.1: a boundary is 1 to 70 characters. */
#define MP_BOUNDARY_MAX 70
/* All header lines of one part together (CRLFs included): a real part has
 * two short lines; more is an attack or a broken client. */
#define MP_HEADER_MAX 8192

/* ============================================================ helpers */

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 7230 tchar. */
static int is_tchar(char c)
{
	unsigned char u = (unsigned char)c;
	if ((u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z'))
		return 1;
	return u != 0 && strchr("!#$%&'*+-.^_`|~", u) != NULL;
}

/* Control characters other than HTAB never belong in a header value. */
static int is_ctl(char c)
{
	unsigned char u = (unsigned char)c;
	return (u < 0x20 && u != '\t') || u == 0x7f;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Case-insensitive comparison of a byte span with a C string. */
static int span_ieq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && is_ows(*p))
		p++;
	return p;
}

static const char *skip_token(const char *p, const char *end)
{
	while (p < end && is_tchar(*p))
		p++;
	return p;
}

/* n elements of size sz in the arena; aborts rather than overflow. */
static void *arena_array(struct arena *a, size_t n, size_t sz)
{
	if (sz && n > ((size_t)-1 / 2) / sz) {
		log_error("array of %zu elements is too large", n);
		abort();
	}
	return arena_alloc(a, n * sz);
}

/* ==================================================== percent-decoding */

/* Decodes s[0..len) into dst (room for len + 1 bytes). A raw NUL is
 * refused like an encoded one: the result is used as a C string. */
static enum hm_err pct_decode_into(char *dst, const char *s, size_t len, int plus_is_space,
				   size_t *dst_len)
{
	size_t j = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			if (len - i < 3)
				return HM_EINVAL;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return HM_EINVAL;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			return HM_EINVAL;
		dst[j++] = c;
	}
	dst[j] = '\0';
	if (!utf8_valid(dst, j))
		return HM_EINVAL;
	*dst_len = j;
	return HM_OK;
}

enum hm_err http_percent_decode(struct arena *a, const char *s, size_t len, int plus_is_space,
				char **out, size_t *out_len)
{
	*out = NULL;
	if (out_len)
		*out_len = 0;
	if (!s && len)
		return HM_EINVAL;
	char *dst = arena_alloc(a, len + 1);
	size_t n = 0;
	enum hm_err rc = pct_decode_into(dst, s, len, plus_is_space, &n);
	if (rc != HM_OK)
		return rc;
	*out = dst;
	if (out_len)
		*out_len = n;
	return HM_OK;
}

/* ========================================================== urlencoded */

/*
 * Pairs are separated by '&' only (as browsers send them; ';' is data).
 * An empty pair ("&&") and a pair with an empty key ("=x", "=") are
 * skipped: no declared field can match them. Escapes are checked in every
 * pair, skipped or not, so one malformed byte fails the whole input.
 */
enum hm_err http_parse_urlencoded(struct arena *a, const char *s, size_t len, size_t max_fields,
				  struct kv_list *out)
{
	out->items = NULL;
	out->n = 0;
	if (len == 0)
		return HM_OK;
	if (!s)
		return HM_EINVAL;

	/* First pass: count the pairs that will be kept, so the limit is
	 * enforced before any decoding and the array is sized once. */
	size_t count = 0;
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t seg = amp ? (size_t)(amp - (s + i)) : len - i;
		if (seg > 0 && s[i] != '=')
			count++;
		if (count > max_fields)
			return HM_ETOOBIG;
		i += seg + 1;
	}

	struct kv *items = count ? arena_array(a, count, sizeof(*items)) : NULL;
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		const char *seg_s = s + i;
		const char *amp = memchr(seg_s, '&', len - i);
		size_t seg = amp ? (size_t)(amp - seg_s) : len - i;
		i += seg + 1;
		if (seg == 0)
			continue;
		const char *eq = memchr(seg_s, '=', seg);
		size_t klen = eq ? (size_t)(eq - seg_s) : seg;
		const char *v = eq ? eq + 1 : seg_s + seg;
		size_t vlen = seg - klen - (eq ? 1 : 0);

		char *key = arena_alloc(a, klen + 1);
		char *val = arena_alloc(a, vlen + 1);
		size_t kdec = 0, vdec = 0;
		if (pct_decode_into(key, seg_s, klen, 1, &kdec) != HM_OK ||
		    pct_decode_into(val, v, vlen, 1, &vdec) != HM_OK)
			return HM_EINVAL;
		if (klen == 0)
			continue;
		items[n].key = key;
		items[n].value = val;
		items[n].value_len = vdec;
		n++;
	}
	out->items = items;
	out->n = n;
	return HM_OK;
}

const char *kv_get(const struct kv_list *list, const char *key)
{
	if (!list || !key)
		return NULL;
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->items[i].key, key) == 0)
			return list->items[i].value;
	return NULL;
}

/* ============================================================= cookies */

void http_parse_cookies(struct arena *a, const char *header, struct kv_list *out)
{
	out->items = NULL;
	out->n = 0;
	if (!header || !*header)
		return;
	size_t len = strlen(header);
	size_t max = 1;
	for (size_t i = 0; i < len; i++)
		max += header[i] == ';';
	struct kv *items = arena_array(a, max, sizeof(*items));
	size_t n = 0;
	const char *end = header + len;
	for (const char *p = header; p < end;) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *pe = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(pe - p));
		const char *next = semi ? semi + 1 : end;
		if (!eq) {
			p = next;
			continue;
		}
		const char *ks = skip_ows(p, eq), *ke = eq;
		while (ke > ks && is_ows(ke[-1]))
			ke--;
		const char *vs = skip_ows(eq + 1, pe), *ve = pe;
		while (ve > vs && is_ows(ve[-1]))
			ve--;
		if (ke > ks) {
			if (ve - vs >= 2 && vs[0] == '"' && ve[-1] == '"') {
				vs++;
				ve--;
			}
			items[n].key = arena_strndup(a, ks, (size_t)(ke - ks));
			items[n].value = arena_strndup(a, vs, (size_t)(ve - vs));
			items[n].value_len = (size_t)(ve - vs);
			n++;
		}
		p = next;
	}
	if (n) {
		out->items = items;
		out->n = n;
	}
}

/* ================================================ header parameters */

/* One "name=value" parameter as it stands in the header. */
struct param {
	const char *name;
	size_t name_len;
	const char *raw; /* the value, quotes included when quoted */
	size_t raw_len;
	int quoted;
};

/* End of a quoted-string starting at p ('"'), or NULL when it is not
 * closed before end or holds a control character. */
static const char *quoted_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			p++;
			if (p == end)
				return NULL;
		}
		if (is_ctl(*p))
			return NULL;
	}
	return NULL;
}

/*
 * Reads the next "; name=value" of a header value from *pp (value a token
 * or a quoted-string; whitespace around '=' tolerated, stray ';' skipped).
 * HM_OK with *pr filled, HM_ENOTFOUND when none is left, HM_EINVAL when
 * the text is malformed.
 */
static enum hm_err param_next(const char **pp, const char *end, struct param *pr)
{
	const char *p = skip_ows(*pp, end);
	if (p == end)
		return HM_ENOTFOUND;
	if (*p != ';')
		return HM_EINVAL;
	while (p < end && (*p == ';' || is_ows(*p)))
		p++;
	if (p == end)
		return HM_ENOTFOUND;
	pr->name = p;
	p = skip_token(p, end);
	pr->name_len = (size_t)(p - pr->name);
	if (pr->name_len == 0)
		return HM_EINVAL;
	p = skip_ows(p, end);
	if (p == end || *p != '=')
		return HM_EINVAL;
	p = skip_ows(p + 1, end);
	pr->raw = p;
	if (p < end && *p == '"') {
		p = quoted_end(p, end);
		if (!p)
			return HM_EINVAL;
		pr->quoted = 1;
	} else {
		while (p < end && (unsigned char)*p > 0x20 && *p != 0x7f && *p != ';' &&
		       *p != '"' && *p != '\\')
			p++;
		pr->quoted = 0;
	}
	pr->raw_len = (size_t)(p - pr->raw);
	if (pr->raw_len == 0)
		return HM_EINVAL;
	*pp = p;
	return HM_OK;
}

/* The parameter's value, unquoted and unescaped, NUL-terminated. */
static char *param_value(struct arena *a, const struct param *pr, size_t *len)
{
	if (!pr->quoted) {
		*len = pr->raw_len;
		return arena_strndup(a, pr->raw, pr->raw_len);
	}
	char *v = arena_alloc(a, pr->raw_len);
	size_t n = 0;
	for (size_t i = 1; i + 1 < pr->raw_len; i++) {
		if (pr->raw[i] == '\\')
			i++;
		v[n++] = pr->raw[i];
	}
	v[n] = '\0';
	*len = n;
	return v;
}

/* Reads "type/subtype" after optional whitespace. 0 if malformed. */
static int media_type(const char **pp, const char *end, const char **type, size_t *type_len,
		      const char **sub, size_t *sub_len)
{
	const char *p = skip_ows(*pp, end);
	*type = p;
	p = skip_token(p, end);
	*type_len = (size_t)(p - *type);
	if (*type_len == 0 || p == end || *p != '/')
		return 0;
	*sub = ++p;
	p = skip_token(p, end);
	*sub_len = (size_t)(p - *sub);
	if (*sub_len == 0)
		return 0;
	*pp = p;
	return 1;
}

/* ======================================================== multipart */

/* RFC 2046 bchars; the last one may not be a space. */
static int boundary_valid(const char *b, size_t len)
{
	if (len < 1 || len > MP_BOUNDARY_MAX || b[len - 1] == ' ')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)b[i];
		int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			 (c >= 'A' && c <= 'Z') || (c != 0 && strchr("'()+_,-./:=? ", c));
		if (!ok)
			return 0;
	}
	return 1;
}

enum hm_err http_multipart_boundary(struct arena *a, const char *content_type, const char **out)
{
	*out = NULL;
	if (!content_type)
		return HM_EINVAL;
	const char *p = content_type, *end = p + strlen(p);
	const char *type, *sub;
	size_t type_len, sub_len;
	if (!media_type(&p, end, &type, &type_len, &sub, &sub_len) ||
	    !span_ieq(type, type_len, "multipart") || !span_ieq(sub, sub_len, "form-data"))
		return HM_EINVAL;
	char *boundary = NULL;
	size_t blen = 0;
	struct param pr;
	enum hm_err rc;
	while ((rc = param_next(&p, end, &pr)) == HM_OK) {
		if (!span_ieq(pr.name, pr.name_len, "boundary"))
			continue;
		if (boundary) /* two boundaries: which one a proxy used is unknown */
			return HM_EINVAL;
		boundary = param_value(a, &pr, &blen);
	}
	if (rc != HM_ENOTFOUND || !boundary || !boundary_valid(boundary, blen))
		return HM_EINVAL;
	*out = boundary;
	return HM_OK;
}

/* Content-Disposition: form-data; name="..."[; filename="..."] */
static enum hm_err mp_disposition(struct arena *a, const char *p, const char *end,
				  struct multipart_part *part)
{
	const char *t = skip_ows(p, end);
	p = skip_token(t, end);
	if (!span_ieq(t, (size_t)(p - t), "form-data"))
		return HM_EINVAL;
	struct param pr;
	enum hm_err rc;
	while ((rc = param_next(&p, end, &pr)) == HM_OK) {
		const char **dst = NULL;
		if (span_ieq(pr.name, pr.name_len, "name"))
			dst = &part->name;
		else if (span_ieq(pr.name, pr.name_len, "filename"))
			dst = &part->filename;
		else
			continue; /* filename* and others: RFC 7578 §4.2 says ignore */
		if (*dst)
			return HM_EINVAL;
		size_t vlen;
		char *v = param_value(a, &pr, &vlen);
		if (!utf8_valid(v, vlen))
			return HM_EINVAL;
		*dst = v;
	}
	if (rc != HM_ENOTFOUND || !part->name)
		return HM_EINVAL;
	return HM_OK;
}

/* One header line, CRLF excluded. Only Content-Disposition and
 * Content-Type matter; others are ignored, repeats of those two refused. */
static enum hm_err mp_header(struct arena *a, const char *line, size_t len,
			     struct multipart_part *part, int *seen_cd)
{
	const char *end = line + len;
	for (const char *q = line; q < end; q++)
		if (is_ctl(*q))
			return HM_EINVAL;
	const char *colon = skip_token(line, end);
	if (colon == line || colon == end || *colon != ':')
		return HM_EINVAL; /* also refuses obs-fold (leading space) */
	size_t name_len = (size_t)(colon - line);
	const char *v = skip_ows(colon + 1, end);
	const char *ve = end;
	while (ve > v && is_ows(ve[-1]))
		ve--;
	if (span_ieq(line, name_len, "content-disposition")) {
		if (*seen_cd)
			return HM_EINVAL;
		*seen_cd = 1;
		return mp_disposition(a, v, ve, part);
	}
	if (span_ieq(line, name_len, "content-type")) {
		if (part->content_type || v == ve || !utf8_valid(v, (size_t)(ve - v)))
			return HM_EINVAL;
		part->content_type = arena_strndup(a, v, (size_t)(ve - v));
	}
	return HM_OK;
}

/* One part: the bytes between the CRLF ending a delimiter line and the
 * CRLF starting the next delimiter. */
static enum hm_err mp_part(struct arena *a, const char *s, size_t len, struct multipart_part *part)
{
	memset(part, 0, sizeof(*part));
	if (len >= 2 && s[0] == '\r' && s[1] == '\n')
		return HM_EINVAL; /* no header at all, so no Content-Disposition */
	size_t lim = len < MP_HEADER_MAX + 2 ? len : MP_HEADER_MAX + 2;
	const char *e = memmem(s, lim, "\r\n\r\n", 4);
	if (!e)
		return HM_EINVAL; /* no blank line, or headers too long */
	size_t hdr_len = (size_t)(e - s) + 2;
	const char *data = e + 4;
	int seen_cd = 0;
	const char *p = s, *hend = s + hdr_len;
	while (p < hend) {
		/* Lines end in CRLF; a bare CR or LF is refused by mp_header's
		 * control-character check. */
		const char *cr = memmem(p, (size_t)(hend - p), "\r\n", 2);
		enum hm_err rc = mp_header(a, p, (size_t)(cr - p), part, &seen_cd);
		if (rc != HM_OK)
			return rc;
		p = cr + 2;
	}
	if (!seen_cd)
		return HM_EINVAL;
	part->len = (size_t)(s + len - data);
	part->data = arena_strndup(a, data, part->len);
	return HM_OK;
}

/*
 * Strict RFC 2046 framing with CRLF only: every client we serve sends CRLF,
 * and accepting a bare LF would make data ending in "\n--boundary"
 * ambiguous. Every "CRLF--boundary" is a delimiter (RFC 2046 forbids it in
 * data) and must be followed by "--" or by optional spaces and CRLF;
 * anything else is refused rather than read as data, so no two parsers can
 * disagree about where a part ends.
 */
enum hm_err http_parse_multipart(struct arena *a, const char *body, size_t len,
				 const char *boundary, size_t max_parts, struct multipart *out)
{
	out->parts = NULL;
	out->n = 0;
	if (!body || !boundary)
		return HM_EINVAL;
	size_t blen = strlen(boundary);
	if (!boundary_valid(boundary, blen))
		return HM_EINVAL;
	char delim[4 + MP_BOUNDARY_MAX];
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, blen);
	size_t dlen = 4 + blen;
	const char *end = body + len;

	/* The first delimiter opens the body or ends the preamble. */
	const char *p;
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
		p = body + dlen - 2;
	} else {
		const char *d = memmem(body, len, delim, dlen);
		if (!d)
			return HM_EINVAL;
		p = d + dlen;
	}

	struct multipart_part *parts = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		/* p is just past "--boundary" */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break; /* close delimiter; the epilogue is ignored */
		p = skip_ows(p, end);
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return HM_EINVAL;
		p += 2;
		const char *d = memmem(p, (size_t)(end - p), delim, dlen);
		if (!d)
			return HM_EINVAL; /* no closing delimiter */
		if (n == max_parts)
			return HM_ETOOBIG;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			if (ncap > max_parts)
				ncap = max_parts;
			struct multipart_part *np = arena_array(a, ncap, sizeof(*np));
			if (n)
				memcpy(np, parts, n * sizeof(*np));
			parts = np;
			cap = ncap;
		}
		enum hm_err rc = mp_part(a, p, (size_t)(d - p), &parts[n]);
		if (rc != HM_OK)
			return rc;
		n++;
		p = d + dlen;
	}
	out->parts = parts;
	out->n = n;
	return HM_OK;
}

/* ============================================================= Accept */

/* End of one comma-separated element, quoted commas skipped. */
static const char *list_elem_end(const char *p, const char *end)
{
	while (p < end && *p != ',') {
		if (*p == '"') {
			const char *q = quoted_end(p, end);
			p = q ? q : end;
		} else {
			p++;
		}
	}
	return p;
}

struct accept_match {
	int spec; /* 0 none, 1 any type, 2 type wildcard, 3 exact */
	int q;
};

static void accept_consider(struct accept_match *m, const char *type, size_t type_len,
			    const char *sub, size_t sub_len, const char *want_type,
			    const char *want_sub, int q)
{
	int spec = 0;
	if (span_ieq(type, type_len, "*") && span_ieq(sub, sub_len, "*"))
		spec = 1;
	else if (span_ieq(type, type_len, want_type) && span_ieq(sub, sub_len, "*"))
		spec = 2;
	else if (span_ieq(type, type_len, want_type) && span_ieq(sub, sub_len, want_sub))
		spec = 3;
	/* The most specific range decides; among equals, the highest q. */
	if (spec > m->spec || (spec == m->spec && spec && q > m->q)) {
		m->spec = spec;
		m->q = q;
	}
}

/*
 * Each type gets the q of the most specific range matching it (RFC 7231
 * §5.3.2); JSON wins only with a strictly higher q, so browsers, any-type
 * and ties get HTML. Malformed ranges are ignored.
 */
int http_accept_prefers_json(const char *accept)
{
	if (!accept)
		return 0;
	struct accept_match json = {0, 0}, html = {0, 0};
	const char *p = accept, *end = p + strlen(p);
	while (p < end) {
		const char *ee = list_elem_end(p, end);
		const char *q = p;
		p = ee < end ? ee + 1 : end;
		const char *type, *sub;
		size_t type_len, sub_len;
		if (skip_ows(q, ee) == ee || !media_type(&q, ee, &type, &type_len, &sub, &sub_len))
			continue;
		int qv = 1000, ok = 1;
		struct param pr;
		enum hm_err rc;
		while ((rc = param_next(&q, ee, &pr)) == HM_OK) {
			if (span_ieq(pr.name, pr.name_len, "q")) {
				qv = pr.quoted ? -1 : text_qvalue_parse(pr.raw, pr.raw_len);
				ok = qv >= 0;
				break; /* parameters after q are accept-ext */
			}
		}
		if (!ok || rc == HM_EINVAL)
			continue;
		accept_consider(&json, type, type_len, sub, sub_len, "application", "json", qv);
		accept_consider(&html, type, type_len, sub, sub_len, "text", "html", qv);
	}
	return json.spec && json.q > (html.spec ? html.q : 0);
}

/* ------------------------------------------------------------ origins */

static int origin_host_valid(const char *h, size_t n)
{
	if (n == 0 || n > 253)
		return 0;
	if (h[0] == '[') {
		/* an IPv6 address: hex digits, ':' and '.' (an IPv4 tail) */
		if (n < 4 || h[n - 1] != ']')
			return 0;
		int colons = 0;
		for (size_t i = 1; i + 1 < n; i++) {
			char c = h[i];
			if (c == ':')
				colons++;
			else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				   (c >= 'A' && c <= 'F') || c == '.'))
				return 0;
		}
		return colons >= 2;
	}
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && h[n - 1] != '-';
}

int http_origin_valid(const char *s, size_t n)
{
	size_t at;
	if (n > 8 && memcmp(s, "https://", 8) == 0)
		at = 8;
	else if (n > 7 && memcmp(s, "http://", 7) == 0)
		at = 7;
	else
		return 0;
	const char *h = s + at;
	size_t hn = n - at;
	/* the port: after the last ':' that is not inside the brackets */
	size_t end = hn;
	for (size_t i = hn; i > 0; i--) {
		if (h[i - 1] == ']')
			break;
		if (h[i - 1] == ':') {
			end = i - 1;
			break;
		}
	}
	if (end < hn) {
		size_t pn = hn - end - 1;
		if (pn == 0 || pn > 5 || h[end + 1] == '0')
			return 0;
		long port = 0;
		for (size_t i = end + 1; i < hn; i++) {
			if (h[i] < '0' || h[i] > '9')
				return 0;
			port = port * 10 + (h[i] - '0');
		}
		if (port < 1 || port > 65535)
			return 0;
	}
	return origin_host_valid(h, end);
}
