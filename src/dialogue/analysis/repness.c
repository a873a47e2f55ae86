/*
 * repness.c — representative statements, consensus, group-aware consensus
 * and priorities from vote counts, following repness.clj's selection rules
 * exactly (scan order, best / best-agree tracking, float-rounded test
 * value, stable sorts) so the lists match Pol.is item for item.
 */
#include "dialogue/analysis/repness.h"

#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double stats_prop_test(double succ, double n)
{
	succ += 1.0;
	n += 1.0;
	return 2.0 * sqrt(n) * (succ / n + -0.5);
}

double stats_two_prop_test(double succ_in, double succ_out, double n_in, double n_out)
{
	succ_in += 1.0;
	succ_out += 1.0;
	n_in += 1.0;
	n_out += 1.0;
	double pi1 = succ_in / n_in, pi2 = succ_out / n_out;
	double pi_hat = (succ_in + succ_out) / (n_in + n_out);
	if (pi_hat == 1.0)
		return 0.0;
	return (pi1 - pi2) / sqrt(pi_hat * (1.0 - pi_hat) * (1.0 / n_in + 1.0 / n_out));
}

/* comment-stats + add-comparitive-stats for one (group, statement). */
struct cstats {
	double na, nd, ns, pa, pd, pat, pdt, ra, rd, rat, rdt;
};

static void cstats_fill(struct cstats *c, double na, double nd, double ns, double ona, double ond,
			double ons)
{
	c->na = na;
	c->nd = nd;
	c->ns = ns;
	c->pa = (1.0 + na) / (2.0 + ns);
	c->pd = (1.0 + nd) / (2.0 + ns);
	c->pat = stats_prop_test(na, ns);
	c->pdt = stats_prop_test(nd, ns);
	c->ra = c->pa / ((1.0 + ona) / (2.0 + ons));
	c->rd = c->pd / ((1.0 + ond) / (2.0 + ons));
	c->rat = stats_two_prop_test(na, ona, ns, ons);
	c->rdt = stats_two_prop_test(nd, ond, ns, ons);
}

static void finalize(struct repness_item *it, uint32_t tid, const struct cstats *c)
{
	memset(it, 0, sizeof(*it));
	it->tid = tid;
	it->n_trials = (uint32_t)c->ns;
	if (c->rat > c->rdt) {
		it->agree = 1;
		it->n_success = (uint32_t)c->na;
		it->p_success = c->pa;
		it->p_test = c->pat;
		it->repness = c->ra;
		it->repness_test = (double)(float)c->rat;
	} else {
		it->agree = 0;
		it->n_success = (uint32_t)c->nd;
		it->p_success = c->pd;
		it->p_test = c->pdt;
		it->repness = c->rd;
		it->repness_test = (double)(float)c->rdt;
	}
}

static double metric(const struct repness_item *it)
{
	return it->repness * it->repness_test * it->p_success * it->p_test;
}

/* The first `keep` items of a stable sort by metric, descending, moved to
 * the front of v (Pol.is sorts the whole list stably and takes the top;
 * only the top is needed). Returns how many were kept. */
static uint32_t top_by_metric(struct repness_item *v, uint32_t n, uint32_t keep)
{
	struct repness_item top[REPNESS_TOP];
	double key[REPNESS_TOP];
	uint32_t m = 0;
	if (keep > REPNESS_TOP)
		keep = REPNESS_TOP;
	for (uint32_t i = 0; i < n; i++) {
		double k = metric(&v[i]);
		uint32_t pos = m;
		while (pos > 0 && key[pos - 1] < k) /* equal keys keep their order */
			pos--;
		if (pos >= keep)
			continue;
		uint32_t end = m < keep ? m : keep - 1;
		for (uint32_t j = end; j > pos; j--) {
			top[j] = top[j - 1];
			key[j] = key[j - 1];
		}
		top[pos] = v[i];
		key[pos] = k;
		if (m < keep)
			m++;
	}
	memcpy(v, top, m * sizeof(*v));
	return m;
}

struct group_sel {
	struct repness_item *suff;
	uint32_t n_suff, cap;
	int have_best;
	struct repness_item best;
	int have_ba;
	struct cstats ba;
	uint32_t ba_tid;
};

static int beats_best_agr(const struct cstats *c, const struct group_sel *g)
{
	if (c->na == 0 && c->nd == 0)
		return 0;
	if (g->have_ba && g->ba.ra > 1.0)
		return c->ra * c->rat * c->pa * c->pat > g->ba.ra * g->ba.rat * g->ba.pa * g->ba.pat;
	if (g->have_ba)
		return c->pa * c->pat > g->ba.pa * g->ba.pat;
	return c->pat > REPNESS_Z90 || (c->ra > 1.0 && c->pa > 0.5);
}

void repness_select(const uint32_t *cnt_a, const uint32_t *cnt_d, const uint32_t *cnt_s,
		    uint32_t n_groups, uint32_t n_stmts, const uint8_t *skip,
		    struct repness_item *out, uint32_t *n_out)
{
	struct group_sel *gs = xcalloc((size_t)n_groups + 1, sizeof(*gs));
	for (uint32_t t = 0; t < n_stmts; t++) {
		double ta = 0, td = 0, ts = 0;
		if (skip && skip[t])
			continue;
		for (uint32_t g = 0; g < n_groups; g++) {
			ta += cnt_a[(size_t)g * n_stmts + t];
			td += cnt_d[(size_t)g * n_stmts + t];
			ts += cnt_s[(size_t)g * n_stmts + t];
		}
		for (uint32_t g = 0; g < n_groups; g++) {
			struct group_sel *s = &gs[g];
			struct cstats c;
			double na = cnt_a[(size_t)g * n_stmts + t], nd = cnt_d[(size_t)g * n_stmts + t];
			double ns = cnt_s[(size_t)g * n_stmts + t];
			cstats_fill(&c, na, nd, ns, ta - na, td - nd, ts - ns);
			if ((c.rat > REPNESS_Z90 && c.pat > REPNESS_Z90) ||
			    (c.rdt > REPNESS_Z90 && c.pdt > REPNESS_Z90)) {
				if (s->n_suff == s->cap) {
					s->cap = s->cap ? s->cap * 2 : 16;
					s->suff = xrealloc(s->suff, s->cap * sizeof(*s->suff));
				}
				finalize(&s->suff[s->n_suff++], t, &c);
			}
			if (!s->n_suff &&
			    (!s->have_best || (c.rat > c.rdt ? c.rat : c.rdt) > s->best.repness_test)) {
				finalize(&s->best, t, &c);
				s->have_best = 1;
			}
			if (beats_best_agr(&c, s)) {
				s->ba = c;
				s->ba_tid = t;
				s->have_ba = 1;
			}
		}
	}
	for (uint32_t g = 0; g < n_groups; g++) {
		struct group_sel *s = &gs[g];
		struct repness_item *o = out + (size_t)g * REPNESS_TOP, ba;
		uint32_t n = 0;
		if (s->have_ba) {
			finalize(&ba, s->ba_tid, &s->ba);
			ba.best_agree = 1;
			ba.n_agree = (uint32_t)s->ba.na;
		}
		if (!s->n_suff) {
			if (s->have_ba)
				o[n++] = ba;
			else if (s->have_best)
				o[n++] = s->best;
		} else {
			uint32_t w = 0;
			for (uint32_t i = 0; i < s->n_suff; i++)
				if (!(s->have_ba && s->suff[i].tid == s->ba_tid))
					s->suff[w++] = s->suff[i];
			if (s->have_ba)
				o[n++] = ba;
			w = top_by_metric(s->suff, w, REPNESS_TOP - n);
			for (uint32_t i = 0; i < w; i++)
				o[n++] = s->suff[i];
			/* agrees before disagrees, stable */
			struct repness_item tmp[REPNESS_TOP];
			uint32_t m = 0;
			for (uint32_t i = 0; i < n; i++)
				if (o[i].agree)
					tmp[m++] = o[i];
			for (uint32_t i = 0; i < n; i++)
				if (!o[i].agree)
					tmp[m++] = o[i];
			memcpy(o, tmp, n * sizeof(*o));
		}
		n_out[g] = n;
		free(s->suff);
	}
	free(gs);
}

static void top5(const uint32_t *a, const uint32_t *d, const uint32_t *s, uint32_t n_stmts,
		 const uint8_t *use, int agree, struct repness_item *out, uint32_t *n_out)
{
	struct repness_item cand[REPNESS_TOP + 1];
	double key[REPNESS_TOP + 1];
	uint32_t n = 0;
	for (uint32_t t = 0; t < n_stmts; t++) {
		if (!use[t])
			continue;
		double ns = s[t], nx = agree ? a[t] : d[t];
		double p = (1.0 + nx) / (2.0 + ns), pt = stats_prop_test(nx, ns);
		if (!(p > 0.5 && pt > REPNESS_Z90))
			continue;
		double m = p * pt;
		/* insert keeping a stable descending order, ties after equals */
		uint32_t pos = n;
		while (pos > 0 && key[pos - 1] < m)
			pos--;
		if (pos >= REPNESS_TOP)
			continue;
		uint32_t end = n < REPNESS_TOP ? n : REPNESS_TOP - 1;
		for (uint32_t i = end; i > pos; i--) {
			cand[i] = cand[i - 1];
			key[i] = key[i - 1];
		}
		memset(&cand[pos], 0, sizeof(cand[pos]));
		cand[pos].tid = t;
		cand[pos].agree = agree;
		cand[pos].n_success = (uint32_t)nx;
		cand[pos].n_trials = (uint32_t)ns;
		cand[pos].p_success = p;
		cand[pos].p_test = pt;
		key[pos] = m;
		if (n < REPNESS_TOP)
			n++;
	}
	memcpy(out, cand, n * sizeof(*out));
	*n_out = n;
}

void consensus_select(const uint32_t *a, const uint32_t *d, const uint32_t *s, uint32_t n_stmts,
		      const uint8_t *use, struct repness_item *agree, uint32_t *n_agree,
		      struct repness_item *disagree, uint32_t *n_disagree)
{
	top5(a, d, s, n_stmts, use, 1, agree, n_agree);
	top5(a, d, s, n_stmts, use, 0, disagree, n_disagree);
}

double gac_value(const uint32_t *cnt_a, const uint32_t *cnt_s, uint32_t n_groups, uint32_t n_stmts,
		 uint32_t t)
{
	double v = 1.0;
	for (uint32_t g = 0; g < n_groups; g++)
		v *= ((double)cnt_a[(size_t)g * n_stmts + t] + 1.0) /
		     ((double)cnt_s[(size_t)g * n_stmts + t] + 2.0);
	return v;
}

double priority_value(int is_meta, double A, double D, double S, double extremity)
{
	if (is_meta)
		return 7.0 * 7.0;
	double P = S - (A + D);
	double p = (P + 1.0) / (S + 2.0), a = (A + 1.0) / (S + 2.0);
	double importance = (1.0 - p) * (extremity + 1.0) * a;
	double v = importance * (1.0 + 8.0 * pow(2.0, S / -5.0));
	return v * v;
}
