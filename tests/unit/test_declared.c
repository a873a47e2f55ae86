/*
 * test_declared.c — declared-group analysis: counts, Pol.is repness
 * selection and the three consensus scores on a small hand-computed
 * conversation, plus the edge cases (empty group, single group, a
 * statement nobody in a group voted on, invalid input) and the Beta
 * quantile against reference values.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dialogue/analysis/declared.h"

/* '+' agree, '-' disagree, '0' pass, '.' not voted; one string per row. */
static void csr_from_rows(struct vote_csr *m, const char *const *rows, uint32_t n_rows)
{
	struct vote_log log;
	vote_log_init(&log);
	uint32_t n_cols = n_rows ? (uint32_t)strlen(rows[0]) : 0;
	for (uint32_t u = 0; u < n_rows; u++)
		for (uint32_t t = 0; rows[u][t]; t++)
			if (rows[u][t] != '.')
				vote_log_append(&log, u, t,
						rows[u][t] == '+' ? 1 : rows[u][t] == '-' ? -1 : 0, 0);
	vote_csr_build(m, n_rows, n_cols, log.v, log.n);
	vote_log_free(&log);
}

static int near(double a, double b, double tol)
{
	return fabs(a - b) <= tol;
}

/*
 * gov p0–p3, ngo p4–p7, biz p8 (one member), p9 declared nothing,
 * culture has no member. t0 everyone agrees; t1 gov agrees, ngo
 * disagrees, biz passes; t2 nobody in ngo voted; t3 splits gov and ngo
 * but is moderated out.
 */
static const char *const conv_rows[] = {
	"+++-", "+++-", "++--", "++0-", /* gov */
	"+-.+", "+-.+", "+-.+", "+-.+", /* ngo */
	"+0+.",                         /* biz */
	"+.+.",                         /* no group */
};
static const int32_t conv_groups[] = { 0, 0, 0, 0, 1, 1, 1, 1, 2, -1 };
static const char *const conv_names[] = { "gov", "ngo", "biz", "culture" };
static const uint8_t conv_excluded[] = { 0, 0, 0, 1 };

static void analyze_conv(struct vote_csr *m, struct declared_result *r, const uint8_t *excluded)
{
	struct declared_groups g = { 4, conv_names, conv_groups, 10 };
	struct declared_params p;
	csr_from_rows(m, conv_rows, 10);
	declared_params_default(&p);
	p.min_votes = 3;
	p.excluded = excluded;
	assert_int_equal(declared_analyze(m, &g, &p, r), HM_OK);
}

static void test_declared_counts_and_members(void **state)
{
	(void)state;
	struct vote_csr m;
	struct declared_result r;
	analyze_conv(&m, &r, conv_excluded);
	static const struct {
		uint32_t g, t, agree, disagree, seen;
	} cases[] = {
		{ 0, 0, 4, 0, 4 }, { 0, 1, 4, 0, 4 }, { 0, 2, 2, 1, 4 }, { 0, 3, 0, 4, 4 },
		{ 1, 0, 4, 0, 4 }, { 1, 1, 0, 4, 4 }, { 1, 2, 0, 0, 0 }, { 1, 3, 4, 0, 4 },
		{ 2, 0, 1, 0, 1 }, { 2, 1, 0, 0, 1 }, { 2, 2, 1, 0, 1 }, { 2, 3, 0, 0, 0 },
		{ 3, 0, 0, 0, 0 }, { 3, 3, 0, 0, 0 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		const struct declared_counts *c = &r.counts[cases[i].g * 4 + cases[i].t];
		if (c->agree != cases[i].agree || c->disagree != cases[i].disagree ||
		    c->seen != cases[i].seen)
			fail_msg("row %zu (g%u t%u): %u/%u/%u", i, cases[i].g, cases[i].t, c->agree,
				 c->disagree, c->seen);
	}
	/* overall counts include the participant with no group */
	assert_int_equal(r.statements[2].agree, 4);
	assert_int_equal(r.statements[2].disagree, 1);
	assert_int_equal(r.statements[2].seen, 6);
	static const struct {
		uint32_t members, voters;
		uint8_t insufficient;
	} groups[] = { { 4, 4, 0 }, { 4, 4, 0 }, { 1, 1, 1 }, { 0, 0, 1 } };
	for (uint32_t g = 0; g < 4; g++) {
		if (r.groups[g].n_members != groups[g].members ||
		    r.groups[g].n_voters != groups[g].voters ||
		    r.groups[g].insufficient != groups[g].insufficient)
			fail_msg("group %u: members %u voters %u insufficient %d", g,
				 r.groups[g].n_members, r.groups[g].n_voters, r.groups[g].insufficient);
		assert_string_equal(r.groups[g].name, conv_names[g]);
	}
	/* shrinkage, κ = 10: gov t1 (4 + 10·4/9)/14; ngo t2 has no vote: p_all */
	assert_true(near(r.agree_shrunk[0 * 4 + 0], 1.0, 1e-12));
	assert_true(near(r.agree_shrunk[0 * 4 + 1], (4 + 10 * 4.0 / 9) / 14, 1e-12));
	assert_true(near(r.agree_shrunk[1 * 4 + 2], 4.0 / 6, 1e-12));
	declared_result_free(&r);
	vote_csr_free(&m);
}

/* min_votes 3: biz (1 vote) and culture (none) are insufficient on every
 * statement; ngo on t2. Values derived by hand in the comments. */
static void test_declared_consensus_scores(void **state)
{
	(void)state;
	struct vote_csr m;
	struct declared_result r;
	analyze_conv(&m, &r, conv_excluded);
	static const struct {
		uint32_t t;
		double gac, geo, lower;
		int32_t lower_group;
		uint32_t n_suff, n_insuff;
	} cases[] = {
		/* (5/6)², 5/6, Beta(5,1): 0.1^(1/5), first of the equal groups */
		{ 0, 25.0 / 36, 5.0 / 6, 0.6309573444801932, 0, 2, 2 },
		/* 5/6 · 1/6, √5/6, Beta(1,5): 1 − 0.9^(1/5), ngo lowest */
		{ 1, 5.0 / 36, 0.37267799624996495, 0.02085163763902321, 1, 2, 2 },
		/* gov alone: 3/6; Beta(3,3) */
		{ 2, 0.5, 0.5, 0.2466364532884666, 0, 1, 3 },
		/* moderated out still has consensus scores (as Pol.is GAC) */
		{ 3, 5.0 / 36, 0.37267799624996495, 0.02085163763902321, 0, 2, 2 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		const struct declared_statement *s = &r.statements[cases[i].t];
		if (!near(s->gac, cases[i].gac, 1e-12) || !near(s->gac_geomean, cases[i].geo, 1e-12) ||
		    !near(s->min_lower, cases[i].lower, 1e-9) ||
		    s->min_lower_group != cases[i].lower_group ||
		    s->n_sufficient != cases[i].n_suff || s->n_insufficient != cases[i].n_insuff)
			fail_msg("row t%u: gac %.12f geo %.12f lower %.12f (group %d) suff %u insuff %u",
				 cases[i].t, s->gac, s->gac_geomean, s->min_lower, s->min_lower_group,
				 s->n_sufficient, s->n_insufficient);
	}
	declared_result_free(&r);
	vote_csr_free(&m);
}

/* Expected lists, by hand from the counts above (others = the pooled
 * other declared groups):
 * gov: t1 is significant for agree (pa 5/6, pat √5; ra (5/6)/(1/7) = 35/6,
 * rat 2.7639); t0 is its best agreed statement (pat √5), but Pol.is
 * finalises it by rat > rdt (rat 0, rdt 0.1427), so it reads "disagree"
 * and goes after the agrees.
 * ngo: t1 significant for disagree; best agree t0; t2 never (no ngo vote).
 * biz: nothing significant, so only its best agree t0.
 * culture: no member; with no vote no statement may stand for it. */
static void test_declared_repness_lists(void **state)
{
	(void)state;
	struct vote_csr m;
	struct declared_result r;
	analyze_conv(&m, &r, conv_excluded);
	static const struct {
		uint32_t g;
		uint32_t n;
		uint32_t tid[3];
		int8_t dir[3];
		uint8_t best_agree[3];
	} cases[] = {
		{ 0, 2, { 1, 0 }, { 1, -1 }, { 0, 1 } },
		{ 1, 2, { 0, 1 }, { -1, -1 }, { 1, 0 } },
		{ 2, 1, { 0 }, { -1 }, { 1 } },
		{ 3, 0, { 0 }, { 0 }, { 0 } },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		const struct declared_group_result *gr = &r.groups[cases[i].g];
		if (gr->n_reps != cases[i].n)
			fail_msg("group %u: %u reps", cases[i].g, gr->n_reps);
		for (uint32_t k = 0; k < gr->n_reps; k++)
			if (gr->reps[k].tid != cases[i].tid[k] ||
			    gr->reps[k].repful_for != cases[i].dir[k] ||
			    gr->reps[k].best_agree != cases[i].best_agree[k])
				fail_msg("group %u rep %u: t%u dir %d best %d", cases[i].g, k,
					 gr->reps[k].tid, gr->reps[k].repful_for,
					 gr->reps[k].best_agree);
	}
	const struct declared_rep *g1 = &r.groups[0].reps[0];
	assert_int_equal(g1->n_success, 4);
	assert_int_equal(g1->n_trials, 4);
	assert_true(near(g1->p_success, 5.0 / 6, 1e-12));
	assert_true(near(g1->p_test, sqrt(5), 1e-12));
	assert_true(near(g1->repness, 35.0 / 6, 1e-12));
	assert_true(near(g1->repness_test, (5.0 / 6) / sqrt(6.0 / 11 * 5.0 / 11 * (1.0 / 5 + 1.0 / 6)),
			 1e-12));
	declared_result_free(&r);
	vote_csr_free(&m);
}

/* Without the moderation list t3 becomes representative of gov (disagree,
 * sorted after t1 by the metric) and of ngo (agree). */
static void test_declared_excluded_statement_not_representative(void **state)
{
	(void)state;
	struct vote_csr m;
	struct declared_result r;
	analyze_conv(&m, &r, NULL);
	const struct declared_group_result *gov = &r.groups[0];
	assert_int_equal(gov->n_reps, 3);
	assert_int_equal(gov->reps[0].tid, 1);
	assert_int_equal(gov->reps[1].tid, 0);
	assert_int_equal(gov->reps[2].tid, 3);
	assert_int_equal(gov->reps[2].repful_for, -1);
	const struct declared_group_result *ngo = &r.groups[1];
	int has_t3 = 0;
	for (uint32_t k = 0; k < ngo->n_reps; k++)
		has_t3 |= ngo->reps[k].tid == 3 && ngo->reps[k].repful_for == 1;
	assert_true(has_t3);
	declared_result_free(&r);
	vote_csr_free(&m);

	analyze_conv(&m, &r, conv_excluded);
	for (uint32_t g = 0; g < 4; g++)
		for (uint32_t k = 0; k < r.groups[g].n_reps; k++)
			if (r.groups[g].reps[k].tid == 3)
				fail_msg("group %u lists the excluded statement", g);
	declared_result_free(&r);
	vote_csr_free(&m);
}

/* Everyone in one group: the pooled "others" are empty, nothing breaks,
 * consensus is that group's own rate. */
static void test_declared_single_group(void **state)
{
	(void)state;
	const char *rows[] = { "+-", "+-", "+0", "--", "+." };
	const int32_t groups[] = { 0, 0, 0, 0, 0 };
	struct vote_csr m;
	struct declared_result r;
	struct declared_params p;
	struct declared_groups g = { 1, NULL, groups, 5 };
	csr_from_rows(&m, rows, 5);
	declared_params_default(&p);
	assert_int_equal(declared_analyze(&m, &g, &p, &r), HM_OK);
	assert_null(r.groups[0].name);
	assert_int_equal(r.statements[0].n_sufficient, 1);
	assert_true(near(r.statements[0].gac, 5.0 / 7, 1e-12));
	assert_true(near(r.statements[0].gac_geomean, 5.0 / 7, 1e-12));
	/* t1 has 4 votes < 5: insufficient, all scores 0 */
	assert_int_equal(r.statements[1].n_sufficient, 0);
	assert_int_equal(r.statements[1].n_insufficient, 1);
	assert_true(r.statements[1].gac == 0 && r.statements[1].min_lower == 0);
	assert_int_equal(r.statements[1].min_lower_group, -1);
	assert_true(r.groups[0].n_reps >= 1 && r.groups[0].n_reps <= DECLARED_MAX_REPS);
	for (uint32_t k = 0; k < r.groups[0].n_reps; k++)
		assert_true(isfinite(r.groups[0].reps[k].repness_test));
	declared_result_free(&r);
	vote_csr_free(&m);
}

/* No groups at all, no votes, rows beyond group_of: valid and empty. */
static void test_declared_empty_inputs(void **state)
{
	(void)state;
	struct vote_csr m;
	struct declared_result r;
	struct declared_params p;
	declared_params_default(&p);

	const char *rows[] = { "+-", "-+", "++" };
	csr_from_rows(&m, rows, 3);
	struct declared_groups none = { 0, NULL, NULL, 0 };
	assert_int_equal(declared_analyze(&m, &none, &p, &r), HM_OK);
	assert_int_equal(r.statements[0].seen, 3);
	assert_int_equal(r.statements[0].n_sufficient, 0);
	declared_result_free(&r);

	/* group_of covers only the first row: the others have no group */
	const int32_t short_groups[] = { 0 };
	struct declared_groups g = { 1, NULL, short_groups, 1 };
	assert_int_equal(declared_analyze(&m, &g, &p, &r), HM_OK);
	assert_int_equal(r.groups[0].n_members, 1);
	assert_int_equal(r.counts[0].seen, 1);
	declared_result_free(&r);
	vote_csr_free(&m);

	csr_from_rows(&m, NULL, 0);
	assert_int_equal(declared_analyze(&m, &none, &p, &r), HM_OK);
	assert_int_equal(r.n_statements, 0);
	declared_result_free(&r);
	vote_csr_free(&m);
}

static void test_declared_rejects_invalid(void **state)
{
	(void)state;
	const char *rows[] = { "+", "-" };
	struct vote_csr m;
	struct declared_result r;
	struct declared_params p;
	csr_from_rows(&m, rows, 2);
	static const struct {
		const char *id;
		int32_t g0, g1;
		double q, kappa;
	} cases[] = {
		{ "group id too large", 0, 2, 0.1, 10 },
		{ "group id below -1", -2, 0, 0.1, 10 },
		{ "quantile 0", 0, 1, 0.0, 10 },
		{ "quantile 1", 0, 1, 1.0, 10 },
		{ "negative kappa", 0, 1, 0.1, -1 },
		{ "nan kappa", 0, 1, 0.1, NAN },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		int32_t groups[2] = { cases[i].g0, cases[i].g1 };
		struct declared_groups g = { 2, NULL, groups, 2 };
		declared_params_default(&p);
		p.lower_quantile = cases[i].q;
		p.kappa = cases[i].kappa;
		if (declared_analyze(&m, &g, &p, &r) != HM_EINVAL)
			fail_msg("case %s accepted", cases[i].id);
		declared_result_free(&r);
	}
	vote_csr_free(&m);
}

static void test_declared_beta_quantile_reference(void **state)
{
	(void)state;
	/* reference: scipy.stats.beta.ppf(0.1, a, b) */
	static const struct {
		double a, b, x;
	} cases[] = {
		{ 1, 1, 0.1 },
		{ 2, 1, 0.31622776601683794 },
		{ 1, 2, 0.051316701949486204 },
		{ 6, 2, 0.5474350566422003 },
		{ 4, 8, 0.16923334198206869 },
		{ 101, 1, 0.977460035646151 },
		{ 1, 101, 0.0010426295061095932 },
		{ 501, 500, 0.48024956383880707 },
		{ 9001, 1001, 0.8960577223702538 },
		{ 3, 40000, 2.755056491615869e-05 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		double x = declared_beta_quantile(cases[i].a, cases[i].b, 0.1);
		if (!(fabs(x - cases[i].x) <= 1e-9 * cases[i].x))
			fail_msg("Beta(%g, %g): %.17g, want %.17g", cases[i].a, cases[i].b, x,
				 cases[i].x);
	}
	static const struct {
		double a, b, q;
	} bad[] = { { 0, 1, 0.1 }, { 1, -1, 0.1 }, { 1, 1, 0 }, { 1, 1, 1 }, { 1, 1, NAN } };
	for (size_t i = 0; i < HM_ARRAY_LEN(bad); i++)
		if (!isnan(declared_beta_quantile(bad[i].a, bad[i].b, bad[i].q)))
			fail_msg("bad row %zu gave a number", i);
}

static void test_declared_prop_tests(void **state)
{
	(void)state;
	static const struct {
		double s1, s2, n1, n2, z;
	} two[] = {
		{ 4, 0, 4, 5, (1 - 1.0 / 6) / 0.30151134457776363 },
		{ 4, 5, 4, 5, 0 }, /* pooled rate 1 */
		{ 0, 4, 4, 5, (0.2 - 5.0 / 6) / 0.30151134457776363 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(two); i++) {
		double z = declared_two_prop_test(two[i].s1, two[i].s2, two[i].n1, two[i].n2);
		if (!near(z, two[i].z, 1e-9))
			fail_msg("two-prop row %zu: %.12f", i, z);
	}
	assert_true(near(declared_prop_test(4, 4), sqrt(5), 1e-12));
	assert_true(near(declared_prop_test(0, 0), 1.0, 1e-12));
	assert_true(declared_prop_test(0, 10) < -1.2816);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declared_counts_and_members),
		cmocka_unit_test(test_declared_consensus_scores),
		cmocka_unit_test(test_declared_repness_lists),
		cmocka_unit_test(test_declared_excluded_statement_not_representative),
		cmocka_unit_test(test_declared_single_group),
		cmocka_unit_test(test_declared_empty_inputs),
		cmocka_unit_test(test_declared_rejects_invalid),
		cmocka_unit_test(test_declared_beta_quantile_reference),
		cmocka_unit_test(test_declared_prop_tests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
