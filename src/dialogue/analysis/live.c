/*
 * live.c — a conversation analysed while votes arrive: a full tick now
 * and then (warm-started), and between ticks each vote applied to the
 * counts, the voter's position, base cluster and group in O(their votes),
 * then the statement scores in O(groups × statements). A vote is never
 * waiting on a recompute of the whole conversation.
 */
#include "dialogue/analysis/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* (participant, statement) -> index of its latest pending vote. */
struct pend_map {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, n;
};

static size_t pm_hash(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static uint32_t pm_get(const struct pend_map *pm, uint64_t k)
{
	if (!pm->cap)
		return UINT32_MAX;
	for (size_t i = pm_hash(k, pm->cap);; i = (i + 1) & (pm->cap - 1)) {
		if (pm->vals[i] == UINT32_MAX)
			return UINT32_MAX;
		if (pm->keys[i] == k)
			return pm->vals[i];
	}
}

static void pm_put(struct pend_map *pm, uint64_t k, uint32_t v)
{
	if ((pm->n + 1) * 2 > pm->cap) {
		size_t oc = pm->cap, nc = oc ? oc * 2 : 1024;
		uint64_t *ok = pm->keys;
		uint32_t *ov = pm->vals;
		pm->keys = xmalloc(nc * sizeof(*pm->keys));
		pm->vals = xmalloc(nc * sizeof(*pm->vals));
		memset(pm->vals, 0xff, nc * sizeof(*pm->vals));
		pm->cap = nc;
		pm->n = 0;
		for (size_t i = 0; i < oc; i++)
			if (ov[i] != UINT32_MAX)
				pm_put(pm, ok[i], ov[i]);
		free(ok);
		free(ov);
	}
	size_t i = pm_hash(k, pm->cap);
	while (pm->vals[i] != UINT32_MAX && pm->keys[i] != k)
		i = (i + 1) & (pm->cap - 1);
	if (pm->vals[i] == UINT32_MAX)
		pm->n++;
	pm->keys[i] = k;
	pm->vals[i] = v;
}

static void pm_free(struct pend_map *pm)
{
	if (!pm)
		return;
	free(pm->keys);
	free(pm->vals);
	free(pm);
}

static uint64_t pkey(uint32_t p, uint32_t t)
{
	return (uint64_t)p << 32 | t;
}

/* Projection parameters as of the last tick. */
struct proj_par {
	uint32_t n_cols_total, extra;
};

static struct proj_par proj_par_of(const struct analysis_result *r)
{
	struct proj_par pp = { 0, 0 };
	uint32_t mod = 0;
	for (uint32_t t = 0; t < r->n_stmts; t++)
		mod += r->use_col[t] && r->mod_out[t];
	if (r->mode == ANALYSIS_COMPAT) {
		pp.n_cols_total = r->n_cols;
		pp.extra = mod;
	} else {
		pp.n_cols_total = r->n_cols - mod;
	}
	return pp;
}

/* The current vote of p on t: 2 when none. */
static int current_vote(const struct analysis_live *lv, uint32_t p, uint32_t t)
{
	uint32_t i = pm_get(lv->map, pkey(p, t));
	if (i != UINT32_MAX)
		return lv->pend[i].value;
	if (p >= lv->m.n_rows)
		return 2;
	uint64_t lo = lv->m.row_ptr[p], hi = lv->m.row_ptr[p + 1];
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (lv->m.col[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < lv->m.row_ptr[p + 1] && lv->m.col[lo] == t)
		return lv->m.val[lo];
	return 2;
}

/* Calls fn for each current vote of p (statements known at the tick). */
static void each_vote(const struct analysis_live *lv, uint32_t p, void (*fn)(void *, uint32_t, int), void *ctx)
{
	if (p < lv->m.n_rows)
		for (uint64_t k = lv->m.row_ptr[p]; k < lv->m.row_ptr[p + 1]; k++)
			if (pm_get(lv->map, pkey(p, lv->m.col[k])) == UINT32_MAX)
				fn(ctx, lv->m.col[k], lv->m.val[k]);
	if (p < lv->ptpt_cap)
		for (uint32_t i = lv->pend_head[p]; i; i = lv->pend_next[i - 1]) {
			const struct vote *v = &lv->pend[i - 1];
			if (pm_get(lv->map, pkey(p, v->tid)) == i - 1 && v->tid < lv->res.n_stmts)
				fn(ctx, v->tid, v->value);
		}
}

static void grow_ptpts(struct analysis_live *lv, uint32_t n)
{
	struct analysis_result *r = &lv->res;
	if (n > lv->ptpt_cap) {
		uint32_t cap = lv->ptpt_cap ? lv->ptpt_cap : 1024;
		while (cap < n)
			cap *= 2;
		lv->pend_head = xrealloc(lv->pend_head, ((size_t)cap + 1) * sizeof(*lv->pend_head));
		memset(lv->pend_head + lv->ptpt_cap, 0, ((size_t)cap - lv->ptpt_cap) * sizeof(*lv->pend_head));
		lv->ptpt_cap = cap;
	}
	if (n > lv->n_ptpts)
		lv->n_ptpts = n;
	if (n <= r->n_ptpts)
		return;
	r->proj = xrealloc(r->proj, (2 * (size_t)n + 1) * sizeof(*r->proj));
	r->ptpt_group = xrealloc(r->ptpt_group, ((size_t)n + 1) * sizeof(*r->ptpt_group));
	r->ptpt_base = xrealloc(r->ptpt_base, ((size_t)n + 1) * sizeof(*r->ptpt_base));
	r->user_votes = xrealloc(r->user_votes, ((size_t)n + 1) * sizeof(*r->user_votes));
	r->in_conv = xrealloc(r->in_conv, (size_t)n + 1);
	for (uint32_t p = r->n_ptpts; p < n; p++) {
		r->proj[2 * p] = r->proj[2 * p + 1] = 0;
		r->ptpt_group[p] = r->ptpt_base[p] = -1;
		r->user_votes[p] = 0;
		r->in_conv[p] = 0;
	}
	r->n_ptpts = n;
}

/* Adds (sign = +1) or removes (-1) one vote in the counts of group g. */
static void group_count(struct analysis_result *r, int32_t g, uint32_t t, int v, int sign)
{
	if (g < 0 || t >= r->n_stmts)
		return;
	size_t at = (size_t)g * r->n_stmts + t;
	r->gs[at] += (uint32_t)sign;
	if (v > 0)
		r->ga[at] += (uint32_t)sign;
	else if (v < 0)
		r->gd[at] += (uint32_t)sign;
}

struct proj_acc {
	const struct analysis_result *r;
	double p0, p1;
	uint32_t n;
};

static void proj_one(void *ctx, uint32_t t, int v)
{
	struct proj_acc *a = ctx;
	const struct analysis_result *r = a->r;
	if (!r->use_col[t] || r->mod_out[t])
		return;
	double d = (double)v - r->center[t];
	a->p0 += d * r->comps[t];
	a->p1 += d * r->comps[r->n_stmts + t];
	a->n++;
}

struct move_acc {
	struct analysis_result *r;
	int32_t from, to;
};

static void move_one(void *ctx, uint32_t t, int v)
{
	struct move_acc *a = ctx;
	group_count(a->r, a->from, t, v, -1);
	group_count(a->r, a->to, t, v, +1);
}

/* Position, in-conv, base cluster and group of one participant; pp is
 * proj_par_of the result, which scans every statement, so the caller
 * finds it once for all the participants it refreshes. */
static void refresh_ptpt(struct analysis_live *lv, uint32_t p, const int32_t *base_group,
			 struct proj_par pp)
{
	struct analysis_result *r = &lv->res;
	struct proj_acc a = { .r = r };
	each_vote(lv, p, proj_one, &a);
	double s = sqrt((double)pp.n_cols_total / (double)(a.n + pp.extra > 1 ? a.n + pp.extra : 1));
	r->proj[2 * p] = s * a.p0;
	r->proj[2 * p + 1] = s * a.p1;
	uint32_t need = lv->opts.min_votes < r->n_cols ? lv->opts.min_votes : r->n_cols;
	if (!r->in_conv[p] && r->user_votes[p] >= need) {
		r->in_conv[p] = 1;
		r->n_in_conv++;
	}
	if (!r->in_conv[p] || !r->base.n)
		return;
	uint32_t best = 0;
	double bd = INFINITY;
	for (uint32_t b = 0; b < r->base.n; b++) {
		double dx = r->proj[2 * p] - r->base.center[2 * b], dy = r->proj[2 * p + 1] - r->base.center[2 * b + 1];
		double d = dx * dx + dy * dy;
		if (d < bd) {
			bd = d;
			best = b;
		}
	}
	r->ptpt_base[p] = (int32_t)best;
	int32_t g = base_group[best];
	if (g != r->ptpt_group[p]) {
		struct move_acc m = { r, r->ptpt_group[p], g };
		each_vote(lv, p, move_one, &m);
		if (r->ptpt_group[p] >= 0)
			r->group_size[r->ptpt_group[p]]--;
		if (g >= 0)
			r->group_size[g]++;
		r->ptpt_group[p] = g;
	}
}

enum hm_err analysis_live_add(struct analysis_live *lv, const struct vote *v, size_t n)
{
	struct analysis_result *r = &lv->res;
	uint8_t *dirty_flag = NULL;
	uint32_t *dirty = xmalloc((n + 1) * sizeof(*dirty));
	uint32_t n_dirty = 0, flag_n = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t p = v[i].pid, t = v[i].tid;
		int val = v[i].value;
		if (val < -1 || val > 1) {
			free(dirty);
			free(dirty_flag);
			return HM_EINVAL;
		}
		grow_ptpts(lv, p + 1);
		int old = current_vote(lv, p, t);
		if (lv->n_pend == lv->pend_cap) {
			lv->pend_cap = lv->pend_cap ? lv->pend_cap * 2 : 1024;
			lv->pend = xrealloc(lv->pend, lv->pend_cap * sizeof(*lv->pend));
			lv->pend_next = xrealloc(lv->pend_next, lv->pend_cap * sizeof(*lv->pend_next));
		}
		uint32_t idx = (uint32_t)lv->n_pend++;
		lv->pend[idx] = v[i];
		lv->pend_next[idx] = lv->pend_head[p];
		lv->pend_head[p] = idx + 1;
		pm_put(lv->map, pkey(p, t), idx);
		if (t >= r->n_stmts)
			continue; /* a statement new since the tick: counted then */
		if (old != 2) {
			r->col_s[t]--;
			r->col_a[t] -= old > 0;
			r->col_d[t] -= old < 0;
			group_count(r, r->ptpt_group[p], t, old, -1);
		} else {
			if (!r->user_votes[p]++) {
				/* a first vote: one more row, at the end */
				r->rows = xrealloc(r->rows, ((size_t)r->n_rows + 2) * sizeof(*r->rows));
				r->rows[r->n_rows++] = p;
			}
			r->n_votes++;
		}
		r->col_s[t]++;
		r->col_a[t] += val > 0;
		r->col_d[t] += val < 0;
		group_count(r, r->ptpt_group[p], t, val, +1);
		if (n <= 64) {
			/* a few votes: a scan beats clearing a flag per participant */
			uint32_t k;
			for (k = 0; k < n_dirty && dirty[k] != p; k++)
				;
			if (k == n_dirty)
				dirty[n_dirty++] = p;
			continue;
		}
		if (p >= flag_n) {
			free(dirty_flag);
			flag_n = r->n_ptpts;
			dirty_flag = xcalloc((size_t)flag_n + 1, 1);
			for (uint32_t k = 0; k < n_dirty; k++)
				dirty_flag[dirty[k]] = 1;
		}
		if (!dirty_flag[p]) {
			dirty_flag[p] = 1;
			dirty[n_dirty++] = p;
		}
	}
	int32_t *base_group = xmalloc(((size_t)r->base.n + 1) * sizeof(*base_group));
	(void)analysis_base_groups(&r->base, &r->groups, base_group); /* both from the last tick */
	struct proj_par pp = proj_par_of(r);
	for (uint32_t k = 0; k < n_dirty; k++)
		refresh_ptpt(lv, dirty[k], base_group, pp);
	free(base_group);
	free(dirty);
	free(dirty_flag);
	analysis_rescore(r);
	return HM_OK;
}

static void reset_pending(struct analysis_live *lv)
{
	lv->n_pend = 0;
	pm_free(lv->map);
	lv->map = xcalloc(1, sizeof(*lv->map));
	if (lv->pend_head)
		memset(lv->pend_head, 0, (size_t)lv->ptpt_cap * sizeof(*lv->pend_head));
}

static enum hm_err live_run(struct analysis_live *lv)
{
	struct analysis_input in = { .m = &lv->m, .mod_out = lv->mod_out, .is_meta = lv->is_meta };
	analysis_result_free(&lv->res);
	enum hm_err rc = analysis_run(&in, &lv->opts, &lv->st, NULL, &lv->res);
	lv->n_ptpts = lv->m.n_rows;
	return rc;
}

enum hm_err analysis_live_init(struct analysis_live *lv, struct vote_csr *m, const uint8_t *mod_out,
			       const uint8_t *is_meta, const struct analysis_opts *o)
{
	memset(lv, 0, sizeof(*lv));
	lv->opts = *o;
	lv->opts.progress = NULL;
	analysis_state_init(&lv->st);
	lv->m = *m;
	memset(m, 0, sizeof(*m));
	lv->mod_out = xcalloc((size_t)lv->m.n_cols + 1, 1);
	lv->is_meta = xcalloc((size_t)lv->m.n_cols + 1, 1);
	if (mod_out)
		memcpy(lv->mod_out, mod_out, lv->m.n_cols);
	if (is_meta)
		memcpy(lv->is_meta, is_meta, lv->m.n_cols);
	lv->map = xcalloc(1, sizeof(*lv->map));
	enum hm_err rc = live_run(lv);
	grow_ptpts(lv, lv->m.n_rows);
	return rc;
}

/* Room for n statements: the matrix's width and the moderation flags,
 * which cover every statement (a new one is in, not meta). */
static void grow_cols(struct analysis_live *lv, uint32_t n)
{
	if (n <= lv->m.n_cols)
		return;
	lv->mod_out = xrealloc(lv->mod_out, (size_t)n + 1);
	lv->is_meta = xrealloc(lv->is_meta, (size_t)n + 1);
	memset(lv->mod_out + lv->m.n_cols, 0, n - lv->m.n_cols);
	memset(lv->is_meta + lv->m.n_cols, 0, n - lv->m.n_cols);
	lv->m.n_cols = n;
}

enum hm_err analysis_live_tick(struct analysis_live *lv)
{
	uint32_t n_cols = lv->m.n_cols;
	for (size_t i = 0; i < lv->n_pend; i++)
		if (lv->pend[i].tid + 1 > n_cols)
			n_cols = lv->pend[i].tid + 1;
	grow_cols(lv, n_cols);
	vote_csr_merge(&lv->m, lv->n_ptpts, n_cols, lv->pend, lv->n_pend);
	reset_pending(lv);
	return live_run(lv);
}

void analysis_live_moderate(struct analysis_live *lv, uint32_t tid, int mod_out, int is_meta)
{
	grow_cols(lv, tid + 1);
	lv->mod_out[tid] = mod_out != 0;
	lv->is_meta[tid] = is_meta != 0;
}

void analysis_live_free(struct analysis_live *lv)
{
	analysis_state_free(&lv->st);
	analysis_result_free(&lv->res);
	vote_csr_free(&lv->m);
	free(lv->mod_out);
	free(lv->is_meta);
	free(lv->pend);
	free(lv->pend_next);
	free(lv->pend_head);
	pm_free(lv->map);
	memset(lv, 0, sizeof(*lv));
}
