/*
 * pca.c — sparse PCA by power iteration over the CSR, Pol.is's exact loop
 * for compat mode and a 2-vector block iteration for scale mode, plus the
 * sparsity-aware projection. Loops run rows in the given order and
 * columns in CSR order so results do not depend on anything else.
 */
#include "dialogue/analysis/pca.h"

#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* w = XₖᵀXₖ v where Xₖ is X with the components prev[0..n_prev) factored
 * out one after the other (Gram–Schmidt on rows, as pca.clj does). */
static void xtx_deflated(const struct pca_view *x, const double *prev, uint32_t n_prev,
			 const double *v, double *w, double *y, double *z)
{
	uint32_t n = x->m->n_cols, nr = x->n_rows;
	pca_xv(x, v, y);
	/* Row i of X_k is row i of X_{k-1} minus (row·pc / pc·pc) pc. */
	for (uint32_t c = 0; c < n_prev; c++) {
		const double *pc = prev + (size_t)c * n;
		double pp = dot(pc, pc, n);
		if (pp == 0.0)
			continue;
		/* z = X_c pc, computed from X and the earlier components */
		pca_xv(x, pc, z);
		for (uint32_t d = 0; d < c; d++) {
			const double *pd = prev + (size_t)d * n;
			double pdd = dot(pd, pd, n);
			if (pdd == 0.0)
				continue;
			/* not needed for n_comps = 2; kept general */
			double s = dot(pd, pc, n) / pdd;
			double *zd = xmalloc((size_t)nr * sizeof(*zd));
			pca_xv(x, pd, zd);
			for (uint32_t i = 0; i < nr; i++)
				z[i] -= zd[i] * s;
			free(zd);
		}
		double s = dot(pc, v, n) / pp;
		for (uint32_t i = 0; i < nr; i++)
			y[i] -= z[i] * s;
	}
	pca_xty(x, y, w);
	for (uint32_t c = 0; c < n_prev; c++) {
		const double *pc = prev + (size_t)c * n;
		double pp = dot(pc, pc, n);
		if (pp == 0.0)
			continue;
		pca_xv(x, pc, z);
		double s = dot(z, y, nr) / pp;
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
	double *w = xmalloc(((size_t)n + 1) * sizeof(*w));
	double *y = xmalloc(((size_t)x->n_rows + 1) * sizeof(*y));
	double *z = xmalloc(((size_t)x->n_rows + 1) * sizeof(*z));
	for (uint32_t c = 0; c < n_comps; c++) {
		double *v = comps + (size_t)c * n;
		double last = 0.0;
		int restarted = 0;
		for (uint32_t it = iters;; it--) {
			xtx_deflated(x, comps, c, v, w, y, z);
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
	}
	free(w);
	free(y);
	free(z);
	return products;
}

/* One pass: W = XᵀX V for both vectors together, V and W interleaved
 * (v[2j], v[2j+1]) so each column costs one cache line. cv[3j + v + 1]
 * is the centred value of vote v in column j (0 for unused columns). */
static void xtx2(const struct pca_view *x, const double *cv, const double *v, double *w)
{
	const struct vote_csr *m = x->m;
	const uint32_t *col = m->col;
	const int8_t *val = m->val;
	memset(w, 0, 2 * (size_t)m->n_cols * sizeof(*w));
	for (uint32_t i = 0; i < x->n_rows; i++) {
		uint32_t r = x->rows[i];
		uint64_t lo = m->row_ptr[r], hi = m->row_ptr[r + 1];
		double y0 = 0.0, y1 = 0.0;
		for (uint64_t k = lo; k < hi; k++) {
			size_t j = col[k];
			double d = cv[3 * j + (size_t)(val[k] + 1)];
			y0 += d * v[2 * j];
			y1 += d * v[2 * j + 1];
		}
		for (uint64_t k = lo; k < hi; k++) {
			size_t j = col[k];
			double d = cv[3 * j + (size_t)(val[k] + 1)];
			w[2 * j] += d * y0;
			w[2 * j + 1] += d * y1;
		}
	}
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

uint32_t pca_power_block2(const struct pca_view *x, uint32_t max_iters, double tol, double *comps)
{
	uint32_t n = x->m->n_cols, it;
	double *v = xmalloc((2 * (size_t)n + 1) * sizeof(*v));
	double *w = xmalloc((2 * (size_t)n + 1) * sizeof(*w));
	double *cv = xmalloc((3 * (size_t)n + 1) * sizeof(*cv));
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
		xtx2(x, cv, v, w);
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
	return it;
}

void pca_project_row(const struct pca_view *x, uint32_t r, const double *comps, uint32_t n_cols_total,
		     uint32_t extra_n, double out[2])
{
	const struct vote_csr *m = x->m;
	uint32_t n = m->n_cols, nv = extra_n;
	double p0 = 0.0, p1 = 0.0;
	for (uint64_t k = m->row_ptr[r]; k < m->row_ptr[r + 1]; k++) {
		uint32_t j = m->col[k];
		if (!x->use_col[j])
			continue;
		double d = (double)m->val[k] - x->center[j];
		p0 += d * comps[j];
		p1 += d * comps[n + j];
		nv++;
	}
	double s = sqrt((double)n_cols_total / (double)(nv > 1 ? nv : 1));
	out[0] = s * p0;
	out[1] = s * p1;
}
