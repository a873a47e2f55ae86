/*
 * pca.c — sparse PCA by power iteration over the CSR, Pol.is's exact loop
 * for compat mode and a 2-vector block iteration for scale mode, plus the
 * sparsity-aware projection. Loops run rows in the given order and
 * columns in CSR order so results do not depend on anything else.
 */
#include "dialogue/analysis/pca.h"
#include "dialogue/analysis/par.h"

#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void pca_xv(const struct pca_view *x, const double *v, double *y)
{
	const struct vote_csr *m = x->m;
	for (uint32_t i = 0; i < x->n_rows; i++) {
		uint32_t r = x->rows[i];
		double s = 0.0;
		for (uint64_t k = m->row_ptr[r]; k < m->row_ptr[r + 1]; k++) {
			uint32_t j = m->col[k];
			if (x->use_col[j])
				s += ((double)m->val[k] - x->center[j]) * v[j];
		}
		y[i] = s;
	}
}

void pca_xty(const struct pca_view *x, const double *y, double *w)
{
	const struct vote_csr *m = x->m;
	memset(w, 0, (size_t)m->n_cols * sizeof(*w));
	for (uint32_t i = 0; i < x->n_rows; i++) {
		uint32_t r = x->rows[i];
		double yi = y[i];
		for (uint64_t k = m->row_ptr[r]; k < m->row_ptr[r + 1]; k++) {
			uint32_t j = m->col[k];
			if (x->use_col[j])
				w[j] += yi * ((double)m->val[k] - x->center[j]);
		}
	}
}

static double dot(const double *a, const double *b, uint32_t n)
{
	double s = 0.0;
	for (uint32_t i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/*
 * The rows PCA reads, copied once into a compact CSR without the unused
 * columns (so no pass tests use_col), with the centred value of vote t
 * in column j at cv[3j + t + 1]: the same double as (t − center[j]).
 */
struct pca_rows {
	uint32_t n_rows, n_cols;
	uint64_t *ptr;  /* n_rows + 1 */
	uint32_t *col;
	uint32_t *ix;   /* 3·col + val + 1: the entry's slot in cv */
	double *cv;     /* 3 per column */
	/* the same entries by column, rows ascending within each */
	uint64_t *cptr; /* n_cols + 1 */
	uint32_t *crow; /* index into the listed rows */
	uint8_t *ct;    /* val + 1 */
};

static void pca_rows_init(struct pca_rows *R, const struct pca_view *x)
{
	const struct vote_csr *m = x->m;
	uint64_t nnz = 0;
	R->n_rows = x->n_rows;
	R->n_cols = m->n_cols;
	R->ptr = xmalloc(((size_t)x->n_rows + 1) * sizeof(*R->ptr));
	for (uint32_t i = 0; i < x->n_rows; i++)
		nnz += m->row_ptr[x->rows[i] + 1] - m->row_ptr[x->rows[i]];
	R->col = xmalloc((nnz + 1) * sizeof(*R->col));
	R->ix = xmalloc((nnz + 1) * sizeof(*R->ix));
	R->cv = xmalloc((3 * (size_t)m->n_cols + 1) * sizeof(*R->cv));
	for (uint32_t j = 0; j < m->n_cols; j++)
		for (int t = -1; t <= 1; t++)
			R->cv[3 * (size_t)j + (size_t)(t + 1)] = x->use_col[j] ? (double)t - x->center[j] : 0.0;
	nnz = 0;
	R->ptr[0] = 0;
	for (uint32_t i = 0; i < x->n_rows; i++) {
		uint32_t r = x->rows[i];
		for (uint64_t k = m->row_ptr[r]; k < m->row_ptr[r + 1]; k++)
			if (x->use_col[m->col[k]]) {
				R->col[nnz] = m->col[k];
				R->ix[nnz] = 3 * m->col[k] + (uint32_t)(m->val[k] + 1);
				nnz++;
			}
		R->ptr[i + 1] = nnz;
	}
	R->cptr = xcalloc((size_t)m->n_cols + 2, sizeof(*R->cptr));
	R->crow = xmalloc((nnz + 1) * sizeof(*R->crow));
	R->ct = xmalloc(nnz + 1);
	for (uint64_t k = 0; k < nnz; k++)
		R->cptr[R->col[k] + 1]++;
	for (uint32_t j = 0; j < m->n_cols; j++)
		R->cptr[j + 1] += R->cptr[j];
	uint64_t *fill = xmalloc(((size_t)m->n_cols + 1) * sizeof(*fill));
	memcpy(fill, R->cptr, ((size_t)m->n_cols + 1) * sizeof(*fill));
	for (uint32_t i = 0; i < x->n_rows; i++)
		for (uint64_t k = R->ptr[i]; k < R->ptr[i + 1]; k++) {
			uint64_t at = fill[R->col[k]]++;
			R->crow[at] = i;
			R->ct[at] = (uint8_t)(R->ix[k] - 3 * R->col[k]);
		}
	free(fill);
}

static void pca_rows_free(struct pca_rows *R)
{
	free(R->ptr);
	free(R->col);
	free(R->ix);
	free(R->cv);
	free(R->cptr);
	free(R->crow);
	free(R->ct);
}

/* y = X v, as pca_xv. */
static void rows_xv(const struct pca_rows *R, const double *v, double *y)
{
	for (uint32_t i = 0; i < R->n_rows; i++) {
		double s = 0.0;
		for (uint64_t k = R->ptr[i]; k < R->ptr[i + 1]; k++)
			s += R->cv[R->ix[k]] * v[R->col[k]];
		y[i] = s;
	}
}

/*
 * The factored-out components for xtx_deflated, fixed while one
 * component iterates, so computed once instead of once per product:
 * z[c] = X pc_c, and zc[c] = X_c pc_c (z[c] minus the earlier
 * components' share, the vector Pol.is subtracts from X v).
 */
struct deflation {
	uint32_t n_prev;
	double *pp;  /* pc·pc per component (0: skipped) */
	double **z;  /* n_rows each */
	double **zc;
};

static void deflation_init(struct deflation *D, const struct pca_rows *R, const double *prev, uint32_t n_prev)
{
	uint32_t n = R->n_cols, nr = R->n_rows;
	D->n_prev = n_prev;
	D->pp = xcalloc((size_t)n_prev + 1, sizeof(*D->pp));
	D->z = xcalloc((size_t)n_prev + 1, sizeof(*D->z));
	D->zc = xcalloc((size_t)n_prev + 1, sizeof(*D->zc));
	for (uint32_t c = 0; c < n_prev; c++) {
		const double *pc = prev + (size_t)c * n;
		D->pp[c] = dot(pc, pc, n);
		if (D->pp[c] == 0.0)
			continue;
		D->z[c] = xmalloc(((size_t)nr + 1) * sizeof(double));
		D->zc[c] = xmalloc(((size_t)nr + 1) * sizeof(double));
		rows_xv(R, pc, D->z[c]);
		memcpy(D->zc[c], D->z[c], (size_t)nr * sizeof(double));
		for (uint32_t d = 0; d < c; d++) {
			const double *pd = prev + (size_t)d * n;
			double pdd = dot(pd, pd, n);
			if (pdd == 0.0)
				continue;
			double s = dot(pd, pc, n) / pdd;
			for (uint32_t i = 0; i < nr; i++)
				D->zc[c][i] -= D->z[d][i] * s;
		}
	}
}

static void deflation_free(struct deflation *D)
{
	for (uint32_t c = 0; c < D->n_prev; c++) {
		free(D->z[c]);
		free(D->zc[c]);
	}
	free(D->pp);
	free(D->z);
	free(D->zc);
}

/*
 * y[i] = Σ tab[ix[k]] over row i's entries in order, for rows lo..hi−1.
 * Each sum is a chain of dependent additions, so four rows are summed at
 * once (a lane takes the next row when its row ends) to overlap the
 * chains; every sum still adds its own terms in its own order from 0.
 */
static void row_sums(const uint64_t *ptr, const uint32_t *ix, const double *tab, uint32_t lo, uint32_t hi,
		     double *y)
{
	uint64_t k[4], e[4];
	double a[4];
	uint32_t r[4], next = lo, l;
	for (l = 0; l < 4; l++) {
		r[l] = UINT32_MAX;
		if (next < hi) {
			r[l] = next;
			k[l] = ptr[next];
			e[l] = ptr[next + 1];
			a[l] = 0.0;
			next++;
		}
	}
	while (r[3] != UINT32_MAX) {
		uint64_t m = e[0] - k[0];
		for (l = 1; l < 4; l++)
			if (e[l] - k[l] < m)
				m = e[l] - k[l];
		const uint32_t *i0 = ix + k[0], *i1 = ix + k[1], *i2 = ix + k[2], *i3 = ix + k[3];
		double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
		for (uint64_t t = 0; t < m; t++) {
			a0 += tab[i0[t]];
			a1 += tab[i1[t]];
			a2 += tab[i2[t]];
			a3 += tab[i3[t]];
		}
		a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3;
		int out = 0;
		for (l = 0; l < 4; l++) {
			k[l] += m;
			if (k[l] < e[l])
				continue;
			y[r[l]] = a[l];
			if (next < hi) {
				r[l] = next;
				k[l] = ptr[next];
				e[l] = ptr[next + 1];
				a[l] = 0.0;
				next++;
			} else {
				r[l] = UINT32_MAX;
				out = 1;
			}
		}
		if (out)
			break;
	}
	/* the last rows, one at a time */
	for (l = 0; l < 4; l++) {
		if (r[l] == UINT32_MAX)
			continue;
		double s = a[l];
		for (uint64_t t = k[l]; t < e[l]; t++)
			s += tab[ix[t]];
		y[r[l]] = s;
	}
}

/*
 * w[j] = Σ y[row]·cv[3j + t] over column j's entries, rows ascending: the
 * terms and the order in which a pass over the rows would add them into
 * w[j], but as a sum in a register instead of a load, add and store in
 * memory per vote. Four columns at once, as row_sums does rows.
 */
static void col_sums(const struct pca_rows *R, const double *y, double *w)
{
	const uint64_t *cptr = R->cptr;
	const uint32_t *crow = R->crow;
	const uint8_t *ct = R->ct;
	uint32_t n = R->n_cols, next = 0, l;
	uint64_t k[4], e[4];
	double a[4];
	const double *c[4];
	uint32_t j[4];
	for (l = 0; l < 4; l++) {
		j[l] = UINT32_MAX;
		if (next < n) {
			j[l] = next;
			k[l] = cptr[next];
			e[l] = cptr[next + 1];
			c[l] = R->cv + 3 * (size_t)next;
			a[l] = 0.0;
			next++;
		}
	}
	while (j[3] != UINT32_MAX) {
		uint64_t m = e[0] - k[0];
		for (l = 1; l < 4; l++)
			if (e[l] - k[l] < m)
				m = e[l] - k[l];
		double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
		const double *c0 = c[0], *c1 = c[1], *c2 = c[2], *c3 = c[3];
		uint64_t k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3];
		for (uint64_t t = 0; t < m; t++) {
			a0 += y[crow[k0 + t]] * c0[ct[k0 + t]];
			a1 += y[crow[k1 + t]] * c1[ct[k1 + t]];
			a2 += y[crow[k2 + t]] * c2[ct[k2 + t]];
			a3 += y[crow[k3 + t]] * c3[ct[k3 + t]];
		}
		a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3;
		int out = 0;
		for (l = 0; l < 4; l++) {
			k[l] += m;
			if (k[l] < e[l])
				continue;
			w[j[l]] = a[l];
			if (next < n) {
				j[l] = next;
				k[l] = cptr[next];
				e[l] = cptr[next + 1];
				c[l] = R->cv + 3 * (size_t)next;
				a[l] = 0.0;
				next++;
			} else {
				j[l] = UINT32_MAX;
				out = 1;
			}
		}
		if (out)
			break;
	}
	for (l = 0; l < 4; l++) {
		if (j[l] == UINT32_MAX)
			continue;
		double s = a[l];
		for (uint64_t t = k[l]; t < e[l]; t++)
			s += y[crow[t]] * c[l][ct[t]];
		w[j[l]] = s;
	}
}

/*
 * w = XₖᵀXₖ v where Xₖ is X with the components prev[0..n_prev) factored
 * out one after the other (Gram–Schmidt on rows, as pca.clj does):
 * y = Xₖ v by rows, then w = Xᵀ y by columns, every sum with the same
 * terms in the same order as pca_xv and pca_xty. sc[c] is scratch
 * (n_prev).
 */
static void xtx_deflated(const struct pca_rows *R, const double *prev, const struct deflation *D,
			 const double *v, double *w, double *y, double *sc, double *cvv)
{
	uint32_t n = R->n_cols, nr = R->n_rows;
	const double *cv = R->cv;
	const uint32_t *ix = R->ix;
	const uint64_t *ptr = R->ptr;
	for (uint32_t c = 0; c < D->n_prev; c++)
		sc[c] = D->pp[c] != 0.0 ? dot(prev + (size_t)c * n, v, n) / D->pp[c] : 0.0;
	/* cvv[3j + t + 1] = (t − center[j])·v[j]: the very product each
	 * vote's term is, made once per column instead of once per vote */
	for (uint32_t j = 0; j < n; j++)
		for (int t = 0; t < 3; t++)
			cvv[3 * (size_t)j + (size_t)t] = cv[3 * (size_t)j + (size_t)t] * v[j];
	row_sums(ptr, ix, cvv, 0, nr, y);
	for (uint32_t i = 0; i < nr; i++)
		for (uint32_t c = 0; c < D->n_prev; c++)
			if (D->pp[c] != 0.0)
				y[i] -= D->zc[c][i] * sc[c];
	col_sums(R, y, w);
	for (uint32_t c = 0; c < D->n_prev; c++) {
		const double *pc = prev + (size_t)c * n;
		if (D->pp[c] == 0.0)
			continue;
		double s = dot(D->z[c], y, nr) / D->pp[c];
		for (uint32_t j = 0; j < n; j++)
			w[j] -= pc[j] * s;
	}
}

uint32_t pca_power_polis(const struct pca_view *x, uint32_t n_comps, uint32_t iters, double *comps)
{
	return pca_power_polis_tol(x, n_comps, iters, 0.0, comps);
}

uint32_t pca_power_polis_tol(const struct pca_view *x, uint32_t n_comps, uint32_t iters, double tol,
			     double *comps)
{
	uint32_t n = x->m->n_cols, products = 0;
	struct pca_rows R;
	pca_rows_init(&R, x);
	double *w = xmalloc(((size_t)n + 1) * sizeof(*w));
	double *y = xmalloc(((size_t)x->n_rows + 1) * sizeof(*y));
	double *sc = xmalloc(((size_t)n_comps + 1) * sizeof(*sc));
	double *cvv = xmalloc((3 * (size_t)n + 1) * sizeof(*cvv));
	for (uint32_t c = 0; c < n_comps; c++) {
		double *v = comps + (size_t)c * n;
		double last = 0.0;
		int restarted = 0;
		struct deflation D;
		deflation_init(&D, &R, comps, c);
		for (uint32_t it = iters;; it--) {
			xtx_deflated(&R, comps, &D, v, w, y, sc, cvv);
			products++;
			double eig = sqrt(dot(w, w, n));
			if (eig == 0.0 && !restarted && it == iters) {
				/* The start vector is orthogonal to every row (Pol.is
				 * would have drawn a random one): retry once from a
				 * fixed pseudo-random vector before giving up. */
				restarted = 1;
				for (uint32_t j = 0; j < n; j++)
					v[j] = 0.5 + (double)((j * 2654435761u) >> 24) / 256.0;
				it++;
				continue;
			}
			double moved = 1.0;
			if (eig > 0.0) {
				double vv = sqrt(dot(v, v, n)), cs = 0.0;
				for (uint32_t j = 0; j < n; j++) {
					double nv = w[j] / eig;
					cs += nv * v[j];
					v[j] = nv;
				}
				if (vv > 0.0)
					moved = 1.0 - fabs(cs) / vv;
			} else {
				memset(v, 0, (size_t)n * sizeof(*v));
			}
			if (it == 0 || eig == last || (tol > 0.0 && moved < tol))
				break;
			last = eig;
		}
		deflation_free(&D);
	}
	free(w);
	free(y);
	free(sc);
	free(cvv);
	pca_rows_free(&R);
	return products;
}

/* One pass: W = XᵀX V for both vectors together, V and W interleaved
 * (v[2j], v[2j+1]) so each column costs one cache line. cv[3j + v + 1]
 * is the centred value of vote v in column j (0 for unused columns). */
/*
 * Row r's pair (y0, y1) = Σ t[pair of the vote], in CSR order. With SSE2
 * both sums are one register: the same two IEEE additions per vote.
 */
#ifdef __SSE2__
typedef __m128d pair_t;
#define PAIR_ZERO() _mm_setzero_pd()
#define PAIR_ADD(p, q) _mm_add_pd((p), _mm_loadu_pd(q))
/* p + (d·y[0], d·y[1]) */
#define PAIR_MULADD(p, d, y) _mm_add_pd((p), _mm_mul_pd(_mm_set1_pd(d), _mm_loadu_pd(y)))
static inline void pair_store(double *q, pair_t p)
{
	_mm_storeu_pd(q, p);
}
#else
typedef struct {
	double a, b;
} pair_t;
static inline pair_t pair_add(pair_t p, const double *q)
{
	p.a += q[0];
	p.b += q[1];
	return p;
}
static inline pair_t pair_muladd(pair_t p, double d, const double *y)
{
	p.a += d * y[0];
	p.b += d * y[1];
	return p;
}
static inline void pair_store(double *q, pair_t p)
{
	q[0] = p.a;
	q[1] = p.b;
}
#define PAIR_ZERO() ((pair_t){ 0.0, 0.0 })
#define PAIR_ADD(p, q) pair_add((p), (q))
#define PAIR_MULADD(p, d, y) pair_muladd((p), (d), (y))
#endif

/* w[2j], w[2j+1] += d·y0, d·y1 for each vote of row r (d its centred value) */
static inline void row_to_w(const struct vote_csr *m, uint32_t r, const double *cv, pair_t y, double *w)
{
	const uint32_t *col = m->col;
	const int8_t *val = m->val;
#ifdef __SSE2__
	for (uint64_t k = m->row_ptr[r]; k < m->row_ptr[r + 1]; k++) {
		size_t j = col[k];
		__m128d d = _mm_set1_pd(cv[3 * j + (size_t)(val[k] + 1)]);
		_mm_storeu_pd(w + 2 * j, _mm_add_pd(_mm_loadu_pd(w + 2 * j), _mm_mul_pd(d, y)));
	}
#else
	for (uint64_t k = m->row_ptr[r]; k < m->row_ptr[r + 1]; k++) {
		size_t j = col[k];
		double d = cv[3 * j + (size_t)(val[k] + 1)];
		w[2 * j] += d * y.a;
		w[2 * j + 1] += d * y.b;
	}
#endif
}

static void xtx2(const struct pca_view *x, const double *cv, const double *v, double *w, double *t)
{
	const struct vote_csr *m = x->m;
	const uint32_t *col = m->col;
	const int8_t *val = m->val;
	uint32_t n = m->n_cols, nr = x->n_rows;
	/* t[6j + 2s + c] = cv[3j + s]·v[2j + c]: the products each vote adds
	 * to y, made once per column instead of once per vote */
	for (size_t j = 0; j < n; j++)
		for (size_t s = 0; s < 3; s++) {
			t[6 * j + 2 * s] = cv[3 * j + s] * v[2 * j];
			t[6 * j + 2 * s + 1] = cv[3 * j + s] * v[2 * j + 1];
		}
	memset(w, 0, 2 * (size_t)n * sizeof(*w));
	for (uint32_t i = 0; i < nr; i += 2) {
		/* two rows at once: their sums are independent chains of adds,
		 * interleaved to hide the add latency; each sum still adds its
		 * own terms in its own order */
		uint32_t ra = x->rows[i], rb = i + 1 < nr ? x->rows[i + 1] : ra;
		uint64_t a = m->row_ptr[ra], ae = m->row_ptr[ra + 1];
		uint64_t b = m->row_ptr[rb], be = i + 1 < nr ? m->row_ptr[rb + 1] : b;
		pair_t ya = PAIR_ZERO(), yb = PAIR_ZERO();
		for (; a < ae && b < be; a++, b++) {
			ya = PAIR_ADD(ya, t + 6 * (size_t)col[a] + 2 * (size_t)(val[a] + 1));
			yb = PAIR_ADD(yb, t + 6 * (size_t)col[b] + 2 * (size_t)(val[b] + 1));
		}
		for (; a < ae; a++)
			ya = PAIR_ADD(ya, t + 6 * (size_t)col[a] + 2 * (size_t)(val[a] + 1));
		for (; b < be; b++)
			yb = PAIR_ADD(yb, t + 6 * (size_t)col[b] + 2 * (size_t)(val[b] + 1));
		/* then row i's terms into w before row i+1's, as row order has it */
		row_to_w(m, ra, cv, ya, w);
		if (i + 1 < nr)
			row_to_w(m, rb, cv, yb, w);
	}
}

/*
 * The same product for conversations small enough to hold a column copy
 * of the votes (5 bytes a vote): y for every row first, four rows' sums
 * side by side, then w by columns, four columns' sums side by side, each
 * in registers. Every sum has the terms and order of the row pass above:
 * a row's votes in CSR order, a column's rows ascending.
 */
struct csc2 {
	uint64_t *ptr; /* n_cols + 1 */
	uint32_t *rt;  /* index into the listed rows << 2 | vote + 1 */
	/* the rows' pass and the columns' pass each split in n_parts ranges
	 * of about equal votes: every sum is made whole by one thread */
	unsigned n_parts;
	uint32_t row_cut[PAR_MAX + 1], col_cut[PAR_MAX + 1];
	uint64_t *fill; /* building: per part and column, where its next entry goes */
	const struct pca_view *x;
};

/* Rows' y pairs into y (2 per listed row), four at a time: the listed
 * rows [lo, nr). */
static void rows_y2(const struct pca_view *x, const double *t, double *y, uint32_t lo, uint32_t nr)
{
	const struct vote_csr *m = x->m;
	const uint32_t *col = m->col;
	const int8_t *val = m->val;
	uint32_t next = lo, l;
	uint64_t k[4], e[4];
	uint32_t r[4];
	pair_t a[4];
	for (l = 0; l < 4; l++) {
		r[l] = UINT32_MAX;
		if (next < nr) {
			r[l] = next;
			k[l] = m->row_ptr[x->rows[next]];
			e[l] = m->row_ptr[x->rows[next] + 1];
			a[l] = PAIR_ZERO();
			next++;
		}
	}
	while (r[3] != UINT32_MAX) {
		uint64_t mn = e[0] - k[0];
		for (l = 1; l < 4; l++)
			if (e[l] - k[l] < mn)
				mn = e[l] - k[l];
		pair_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
		uint64_t k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3];
		for (uint64_t q = 0; q < mn; q++) {
			a0 = PAIR_ADD(a0, t + 6 * (size_t)col[k0 + q] + 2 * (size_t)(val[k0 + q] + 1));
			a1 = PAIR_ADD(a1, t + 6 * (size_t)col[k1 + q] + 2 * (size_t)(val[k1 + q] + 1));
			a2 = PAIR_ADD(a2, t + 6 * (size_t)col[k2 + q] + 2 * (size_t)(val[k2 + q] + 1));
			a3 = PAIR_ADD(a3, t + 6 * (size_t)col[k3 + q] + 2 * (size_t)(val[k3 + q] + 1));
		}
		a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3;
		int out = 0;
		for (l = 0; l < 4; l++) {
			k[l] += mn;
			if (k[l] < e[l])
				continue;
			pair_store(y + 2 * (size_t)r[l], a[l]);
			if (next < nr) {
				r[l] = next;
				k[l] = m->row_ptr[x->rows[next]];
				e[l] = m->row_ptr[x->rows[next] + 1];
				a[l] = PAIR_ZERO();
				next++;
			} else {
				r[l] = UINT32_MAX;
				out = 1;
			}
		}
		if (out)
			break;
	}
	for (l = 0; l < 4; l++) {
		if (r[l] == UINT32_MAX)
			continue;
		pair_t s = a[l];
		for (uint64_t q = k[l]; q < e[l]; q++)
			s = PAIR_ADD(s, t + 6 * (size_t)col[q] + 2 * (size_t)(val[q] + 1));
		pair_store(y + 2 * (size_t)r[l], s);
	}
}

/* w pairs by columns from the rows' y pairs, four columns at a time:
 * columns [lo, n). */
static void cols_w2(const struct csc2 *C, uint32_t lo, uint32_t n, const double *cv, const double *y, double *w)
{
	const uint64_t *ptr = C->ptr;
	const uint32_t *rt = C->rt;
	uint32_t next = lo, l;
	uint64_t k[4], e[4];
	uint32_t j[4];
	pair_t a[4];
	for (l = 0; l < 4; l++) {
		j[l] = UINT32_MAX;
		if (next < n) {
			j[l] = next;
			k[l] = ptr[next];
			e[l] = ptr[next + 1];
			a[l] = PAIR_ZERO();
			next++;
		}
	}
	while (j[3] != UINT32_MAX) {
		uint64_t mn = e[0] - k[0];
		for (l = 1; l < 4; l++)
			if (e[l] - k[l] < mn)
				mn = e[l] - k[l];
		pair_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
		const double *c0 = cv + 3 * (size_t)j[0], *c1 = cv + 3 * (size_t)j[1];
		const double *c2 = cv + 3 * (size_t)j[2], *c3 = cv + 3 * (size_t)j[3];
		uint64_t k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3];
		for (uint64_t q = 0; q < mn; q++) {
			a0 = PAIR_MULADD(a0, c0[rt[k0 + q] & 3], y + 2 * (size_t)(rt[k0 + q] >> 2));
			a1 = PAIR_MULADD(a1, c1[rt[k1 + q] & 3], y + 2 * (size_t)(rt[k1 + q] >> 2));
			a2 = PAIR_MULADD(a2, c2[rt[k2 + q] & 3], y + 2 * (size_t)(rt[k2 + q] >> 2));
			a3 = PAIR_MULADD(a3, c3[rt[k3 + q] & 3], y + 2 * (size_t)(rt[k3 + q] >> 2));
		}
		a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3;
		int out = 0;
		for (l = 0; l < 4; l++) {
			k[l] += mn;
			if (k[l] < e[l])
				continue;
			pair_store(w + 2 * (size_t)j[l], a[l]);
			if (next < n) {
				j[l] = next;
				k[l] = ptr[next];
				e[l] = ptr[next + 1];
				a[l] = PAIR_ZERO();
				next++;
			} else {
				j[l] = UINT32_MAX;
				out = 1;
			}
		}
		if (out)
			break;
	}
	for (l = 0; l < 4; l++) {
		if (j[l] == UINT32_MAX)
			continue;
		pair_t s = a[l];
		const double *c = cv + 3 * (size_t)j[l];
		for (uint64_t q = k[l]; q < e[l]; q++)
			s = PAIR_MULADD(s, c[rt[q] & 3], y + 2 * (size_t)(rt[q] >> 2));
		pair_store(w + 2 * (size_t)j[l], s);
	}
}

/* Part p's column counts, into fill (n_cols per part). */
static void csc2_count(void *ctx, unsigned p)
{
	struct csc2 *C = ctx;
	const struct vote_csr *m = C->x->m;
	uint64_t *cnt = C->fill + (size_t)p * m->n_cols;
	memset(cnt, 0, (size_t)m->n_cols * sizeof(*cnt));
	for (uint32_t i = C->row_cut[p]; i < C->row_cut[p + 1]; i++) {
		uint32_t r = C->x->rows[i];
		for (uint64_t q = m->row_ptr[r]; q < m->row_ptr[r + 1]; q++)
			cnt[m->col[q]]++;
	}
}

/* Part p's entries, each column's after the earlier parts' (so every
 * column lists its rows ascending, as one pass does). */
static void csc2_fill(void *ctx, unsigned p)
{
	struct csc2 *C = ctx;
	const struct vote_csr *m = C->x->m;
	uint64_t *fill = C->fill + (size_t)p * m->n_cols;
	for (uint32_t i = C->row_cut[p]; i < C->row_cut[p + 1]; i++) {
		uint32_t r = C->x->rows[i];
		for (uint64_t q = m->row_ptr[r]; q < m->row_ptr[r + 1]; q++)
			C->rt[fill[m->col[q]]++] = i << 2 | (uint32_t)(m->val[q] + 1);
	}
}

/* Column copy of the listed rows' votes, 4 bytes a vote; 0 (nothing
 * built) when it would take more than 64 MB or rows do not fit 30 bits. */
static int csc2_build(struct csc2 *C, const struct pca_view *x)
{
	const struct vote_csr *m = x->m;
	uint32_t n = m->n_cols;
	uint64_t *pre = xmalloc(((size_t)x->n_rows + 1) * sizeof(*pre));
	pre[0] = 0;
	for (uint32_t i = 0; i < x->n_rows; i++)
		pre[i + 1] = pre[i] + m->row_ptr[x->rows[i] + 1] - m->row_ptr[x->rows[i]];
	uint64_t nnz = pre[x->n_rows];
	if (nnz > ((uint64_t)64 << 20) / 4 || x->n_rows >= (1u << 30)) {
		free(pre);
		return 0;
	}
	C->x = x;
	/* threads only where a pass takes longer than starting them */
	C->n_parts = nnz >= (1u << 18) ? par_threads() : 1;
	par_cuts(pre, x->n_rows, C->n_parts, C->row_cut);
	free(pre);
	C->ptr = xmalloc(((size_t)n + 1) * sizeof(*C->ptr));
	C->rt = xmalloc((nnz + 1) * sizeof(*C->rt));
	C->fill = xmalloc(((size_t)C->n_parts * n + 1) * sizeof(*C->fill));
	par_run(C->n_parts, csc2_count, C);
	/* column starts, then each part's start within each column */
	uint64_t at = 0;
	for (uint32_t j = 0; j < n; j++) {
		C->ptr[j] = at;
		for (unsigned p = 0; p < C->n_parts; p++) {
			uint64_t c = C->fill[(size_t)p * n + j];
			C->fill[(size_t)p * n + j] = at;
			at += c;
		}
	}
	C->ptr[n] = at;
	par_run(C->n_parts, csc2_fill, C);
	free(C->fill);
	C->fill = NULL;
	par_cuts(C->ptr, n, C->n_parts, C->col_cut);
	return 1;
}

static void csc2_free(struct csc2 *C)
{
	free(C->ptr);
	free(C->rt);
}

struct xtx2_job {
	const struct pca_view *x;
	const struct csc2 *C;
	const double *cv, *t;
	double *y, *w;
};

static void rows_y2_part(void *ctx, unsigned p)
{
	struct xtx2_job *j = ctx;
	rows_y2(j->x, j->t, j->y, j->C->row_cut[p], j->C->row_cut[p + 1]);
}

static void cols_w2_part(void *ctx, unsigned p)
{
	struct xtx2_job *j = ctx;
	cols_w2(j->C, j->C->col_cut[p], j->C->col_cut[p + 1], j->cv, j->y, j->w);
}

static void xtx2_cols(const struct pca_view *x, const struct csc2 *C, const double *cv, const double *v,
		      double *w, double *t, double *y)
{
	uint32_t n = x->m->n_cols;
	for (size_t j = 0; j < n; j++)
		for (size_t s = 0; s < 3; s++) {
			t[6 * j + 2 * s] = cv[3 * j + s] * v[2 * j];
			t[6 * j + 2 * s + 1] = cv[3 * j + s] * v[2 * j + 1];
		}
	struct xtx2_job job = { x, C, cv, t, y, w };
	par_run(C->n_parts, rows_y2_part, &job);
	par_run(C->n_parts, cols_w2_part, &job);
}

static double dot2(const double *a, int ia, const double *b, int ib, uint32_t n)
{
	double s = 0.0;
	for (uint32_t j = 0; j < n; j++)
		s += a[2 * j + ia] * b[2 * j + ib];
	return s;
}

static void scale2(double *a, int ia, uint32_t n)
{
	double s = sqrt(dot2(a, ia, a, ia, n));
	if (s > 0.0)
		for (uint32_t j = 0; j < n; j++)
			a[2 * j + ia] /= s;
}

/* b[:,1] -= (b0·b1) b[:,0], with b[:,0] of unit length. */
static void orthogonalise2(double *b, uint32_t n)
{
	double s = dot2(b, 0, b, 1, n);
	for (uint32_t j = 0; j < n; j++)
		b[2 * j + 1] -= s * b[2 * j];
}

/*
 * Rayleigh–Ritz on span(v), given w = A v: rotate both pairs to the
 * eigenvectors of the 2×2 matrix v'Av, larger eigenvalue first. Without it
 * each vector converges at the rate λ2/λ1, which stalls when opinion camps
 * are symmetric (λ1 ≈ λ2) although the plane itself has long converged;
 * with it both converge at λ3/λ2. Columns keep the sign of the old vector
 * they overlap most, so output does not flip between ticks.
 */
static void ritz2(double *v, double *w, uint32_t n)
{
	double a = dot2(v, 0, w, 0, n), d = dot2(v, 1, w, 1, n);
	double b = 0.5 * (dot2(v, 0, w, 1, n) + dot2(v, 1, w, 0, n));
	if (b == 0.0 && a >= d)
		return;
	double phi = 0.5 * atan2(2.0 * b, a - d), c = cos(phi), s = sin(phi);
	/* columns (c, s) and (−s, c); the larger entry of each made positive */
	double u00 = c, u10 = s, u01 = -s, u11 = c;
	if (fabs(u10) > fabs(u00) ? u10 < 0 : u00 < 0) {
		u00 = -u00;
		u10 = -u10;
	}
	if (fabs(u01) > fabs(u11) ? u01 < 0 : u11 < 0) {
		u01 = -u01;
		u11 = -u11;
	}
	for (uint32_t j = 0; j < n; j++) {
		double v0 = v[2 * j], v1 = v[2 * j + 1], w0 = w[2 * j], w1 = w[2 * j + 1];
		v[2 * j] = v0 * u00 + v1 * u10;
		v[2 * j + 1] = v0 * u01 + v1 * u11;
		w[2 * j] = w0 * u00 + w1 * u10;
		w[2 * j + 1] = w0 * u01 + w1 * u11;
	}
}

uint32_t pca_power_block2(const struct pca_view *x, uint32_t max_iters, double tol, double *comps)
{
	uint32_t n = x->m->n_cols, it;
	double *v = xmalloc((2 * (size_t)n + 1) * sizeof(*v));
	double *w = xmalloc((2 * (size_t)n + 1) * sizeof(*w));
	double *cv = xmalloc((3 * (size_t)n + 1) * sizeof(*cv));
	double *tab = xmalloc((6 * (size_t)n + 1) * sizeof(*tab));
	struct csc2 C = { 0 };
	int by_cols = csc2_build(&C, x);
	double *y = by_cols ? xmalloc((2 * (size_t)x->n_rows + 1) * sizeof(*y)) : NULL;
	for (uint32_t j = 0; j < n; j++) {
		for (int t = -1; t <= 1; t++)
			cv[3 * (size_t)j + (size_t)(t + 1)] = x->use_col[j] ? (double)t - x->center[j] : 0.0;
		v[2 * j] = comps[j];
		v[2 * j + 1] = comps[n + j];
	}
	scale2(v, 0, n);
	orthogonalise2(v, n);
	scale2(v, 1, n);
	for (it = 0; it < max_iters; it++) {
		if (by_cols)
			xtx2_cols(x, &C, cv, v, w, tab, y);
		else
			xtx2(x, cv, v, w, tab);
		ritz2(v, w, n);
		scale2(w, 0, n);
		orthogonalise2(w, n);
		scale2(w, 1, n);
		double d0 = dot2(w, 0, v, 0, n), d1 = dot2(w, 1, v, 1, n);
		double c0 = fabs(d0), c1 = fabs(d1);
		/* rank one (or zero): nothing left for a vector */
		if (dot2(w, 1, w, 1, n) == 0.0)
			c1 = 1.0;
		if (dot2(w, 0, w, 0, n) == 0.0)
			c0 = 1.0;
		/* keep the sign of the previous vectors, for stable output */
		for (uint32_t j = 0; j < n; j++) {
			v[2 * j] = d0 < 0 ? -w[2 * j] : w[2 * j];
			v[2 * j + 1] = d1 < 0 ? -w[2 * j + 1] : w[2 * j + 1];
		}
		if (1.0 - c0 < tol && 1.0 - c1 < tol) {
			it++;
			break;
		}
	}
	for (uint32_t j = 0; j < n; j++) {
		comps[j] = v[2 * j];
		comps[n + j] = v[2 * j + 1];
	}
	free(v);
	free(w);
	free(cv);
	free(tab);
	if (by_cols) {
		csc2_free(&C);
		free(y);
	}
	return it;
}

/* Projection of part p of the listed rows (an nth each): rows are
 * independent, so parts run side by side. */
struct project_job {
	const struct pca_view *x;
	const double *tab;
	uint32_t n_cols_total, extra_n;
	unsigned n_parts;
	double *proj;
};

static void project_part(void *ctx, unsigned p)
{
	const struct project_job *j = ctx;
	const struct pca_view *x = j->x;
	const struct vote_csr *m = x->m;
	const uint32_t *col = m->col;
	const int8_t *val = m->val;
	const uint8_t *use = x->use_col;
	const double *tab = j->tab;
	uint32_t lo = (uint32_t)((uint64_t)x->n_rows * p / j->n_parts);
	uint32_t hi = (uint32_t)((uint64_t)x->n_rows * (p + 1) / j->n_parts);
	for (uint32_t i = lo; i < hi; i++) {
		uint32_t r = x->rows[i], nv = j->extra_n;
		double p0 = 0.0, p1 = 0.0;
		for (uint64_t k = m->row_ptr[r]; k < m->row_ptr[r + 1]; k++) {
			const double *t = tab + 6 * (size_t)col[k] + 2 * (size_t)(val[k] + 1);
			p0 += t[0];
			p1 += t[1];
			nv += use[col[k]];
		}
		double sc = sqrt((double)j->n_cols_total / (double)(nv > 1 ? nv : 1));
		j->proj[2 * (size_t)r] = sc * p0;
		j->proj[2 * (size_t)r + 1] = sc * p1;
	}
}

void pca_project_rows(const struct pca_view *x, const double *comps, uint32_t n_cols_total, uint32_t extra_n,
		      double *proj)
{
	const struct vote_csr *m = x->m;
	uint32_t n = m->n_cols;
	/* (v − centre)·pc per column and vote, 0 for a column not counted:
	 * one load pair per vote instead of four loads and a branch */
	double *tab = xmalloc((6 * (size_t)n + 1) * sizeof(*tab));
	for (uint32_t j = 0; j < n; j++)
		for (int v = -1; v <= 1; v++) {
			double d = (double)v - x->center[j];
			tab[6 * (size_t)j + 2 * (size_t)(v + 1)] = x->use_col[j] ? d * comps[j] : 0.0;
			tab[6 * (size_t)j + 2 * (size_t)(v + 1) + 1] = x->use_col[j] ? d * comps[n + j] : 0.0;
		}
	uint64_t nnz = vote_csr_nnz(m);
	struct project_job job = {
		.x = x, .tab = tab, .n_cols_total = n_cols_total, .extra_n = extra_n,
		.n_parts = nnz >= (1u << 18) ? par_threads() : 1, .proj = proj,
	};
	par_run(job.n_parts, project_part, &job);
	free(tab);
}
