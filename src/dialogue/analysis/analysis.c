/*
 * analysis.c — one analysis tick: column statistics, sparse PCA,
 * projections, in-conv, base clusters, group clusters chosen by
 * silhouette with Pol.is's k-smoother, group vote counts, repness,
 * consensus, group-aware consensus and priorities. compat follows
 * conversation.clj; scale swaps the dense-era steps for O(nnz) ones.
 */
#include "dialogue/analysis/analysis.h"

#include "dialogue/analysis/pca.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void analysis_opts_default(struct analysis_opts *o, enum analysis_mode mode)
{
	memset(o, 0, sizeof(*o));
	o->mode = mode;
	o->pca_iters = 100;
	o->pca_tol = mode == ANALYSIS_SCALE ? 1e-10 : 0.0;
	o->base_k = 100;
	o->base_iters = mode == ANALYSIS_SCALE ? 30 : 100;
	o->max_k = ANALYSIS_MAX_K;
	o->group_iters = 20;
	o->k_buffer = 4;
	o->min_votes = 7;
	o->greedy_n = 15;
	o->cold_restarts = 9;
}

/* k-means on pts: warm from last when it has clusters (Pol.is); cold,
 * from Pol.is's start (seed 0) or from k-means++ with that seed. */
static void cluster_start(struct kclust *out, const struct kpoints *pts, uint32_t k, uint32_t iters,
			  const struct kclust *last, int exact, uint32_t seed)
{
	if (!seed || (last && last->n) || pts->n <= k) {
		kmeans_polis(out, pts, k, iters, last, exact);
		return;
	}
	double *centers = xmalloc((2 * (size_t)k + 1) * sizeof(*centers));
	kmeans_pp_centers(pts, k, 0x9e3779b97f4a7c15ULL * seed, centers);
	kmeans_polis_from(out, pts, centers, k, iters, exact);
	free(centers);
}

void analysis_state_init(struct analysis_state *st)
{
	memset(st, 0, sizeof(*st));
}

void analysis_state_free(struct analysis_state *st)
{
	free(st->comps);
	free(st->in_conv);
	kclust_free(&st->base);
	for (int k = 0; k <= ANALYSIS_MAX_K; k++)
		kclust_free(&st->groups_k[k]);
	free(st->prev_ga);
	free(st->prev_gd);
	free(st->prev_gs);
	free(st->base_centers);
	memset(st, 0, sizeof(*st));
}

void analysis_result_free(struct analysis_result *r)
{
	free(r->rows);
	free(r->use_col);
	free(r->mod_out);
	free(r->is_meta);
	free(r->col_a);
	free(r->col_d);
	free(r->col_s);
	free(r->user_votes);
	free(r->center);
	free(r->comps);
	free(r->proj);
	free(r->cmt_proj);
	free(r->cmt_extremity);
	free(r->in_conv);
	kclust_free(&r->base);
	kclust_free(&r->groups);
	free(r->ptpt_group);
	free(r->ptpt_base);
	free(r->group_size);
	free(r->ga);
	free(r->gd);
	free(r->gs);
	free(r->ba);
	free(r->bd);
	free(r->bs);
	free(r->repness);
	free(r->n_repness);
	free(r->gac);
	free(r->priority);
	memset(r, 0, sizeof(*r));
}

static void progress(const struct analysis_opts *o, const char *stage)
{
	if (o->progress)
		o->progress(o->progress_ctx, stage);
}

/* ---- steps ---- */

/*
 * Counts the votes col/val[lo, hi): s[j] per statement, and agree and
 * disagree packed in ad[j] (agree in the low half, disagree in the high):
 * one add per vote and no branch on its unpredictable value. restrict
 * keeps the arrays in registers across the loop (10× at 10^8 votes).
 */
static void tally(const uint32_t *restrict col, const int8_t *restrict val, uint64_t lo, uint64_t hi,
		  uint32_t *restrict s, uint64_t *restrict ad)
{
	static const uint64_t add[3] = { (uint64_t)1 << 32, 0, 1 };
	for (uint64_t k = lo; k < hi; k++) {
		s[col[k]]++;
		ad[col[k]] += add[val[k] + 1];
	}
}

/* agree and disagree counts out of tally's packed ones */
static void untally(const uint64_t *ad, size_t n, uint32_t *a, uint32_t *d)
{
	for (size_t j = 0; j < n; j++) {
		a[j] = (uint32_t)ad[j];
		d[j] = (uint32_t)(ad[j] >> 32);
	}
}

static void column_stats(struct analysis_result *r, const struct vote_csr *m)
{
	uint32_t nc = m->n_cols;
	r->col_a = xmalloc(((size_t)nc + 1) * sizeof(uint32_t));
	r->col_d = xmalloc(((size_t)nc + 1) * sizeof(uint32_t));
	r->col_s = xcalloc((size_t)nc + 1, sizeof(uint32_t));
	r->user_votes = xmalloc(((size_t)m->n_rows + 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i < m->n_rows; i++)
		r->user_votes[i] = (uint32_t)(m->row_ptr[i + 1] - m->row_ptr[i]);
	uint64_t *ad = xcalloc((size_t)nc + 1, sizeof(*ad));
	tally(m->col, m->val, 0, vote_csr_nnz(m), r->col_s, ad);
	untally(ad, nc, r->col_a, r->col_d);
	free(ad);
}

/* in-conv (conversation.clj): sticky; everyone with ≥ min(7, n_cols)
 * votes; then the top voters until greedy_n are in. */
static void compute_in_conv(struct analysis_result *r, const struct analysis_opts *o,
			    const uint8_t *prev, uint32_t prev_n)
{
	uint32_t n = r->n_ptpts, need = o->min_votes < r->n_cols ? o->min_votes : r->n_cols;
	uint32_t count = 0;
	r->in_conv = xcalloc((size_t)n + 1, 1);
	if (o->in_conv_only) {
		for (uint32_t i = 0; i < r->n_rows; i++)
			if (o->in_conv_only[r->rows[i]]) {
				r->in_conv[r->rows[i]] = 1;
				count++;
			}
		r->n_in_conv = count;
		return;
	}
	for (uint32_t i = 0; i < r->n_rows; i++) {
		uint32_t p = r->rows[i];
		if ((p < prev_n && prev && prev[p]) || r->user_votes[p] >= need) {
			r->in_conv[p] = 1;
			count++;
		}
	}
	while (count < o->greedy_n) {
		/* highest count not yet in; ties to the earlier row */
		uint32_t best = UINT32_MAX;
		for (uint32_t i = 0; i < r->n_rows; i++) {
			uint32_t p = r->rows[i];
			if (r->in_conv[p])
				continue;
			if (best == UINT32_MAX || r->user_votes[p] > r->user_votes[best])
				best = p;
		}
		if (best == UINT32_MAX)
			break;
		r->in_conv[best] = 1;
		count++;
	}
	r->n_in_conv = count;
}

/* Base centres as the mean of their members' positions. */
static void recenter_base(struct kclust *b, const double *proj)
{
	for (uint32_t i = 0; i < b->n; i++) {
		double sx = 0, sy = 0;
		uint32_t n = b->mptr[i + 1] - b->mptr[i];
		for (uint32_t m = b->mptr[i]; m < b->mptr[i + 1]; m++) {
			sx += proj[2 * b->members[m]];
			sy += proj[2 * b->members[m] + 1];
		}
		if (n) {
			b->center[2 * i] = sx / n;
			b->center[2 * i + 1] = sy / n;
		}
	}
}

/* Group centres as the size-weighted mean of their base centres. */
static enum hm_err recenter_groups(struct kclust *g, const struct kclust *b)
{
	for (uint32_t i = 0; i < g->n; i++) {
		double sx = 0, sy = 0, sw = 0;
		for (uint32_t m = g->mptr[i]; m < g->mptr[i + 1]; m++) {
			uint32_t bi;
			for (bi = 0; bi < b->n; bi++)
				if ((uint32_t)b->id[bi] == g->members[m])
					break;
			if (bi == b->n)
				return HM_EINVAL;
			double w = b->mptr[bi + 1] - b->mptr[bi];
			sx += w * b->center[2 * bi];
			sy += w * b->center[2 * bi + 1];
			sw += w;
		}
		if (sw > 0) {
			g->center[2 * i] = sx / sw;
			g->center[2 * i + 1] = sy / sw;
		}
	}
	return HM_OK;
}

/* Scale base clusters: Lloyd k-means on the in-conv positions. */
static void base_scale(struct analysis_result *r, const struct analysis_opts *o, struct analysis_state *st)
{
	uint32_t n = 0, k = o->base_k;
	uint32_t *who = xmalloc(((size_t)r->n_rows + 1) * sizeof(*who));
	for (uint32_t i = 0; i < r->n_rows; i++)
		if (r->in_conv[r->rows[i]])
			who[n++] = r->rows[i];
	double *xy = xmalloc((2 * (size_t)n + 1) * sizeof(*xy));
	int32_t *lab = xmalloc(((size_t)n + 1) * sizeof(*lab));
	for (uint32_t i = 0; i < n; i++) {
		xy[2 * i] = r->proj[2 * who[i]];
		xy[2 * i + 1] = r->proj[2 * who[i] + 1];
	}
	double *centers = xmalloc((2 * (size_t)k + 1) * sizeof(*centers));
	int warm = st->base_centers && st->n_base_centers == k;
	if (warm)
		memcpy(centers, st->base_centers, 2 * (size_t)k * sizeof(*centers));
	uint32_t used = kmeans_lloyd(xy, NULL, n, k, o->base_iters, warm, centers, lab);
	struct kclust *b = &r->base;
	b->n = used;
	b->id = xmalloc(((size_t)used + 1) * sizeof(*b->id));
	b->center = xmalloc((2 * (size_t)used + 1) * sizeof(*b->center));
	b->mptr = xcalloc((size_t)used + 2, sizeof(*b->mptr));
	b->members = xmalloc(((size_t)n + 1) * sizeof(*b->members));
	for (uint32_t c = 0; c < used; c++) {
		b->id[c] = (int32_t)c;
		b->center[2 * c] = centers[2 * c];
		b->center[2 * c + 1] = centers[2 * c + 1];
	}
	for (uint32_t i = 0; i < n; i++)
		b->mptr[lab[i] + 1]++;
	for (uint32_t c = 0; c < used; c++)
		b->mptr[c + 1] += b->mptr[c];
	uint32_t *fill = xmalloc(((size_t)used + 1) * sizeof(*fill));
	memcpy(fill, b->mptr, ((size_t)used + 1) * sizeof(*fill));
	for (uint32_t i = 0; i < n; i++)
		b->members[fill[lab[i]]++] = who[i];
	free(fill);
	free(st->base_centers);
	st->base_centers = xmalloc((2 * (size_t)k + 1) * sizeof(*st->base_centers));
	/* keep k centres for the next warm start (unused ones repeat) */
	for (uint32_t c = 0; c < k; c++) {
		uint32_t s = used ? c % used : 0;
		st->base_centers[2 * c] = used ? centers[2 * s] : 0;
		st->base_centers[2 * c + 1] = used ? centers[2 * s + 1] : 0;
	}
	st->n_base_centers = used ? k : 0;
	free(centers);
	free(who);
	free(xy);
	free(lab);
}

/* Group clusterings for k = 2..max, silhouette, k-smoother. */
static void group_clusters(struct analysis_result *r, const struct analysis_opts *o,
			   struct analysis_state *st, uint32_t seed)
{
	const struct kclust *b = &r->base;
	uint32_t nb = b->n;
	double *w = xmalloc(((size_t)nb + 1) * sizeof(*w));
	uint32_t *names = xmalloc(((size_t)nb + 1) * sizeof(*names));
	int32_t *lab = xmalloc(((size_t)nb + 1) * sizeof(*lab));
	uint32_t bound = 0;
	for (uint32_t i = 0; i < nb; i++) {
		w[i] = b->mptr[i + 1] - b->mptr[i];
		names[i] = (uint32_t)b->id[i];
		if (names[i] + 1 > bound)
			bound = names[i] + 1;
	}
	struct kpoints pts = { .n = nb, .xy = b->center, .names = names, .w = w, .name_bound = bound };
	uint32_t max_k = 2 + nb / 12;
	if (max_k > o->max_k)
		max_k = o->max_k;
	struct kclust cand[ANALYSIS_MAX_K + 1];
	for (uint32_t k = 0; k <= ANALYSIS_MAX_K; k++) {
		kclust_init(&cand[k]);
		r->silhouette[k] = NAN;
	}
	uint32_t this_k = 0;
	double best = -INFINITY;
	for (uint32_t k = 2; k <= max_k && nb > 0; k++) {
		cluster_start(&cand[k], &pts, k, o->group_iters, &st->groups_k[k], o->mode == ANALYSIS_COMPAT,
			      seed);
		kclust_labels(&cand[k], &pts, lab);
		r->silhouette[k] = kmeans_silhouette(b->center, nb, lab, cand[k].n);
		/* max-key: the last of equal maxima wins */
		if (r->silhouette[k] >= best) {
			best = r->silhouette[k];
			this_k = k;
		}
	}
	if (!this_k) {
		/* fewer than 2 base clusters: one group holding them all */
		kmeans_polis(&cand[1], &pts, 1, o->group_iters, NULL, o->mode == ANALYSIS_COMPAT);
		this_k = 1;
	}
	r->k_best = this_k;
	uint32_t count = (st->last_k && st->last_k == this_k) ? st->last_k_count + 1 : 1;
	uint32_t smoothed = count >= o->k_buffer ? this_k : (st->smoothed_k ? st->smoothed_k : this_k);
	if (smoothed > max_k || !cand[smoothed].n)
		smoothed = this_k; /* stale k (PR #2536's clamp) */
	st->last_k = this_k;
	st->last_k_count = count;
	st->smoothed_k = smoothed;
	r->k_used = smoothed;
	kclust_copy(&r->groups, &cand[smoothed]);
	for (uint32_t k = 0; k <= ANALYSIS_MAX_K; k++) {
		if (cand[k].n) {
			kclust_free(&st->groups_k[k]);
			st->groups_k[k] = cand[k];
		} else {
			kclust_free(&cand[k]);
		}
	}
	free(w);
	free(names);
	free(lab);
}

enum hm_err analysis_base_groups(const struct kclust *base, const struct kclust *groups, int32_t *base_group)
{
	uint32_t nb = base->n;
	for (uint32_t b = 0; b < nb; b++)
		base_group[b] = -1;
	for (uint32_t g = 0; g < groups->n; g++)
		for (uint32_t k = groups->mptr[g]; k < groups->mptr[g + 1]; k++) {
			uint32_t b;
			for (b = 0; b < nb; b++)
				if ((uint32_t)base->id[b] == groups->members[k])
					break;
			if (b == nb)
				return HM_EINVAL;
			base_group[b] = (int32_t)g;
		}
	return HM_OK;
}

/* Each participant's base cluster and group (indices; -1: none).
 * HM_EINVAL when a member names no participant or base cluster. */
static enum hm_err participant_labels(const struct kclust *base, const struct kclust *groups, uint32_t np,
				      int32_t *ptpt_base, int32_t *ptpt_group)
{
	uint32_t nb = base->n;
	for (uint32_t p = 0; p < np; p++)
		ptpt_base[p] = ptpt_group[p] = -1;
	for (uint32_t b = 0; b < nb; b++)
		for (uint32_t k = base->mptr[b]; k < base->mptr[b + 1]; k++) {
			if (base->members[k] >= np)
				return HM_EINVAL;
			ptpt_base[base->members[k]] = (int32_t)b;
		}
	int32_t *base_group = xmalloc(((size_t)nb + 1) * sizeof(int32_t));
	enum hm_err rc = analysis_base_groups(base, groups, base_group);
	if (rc == HM_OK)
		for (uint32_t p = 0; p < np; p++)
			if (ptpt_base[p] >= 0)
				ptpt_group[p] = base_group[ptpt_base[p]];
	free(base_group);
	return rc;
}

/* Nothing to warm-start from: no base clusters and no group clusterings. */
static int state_cold(const struct analysis_state *st)
{
	if (st->base.n)
		return 0;
	for (int k = 0; k <= ANALYSIS_MAX_K; k++)
		if (st->groups_k[k].n)
			return 0;
	return 1;
}

/*
 * A clustering with nothing to start from (a cold run on a whole
 * conversation, which Pol.is never does). Pol.is's start and
 * o->cold_restarts k-means++ starts (fixed seeds) each give a grouping of
 * the participants, and k-means lands in different optima from different
 * starts. The one kept agrees most with the others (labeling_medoid;
 * ties: the earlier, so Pol.is's own start first): the grouping a run
 * from an arbitrary start most likely lands near, and so the best guess
 * at where Pol.is's history led. pts: the in-conv
 * positions for base clusters (compat); NULL keeps r->base (scale) and
 * varies only the groups.
 */
static void cold_clusters(struct analysis_result *r, const struct analysis_opts *o, struct analysis_state *st,
			  const struct kpoints *pts)
{
	uint32_t n = 1 + (o->cold_restarts < ANALYSIS_MAX_STARTS ? o->cold_restarts : ANALYSIS_MAX_STARTS);
	/* With the base clusters shared, a base cluster stands for its
	 * members: the same index, over far fewer points. */
	uint32_t np = pts ? r->n_ptpts : r->base.n;
	double *w = NULL;
	if (!pts) {
		w = xmalloc(((size_t)np + 1) * sizeof(*w));
		for (uint32_t b = 0; b < np; b++)
			w[b] = r->base.mptr[b + 1] - r->base.mptr[b];
	}
	struct analysis_result *cr = xcalloc(n, sizeof(*cr));
	struct analysis_state *cs = xcalloc(n, sizeof(*cs));
	int32_t *lab = xmalloc(((size_t)n * np + 1) * sizeof(*lab));
	int32_t *scratch = xmalloc(((size_t)np + 1) * sizeof(*scratch));
	for (uint32_t c = 0; c < n; c++) {
		cr[c].mode = r->mode;
		analysis_state_init(&cs[c]);
		if (pts)
			cluster_start(&cr[c].base, pts, o->base_k, o->base_iters, NULL, 1, c);
		else
			kclust_copy(&cr[c].base, &r->base);
		group_clusters(&cr[c], o, &cs[c], c);
		/* both clusterings were made here from the in-conv set: every
		 * name is known */
		if (pts)
			(void)participant_labels(&cr[c].base, &cr[c].groups, np, scratch, lab + (size_t)c * np);
		else
			(void)analysis_base_groups(&cr[c].base, &cr[c].groups, lab + (size_t)c * np);
	}
	uint32_t best = labeling_medoid(lab, w, n, np);
	kclust_free(&r->base);
	kclust_free(&r->groups);
	r->base = cr[best].base;
	r->groups = cr[best].groups;
	kclust_init(&cr[best].base);
	kclust_init(&cr[best].groups);
	memcpy(r->silhouette, cr[best].silhouette, sizeof(r->silhouette));
	r->k_best = cr[best].k_best;
	r->k_used = cr[best].k_used;
	for (int k = 0; k <= ANALYSIS_MAX_K; k++) {
		kclust_free(&st->groups_k[k]);
		st->groups_k[k] = cs[best].groups_k[k];
		kclust_init(&cs[best].groups_k[k]);
	}
	st->last_k = cs[best].last_k;
	st->last_k_count = cs[best].last_k_count;
	st->smoothed_k = cs[best].smoothed_k;
	for (uint32_t c = 0; c < n; c++) {
		analysis_result_free(&cr[c]);
		analysis_state_free(&cs[c]);
	}
	free(cr);
	free(cs);
	free(lab);
	free(scratch);
	free(w);
}

/* Participant → base / group, sizes, and A/D/S counts per base and group. */
static enum hm_err group_counts(struct analysis_result *r, const struct vote_csr *m)
{
	uint32_t np = r->n_ptpts, ns = r->n_stmts, nb = r->base.n, ng = r->groups.n;
	r->ptpt_base = xmalloc(((size_t)np + 1) * sizeof(int32_t));
	r->ptpt_group = xmalloc(((size_t)np + 1) * sizeof(int32_t));
	enum hm_err rc = participant_labels(&r->base, &r->groups, np, r->ptpt_base, r->ptpt_group);
	if (rc)
		return rc;
	r->group_size = xcalloc((size_t)ng + 1, sizeof(uint32_t));
	for (uint32_t p = 0; p < np; p++)
		if (r->ptpt_group[p] >= 0)
			r->group_size[r->ptpt_group[p]]++;
	int per_base = r->mode == ANALYSIS_COMPAT;
	size_t gn = (size_t)ng * ns, bn = per_base ? (size_t)nb * ns : 0;
	r->ga = xmalloc((gn + 1) * sizeof(uint32_t));
	r->gd = xmalloc((gn + 1) * sizeof(uint32_t));
	r->gs = xcalloc(gn + 1, sizeof(uint32_t));
	uint64_t *gad = xcalloc(gn + 1, sizeof(*gad)), *bad = NULL;
	if (per_base) {
		r->ba = xmalloc((bn + 1) * sizeof(uint32_t));
		r->bd = xmalloc((bn + 1) * sizeof(uint32_t));
		r->bs = xcalloc(bn + 1, sizeof(uint32_t));
		bad = xcalloc(bn + 1, sizeof(*bad));
	}
	for (uint32_t p = 0; p < np; p++) {
		int32_t g = r->ptpt_group[p], b = r->ptpt_base[p];
		if (b < 0)
			continue;
		if (per_base)
			tally(m->col, m->val, m->row_ptr[p], m->row_ptr[p + 1], r->bs + (size_t)b * ns,
			      bad + (size_t)b * ns);
		if (g >= 0)
			tally(m->col, m->val, m->row_ptr[p], m->row_ptr[p + 1], r->gs + (size_t)g * ns,
			      gad + (size_t)g * ns);
	}
	untally(gad, gn, r->ga, r->gd);
	if (per_base)
		untally(bad, bn, r->ba, r->bd);
	free(gad);
	free(bad);
	return HM_OK;
}

static void statement_scores(struct analysis_result *r, const struct analysis_opts *o,
			     struct analysis_state *st)
{
	uint32_t ns = r->n_stmts, ng = r->groups.n;
	uint8_t *skip = xmalloc((size_t)ns + 1);
	uint8_t *use = xmalloc((size_t)ns + 1);
	for (uint32_t t = 0; t < ns; t++) {
		skip[t] = !r->use_col[t] || r->mod_out[t];
		use[t] = !skip[t];
	}
	r->repness = xcalloc((size_t)ng * REPNESS_TOP + 1, sizeof(*r->repness));
	r->n_repness = xcalloc((size_t)ng + 1, sizeof(*r->n_repness));
	repness_select(r->ga, r->gd, r->gs, ng, ns, skip, r->repness, r->n_repness);
	consensus_select(r->col_a, r->col_d, r->col_s, ns, use, r->cons_agree, &r->n_cons_agree,
			 r->cons_disagree, &r->n_cons_disagree);
	r->gac = xmalloc(((size_t)ns + 1) * sizeof(double));
	r->priority = xmalloc(((size_t)ns + 1) * sizeof(double));
	/* compat: priorities from the previous tick's group counts (Q2) */
	int prev = o->mode == ANALYSIS_COMPAT && st->prev_ga && st->ticks > 0;
	for (uint32_t t = 0; t < ns; t++) {
		if (!r->use_col[t]) {
			r->gac[t] = r->priority[t] = NAN;
			continue;
		}
		r->gac[t] = gac_value(r->ga, r->gs, ng, ns, t);
		double A = 0, D = 0, S = 0;
		if (prev) {
			for (uint32_t g = 0; g < st->prev_n_groups; g++)
				if (t < st->n_stmts) {
					A += st->prev_ga[(size_t)g * st->n_stmts + t];
					D += st->prev_gd[(size_t)g * st->n_stmts + t];
					S += st->prev_gs[(size_t)g * st->n_stmts + t];
				}
		} else {
			for (uint32_t g = 0; g < ng; g++) {
				A += r->ga[(size_t)g * ns + t];
				D += r->gd[(size_t)g * ns + t];
				S += r->gs[(size_t)g * ns + t];
			}
		}
		r->priority[t] = priority_value(r->is_meta[t], A, D, S, r->cmt_extremity[t]);
	}
	free(skip);
	free(use);
	/* remember this tick's counts */
	free(st->prev_ga);
	free(st->prev_gd);
	free(st->prev_gs);
	size_t sz = (size_t)ng * ns + 1;
	st->prev_ga = xmalloc(sz * sizeof(uint32_t));
	st->prev_gd = xmalloc(sz * sizeof(uint32_t));
	st->prev_gs = xmalloc(sz * sizeof(uint32_t));
	memcpy(st->prev_ga, r->ga, sz * sizeof(uint32_t));
	memcpy(st->prev_gd, r->gd, sz * sizeof(uint32_t));
	memcpy(st->prev_gs, r->gs, sz * sizeof(uint32_t));
	st->prev_n_groups = ng;
}

void analysis_rescore(struct analysis_result *r)
{
	uint32_t ns = r->n_stmts, ng = r->groups.n;
	uint8_t *skip = xmalloc((size_t)ns + 1);
	uint8_t *use = xmalloc((size_t)ns + 1);
	for (uint32_t t = 0; t < ns; t++) {
		r->use_col[t] = r->col_s[t] > 0;
		skip[t] = !r->use_col[t] || r->mod_out[t];
		use[t] = !skip[t];
	}
	repness_select(r->ga, r->gd, r->gs, ng, ns, skip, r->repness, r->n_repness);
	consensus_select(r->col_a, r->col_d, r->col_s, ns, use, r->cons_agree, &r->n_cons_agree,
			 r->cons_disagree, &r->n_cons_disagree);
	for (uint32_t t = 0; t < ns; t++) {
		if (!r->use_col[t]) {
			r->gac[t] = r->priority[t] = NAN;
			continue;
		}
		double A = 0, D = 0, S = 0;
		for (uint32_t g = 0; g < ng; g++) {
			A += r->ga[(size_t)g * ns + t];
			D += r->gd[(size_t)g * ns + t];
			S += r->gs[(size_t)g * ns + t];
		}
		r->gac[t] = gac_value(r->ga, r->gs, ng, ns, t);
		r->priority[t] = priority_value(r->is_meta[t], A, D, S, r->cmt_extremity[t]);
	}
	free(skip);
	free(use);
}

/* ---- the tick ---- */

enum hm_err analysis_run(const struct analysis_input *in, const struct analysis_opts *o,
			 struct analysis_state *st, const struct analysis_given *given,
			 struct analysis_result *r)
{
	const struct vote_csr *m = in->m;
	uint32_t np = m->n_rows, ns = m->n_cols;
	int compat = o->mode == ANALYSIS_COMPAT;
	enum hm_err rc = HM_OK;

	memset(r, 0, sizeof(*r));
	r->mode = o->mode;
	r->n_ptpts = np;
	r->n_stmts = ns;
	r->n_votes = vote_csr_nnz(m);
	progress(o, "counting votes");
	column_stats(r, m);
	if (in->rows) {
		r->n_rows = in->n_rows;
		r->rows = xmalloc(((size_t)in->n_rows + 1) * sizeof(*r->rows));
		memcpy(r->rows, in->rows, (size_t)in->n_rows * sizeof(*r->rows));
	} else {
		r->rows = xmalloc(((size_t)np + 1) * sizeof(*r->rows));
		for (uint32_t p = 0; p < np; p++)
			if (r->user_votes[p])
				r->rows[r->n_rows++] = p;
	}
	r->use_col = xmalloc((size_t)ns + 1);
	r->mod_out = xmalloc((size_t)ns + 1);
	r->is_meta = xmalloc((size_t)ns + 1);
	uint32_t n_mod_cols = 0;
	for (uint32_t t = 0; t < ns; t++) {
		r->use_col[t] = r->col_s[t] > 0;
		r->mod_out[t] = (in->mod_out && in->mod_out[t]) || (in->is_meta && in->is_meta[t]);
		r->is_meta[t] = in->is_meta && in->is_meta[t];
		r->n_cols += r->use_col[t];
		n_mod_cols += r->use_col[t] && r->mod_out[t];
	}

	/* ---- PCA on the centred matrix, voted cells only ---- */
	progress(o, "PCA");
	r->center = xcalloc((size_t)ns + 1, sizeof(double));
	uint8_t *pca_col = xmalloc((size_t)ns + 1);
	for (uint32_t t = 0; t < ns; t++) {
		pca_col[t] = r->use_col[t] && !r->mod_out[t];
		if (pca_col[t])
			r->center[t] = ((double)r->col_a[t] - (double)r->col_d[t]) / (double)r->col_s[t];
	}
	struct pca_view view = {
		.m = m, .rows = r->rows, .n_rows = r->n_rows, .use_col = pca_col, .center = r->center,
	};
	r->comps = xmalloc((2 * (size_t)ns + 1) * sizeof(double));
	for (uint32_t t = 0; t < 2 * ns; t++)
		r->comps[t] = compat ? -1.0 : 0.0; /* Pol.is's all-ones, in agree = +1 sign */
	if (given && given->comps) {
		memcpy(r->comps, given->comps, 2 * (size_t)ns * sizeof(double));
	} else if (st->comps) {
		for (uint32_t c = 0; c < 2; c++)
			for (uint32_t t = 0; t < ns && t < st->n_stmts; t++)
				if (r->use_col[t] && st->comps[(size_t)c * st->n_stmts + t] != 0.0)
					r->comps[(size_t)c * ns + t] = st->comps[(size_t)c * st->n_stmts + t];
	}
	if (!compat && !st->comps && !(given && given->comps)) {
		/* deterministic start: a fixed pseudo-random pair of vectors */
		for (uint32_t t = 0; t < 2 * ns; t++) {
			uint64_t z = (uint64_t)t * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
			z ^= z >> 31;
			r->comps[t] = (double)(z >> 11) / 9007199254740992.0 - 0.5;
		}
	}
	if (compat)
		r->pca_products = pca_power_polis_tol(&view, 2, o->pca_iters, o->pca_tol, r->comps);
	else
		r->pca_products = pca_power_block2(&view, o->pca_iters, o->pca_tol, r->comps);
	free(st->comps);
	st->comps = xmalloc((2 * (size_t)ns + 1) * sizeof(double));
	memcpy(st->comps, r->comps, 2 * (size_t)ns * sizeof(double));
	st->n_stmts = ns;
	if (o->pca_done)
		o->pca_done(o->pca_done_ctx, r->comps, ns);

	/* ---- projections ---- */
	progress(o, "projection");
	r->proj = xcalloc(2 * (size_t)np + 1, sizeof(double));
	uint32_t n_cols_total = compat ? r->n_cols : r->n_cols - n_mod_cols;
	uint32_t extra = compat ? n_mod_cols : 0; /* Pol.is counts zeroed mod-out cells */
	pca_project_rows(&view, r->comps, n_cols_total, extra, r->proj);
	r->cmt_proj = xcalloc(2 * (size_t)ns + 1, sizeof(double));
	r->cmt_extremity = xcalloc((size_t)ns + 1, sizeof(double));
	double sc = sqrt((double)n_cols_total);
	for (uint32_t t = 0; t < ns; t++) {
		if (!pca_col[t])
			continue;
		double d = 1.0 - r->center[t];
		r->cmt_proj[2 * t] = sc * (d * r->comps[t]);
		r->cmt_proj[2 * t + 1] = sc * (d * r->comps[ns + t]);
		r->cmt_extremity[t] = sqrt(r->cmt_proj[2 * t] * r->cmt_proj[2 * t] +
					   r->cmt_proj[2 * t + 1] * r->cmt_proj[2 * t + 1]);
	}
	free(pca_col);

	/* ---- who is clustered ---- */
	if (given && given->in_conv) {
		r->in_conv = xmalloc((size_t)np + 1);
		memcpy(r->in_conv, given->in_conv, np);
		for (uint32_t p = 0; p < np; p++)
			r->n_in_conv += r->in_conv[p];
	} else {
		compute_in_conv(r, o, st->in_conv, st->n_ptpts);
	}
	free(st->in_conv);
	st->in_conv = xmalloc((size_t)np + 1);
	memcpy(st->in_conv, r->in_conv, np);
	st->n_ptpts = np;

	/* ---- base clusters ---- */
	progress(o, "clustering");
	int cold = !(given && (given->base || given->groups)) && o->cold_restarts && state_cold(st);
	if (given && given->base) {
		kclust_copy(&r->base, given->base);
		for (uint32_t k = 0; k < r->base.mptr[r->base.n]; k++)
			if (r->base.members[k] >= np) {
				rc = HM_EINVAL;
				goto out;
			}
		recenter_base(&r->base, r->proj);
	} else if (compat) {
		uint32_t n = 0;
		uint32_t *names = xmalloc(((size_t)r->n_rows + 1) * sizeof(*names));
		double *xy = xmalloc((2 * (size_t)r->n_rows + 1) * sizeof(*xy));
		for (uint32_t i = 0; i < r->n_rows; i++) {
			uint32_t p = r->rows[i];
			if (!r->in_conv[p])
				continue;
			names[n] = p;
			xy[2 * n] = r->proj[2 * p];
			xy[2 * n + 1] = r->proj[2 * p + 1];
			n++;
		}
		struct kpoints pts = { .n = n, .xy = xy, .names = names, .w = NULL, .name_bound = np };
		if (cold)
			cold_clusters(r, o, st, &pts);
		else
			cluster_start(&r->base, &pts, o->base_k, o->base_iters, &st->base, 1, 0);
		free(names);
		free(xy);
	} else {
		base_scale(r, o, st);
		if (cold)
			cold_clusters(r, o, st, NULL);
	}
	kclust_free(&st->base);
	kclust_copy(&st->base, &r->base);

	/* ---- group clusters ---- */
	if (given && given->groups) {
		kclust_copy(&r->groups, given->groups);
		if (recenter_groups(&r->groups, &r->base)) {
			rc = HM_EINVAL;
			goto out;
		}
		r->k_best = r->k_used = r->groups.n;
		for (uint32_t k = 0; k <= ANALYSIS_MAX_K; k++)
			r->silhouette[k] = NAN;
	} else if (!cold) {
		group_clusters(r, o, st, 0);
	}

	/* ---- counts and statement scores ---- */
	progress(o, "statement scores");
	rc = group_counts(r, m);
	if (rc)
		goto out;
	statement_scores(r, o, st);
	st->ticks++;
out:
	return rc;
}
