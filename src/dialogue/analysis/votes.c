/*
 * votes.c — vote log and CSR construction. The CSR is rebuilt from the log
 * in O(nnz) plus a per-row sort (rows are short: ~100 votes), so no dense
 * participants × statements array ever exists.
 */
#include "dialogue/analysis/votes.h"

#include "core/core.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void vote_log_init(struct vote_log *log)
{
	memset(log, 0, sizeof(*log));
}

void vote_log_free(struct vote_log *log)
{
	free(log->v);
	memset(log, 0, sizeof(*log));
}

void vote_log_append(struct vote_log *log, uint32_t pid, uint32_t tid, int value, int64_t ts)
{
	if (log->n == log->cap) {
		log->cap = log->cap ? log->cap * 2 : 1024;
		log->v = xrealloc(log->v, log->cap * sizeof(*log->v));
	}
	log->v[log->n].pid = pid;
	log->v[log->n].tid = tid;
	log->v[log->n].ts = ts;
	log->v[log->n].value = (int8_t)value;
	log->n++;
}

/* A row entry while sorting: statement, time, position in the log. */
struct row_ent {
	uint32_t tid;
	int8_t value;
	int64_t ts;
	size_t seq;
};

static int row_ent_cmp(const void *a, const void *b)
{
	const struct row_ent *x = a, *y = b;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

void vote_csr_build(struct vote_csr *m, uint32_t n_rows, uint32_t n_cols,
		    const struct vote *votes, size_t n)
{
	uint64_t *start = xcalloc((size_t)n_rows + 1, sizeof(*start));
	size_t i, kept = 0, max_row = 0;

	for (i = 0; i < n; i++)
		if (votes[i].pid < n_rows && votes[i].tid < n_cols)
			start[votes[i].pid + 1]++;
	for (i = 0; i < n_rows; i++) {
		if (start[i + 1] > max_row)
			max_row = start[i + 1];
		start[i + 1] += start[i];
	}
	/* Stable placement of log positions by row. */
	size_t total = start[n_rows];
	size_t *perm = xmalloc((total ? total : 1) * sizeof(*perm));
	uint64_t *fill = xmalloc(((size_t)n_rows + 1) * sizeof(*fill));
	memcpy(fill, start, ((size_t)n_rows + 1) * sizeof(*fill));
	for (i = 0; i < n; i++)
		if (votes[i].pid < n_rows && votes[i].tid < n_cols)
			perm[fill[votes[i].pid]++] = i;
	free(fill);

	m->n_rows = n_rows;
	m->n_cols = n_cols;
	m->row_ptr = xmalloc(((size_t)n_rows + 1) * sizeof(*m->row_ptr));
	m->col = xmalloc((total ? total : 1) * sizeof(*m->col));
	m->val = xmalloc(total ? total : 1);

	struct row_ent *ents = xmalloc((max_row ? max_row : 1) * sizeof(*ents));
	uint64_t *key = xmalloc((2 * max_row + 1) * sizeof(*key));
	m->row_ptr[0] = 0;
	for (uint32_t r = 0; r < n_rows; r++) {
		size_t len = start[r + 1] - start[r];
		int ts_sorted = 1, sorted = 1;
		for (size_t j = 0; j < len; j++) {
			const struct vote *v = &votes[perm[start[r] + j]];
			ents[j].tid = v->tid;
			ents[j].value = v->value;
			ents[j].ts = v->ts;
			ents[j].seq = perm[start[r] + j];
			if (j) {
				ts_sorted &= ents[j - 1].ts <= ents[j].ts;
				sorted &= row_ent_cmp(&ents[j - 1], &ents[j]) < 0;
			}
		}
		/* Keys are distinct (seq is), so any sort gives the same order.
		 * Entries come in log order (seq ascending); with times not
		 * decreasing too, (tid, ts, seq) order is (tid, position) order:
		 * one 64-bit key per entry, no comparator calls. */
		if (!sorted && ts_sorted && len <= UINT32_MAX) {
			for (size_t j = 0; j < len; j++)
				key[j] = (uint64_t)ents[j].tid << 32 | j;
			vote_sort_keys(key, key + len, len);
			for (size_t j = 0; j < len; j++) {
				/* keep only the last entry of each run of equal tids */
				if (j + 1 < len && key[j + 1] >> 32 == key[j] >> 32)
					continue;
				m->col[kept] = (uint32_t)(key[j] >> 32);
				m->val[kept] = ents[key[j] & 0xffffffffu].value;
				kept++;
			}
			m->row_ptr[r + 1] = kept;
			continue;
		}
		if (!sorted)
			qsort(ents, len, sizeof(*ents), row_ent_cmp);
		for (size_t j = 0; j < len; j++) {
			/* keep only the last entry of each run of equal tids */
			if (j + 1 < len && ents[j + 1].tid == ents[j].tid)
				continue;
			m->col[kept] = ents[j].tid;
			m->val[kept] = ents[j].value;
			kept++;
		}
		m->row_ptr[r + 1] = kept;
	}
	free(key);
	free(ents);
	free(perm);
	free(start);
	if (kept < total) {
		m->col = xrealloc(m->col, (kept ? kept : 1) * sizeof(*m->col));
		m->val = xrealloc(m->val, kept ? kept : 1);
	}
}

void vote_csr_transpose(struct vote_csr *t, const struct vote_csr *m)
{
	uint64_t nnz = vote_csr_nnz(m);
	t->n_rows = m->n_cols;
	t->n_cols = m->n_rows;
	t->row_ptr = xcalloc((size_t)t->n_rows + 1, sizeof(*t->row_ptr));
	t->col = xmalloc((nnz ? nnz : 1) * sizeof(*t->col));
	t->val = xmalloc(nnz ? nnz : 1);
	for (uint64_t k = 0; k < nnz; k++)
		t->row_ptr[m->col[k] + 1]++;
	for (uint32_t c = 0; c < t->n_rows; c++)
		t->row_ptr[c + 1] += t->row_ptr[c];
	uint64_t *fill = xmalloc(((size_t)t->n_rows + 1) * sizeof(*fill));
	memcpy(fill, t->row_ptr, ((size_t)t->n_rows + 1) * sizeof(*fill));
	/* Rows visited in order, so each transposed row comes out sorted. */
	for (uint32_t r = 0; r < m->n_rows; r++)
		for (uint64_t k = m->row_ptr[r]; k < m->row_ptr[r + 1]; k++) {
			uint64_t dst = fill[m->col[k]]++;
			t->col[dst] = r;
			t->val[dst] = m->val[k];
		}
	free(fill);
}

void vote_csr_free(struct vote_csr *m)
{
	free(m->row_ptr);
	free(m->col);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

void vote_advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t page = 2u << 20;
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), e = ((uintptr_t)p + n) & ~(page - 1);
	if (n >= 8 * page && e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

void vote_csr_begin(struct vote_csr *m, uint32_t n_cols, uint32_t rows_hint, uint64_t nnz_hint)
{
	memset(m, 0, sizeof(*m));
	m->n_cols = n_cols;
	m->rows_cap = rows_hint ? rows_hint : 16;
	m->nnz_cap = nnz_hint ? nnz_hint : 256;
	m->row_ptr = xmalloc(((size_t)m->rows_cap + 1) * sizeof(*m->row_ptr));
	m->col = xmalloc(m->nnz_cap * sizeof(*m->col));
	m->val = xmalloc(m->nnz_cap);
	m->row_ptr[0] = 0;
}

void vote_csr_push(struct vote_csr *m, uint32_t tid, int value)
{
	uint64_t at = m->row_ptr[m->n_rows] + m->pending;
	if (at == m->nnz_cap) {
		m->nnz_cap *= 2;
		m->col = xrealloc(m->col, m->nnz_cap * sizeof(*m->col));
		m->val = xrealloc(m->val, m->nnz_cap);
		vote_advise_huge(m->col, m->nnz_cap * sizeof(*m->col));
		vote_advise_huge(m->val, m->nnz_cap);
	}
	m->col[at] = tid;
	m->val[at] = (int8_t)value;
	m->pending++;
}

void vote_sort_keys(uint64_t *a, uint64_t *tmp, uint64_t n)
{
	const uint64_t run = 8;
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
			/* branch-free: the comparison is unpredictable */
			while (i < mid && j < hi) {
				uint64_t a0 = src[i], b0 = src[j];
				int take_b = b0 < a0;
				dst[o++] = take_b ? b0 : a0;
				j += (uint64_t)take_b;
				i += (uint64_t)!take_b;
			}
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

void vote_csr_end_row(struct vote_csr *m)
{
	uint64_t lo = m->row_ptr[m->n_rows], n = m->pending, k, out;
	int sorted = 1;
	for (k = 1; k < n && sorted; k++)
		sorted = m->col[lo + k - 1] < m->col[lo + k];
	if (!sorted) {
		/* key: column, then push order (so the last push of a repeated
		 * column sorts last), then the vote */
		uint64_t stack[2 * 256], *key = stack, *tmp = stack + 256;
		if (n > 256) {
			key = xmalloc(2 * n * sizeof(*key));
			tmp = key + n;
		}
		for (k = 0; k < n; k++)
			key[k] = (uint64_t)m->col[lo + k] << 32 | k << 2 | (uint64_t)(m->val[lo + k] + 1);
		vote_sort_keys(key, tmp, n);
		for (k = 0; k < n; k++) {
			m->col[lo + k] = (uint32_t)(key[k] >> 32);
			m->val[lo + k] = (int8_t)((int)(key[k] & 3) - 1);
		}
		if (key != stack)
			free(key);
	}
	for (k = 0, out = 0; k < n; k++) {
		if (k + 1 < n && m->col[lo + k + 1] == m->col[lo + k])
			continue;
		m->col[lo + out] = m->col[lo + k];
		m->val[lo + out] = m->val[lo + k];
		out++;
	}
	if (m->n_rows == m->rows_cap) {
		m->rows_cap *= 2;
		m->row_ptr = xrealloc(m->row_ptr, ((size_t)m->rows_cap + 1) * sizeof(*m->row_ptr));
	}
	m->n_rows++;
	m->row_ptr[m->n_rows] = lo + out;
	m->pending = 0;
}

/* A pending vote for vote_csr_merge: its cell, then its place in the input
 * (so the last of a cell sorts last). */
struct merge_key {
	uint32_t pid, tid;
	size_t at;
};

static int merge_key_cmp(const void *a, const void *b)
{
	const struct merge_key *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

void vote_csr_merge(struct vote_csr *m, uint32_t n_rows, uint32_t n_cols, const struct vote *v, size_t n)
{
	uint32_t old_rows = m->n_rows;
	if (n_rows < old_rows)
		n_rows = old_rows;
	if (n_cols < m->n_cols)
		n_cols = m->n_cols;
	uint64_t old_nnz = vote_csr_nnz(m);
	/* the last vote per cell, in (row, column) order */
	struct merge_key *key = xmalloc((n + 1) * sizeof(*key));
	size_t nk = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].pid < n_rows && v[i].tid < n_cols)
			key[nk++] = (struct merge_key){ v[i].pid, v[i].tid, i };
	qsort(key, nk, sizeof(*key), merge_key_cmp);
	size_t nu = 0;
	for (size_t i = 0; i < nk; i++) {
		if (i + 1 < nk && key[i + 1].pid == key[i].pid && key[i + 1].tid == key[i].tid)
			continue;
		key[nu++] = key[i];
	}
	/* votes on cells that exist are rewritten now; new cells stay in key */
	size_t n_ins = 0;
	for (size_t i = 0; i < nu; i++) {
		uint32_t p = key[i].pid;
		if (p < old_rows) {
			uint64_t lo = m->row_ptr[p], hi = m->row_ptr[p + 1];
			while (lo < hi) {
				uint64_t mid = lo + (hi - lo) / 2;
				if (m->col[mid] < key[i].tid)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < m->row_ptr[p + 1] && m->col[lo] == key[i].tid) {
				m->val[lo] = v[key[i].at].value;
				continue;
			}
		}
		key[n_ins++] = key[i];
	}
	uint64_t new_nnz = old_nnz + n_ins;
	m->row_ptr = xrealloc(m->row_ptr, ((size_t)n_rows + 1) * sizeof(*m->row_ptr));
	if (!old_rows && !m->col)
		m->row_ptr[0] = 0;
	for (uint32_t p = old_rows; p < n_rows; p++)
		m->row_ptr[p + 1] = old_nnz;
	if (new_nnz > old_nnz || !m->col) {
		m->col = xrealloc(m->col, (new_nnz + 1) * sizeof(*m->col));
		m->val = xrealloc(m->val, new_nnz + 1);
	}
	/* Backward: the rows after each row with new cells move up by the new
	 * cells before them, in one memmove per block of untouched rows; the
	 * row itself is merged from its end. Writes never overtake reads. */
	uint64_t shift = n_ins, hi = old_nnz;
	uint32_t above = n_rows; /* the row with new cells met before, or the end */
	size_t i = n_ins;
	while (i > 0) {
		uint32_t p = key[i - 1].pid;
		size_t first = i - 1;
		while (first > 0 && key[first - 1].pid == p)
			first--;
		uint64_t lo = m->row_ptr[p], end = m->row_ptr[p + 1];
		memmove(m->col + end + shift, m->col + end, (hi - end) * sizeof(*m->col));
		memmove(m->val + end + shift, m->val + end, hi - end);
		for (uint32_t q = p + 1; q <= above; q++)
			m->row_ptr[q] += shift;
		uint64_t out = end + shift, a = end;
		size_t b = i;
		while (b > first) {
			const struct merge_key *k = &key[b - 1];
			if (a > lo && m->col[a - 1] > k->tid) {
				out--, a--;
				m->col[out] = m->col[a];
				m->val[out] = m->val[a];
			} else {
				out--, b--;
				m->col[out] = k->tid;
				m->val[out] = v[k->at].value;
			}
		}
		/* the row's first old cells [lo, a) move with the block below */
		shift -= i - first;
		i = first;
		hi = a;
		above = p;
	}
	m->n_rows = n_rows;
	m->n_cols = n_cols;
	m->rows_cap = n_rows;
	m->nnz_cap = new_nnz;
	m->pending = 0;
	free(key);
}
