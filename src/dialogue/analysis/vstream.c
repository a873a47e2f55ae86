/*
 * vstream.c — votes.csv read in chunks straight into a CSR, for
 * conversations too large for a vote log (10^8 votes): 8 bytes per vote
 * while reading, 5 in the CSR, no timestamps kept. That is exact when each
 * participant's votes come in time order in the file (later line = later
 * vote); when they do not and a participant voted twice on a statement,
 * finishing reports HM_ECONFLICT so the caller can use the full reader.
 */
#include "dialogue/analysis/import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	struct vote_csr rows;
	uint32_t cur;        /* participant of the open row, or UINT32_MAX */
	int had_dups;        /* some participant voted twice on a statement */
	int out_of_order;    /* some participant's votes are not in time order */
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
	vote_csr_free(&s->rows);
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

static void close_row(struct vote_stream *s)
{
	if (s->cur == UINT32_MAX)
		return;
	uint64_t pushed = s->rows.pending;
	vote_csr_end_row(&s->rows);
	if (s->rows.row_ptr[s->rows.n_rows] - s->rows.row_ptr[s->rows.n_rows - 1] < pushed)
		s->had_dups = 1;
	s->cur = UINT32_MAX;
}

/* Leaves direct mode: the rows built so far become per-vote entries. */
static void spill(struct vote_stream *s)
{
	struct vote_csr *r = &s->rows;
	for (uint32_t i = 0; i < r->n_rows; i++)
		for (uint64_t k = r->row_ptr[i]; k < r->row_ptr[i + 1]; k++)
			append(s, i, r->col[k] << 2 | (uint32_t)(r->val[k] + 1));
	uint64_t open = r->row_ptr[r->n_rows];
	for (uint64_t k = 0; k < r->pending; k++)
		append(s, s->cur, r->col[open + k] << 2 | (uint32_t)(r->val[open + k] + 1));
	vote_csr_free(r);
	s->direct = 0;
	s->cur = UINT32_MAX;
}

#define MAX_FIELDS 64

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
			while (p < end && *p >= '0' && *p <= '9' && p - q < 19)
				x = x * 10 + (*p++ - '0');
			if (p == q + neg || (p < end && *p != ','))
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

static enum hm_err one_line(struct vote_stream *s, const char *p, const char *end, struct import_err *err)
{
	const char *f[MAX_FIELDS];
	size_t flen[MAX_FIELDS];
	s->line++;
	if (end > p && end[-1] == '\r')
		end--;
	if (end == p)
		return HM_OK; /* blank line */
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
		if (s->c_tid < 0 || s->c_pid < 0 || s->c_vote < 0)
			return sfail(err, s->fname, s->line, "header needs comment-id, voter-id and vote columns");
		return HM_OK;
	}
	if (n != s->n_cols)
		return sfail(err, s->fname, s->line, "expected %d fields, found %d", s->n_cols, n);
	int64_t tid, pid, v, ts = 0;
	if (parse_int(f[s->c_tid], flen[s->c_tid], &tid) < 0)
		return sfail(err, s->fname, s->line, "comment-id \"%.*s\" is not an integer", (int)(flen[s->c_tid] > 40 ? 40 : flen[s->c_tid]), f[s->c_tid]);
	if (parse_int(f[s->c_pid], flen[s->c_pid], &pid) < 0)
		return sfail(err, s->fname, s->line, "voter-id \"%.*s\" is not an integer", (int)(flen[s->c_pid] > 40 ? 40 : flen[s->c_pid]), f[s->c_pid]);
	if (parse_int(f[s->c_vote], flen[s->c_vote], &v) < 0 || v < -1 || v > 1)
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
		pd = dataset_ptpt(s->d, pid);
		s->cache_pid = pid;
		s->cache_pd = pd;
	}
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
	if (s->direct) {
		if (pd == s->cur) {
			vote_csr_push(&s->rows, t, (int)v);
			return HM_OK;
		}
		if (pd == s->rows.n_rows + (s->cur != UINT32_MAX)) {
			close_row(s);
			s->cur = pd;
			vote_csr_push(&s->rows, t, (int)v);
			return HM_OK;
		}
		spill(s); /* a participant came back: not grouped */
	}
	append(s, pd, t << 2 | (uint32_t)(v + 1));
	return HM_OK;
}

enum hm_err vote_stream_feed(struct vote_stream *s, const char *data, size_t len, struct import_err *err)
{
	const char *p = data, *end = data + len;
	enum hm_err rc;
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
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		rc = one_line(s, p, nl, err);
		if (rc)
			return rc;
		p = nl + 1;
	}
	if (p < end)
		buf_append(&s->carry, p, (size_t)(end - p));
	return HM_OK;
}

/* Sorts n keys ascending: insertion sort for short runs, then bottom-up
 * merges (rows are ~100 votes; a quadratic sort would dominate). */
static void sort_u64(uint64_t *a, uint64_t *tmp, uint64_t n)
{
	const uint64_t run = 16;
	for (uint64_t lo = 0; lo < n; lo += run) {
		uint64_t hi = lo + run < n ? lo + run : n;
		for (uint64_t i = lo + 1; i < hi; i++) {
			uint64_t x = a[i], j = i;
			while (j > lo && a[j - 1] > x) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = x;
		}
	}
	uint64_t *src = a, *dst = tmp;
	for (uint64_t width = run; width < n; width *= 2) {
		for (uint64_t lo = 0; lo < n; lo += 2 * width) {
			uint64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			uint64_t i = lo, j = mid, o = lo;
			while (i < mid && j < hi)
				dst[o++] = src[i] <= src[j] ? src[i++] : src[j++];
			while (i < mid)
				dst[o++] = src[i++];
			while (j < hi)
				dst[o++] = src[j++];
		}
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}

/* The directly built rows, renumbered: rows permuted to ascending ids
 * (skipped when already in order), statements remapped in place. */
static void build_direct(struct vote_stream *s, struct vote_csr *m, const uint32_t *np, const uint32_t *nt,
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
}

enum hm_err vote_stream_finish(struct vote_stream *s, struct vote_csr *m, struct import_err *err)
{
	struct dataset *d = s->d;
	enum hm_err rc;
	if (s->carry.len) {
		rc = one_line(s, s->carry.data, s->carry.data + s->carry.len, err);
		buf_reset(&s->carry);
		if (rc)
			return rc;
	}
	if (!s->have_header)
		return sfail(err, s->fname, 1, "empty file, expected a header");
	/* Renumber in ascending id order, as dataset_finish does, by
	 * remapping the per-vote indices in place. */
	int64_t *old_p = xmalloc(((size_t)d->n_ptpts + 1) * sizeof(*old_p));
	int64_t *old_t = xmalloc(((size_t)d->n_stmts + 1) * sizeof(*old_t));
	memcpy(old_p, d->ptpt_id, (size_t)d->n_ptpts * sizeof(*old_p));
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

	if (s->direct) {
		close_row(s);
		build_direct(s, m, np, nt, d->n_ptpts, d->n_stmts);
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

rows:;
	/* Sort each row by statement (stable), keep the last of repeats. */
	uint64_t w = 0, max_row = 0;
	rc = HM_OK;
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
			sort_u64(key, tmp, len);
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
