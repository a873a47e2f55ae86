/*
 * test_parse.c — table-driven tests of the untrusted-input parsers in
 * src/http/parse.c, negative rows first. Byte-range inputs are copied into
 * heap buffers of their exact length, with no NUL after them, so ASan
 * catches any read past the length given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/parse.h"

/* A string literal and its length, embedded NULs included. */
#define L(s) s, sizeof(s) - 1
#define CD(n) "Content-Disposition: form-data; name=\"" n "\"\r\n"

#define EXPECT(id, cond)                                                      \
	do {                                                                  \
		if (!(cond))                                                  \
			fail_msg("row %s: expected %s", (id), #cond);         \
	} while (0)

/* A copy of s[0..len) in a buffer of exactly len bytes (one if empty). */
static char *exact(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);
	assert_non_null(p);
	if (len)
		memcpy(p, s, len);
	return p;
}

/* ===================================================== percent-decoding */

struct pct_row {
	const char *id;
	const char *in;
	size_t in_len;
	int plus;
	enum hm_err rc;
	const char *out;
	size_t out_len;
};

static const struct pct_row pct_rows[] = {
	/* negative: malformed escapes, NUL, invalid UTF-8 */
	{"P-N01 lone percent", L("%"), 1, HM_EINVAL},
	{"P-N02 one hex digit", L("%4"), 1, HM_EINVAL},
	{"P-N03 truncated at end", L("abc%4"), 1, HM_EINVAL},
	{"P-N04 non-hex", L("%zz"), 1, HM_EINVAL},
	{"P-N05 non-hex high", L("%g1"), 1, HM_EINVAL},
	{"P-N06 non-hex low", L("%1g"), 1, HM_EINVAL},
	{"P-N07 encoded NUL", L("%00"), 1, HM_EINVAL},
	{"P-N08 encoded NUL inside", L("a%00b"), 0, HM_EINVAL},
	{"P-N09 raw NUL", L("a\0b"), 0, HM_EINVAL},
	{"P-N10 overlong NUL", L("%C0%80"), 1, HM_EINVAL},
	{"P-N11 overlong 2-byte", L("%C1%BF"), 1, HM_EINVAL},
	{"P-N12 overlong 3-byte", L("%E0%80%80"), 1, HM_EINVAL},
	{"P-N13 overlong 4-byte", L("%F0%80%80%80"), 1, HM_EINVAL},
	{"P-N14 high surrogate", L("%ED%A0%80"), 1, HM_EINVAL},
	{"P-N15 low surrogate", L("%ED%BF%BF"), 1, HM_EINVAL},
	{"P-N16 above U+10FFFF", L("%F4%90%80%80"), 1, HM_EINVAL},
	{"P-N17 lead F5", L("%F5%80%80%80"), 1, HM_EINVAL},
	{"P-N18 byte FF", L("%FF"), 1, HM_EINVAL},
	{"P-N19 stray continuation", L("%80"), 1, HM_EINVAL},
	{"P-N20 truncated 2-byte", L("%C3"), 1, HM_EINVAL},
	{"P-N21 truncated 3-byte", L("%E2%82"), 1, HM_EINVAL},
	{"P-N22 bad continuation", L("%C3%28"), 1, HM_EINVAL},
	{"P-N23 raw invalid UTF-8", L("\xC3\xA9\xC3"), 1, HM_EINVAL},
	{"P-N24 double percent", L("%%41"), 1, HM_EINVAL},
	{"P-N25 space in escape", L("% 41"), 1, HM_EINVAL},
	{"P-N26 plus in escape", L("%+4"), 1, HM_EINVAL},
	{"P-N27 sign in escape", L("%-1"), 1, HM_EINVAL},
	{"P-N28 raw and encoded mixed", L("\xE2%82"), 0, HM_EINVAL},
	/* positive */
	{"P-P01 empty", L(""), 1, HM_OK, L("")},
	{"P-P02 plain", L("abc"), 1, HM_OK, L("abc")},
	{"P-P03 plus as space", L("a+b"), 1, HM_OK, L("a b")},
	{"P-P04 plus kept", L("a+b"), 0, HM_OK, L("a+b")},
	{"P-P05 mixed-case hex", L("%41%62"), 1, HM_OK, L("Ab")},
	{"P-P06 lower-case euro", L("%e2%82%ac"), 1, HM_OK, L("\xE2\x82\xAC")},
	{"P-P07 emoji", L("%F0%9F%98%80"), 1, HM_OK, L("\xF0\x9F\x98\x80")},
	{"P-P08 encoded percent", L("100%25"), 1, HM_OK, L("100%")},
	{"P-P09 encoded plus", L("%2B"), 1, HM_OK, L("+")},
	{"P-P10 accented", L("caf%C3%A9"), 1, HM_OK, L("caf\xC3\xA9")},
	{"P-P11 raw UTF-8", L("caf\xC3\xA9"), 1, HM_OK, L("caf\xC3\xA9")},
	{"P-P12 max code point", L("%F4%8F%BF%BF"), 1, HM_OK, L("\xF4\x8F\xBF\xBF")},
	{"P-P13 below surrogates", L("%ED%9F%BF"), 1, HM_OK, L("\xED\x9F\xBF")},
	{"P-P14 above surrogates", L("%EE%80%80"), 1, HM_OK, L("\xEE\x80\x80")},
	{"P-P15 last 2-byte", L("%DF%BF"), 1, HM_OK, L("\xDF\xBF")},
	{"P-P16 first 3-byte", L("%E0%A0%80"), 1, HM_OK, L("\xE0\xA0\x80")},
	{"P-P17 first 4-byte", L("%F0%90%80%80"), 1, HM_OK, L("\xF0\x90\x80\x80")},
	{"P-P18 DEL and controls", L("%7F%01"), 1, HM_OK, L("\x7F\x01")},
	{"P-P19 Chinese", L("%E5%8C%97%E4%BA%AC"), 0, HM_OK, L("\xE5\x8C\x97\xE4\xBA\xAC")},
};

static void test_percent_decode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(pct_rows); i++) {
		const struct pct_row *r = &pct_rows[i];
		struct arena a;
		arena_init(&a);
		char *in = exact(r->in, r->in_len);
		static char junk[] = "junk";
		char *out = junk;
		size_t out_len = 99;
		enum hm_err rc = http_percent_decode(&a, in, r->in_len, r->plus, &out, &out_len);
		EXPECT(r->id, rc == r->rc);
		if (rc == HM_OK) {
			EXPECT(r->id, out_len == r->out_len);
			EXPECT(r->id, memcmp(out, r->out, out_len) == 0);
			EXPECT(r->id, out[out_len] == '\0');
		} else {
			EXPECT(r->id, out == NULL);
			EXPECT(r->id, out_len == 0);
		}
		free(in);
		arena_free(&a);
	}
}

/* Only len bytes are read: an escape cut by the length fails even when
 * the bytes after it would complete it. */
static void test_percent_decode_stops_at_len(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	char *out;
	size_t out_len;
	assert_int_equal(http_percent_decode(&a, "abc%41", 5, 0, &out, &out_len), HM_EINVAL);
	assert_int_equal(http_percent_decode(&a, "abc%41", 3, 0, &out, &out_len), HM_OK);
	assert_string_equal(out, "abc");
	assert_int_equal(http_percent_decode(&a, "x%41", 4, 0, &out, NULL), HM_OK);
	assert_string_equal(out, "xA");
	assert_int_equal(http_percent_decode(&a, NULL, 0, 0, &out, &out_len), HM_OK);
	assert_string_equal(out, "");
	assert_int_equal(http_percent_decode(&a, NULL, 3, 0, &out, &out_len), HM_EINVAL);
	assert_null(out);
	arena_free(&a);
}

/* ========================================================== urlencoded */

struct url_row {
	const char *id;
	const char *in;
	size_t in_len;
	size_t max;
	enum hm_err rc;
	size_t n;
	const char *kv[8]; /* key, value, key, value... */
};

static const struct url_row url_rows[] = {
	{"U-N01 truncated escape in value", L("a=%"), 10, HM_EINVAL},
	{"U-N02 one hex digit at end", L("a=%4"), 10, HM_EINVAL},
	{"U-N03 bad escape in key", L("%zz=1"), 10, HM_EINVAL},
	{"U-N04 encoded NUL", L("a=1&b=%00"), 10, HM_EINVAL},
	{"U-N05 overlong", L("a=%C0%80"), 10, HM_EINVAL},
	{"U-N06 bad escape in skipped pair", L("a=1&=%zz"), 10, HM_EINVAL},
	{"U-N07 over max fields", L("a=1&b=2&c=3"), 2, HM_ETOOBIG},
	{"U-N08 zero max fields", L("a"), 0, HM_ETOOBIG},
	{"U-N09 surrogate in key", L("k%ED%A0%80=v"), 10, HM_EINVAL},
	{"U-N10 truncated before amp", L("a=%4&b=1"), 10, HM_EINVAL},
	{"U-N11 percent before equals", L("a%=1"), 10, HM_EINVAL},
	{"U-N12 raw invalid UTF-8", L("a=\xFF"), 10, HM_EINVAL},
	{"U-P01 empty", L(""), 10, HM_OK, 0},
	{"U-P02 ampersands only", L("&&&"), 10, HM_OK, 0},
	{"U-P03 equals only", L("="), 10, HM_OK, 0},
	{"U-P04 empty key", L("=x"), 10, HM_OK, 0},
	{"U-P05 key without equals", L("a"), 10, HM_OK, 1, {"a", ""}},
	{"U-P06 empty value", L("a="), 10, HM_OK, 1, {"a", ""}},
	{"U-P07 two pairs", L("a=1&b=2"), 10, HM_OK, 2, {"a", "1", "b", "2"}},
	{"U-P08 empty pairs around", L("&&a=1&&b=2&&"), 10, HM_OK, 2, {"a", "1", "b", "2"}},
	{"U-P09 plus in key and value", L("a+b=c+d"), 10, HM_OK, 1, {"a b", "c d"}},
	{"U-P10 equals in value", L("a=1=2"), 10, HM_OK, 1, {"a", "1=2"}},
	{"U-P11 repeated key", L("a=1&a=2"), 10, HM_OK, 2, {"a", "1", "a", "2"}},
	{"U-P12 encoded separators", L("k%3Dx=v%26w"), 10, HM_OK, 1, {"k=x", "v&w"}},
	{"U-P13 semicolon is data", L("a=1;b=2"), 10, HM_OK, 1, {"a", "1;b=2"}},
	{"U-P14 Chinese value", L("city=%E5%8C%97%E4%BA%AC"), 10, HM_OK, 1,
	 {"city", "\xE5\x8C\x97\xE4\xBA\xAC"}},
	{"U-P15 exactly max fields", L("a=1&b=2&c=3"), 3, HM_OK, 3, {"a", "1", "b", "2", "c", "3"}},
	{"U-P16 empty pairs do not count", L("&&&a=1&&&"), 1, HM_OK, 1, {"a", "1"}},
	{"U-P17 skipped pairs do not count", L("=1&=2&a=3"), 1, HM_OK, 1, {"a", "3"}},
};

static void test_parse_urlencoded_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(url_rows); i++) {
		const struct url_row *r = &url_rows[i];
		struct arena a;
		arena_init(&a);
		char *in = exact(r->in, r->in_len);
		struct kv junk = {"x", "y", 1};
		struct kv_list out = {&junk, 1};
		enum hm_err rc = http_parse_urlencoded(&a, in, r->in_len, r->max, &out);
		EXPECT(r->id, rc == r->rc);
		EXPECT(r->id, out.n == r->n);
		if (rc != HM_OK || r->n == 0)
			EXPECT(r->id, out.items == NULL);
		for (size_t k = 0; k < out.n && k < r->n; k++) {
			EXPECT(r->id, strcmp(out.items[k].key, r->kv[2 * k]) == 0);
			EXPECT(r->id, strcmp(out.items[k].value, r->kv[2 * k + 1]) == 0);
			EXPECT(r->id, out.items[k].value_len == strlen(r->kv[2 * k + 1]));
		}
		free(in);
		arena_free(&a);
	}
}

/* n copies of unit, in an exact-size heap buffer. */
static char *repeat(const char *unit, size_t n, size_t *len)
{
	size_t ul = strlen(unit);
	*len = ul * n;
	char *p = malloc(*len ? *len : 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		memcpy(p + i * ul, unit, ul);
	return p;
}

static void test_parse_urlencoded_huge_counts(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct kv_list out;
	size_t len;

	assert_int_equal(http_parse_urlencoded(&a, NULL, 0, 10, &out), HM_OK);
	assert_int_equal(out.n, 0);
	assert_int_equal(http_parse_urlencoded(&a, NULL, 5, 10, &out), HM_EINVAL);

	char *many = repeat("a=1&", 100000, &len);
	assert_int_equal(http_parse_urlencoded(&a, many, len, 1000, &out), HM_ETOOBIG);
	assert_int_equal(out.n, 0);
	free(many);

	char *amps = repeat("&", 100000, &len);
	assert_int_equal(http_parse_urlencoded(&a, amps, len, 0, &out), HM_OK);
	assert_int_equal(out.n, 0);
	free(amps);

	char *full = repeat("k=v&", 1000, &len);
	assert_int_equal(http_parse_urlencoded(&a, full, len, 1000, &out), HM_OK);
	assert_int_equal(out.n, 1000);
	assert_string_equal(out.items[999].key, "k");
	assert_string_equal(out.items[999].value, "v");
	free(full);
	arena_free(&a);
}

/* ================================================================ kv_get */

static void test_kv_get(void **state)
{
	(void)state;
	struct kv items[] = {{"a", "1", 1}, {"b", "2", 1}, {"a", "3", 1}, {"", "e", 1}};
	struct kv_list list = {items, HM_ARRAY_LEN(items)};
	struct kv_list empty = {NULL, 0};
	assert_null(kv_get(NULL, "a"));
	assert_null(kv_get(&list, NULL));
	assert_null(kv_get(&empty, "a"));
	assert_null(kv_get(&list, "c"));
	assert_null(kv_get(&list, "A"));
	assert_string_equal(kv_get(&list, "a"), "1");
	assert_string_equal(kv_get(&list, "b"), "2");
	assert_string_equal(kv_get(&list, ""), "e");
}

/* ============================================================== cookies */

struct cookie_row {
	const char *id;
	const char *header;
	size_t n;
	const char *kv[8];
};

static const struct cookie_row cookie_rows[] = {
	{"C-N01 no header", NULL, 0},
	{"C-N02 empty", "", 0},
	{"C-N03 semicolons only", ";;;", 0},
	{"C-N04 no equals", "a", 0},
	{"C-N05 empty name", "=b", 0},
	{"C-N06 blank name", "  =b", 0},
	{"C-N07 blank pairs", "; ; a ;", 0},
	{"C-N08 tabs around equals", "\t=\t", 0},
	{"C-P01 one", "a=1", 1, {"a", "1"}},
	{"C-P02 two", "a=1; b=2", 2, {"a", "1", "b", "2"}},
	{"C-P03 whitespace stripped", "  a = 1 ;b=2  ", 2, {"a", "1", "b", "2"}},
	{"C-P04 quoted value", "a=\"x y\"", 1, {"a", "x y"}},
	{"C-P05 lone quote kept", "a=\"", 1, {"a", "\""}},
	{"C-P06 empty quoted", "a=\"\"", 1, {"a", ""}},
	{"C-P07 pair without equals skipped", "a=1;b", 1, {"a", "1"}},
	{"C-P08 equals in value", "a=b=c", 1, {"a", "b=c"}},
	{"C-P09 repeated name", "a=1; a=2", 2, {"a", "1", "a", "2"}},
	{"C-P10 not decoded", "a=%20", 1, {"a", "%20"}},
	{"C-P11 tabs stripped", "a=\t1\t", 1, {"a", "1"}},
	{"C-P12 empty value", "a=", 1, {"a", ""}},
	{"C-P13 mixed good and bad", "sid=abc; =x; y; z=1", 2, {"sid", "abc", "z", "1"}},
	{"C-P14 inner quote kept", "a=\"x\"y\"", 1, {"a", "x\"y"}},
};

static void test_parse_cookies_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(cookie_rows); i++) {
		const struct cookie_row *r = &cookie_rows[i];
		struct arena a;
		arena_init(&a);
		char *h = r->header ? strdup(r->header) : NULL;
		struct kv_list out;
		http_parse_cookies(&a, h, &out);
		EXPECT(r->id, out.n == r->n);
		if (r->n == 0)
			EXPECT(r->id, out.items == NULL);
		for (size_t k = 0; k < out.n && k < r->n; k++) {
			EXPECT(r->id, strcmp(out.items[k].key, r->kv[2 * k]) == 0);
			EXPECT(r->id, strcmp(out.items[k].value, r->kv[2 * k + 1]) == 0);
			EXPECT(r->id, out.items[k].value_len == strlen(r->kv[2 * k + 1]));
		}
		if (r->n)
			EXPECT(r->id, str_eq(kv_get(&out, r->kv[0]), r->kv[1]));
		free(h);
		arena_free(&a);
	}
}

/* ==================================================== multipart boundary */

#define B70 "0123456789012345678901234567890123456789012345678901234567890123456789"

struct boundary_row {
	const char *id;
	const char *ct;
	enum hm_err rc;
	const char *want;
};

static const struct boundary_row boundary_rows[] = {
	{"B-N01 no header", NULL, HM_EINVAL},
	{"B-N02 empty", "", HM_EINVAL},
	{"B-N03 not multipart", "text/plain; boundary=x", HM_EINVAL},
	{"B-N04 other multipart", "multipart/mixed; boundary=x", HM_EINVAL},
	{"B-N05 no boundary", "multipart/form-data", HM_EINVAL},
	{"B-N06 empty boundary", "multipart/form-data; boundary=", HM_EINVAL},
	{"B-N07 empty quoted", "multipart/form-data; boundary=\"\"", HM_EINVAL},
	{"B-N08 71 chars", "multipart/form-data; boundary=" B70 "x", HM_EINVAL},
	{"B-N09 bad char", "multipart/form-data; boundary=abc{", HM_EINVAL},
	{"B-N10 trailing space", "multipart/form-data; boundary=\"abc \"", HM_EINVAL},
	{"B-N11 unterminated quote", "multipart/form-data; boundary=\"abc", HM_EINVAL},
	{"B-N12 two boundaries", "multipart/form-data; boundary=a; boundary=b", HM_EINVAL},
	{"B-N13 missing semicolon", "multipart/form-data boundary=x", HM_EINVAL},
	{"B-N14 space in token", "multipart/form-data; boundary=a b", HM_EINVAL},
	{"B-N15 quote char", "multipart/form-data; boundary=\"a\\\"b\"", HM_EINVAL},
	{"B-N16 no subtype", "multipart; boundary=x", HM_EINVAL},
	{"B-N17 nameless parameter", "multipart/form-data; =x", HM_EINVAL},
	{"B-N18 control char", "multipart/form-data; boundary=a\x01", HM_EINVAL},
	{"B-N19 CRLF", "multipart/form-data; boundary=\"a\r\nb\"", HM_EINVAL},
	{"B-N20 escape at end", "multipart/form-data; boundary=\"abc\\", HM_EINVAL},
	{"B-N21 parameter without value", "multipart/form-data; boundary", HM_EINVAL},
	{"B-N22 empty subtype", "multipart/; boundary=x", HM_EINVAL},
	{"B-P01 plain", "multipart/form-data; boundary=abc", HM_OK, "abc"},
	{"B-P02 case", "Multipart/Form-Data;BOUNDARY=abc", HM_OK, "abc"},
	{"B-P03 quoted with space", "multipart/form-data; boundary=\"a b:c\"", HM_OK, "a b:c"},
	{"B-P04 after charset", "multipart/form-data; charset=utf-8; boundary=----WebKitFormBoundary7MA4YWxk",
	 HM_OK, "----WebKitFormBoundary7MA4YWxk"},
	{"B-P05 70 chars", "multipart/form-data; boundary=" B70, HM_OK, B70},
	{"B-P06 loose whitespace", "  multipart/form-data ; boundary = abc ;", HM_OK, "abc"},
	{"B-P07 quoted escape", "multipart/form-data; boundary=\"ab\\c\"", HM_OK, "abc"},
	{"B-P08 all special chars", "multipart/form-data; boundary=x'()+_,-./:=?", HM_OK,
	 "x'()+_,-./:=?"},
	{"B-P09 boundary text in another parameter",
	 "multipart/form-data; foo=\"boundary=x; \"; boundary=y", HM_OK, "y"},
};

static void test_multipart_boundary_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(boundary_rows); i++) {
		const struct boundary_row *r = &boundary_rows[i];
		struct arena a;
		arena_init(&a);
		char *ct = r->ct ? strdup(r->ct) : NULL;
		const char *out = "junk";
		enum hm_err rc = http_multipart_boundary(&a, ct, &out);
		EXPECT(r->id, rc == r->rc);
		if (rc == HM_OK)
			EXPECT(r->id, str_eq(out, r->want));
		else
			EXPECT(r->id, out == NULL);
		free(ct);
		arena_free(&a);
	}
}

/* ============================================================ multipart */

struct want_part {
	const char *name, *filename, *ctype;
	const char *data;
	size_t len;
};

struct mp_row {
	const char *id;
	const char *body;
	size_t len;
	const char *boundary;
	size_t max;
	enum hm_err rc;
	size_t n;
	struct want_part parts[3];
};

static const struct mp_row mp_rows[] = {
	{"M-N01 empty body", L(""), "b", 10, HM_EINVAL},
	{"M-N02 no delimiter", L("no delimiter here"), "b", 10, HM_EINVAL},
	{"M-N03 no closing delimiter", L("--b\r\n" CD("a") "\r\nv\r\n"), "b", 10, HM_EINVAL},
	{"M-N04 truncated close", L("--b\r\n" CD("a") "\r\nv\r\n--b-"), "b", 10, HM_EINVAL},
	{"M-N05 close not on own line", L("--b\r\n" CD("a") "\r\nv--b--"), "b", 10, HM_EINVAL},
	{"M-N06 bare LF", L("--b\nContent-Disposition: form-data; name=\"a\"\n\nv\n--b--\n"), "b",
	 10, HM_EINVAL},
	{"M-N07 LF ending a header", L("--b\r\nContent-Disposition: form-data; name=\"a\"\n\r\nv\r\n--b--"),
	 "b", 10, HM_EINVAL},
	{"M-N08 no headers", L("--b\r\n\r\nv\r\n--b--"), "b", 10, HM_EINVAL},
	{"M-N09 no disposition", L("--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--"), "b", 10,
	 HM_EINVAL},
	{"M-N10 attachment", L("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--"),
	 "b", 10, HM_EINVAL},
	{"M-N11 no name", L("--b\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\nv\r\n--b--"),
	 "b", 10, HM_EINVAL},
	{"M-N12 header without colon", L("--b\r\nContent-Disposition form-data\r\n\r\nv\r\n--b--"), "b",
	 10, HM_EINVAL},
	{"M-N13 no blank line", L("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n--b--"), "b", 10,
	 HM_EINVAL},
	{"M-N14 two dispositions", L("--b\r\n" CD("a") CD("b") "\r\nv\r\n--b--"), "b", 10, HM_EINVAL},
	{"M-N15 unterminated name",
	 L("--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--"), "b", 10, HM_EINVAL},
	{"M-N16 delimiter with junk", L("--b\r\n" CD("a") "\r\nv\r\n--bX\r\n" CD("c") "\r\nw\r\n--b--"),
	 "b", 10, HM_EINVAL},
	{"M-N17 first delimiter with junk", L("--bb\r\n" CD("a") "\r\nv\r\n--b--"), "b", 10, HM_EINVAL},
	{"M-N18 too many parts",
	 L("--b\r\n" CD("a") "\r\n1\r\n--b\r\n" CD("b") "\r\n2\r\n--b\r\n" CD("c") "\r\n3\r\n--b--"), "b",
	 2, HM_ETOOBIG},
	{"M-N19 max parts zero", L("--b\r\n" CD("a") "\r\n1\r\n--b--"), "b", 0, HM_ETOOBIG},
	{"M-N20 control char", L("--b\r\n" CD("a\x01") "\r\nv\r\n--b--"), "b", 10, HM_EINVAL},
	{"M-N21 invalid UTF-8 filename",
	 L("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xFF.txt\"\r\n\r\nv\r\n--b--"),
	 "b", 10, HM_EINVAL},
	{"M-N22 folded header",
	 L("--b\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nv\r\n--b--"), "b", 10,
	 HM_EINVAL},
	{"M-N23 empty boundary", L("--\r\n" CD("a") "\r\nv\r\n----"), "", 10, HM_EINVAL},
	{"M-N24 71-char boundary", L("--b\r\n" CD("a") "\r\nv\r\n--b--"), B70 "x", 10, HM_EINVAL},
	{"M-N25 invalid boundary char", L("--b{\r\n" CD("a") "\r\nv\r\n--b{--"), "b{", 10, HM_EINVAL},
	{"M-N26 two names", L("--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nv\r\n--b--"),
	 "b", 10, HM_EINVAL},
	{"M-N27 two content types",
	 L("--b\r\n" CD("a") "Content-Type: text/plain\r\nContent-Type: text/html\r\n\r\nv\r\n--b--"),
	 "b", 10, HM_EINVAL},
	{"M-N28 junk after quoted name",
	 L("--b\r\nContent-Disposition: form-data; name=\"a\"x\r\n\r\nv\r\n--b--"), "b", 10, HM_EINVAL},
	{"M-N29 space before colon",
	 L("--b\r\nContent-Disposition : form-data; name=a\r\n\r\nv\r\n--b--"), "b", 10, HM_EINVAL},
	{"M-N30 NUL in header", L("--b\r\n" CD("a\0b") "\r\nv\r\n--b--"), "b", 10, HM_EINVAL},
	{"M-N31 empty content type", L("--b\r\n" CD("a") "Content-Type:\r\n\r\nv\r\n--b--"), "b", 10,
	 HM_EINVAL},
	{"M-N32 bad second part", L("--b\r\n" CD("a") "\r\nv\r\n--b\r\nX: y\r\n\r\nw\r\n--b--"), "b", 10,
	 HM_EINVAL},
	{"M-P01 one field", L("--b\r\n" CD("a") "\r\nv\r\n--b--\r\n"), "b", 10, HM_OK, 1,
	 {{"a", NULL, NULL, L("v")}}},
	{"M-P02 fields and a file",
	 L("--XyZ\r\n" CD("title") "\r\nHello\r\n--XyZ\r\n"
	   "Content-Disposition: form-data; name=\"doc\"; filename=\"r.txt\"\r\n"
	   "Content-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XyZ\r\n" CD("n") "\r\n\r\n--XyZ--"),
	 "XyZ", 10, HM_OK, 3,
	 {{"title", NULL, NULL, L("Hello")},
	  {"doc", "r.txt", "text/plain", L("line1\r\nline2")},
	  {"n", NULL, NULL, L("")}}},
	{"M-P03 preamble and epilogue",
	 L("This is a preamble\r\n--b\r\n" CD("a") "\r\nv\r\n--b--\r\nepilogue --b\r\njunk"), "b", 10,
	 HM_OK, 1, {{"a", NULL, NULL, L("v")}}},
	{"M-P04 boundary-like data", L("--XyZ\r\n" CD("a") "\r\na--XyZ b\r\n-XyZ\r\n--Xy\r\nX\r\n--XyZ--"),
	 "XyZ", 10, HM_OK, 1, {{"a", NULL, NULL, L("a--XyZ b\r\n-XyZ\r\n--Xy\r\nX")}}},
	{"M-P05 NUL bytes in data", L("--b\r\n" CD("f") "\r\n\0\x01\r\n\0\r\n--b--"), "b", 10, HM_OK, 1,
	 {{"f", NULL, NULL, L("\0\x01\r\n\0")}}},
	{"M-P06 empty form", L("--b--"), "b", 10, HM_OK, 0},
	{"M-P07 empty form with CRLF", L("--b--\r\n"), "b", 0, HM_OK, 0},
	{"M-P08 escaped quotes",
	 L("--b\r\nContent-Disposition: form-data; name=\"a\\\\b\"; filename=\"say \\\"hi\\\".txt\"\r\n"
	   "\r\nv\r\n--b--"),
	 "b", 10, HM_OK, 1, {{"a\\b", "say \"hi\".txt", NULL, L("v")}}},
	{"M-P09 empty filename",
	 L("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n"
	   "Content-Type: application/octet-stream\r\n\r\n\r\n--b--"),
	 "b", 10, HM_OK, 1, {{"f", "", "application/octet-stream", L("")}}},
	{"M-P10 transport padding", L("--b  \r\n" CD("a") "\r\nv\r\n--b \t\r\n" CD("c") "\r\nw\r\n--b--"),
	 "b", 10, HM_OK, 2, {{"a", NULL, NULL, L("v")}, {"c", NULL, NULL, L("w")}}},
	{"M-P11 case-insensitive names",
	 L("--b\r\ncontent-disposition: FORM-DATA; NAME=a; FileName=f\r\nCONTENT-TYPE: image/png\r\n"
	   "\r\nv\r\n--b--"),
	 "b", 10, HM_OK, 1, {{"a", "f", "image/png", L("v")}}},
	{"M-P12 unknown header ignored",
	 L("--b\r\nX-Other: whatever\r\n" CD("a") "Content-Transfer-Encoding: 8bit\r\n\r\nv\r\n--b--"), "b",
	 10, HM_OK, 1, {{"a", NULL, NULL, L("v")}}},
	{"M-P13 exactly max parts", L("--b\r\n" CD("a") "\r\n1\r\n--b\r\n" CD("b") "\r\n2\r\n--b--"), "b", 2,
	 HM_OK, 2, {{"a", NULL, NULL, L("1")}, {"b", NULL, NULL, L("2")}}},
	{"M-P14 delimiter must start a line", L("junk--b\r\n" CD("a") "\r\nv\r\n--b--"), "b", 10, HM_OK,
	 0},
	{"M-P15 UTF-8 filename, filename* ignored",
	 L("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xE5\x8C\x97.txt\"; "
	   "filename*=UTF-8''x\r\n\r\nv\r\n--b--"),
	 "b", 10, HM_OK, 1, {{"f", "\xE5\x8C\x97.txt", NULL, L("v")}}},
	{"M-P16 blank lines in data", L("--b\r\n" CD("a") "\r\n\r\n\r\nx\r\n\r\n\r\n--b--"), "b", 10, HM_OK,
	 1, {{"a", NULL, NULL, L("\r\n\r\nx\r\n\r\n")}}},
	{"M-P17 content type parameters kept",
	 L("--b\r\n" CD("a") "Content-Type:  text/plain; charset=utf-8 \r\n\r\nv\r\n--b--"), "b", 10,
	 HM_OK, 1, {{"a", NULL, "text/plain; charset=utf-8", L("v")}}},
	{"M-P18 boundary with space", L("--a b\r\n" CD("a") "\r\nv\r\n--a b--"), "a b", 10, HM_OK, 1,
	 {{"a", NULL, NULL, L("v")}}},
	{"M-P19 empty name", L("--b\r\n" CD("") "\r\nv\r\n--b--"), "b", 10, HM_OK, 1,
	 {{"", NULL, NULL, L("v")}}},
};

static void check_mp_row(const struct mp_row *r)
{
	struct arena a;
	arena_init(&a);
	char *body = exact(r->body, r->len);
	struct multipart_part junk = {0};
	struct multipart out = {&junk, 1};
	enum hm_err rc = http_parse_multipart(&a, body, r->len, r->boundary, r->max, &out);
	EXPECT(r->id, rc == r->rc);
	EXPECT(r->id, out.n == r->n);
	if (rc != HM_OK || r->n == 0)
		EXPECT(r->id, out.parts == NULL);
	for (size_t k = 0; k < out.n && k < r->n; k++) {
		const struct multipart_part *p = &out.parts[k];
		const struct want_part *w = &r->parts[k];
		EXPECT(r->id, str_eq(p->name, w->name));
		EXPECT(r->id, str_eq(p->filename, w->filename));
		EXPECT(r->id, str_eq(p->content_type, w->ctype));
		EXPECT(r->id, p->len == w->len);
		EXPECT(r->id, memcmp(p->data, w->data, w->len) == 0);
		EXPECT(r->id, p->data[p->len] == '\0');
	}
	free(body);
	arena_free(&a);
}

static void test_parse_multipart_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(mp_rows); i++)
		check_mp_row(&mp_rows[i]);
}

/* One part whose header block is exactly hdr_total bytes. */
static enum hm_err mp_with_header_block(size_t hdr_total)
{
	struct buf b;
	buf_init(&b);
	const char *cd = CD("a");
	size_t fixed = strlen(cd) + strlen("X-Pad: ") + 2;
	assert_true(hdr_total > fixed);
	buf_puts(&b, "--b\r\n");
	buf_puts(&b, cd);
	buf_puts(&b, "X-Pad: ");
	for (size_t i = 0; i < hdr_total - fixed; i++)
		buf_putc(&b, 'p');
	buf_puts(&b, "\r\n\r\nv\r\n--b--");
	struct arena a;
	arena_init(&a);
	char *body = exact(b.data, b.len);
	struct multipart out;
	enum hm_err rc = http_parse_multipart(&a, body, b.len, "b", 10, &out);
	if (rc == HM_OK)
		assert_int_equal(out.n, 1);
	free(body);
	arena_free(&a);
	buf_free(&b);
	return rc;
}

static void test_parse_multipart_header_limit(void **state)
{
	(void)state;
	assert_int_equal(mp_with_header_block(8193), HM_EINVAL);
	assert_int_equal(mp_with_header_block(100000), HM_EINVAL);
	assert_int_equal(mp_with_header_block(8192), HM_OK);
	assert_int_equal(mp_with_header_block(100), HM_OK);
}

static void test_parse_multipart_many_parts(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, "--b\r\n" CD("x") "\r\n1\r\n");
	buf_puts(&b, "--b--");
	struct arena a;
	arena_init(&a);
	struct multipart out;
	assert_int_equal(http_parse_multipart(&a, b.data, b.len, "b", 1000, &out), HM_ETOOBIG);
	assert_int_equal(out.n, 0);
	assert_int_equal(http_parse_multipart(&a, b.data, b.len, "b", 5000, &out), HM_OK);
	assert_int_equal(out.n, 5000);
	assert_string_equal(out.parts[4999].name, "x");
	arena_free(&a);
	buf_free(&b);
}

/* The data survives the body it came from: parts live in the arena. */
static void test_parse_multipart_copies_data(void **state)
{
	(void)state;
	const char src[] = "--b\r\n" CD("a") "\r\nvalue\r\n--b--";
	char *body = exact(src, sizeof(src) - 1);
	struct arena a;
	arena_init(&a);
	struct multipart out;
	assert_int_equal(http_parse_multipart(&a, NULL, 0, "b", 10, &out), HM_EINVAL);
	assert_int_equal(http_parse_multipart(&a, body, sizeof(src) - 1, NULL, 10, &out), HM_EINVAL);
	assert_int_equal(http_parse_multipart(&a, body, sizeof(src) - 1, "b", 10, &out), HM_OK);
	memset(body, 'z', sizeof(src) - 1);
	free(body);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.parts[0].data, "value");
	assert_string_equal(out.parts[0].name, "a");
	arena_free(&a);
}

/* =============================================================== Accept */

struct accept_row {
	const char *id;
	const char *accept;
	int json;
};

static const struct accept_row accept_rows[] = {
	{"A-N01 no header", NULL, 0},
	{"A-N02 empty", "", 0},
	{"A-N03 anything", "*/*", 0},
	{"A-N04 html", "text/html", 0},
	{"A-N05 tie goes to html", "text/html, application/json", 0},
	{"A-N06 browser",
	 "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", 0},
	{"A-N07 json refused", "application/json;q=0", 0},
	{"A-N08 equal q", "application/json;q=0.5, text/html;q=0.5", 0},
	{"A-N09 wildcard beats lower json", "application/json;q=0.4, */*;q=0.5", 0},
	{"A-N10 xml only", "application/xml", 0},
	{"A-N11 garbage", "garbage", 0},
	{"A-N12 q above one ignored", "application/json;q=2", 0},
	{"A-N13 q not a number ignored", "application/json;q=abc", 0},
	{"A-N14 q with four decimals ignored", "application/json;q=0.1234", 0},
	{"A-N15 similar subtype", "application/jsonx", 0},
	{"A-N16 text wildcard ties", "text/*, application/json", 0},
	{"A-N17 html first with lower json", "application/json;q=0.9, text/html", 0},
	{"A-N18 q=1.001 ignored", "application/json;q=1.001", 0},
	{"A-N19 commas only", ",,,", 0},
	{"A-N20 unterminated quote", "application/json;x=\"a", 0},
	{"A-N21 q with letter", "application/json;q=0.x", 0},
	{"A-N22 quoted q ignored", "application/json;q=\"1\"", 0},
	{"A-P01 json", "application/json", 1},
	{"A-P02 case", "Application/JSON", 1},
	{"A-P03 json over html", "application/json, text/html;q=0.9", 1},
	{"A-P04 json with charset", "application/json;charset=utf-8", 1},
	{"A-P05 jQuery", "application/json, text/javascript, */*; q=0.01", 1},
	{"A-P06 application wildcard", "application/*", 1},
	{"A-P07 html lowered", "text/html;q=0.5, application/json", 1},
	{"A-P08 whitespace", " application/json ; q=1.0 ", 1},
	{"A-P09 wildcard low", "*/*;q=0.1, application/json", 1},
	{"A-P10 thousandths", "text/html;q=0.001,application/json;q=0.002", 1},
	{"A-P11 quoted comma", "application/json;foo=\"a,b\", text/html;q=0.5", 1},
	{"A-P12 html refused", "application/json;q=0.9, text/html;q=0", 1},
	{"A-P13 malformed range skipped", "bogus, application/json", 1},
};

static void test_accept_prefers_json_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(accept_rows); i++) {
		const struct accept_row *r = &accept_rows[i];
		char *h = r->accept ? strdup(r->accept) : NULL;
		EXPECT(r->id, http_accept_prefers_json(h) == r->json);
		free(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percent_decode_table),
		cmocka_unit_test(test_percent_decode_stops_at_len),
		cmocka_unit_test(test_parse_urlencoded_table),
		cmocka_unit_test(test_parse_urlencoded_huge_counts),
		cmocka_unit_test(test_kv_get),
		cmocka_unit_test(test_parse_cookies_table),
		cmocka_unit_test(test_multipart_boundary_table),
		cmocka_unit_test(test_parse_multipart_table),
		cmocka_unit_test(test_parse_multipart_header_limit),
		cmocka_unit_test(test_parse_multipart_many_parts),
		cmocka_unit_test(test_parse_multipart_copies_data),
		cmocka_unit_test(test_accept_prefers_json_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
