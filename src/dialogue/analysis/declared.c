/*
 * declared.c — representative statements and consensus scores per declared
 * group (sector, country): one pass over the vote CSR into per-group
 * counters, then Pol.is's repness selection per group and three consensus
 * scores per statement.
 */
#include "dialogue/analysis/declared.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void declared_params_default(struct declared_params *p)
{
	memset(p, 0, sizeof(*p));
	p->min_votes = 5;
	p->kappa = 10;
	p->lower_quantile = 0.10;
	p->excluded = NULL;
}

void declared_result_free(struct declared_result *r)
{
	if (!r)
		return;
	free(r->counts);
	free(r->agree_shrunk);
	free(r->groups);
	free(r->statements);
	memset(r, 0, sizeof(*r));
}

/* ---- statistics ---- */

double declared_prop_test(double s, double n)
{
	return 2 * sqrt(n + 1) * ((s + 1) / (n + 1) - 0.5);
}

double declared_two_prop_test(double s1, double s2, double n1, double n2)
{
	s1 += 1;
	s2 += 1;
	n1 += 1;
	n2 += 1;
	double p1 = s1 / n1, p2 = s2 / n2, pp = (s1 + s2) / (n1 + n2);
	if (pp == 1)
		return 0;
	return (p1 - p2) / sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2));
}

void declared_repstats(const struct declared_counts *c, const struct declared_counts *o,
		       struct declared_repstats *out)
{
	double na = c->agree, nd = c->disagree, ns = c->seen;
	double oa = o->agree, od = o->disagree, os = o->seen;
	out->pa = (1 + na) / (2 + ns);
	out->pd = (1 + nd) / (2 + ns);
	out->pat = declared_prop_test(na, ns);
	out->pdt = declared_prop_test(nd, ns);
	out->ra = out->pa / ((1 + oa) / (2 + os));
	out->rd = out->pd / ((1 + od) / (2 + os));
	out->rat = declared_two_prop_test(na, oa, ns, os);
	out->rdt = declared_two_prop_test(nd, od, ns, os);
}

/* Regularised incomplete beta I_x(a, b) by its continued fraction
 * (modified Lentz), using I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction
 * converges slowly. */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1);
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	double h = d;
	for (int m = 1; m < 100000; m++) {
		double m2 = 2.0 * m;
		double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		double step = d * c;
		h *= step;
		if (fabs(step - 1) < 1e-15)
			break;
	}
	return h;
}

static double lbeta(double a, double b)
{
	return lgamma(a) + lgamma(b) - lgamma(a + b);
}

static double beta_cdf(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double front = exp(a * log(x) + b * log1p(-x) - lbeta(a, b));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double declared_beta_quantile(double a, double b, double q)
{
	if (!(a > 0 && b > 0) || !(q > 0 && q < 1))
		return NAN;
	double lo = 0, hi = 1, lb = lbeta(a, b);
	/* start from the normal approximation: z_q by Newton on Φ(z) = q */
	double z = 0;
	for (int it = 0; it < 50; it++) {
		double step = (0.5 * erfc(-z / M_SQRT2) - q) /
			      (exp(-0.5 * z * z) / sqrt(2 * M_PI));
		z -= step;
		if (fabs(step) < 1e-12)
			break;
	}
	double mean = a / (a + b), var = a * b / ((a + b) * (a + b) * (a + b + 1));
	double x = mean + z * sqrt(var);
	if (!(x > 0 && x < 1))
		x = mean;
	for (int it = 0; it < 200; it++) {
		double f = beta_cdf(a, b, x) - q;
		if (f == 0)
			return x;
		if (f < 0)
			lo = x;
		else
			hi = x;
		double dens = exp((a - 1) * log(x) + (b - 1) * log1p(-x) - lb);
		double next = dens > 0 && isfinite(dens) ? x - f / dens : NAN;
		if (!(next > lo && next < hi))
			next = 0.5 * (lo + hi); /* Newton left the bracket: bisect */
		if (fabs(next - x) <= 1e-14 * (x > 1e-3 ? x : 1e-3) || hi - lo < 1e-15)
			return next;
		x = next;
	}
	return x;
}

/* ---- representative statements (Pol.is select-rep-comments) ---- */

struct cand {
	uint32_t tid;
	struct declared_counts c;
	struct declared_repstats s;
};

static void finalize_rep(const struct cand *k, struct declared_rep *r)
{
	memset(r, 0, sizeof(*r));
	r->tid = k->tid;
	r->n_trials = k->c.seen;
	if (k->s.rat > k->s.rdt) {
		r->repful_for = 1;
		r->n_success = k->c.agree;
		r->p_success = k->s.pa;
		r->p_test = k->s.pat;
		r->repness = k->s.ra;
		r->repness_test = k->s.rat;
	} else {
		r->repful_for = -1;
		r->n_success = k->c.disagree;
		r->p_success = k->s.pd;
		r->p_test = k->s.pdt;
		r->repness = k->s.rd;
		r->repness_test = k->s.rdt;
	}
}

static double rep_metric(const struct declared_rep *r)
{
	return r->repness * r->repness_test * r->p_success * r->p_test;
}

/* Pol.is sorts with a stable sort by descending metric; ties keep column
 * order, which the tid tie-break reproduces. */
static int rep_cmp(const void *a, const void *b)
{
	const struct declared_rep *x = a, *y = b;
	double mx = rep_metric(x), my = rep_metric(y);
	if (mx != my)
		return mx > my ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int passes_by_test(const struct declared_repstats *s)
{
	return (s->rat > DECLARED_Z90 && s->pat > DECLARED_Z90) ||
	       (s->rdt > DECLARED_Z90 && s->pdt > DECLARED_Z90);
}

static int beats_best_agree(const struct cand *k, const struct cand *best)
{
	const struct declared_repstats *s = &k->s;
	if (k->c.agree == 0 && k->c.disagree == 0)
		return 0;
	if (best && best->s.ra > 1.0)
		return s->ra * s->rat * s->pa * s->pat >
		       best->s.ra * best->s.rat * best->s.pa * best->s.pat;
	if (best)
		return s->pa * s->pat > best->s.pa * best->s.pat;
	return s->pat > DECLARED_Z90 || (s->ra > 1.0 && s->pa > 0.5);
}

/* Selects group g's representative statements into gr. totals are the
 * per-statement sums over all groups; suff is scratch of n_statements. */
static void select_reps(const struct declared_result *res, uint32_t g,
			const struct declared_counts *totals, const uint8_t *excluded,
			struct declared_rep *suff, struct declared_group_result *gr)
{
	uint32_t C = res->n_statements, n_suff = 0;
	struct cand best = { 0 }, best_agree = { 0 };
	int have_best = 0, have_best_agree = 0;
	double best_z = 0;

	for (uint32_t t = 0; t < C; t++) {
		if (excluded && excluded[t])
			continue;
		struct cand k = { .tid = t, .c = res->counts[(size_t)g * C + t] };
		if (k.c.seen == 0)
			continue; /* nobody in the group voted on it */
		struct declared_counts o = {
			totals[t].agree - k.c.agree,
			totals[t].disagree - k.c.disagree,
			totals[t].seen - k.c.seen,
		};
		declared_repstats(&k.c, &o, &k.s);
		if (passes_by_test(&k.s))
			finalize_rep(&k, &suff[n_suff++]);
		double z = k.s.rat > k.s.rdt ? k.s.rat : k.s.rdt;
		if (n_suff == 0 && (!have_best || z > best_z)) {
			best = k;
			best_z = z;
			have_best = 1;
		}
		if (beats_best_agree(&k, have_best_agree ? &best_agree : NULL)) {
			best_agree = k;
			have_best_agree = 1;
		}
	}

	gr->n_reps = 0;
	struct declared_rep head;
	if (have_best_agree) {
		finalize_rep(&best_agree, &head);
		head.best_agree = 1;
	} else if (have_best) {
		finalize_rep(&best, &head);
	}
	if (n_suff == 0) {
		if (have_best_agree || have_best)
			gr->reps[gr->n_reps++] = head;
		return;
	}

	/* drop the best agree from the sufficient ones, sort, put it first */
	uint32_t n = 0;
	for (uint32_t i = 0; i < n_suff; i++)
		if (!(have_best_agree && suff[i].tid == best_agree.tid))
			suff[n++] = suff[i];
	qsort(suff, n, sizeof(*suff), rep_cmp);
	struct declared_rep top[DECLARED_MAX_REPS];
	uint32_t n_top = 0;
	if (have_best_agree)
		top[n_top++] = head;
	for (uint32_t i = 0; i < n && n_top < DECLARED_MAX_REPS; i++)
		top[n_top++] = suff[i];
	/* agrees before disagrees, each in order */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < n_top; i++)
			if ((top[i].repful_for > 0) == (pass == 0))
				gr->reps[gr->n_reps++] = top[i];
}

/* ---- consensus ---- */

static void consensus(struct declared_result *res, const struct declared_params *p)
{
	uint32_t C = res->n_statements, G = res->n_groups;
	for (uint32_t t = 0; t < C; t++) {
		struct declared_statement *st = &res->statements[t];
		double log_sum = 0, min_lower = HUGE_VAL;
		st->min_lower_group = -1;
		for (uint32_t g = 0; g < G; g++) {
			const struct declared_counts *c = &res->counts[(size_t)g * C + t];
			if (c->seen < p->min_votes || c->seen == 0) {
				st->n_insufficient++;
				continue;
			}
			st->n_sufficient++;
			log_sum += log((c->agree + 1.0) / (c->seen + 2.0));
			double lb = declared_beta_quantile(c->agree + 1.0, c->seen - c->agree + 1.0,
							   p->lower_quantile);
			if (lb < min_lower) {
				min_lower = lb;
				st->min_lower_group = (int32_t)g;
			}
		}
		if (st->n_sufficient == 0)
			continue; /* scores stay 0 */
		st->gac = exp(log_sum);
		st->gac_geomean = exp(log_sum / st->n_sufficient);
		st->min_lower = min_lower;
	}
}

enum hm_err declared_analyze(const struct vote_csr *m, const struct declared_groups *g,
			     const struct declared_params *p, struct declared_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!m || !g || !p || (g->n_participants && !g->group_of) || !(p->kappa >= 0) ||
	    !(p->lower_quantile > 0 && p->lower_quantile < 1))
		return HM_EINVAL;
	for (uint32_t u = 0; u < g->n_participants; u++)
		if (g->group_of[u] < -1 || g->group_of[u] >= (int64_t)g->n_groups)
			return HM_EINVAL;

	uint32_t G = g->n_groups, C = m->n_cols;
	size_t cells = (size_t)G * C;
	out->n_groups = G;
	out->n_statements = C;
	out->min_votes = p->min_votes;
	out->counts = xcalloc(cells ? cells : 1, sizeof(*out->counts));
	out->agree_shrunk = xcalloc(cells ? cells : 1, sizeof(double));
	out->groups = xcalloc(G ? G : 1, sizeof(*out->groups));
	out->statements = xcalloc(C ? C : 1, sizeof(*out->statements));

	/* one pass: per-group and overall counters */
	for (uint32_t u = 0; u < m->n_rows; u++) {
		int32_t gid = u < g->n_participants ? g->group_of[u] : -1;
		uint64_t b = m->row_ptr ? m->row_ptr[u] : 0, e = m->row_ptr ? m->row_ptr[u + 1] : 0;
		if (gid >= 0) {
			out->groups[gid].n_members++;
			if (e > b)
				out->groups[gid].n_voters++;
		}
		for (uint64_t k = b; k < e; k++) {
			uint32_t t = m->col[k];
			int8_t v = m->val[k];
			struct declared_statement *st = &out->statements[t];
			st->seen++;
			st->agree += v > 0;
			st->disagree += v < 0;
			if (gid < 0)
				continue;
			struct declared_counts *c = &out->counts[(size_t)gid * C + t];
			c->seen++;
			c->agree += v > 0;
			c->disagree += v < 0;
		}
	}
	for (uint32_t u = m->n_rows; u < g->n_participants; u++)
		if (g->group_of[u] >= 0)
			out->groups[g->group_of[u]].n_members++; /* declared, no row yet */

	/* group totals over declared participants, for the "other groups" pools */
	struct declared_counts *totals = xcalloc(C ? C : 1, sizeof(*totals));
	for (uint32_t gi = 0; gi < G; gi++) {
		for (uint32_t t = 0; t < C; t++) {
			const struct declared_counts *c = &out->counts[(size_t)gi * C + t];
			totals[t].agree += c->agree;
			totals[t].disagree += c->disagree;
			totals[t].seen += c->seen;
		}
	}

	struct declared_rep *scratch = xcalloc(C ? C : 1, sizeof(*scratch));
	for (uint32_t gi = 0; gi < G; gi++) {
		struct declared_group_result *gr = &out->groups[gi];
		gr->name = g->names ? g->names[gi] : NULL;
		gr->insufficient = gr->n_voters < p->min_votes || gr->n_voters == 0;
		select_reps(out, gi, totals, p->excluded, scratch, gr);
		for (uint32_t t = 0; t < C; t++) {
			const struct declared_counts *c = &out->counts[(size_t)gi * C + t];
			const struct declared_statement *st = &out->statements[t];
			double p_all = st->seen ? (double)st->agree / st->seen : 0.5;
			double den = c->seen + p->kappa;
			out->agree_shrunk[(size_t)gi * C + t] =
				den > 0 ? (c->agree + p->kappa * p_all) / den : p_all;
		}
	}
	consensus(out, p);
	free(scratch);
	free(totals);
	return HM_OK;
}
