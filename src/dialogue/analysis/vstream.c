/*
 * vstream.c — votes.csv read in chunks straight into a CSR, for
 * conversations too large for a vote log (10^8 votes): 8 bytes per vote
 * while reading, 5 in the CSR, no timestamps kept. That is exact when each
 * participant's votes come in time order in the file (later line = later
 * vote); when they do not and a participant voted twice on a statement,
 * finishing reports HM_ECONFLICT so the caller can use the full reader.
 *
 * Speed at 10^8 votes: the common line is parsed in one pass with 8-byte
 * digit loads; a participant's row is sorted by a radix sort when it
 * closes; the CSR arrays are sized once from the file size (fname is
 * stat'ed; without it they grow by doubling).
 *
 * Parts: a large file is read in parts on several threads, each part a
 * stream of its own (vote_stream_part) that numbers its participants
 * itself and only looks statements up; vote_stream_join then appends the
 * parts' rows in file order. Parts start where a participant's lines
 * start, so when participants come grouped the rows are the ones one
 * stream builds. Parts read no timestamps (they only order a
 * participant's repeated votes). Anything else (a participant in two
 * parts, a repeated vote, a bad line, an unknown statement) makes the join
 * answer HM_EBUSY: read the file in one stream, which then decides the
 * repeats and reports errors with their line numbers.
 */
#include "dialogue/analysis/import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_FIELDS 64

/* What a field of the line holds, for the fast parser. */
enum field { F_SKIP = -1, F_TID, F_PID, F_VOTE, F_TS, F_TS_ANY /* an integer, value unused */ };

struct vote_stream {
	struct dataset *d;
	char fname[96];
	int require_known;
	int have_header;
	int c_tid, c_pid, c_vote, c_ts, n_cols;
	uint64_t line;       /* lines consumed so far */
	struct buf carry;    /* an incomplete line kept for the next chunk */
	uint32_t *pid;       /* per vote: dense participant (first appearance) */
	uint32_t *tv;        /* per vote: statement << 2 | (vote + 1) */
	size_t n, cap;
	int64_t *last_ts;    /* per participant */
	uint32_t last_cap;
	int64_t cache_pid;   /* the previous line's participant (files come */
	uint32_t cache_pd;   /* grouped by participant) */
	uint32_t *tid_direct;/* small statement ids: id -> index + 1 */
	uint32_t tid_direct_n;
	/* While participants come grouped (each one's votes together), rows
	 * are built directly: 5 bytes per vote, no second copy. */
	int direct;
	struct vote_csr rows;  /* closed rows; nnz_cap and rows_cap in use */
	uint32_t cur;        /* participant of the open row, or UINT32_MAX */
	uint32_t *open_t;    /* the open row in push order */
	int8_t *open_v;
	uint32_t open_n, open_cap, open_max; /* open_max: its largest statement */
	uint64_t *key, *tmp; /* row sort scratch */
	uint32_t key_cap;
	uint64_t file_size;  /* of fname, 0 if unknown: sizes the arrays once */
	uint64_t fed;        /* bytes fed so far */
	int sized;           /* the arrays were sized from file_size */
	signed char act[MAX_FIELDS]; /* per field: which value it holds (enum field) */
	int had_dups;        /* some participant voted twice on a statement */
	int out_of_order;    /* some participant's votes are not in time order */
	/* A part (vote_stream_part): d is only read (statements), the
	 * participants are numbered in own; NULL for a whole-file stream. */
	struct dataset *own;
};

__attribute__((format(printf, 4, 5))) static enum hm_err sfail(struct import_err *err, const char *fname,
							      uint64_t line, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return HM_EINVAL;
	snprintf(err->file, sizeof(err->file), "%s", fname);
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return HM_EINVAL;
}

struct vote_stream *vote_stream_new(struct dataset *d, const char *fname, int require_known)
{
	struct vote_stream *s = xcalloc(1, sizeof(*s));
	s->d = d;
	snprintf(s->fname, sizeof(s->fname), "%s", fname ? fname : "votes.csv");
	s->require_known = require_known;
	buf_init(&s->carry);
	s->cache_pid = INT64_MIN;
	s->direct = 1;
	s->cur = UINT32_MAX;
	vote_csr_begin(&s->rows, 0, 1024, 1 << 16);
	struct stat sb;
	if (fname && stat(fname, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
		s->file_size = (uint64_t)sb.st_size;
	return s;
}

void vote_stream_free(struct vote_stream *s)
{
	if (!s)
		return;
	buf_free(&s->carry);
	free(s->pid);
	free(s->tv);
	free(s->last_ts);
	free(s->tid_direct);
	free(s->open_t);
	free(s->open_v);
	free(s->key);
	free(s->tmp);
	vote_csr_free(&s->rows);
	if (s->own) {
		dataset_free(s->own);
		free(s->own);
	}
	free(s);
}

/* Splits one line (no quotes) at commas; returns the field count. */
static int split_line(const char *p, const char *end, const char **f, size_t *flen, int max)
{
	int n = 0;
	const char *start = p;
	for (;; p++) {
		if (p == end || *p == ',') {
			if (n < max) {
				f[n] = start;
				flen[n] = (size_t)(p - start);
			}
			n++;
			if (p == end)
				break;
			start = p + 1;
		}
	}
	return n;
}

static int parse_int(const char *p, size_t len, int64_t *out)
{
	int neg = 0;
	int64_t v = 0;
	size_t i = 0;
	while (i < len && p[i] == ' ')
		i++;
	if (i < len && (p[i] == '-' || p[i] == '+'))
		neg = p[i++] == '-';
	size_t digits = 0;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++, digits++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (i < len && p[i] == '.') /* integral float such as 1.0 */
		for (i++; i < len && p[i] == '0'; i++)
			;
	while (i < len && p[i] == ' ')
		i++;
	if (!digits || i != len)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

static int col_of(const char **f, const size_t *flen, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (flen[i] == strlen(name) && !memcmp(f[i], name, flen[i]))
			return i;
	return -1;
}

static void append(struct vote_stream *s, uint32_t pd, uint32_t tv)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1 << 16;
		s->pid = xrealloc(s->pid, s->cap * sizeof(*s->pid));
		s->tv = xrealloc(s->tv, s->cap * sizeof(*s->tv));
	}
	s->pid[s->n] = pd;
	s->tv[s->n] = tv;
	s->n++;
}

/* Room for need more entries in the closed rows (doubling). */
static void rows_reserve(struct vote_stream *s, uint64_t need)
{
	struct vote_csr *r = &s->rows;
	uint64_t used = r->row_ptr[r->n_rows];
	if (used + need <= r->nnz_cap)
		return;
	uint64_t cap = r->nnz_cap * 2 > used + need ? r->nnz_cap * 2 : used + need;
	r->col = xrealloc(r->col, cap * sizeof(*r->col));
	r->val = xrealloc(r->val, cap);
	r->nnz_cap = cap;
}

/* Once a few MiB are read and the file size is known, the arrays get
 * their final size (votes so far scaled to the whole file, +3 %) and huge
 * pages: doubling would copy them again and again, and moving huge-page
 * memory is slow. Past the estimate they grow by doubling. */
static void rows_size_once(struct vote_stream *s)
{
	struct vote_csr *r = &s->rows;
	if (s->sized || !s->direct || !s->file_size ||
	    (s->fed < (4u << 20) && s->fed < s->file_size))
		return;
	s->sized = 1;
	double est = (double)r->row_ptr[r->n_rows] * ((double)s->file_size / (double)s->fed) * 1.03 +
		     65536;
	if (!(est < 1e12) || (uint64_t)est <= r->nnz_cap)
		return;
	r->nnz_cap = (uint64_t)est;
	r->col = xrealloc(r->col, r->nnz_cap * sizeof(*r->col));
	r->val = xrealloc(r->val, r->nnz_cap);
	vote_advise_huge(r->col, r->nnz_cap * sizeof(*r->col));
	vote_advise_huge(r->val, r->nnz_cap);
}

static void open_push(struct vote_stream *s, uint32_t t, int8_t v)
{
	if (s->open_n == s->open_cap) {
		s->open_cap = s->open_cap ? s->open_cap * 2 : 256;
		s->open_t = xrealloc(s->open_t, (size_t)s->open_cap * sizeof(*s->open_t));
		s->open_v = xrealloc(s->open_v, s->open_cap);
	}
	s->open_t[s->open_n] = t;
	s->open_v[s->open_n] = v;
	s->open_n++;
	if (t > s->open_max)
		s->open_max = t;
}

/* Sorts the open row into out (col, val): ascending statements, the last
 * vote of a repeated one. Statements below 2^16 (the usual case): a
 * two-pass radix sort of 32-bit keys, stable and without data-dependent
 * branches (votes come in random statement order, so comparison sorts
 * mispredict); else a merge sort of 64-bit keys. Returns the entries
 * written. */
static uint32_t sort_open_row(struct vote_stream *s, uint32_t *col, int8_t *val)
{
	uint32_t n = s->open_n, out = 0;
	if (n > s->key_cap) {
		s->key_cap = n;
		s->key = xrealloc(s->key, (size_t)n * sizeof(*s->key));
		s->tmp = xrealloc(s->tmp, (size_t)n * sizeof(*s->tmp));
	}
	if (s->open_max < (1u << 16)) {
		/* key: statement << 2 | vote + 1, in the first n 32-bit words */
		uint32_t *k = (uint32_t *)s->key, *t = (uint32_t *)s->tmp, cnt[256];
		unsigned width = 1;
		while (width < 16 && s->open_max >> width)
			width++;
		unsigned lo = (width + 1) / 2, hi = width - lo;
		for (uint32_t i = 0; i < n; i++)
			k[i] = s->open_t[i] << 2 | (uint32_t)(s->open_v[i] + 1);
		const unsigned shift[2] = { 2, 2 + lo }, bits[2] = { lo, hi };
		for (int pass = 0; pass < 2; pass++) {
			uint32_t nb = 1u << bits[pass], mask = nb - 1, sum = 0;
			uint32_t *src = pass ? t : k, *dst = pass ? k : t;
			memset(cnt, 0, nb * sizeof(*cnt));
			for (uint32_t i = 0; i < n; i++)
				cnt[src[i] >> shift[pass] & mask]++;
			for (uint32_t b = 0; b < nb; b++) {
				uint32_t c = cnt[b];
				cnt[b] = sum;
				sum += c;
			}
			for (uint32_t i = 0; i < n; i++)
				dst[cnt[src[i] >> shift[pass] & mask]++] = src[i];
		}
		for (uint32_t i = 0; i < n; i++) {
			if (i + 1 < n && k[i + 1] >> 2 == k[i] >> 2)
				continue; /* stable: the later push comes later */
			col[out] = k[i] >> 2;
			val[out] = (int8_t)((int)(k[i] & 3) - 1);
			out++;
		}
		return out;
	}
	/* statement, then push order (the last push sorts last), then the vote */
	for (uint32_t i = 0; i < n; i++)
		s->key[i] = (uint64_t)s->open_t[i] << 32 | (uint64_t)i << 2 | (uint64_t)(s->open_v[i] + 1);
	vote_sort_keys(s->key, s->tmp, n);
	for (uint32_t i = 0; i < n; i++) {
		if (i + 1 < n && s->key[i + 1] >> 32 == s->key[i] >> 32)
			continue;
		col[out] = (uint32_t)(s->key[i] >> 32);
		val[out] = (int8_t)((int)(s->key[i] & 3) - 1);
		out++;
	}
	return out;
}

static void close_row(struct vote_stream *s)
{
	struct vote_csr *r = &s->rows;
	if (s->cur == UINT32_MAX)
		return;
	rows_reserve(s, s->open_n);
	uint64_t at = r->row_ptr[r->n_rows];
	uint32_t out = s->open_n ? sort_open_row(s, r->col + at, r->val + at) : 0;
	if (out < s->open_n)
		s->had_dups = 1;
	if (r->n_rows == r->rows_cap) {
		r->rows_cap *= 2;
		r->row_ptr = xrealloc(r->row_ptr, ((size_t)r->rows_cap + 1) * sizeof(*r->row_ptr));
	}
	r->n_rows++;
	r->row_ptr[r->n_rows] = at + out;
	s->open_n = 0;
	s->open_max = 0;
	s->cur = UINT32_MAX;
}

/* Leaves direct mode: the rows built so far become per-vote entries. */
static void spill(struct vote_stream *s)
{
	struct vote_csr *r = &s->rows;
	for (uint32_t i = 0; i < r->n_rows; i++)
		for (uint64_t k = r->row_ptr[i]; k < r->row_ptr[i + 1]; k++)
			append(s, i, r->col[k] << 2 | (uint32_t)(r->val[k] + 1));
	for (uint32_t k = 0; k < s->open_n; k++)
		append(s, s->cur, s->open_t[k] << 2 | (uint32_t)(s->open_v[k] + 1));
	vote_csr_free(r);
	s->direct = 0;
	s->cur = UINT32_MAX;
	s->open_n = 0;
	s->open_max = 0;
}

static enum hm_err add(struct vote_stream *s, int64_t tid, int64_t pid, int64_t v, int64_t ts,
		       struct import_err *err);

/* The common line in one pass: plain decimal integers in the wanted
 * fields, the right number of fields, no quotes. Returns 0 when the
 * line is anything else (the careful path then reports the problem). */
static int fast_fields(const struct vote_stream *s, const char *p, const char *end, int64_t *tid,
		       int64_t *pid, int64_t *v, int64_t *ts)
{
	int fi = 0, got = 0;
	*ts = 0;
	for (;;) {
		int64_t *dst = fi == s->c_tid ? tid : fi == s->c_pid ? pid : fi == s->c_vote ? v
			     : fi == s->c_ts ? ts : NULL;
		if (dst) {
			int neg = 0;
			int64_t x = 0;
			const char *q = p;
			if (p < end && *p == '-') {
				neg = 1;
				p++;
			}
			while (p < end && *p >= '0' && *p <= '9' && p - q - neg < 18) /* fits int64 */
				x = x * 10 + (*p++ - '0');
			if (p == q + neg || (p < end && *p != ','))
				return 0;
			/* a vote only as "1", "0" or "-1" here; other spellings go
			 * the careful way (import_parse_vote) */
			if (dst == v && p - q != 1 + neg)
				return 0;
			*dst = neg ? -x : x;
			got++;
		} else {
			while (p < end && *p != ',') {
				if (*p == '"')
					return 0;
				p++;
			}
		}
		fi++;
		if (p == end)
			break;
		p++; /* the comma */
	}
	if (fi != s->n_cols || got != 3 + (s->c_ts >= 0))
		return 0;
	return *v >= -1 && *v <= 1;
}

/* ---- the common line with 8-byte loads ---- */

/* Leading ASCII digits among the 8 bytes of x (the first byte is the
 * lowest). A byte is a digit when its high nibble is 3 before and after
 * adding 6; a carry out of a non-digit byte only reaches later bytes,
 * which do not count. */
static inline unsigned digits8(uint64_t x)
{
	const uint64_t hi = 0xF0F0F0F0F0F0F0F0ull, three = 0x3030303030303030ull;
	uint64_t t = ((x & hi) ^ three) | (((x + 0x0606060606060606ull) & hi) ^ three);
	uint64_t nz = (((t & 0x7F7F7F7F7F7F7F7Full) + 0x7F7F7F7F7F7F7F7Full) | t) & 0x8080808080808080ull;
	return nz ? (unsigned)__builtin_ctzll(nz) >> 3 : 8;
}

/* The value of the first n (1..8) digits of x: shifted up so that they
 * end the word (leading zeros before them), then pairs, quads, eights. */
static inline uint64_t value8(uint64_t x, unsigned n)
{
	const uint64_t mask = 0x000000FF000000FFull;
	x = (x & 0x0F0F0F0F0F0F0F0Full) << (8 * (8 - n));
	x = x * 10 + (x >> 8);
	return ((x & mask) * 0x000F424000000064ull + ((x >> 16) & mask) * 0x0000271000000001ull) >> 32;
}

/* An optional '-' and 1..15 digits at *pp, when 16 bytes after the sign
 * are inside the buffer; *pp moves past the digits. 0 for anything else
 * (the careful path decides). out NULL: the same checks, no value. */
static inline int fast_int(const char **pp, const char *buf_end, int64_t *out)
{
	static const uint64_t pow10[8] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000 };
	const char *q = *pp;
	int neg = *q == '-';
	uint64_t a, b, v;
	q += neg;
	if (buf_end - q < 16)
		return 0;
	memcpy(&a, q, 8);
	unsigned n = digits8(a);
	if (n == 0)
		return 0;
	v = out ? value8(a, n) : 0;
	if (n == 8) {
		memcpy(&b, q + 8, 8);
		unsigned m = digits8(b);
		if (m == 8)
			return 0;
		if (m && out)
			v = v * pow10[m] + value8(b, m);
		n += m;
	}
	*pp = q + n;
	if (out)
		*out = neg ? -(int64_t)v : (int64_t)v;
	return 1;
}

/* fast_fields for a whole line at p, ended by "\n" or "\r\n" before
 * buf_end (the caller knows one is there): the same lines, the same
 * values, without finding the line end first. Sets *next past the line. */
static int fast_line(const struct vote_stream *s, const char *p, const char *buf_end, const char **next,
		     int64_t v[4])
{
	v[F_TS] = 0;
	for (int fi = 0; fi < s->n_cols; fi++) {
		int a = s->act[fi];
		if (a == F_TS_ANY) {
			if (!fast_int(&p, buf_end, NULL))
				return 0;
		} else if (a >= 0) {
			const char *q = p;
			if (!fast_int(&p, buf_end, &v[a]))
				return 0;
			/* as in fast_fields: only "1", "0" and "-1" as votes */
			if (a == F_VOTE && p - q != 1 + (*q == '-'))
				return 0;
		} else {
			/* a NUL ends the field too, and the careful path refuses it */
			while (*p != ',' && *p != '\n' && *p != '\r' && *p) {
				if (*p == '"')
					return 0;
				p++;
			}
		}
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\r' && p[1] == '\n')
			p++;
		if (*p != '\n' || fi + 1 != s->n_cols)
			return 0;
		*next = p + 1;
		return v[F_VOTE] >= -1 && v[F_VOTE] <= 1;
	}
	return 0;
}

#ifdef __SSE2__
/*
 * fast_line for a line of at most 31 bytes with 48 bytes of buffer at p:
 * the delimiters of all fields are found at once (byte compares over 32
 * bytes), so each field is read from its known bounds instead of after
 * the previous one's digits were counted. It accepts only lines fast_line
 * accepts, with the same values (no quote, NUL or stray CR; the field
 * count; an optional '-' and 1-15 digits in a number field, one digit in
 * the vote); 0 leaves the line to fast_line.
 */
static inline uint32_t bytes_eq32(__m128i a, __m128i b, char c)
{
	__m128i k = _mm_set1_epi8(c);
	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, k)) |
	       (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, k)) << 16;
}

/* The number in p[q, stop), 1..15 digits (bits of digit: which bytes
 * are digits), negated when neg; out NULL: only the check. */
static inline int field_int(const char *p, unsigned q, unsigned stop, int neg, uint32_t digit, int64_t *out)
{
	static const uint64_t pow10[8] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000 };
	unsigned n = stop - q;
	uint64_t a, b, v;
	uint32_t range = ((1u << stop) - 1) & ~((1u << q) - 1);
	if (n < 1 || n > 15 || (range & ~digit))
		return 0;
	if (!out)
		return 1;
	memcpy(&a, p + q, 8);
	if (n <= 8) {
		v = value8(a, n);
	} else {
		memcpy(&b, p + q + 8, 8);
		v = value8(a, 8) * pow10[n - 8] + value8(b, n - 8);
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 1;
}

static int fast_line32(const struct vote_stream *s, const char *p, const char *buf_end, const char **next,
		       int64_t v[4])
{
	if (buf_end - p < 48)
		return 0;
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	uint32_t nl = bytes_eq32(a, b, '\n');
	if (!nl)
		return 0;
	unsigned e = (unsigned)__builtin_ctz(nl), end = e;
	uint32_t in = (1u << e) - 1; /* the line's bytes before its LF */
	uint32_t comma = bytes_eq32(a, b, ',') & in;
	uint32_t bad = (bytes_eq32(a, b, '"') | bytes_eq32(a, b, '\0') | bytes_eq32(a, b, '\r')) & in;
	/* digits: c − '0' at most 9, unsigned */
	__m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
	__m128i da = _mm_sub_epi8(a, zero), db = _mm_sub_epi8(b, zero);
	uint32_t digit = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(da, nine), nine)) |
			 (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(db, nine), nine)) << 16;
	if (bad) { /* only a CR right before the LF */
		if (bad != 1u << (e - 1) || p[e - 1] != '\r')
			return 0;
		end = e - 1;
	}
	v[F_TS] = 0;
	v[F_VOTE] = 2; /* the vote field sets it (a header names one) */
	unsigned start = 0;
	for (int fi = 0; fi < s->n_cols; fi++) {
		unsigned stop = end;
		if (fi + 1 < s->n_cols) { /* a comma ends every field but the last */
			if (!comma)
				return 0;
			stop = (unsigned)__builtin_ctz(comma);
			comma &= comma - 1;
		} else if (comma) {
			return 0; /* more fields than the header's */
		}
		int act = s->act[fi];
		if (act != F_SKIP) {
			int neg = start < stop && p[start] == '-';
			unsigned q = start + (unsigned)neg;
			if (act == F_VOTE && stop - q != 1)
				return 0;
			if (stop <= q || !field_int(p, q, stop, neg, digit, act == F_TS_ANY ? NULL : &v[act]))
				return 0;
		}
		start = stop + 1;
	}
	*next = p + e + 1;
	return v[F_VOTE] >= -1 && v[F_VOTE] <= 1;
}
#endif

static enum hm_err one_line(struct vote_stream *s, const char *p, const char *end, struct import_err *err)
{
	const char *f[MAX_FIELDS];
	size_t flen[MAX_FIELDS];
	s->line++;
	if (end > p && end[-1] == '\r')
		end--;
	if (end == p)
		return HM_OK; /* blank line */
	/* a CR not ending the line is refused, as the full reader does */
	if (memchr(p, '\r', (size_t)(end - p)))
		return sfail(err, s->fname, s->line, "carriage return without a line feed");
	if (memchr(p, '\0', (size_t)(end - p)))
		return sfail(err, s->fname, s->line, "NUL byte in the file");
	if (s->have_header) {
		int64_t tid, pid, v, ts;
		if (fast_fields(s, p, end, &tid, &pid, &v, &ts))
			return add(s, tid, pid, v, ts, err);
	}
	if (memchr(p, '"', (size_t)(end - p)))
		return sfail(err, s->fname, s->line, "quoted fields are not read in streaming mode");
	int n = split_line(p, end, f, flen, MAX_FIELDS);
	if (!s->have_header) {
		if (n > MAX_FIELDS)
			return sfail(err, s->fname, s->line, "more than %d columns", MAX_FIELDS);
		/* skip a UTF-8 byte order mark */
		if (flen[0] >= 3 && !memcmp(f[0], "\xEF\xBB\xBF", 3)) {
			f[0] += 3;
			flen[0] -= 3;
		}
		s->c_tid = col_of(f, flen, n, "comment-id");
		s->c_pid = col_of(f, flen, n, "voter-id");
		s->c_vote = col_of(f, flen, n, "vote");
		s->c_ts = col_of(f, flen, n, "timestamp");
		s->n_cols = n;
		s->have_header = 1;
		for (int i = 0; i < n; i++)
			s->act[i] = F_SKIP;
		if (s->c_ts >= 0)
			s->act[s->c_ts] = F_TS;
		if (s->c_vote >= 0)
			s->act[s->c_vote] = F_VOTE;
		if (s->c_pid >= 0)
			s->act[s->c_pid] = F_PID;
		if (s->c_tid >= 0)
			s->act[s->c_tid] = F_TID;
		if (s->c_tid < 0 || s->c_pid < 0 || s->c_vote < 0)
			return sfail(err, s->fname, s->line, "header needs comment-id, voter-id and vote columns");
		return HM_OK;
	}
	if (n != s->n_cols)
		return sfail(err, s->fname, s->line, "expected %d fields, found %d", s->n_cols, n);
	int64_t tid, pid, ts = 0;
	int v;
	if (parse_int(f[s->c_tid], flen[s->c_tid], &tid) < 0)
		return sfail(err, s->fname, s->line, "comment-id \"%.*s\" is not an integer", (int)(flen[s->c_tid] > 40 ? 40 : flen[s->c_tid]), f[s->c_tid]);
	if (parse_int(f[s->c_pid], flen[s->c_pid], &pid) < 0)
		return sfail(err, s->fname, s->line, "voter-id \"%.*s\" is not an integer", (int)(flen[s->c_pid] > 40 ? 40 : flen[s->c_pid]), f[s->c_pid]);
	if (import_parse_vote(f[s->c_vote], flen[s->c_vote], &v) < 0)
		return sfail(err, s->fname, s->line, "unknown vote value \"%.*s\" (expected 1, -1 or 0)",
			     (int)(flen[s->c_vote] > 40 ? 40 : flen[s->c_vote]), f[s->c_vote]);
	if (s->c_ts >= 0 && parse_int(f[s->c_ts], flen[s->c_ts], &ts) < 0)
		return sfail(err, s->fname, s->line, "timestamp \"%.*s\" is not an integer", (int)(flen[s->c_ts] > 40 ? 40 : flen[s->c_ts]), f[s->c_ts]);
	return add(s, tid, pid, v, ts, err);
}

/* One parsed vote into the rows or the per-vote arrays. */
static enum hm_err add(struct vote_stream *s, int64_t tid, int64_t pid, int64_t v, int64_t ts,
		       struct import_err *err)
{
	uint32_t t;
	if (tid >= 0 && tid < s->tid_direct_n && s->tid_direct[tid]) {
		t = s->tid_direct[tid] - 1;
	} else {
		t = dataset_find_stmt(s->d, tid);
		if (t == UINT32_MAX && s->own)
			return HM_EBUSY; /* a part may not add statements; nor report it with its line */
		if (t == UINT32_MAX) {
			if (s->require_known)
				return sfail(err, s->fname, s->line,
					     "vote on comment %lld, which the comments file does not list",
					     (long long)tid);
			t = dataset_stmt(s->d, tid, NULL);
		}
		if (t >= (1u << 30))
			return sfail(err, s->fname, s->line, "too many statements");
		if (tid >= 0 && tid < (1 << 24)) {
			if ((uint64_t)tid >= s->tid_direct_n) {
				uint32_t nn = s->tid_direct_n ? s->tid_direct_n : 1024;
				while (nn <= (uint64_t)tid)
					nn *= 2;
				s->tid_direct = xrealloc(s->tid_direct, nn * sizeof(*s->tid_direct));
				memset(s->tid_direct + s->tid_direct_n, 0,
				       (nn - s->tid_direct_n) * sizeof(*s->tid_direct));
				s->tid_direct_n = nn;
			}
			s->tid_direct[tid] = t + 1;
		}
	}
	uint32_t pd;
	if (pid == s->cache_pid) {
		pd = s->cache_pd;
	} else {
		pd = dataset_ptpt(s->own ? s->own : s->d, pid);
		s->cache_pid = pid;
		s->cache_pd = pd;
	}
	if (s->own)
		goto place; /* a part keeps no times (see vote_stream_part) */
	if (pd >= s->last_cap) {
		uint32_t nc = s->last_cap ? s->last_cap * 2 : 1024;
		while (nc <= pd)
			nc *= 2;
		s->last_ts = xrealloc(s->last_ts, nc * sizeof(*s->last_ts));
		for (uint32_t i = s->last_cap; i < nc; i++)
			s->last_ts[i] = INT64_MIN;
		s->last_cap = nc;
	}
	if (ts < s->last_ts[pd])
		s->out_of_order = 1;
	else
		s->last_ts[pd] = ts;
place:
	if (s->direct) {
		if (pd == s->cur) {
			open_push(s, t, (int8_t)v);
			return HM_OK;
		}
		if (pd == s->rows.n_rows + (s->cur != UINT32_MAX)) {
			close_row(s);
			s->cur = pd;
			open_push(s, t, (int8_t)v);
			return HM_OK;
		}
		if (s->own)
			return HM_EBUSY; /* not grouped: the parts cannot be joined */
		spill(s); /* a participant came back: not grouped */
	}
	append(s, pd, t << 2 | (uint32_t)(v + 1));
	return HM_OK;
}

enum hm_err vote_stream_feed(struct vote_stream *s, const char *data, size_t len, struct import_err *err)
{
	const char *p = data, *end = data + len, *stop;
	enum hm_err rc;
	s->fed += len;
	if (s->carry.len) {
		const char *nl = memchr(p, '\n', len);
		if (!nl) {
			buf_append(&s->carry, p, len);
			return HM_OK;
		}
		buf_append(&s->carry, p, (size_t)(nl - p));
		rc = one_line(s, s->carry.data, s->carry.data + s->carry.len, err);
		buf_reset(&s->carry);
		if (rc)
			return rc;
		p = nl + 1;
	}
	/* the complete lines end at stop */
	for (stop = end; stop > p && stop[-1] != '\n'; stop--)
		;
	while (p < stop) {
		const char *next;
		int64_t v[4];
		if (s->have_header && (
#ifdef __SSE2__
					      fast_line32(s, p, end, &next, v) ||
#endif
					      fast_line(s, p, end, &next, v))) {
			s->line++;
			rc = add(s, v[F_TID], v[F_PID], v[F_VOTE], v[F_TS], err);
			p = next;
		} else {
			const char *nl = memchr(p, '\n', (size_t)(stop - p));
			rc = one_line(s, p, nl, err);
			p = nl + 1;
		}
		if (rc)
			return rc;
	}
	if (p < end)
		buf_append(&s->carry, p, (size_t)(end - p));
	rows_size_once(s);
	return HM_OK;
}

/* The directly built rows, renumbered: rows permuted to ascending ids
 * (skipped when already in order), statements remapped in place. Returns
 * 1 when statements were remapped (the rows then need sorting again). */
static int build_direct(struct vote_stream *s, struct vote_csr *m, const uint32_t *np, const uint32_t *nt,
			 uint32_t n_ptpts, uint32_t n_stmts)
{
	struct vote_csr *r = &s->rows;
	int same_rows = 1;
	for (uint32_t i = 0; i < r->n_rows && same_rows; i++)
		same_rows = np[i] == i;
	if (same_rows && r->n_rows == n_ptpts) {
		*m = *r;
		memset(r, 0, sizeof(*r));
	} else {
		uint32_t *old_of = xmalloc(((size_t)n_ptpts + 1) * sizeof(*old_of));
		memset(old_of, 0xff, ((size_t)n_ptpts + 1) * sizeof(*old_of));
		for (uint32_t i = 0; i < r->n_rows; i++)
			old_of[np[i]] = i;
		uint64_t nnz = vote_csr_nnz(r), w = 0;
		memset(m, 0, sizeof(*m));
		m->n_rows = n_ptpts;
		m->row_ptr = xmalloc(((size_t)n_ptpts + 1) * sizeof(*m->row_ptr));
		m->col = xmalloc((nnz ? nnz : 1) * sizeof(*m->col));
		m->val = xmalloc(nnz ? nnz : 1);
		for (uint32_t i = 0; i < n_ptpts; i++) {
			m->row_ptr[i] = w;
			uint32_t o = old_of[i];
			if (o == UINT32_MAX)
				continue;
			uint64_t len = r->row_ptr[o + 1] - r->row_ptr[o];
			memcpy(m->col + w, r->col + r->row_ptr[o], len * sizeof(*m->col));
			memcpy(m->val + w, r->val + r->row_ptr[o], len);
			w += len;
		}
		m->row_ptr[n_ptpts] = w;
		free(old_of);
		vote_csr_free(r);
	}
	m->n_cols = n_stmts;
	m->nnz_cap = 0;
	m->rows_cap = 0;
	m->pending = 0;
	int same_cols = 1;
	for (uint32_t t = 0; t < n_stmts && same_cols; t++)
		same_cols = nt[t] == t;
	if (!same_cols)
		for (uint64_t k = 0; k < vote_csr_nnz(m); k++)
			m->col[k] = nt[m->col[k]];
	return !same_cols;
}

static void sort_rows(struct vote_stream *s, struct vote_csr *m);

/* The last line, when the data did not end with a line feed. */
static enum hm_err flush_carry(struct vote_stream *s, struct import_err *err)
{
	enum hm_err rc;
	if (!s->carry.len)
		return HM_OK;
	/* the last line has no LF, so a CR ending it stands alone */
	if (s->carry.data[s->carry.len - 1] == '\r')
		return sfail(err, s->fname, s->line + 1, "carriage return without a line feed");
	rc = one_line(s, s->carry.data, s->carry.data + s->carry.len, err);
	buf_reset(&s->carry);
	return rc;
}

/* ---- reading in parts ---- */

struct vote_stream *vote_stream_part(const struct vote_stream *s, uint64_t part_len)
{
	if (!s->have_header || s->own)
		return NULL;
	struct vote_stream *p = vote_stream_new(s->d, NULL, s->require_known);
	memcpy(p->fname, s->fname, sizeof(p->fname));
	p->have_header = 1;
	p->c_tid = s->c_tid;
	p->c_pid = s->c_pid;
	p->c_vote = s->c_vote;
	p->c_ts = s->c_ts;
	p->n_cols = s->n_cols;
	memcpy(p->act, s->act, sizeof(p->act));
	/* Timestamps only say whether a participant's repeated votes came
	 * in time order; a part with a repeat gives way to one stream (see
	 * the join), so its common lines only check them as integers. */
	if (p->c_ts >= 0)
		p->act[p->c_ts] = F_TS_ANY;
	p->file_size = part_len;
	p->own = xcalloc(1, sizeof(*p->own));
	dataset_init(p->own);
	return p;
}

/* The participant field of the line [p, end), or -1 when it is not a
 * plain integer there (the parts then give way to one stream). */
static int line_pid(const struct vote_stream *s, const char *p, const char *end, int64_t *pid)
{
	const char *f[MAX_FIELDS];
	size_t flen[MAX_FIELDS];
	if (end > p && end[-1] == '\r')
		end--;
	int n = split_line(p, end, f, flen, MAX_FIELDS);
	if (n != s->n_cols)
		return -1;
	return parse_int(f[s->c_pid], flen[s->c_pid], pid);
}

size_t vote_stream_part_start(const struct vote_stream *s, const char *buf, size_t len)
{
	const char *end = buf + len, *p = memchr(buf, '\n', len), *nl;
	int64_t first, pid;
	if (!s->have_header || !p)
		return SIZE_MAX;
	p++; /* the first whole line */
	if (!(nl = memchr(p, '\n', (size_t)(end - p))) || line_pid(s, p, nl, &first) < 0)
		return SIZE_MAX;
	for (p = nl + 1; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1) {
		if (line_pid(s, p, nl, &pid) < 0)
			return SIZE_MAX;
		if (pid != first)
			return (size_t)(p - buf);
	}
	return SIZE_MAX;
}

enum hm_err vote_stream_join(struct vote_stream *s, struct vote_stream **parts, unsigned n_parts,
			     struct import_err *err)
{
	struct dataset *d = s->d;
	struct vote_csr *r = &s->rows;
	enum hm_err rc = HM_OK;
	uint64_t nnz = 0;
	uint32_t rows = 0;
	/* s must hold the header and nothing more */
	if (!s->have_header || s->own || s->carry.len || r->n_rows || s->cur != UINT32_MAX || !s->direct)
		rc = HM_EBUSY;
	for (unsigned i = 0; i < n_parts && !rc; i++) {
		struct vote_stream *p = parts[i];
		if (flush_carry(p, err) || !p->direct) {
			rc = HM_EBUSY;
			break;
		}
		close_row(p);
		if (p->had_dups) { /* a repeat: whether in time order, one stream says */
			rc = HM_EBUSY;
			break;
		}
		nnz += vote_csr_nnz(&p->rows);
		rows += p->rows.n_rows;
	}
	for (unsigned i = 0; i < n_parts && !rc; i++) {
		struct vote_stream *p = parts[i];
		struct vote_csr *pr = &p->rows;
		if (i == 0) { /* the first part's arrays, grown once to hold the rest */
			vote_csr_free(r);
			*r = *pr;
			memset(pr, 0, sizeof(*pr));
			if (r->nnz_cap < nnz) {
				r->nnz_cap = nnz;
				r->col = xrealloc(r->col, nnz * sizeof(*r->col));
				r->val = xrealloc(r->val, nnz);
			}
			if (r->rows_cap < rows) {
				r->rows_cap = rows;
				r->row_ptr = xrealloc(r->row_ptr, ((size_t)rows + 1) * sizeof(*r->row_ptr));
			}
		} else {
			uint64_t at = r->row_ptr[r->n_rows], len = vote_csr_nnz(pr);
			memcpy(r->col + at, pr->col, len * sizeof(*r->col));
			memcpy(r->val + at, pr->val, len);
			for (uint32_t k = 1; k <= pr->n_rows; k++)
				r->row_ptr[r->n_rows + k] = at + pr->row_ptr[k];
			r->n_rows += pr->n_rows;
		}
		/* the part's participants, in its order, each new to d: else
		 * one came back in a later part */
		for (uint32_t k = 0; k < p->own->n_ptpts && !rc; k++) {
			uint32_t before = d->n_ptpts;
			if (dataset_ptpt(d, p->own->ptpt_id[k]) != before)
				rc = HM_EBUSY;
		}
		s->line += p->line;
		s->fed += p->fed;
	}
	for (unsigned i = 0; i < n_parts; i++)
		vote_stream_free(parts[i]);
	return rc;
}

enum hm_err vote_stream_finish(struct vote_stream *s, struct vote_csr *m, struct import_err *err)
{
	struct dataset *d = s->d;
	enum hm_err rc = flush_carry(s, err);
	if (rc)
		return rc;
	if (!s->have_header)
		return sfail(err, s->fname, 1, "empty file, expected a header");
	/* Renumber in ascending id order, as dataset_finish does, by
	 * remapping the per-vote indices in place. */
	int64_t *old_p = xmalloc(((size_t)d->n_ptpts + 1) * sizeof(*old_p));
	int64_t *old_t = xmalloc(((size_t)d->n_stmts + 1) * sizeof(*old_t));
	if (d->n_ptpts) /* ids are NULL while empty */
		memcpy(old_p, d->ptpt_id, (size_t)d->n_ptpts * sizeof(*old_p));
	if (d->n_stmts)
		memcpy(old_t, d->stmt_id, (size_t)d->n_stmts * sizeof(*old_t));
	dataset_finish(d);
	uint32_t *np = xmalloc(((size_t)d->n_ptpts + 1) * sizeof(*np));
	uint32_t *nt = xmalloc(((size_t)d->n_stmts + 1) * sizeof(*nt));
	for (uint32_t i = 0; i < d->n_ptpts; i++)
		np[i] = dataset_find_ptpt(d, old_p[i]);
	for (uint32_t i = 0; i < d->n_stmts; i++)
		nt[i] = dataset_find_stmt(d, old_t[i]);
	free(old_p);
	free(old_t);

	int resort = 1;
	if (s->direct) {
		close_row(s);
		/* rows were sorted as they closed */
		resort = build_direct(s, m, np, nt, d->n_ptpts, d->n_stmts);
		free(np);
		free(nt);
		goto rows;
	}
	/* Counting sort by participant; file order is kept within a row. */
	memset(m, 0, sizeof(*m));
	m->n_rows = d->n_ptpts;
	m->n_cols = d->n_stmts;
	m->row_ptr = xcalloc((size_t)m->n_rows + 2, sizeof(*m->row_ptr));
	for (size_t k = 0; k < s->n; k++) {
		s->pid[k] = np[s->pid[k]];
		s->tv[k] = nt[s->tv[k] >> 2] << 2 | (s->tv[k] & 3);
		m->row_ptr[s->pid[k] + 1]++;
	}
	free(np);
	free(nt);
	for (uint32_t i = 0; i < m->n_rows; i++)
		m->row_ptr[i + 1] += m->row_ptr[i];
	m->col = xmalloc((s->n ? s->n : 1) * sizeof(*m->col));
	m->val = xmalloc(s->n ? s->n : 1);
	uint64_t *fill = xmalloc(((size_t)m->n_rows + 1) * sizeof(*fill));
	memcpy(fill, m->row_ptr, ((size_t)m->n_rows + 1) * sizeof(*fill));
	for (size_t k = 0; k < s->n; k++) {
		uint64_t at = fill[s->pid[k]]++;
		m->col[at] = s->tv[k] >> 2;
		m->val[at] = (int8_t)((int)(s->tv[k] & 3) - 1);
	}
	free(fill);
	free(s->pid);
	free(s->tv);
	s->pid = NULL;
	s->tv = NULL;

rows:
	rc = HM_OK;
	if (resort)
		sort_rows(s, m);
	if (s->had_dups && s->out_of_order)
		rc = HM_ECONFLICT;
	if (rc) {
		vote_csr_free(m);
		snprintf(err->file, sizeof(err->file), "%s", s->fname);
		err->line = 0;
		snprintf(err->msg, sizeof(err->msg),
			 "repeated votes out of time order: needs the full reader");
	}
	return rc;
}

/* Sorts each row by statement (stable), keeps the last of repeats. */
static void sort_rows(struct vote_stream *s, struct vote_csr *m)
{
	uint64_t w = 0, max_row = 0;
	for (uint32_t r = 0; r < m->n_rows; r++)
		if (m->row_ptr[r + 1] - m->row_ptr[r] > max_row)
			max_row = m->row_ptr[r + 1] - m->row_ptr[r];
	uint64_t *key = xmalloc((max_row + 1) * sizeof(*key)), *tmp = xmalloc((max_row + 1) * sizeof(*tmp));
	for (uint32_t r = 0; r < m->n_rows; r++) {
		uint64_t lo = m->row_ptr[r], hi = m->row_ptr[r + 1], len = hi - lo, k;
		int sorted = 1;
		for (k = lo + 1; k < hi && sorted; k++)
			sorted = m->col[k - 1] < m->col[k];
		if (!sorted) {
			/* statement, then position (stability), then the vote */
			for (k = 0; k < len; k++)
				key[k] = (uint64_t)m->col[lo + k] << 32 | k << 2 | (uint64_t)(m->val[lo + k] + 1);
			vote_sort_keys(key, tmp, len);
			for (k = 0; k < len; k++) {
				m->col[lo + k] = (uint32_t)(key[k] >> 32);
				m->val[lo + k] = (int8_t)((int)(key[k] & 3) - 1);
			}
		}
		m->row_ptr[r] = w;
		for (k = lo; k < hi; k++) {
			if (k + 1 < hi && m->col[k + 1] == m->col[k]) {
				s->had_dups = 1;
				continue;
			}
			m->col[w] = m->col[k];
			m->val[w] = m->val[k];
			w++;
		}
	}
	free(key);
	free(tmp);
	m->row_ptr[m->n_rows] = w;
}
