/*
 * test_bridging.c — the bridging matrix factorisation: closed-form optima
 * of tiny problems, zero gradient and a true minimum on a larger one, the
 * sign of intercepts and factors for consensus vs partisan statements,
 * CN's prefilter and identification flip, determinism, and the start
 * factor.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dialogue/analysis/bridging.h"

/* Builds a CSR from one string per participant: '+' agree, '-' disagree,
 * '0' pass, '.' not voted; all rows have the same length. */
static void csr_from_rows(struct vote_csr *m, const char *const *rows, uint32_t n_rows)
{
	struct vote_log log;
	vote_log_init(&log);
	uint32_t n_cols = n_rows ? (uint32_t)strlen(rows[0]) : 0;
	for (uint32_t u = 0; u < n_rows; u++) {
		for (uint32_t t = 0; rows[u][t]; t++) {
			char c = rows[u][t];
			if (c == '.')
				continue;
			vote_log_append(&log, u, t, c == '+' ? 1 : c == '-' ? -1 : 0, 0);
		}
	}
	vote_csr_build(m, n_rows, n_cols, log.v, log.n);
	vote_log_free(&log);
}

/* Deterministic pseudo-random numbers for building test data. */
static uint64_t rng_state;
static double rng_unit(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Two camps: camp 0 agrees with "left" statements, camp 1 with "right"
 * ones; noise flips a vote with probability noise; some cells missing. */
static void csr_two_camps(struct vote_csr *m, uint32_t n0, uint32_t n1, const char *kinds,
			  double noise, double missing, uint64_t seed)
{
	uint32_t P = n0 + n1, C = (uint32_t)strlen(kinds);
	struct vote_log log;
	vote_log_init(&log);
	rng_state = seed;
	for (uint32_t u = 0; u < P; u++) {
		int camp = u >= n0;
		for (uint32_t t = 0; t < C; t++) {
			if (rng_unit() < missing)
				continue;
			int v;
			switch (kinds[t]) {
			case 'C': v = 1; break;                 /* common ground */
			case 'X': v = -1; break;                /* everyone disagrees */
			case 'L': v = camp == 0 ? 1 : -1; break;
			case 'R': v = camp == 1 ? 1 : -1; break;
			default: v = rng_unit() < 0.5 ? 1 : -1; break;
			}
			if (rng_unit() < noise)
				v = -v;
			vote_log_append(&log, u, t, v, 0);
		}
	}
	vote_csr_build(m, P, C, log.v, log.n);
	vote_log_free(&log);
}

static void params_exact(struct bridging_params *p)
{
	bridging_params_default(p);
	p->tolerance = 0;
	p->max_sweeps = 20000;
}

/* ---- closed-form optima of one rating ----
 * One participant, one statement (R = U = N = 1), rating r:
 *   L = (r − c − q)² + 0.05·c² + 0.06·q      with c = μ + i_u + i_n
 * split evenly over the three intercepts (equal λ) and q = f_u·f_n split
 * evenly over the two factors (|f_u| = |f_n| = √q). For r = 1 the factor
 * pays: ∂/∂q gives r − c − q = 0.03, ∂/∂c gives c = 0.6, so q = 0.37,
 * each intercept 0.2, L = 0.03² + 0.05·0.36 + 0.06·0.37 = 0.0411. For
 * r = 0.5 it does not (2·(0.5 − c) < 0.06 at c = 0.5/1.05): q = 0,
 * intercepts 0.5/3.15, L = 0.25·0.05/1.05. For r = 0 all is zero. */
static void test_bridging_single_rating_closed_form(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		const char *row;
		int pass_as_half;
		double intercept; /* each of μ, i_u, i_n */
		double product;   /* f_u·f_n */
		double loss;
	} cases[] = {
		{ "agree", "+", 0, 0.2, 0.37, 0.0411 },
		{ "disagree", "-", 0, 0.0, 0.0, 0.0 },
		{ "pass as half", "0", 1, 0.5 / 3.15, 0.0, 0.25 * 0.05 / 1.05 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		struct vote_csr m;
		struct bridging_params p;
		struct bridging_result r;
		const char *rows[] = { cases[i].row };
		csr_from_rows(&m, rows, 1);
		params_exact(&p);
		p.min_ratings_participant = 1;
		p.min_ratings_statement = 1;
		p.pass_as_half = cases[i].pass_as_half;
		assert_int_equal(bridging_fit(&m, &p, NULL, &r), HM_OK);
		printf("# %s: mu %.9f iu %.9f in %.9f fu %.9f fn %.9f L %.12f sweeps %u\n",
		       cases[i].id, r.mu, r.p_intercept[0], r.statements[0].intercept,
		       r.p_factor[0], r.statements[0].factor, r.loss, r.sweeps);
		if (fabs(r.mu - cases[i].intercept) > 1e-6 ||
		    fabs(r.p_intercept[0] - cases[i].intercept) > 1e-6 ||
		    fabs(r.statements[0].intercept - cases[i].intercept) > 1e-6 ||
		    fabs(r.p_factor[0] * r.statements[0].factor - cases[i].product) > 1e-6 ||
		    fabs(fabs(r.p_factor[0]) - fabs(r.statements[0].factor)) > 1e-4 ||
		    fabs(r.loss - cases[i].loss) > 1e-9)
			fail_msg("case %s: optimum not reached", cases[i].id);
		assert_true(fabs(bridging_loss(&m, &p, &r) - r.loss) < 1e-12);
		bridging_result_free(&r);
		vote_csr_free(&m);
	}
}

/* Evaluates L with one parameter moved by h. which: 0 μ, 1 i_u, 2 f_u,
 * 3 i_n, 4 f_n. */
static double loss_moved(const struct vote_csr *m, const struct bridging_params *p,
			 struct bridging_result *r, int which, uint32_t k, double h)
{
	double *x = which == 0 ? &r->mu
		  : which == 1 ? &r->p_intercept[k]
		  : which == 2 ? &r->p_factor[k]
		  : which == 3 ? &r->statements[k].intercept
			       : &r->statements[k].factor;
	double keep = *x;
	*x = keep + h;
	double l = bridging_loss(m, p, r);
	*x = keep;
	return l;
}

/* At the returned fit the gradient of L (central differences) vanishes in
 * every parameter, and moving any parameter either way raises L. */
static void test_bridging_gradient_zero_at_solution(void **state)
{
	(void)state;
	struct vote_csr m;
	struct bridging_params p;
	struct bridging_result r;
	csr_two_camps(&m, 24, 16, "CCLLLRRRX??L", 0.15, 0.1, 7);
	params_exact(&p);
	p.tolerance = 1e-15;
	assert_int_equal(bridging_fit(&m, &p, NULL, &r), HM_OK);
	assert_true(r.converged);
	assert_true(r.n_fitted_statements == 12);
	assert_true(r.n_fitted_participants > 30);
	double l0 = bridging_loss(&m, &p, &r);
	assert_true(fabs(l0 - r.loss) < 1e-12);

	for (int which = 0; which < 5; which++) {
		uint32_t n = which == 0 ? 1 : which <= 2 ? r.n_participants : r.n_statements;
		for (uint32_t k = 0; k < n; k++) {
			if ((which == 1 || which == 2) && !r.p_fitted[k])
				continue; /* not in the loss */
			double h = 1e-5;
			double g = (loss_moved(&m, &p, &r, which, k, h) -
				    loss_moved(&m, &p, &r, which, k, -h)) / (2 * h);
			if (fabs(g) > 1e-6)
				fail_msg("param %d[%u]: gradient %g", which, k, g);
			double up = loss_moved(&m, &p, &r, which, k, 1e-3);
			double down = loss_moved(&m, &p, &r, which, k, -1e-3);
			if (!(up > l0 && down > l0))
				fail_msg("param %d[%u]: perturbed loss not higher", which, k);
		}
	}
	bridging_result_free(&r);
	vote_csr_free(&m);
}

/* Common ground gets a high intercept and a small factor and is labelled
 * bridging; partisan statements get a large |factor|, a low intercept and
 * no label; what everyone rejects gets a low intercept. */
static void test_bridging_sign_consensus_vs_partisan(void **state)
{
	(void)state;
	struct vote_csr m;
	struct bridging_params p;
	struct bridging_result r;
	const char *kinds = "CLLLRRRXCLR";
	csr_two_camps(&m, 30, 20, kinds, 0.05, 0.0, 11);
	bridging_params_default(&p);
	assert_int_equal(bridging_fit(&m, &p, NULL, &r), HM_OK);
	double max_partisan_intercept = -1e9, min_partisan_factor = 1e9;
	for (uint32_t t = 0; t < r.n_statements; t++) {
		const struct bridging_statement *s = &r.statements[t];
		printf("# %c i_n %+.3f f_n %+.3f net %d/%d bridging %d\n", kinds[t], s->intercept,
		       s->factor, s->net_agree_pos, s->net_agree_neg, s->bridging);
		assert_true(s->fitted);
		if (kinds[t] == 'L' || kinds[t] == 'R') {
			if (s->intercept > max_partisan_intercept)
				max_partisan_intercept = s->intercept;
			if (fabs(s->factor) < min_partisan_factor)
				min_partisan_factor = fabs(s->factor);
			if (s->bridging)
				fail_msg("partisan statement %u labelled bridging", t);
		}
	}
	for (uint32_t t = 0; t < r.n_statements; t++) {
		const struct bridging_statement *s = &r.statements[t];
		if (kinds[t] == 'C') {
			if (!(s->intercept >= 0.4 && s->intercept > max_partisan_intercept + 0.2))
				fail_msg("common statement %u: intercept %g", t, s->intercept);
			if (!(fabs(s->factor) < 0.5 && fabs(s->factor) < min_partisan_factor / 2))
				fail_msg("common statement %u: factor %g", t, s->factor);
			if (!s->bridging)
				fail_msg("common statement %u not labelled bridging", t);
			assert_true(s->net_agree_pos >= 4 && s->net_agree_neg >= 4);
		}
		if (kinds[t] == 'X') {
			assert_true(s->intercept < 0);
			assert_false(s->bridging);
		}
	}
	assert_true(min_partisan_factor > 0.5);
	/* left and right statements sit on opposite ends of the axis */
	assert_true(r.statements[1].factor * r.statements[4].factor < 0);
	/* identification: the larger camp (30 of 50) has negative factors
	 * (a few noisy voters may sit on the other side) */
	uint32_t neg0 = 0, neg1 = 0;
	for (uint32_t u = 0; u < 50; u++)
		*(u < 30 ? &neg0 : &neg1) += r.p_factor[u] < 0;
	assert_true(neg0 >= 27 && neg1 <= 3);
	assert_int_equal(r.n_bridging, 2);
	bridging_result_free(&r);
	vote_csr_free(&m);
}

/* CN's three-step prefilter: statements < 5 ratings, then participants
 * < 10 ratings, then statements again; passes are not ratings. */
static void test_bridging_prefilter_cases(void **state)
{
	(void)state;
	/* 7 participants × 12 statements. Statement 11 has 4 ratings (out in
	 * step 1). Participant 5 has 9 ratings and two passes (out unless
	 * passes count); participant 6 has 9 ratings on the statements left
	 * (out). Statement 10 has 5 ratings, two of them from participants 5
	 * and 6, so it falls in step 3 either way. */
	const char *rows[] = {
		"++++++++++.+",
		"----------.+",
		"+-+-+-+-+-++",
		"-+-+-+-+-++.",
		"+++++-----+.",
		"++++++++00+.",
		"++++++++..++",
	};
	static const struct {
		const char *id;
		int pass_as_half;
		uint8_t fitted_participant[7];
		uint8_t fitted_statement10, fitted_statement11;
	} cases[] = {
		{ "passes not ratings", 0, { 1, 1, 1, 1, 1, 0, 0 }, 0, 0 },
		{ "passes as half", 1, { 1, 1, 1, 1, 1, 1, 0 }, 0, 0 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		struct vote_csr m;
		struct bridging_params p;
		struct bridging_result r;
		csr_from_rows(&m, rows, 7);
		bridging_params_default(&p);
		p.pass_as_half = cases[i].pass_as_half;
		assert_int_equal(bridging_fit(&m, &p, NULL, &r), HM_OK);
		for (uint32_t u = 0; u < 7; u++)
			if (r.p_fitted[u] != cases[i].fitted_participant[u])
				fail_msg("case %s: participant %u fitted %d", cases[i].id, u,
					 r.p_fitted[u]);
		if (r.statements[10].fitted != cases[i].fitted_statement10 ||
		    r.statements[11].fitted != cases[i].fitted_statement11)
			fail_msg("case %s: statements 10/11 fitted %d/%d", cases[i].id,
				 r.statements[10].fitted, r.statements[11].fitted);
		for (uint32_t t = 0; t < 10; t++)
			if (!r.statements[t].fitted)
				fail_msg("case %s: statement %u not fitted", cases[i].id, t);
		/* not fitted means no parameters and no label */
		assert_true(r.p_factor[6] == 0 && r.p_intercept[6] == 0);
		assert_true(r.statements[11].intercept == 0 && !r.statements[11].bridging);
		assert_int_equal(r.n_fitted_statements, 10);
		bridging_result_free(&r);
		vote_csr_free(&m);
	}
}

/* Inputs that leave nothing to fit are not errors; bad params are. */
static void test_bridging_empty_and_invalid(void **state)
{
	(void)state;
	struct bridging_params p;
	struct bridging_result r;
	struct vote_csr m;

	/* no participants */
	csr_from_rows(&m, NULL, 0);
	bridging_params_default(&p);
	assert_int_equal(bridging_fit(&m, &p, NULL, &r), HM_OK);
	assert_int_equal(r.n_ratings, 0);
	bridging_result_free(&r);
	vote_csr_free(&m);

	/* only passes */
	const char *passes[] = { "0000000000", "0000000000", "0000000000",
				 "0000000000", "0000000000" };
	csr_from_rows(&m, passes, 5);
	assert_int_equal(bridging_fit(&m, &p, NULL, &r), HM_OK);
	assert_int_equal(r.n_ratings, 0);
	assert_int_equal(r.n_fitted_participants, 0);
	assert_int_equal(r.n_fitted_statements, 0);
	assert_false(r.statements[0].fitted);
	assert_true(isnan(bridging_loss(&m, &p, &r)));
	bridging_result_free(&r);

	/* invalid parameters */
	static const struct {
		const char *id;
		double lf, li;
		uint32_t sweeps;
	} bad[] = {
		{ "zero factor lambda", 0, 0.15, 100 },
		{ "negative intercept lambda", 0.03, -1, 100 },
		{ "nan lambda", NAN, 0.15, 100 },
		{ "no sweeps", 0.03, 0.15, 0 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(bad); i++) {
		bridging_params_default(&p);
		p.lambda_factor = bad[i].lf;
		p.lambda_intercept = bad[i].li;
		p.max_sweeps = bad[i].sweeps;
		if (bridging_fit(&m, &p, NULL, &r) != HM_EINVAL)
			fail_msg("case %s accepted", bad[i].id);
		bridging_result_free(&r);
	}
	vote_csr_free(&m);
}

/* Same input, same bytes; a warm start from the fit stays at it. */
static void test_bridging_deterministic_and_warm_start(void **state)
{
	(void)state;
	struct vote_csr m;
	struct bridging_params p;
	struct bridging_result a, b, w;
	csr_two_camps(&m, 35, 25, "CLRLR?CX?L", 0.1, 0.2, 3);
	bridging_params_default(&p);
	assert_int_equal(bridging_fit(&m, &p, NULL, &a), HM_OK);
	assert_int_equal(bridging_fit(&m, &p, NULL, &b), HM_OK);
	assert_true(a.converged);
	assert_memory_equal(a.p_intercept, b.p_intercept, a.n_participants * sizeof(double));
	assert_memory_equal(a.p_factor, b.p_factor, a.n_participants * sizeof(double));
	assert_memory_equal(a.statements, b.statements, a.n_statements * sizeof(*a.statements));
	assert_memory_equal(&a.mu, &b.mu, sizeof(double));

	assert_int_equal(bridging_fit(&m, &p, &a, &w), HM_OK);
	assert_true(w.sweeps < a.sweeps);
	for (uint32_t t = 0; t < w.n_statements; t++) {
		if (fabs(w.statements[t].intercept - a.statements[t].intercept) > 1e-4 ||
		    fabs(w.statements[t].factor - a.statements[t].factor) > 1e-4)
			fail_msg("statement %u moved on warm start", t);
	}
	bridging_result_free(&a);
	bridging_result_free(&b);
	bridging_result_free(&w);
	vote_csr_free(&m);
}

/* A start factor (here the planted camp axis, as the first principal
 * component would give) reaches the same optimum as the hash start, in no
 * more sweeps; a start that cannot be used (all zero, not finite) is the
 * hash start, byte for byte. */
static void test_bridging_start_factor_same_optimum(void **state)
{
	(void)state;
	struct vote_csr m;
	struct bridging_params p;
	struct bridging_result h, s, z;
	const char *kinds = "CLLRRX?CLRRL?C";
	uint32_t C = (uint32_t)strlen(kinds);
	double axis[16], zero[16], bad[16];
	for (uint32_t t = 0; t < C; t++) {
		axis[t] = kinds[t] == 'L' ? 0.3 : kinds[t] == 'R' ? -0.3 : 0.01;
		zero[t] = 0;
		bad[t] = t == 3 ? NAN : 1;
	}
	csr_two_camps(&m, 40, 30, kinds, 0.1, 0.15, 5);
	params_exact(&p);
	p.tolerance = 1e-15;
	assert_int_equal(bridging_fit(&m, &p, NULL, &h), HM_OK);
	p.start_factor = axis;
	assert_int_equal(bridging_fit(&m, &p, NULL, &s), HM_OK);
	assert_true(h.converged && s.converged);
	assert_true(fabs(h.loss - s.loss) < 1e-13);
	assert_int_equal(h.n_bridging, s.n_bridging);
	for (uint32_t t = 0; t < C; t++) {
		if (fabs(h.statements[t].intercept - s.statements[t].intercept) > 1e-6 ||
		    fabs(h.statements[t].factor - s.statements[t].factor) > 1e-6 ||
		    h.statements[t].bridging != s.statements[t].bridging)
			fail_msg("statement %u: start factor reached another optimum", t);
	}
	bridging_result_free(&s);

	/* at CN's tolerance the planted axis needs no more sweeps */
	bridging_params_default(&p);
	p.tolerance = 1e-7;
	assert_int_equal(bridging_fit(&m, &p, NULL, &z), HM_OK);
	p.start_factor = axis;
	assert_int_equal(bridging_fit(&m, &p, NULL, &s), HM_OK);
	printf("# sweeps to 1e-7: hash %u, axis %u\n", z.sweeps, s.sweeps);
	assert_true(s.sweeps <= z.sweeps);
	bridging_result_free(&s);

	const struct {
		const char *id;
		const double *start;
	} unusable[] = { { "all zero", zero }, { "not finite", bad } };
	for (size_t i = 0; i < HM_ARRAY_LEN(unusable); i++) {
		p.start_factor = unusable[i].start;
		assert_int_equal(bridging_fit(&m, &p, NULL, &s), HM_OK);
		if (s.sweeps != z.sweeps || memcmp(&s.mu, &z.mu, sizeof(double)) ||
		    memcmp(s.statements, z.statements, C * sizeof(*s.statements)) ||
		    memcmp(s.p_factor, z.p_factor, s.n_participants * sizeof(double)))
			fail_msg("case %s: not the hash start", unusable[i].id);
		bridging_result_free(&s);
	}
	bridging_result_free(&z);
	bridging_result_free(&h);
	vote_csr_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bridging_single_rating_closed_form),
		cmocka_unit_test(test_bridging_gradient_zero_at_solution),
		cmocka_unit_test(test_bridging_sign_consensus_vs_partisan),
		cmocka_unit_test(test_bridging_prefilter_cases),
		cmocka_unit_test(test_bridging_empty_and_invalid),
		cmocka_unit_test(test_bridging_deterministic_and_warm_start),
		cmocka_unit_test(test_bridging_start_factor_same_optimum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
