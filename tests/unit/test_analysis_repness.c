/*
 * test_analysis_repness.c — Pol.is's statistics on counts: the one- and
 * two-proportion tests (edge cases included), representative statements
 * on hand-computed counts (best-agree quirk included), majority
 * consensus, group-aware consensus and comment priorities.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dialogue/analysis/repness.h"

static void test_prop_test_values(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		double s, n, want;
	} rows[] = {
		{ "no votes", 0, 0, 1.0 },
		{ "half", 5, 10, 2 * sqrt(11.0) * (6.0 / 11 - 0.5) },
		{ "all", 10, 10, sqrt(11.0) },
		{ "none of ten", 0, 10, 2 * sqrt(11.0) * (1.0 / 11 - 0.5) },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (fabs(stats_prop_test(rows[i].s, rows[i].n) - rows[i].want) > 1e-12)
			fail_msg("%s: %.12f", rows[i].id, stats_prop_test(rows[i].s, rows[i].n));
}

static void test_two_prop_test_edges(void **state)
{
	(void)state;
	/* pooled proportion 1 (everyone succeeded) is defined as 0 */
	assert_true(stats_two_prop_test(3, 4, 3, 4) == 0.0);
	/* equal proportions: 0 */
	assert_true(fabs(stats_two_prop_test(4, 4, 9, 9)) < 1e-15);
	/* hand value: s = 6, 2; n = 11, 11 after +1 smoothing */
	double p1 = 6.0 / 11, p2 = 2.0 / 11, ph = 8.0 / 22;
	double want = (p1 - p2) / sqrt(ph * (1 - ph) * (2.0 / 11));
	assert_true(fabs(stats_two_prop_test(5, 1, 10, 10) - want) < 1e-12);
	/* antisymmetric */
	assert_true(fabs(stats_two_prop_test(1, 5, 10, 10) + want) < 1e-12);
	/* empty groups on both sides: finite */
	assert_true(isfinite(stats_two_prop_test(0, 0, 0, 0)));
}

/*
 * Two groups, three statements. Statement 0 splits them (group 0 agrees
 * 10/10, group 1 disagrees 10/10), statement 1 both agree, statement 2
 * was never voted on. Group 0: statement 0 is sufficient and also the
 * best-agree. Group 1: statement 0 is sufficient on the disagree side;
 * its best-agree is statement 1, which is labelled "disagree" because
 * rat > rdt fails on a tie (Pol.is's finalize rule), and comes first.
 */
static void test_repness_hand_computed(void **state)
{
	(void)state;
	uint32_t a[6] = { 10, 10, 0, 0, 10, 0 }, d[6] = { 0, 0, 0, 10, 0, 0 }, s[6] = { 10, 10, 0, 10, 10, 0 };
	struct repness_item out[2 * REPNESS_TOP];
	uint32_t n[2];
	repness_select(a, d, s, 2, 3, NULL, out, n);
	assert_int_equal(n[0], 1);
	assert_int_equal(out[0].tid, 0);
	assert_true(out[0].agree);
	assert_true(out[0].best_agree);
	assert_int_equal(out[0].n_agree, 10);
	assert_true(fabs(out[0].p_success - 11.0 / 12) < 1e-15);
	assert_true(fabs(out[0].p_test - sqrt(11.0)) < 1e-12);
	assert_true(fabs(out[0].repness - 11.0) < 1e-12);
	double p1 = 1.0, p2 = 1.0 / 11, ph = 12.0 / 22;
	double rat = (p1 - p2) / sqrt(ph * (1 - ph) * (2.0 / 11));
	assert_true(fabs(out[0].repness_test - (double)(float)rat) < 1e-15);

	const struct repness_item *g1 = out + REPNESS_TOP;
	assert_int_equal(n[1], 2);
	assert_int_equal(g1[0].tid, 1);
	assert_true(g1[0].best_agree);
	assert_false(g1[0].agree);
	assert_int_equal(g1[1].tid, 0);
	assert_false(g1[1].agree);
	assert_int_equal(g1[1].n_success, 10);
	assert_true(fabs(g1[1].repness - 11.0) < 1e-12);
	/* the never-voted statement 2 appears nowhere */
	for (int g = 0; g < 2; g++)
		for (uint32_t i = 0; i < n[g]; i++)
			assert_int_not_equal(out[g * REPNESS_TOP + i].tid, 2);
}

/* Skipped (mod-out) statements are never selected, and a group with no
 * significant statement still gets its single best one. */
static void test_repness_skip_and_fallback(void **state)
{
	(void)state;
	uint32_t a[4] = { 10, 1, 0, 1 }, d[4] = { 0, 1, 10, 1 }, s[4] = { 10, 3, 10, 3 };
	uint8_t skip[2] = { 1, 0 };
	struct repness_item out[2 * REPNESS_TOP];
	uint32_t n[2];
	repness_select(a, d, s, 2, 2, skip, out, n);
	for (int g = 0; g < 2; g++) {
		assert_int_equal(n[g], 1);
		assert_int_equal(out[g * REPNESS_TOP].tid, 1);
	}
}

/* At most five, sorted by repness metric, agrees before disagrees. */
static void test_repness_top_five_agrees_first(void **state)
{
	(void)state;
	enum { T = 8 };
	uint32_t a[2 * T], d[2 * T], s[2 * T];
	for (int t = 0; t < T; t++) {
		int agree_side = t % 2 == 0;
		a[t] = agree_side ? 20 + t : 0;
		d[t] = agree_side ? 0 : 20 + t;
		s[t] = 20 + t;
		a[T + t] = agree_side ? 0 : 20;
		d[T + t] = agree_side ? 20 : 0;
		s[T + t] = 20;
	}
	struct repness_item out[2 * REPNESS_TOP];
	uint32_t n[2];
	repness_select(a, d, s, 2, T, NULL, out, n);
	assert_int_equal(n[0], 5);
	int seen_disagree = 0;
	for (uint32_t i = 0; i < n[0]; i++) {
		if (!out[i].agree)
			seen_disagree = 1;
		else
			assert_false(seen_disagree);
	}
}

static void test_consensus_lists(void **state)
{
	(void)state;
	/* 0: 9/10 agree; 1: 5/10 agree (p = 0.5, not > 0.5); 2: 9/10 disagree;
	 * 3: 9/10 agree but not used; 4-9: 10/10 agree (top five cap) */
	uint32_t a[10] = { 9, 5, 0, 9, 10, 10, 10, 10, 10, 10 };
	uint32_t d[10] = { 0, 5, 9, 0, 0, 0, 0, 0, 0, 0 };
	uint32_t s[10] = { 10, 10, 10, 10, 10, 10, 10, 10, 10, 10 };
	uint8_t use[10] = { 1, 1, 1, 0, 1, 1, 1, 1, 1, 1 };
	struct repness_item ag[REPNESS_TOP], dg[REPNESS_TOP];
	uint32_t na, nd;
	consensus_select(a, d, s, 10, use, ag, &na, dg, &nd);
	assert_int_equal(na, 5);
	for (uint32_t i = 0; i < na; i++)
		assert_int_equal(ag[i].tid, 4 + i); /* ties keep statement order */
	assert_int_equal(nd, 1);
	assert_int_equal(dg[0].tid, 2);
	assert_int_equal(dg[0].n_success, 9);
	assert_true(fabs(dg[0].p_success - 10.0 / 12) < 1e-15);
	/* with the 10/10 ones unused, statement 0 leads */
	for (int t = 4; t < 10; t++)
		use[t] = 0;
	consensus_select(a, d, s, 10, use, ag, &na, dg, &nd);
	assert_int_equal(na, 1);
	assert_int_equal(ag[0].tid, 0);
}

static void test_group_aware_consensus_product(void **state)
{
	(void)state;
	uint32_t a[4] = { 1, 0, 3, 7 }, s[4] = { 2, 0, 4, 7 };
	/* statement 0: (2/4)·(4/6); statement 1: (1/2)·(8/9) */
	assert_true(fabs(gac_value(a, s, 2, 2, 0) - 1.0 / 3) < 1e-15);
	assert_true(fabs(gac_value(a, s, 2, 2, 1) - 0.5 * 8.0 / 9) < 1e-15);
	assert_true(gac_value(a, s, 0, 2, 0) == 1.0);
}

static void test_priority_formula_and_meta(void **state)
{
	(void)state;
	assert_true(priority_value(1, 5, 5, 10, 3.0) == 49.0);
	double imp = (1 - 2.0 / 6) * 1.5 * (3.0 / 6);
	double want = pow(imp * (1 + 8 * pow(2.0, -0.8)), 2);
	assert_true(fabs(priority_value(0, 2, 1, 4, 0.5) - want) < 1e-12);
	/* a new statement (S = 0) is boosted by the factor 9 */
	assert_true(fabs(priority_value(0, 0, 0, 0, 0) - pow(0.5 * 0.5 * 9, 2)) < 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prop_test_values),
		cmocka_unit_test(test_two_prop_test_edges),
		cmocka_unit_test(test_repness_hand_computed),
		cmocka_unit_test(test_repness_skip_and_fallback),
		cmocka_unit_test(test_repness_top_five_agrees_first),
		cmocka_unit_test(test_consensus_lists),
		cmocka_unit_test(test_group_aware_consensus_product),
		cmocka_unit_test(test_priority_formula_and_meta),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
