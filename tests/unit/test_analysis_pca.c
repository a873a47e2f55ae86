/*
 * test_analysis_pca.c — sparse PCA: power iteration on a matrix with a
 * known eigen-decomposition, the sparse products against a dense
 * mean-imputed computation, the block iteration against Pol.is's loop,
 * and the sparsity-aware projection (including the mod-out quirk).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dialogue/analysis/pca.h"
#include "test_analysis_util.h"

static uint8_t all_cols[64];

/* Row r's projection, through the all-rows function. */
static void project_row(const struct pca_view *v, uint32_t r, const double *comps, uint32_t n_cols_total,
			uint32_t extra_n, double out[2])
{
	double proj[2 * 64];
	assert_true(v->n_rows <= 64);
	pca_project_rows(v, comps, n_cols_total, extra_n, proj);
	out[0] = proj[2 * r];
	out[1] = proj[2 * r + 1];
}

static void view_of(struct pca_view *v, const struct vote_csr *m, uint32_t *rows, double *center)
{
	for (uint32_t i = 0; i < m->n_rows; i++)
		rows[i] = i;
	memset(all_cols, 1, sizeof(all_cols));
	/* column means over voted cells: the mean imputation */
	for (uint32_t j = 0; j < m->n_cols; j++) {
		double s = 0;
		uint32_t n = 0;
		for (uint32_t i = 0; i < m->n_rows; i++)
			for (uint64_t k = m->row_ptr[i]; k < m->row_ptr[i + 1]; k++)
				if (m->col[k] == j) {
					s += m->val[k];
					n++;
				}
		center[j] = n ? s / n : 0;
	}
	v->m = m;
	v->rows = rows;
	v->n_rows = m->n_rows;
	v->use_col = all_cols;
	v->center = center;
}

/* XᵀX = [[4,2],[2,2]] (centre 0): eigenvalues 3 ± √5, leading vector
 * ∝ (2, √5 − 1). */
static void test_pca_power_iteration_known_matrix(void **state)
{
	(void)state;
	const char *rows[] = { "++", "--", "+.", "-." };
	struct vote_csr m;
	uint32_t r[4];
	double center[2], comps[4] = { 1, 1, 1, 1 };
	struct pca_view v;
	tu_csr(&m, rows, 4);
	view_of(&v, &m, r, center);
	assert_true(center[0] == 0.0 && center[1] == 0.0);
	uint32_t products = pca_power_polis(&v, 2, 100, comps);
	assert_true(products > 2);
	double e0 = 2.0, e1 = sqrt(5.0) - 1.0, n = sqrt(e0 * e0 + e1 * e1);
	assert_true(fabs(fabs(comps[0] * e0 / n + comps[1] * e1 / n) - 1.0) < 1e-12);
	/* the second component is orthogonal to the first */
	assert_true(fabs(comps[0] * comps[2] + comps[1] * comps[3]) < 1e-9);
	assert_true(fabs(comps[2] * comps[2] + comps[3] * comps[3] - 1.0) < 1e-9);
	vote_csr_free(&m);
}

/* X·v and Xᵀ·y on the CSR equal the dense products of the mean-imputed,
 * centred matrix (imputed cells are exactly zero after centring). */
static void test_pca_sparse_products_match_dense_imputed(void **state)
{
	(void)state;
	const char *rows[] = { "+-0.+", "..+-+", "-+.0.", "++--.", ".0+.-" };
	struct vote_csr m;
	uint32_t r[5];
	double center[5], v5[5] = { 0.3, -1.2, 0.7, 2.0, -0.4 }, y[5], w[5];
	double dense[5][5];
	struct pca_view v;
	tu_csr(&m, rows, 5);
	view_of(&v, &m, r, center);
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 5; j++) {
			char c = rows[i][j];
			double x = c == '+' ? 1 : c == '-' ? -1 : c == '0' ? 0 : center[j];
			dense[i][j] = x - center[j];
		}
	pca_xv(&v, v5, y);
	for (int i = 0; i < 5; i++) {
		double s = 0;
		for (int j = 0; j < 5; j++)
			s += dense[i][j] * v5[j];
		assert_true(fabs(s - y[i]) < 1e-12);
	}
	pca_xty(&v, y, w);
	for (int j = 0; j < 5; j++) {
		double s = 0;
		for (int i = 0; i < 5; i++)
			s += dense[i][j] * y[i];
		assert_true(fabs(s - w[j]) < 1e-12);
	}
	vote_csr_free(&m);
}

/* The one-pass block iteration finds the same two components. */
static void test_pca_block_iteration_matches_polis_loop(void **state)
{
	(void)state;
	const char *rows[] = { "++--+.", "+.--++", "--++-.", "-+++--", "++-.+0", "0-+.-+", "+---++", "-.+-.-" };
	struct vote_csr m;
	uint32_t r[8];
	double center[6], a[12], b[12];
	struct pca_view v;
	tu_csr(&m, rows, 8);
	view_of(&v, &m, r, center);
	for (int i = 0; i < 12; i++) {
		a[i] = 1.0;
		b[i] = i < 6 ? 1.0 : (i % 2 ? 1.0 : -1.0);
	}
	pca_power_polis(&v, 2, 1000, a);
	pca_power_block2(&v, 1000, 1e-14, b);
	for (int c = 0; c < 2; c++) {
		double d = 0;
		for (int j = 0; j < 6; j++)
			d += a[c * 6 + j] * b[c * 6 + j];
		if (!(fabs(fabs(d) - 1.0) < 1e-6))
			fail_msg("component %d: |cos| = %.12f", c, fabs(d));
	}
	vote_csr_free(&m);
}

/* Three camps of nearly equal size (40, 39, 38) give λ1 ≈ λ2: each vector
 * alone converges at λ2/λ1 ≈ 0.97 per product, the plane at λ3/λ2. The
 * block iteration must finish in a few dozen products with both vectors
 * eigenvectors of the dense XᵀX (small residual, λ1 first). */
static void test_pca_block_iteration_near_equal_eigenvalues(void **state)
{
	(void)state;
	enum { N = 117, C = 6 };
	static char buf[N][C + 1];
	const char *rows[N];
	for (int i = 0; i < N; i++) {
		int camp = i < 40 ? 0 : i < 79 ? 1 : 2;
		for (int j = 0; j < 3; j++)
			buf[i][j] = j == camp ? '+' : '-';
		/* weaker opinions that cut across the camps */
		buf[i][3] = i % 2 ? '+' : '-';
		buf[i][4] = i % 3 ? '.' : '+';
		buf[i][5] = i % 5 == 0 ? '-' : i % 5 == 1 ? '0' : '.';
		buf[i][C] = 0;
		rows[i] = buf[i];
	}
	struct vote_csr m;
	uint32_t r[N];
	double center[C], comps[2 * C], a[C][C] = { { 0 } };
	struct pca_view v;
	tu_csr(&m, rows, N);
	view_of(&v, &m, r, center);
	for (uint32_t i = 0; i < N; i++) {
		double x[C] = { 0 };
		for (uint64_t k = m.row_ptr[i]; k < m.row_ptr[i + 1]; k++)
			x[m.col[k]] = m.val[k] - center[m.col[k]];
		for (int j = 0; j < C; j++)
			for (int l = 0; l < C; l++)
				a[j][l] += x[j] * x[l];
	}
	for (int i = 0; i < 2 * C; i++)
		comps[i] = (i * 7 % 11) - 5.0; /* an arbitrary start */
	uint32_t products = pca_power_block2(&v, 1000, 1e-12, comps);
	if (products > 60)
		fail_msg("%u products", products);
	double theta[2];
	for (int c = 0; c < 2; c++) {
		double av[C], q = 0, res = 0, len = 0;
		for (int j = 0; j < C; j++) {
			av[j] = 0;
			for (int l = 0; l < C; l++)
				av[j] += a[j][l] * comps[c * C + l];
			q += comps[c * C + j] * av[j];
			len += comps[c * C + j] * comps[c * C + j];
		}
		for (int j = 0; j < C; j++)
			res += (av[j] - q * comps[c * C + j]) * (av[j] - q * comps[c * C + j]);
		theta[c] = q;
		assert_true(fabs(len - 1.0) < 1e-12);
		if (!(sqrt(res) < 1e-5 * q))
			fail_msg("component %d: residual %g against eigenvalue %g", c, sqrt(res), q);
	}
	assert_true(theta[0] >= theta[1] && theta[1] > 0.9 * theta[0]);
	vote_csr_free(&m);
}

/* Pol.is: p = Σ_voted (v − c)·pc, scaled by sqrt(C / n_voted); a row
 * with no counted vote is not divided by zero. */
static void test_pca_sparsity_aware_projection_by_hand(void **state)
{
	(void)state;
	const char *rows[] = { "+...", "-+..", "....", "+-+-" };
	struct vote_csr m;
	uint32_t r[4];
	double center[4], out[2];
	double comps[8] = { 0.5, 0.5, 0.5, 0.5, 1, 0, 0, 0 };
	struct pca_view v;
	tu_csr(&m, rows, 4);
	view_of(&v, &m, r, center);
	/* centres: col0 (1-1+1)/3, col1 0, col2 1, col3 -1 */
	assert_true(fabs(center[0] - 1.0 / 3) < 1e-15);
	project_row(&v, 0, comps, 4, 0, out);
	/* one vote: sqrt(4/1) · (1 − 1/3) · (0.5, 1) */
	assert_true(fabs(out[0] - 2.0 * (2.0 / 3) * 0.5) < 1e-12);
	assert_true(fabs(out[1] - 2.0 * (2.0 / 3)) < 1e-12);
	project_row(&v, 2, comps, 4, 0, out);
	assert_true(out[0] == 0.0 && out[1] == 0.0);
	/* Pol.is counts zeroed mod-out cells as votes: extra_n = 3 gives
	 * sqrt(4/4) instead of sqrt(4/1) */
	project_row(&v, 0, comps, 4, 3, out);
	assert_true(fabs(out[1] - 2.0 / 3) < 1e-12);
	vote_csr_free(&m);
}

/* Columns left out of the view (mod-out) neither move the components
 * nor count in the projection. */
static void test_pca_unused_columns_are_ignored(void **state)
{
	(void)state;
	const char *rows[] = { "++-", "--+", "+.-", "-.+" };
	struct vote_csr m;
	uint32_t r[4];
	double center[3], comps[6] = { 1, 1, 1, 1, 1, 1 }, out[2];
	struct pca_view v;
	uint8_t use[3] = { 1, 1, 0 };
	tu_csr(&m, rows, 4);
	view_of(&v, &m, r, center);
	v.use_col = use;
	pca_power_polis(&v, 2, 100, comps);
	assert_true(comps[2] == 0.0 && comps[5] == 0.0);
	project_row(&v, 2, comps, 2, 0, out);
	/* row 2 voted on column 0 only (column 2 is not counted) */
	assert_true(fabs(out[0] - sqrt(2.0) * (1.0 - center[0]) * comps[0]) < 1e-12);
	vote_csr_free(&m);
}

/* All votes equal: the centred matrix is zero; no NaN comes out. */
static void test_pca_zero_matrix_gives_zero_components(void **state)
{
	(void)state;
	const char *rows[] = { "++", "++", "++" };
	struct vote_csr m;
	uint32_t r[3];
	double center[2], comps[4] = { 1, 1, 1, 1 }, out[2];
	struct pca_view v;
	tu_csr(&m, rows, 3);
	view_of(&v, &m, r, center);
	pca_power_polis(&v, 2, 100, comps);
	for (int i = 0; i < 4; i++)
		assert_true(comps[i] == 0.0);
	pca_power_block2(&v, 10, 1e-9, comps);
	for (int i = 0; i < 4; i++)
		assert_false(isnan(comps[i]));
	project_row(&v, 0, comps, 2, 0, out);
	assert_true(out[0] == 0.0 && out[1] == 0.0);
	vote_csr_free(&m);
}

/* CSR construction: the later vote on the same cell wins, rows sorted. */
static void test_votes_csr_last_vote_wins_and_rows_sorted(void **state)
{
	(void)state;
	struct vote v[] = {
		{ .pid = 0, .tid = 2, .ts = 5, .value = 1 },  { .pid = 0, .tid = 0, .ts = 1, .value = -1 },
		{ .pid = 0, .tid = 2, .ts = 9, .value = -1 }, { .pid = 1, .tid = 1, .ts = 3, .value = 0 },
		{ .pid = 0, .tid = 2, .ts = 7, .value = 0 },  { .pid = 7, .tid = 0, .ts = 1, .value = 1 },
	};
	struct vote_csr m, t;
	vote_csr_build(&m, 2, 3, v, HM_ARRAY_LEN(v));
	assert_int_equal(vote_csr_nnz(&m), 3); /* pid 7 is out of range */
	assert_int_equal(m.col[0], 0);
	assert_int_equal(m.col[1], 2);
	assert_int_equal(m.val[1], -1); /* ts 9 wins over 5 and 7 */
	assert_int_equal(m.row_ptr[2], 3);
	vote_csr_transpose(&t, &m);
	assert_int_equal(t.n_rows, 3);
	assert_int_equal(t.row_ptr[3], 3);
	assert_int_equal(t.col[t.row_ptr[2]], 0);
	vote_csr_free(&m);
	vote_csr_free(&t);
	/* the row-by-row builder: last push wins */
	vote_csr_begin(&m, 4, 1, 1);
	vote_csr_push(&m, 3, 1);
	vote_csr_push(&m, 1, -1);
	vote_csr_push(&m, 3, -1);
	vote_csr_end_row(&m);
	vote_csr_end_row(&m);
	vote_csr_push(&m, 0, 0);
	vote_csr_end_row(&m);
	assert_int_equal(m.n_rows, 3);
	assert_int_equal(vote_csr_nnz(&m), 3);
	assert_int_equal(m.col[0], 1);
	assert_int_equal(m.val[1], -1);
	assert_int_equal(m.row_ptr[2], 2);
	vote_csr_free(&m);
}

/* Merging votes in place gives the matrix a rebuild from the whole log
 * gives: changed votes, new cells in old rows, new rows and columns,
 * repeats within the batch (the last wins), votes beyond the bounds
 * skipped, an empty batch, and an empty matrix to start from. */
static void test_votes_csr_merge_equals_rebuild(void **state)
{
	(void)state;
	uint64_t s = 42;
	for (int round = 0; round < 200; round++) {
		uint32_t rows0 = (uint32_t)(round % 7 == 0 ? 0 : 1 + round % 13);
		uint32_t cols0 = 1 + (uint32_t)(round % 9);
		uint32_t rows1 = rows0 + (uint32_t)(round % 3), cols1 = cols0 + (uint32_t)(round % 4 == 0);
		size_t n0 = rows0 ? (size_t)(round * 5 % 40) : 0, n1 = (size_t)(round % 11 == 0 ? 0 : round % 30 + 1);
		struct vote v[80];
		for (size_t i = 0; i < n0 + n1; i++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			uint32_t r = (uint32_t)(s >> 33);
			uint32_t nr = i < n0 ? rows0 : rows1 + 1, nc = i < n0 ? cols0 : cols1 + 1;
			v[i] = (struct vote){ .pid = r % nr, .tid = (r >> 8) % nc, .ts = (int64_t)i,
					      .value = (int8_t)((int)(r >> 16) % 3 - 1) };
		}
		struct vote_csr m, all;
		vote_csr_build(&m, rows0, cols0, v, n0);
		vote_csr_merge(&m, rows1, cols1, v + n0, n1);
		/* the rebuild skips the same out-of-bounds votes */
		vote_csr_build(&all, rows1, cols1, v, n0 + n1);
		if (m.n_rows != all.n_rows || m.n_cols != all.n_cols || vote_csr_nnz(&m) != vote_csr_nnz(&all))
			fail_msg("round %d: %u×%u, %llu votes; rebuild %u×%u, %llu", round, m.n_rows, m.n_cols,
				 (unsigned long long)vote_csr_nnz(&m), all.n_rows, all.n_cols,
				 (unsigned long long)vote_csr_nnz(&all));
		assert_memory_equal(m.row_ptr, all.row_ptr, ((size_t)rows1 + 1) * sizeof(*m.row_ptr));
		if (vote_csr_nnz(&m)) {
			assert_memory_equal(m.col, all.col, vote_csr_nnz(&m) * sizeof(*m.col));
			assert_memory_equal(m.val, all.val, vote_csr_nnz(&m));
		}
		vote_csr_free(&m);
		vote_csr_free(&all);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pca_power_iteration_known_matrix),
		cmocka_unit_test(test_pca_sparse_products_match_dense_imputed),
		cmocka_unit_test(test_pca_block_iteration_matches_polis_loop),
		cmocka_unit_test(test_pca_block_iteration_near_equal_eigenvalues),
		cmocka_unit_test(test_pca_sparsity_aware_projection_by_hand),
		cmocka_unit_test(test_pca_unused_columns_are_ignored),
		cmocka_unit_test(test_pca_zero_matrix_gives_zero_components),
		cmocka_unit_test(test_votes_csr_last_vote_wins_and_rows_sorted),
		cmocka_unit_test(test_votes_csr_merge_equals_rebuild),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
