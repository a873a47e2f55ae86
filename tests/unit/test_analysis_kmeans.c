/*
 * test_analysis_kmeans.c — Pol.is's k-means: cold init on the first k
 * distinct points, last-wins ties, warm starts keeping ids, splitting off
 * the most distal point, weighted means; silhouette and adjusted Rand
 * index by hand; the scale-mode Lloyd k-means on separated blobs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "dialogue/analysis/kmeans.h"

static const uint32_t names10[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

static int32_t cluster_of(const struct kclust *c, uint32_t name)
{
	for (uint32_t i = 0; i < c->n; i++)
		for (uint32_t m = c->mptr[i]; m < c->mptr[i + 1]; m++)
			if (c->members[m] == name)
				return c->id[i];
	return -1;
}

static void test_kmeans_init_takes_first_distinct_points(void **state)
{
	(void)state;
	/* duplicates of the first point are skipped by the init */
	double xy[] = { 0, 0, 0, 0, 5, 5, 10, 10, 10, 10 };
	struct kpoints p = { .n = 5, .xy = xy, .names = names10, .name_bound = 10 };
	struct kclust c;
	kclust_init(&c);
	kmeans_polis(&c, &p, 2, 0, NULL, 1);
	/* one step from centres (0,0) and (5,5): (10,10) joins id 1 */
	assert_int_equal(c.n, 2);
	assert_int_equal(c.id[0], 0);
	assert_int_equal(c.id[1], 1);
	assert_int_equal(cluster_of(&c, 1), 0);
	assert_int_equal(cluster_of(&c, 3), 1);
	assert_true(fabs(c.center[2] - 25.0 / 3) < 1e-12);
	kclust_free(&c);
}

/* A point at equal distance from two centres goes to the later one
 * (Clojure's min-key keeps the last of equal keys). */
static void test_kmeans_tie_goes_to_last_cluster(void **state)
{
	(void)state;
	double xy[] = { -1, 0, 1, 0, 0, 0 };
	struct kpoints p = { .n = 3, .xy = xy, .names = names10, .name_bound = 10 };
	struct kclust c;
	kclust_init(&c);
	kmeans_polis(&c, &p, 2, 0, NULL, 0);
	assert_int_equal(cluster_of(&c, 2), 1);
	assert_int_equal(c.mptr[1], 1);
	kclust_free(&c);
}

/* Fewer distinct points than k: as many clusters as points. */
static void test_kmeans_k_above_distinct_points(void **state)
{
	(void)state;
	double xy[] = { 1, 1, 1, 1, 2, 2 };
	struct kpoints p = { .n = 3, .xy = xy, .names = names10, .name_bound = 10 };
	struct kclust c;
	kclust_init(&c);
	kmeans_polis(&c, &p, 100, 100, NULL, 1);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.mptr[1] - c.mptr[0], 2);
	kclust_free(&c);
}

/* Warm start: ids of the last clustering survive; a new cluster for the
 * most distal point gets max id + 1. */
static void test_kmeans_warm_start_keeps_ids_and_splits_distal(void **state)
{
	(void)state;
	double xy[] = { 0, 0, 0.1, 0, 9, 0, 20, 0 };
	struct kpoints p = { .n = 4, .xy = xy, .names = names10, .name_bound = 10 };
	int32_t ids[] = { 7 };
	double centers[] = { 0, 0 };
	uint32_t mptr[] = { 0, 4 };
	uint32_t members[] = { 0, 1, 2, 3 };
	struct kclust last = { .n = 1, .id = ids, .center = centers, .mptr = mptr, .members = members };
	struct kclust c;
	kclust_init(&c);
	kmeans_polis(&c, &p, 2, 20, &last, 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.id[0], 7);
	assert_int_equal(c.id[1], 8);
	assert_int_equal(cluster_of(&c, 3), 8); /* 20 was farthest from the mean 7.275 */
	assert_int_equal(cluster_of(&c, 0), 7);
	kclust_free(&c);
}

/* Weighted means: a heavy point pulls the centre. */
static void test_kmeans_weighted_mean(void **state)
{
	(void)state;
	double xy[] = { 0, 0, 3, 0, 100, 0 };
	double w[] = { 1, 2, 1 };
	struct kpoints p = { .n = 3, .xy = xy, .names = names10, .w = w, .name_bound = 10 };
	struct kclust c;
	kclust_init(&c);
	kmeans_polis(&c, &p, 2, 20, NULL, 0);
	assert_int_equal(c.n, 2);
	assert_true(fabs(c.center[0] - 2.0) < 1e-12); /* (0·1 + 3·2) / 3 */
	kclust_free(&c);
}

static void test_silhouette_by_hand(void **state)
{
	(void)state;
	double xy[] = { 0, 0, 1, 0, 10, 0, 11, 0 };
	int32_t lab[] = { 0, 0, 1, 1 };
	double want = (9.5 / 10.5 + 8.5 / 9.5) / 2;
	assert_true(fabs(kmeans_silhouette(xy, 4, lab, 2) - want) < 1e-12);
	/* a singleton scores 0: (s(0) + s(1) + 0) / 3 with 1 and 2 together */
	int32_t lab2[] = { 0, 1, 1, -1 };
	double s0 = 0.0; /* alone */
	double s1 = (1.0 - 9.0) / 9.0, s2 = (10.0 - 9.0) / 10.0;
	assert_true(fabs(kmeans_silhouette(xy, 4, lab2, 2) - (s0 + s1 + s2) / 3) < 1e-12);
	/* sampling every member is the exact value */
	assert_true(fabs(kmeans_silhouette_sampled(xy, 4, lab, 2, 100) - want) < 1e-12);
}

static void test_adjusted_rand_index_cases(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		int32_t a[6], b[6];
		uint32_t n;
		double want;
	} rows[] = {
		{ "identical", { 0, 0, 1, 1, 2, 2 }, { 0, 0, 1, 1, 2, 2 }, 6, 1.0 },
		{ "renamed", { 0, 0, 1, 1, 2, 2 }, { 5, 5, 3, 3, 0, 0 }, 6, 1.0 },
		{ "crossed", { 0, 0, 1, 1 }, { 0, 1, 0, 1 }, 4, -0.5 },
		{ "unclustered ignored", { 0, 0, 1, 1, -1, 0 }, { 1, 1, 0, 0, 0, -1 }, 6, 1.0 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		double got = adjusted_rand_index(rows[i].a, rows[i].b, rows[i].n);
		if (fabs(got - rows[i].want) > 1e-12)
			fail_msg("%s: ARI %.6f, want %.6f", rows[i].id, got, rows[i].want);
	}
}

/* The medoid is the labeling the others agree with most: relabelled
 * copies count as the same partition, -1 points are left out, ties go
 * to the earliest. */
static void test_labeling_medoid(void **state)
{
	(void)state;
	enum { N = 8 };
	/* 0: an outlier partition; 1 and 3: the majority split under
	 * different names; 2: close to the majority; 4: everyone together */
	const int32_t five[5][N] = {
		{ 0, 1, 0, 1, 0, 1, 0, 1 },
		{ 0, 0, 0, 0, 1, 1, 1, 1 },
		{ 0, 0, 0, 1, 1, 1, 1, 1 },
		{ 1, 1, 1, 1, 0, 0, 0, 0 },
		{ 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	assert_int_equal(labeling_medoid(&five[0][0], NULL, 5, N), 1);
	/* two labelings: each agrees with the other alike, the first wins */
	assert_int_equal(labeling_medoid(&five[0][0], NULL, 2, N), 0);
	/* one labeling is its own medoid */
	assert_int_equal(labeling_medoid(&five[2][0], NULL, 1, N), 0);
	/* points a labeling leaves out (-1) do not count: 0 and 2 agree
	 * wholly on the points both label, so 2 (which also shares a little
	 * with 1) comes first, and 0 next */
	const int32_t part[3][N] = {
		{ 0, 0, 0, 1, -1, -1, -1, -1 },
		{ 0, 0, 1, 1, 1, 1, 1, 1 },
		{ 5, 5, 5, 7, -1, 2, -1, 2 },
	};
	assert_int_equal(labeling_medoid(&part[0][0], NULL, 3, N), 2);
}

/* Two partitions, five copies each under different names: every copy's
 * sum is the same up to rounding, so the first labeling must win. */
static void test_labeling_medoid_tie_within_rounding(void **state)
{
	(void)state;
	enum { N = 40, M = 10 };
	uint64_t s = 11;
	int32_t lab[M][N];
	double w[N];
	for (int round = 0; round < 300; round++) {
		int32_t a[N], b[N];
		for (uint32_t i = 0; i < N; i++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			a[i] = (int32_t)((s >> 33) % 3);
			b[i] = (int32_t)((s >> 41) % 4);
			w[i] = (double)((s >> 50) % 7 + 1) / 3.0;
		}
		for (uint32_t c = 0; c < M; c++)
			for (uint32_t i = 0; i < N; i++)
				lab[c][i] = c < M / 2 ? (a[i] + (int32_t)c) % 3 : (b[i] * 7 + (int32_t)c) % 11;
		uint32_t got = labeling_medoid(&lab[0][0], round % 2 ? w : NULL, M, N);
		double ab = adjusted_rand_index_w(a, b, round % 2 ? w : NULL, N);
		if (ab < 0.999 && got != 0)
			fail_msg("round %d: labeling %u kept over the first of an equal five", round, got);
	}
}

/* A weighted point counts as that many points with its labels. */
static void test_adjusted_rand_index_weights_repeat_points(void **state)
{
	(void)state;
	enum { N = 12, MAXW = 5 };
	uint64_t s = 7;
	for (int round = 0; round < 200; round++) {
		int32_t a[N], b[N], ea[N * MAXW], eb[N * MAXW];
		double w[N];
		uint32_t e = 0;
		for (uint32_t i = 0; i < N; i++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			a[i] = (int32_t)((s >> 33) % 4) - 1; /* -1: not clustered */
			b[i] = (int32_t)((s >> 40) % 3);
			w[i] = (double)((s >> 50) % MAXW + 1);
			for (int k = 0; k < (int)w[i]; k++) {
				ea[e] = a[i];
				eb[e] = b[i];
				e++;
			}
		}
		double want = adjusted_rand_index(ea, eb, e), got = adjusted_rand_index_w(a, b, w, N);
		if (fabs(got - want) > 1e-12)
			fail_msg("round %d: weighted ARI %.15f, repeated points %.15f", round, got, want);
	}
}

static void test_lloyd_recovers_blobs_deterministically(void **state)
{
	(void)state;
	enum { N = 600 };
	static double xy[2 * N];
	static int32_t lab[N], lab2[N], truth[N];
	double c1[6], c2[6];
	uint64_t s = 42;
	for (int i = 0; i < N; i++) {
		int g = i % 3;
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		double u = (double)(s >> 11) / 9007199254740992.0;
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		double v = (double)(s >> 11) / 9007199254740992.0;
		xy[2 * i] = g * 10.0 + u;
		xy[2 * i + 1] = (g == 1 ? 10.0 : 0.0) + v;
		truth[i] = g;
	}
	assert_int_equal(kmeans_lloyd(xy, NULL, N, 3, 100, 0, c1, lab), 3);
	assert_true(adjusted_rand_index(lab, truth, N) > 0.999);
	assert_int_equal(kmeans_lloyd(xy, NULL, N, 3, 100, 0, c2, lab2), 3);
	assert_memory_equal(lab, lab2, sizeof(lab));
	assert_memory_equal(c1, c2, sizeof(c1));
	/* warm start from the result does not move */
	assert_int_equal(kmeans_lloyd(xy, NULL, N, 3, 100, 1, c2, lab2), 3);
	assert_memory_equal(lab, lab2, sizeof(lab));
}

/* Plain Lloyd for the test below: every point against every centre, the
 * first of equal distances wins, means in point order, empty clusters
 * dropped at the end. */
static uint32_t plain_lloyd(const double *xy, const double *w, uint32_t n, uint32_t k, uint32_t iters,
			    double *c, int32_t *lab)
{
	double acc[3 * 64];
	for (uint32_t i = 0; i < n; i++)
		lab[i] = -1;
	for (uint32_t it = 0; it < iters; it++) {
		uint32_t changed = 0;
		memset(acc, 0, sizeof(acc));
		for (uint32_t i = 0; i < n; i++) {
			double bd = INFINITY;
			int32_t best = 0;
			for (uint32_t j = 0; j < k; j++) {
				double dx = xy[2 * i] - c[2 * j], dy = xy[2 * i + 1] - c[2 * j + 1];
				if (dx * dx + dy * dy < bd) {
					bd = dx * dx + dy * dy;
					best = (int32_t)j;
				}
			}
			changed += lab[i] != best;
			lab[i] = best;
			acc[3 * best] += w[i] * xy[2 * i];
			acc[3 * best + 1] += w[i] * xy[2 * i + 1];
			acc[3 * best + 2] += w[i];
		}
		for (uint32_t j = 0; j < k; j++)
			if (acc[3 * j + 2] > 0.0) {
				c[2 * j] = acc[3 * j] / acc[3 * j + 2];
				c[2 * j + 1] = acc[3 * j + 1] / acc[3 * j + 2];
			}
		if (!changed)
			break;
	}
	uint32_t used = 0, remap[64], cnt[64] = { 0 };
	for (uint32_t i = 0; i < n; i++)
		cnt[lab[i]]++;
	for (uint32_t j = 0; j < k; j++)
		if (cnt[j]) {
			c[2 * used] = c[2 * j];
			c[2 * used + 1] = c[2 * j + 1];
			remap[j] = used++;
		}
	for (uint32_t i = 0; i < n; i++)
		lab[i] = (int32_t)remap[lab[i]];
	return used;
}

/* kmeans_lloyd skips the search for points its bounds prove unmoved and
 * walks centres in x order: the labels and centres must be exactly plain
 * Lloyd's, on integer points where distances tie (two centres start at
 * the same place) and with weights. */
static void test_lloyd_bounds_give_plain_lloyd_exactly(void **state)
{
	(void)state;
	enum { N = 4000, K = 40 };
	static double xy[2 * N], w[N];
	static int32_t got[N], want[N];
	double c1[2 * K], c2[2 * K];
	uint64_t s = 7;
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < N; i++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			/* four blobs of integer points, some repeated */
			int g = (int)(s >> 60) % 4;
			xy[2 * i] = (double)((s >> 20) % 30) + 40.0 * (g & 1);
			xy[2 * i + 1] = (double)((s >> 40) % 30) + 40.0 * (g >> 1);
			w[i] = round % 2 ? 1.0 : 1.0 + (double)((s >> 8) % 3);
		}
		for (int j = 0; j < K; j++) {
			int at = j == 1 ? 0 : (j * 97 + round) % N; /* centres 0 and 1 coincide */
			c1[2 * j] = c2[2 * j] = xy[2 * at];
			c1[2 * j + 1] = c2[2 * j + 1] = xy[2 * at + 1];
		}
		uint32_t a = kmeans_lloyd(xy, w, N, K, 100, 1, c1, got);
		uint32_t b = plain_lloyd(xy, w, N, K, 100, c2, want);
		assert_int_equal(a, b);
		assert_memory_equal(got, want, sizeof(got));
		assert_memory_equal(c1, c2, 2 * (size_t)a * sizeof(double));
	}
}

/* Starting from given centres; inertia by hand; k-means++ seeds are
 * points and repeat for the same seed. */
static void test_kmeans_from_centres_inertia_and_seeding(void **state)
{
	(void)state;
	double xy[] = { 0, 0, 1, 0, 10, 0, 12, 0 };
	double w[] = { 1, 1, 1, 3 };
	struct kpoints p = { .n = 4, .xy = xy, .names = names10, .w = w, .name_bound = 10 };
	double centers[4] = { 0.5, 0, 11, 0 };
	struct kclust c;
	kclust_init(&c);
	kmeans_polis_from(&c, &p, centers, 2, 20, 0);
	assert_int_equal(c.n, 2);
	/* centres (0.5, 0) and (10·1 + 12·3)/4 = 11.5 */
	assert_true(fabs(c.center[2] - 11.5) < 1e-12);
	double want = 0.25 + 0.25 + 1.5 * 1.5 + 3 * 0.5 * 0.5;
	assert_true(fabs(kclust_inertia(&c, &p) - want) < 1e-12);
	kclust_free(&c);
	double a[6], b[6];
	kmeans_pp_centers(&p, 3, 7, a);
	kmeans_pp_centers(&p, 3, 7, b);
	assert_memory_equal(a, b, sizeof(a));
	for (int i = 0; i < 3; i++) {
		int found = 0;
		for (int q = 0; q < 4; q++)
			found |= a[2 * i] == xy[2 * q] && a[2 * i + 1] == xy[2 * q + 1];
		assert_true(found);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmeans_init_takes_first_distinct_points),
		cmocka_unit_test(test_kmeans_tie_goes_to_last_cluster),
		cmocka_unit_test(test_kmeans_k_above_distinct_points),
		cmocka_unit_test(test_kmeans_warm_start_keeps_ids_and_splits_distal),
		cmocka_unit_test(test_kmeans_weighted_mean),
		cmocka_unit_test(test_silhouette_by_hand),
		cmocka_unit_test(test_adjusted_rand_index_cases),
		cmocka_unit_test(test_labeling_medoid),
		cmocka_unit_test(test_labeling_medoid_tie_within_rounding),
		cmocka_unit_test(test_adjusted_rand_index_weights_repeat_points),
		cmocka_unit_test(test_lloyd_recovers_blobs_deterministically),
		cmocka_unit_test(test_lloyd_bounds_give_plain_lloyd_exactly),
		cmocka_unit_test(test_kmeans_from_centres_inertia_and_seeding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
