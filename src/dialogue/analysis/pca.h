/*
 * pca.h — principal components of the mean-imputed vote matrix without
 * ever forming it: with mean imputation the centred matrix is v − μ_j on
 * voted cells and exactly 0 elsewhere, so X·v and Xᵀ·y are O(nnz) passes
 * over the CSR (ALGORITHMS.md §4.4). Also the sparsity-aware projection
 * of participants and the projection of statements.
 */
#ifndef HM_DIALOGUE_PCA_H
#define HM_DIALOGUE_PCA_H

#include "dialogue/analysis/votes.h"

#include <stdint.h>

/* The matrix as PCA sees it: rows of m listed in rows[] (in that order),
 * columns with use_col[j] != 0; center[j] is subtracted from each vote. */
struct pca_view {
	const struct vote_csr *m;
	const uint32_t *rows;
	uint32_t n_rows;
	const uint8_t *use_col; /* n_cols entries */
	const double *center;   /* n_cols entries */
};

/* y = X v (one entry per listed row). */
void pca_xv(const struct pca_view *x, const double *v, double *y);
/* w = Xᵀ y (w has m->n_cols entries, zeroed first). */
void pca_xty(const struct pca_view *x, const double *y, double *w);

/*
 * Pol.is power iteration (pca.clj power-iteration + factor-matrix): for
 * each of n_comps components, start from comps[k] (overwritten with the
 * result), repeat w = XᵀXv, eig = ‖w‖, v = w/eig, at most iters+1 times
 * or until eig equals the previous eig exactly; later components work on
 * the matrix with the earlier ones factored out. comps is n_comps ×
 * n_cols, row-major. Returns the number of products computed.
 */
uint32_t pca_power_polis(const struct pca_view *x, uint32_t n_comps, uint32_t iters, double *comps);
/* Same loop, also stopping once the vector moves less than tol
 * (1 − |cos| < tol); tol = 0 is Pol.is's loop exactly. */
uint32_t pca_power_polis_tol(const struct pca_view *x, uint32_t n_comps, uint32_t iters, double tol,
			     double *comps);

/*
 * Block power (subspace) iteration for 2 components at once, one pass
 * over the CSR per iteration, a Rayleigh–Ritz rotation and Gram–Schmidt
 * between steps; stops when both vectors move less than tol (1 − |cos|)
 * or after max_iters. comps holds
 * the start vectors and receives the result. Returns the iterations run.
 */
uint32_t pca_power_block2(const struct pca_view *x, uint32_t max_iters, double tol, double *comps);

/*
 * Sparsity-aware projection of every row of x into proj[2r], proj[2r+1]
 * (pca.clj sparsity-aware-project-ptpt): p_k = Σ_voted (v − center)·comp_k,
 * scaled by sqrt(n_cols_total / max(n_voted + extra_n, 1)). Only columns
 * with use_col count as voted. Other entries of proj are left as they are.
 */
void pca_project_rows(const struct pca_view *x, const double *comps, uint32_t n_cols_total, uint32_t extra_n,
		      double *proj);

#endif
