/*
 * text.c — UTF-8 validation, slugs and summaries. Slugs go through ICU's
 * "Any-Latin; Latin-ASCII; Lower" transliterator so titles in Chinese,
 * Arabic or Cyrillic get a readable Latin slug instead of an empty one.
 */
#include "core/text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the sequence at s[0..len) if it is well-formed, else 0. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xC2) /* continuation byte, or overlong 2-byte lead */
		return 0;
	if (c < 0xE0) {
		if (len < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		return 2;
	}
	if (c < 0xF0) {
		if (len < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0) /* overlong */
			return 0;
		if (c == 0xED && s[1] >= 0xA0) /* UTF-16 surrogate */
			return 0;
		return 3;
	}
	if (c < 0xF5) {
		if (len < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90) /* overlong */
			return 0;
		if (c == 0xF4 && s[1] >= 0x90) /* above U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_seq(p + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

/* Steps over one character (or one bad byte) at s; returns its length. */
static size_t utf8_step(const char *s, size_t len)
{
	size_t n = utf8_seq((const unsigned char *)s, len);
	return n ? n : 1;
}

size_t utf8_chars(const char *s)
{
	size_t len = strlen(s), i = 0, n = 0;
	while (i < len) {
		i += utf8_step(s + i, len - i);
		n++;
	}
	return n;
}

/* Decodes the valid sequence of length n at s. */
static UChar32 utf8_decode(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	switch (n) {
	case 2:
		return ((UChar32)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
	case 3:
		return ((UChar32)(p[0] & 0x0F) << 12) | ((UChar32)(p[1] & 0x3F) << 6) |
		       (p[2] & 0x3F);
	case 4:
		return ((UChar32)(p[0] & 0x07) << 18) | ((UChar32)(p[1] & 0x3F) << 12) |
		       ((UChar32)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
	default:
		return p[0];
	}
}

/* ------------------------------------------------------- transliterator */

/* Opening "Any-Latin" costs milliseconds and a transliterator may not be
 * used by two threads at once, so each thread opens its own on first use
 * and the key's destructor closes it when the thread ends. */
static pthread_key_t trans_key;
static pthread_once_t trans_once = PTHREAD_ONCE_INIT;

static void trans_destroy(void *p)
{
	utrans_close(p);
}

static void trans_key_make(void)
{
	if (pthread_key_create(&trans_key, trans_destroy) != 0)
		abort();
}

static UTransliterator *trans_get(void)
{
	pthread_once(&trans_once, trans_key_make);
	UTransliterator *t = pthread_getspecific(trans_key);
	if (t)
		return t;
	UErrorCode ec = U_ZERO_ERROR;
	static const UChar id[] = u"Any-Latin; Latin-ASCII; Lower";
	t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &ec);
	if (U_FAILURE(ec)) {
		log_error("utrans_openU: %s", u_errorName(ec));
		return NULL;
	}
	pthread_setspecific(trans_key, t);
	return t;
}

void text_thread_cleanup(void)
{
	pthread_once(&trans_once, trans_key_make);
	UTransliterator *t = pthread_getspecific(trans_key);
	if (t) {
		utrans_close(t);
		pthread_setspecific(trans_key, NULL);
	}
}

/* ----------------------------------------------------------------- slugs */

/* Only the start of a long title can reach the slug; this bounds the work
 * done for a hostile 1 MB title. */
#define SLUG_INPUT_MAX 1024

/* Transliterates text to a heap array of UTF-16 units (caller frees), or
 * NULL when ICU is unusable, in which case the caller keeps only ASCII. */
static UChar *slug_latin(const char *text, int32_t *out_len)
{
	UTransliterator *t = trans_get();
	if (!t)
		return NULL;
	size_t len = strlen(text);
	if (len > SLUG_INPUT_MAX) {
		len = SLUG_INPUT_MAX; /* back up to a character boundary */
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
	}
	UErrorCode ec = U_ZERO_ERROR;
	int32_t n16 = 0;
	u_strFromUTF8WithSub(NULL, 0, &n16, text, (int32_t)len, 0xFFFD, NULL, &ec);
	if (ec != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(ec))
		return NULL;
	UChar *src = xmalloc(((size_t)n16 + 1) * sizeof(UChar));
	ec = U_ZERO_ERROR;
	u_strFromUTF8WithSub(src, n16 + 1, NULL, text, (int32_t)len, 0xFFFD, NULL, &ec);
	if (U_FAILURE(ec)) {
		free(src);
		return NULL;
	}
	/* One Han character becomes up to ~7 Latin letters ("zhuang "); retry
	 * with the size ICU reports if that guess is short. */
	int32_t cap = n16 * 8 + 16;
	for (int attempt = 0; attempt < 2; attempt++) {
		UChar *out = xmalloc((size_t)cap * sizeof(UChar));
		memcpy(out, src, (size_t)n16 * sizeof(UChar));
		int32_t tlen = n16, limit = n16;
		ec = U_ZERO_ERROR;
		utrans_transUChars(t, out, &tlen, cap, 0, &limit, &ec);
		if (U_SUCCESS(ec) && tlen <= cap) {
			free(src);
			*out_len = tlen;
			return out;
		}
		free(out);
		if (tlen <= cap)
			break;
		cap = tlen + 1;
	}
	free(src);
	log_error("utrans_transUChars: %s", u_errorName(ec));
	return NULL;
}

static int is_apostrophe(UChar32 c)
{
	return c == '\'' || c == 0x2019 || c == 0x02BC;
}

char *slugify(struct arena *a, const char *text)
{
	char out[SLUG_MAX + 1];
	size_t n = 0;
	int hyphen = 0, full = 0;
	if (!text)
		text = "";
	int32_t nlatin = 0;
	UChar *latin = slug_latin(text, &nlatin);
	size_t i = 0, tlen = strlen(text);
	int32_t k = 0;
	for (;;) {
		UChar32 c;
		if (latin) {
			if (k >= nlatin)
				break;
			U16_NEXT(latin, k, nlatin, c);
		} else {
			if (i >= tlen)
				break;
			size_t step = utf8_step(text + i, tlen - i);
			c = step == 1 ? (unsigned char)text[i] : 0xFFFD;
			i += step;
		}
		if (c < 0x80 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9'))) {
			size_t need = (hyphen && n > 0) ? 2 : 1;
			if (n + need > SLUG_MAX) {
				full = 1;
				break;
			}
			if (hyphen && n > 0)
				out[n++] = '-';
			hyphen = 0;
			out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		} else if (!is_apostrophe(c)) {
			hyphen = 1; /* "don't" stays one word, all else separates */
		}
	}
	free(latin);
	/* A word cut by the limit is dropped when that keeps half the slug. */
	if (full && !hyphen) {
		size_t dash = n;
		while (dash > 0 && out[dash - 1] != '-')
			dash--;
		if (dash > 0 && dash - 1 >= SLUG_MAX / 2)
			n = dash - 1;
	}
	if (n == 0)
		return arena_strdup(a, "item");
	return arena_strndup(a, out, n);
}

int slug_valid(const char *s)
{
	if (!s)
		return 0;
	size_t n = strlen(s);
	if (n == 0 || n > SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '-') {
			if (s[i + 1] == '-')
				return 0;
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			return 0;
		}
	}
	return 1;
}

/* ------------------------------------------------------------ summaries */

static int is_mark(UChar32 c)
{
	int8_t t = u_charType(c);
	return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK ||
	       c == 0x200D /* zero width joiner */ || (c >= 0xFE00 && c <= 0xFE0F);
}

static int is_space(UChar32 c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || u_isUWhiteSpace(c);
}

/* Characters that read badly just before "…". */
static int is_trailing_punct(UChar32 c)
{
	return c == ',' || c == ';' || c == ':' || c == '-' || c == 0x2013 || c == 0x2014 ||
	       c == 0x3001 /* 、 */ || c == 0xFF0C /* ， */ || c == 0x060C /* ، */;
}

/* The character ending just before byte offset end (which is > 0). */
static size_t prev_char(const char *s, size_t end, UChar32 *c)
{
	size_t start = end - 1;
	while (start > 0 && end - start < 4 && ((unsigned char)s[start] & 0xC0) == 0x80)
		start--;
	size_t n = utf8_seq((const unsigned char *)s + start, end - start);
	if (n != end - start) { /* not a valid sequence: step one byte */
		*c = 0xFFFD;
		return end - 1;
	}
	*c = utf8_decode(s + start, n);
	return start;
}

char *text_truncate(struct arena *a, const char *s, size_t max_chars)
{
	static const char ellipsis[] = "\xE2\x80\xA6";
	size_t len = strlen(s), i = 0, chars = 0;
	size_t cut = 0;    /* byte offset after max_chars - 1 characters */
	size_t space = 0;  /* byte offset of the last space before cut */
	size_t half = 0;   /* byte offset after (max_chars - 1) / 2 characters */
	if (max_chars == 0)
		return arena_strdup(a, "");
	while (i < len) {
		if (chars == max_chars - 1)
			cut = i;
		if (chars == (max_chars - 1) / 2)
			half = i;
		if (chars == max_chars)
			break;
		size_t n = utf8_seq((const unsigned char *)s + i, len - i);
		UChar32 c = n ? utf8_decode(s + i, n) : 0xFFFD;
		if (is_space(c))
			space = i;
		i += n ? n : 1;
		chars++;
	}
	if (i >= len)
		return arena_strndup(a, s, len); /* fits whole */
	/* Prefer the last word boundary when it keeps at least half. */
	size_t end = (space > 0 && space >= half) ? space : cut;
	/* Never separate a base character from its combining marks, and drop
	 * spaces and separators that would sit before the ellipsis. */
	UChar32 next = 0x20;
	if (end < len) {
		size_t n = utf8_seq((const unsigned char *)s + end, len - end);
		next = n ? utf8_decode(s + end, n) : 0xFFFD;
	}
	while (end > 0) {
		UChar32 c;
		size_t start = prev_char(s, end, &c);
		if (is_mark(next) || is_space(c) || is_trailing_punct(c)) {
			next = c;
			end = start;
			continue;
		}
		break;
	}
	char *out = arena_alloc(a, end + sizeof(ellipsis));
	memcpy(out, s, end);
	memcpy(out + end, ellipsis, sizeof(ellipsis));
	return out;
}

/* ------------------------------------------------------ numbers, dates */

int text_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

int text_int_parse(const char *s, int64_t *out)
{
	if (!s)
		return 0;
	int neg = *s == '-';
	const char *d = s + neg;
	size_t n = strlen(d);
	if (n < 1 || n > 18)
		return 0;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (d[i] < '0' || d[i] > '9')
			return 0;
		v = v * 10 + (d[i] - '0');
	}
	*out = neg ? -v : v;
	return 1;
}

int text_ymd(const char *s, int *y, int *m, int *d)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (!text_digits(s, 4, y) || s[4] != '-' || !text_digits(s + 5, 2, m) || s[7] != '-' ||
	    !text_digits(s + 8, 2, d))
		return 0;
	if (*m < 1 || *m > 12 || *d < 1 || *d > days[*m - 1])
		return 0;
	return !(*m == 2 && *d == 29 && !((*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0));
}

int text_date_valid(const char *s)
{
	int y, m, d;
	return s && strlen(s) == 10 && text_ymd(s, &y, &m, &d) && y >= 1900;
}

int text_datetime_parse(const char *s, int t[5])
{
	return s && strlen(s) == 16 && text_ymd(s, &t[0], &t[1], &t[2]) && t[0] >= 1900 &&
	       s[10] == 'T' && text_digits(s + 11, 2, &t[3]) && s[13] == ':' &&
	       text_digits(s + 14, 2, &t[4]) && t[3] < 24 && t[4] < 60;
}

int text_qvalue_parse(const char *s, size_t len)
{
	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	int q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.' || len > 5)
		return -1;
	int scale = 100;
	for (size_t i = 2; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}
