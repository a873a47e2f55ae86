/*
 * kmeans.c — Pol.is's k-means (clusters.clj) step for step, so that given
 * the same points it returns the same clusters and ids; the silhouette and
 * adjusted Rand index used to pick and judge clusterings; and a plain
 * deterministic Lloyd k-means for a million points in scale mode.
 */
#include "dialogue/analysis/kmeans.h"
#include "dialogue/analysis/par.h"

#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void kclust_init(struct kclust *c)
{
	memset(c, 0, sizeof(*c));
}

void kclust_free(struct kclust *c)
{
	free(c->id);
	free(c->center);
	free(c->mptr);
	free(c->members);
	memset(c, 0, sizeof(*c));
}

void kclust_copy(struct kclust *dst, const struct kclust *src)
{
	uint32_t nm = src->mptr ? src->mptr[src->n] : 0;
	dst->n = src->n;
	dst->id = xmalloc(((size_t)src->n + 1) * sizeof(*dst->id));
	dst->center = xmalloc((2 * (size_t)src->n + 1) * sizeof(*dst->center));
	dst->mptr = xmalloc(((size_t)src->n + 1) * sizeof(*dst->mptr));
	dst->members = xmalloc(((size_t)nm + 1) * sizeof(*dst->members));
	if (src->n) {
		memcpy(dst->id, src->id, src->n * sizeof(*dst->id));
		memcpy(dst->center, src->center, 2 * src->n * sizeof(*dst->center));
	}
	if (src->mptr)
		memcpy(dst->mptr, src->mptr, ((size_t)src->n + 1) * sizeof(*dst->mptr));
	else
		dst->mptr[0] = 0;
	if (nm)
		memcpy(dst->members, src->members, nm * sizeof(*dst->members));
}

static uint64_t rng_next(uint64_t *s);
static double rng_unit(uint64_t *s);

/* ---- working clusters ---- */

struct wc {
	int32_t id;
	double c[2];
	uint32_t *mem; /* point indices (not names) */
	uint32_t n, cap;
};

struct wset {
	struct wc *c;
	uint32_t n, cap;
};

static void wset_free(struct wset *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		free(s->c[i].mem);
	free(s->c);
	memset(s, 0, sizeof(*s));
}

static struct wc *wset_add(struct wset *s, int32_t id, double x, double y)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->c = xrealloc(s->c, s->cap * sizeof(*s->c));
	}
	struct wc *c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->c[0] = x;
	c->c[1] = y;
	return c;
}

static void wc_push(struct wc *c, uint32_t p)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->mem = xrealloc(c->mem, c->cap * sizeof(*c->mem));
	}
	c->mem[c->n++] = p;
}

static double dist_polis(const double *a, const double *b, int exact)
{
	if (exact) {
		/* vectorz: |a|² + |b|² − 2a·b, which cancels for near points */
		double d2 = (a[0] * a[0] + a[1] * a[1]) + (b[0] * b[0] + b[1] * b[1]) -
			    2.0 * (a[0] * b[0] + a[1] * b[1]);
		return d2 > 0.0 ? sqrt(d2) : 0.0;
	}
	double dx = a[0] - b[0], dy = a[1] - b[1];
	return sqrt(dx * dx + dy * dy);
}

/* Weighted mean of the members' positions, as clusters.clj weighted-mean. */
static void wc_mean(const struct wc *c, const struct kpoints *p, double out[2])
{
	double sx = 0.0, sy = 0.0;
	if (!c->n)
		return;
	if (p->w) {
		double sw = 0.0;
		for (uint32_t i = 0; i < c->n; i++)
			sw += p->w[c->mem[i]];
		double f = (double)c->n / sw;
		for (uint32_t i = 0; i < c->n; i++) {
			uint32_t q = c->mem[i];
			sx += f * (p->w[q] * p->xy[2 * q]);
			sy += f * (p->w[q] * p->xy[2 * q + 1]);
		}
	} else {
		for (uint32_t i = 0; i < c->n; i++) {
			sx += p->xy[2 * c->mem[i]];
			sy += p->xy[2 * c->mem[i] + 1];
		}
	}
	out[0] = sx / (double)c->n;
	out[1] = sy / (double)c->n;
}

static int wc_cmp_id(const void *a, const void *b)
{
	const struct wc *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Nearest centre by a full scan: min-key, the last of equals wins. */
static uint32_t nearest_scan(const struct wset *s, const double *q, int exact)
{
	uint32_t best = 0;
	double bd = INFINITY;
	for (uint32_t i = 0; i < s->n; i++) {
		double d = dist_polis(q, s->c[i].c, exact);
		if (d <= bd) {
			bd = d;
			best = i;
		}
	}
	return best;
}

/* Centres sorted by x, for the pruned search below. */
struct xc {
	double x, y;
	double c2; /* x² + y², as dist_polis computes |b|² */
	uint32_t i;
};

struct xorder {
	struct xc *c;
	double max_c2; /* largest |c|² */
	int ok;        /* every centre finite */
};

static int xc_cmp(const void *a, const void *b)
{
	const struct xc *p = a, *q = b;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

static void xorder_build(struct xorder *o, const struct wset *s)
{
	o->c = xmalloc(((size_t)s->n + 1) * sizeof(*o->c));
	o->max_c2 = 0.0;
	o->ok = 1;
	for (uint32_t i = 0; i < s->n; i++) {
		const double *c = s->c[i].c;
		double c2 = c[0] * c[0] + c[1] * c[1];
		o->c[i].x = c[0];
		o->c[i].y = c[1];
		o->c[i].c2 = c2;
		o->c[i].i = i;
		if (!isfinite(c2))
			o->ok = 0;
		else if (c2 > o->max_c2)
			o->max_c2 = c2;
	}
	if (o->ok)
		qsort(o->c, s->n, sizeof(*o->c), xc_cmp);
}

static void xorder_free(struct xorder *o)
{
	free(o->c);
}

/*
 * The same answer as nearest_scan, visiting centres outward from the
 * point's x and stopping once |Δx| alone rules out every centre left on
 * both sides. The cut-off keeps a margin of 1e-12 (relative to the
 * squared norms) over the rounding of either distance formula (a few
 * ulps), so every centre that could tie with the minimum is still
 * compared; among equal minima the highest index wins, as in the scan.
 * When hint is not NULL it receives the nearest distance and a lower
 * bound of the others (the second nearest seen, or |Δx| where the walk
 * stopped), both as computed (see struct kbounds).
 */
static uint32_t nearest_pruned(const struct wset *s, const struct xorder *o, const double *q, int exact,
			       double hint[2], uint32_t seed)
{
	double m = q[0] * q[0] + q[1] * q[1] + o->max_c2;
	/* tiny (underflowing), huge or NaN: the plain scan */
	if (!o->ok || !(m >= 1e-200 && m <= 1e200)) {
		if (hint)
			hint[0] = hint[1] = NAN;
		return nearest_scan(s, q, exact);
	}
	double slack = 1e-12 * m, qq = q[0] * q[0] + q[1] * q[1];
	uint32_t n = s->n, lo = 0, hi = n, best = 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (o->c[mid].x < q[0])
			lo = mid + 1;
		else
			hi = mid;
	}
	/* left side: ranks < l; right side: ranks >= r */
	uint32_t l = lo, r = lo;
	/* Distances are compared as their squares e2 (dist_polis is
	 * sqrt(e2), e2 clamped at 0): when two squares differ by more than
	 * 1e-14 relative their correctly rounded roots differ too, in the
	 * same direction, so only near-equal squares need the roots. */
	double bd = INFINITY, bd2 = INFINITY, second2 = INFINITY, stop = INFINITY, cut = INFINITY;
	if (seed < n) {
		/* a likely nearest first, so the walk is cut short early; it is
		 * met again in the walk and changes nothing then */
		double cx = s->c[seed].c[0], cy = s->c[seed].c[1];
		if (exact) {
			double e2 = (qq + (cx * cx + cy * cy)) - 2.0 * (q[0] * cx + q[1] * cy);
			bd2 = e2 > 0.0 ? e2 : 0.0;
		} else {
			double ex = q[0] - cx, ey = q[1] - cy;
			bd2 = ex * ex + ey * ey;
		}
		bd = sqrt(bd2); /* = dist_polis(q, seed's centre, exact) */
		best = seed;
		if (!hint)
			cut = bd2 * (1.0 + 3e-12) + 2.0 * slack;
	}
	while (l > 0 || r < n) {
		double dl = l > 0 ? q[0] - o->c[l - 1].x : INFINITY;
		double dr = r < n ? o->c[r].x - q[0] : INFINITY;
		int right = dr < dl;
		double dx = right ? dr : dl;
		if (dx * dx > cut) {
			stop = dx;
			break;
		}
		const struct xc *c = right ? &o->c[r++] : &o->c[--l];
		uint32_t i = c->i;
		if (i == seed)
			continue;
		double e2;
		if (exact) {
			/* dist_polis's |a|² + |b|² − 2a·b, term for term */
			e2 = (qq + c->c2) - 2.0 * (q[0] * c->x + q[1] * c->y);
			if (!(e2 > 0.0))
				e2 = 0.0;
		} else {
			double ex = q[0] - c->x, ey = q[1] - c->y;
			e2 = ex * ex + ey * ey;
		}
		int better;
		/* (squares below 1e-290 may be subnormal: roots compared then) */
		if (bd2 >= 1e-290 && e2 < bd2 * (1.0 - 1e-14)) {
			better = 1;
		} else if (e2 >= 1e-290 && e2 > bd2 * (1.0 + 1e-14)) {
			better = 0;
		} else {
			double d = sqrt(e2);
			better = d < bd || (d == bd && i > best);
		}
		if (better) {
			second2 = bd2;
			bd2 = e2;
			bd = sqrt(e2);
			best = i;
		} else if (e2 < second2) {
			second2 = e2;
		}
		/* a little more than 1e-12 either way: rules out only what
		 * dx²(1 − 1e-12) > bd²(1 + 1e-12) + slack would; with hint,
		 * walk on to the second nearest, the bound for later steps */
		cut = (hint ? second2 : bd2) * (1.0 + 3e-12) + 2.0 * slack;
	}
	if (hint) {
		double second = sqrt(second2);
		hint[0] = bd;
		hint[1] = second < stop ? second : stop;
	}
	return best;
}

/*
 * Bounds carried from one Lloyd step to the next (Hamerly's k-means), so
 * a point whose nearest centre cannot have changed is not searched. For
 * point q assigned to centre a: ub ≥ |q − c_a| and lb ≤ |q − c| for every
 * other centre c, in true Euclidean distance; when centres move by δ, ub
 * grows by δ_a and lb shrinks by the largest other δ. The distances the
 * step compares (dist_polis) differ from the true ones by at most
 * err = 1e-6·sqrt(|q|² + max|c|²) (their rounding is below 1e-7 of that,
 * cancellation included), so ub + 3·err < lb means c_a is strictly the
 * nearest by dist_polis too, with no tie: the step's own answer.
 */
struct kbounds {
	uint32_t n;
	int valid;     /* asg/ub/lb describe the current centres */
	uint32_t *asg; /* index of the assigned cluster */
	double *ub, *lb;
};

static void kbounds_init(struct kbounds *b, uint32_t n)
{
	b->n = n;
	b->valid = 0;
	b->asg = xmalloc(((size_t)n + 1) * sizeof(*b->asg));
	b->ub = xmalloc(((size_t)n + 1) * sizeof(*b->ub));
	b->lb = xmalloc(((size_t)n + 1) * sizeof(*b->lb));
}

static void kbounds_free(struct kbounds *b)
{
	free(b->asg);
	free(b->ub);
	free(b->lb);
}

static double kbounds_err(const double *q, double max_c2)
{
	return 1e-6 * sqrt(q[0] * q[0] + q[1] * q[1] + max_c2);
}

/* One Lloyd step: in -> out (out cleared first). kb, when not NULL,
 * carries the bounds from step to step. */
static void cluster_step(const struct wset *in, struct wset *out, const struct kpoints *p, int exact,
			 struct kbounds *kb)
{
	struct wset s = { 0 };
	for (uint32_t i = 0; i < in->n; i++) {
		struct wc *c = wset_add(&s, in->c[i].id, in->c[i].c[0], in->c[i].c[1]);
		/* members change little from step to step: room for as many */
		if (in->c[i].n) {
			c->cap = in->c[i].n + in->c[i].n / 4 + 4;
			c->mem = xmalloc(c->cap * sizeof(*c->mem));
		}
	}
	int bounded = 0;
	if (s.n >= 16) {
		struct xorder o;
		xorder_build(&o, &s);
		bounded = kb && o.ok;
		double *half = NULL; /* per centre: half the distance to the nearest other */
		if (bounded && kb->valid) {
			half = xmalloc(((size_t)s.n + 1) * sizeof(*half));
			for (uint32_t i = 0; i < s.n; i++)
				half[i] = INFINITY;
			for (uint32_t i = 0; i < s.n; i++)
				for (uint32_t j = i + 1; j < s.n; j++) {
					double dx = s.c[i].c[0] - s.c[j].c[0], dy = s.c[i].c[1] - s.c[j].c[1];
					double d2 = dx * dx + dy * dy;
					if (d2 < half[i])
						half[i] = d2;
					if (d2 < half[j])
						half[j] = d2;
				}
			for (uint32_t i = 0; i < s.n; i++)
				half[i] = 0.5 * sqrt(half[i]) * (1.0 - 1e-15);
		}
		for (uint32_t q = 0; q < p->n; q++) {
			const double *pq = p->xy + 2 * q;
			uint32_t seed = UINT32_MAX;
			if (half) {
				/* c_a is strictly nearest when ub clears the other
				 * centres' lower bound, or half the gap from c_a to
				 * its nearest neighbour (then every other c is at
				 * least 2·half − ub away) */
				double err = kbounds_err(pq, o.max_c2);
				uint32_t a = kb->asg[q];
				double lim = kb->lb[q] > half[a] ? kb->lb[q] : half[a];
				if (kb->ub[q] + 3.0 * err < lim) {
					wc_push(&s.c[a], q);
					continue;
				}
				/* tighten the upper bound and try again */
				double dx = pq[0] - s.c[a].c[0], dy = pq[1] - s.c[a].c[1];
				kb->ub[q] = sqrt(dx * dx + dy * dy) * (1.0 + 1e-15);
				if (kb->ub[q] + 3.0 * err < lim) {
					wc_push(&s.c[a], q);
					continue;
				}
				seed = a;
			}
			double hint[2];
			uint32_t best = nearest_pruned(&s, &o, pq, exact, bounded ? hint : NULL, seed);
			if (bounded) {
				double err = kbounds_err(pq, o.max_c2);
				kb->asg[q] = best;
				kb->ub[q] = hint[0] + err;
				kb->lb[q] = hint[1] - err;
				if (!(kb->ub[q] >= 0.0 && kb->lb[q] <= INFINITY)) {
					/* no usable bound (NaN): search next time */
					kb->ub[q] = INFINITY;
					kb->lb[q] = -INFINITY;
				}
			}
			wc_push(&s.c[best], q);
		}
		free(half);
		xorder_free(&o);
	} else if (s.n) {
		for (uint32_t q = 0; q < p->n; q++)
			wc_push(&s.c[nearest_scan(&s, p->xy + 2 * q, exact)], q);
	}
	uint32_t kept = 0;
	double dmax = 0.0, dmax2 = 0.0; /* largest two centre moves */
	uint32_t amax = UINT32_MAX;
	uint32_t *remap = bounded ? xmalloc(((size_t)s.n + 1) * sizeof(*remap)) : NULL;
	double *moved = bounded ? xmalloc(((size_t)s.n + 1) * sizeof(*moved)) : NULL;
	for (uint32_t i = 0; i < s.n; i++) {
		if (!s.c[i].n) {
			free(s.c[i].mem);
			continue;
		}
		double old[2] = { s.c[i].c[0], s.c[i].c[1] };
		wc_mean(&s.c[i], p, s.c[i].c);
		if (bounded) {
			double dx = s.c[i].c[0] - old[0], dy = s.c[i].c[1] - old[1];
			double d = sqrt(dx * dx + dy * dy) * (1.0 + 1e-15);
			if (!(d <= INFINITY))
				d = INFINITY; /* NaN: no bound survives */
			moved[i] = d;
			remap[i] = kept;
			if (d > dmax) {
				dmax2 = dmax;
				dmax = d;
				amax = kept;
			} else if (d > dmax2) {
				dmax2 = d;
			}
		}
		s.c[kept++] = s.c[i];
	}
	if (bounded) {
		for (uint32_t q = 0; q < p->n; q++) {
			uint32_t a = kb->asg[q];
			kb->ub[q] += moved[a];
			a = remap[a];
			kb->asg[q] = a;
			kb->lb[q] -= a == amax ? dmax2 : dmax;
		}
		kb->valid = 1;
	} else if (kb) {
		kb->valid = 0;
	}
	free(remap);
	free(moved);
	s.n = kept;
	wset_free(out);
	*out = s;
}

static int center_cmp(const void *a, const void *b)
{
	const double *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	if (x[1] != y[1])
		return x[1] < y[1] ? -1 : 1;
	return 0;
}

/* The centres of s sorted (x, then y); caller frees. */
static double *sorted_centres(const struct wset *s)
{
	double *c = xmalloc((2 * (size_t)s->n + 1) * sizeof(double));
	for (uint32_t i = 0; i < s->n; i++)
		memcpy(c + 2 * i, s->c[i].c, 2 * sizeof(double));
	qsort(c, s->n, 2 * sizeof(double), center_cmp);
	return c;
}

/* clusters.clj same-clustering? on centres already sorted (the sorted
 * centres of one step are the "before" of the next: sorted once). */
static int same_clustering(const double *ca, uint32_t na, const double *cb, uint32_t nb, int exact)
{
	uint32_t n = na < nb ? na : nb;
	int same = 1;
	for (uint32_t i = 0; i < n && same; i++)
		same = dist_polis(ca + 2 * i, cb + 2 * i, exact) < 0.01;
	return same;
}

static uint32_t count_distinct(const struct kpoints *p, uint32_t stop_at)
{
	double *xy = xmalloc((2 * (size_t)p->n + 1) * sizeof(double));
	uint32_t d = 0;
	memcpy(xy, p->xy, 2 * (size_t)p->n * sizeof(double));
	qsort(xy, p->n, 2 * sizeof(double), center_cmp);
	for (uint32_t i = 0; i < p->n && d < stop_at; i++)
		if (i == 0 || center_cmp(xy + 2 * i, xy + 2 * (i - 1)))
			d++;
	free(xy);
	return d;
}

static void init_clusters(struct wset *s, const struct kpoints *p, uint32_t k)
{
	for (uint32_t q = 0; q < p->n && s->n < k; q++) {
		int dup = 0;
		for (uint32_t i = 0; i < s->n && !dup; i++)
			dup = s->c[i].c[0] == p->xy[2 * q] && s->c[i].c[1] == p->xy[2 * q + 1];
		if (!dup)
			wset_add(s, (int32_t)s->n, p->xy[2 * q], p->xy[2 * q + 1]);
	}
}

/* clusters.clj clean-start-clusters. */
static void clean_start(struct wset *s, const struct kpoints *p, uint32_t k, const struct kclust *last,
			int exact)
{
	uint32_t *where = xmalloc(((size_t)p->name_bound + 1) * sizeof(*where));
	memset(where, 0xff, ((size_t)p->name_bound + 1) * sizeof(*where));
	for (uint32_t q = 0; q < p->n; q++)
		where[p->names[q]] = q;
	int32_t max_id = -1;
	for (uint32_t i = 0; i < last->n; i++) {
		if (last->id[i] > max_id)
			max_id = last->id[i];
		struct wc tmp = { 0 };
		for (uint32_t m = last->mptr[i]; m < last->mptr[i + 1]; m++) {
			uint32_t nm = last->members[m];
			if (nm < p->name_bound && where[nm] != UINT32_MAX)
				wc_push(&tmp, where[nm]);
		}
		if (!tmp.n) {
			free(tmp.mem);
			continue;
		}
		/* uniqify: merge into an earlier cluster with the same centre */
		double c[2];
		wc_mean(&tmp, p, c);
		struct wc *same = NULL;
		for (uint32_t j = 0; j < s->n && !same; j++)
			if (s->c[j].c[0] == c[0] && s->c[j].c[1] == c[1])
				same = &s->c[j];
		if (same) {
			double n1 = same->n, n2 = tmp.n;
			if (tmp.n >= same->n)
				same->id = last->id[i];
			same->c[0] = (n1 * same->c[0] + n2 * c[0]) / (n1 + n2);
			same->c[1] = (n1 * same->c[1] + n2 * c[1]) / (n1 + n2);
			for (uint32_t m = 0; m < tmp.n; m++)
				wc_push(same, tmp.mem[m]);
			free(tmp.mem);
			continue;
		}
		struct wc *nc = wset_add(s, last->id[i], c[0], c[1]);
		nc->mem = tmp.mem;
		nc->n = tmp.n;
		nc->cap = tmp.cap;
	}
	if (!s->n) {
		struct wc *nc = wset_add(s, max_id + 1, 0, 0);
		for (uint32_t q = 0; q < p->n; q++)
			wc_push(nc, q);
	}
	uint32_t possible = count_distinct(p, k);
	for (;;) {
		for (uint32_t i = 0; i < s->n; i++)
			if (s->c[i].n)
				wc_mean(&s->c[i], p, s->c[i].c);
		if (possible <= s->n)
			break;
		/* most distal point: farthest from its nearest centre (last wins) */
		double far = -1.0;
		uint32_t far_q = 0;
		for (uint32_t q = 0; q < p->n; q++) {
			double bd = INFINITY;
			for (uint32_t i = 0; i < s->n; i++) {
				double d = dist_polis(p->xy + 2 * q, s->c[i].c, exact);
				if (d <= bd)
					bd = d;
			}
			if (bd >= far) {
				far = bd;
				far_q = q;
			}
		}
		if (!(far > 0.0))
			break;
		int32_t top = s->c[0].id;
		for (uint32_t i = 0; i < s->n; i++) {
			struct wc *c = &s->c[i];
			uint32_t w = 0;
			for (uint32_t m = 0; m < c->n; m++)
				if (c->mem[m] != far_q)
					c->mem[w++] = c->mem[m];
			c->n = w;
			if (c->id > top)
				top = c->id;
		}
		struct wc *nc = wset_add(s, top + 1, p->xy[2 * far_q], p->xy[2 * far_q + 1]);
		wc_push(nc, far_q);
	}
	free(where);
}

static void wset_to_kclust(const struct wset *s, const struct kpoints *p, struct kclust *out)
{
	struct wset sorted = *s;
	uint32_t total = 0;
	qsort(sorted.c, sorted.n, sizeof(*sorted.c), wc_cmp_id);
	for (uint32_t i = 0; i < s->n; i++)
		total += s->c[i].n;
	out->n = s->n;
	out->id = xmalloc(((size_t)s->n + 1) * sizeof(*out->id));
	out->center = xmalloc((2 * (size_t)s->n + 1) * sizeof(*out->center));
	out->mptr = xmalloc(((size_t)s->n + 1) * sizeof(*out->mptr));
	out->members = xmalloc(((size_t)total + 1) * sizeof(*out->members));
	out->mptr[0] = 0;
	for (uint32_t i = 0; i < s->n; i++) {
		const struct wc *c = &sorted.c[i];
		out->id[i] = c->id;
		out->center[2 * i] = c->c[0];
		out->center[2 * i + 1] = c->c[1];
		for (uint32_t m = 0; m < c->n; m++)
			out->members[out->mptr[i] + m] = p->names[c->mem[m]];
		out->mptr[i + 1] = out->mptr[i] + c->n;
	}
}

/* Pol.is's steps from the clusters in cur (consumed) until the centres
 * settle or max_iters run out; the result goes to out. */
static void polis_iterate(struct wset cur, struct kclust *out, const struct kpoints *pts,
			  uint32_t max_iters, int exact_polis_dist)
{
	struct wset next = { 0 };
	struct kbounds kb;
	double *sc = NULL; /* cur's centres sorted, once known */
	kbounds_init(&kb, pts->n);
	for (uint32_t iter = max_iters;; iter--) {
		cluster_step(&cur, &next, pts, exact_polis_dist, &kb);
		int done = iter == 0;
		if (!done) {
			if (!sc)
				sc = sorted_centres(&cur);
			double *sn = sorted_centres(&next);
			done = same_clustering(sc, cur.n, sn, next.n, exact_polis_dist);
			free(sc);
			sc = sn;
		}
		struct wset t = cur;
		cur = next;
		next = t;
		if (done)
			break;
	}
	free(sc);
	kbounds_free(&kb);
	kclust_free(out);
	wset_to_kclust(&cur, pts, out);
	wset_free(&cur);
	wset_free(&next);
}

void kmeans_polis(struct kclust *out, const struct kpoints *pts, uint32_t k, uint32_t max_iters,
		  const struct kclust *last, int exact_polis_dist)
{
	struct wset cur = { 0 };
	if (last && last->n)
		clean_start(&cur, pts, k, last, exact_polis_dist);
	else
		init_clusters(&cur, pts, k);
	/* Clusters are visited in ascending id order in each step. */
	qsort(cur.c, cur.n, sizeof(*cur.c), wc_cmp_id);
	polis_iterate(cur, out, pts, max_iters, exact_polis_dist);
}

void kmeans_polis_from(struct kclust *out, const struct kpoints *pts, const double *centers, uint32_t k,
		       uint32_t max_iters, int exact_polis_dist)
{
	struct wset cur = { 0 };
	for (uint32_t c = 0; c < k; c++)
		wset_add(&cur, (int32_t)c, centers[2 * c], centers[2 * c + 1]);
	polis_iterate(cur, out, pts, max_iters, exact_polis_dist);
}

double kclust_inertia(const struct kclust *c, const struct kpoints *pts)
{
	int32_t *lab = xmalloc(((size_t)pts->n + 1) * sizeof(*lab));
	double s = 0;
	kclust_labels(c, pts, lab);
	for (uint32_t q = 0; q < pts->n; q++) {
		if (lab[q] < 0)
			continue;
		double dx = pts->xy[2 * q] - c->center[2 * lab[q]], dy = pts->xy[2 * q + 1] - c->center[2 * lab[q] + 1];
		s += (pts->w ? pts->w[q] : 1.0) * (dx * dx + dy * dy);
	}
	free(lab);
	return s;
}

/*
 * k-means++ draws the next centre at the first i whose running sum of
 * weights exceeds r. The running sums are the same additions in the same
 * order whether made while drawing or beforehand, so they are made once,
 * in the pass that updates the weights, and the draw is a binary search:
 * valid while the sums never decrease (no negative or NaN weight), else
 * the linear walk. Returns the first i with prefix[i] > r, or n − 1.
 */
static uint32_t pp_pick(const double *prefix, const double *term, uint32_t n, int monotone, double r)
{
	if (!monotone) {
		double acc = 0.0;
		for (uint32_t i = 0; i < n; i++) {
			acc += term[i];
			if (acc > r)
				return i;
		}
		return n - 1;
	}
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (prefix[mid] > r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < n ? lo : n - 1;
}

void kmeans_pp_centers(const struct kpoints *pts, uint32_t k, uint64_t seed, double *centers)
{
	uint32_t n = pts->n;
	double *d2 = xmalloc(((size_t)n + 1) * sizeof(*d2));
	double *prefix = xmalloc(((size_t)n + 1) * sizeof(*prefix));
	uint32_t first = (uint32_t)(rng_next(&seed) % n);
	double acc = 0.0;
	int monotone = 1;
	centers[0] = pts->xy[2 * first];
	centers[1] = pts->xy[2 * first + 1];
	for (uint32_t i = 0; i < n; i++) {
		double dx = pts->xy[2 * i] - centers[0], dy = pts->xy[2 * i + 1] - centers[1];
		d2[i] = (dx * dx + dy * dy) * (pts->w ? pts->w[i] : 1.0);
		acc += d2[i];
		prefix[i] = acc;
		monotone &= d2[i] >= 0.0;
	}
	for (uint32_t c = 1; c < k; c++) {
		double tot = prefix[n - 1];
		uint32_t pick = pp_pick(prefix, d2, n, monotone, rng_unit(&seed) * tot);
		centers[2 * c] = pts->xy[2 * pick];
		centers[2 * c + 1] = pts->xy[2 * pick + 1];
		if (c + 1 == k)
			break; /* the weights after the last draw are not used */
		acc = 0.0;
		monotone = 1;
		for (uint32_t i = 0; i < n; i++) {
			double dx = pts->xy[2 * i] - centers[2 * c], dy = pts->xy[2 * i + 1] - centers[2 * c + 1];
			double d = (dx * dx + dy * dy) * (pts->w ? pts->w[i] : 1.0);
			if (d < d2[i])
				d2[i] = d;
			acc += d2[i];
			prefix[i] = acc;
			monotone &= d2[i] >= 0.0;
		}
	}
	free(prefix);
	free(d2);
}

void kclust_labels(const struct kclust *c, const struct kpoints *pts, int32_t *label)
{
	int32_t *by_name = xmalloc(((size_t)pts->name_bound + 1) * sizeof(*by_name));
	for (uint32_t i = 0; i <= pts->name_bound; i++)
		by_name[i] = -1;
	for (uint32_t i = 0; i < c->n; i++)
		for (uint32_t m = c->mptr[i]; m < c->mptr[i + 1]; m++)
			if (c->members[m] < pts->name_bound)
				by_name[c->members[m]] = (int32_t)i;
	for (uint32_t q = 0; q < pts->n; q++)
		label[q] = by_name[pts->names[q]];
	free(by_name);
}

/* ---- silhouette ---- */

static double silhouette_core(const double *xy, uint32_t n, const int32_t *label, uint32_t k,
			      uint32_t sample)
{
	uint32_t *cnt = xcalloc((size_t)k + 1, sizeof(*cnt));
	uint32_t **mem = xcalloc((size_t)k + 1, sizeof(*mem));
	uint32_t *fill = xcalloc((size_t)k + 1, sizeof(*fill));
	double *sum = xmalloc(((size_t)k + 1) * sizeof(*sum));
	uint32_t *used = xmalloc(((size_t)k + 1) * sizeof(*used));
	double total = 0.0;
	uint32_t n_in = 0;
	for (uint32_t i = 0; i < n; i++)
		if (label[i] >= 0 && (uint32_t)label[i] < k)
			cnt[label[i]]++;
	for (uint32_t c = 0; c < k; c++)
		mem[c] = xmalloc(((size_t)cnt[c] + 1) * sizeof(**mem));
	for (uint32_t i = 0; i < n; i++)
		if (label[i] >= 0 && (uint32_t)label[i] < k)
			mem[label[i]][fill[label[i]]++] = i;
	for (uint32_t i = 0; i < n; i++) {
		if (label[i] < 0 || (uint32_t)label[i] >= k)
			continue;
		uint32_t own = (uint32_t)label[i];
		n_in++;
		if (cnt[own] == 1)
			continue; /* a singleton scores 0 */
		for (uint32_t c = 0; c < k; c++) {
			sum[c] = 0.0;
			used[c] = 0;
			if (!cnt[c])
				continue;
			/* every member, or an evenly spaced sample of them */
			uint32_t step = sample && cnt[c] > sample ? cnt[c] / sample : 1;
			for (uint32_t m = 0; m < cnt[c]; m += step) {
				uint32_t j = mem[c][m];
				if (j == i)
					continue;
				double dx = xy[2 * i] - xy[2 * j], dy = xy[2 * i + 1] - xy[2 * j + 1];
				sum[c] += sqrt(dx * dx + dy * dy);
				used[c]++;
			}
		}
		double a = used[own] ? sum[own] / used[own] : 0.0, b = INFINITY;
		for (uint32_t c = 0; c < k; c++)
			if (c != own && used[c] && sum[c] / used[c] < b)
				b = sum[c] / used[c];
		if (b == INFINITY)
			continue;
		double mx = a > b ? a : b;
		if (mx > 0.0)
			total += (b - a) / mx;
	}
	for (uint32_t c = 0; c < k; c++)
		free(mem[c]);
	free(mem);
	free(cnt);
	free(fill);
	free(sum);
	free(used);
	return n_in ? total / n_in : 0.0;
}

/*
 * The exact silhouette of up to two labellings of the same points, with
 * each distance computed once for both points of a pair (d(i,j) and
 * d(j,i) are the same bits: x−y = −(y−x) exactly) and for both
 * labellings. sum[i·(k+1) + c] gathers point i's distances to cluster c
 * (slot k takes points outside 0..k−1 and is never read); visiting pairs
 * (i, j > i) with i ascending adds to every sum in ascending partner
 * order, the order silhouette_core adds in, so results are bit-identical.
 */
struct sil_lab {
	const int32_t *label;
	uint32_t k;
	uint32_t *l;   /* label, or k when outside 0..k−1 */
	uint32_t *cnt; /* members per cluster */
	double *sum;
	uint32_t n_in;
};

static void sil_lab_init(struct sil_lab *L, const int32_t *label, uint32_t k, uint32_t n)
{
	L->label = label;
	L->k = k;
	L->l = xmalloc(((size_t)n + 1) * sizeof(*L->l));
	L->cnt = xcalloc((size_t)k + 1, sizeof(*L->cnt));
	L->sum = xcalloc((size_t)n * (k + 1) + 1, sizeof(*L->sum));
	L->n_in = 0;
	for (uint32_t i = 0; i < n; i++) {
		int in = label[i] >= 0 && (uint32_t)label[i] < k;
		L->l[i] = in ? (uint32_t)label[i] : k;
		if (in) {
			L->cnt[label[i]]++;
			L->n_in++;
		}
	}
}

static double sil_lab_finish(struct sil_lab *L, uint32_t n)
{
	uint32_t k = L->k;
	double total = 0.0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t own = L->l[i];
		const double *si = L->sum + (size_t)i * (k + 1);
		if (own == k || L->cnt[own] == 1)
			continue; /* outside, or a singleton: scores 0 */
		double a = si[own] / (L->cnt[own] - 1), b = INFINITY;
		for (uint32_t c = 0; c < k; c++)
			if (c != own && L->cnt[c] && si[c] / L->cnt[c] < b)
				b = si[c] / L->cnt[c];
		if (b == INFINITY)
			continue;
		double mx = a > b ? a : b;
		if (mx > 0.0)
			total += (b - a) / mx;
	}
	free(L->l);
	free(L->cnt);
	free(L->sum);
	return L->n_in ? total / L->n_in : 0.0;
}

/* d[j] = |p_i − p_j| for j in [from, n) */
static void sil_dists(const double *px, const double *py, uint32_t from, uint32_t n, double xi, double yi,
		      double *d)
{
	uint32_t j = from;
#ifdef __SSE2__
	/* two at a time: the same IEEE operations, so the same bits */
	__m128d vx = _mm_set1_pd(xi), vy = _mm_set1_pd(yi);
	for (; j + 2 <= n; j += 2) {
		__m128d dx = _mm_sub_pd(vx, _mm_loadu_pd(px + j)), dy = _mm_sub_pd(vy, _mm_loadu_pd(py + j));
		_mm_storeu_pd(d + j, _mm_sqrt_pd(_mm_add_pd(_mm_mul_pd(dx, dx), _mm_mul_pd(dy, dy))));
	}
#endif
	for (; j < n; j++) {
		double dx = xi - px[j], dy = yi - py[j];
		d[j] = sqrt(dx * dx + dy * dy);
	}
}

static void silhouette_pairs(const double *xy, uint32_t n, struct sil_lab *L, uint32_t n_lab)
{
	double *px = xmalloc(((size_t)n + 1) * sizeof(*px));
	double *py = xmalloc(((size_t)n + 1) * sizeof(*py));
	double *d = xmalloc((2 * (size_t)n + 1) * sizeof(*d));
	for (uint32_t i = 0; i < n; i++) {
		px[i] = xy[2 * i];
		py[i] = xy[2 * i + 1];
	}
#ifdef __SSE2__
	/* cluster masks for the register sums below: slot s of mask[l] is
	 * all ones when s == l */
	static const union {
		uint64_t u[4][4];
		double d[4][4];
	} mask = { { { ~0ULL, 0, 0, 0 }, { 0, ~0ULL, 0, 0 }, { 0, 0, ~0ULL, 0 }, { 0, 0, 0, ~0ULL } } };
	int two_small = n_lab == 2 && L[0].k + 1 <= 4 && L[1].k + 1 <= 4;
#endif
	for (uint32_t i = 0; i < n; i++) {
		sil_dists(px, py, i + 1, n, px[i], py[i], d);
#ifdef __SSE2__
		if (two_small && i + 1 < n) {
			/* Two points (i, i + 1) and both labellings at once: eight
			 * register sums, independent chains that overlap. Point
			 * i + 1's sums are loaded once the pair (i, i + 1) has
			 * added to them, so every sum still adds in ascending
			 * partner order. */
			uint32_t ka = L[0].k + 1, kb = L[1].k + 1, i1 = i + 1;
			const uint32_t *la = L[0].l, *lb = L[1].l;
			double *suma = L[0].sum, *sumb = L[1].sum;
			size_t lia = la[i], lib = lb[i], lia1 = la[i1], lib1 = lb[i1];
			double *e = d + n; /* point i + 1's distances */
			sil_dists(px, py, i1 + 1, n, px[i1], py[i1], e);
			double s[4][4] = { { 0.0 } };
			memcpy(s[0], suma + (size_t)i * ka, ka * sizeof(double));
			memcpy(s[1], sumb + (size_t)i * kb, kb * sizeof(double));
			/* the pair itself */
			s[0][la[i1]] += d[i1];
			s[1][lb[i1]] += d[i1];
			suma[(size_t)i1 * ka + lia] += d[i1];
			sumb[(size_t)i1 * kb + lib] += d[i1];
			memcpy(s[2], suma + (size_t)i1 * ka, ka * sizeof(double));
			memcpy(s[3], sumb + (size_t)i1 * kb, kb * sizeof(double));
			__m128d a01 = _mm_loadu_pd(s[0]), a23 = _mm_loadu_pd(s[0] + 2);
			__m128d b01 = _mm_loadu_pd(s[1]), b23 = _mm_loadu_pd(s[1] + 2);
			__m128d c01 = _mm_loadu_pd(s[2]), c23 = _mm_loadu_pd(s[2] + 2);
			__m128d e01 = _mm_loadu_pd(s[3]), e23 = _mm_loadu_pd(s[3] + 2);
			for (uint32_t j = i1 + 1; j < n; j++) {
				__m128d dj = _mm_set1_pd(d[j]), ej = _mm_set1_pd(e[j]);
				const double *ma = mask.d[la[j]], *mb = mask.d[lb[j]];
				__m128d ma01 = _mm_loadu_pd(ma), ma23 = _mm_loadu_pd(ma + 2);
				__m128d mb01 = _mm_loadu_pd(mb), mb23 = _mm_loadu_pd(mb + 2);
				a01 = _mm_add_pd(a01, _mm_and_pd(dj, ma01));
				a23 = _mm_add_pd(a23, _mm_and_pd(dj, ma23));
				b01 = _mm_add_pd(b01, _mm_and_pd(dj, mb01));
				b23 = _mm_add_pd(b23, _mm_and_pd(dj, mb23));
				c01 = _mm_add_pd(c01, _mm_and_pd(ej, ma01));
				c23 = _mm_add_pd(c23, _mm_and_pd(ej, ma23));
				e01 = _mm_add_pd(e01, _mm_and_pd(ej, mb01));
				e23 = _mm_add_pd(e23, _mm_and_pd(ej, mb23));
				/* point j's sums: from i, then from i + 1 */
				suma[(size_t)j * ka + lia] += d[j];
				suma[(size_t)j * ka + lia1] += e[j];
				sumb[(size_t)j * kb + lib] += d[j];
				sumb[(size_t)j * kb + lib1] += e[j];
			}
			_mm_storeu_pd(s[0], a01);
			_mm_storeu_pd(s[0] + 2, a23);
			_mm_storeu_pd(s[1], b01);
			_mm_storeu_pd(s[1] + 2, b23);
			_mm_storeu_pd(s[2], c01);
			_mm_storeu_pd(s[2] + 2, c23);
			_mm_storeu_pd(s[3], e01);
			_mm_storeu_pd(s[3] + 2, e23);
			memcpy(suma + (size_t)i * ka, s[0], ka * sizeof(double));
			memcpy(sumb + (size_t)i * kb, s[1], kb * sizeof(double));
			memcpy(suma + (size_t)i1 * ka, s[2], ka * sizeof(double));
			memcpy(sumb + (size_t)i1 * kb, s[3], kb * sizeof(double));
			i++; /* i + 1 is done too */
			continue;
		}
#endif
		for (uint32_t t = 0; t < n_lab; t++) {
			uint32_t k1 = L[t].k + 1;
			const uint32_t *l = L[t].l;
			double *si = L[t].sum + (size_t)i * k1, *sum = L[t].sum;
			size_t li = l[i];
#ifdef __SSE2__
			if (k1 <= 4) {
				/* Point i's sums in registers rather than memory (a
				 * chain of load-add-store per partner otherwise): every
				 * slot adds d masked to its cluster, so the others add
				 * +0.0, which leaves a sum of non-negative terms as it
				 * is; its own slot adds d in the same order as before. */
				double s4[4] = { 0.0, 0.0, 0.0, 0.0 };
				memcpy(s4, si, k1 * sizeof(*si));
				__m128d a01 = _mm_loadu_pd(s4), a23 = _mm_loadu_pd(s4 + 2);
				for (uint32_t j = i + 1; j < n; j++) {
					__m128d dj = _mm_set1_pd(d[j]);
					const double *mk = mask.d[l[j]];
					a01 = _mm_add_pd(a01, _mm_and_pd(dj, _mm_loadu_pd(mk)));
					a23 = _mm_add_pd(a23, _mm_and_pd(dj, _mm_loadu_pd(mk + 2)));
					sum[(size_t)j * k1 + li] += d[j];
				}
				_mm_storeu_pd(s4, a01);
				_mm_storeu_pd(s4 + 2, a23);
				memcpy(si, s4, k1 * sizeof(*si));
				continue;
			}
#endif
			for (uint32_t j = i + 1; j < n; j++) {
				si[l[j]] += d[j];
				sum[(size_t)j * k1 + li] += d[j];
			}
		}
	}
	free(px);
	free(py);
	free(d);
}

/* the pair sums take n·(k+1) doubles per labelling: fall back past 256 MB */
static int sil_fits(uint32_t n, uint32_t k)
{
	return (uint64_t)n * ((uint64_t)k + 1) <= ((uint64_t)1 << 25);
}

double kmeans_silhouette(const double *xy, uint32_t n, const int32_t *label, uint32_t k)
{
	if (!sil_fits(n, k))
		return silhouette_core(xy, n, label, k, 0);
	struct sil_lab L;
	sil_lab_init(&L, label, k, n);
	silhouette_pairs(xy, n, &L, 1);
	return sil_lab_finish(&L, n);
}

void kmeans_silhouette2(const double *xy, uint32_t n, const int32_t *label_a, uint32_t ka,
			const int32_t *label_b, uint32_t kb, double *sa, double *sb)
{
	if (!sil_fits(n, ka) || !sil_fits(n, kb)) {
		*sa = kmeans_silhouette(xy, n, label_a, ka);
		*sb = kmeans_silhouette(xy, n, label_b, kb);
		return;
	}
	struct sil_lab L[2];
	sil_lab_init(&L[0], label_a, ka, n);
	sil_lab_init(&L[1], label_b, kb, n);
	silhouette_pairs(xy, n, L, 2);
	*sa = sil_lab_finish(&L[0], n);
	*sb = sil_lab_finish(&L[1], n);
}

double kmeans_silhouette_sampled(const double *xy, uint32_t n, const int32_t *label, uint32_t k,
				 uint32_t sample)
{
	return silhouette_core(xy, n, label, k, sample);
}

/* ---- adjusted Rand index ---- */

static int32_t *compress_labels(const int32_t *a, uint32_t n, uint32_t *k)
{
	int32_t mx = -1;
	for (uint32_t i = 0; i < n; i++)
		if (a[i] > mx)
			mx = a[i];
	int32_t *map = xmalloc(((size_t)mx + 2) * sizeof(*map));
	for (int32_t i = 0; i <= mx; i++)
		map[i] = -1;
	*k = 0;
	for (uint32_t i = 0; i < n; i++)
		if (a[i] >= 0 && map[a[i]] < 0)
			map[a[i]] = (int32_t)(*k)++;
	return map;
}

double adjusted_rand_index_w(const int32_t *a, const int32_t *b, const double *w, uint32_t n)
{
	uint32_t ka, kb;
	int32_t *ma = compress_labels(a, n, &ka), *mb = compress_labels(b, n, &kb);
	double *tab = xcalloc((size_t)ka * kb + 1, sizeof(*tab));
	double *ra = xcalloc((size_t)ka + 1, sizeof(*ra)), *rb = xcalloc((size_t)kb + 1, sizeof(*rb));
	double tot = 0, sum_ij = 0, sum_a = 0, sum_b = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (a[i] < 0 || b[i] < 0)
			continue;
		double wi = w ? w[i] : 1.0;
		tab[(size_t)ma[a[i]] * kb + (size_t)mb[b[i]]] += wi;
		ra[ma[a[i]]] += wi;
		rb[mb[b[i]]] += wi;
		tot += wi;
	}
	for (size_t i = 0; i < (size_t)ka * kb; i++)
		sum_ij += tab[i] * (tab[i] - 1) / 2;
	for (uint32_t i = 0; i < ka; i++)
		sum_a += ra[i] * (ra[i] - 1) / 2;
	for (uint32_t i = 0; i < kb; i++)
		sum_b += rb[i] * (rb[i] - 1) / 2;
	double pairs = tot * (tot - 1) / 2;
	double expected = pairs > 0 ? sum_a * sum_b / pairs : 0;
	double maxi = (sum_a + sum_b) / 2;
	free(ma);
	free(mb);
	free(tab);
	free(ra);
	free(rb);
	if (maxi == expected)
		return 1.0;
	return (sum_ij - expected) / (maxi - expected);
}

double adjusted_rand_index(const int32_t *a, const int32_t *b, uint32_t n)
{
	return adjusted_rand_index_w(a, b, NULL, n);
}

uint32_t labeling_medoid(const int32_t *label, const double *w, uint32_t m, uint32_t n)
{
	double *agree = xcalloc((size_t)m + 1, sizeof(*agree));
	for (uint32_t i = 1; i < m; i++)
		for (uint32_t j = 0; j < i; j++) {
			double a = adjusted_rand_index_w(label + (size_t)i * n, label + (size_t)j * n, w, n);
			agree[i] += a;
			agree[j] += a;
		}
	/* Each sum adds the same values in another order, so equal sums may
	 * differ in the last bits: a later labeling wins only by more than
	 * rounding (ARI is at most 1, so the sums are at most m). */
	uint32_t best = 0;
	for (uint32_t i = 1; i < m; i++)
		if (agree[i] > agree[best] + 1e-9 * m)
			best = i;
	free(agree);
	return best;
}

/* ---- Lloyd k-means for many points ---- */

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: fixed seed, same sequence everywhere */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* Nearest centre for kmeans_lloyd by a full scan: squared distance,
 * the first of equals wins; *d1 its squared distance, *d2 the next
 * smallest (INFINITY with one centre). */
static uint32_t lloyd_scan(const double *centers, uint32_t k, double x, double y, double *d1, double *d2)
{
	double bd = INFINITY, sd = INFINITY;
	uint32_t best = 0;
	for (uint32_t c = 0; c < k; c++) {
		double dx = x - centers[2 * c], dy = y - centers[2 * c + 1];
		double d = dx * dx + dy * dy;
		if (d < bd) {
			sd = bd;
			bd = d;
			best = c;
		} else if (d < sd) {
			sd = d;
		}
	}
	*d1 = bd;
	*d2 = sd;
	return best;
}

/* The centres sorted by x, for lloyd_nearest. */
struct lloyd_order {
	struct xc *c;
	double max_c2;
	int ok; /* every centre finite */
};

static void lloyd_order_build(struct lloyd_order *o, const double *centers, uint32_t k)
{
	o->max_c2 = 0.0;
	o->ok = 1;
	for (uint32_t i = 0; i < k; i++) {
		double c2 = centers[2 * i] * centers[2 * i] + centers[2 * i + 1] * centers[2 * i + 1];
		o->c[i].x = centers[2 * i];
		o->c[i].i = i;
		if (!isfinite(c2))
			o->ok = 0;
		else if (c2 > o->max_c2)
			o->max_c2 = c2;
	}
	if (o->ok && k >= 16)
		qsort(o->c, k, sizeof(*o->c), xc_cmp);
}

/*
 * The same answer as lloyd_scan, visiting centres outward from x in x
 * order and stopping once dx² alone exceeds the second smallest squared
 * distance by more than its rounding could hide (a centre at |dx| has
 * d ≥ dx²(1−2u) as computed, dx being the very difference the distance
 * uses); among equal minima the lowest index wins, as in the scan.
 */
static uint32_t lloyd_nearest(const struct lloyd_order *o, const double *centers, uint32_t k, double x,
			      double y, double *d1, double *d2)
{
	double m = x * x + y * y + o->max_c2;
	if (k < 16 || !o->ok || !(m >= 1e-200 && m <= 1e200))
		return lloyd_scan(centers, k, x, y, d1, d2);
	uint32_t lo = 0, hi = k, best = 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (o->c[mid].x < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t l = lo, r = lo;
	double bd = INFINITY, sd = INFINITY, cut = INFINITY;
	while (l > 0 || r < k) {
		double dl = l > 0 ? x - o->c[l - 1].x : INFINITY;
		double dr = r < k ? o->c[r].x - x : INFINITY;
		int right = dr < dl;
		double ax = right ? dr : dl;
		if (ax * ax > cut)
			break;
		uint32_t c = right ? o->c[r++].i : o->c[--l].i;
		double dx = x - centers[2 * c], dy = y - centers[2 * c + 1];
		double d = dx * dx + dy * dy;
		if (d < bd || (d == bd && c < best)) {
			sd = bd;
			bd = d;
			best = c;
		} else if (d < sd) {
			sd = d;
		}
		cut = sd * (1.0 + 1e-12);
	}
	*d1 = bd;
	*d2 = sd;
	return best;
}

/*
 * One Lloyd assignment pass over part p of the points: the bounds moved
 * by the last centre moves, then each point's label (searched only when
 * its bounds do not rule a change out). Every point is its own: parts run
 * on threads of their own; the centre sums follow in point order.
 */
struct lloyd_job {
	const double *xy, *centers;
	const struct lloyd_order *lo;
	uint32_t k;
	double cmax;
	int32_t *label;
	double *ub, *lb;
	const double *moved;
	double m1, m2;   /* the largest centre move and the next */
	uint32_t arg;    /* the centre that moved m1 */
	int bounded;     /* ub and lb hold, before the moves */
	unsigned n_parts;
	uint32_t cut[PAR_MAX + 1];
	uint64_t changed[PAR_MAX];
};

static void lloyd_assign(void *ctx, unsigned p)
{
	struct lloyd_job *j = ctx;
	const double *xy = j->xy, *centers = j->centers;
	int32_t *label = j->label;
	double *ub = j->ub, *lb = j->lb;
	uint64_t changed = 0;
	for (uint32_t i = j->cut[p]; i < j->cut[p + 1]; i++) {
		if (j->bounded) {
			ub[i] += j->moved[label[i]];
			lb[i] -= (uint32_t)label[i] == j->arg ? j->m2 : j->m1;
		}
		double x = xy[2 * i], y = xy[2 * i + 1];
		double slack = 1e-9 * (fabs(x) + fabs(y) + j->cmax);
		int32_t best = label[i];
		if (j->bounded && !(ub[i] + slack < lb[i])) {
			double dx = x - centers[2 * best], dy = y - centers[2 * best + 1];
			ub[i] = sqrt(dx * dx + dy * dy);
		}
		if (!j->bounded || !(ub[i] + slack < lb[i])) {
			double n1, n2;
			best = (int32_t)lloyd_nearest(j->lo, centers, j->k, x, y, &n1, &n2);
			ub[i] = sqrt(n1);
			lb[i] = sqrt(n2);
			if (label[i] != best) {
				label[i] = best;
				changed++;
			}
		}
	}
	j->changed[p] = changed;
}

uint32_t kmeans_lloyd(const double *xy, const double *w, uint32_t n, uint32_t k, uint32_t max_iters,
		      int warm, double *centers, int32_t *label)
{
	if (!n || !k)
		return 0;
	if (k > n)
		k = n;
	/* Many points: converge on an evenly spaced sample first, then
	 * finish with a few full passes from its centres. */
	enum { SAMPLE = 100000 };
	if (n > 2 * SAMPLE && max_iters > 5 && warm) {
		max_iters = 5;
	} else if (n > 2 * SAMPLE && max_iters > 5) {
		uint32_t step = n / SAMPLE, ns = n / step;
		double *sxy = xmalloc(2 * (size_t)ns * sizeof(*sxy));
		double *sw = w ? xmalloc((size_t)ns * sizeof(*sw)) : NULL;
		int32_t *sl = xmalloc((size_t)ns * sizeof(*sl));
		for (uint32_t i = 0; i < ns; i++) {
			sxy[2 * i] = xy[2 * (size_t)i * step];
			sxy[2 * i + 1] = xy[2 * (size_t)i * step + 1];
			if (sw)
				sw[i] = w[(size_t)i * step];
		}
		uint32_t used = kmeans_lloyd(sxy, sw, ns, k, max_iters, warm, centers, sl);
		free(sxy);
		free(sw);
		free(sl);
		k = used;
		max_iters = 5;
		warm = 1;
	}
	double *d2 = xmalloc((size_t)n * sizeof(*d2));
	if (!warm) {
		/* k-means++ with a fixed seed */
		uint64_t seed = 0x5eed5eedULL;
		uint32_t first = (uint32_t)(rng_next(&seed) % n);
		centers[0] = xy[2 * first];
		centers[1] = xy[2 * first + 1];
		/* term[i] = d2[i]·w[i], the draw weight; prefix: see pp_pick */
		double *term = xmalloc((size_t)n * sizeof(*term));
		double *prefix = xmalloc((size_t)n * sizeof(*prefix));
		double run = 0.0;
		int monotone = 1;
		for (uint32_t i = 0; i < n; i++) {
			double dx = xy[2 * i] - centers[0], dy = xy[2 * i + 1] - centers[1];
			d2[i] = dx * dx + dy * dy;
			term[i] = d2[i] * (w ? w[i] : 1.0);
			run += term[i];
			prefix[i] = run;
			monotone &= term[i] >= 0.0;
		}
		for (uint32_t c = 1; c < k; c++) {
			double tot = prefix[n - 1];
			uint32_t pick = n - 1;
			if (tot > 0.0)
				pick = pp_pick(prefix, term, n, monotone, rng_unit(&seed) * tot);
			else
				pick = (uint32_t)(rng_next(&seed) % n);
			centers[2 * c] = xy[2 * pick];
			centers[2 * c + 1] = xy[2 * pick + 1];
			if (c + 1 == k)
				break; /* the weights after the last draw are not used */
			run = 0.0;
			monotone = 1;
			for (uint32_t i = 0; i < n; i++) {
				double dx = xy[2 * i] - centers[2 * c], dy = xy[2 * i + 1] - centers[2 * c + 1];
				double d = dx * dx + dy * dy;
				if (d < d2[i])
					d2[i] = d;
				term[i] = d2[i] * (w ? w[i] : 1.0);
				run += term[i];
				prefix[i] = run;
				monotone &= term[i] >= 0.0;
			}
		}
		free(term);
		free(prefix);
	}
	double *acc = xmalloc(3 * (size_t)k * sizeof(*acc));
	struct lloyd_order lo;
	lo.c = xmalloc(((size_t)k + 1) * sizeof(*lo.c));
	/*
	 * Hamerly's bounds, so a point whose nearest centre cannot have changed
	 * is not searched: ub ≥ |p − c_label|, lb ≤ |p − c| for every other c;
	 * a move of the centres by δ grows ub by its own centre's δ and shrinks
	 * lb by the largest other δ. Only when ub clears lb by far more than
	 * rounding (slack) is the label kept without a search, so the labels
	 * are exactly those a full search gives, ties included.
	 */
	double *ub = xmalloc(((size_t)n + 1) * sizeof(*ub));
	double *lb = xmalloc(((size_t)n + 1) * sizeof(*lb));
	double *moved = xmalloc(((size_t)k + 1) * sizeof(*moved));
	for (uint32_t i = 0; i < n; i++)
		label[i] = -1;
	struct lloyd_job job = {
		.xy = xy, .centers = centers, .lo = &lo, .k = k, .label = label, .ub = ub, .lb = lb,
		.moved = moved, .n_parts = n >= (1u << 15) ? par_threads() : 1,
	};
	for (unsigned p = 0; p <= job.n_parts; p++)
		job.cut[p] = (uint32_t)((uint64_t)n * p / job.n_parts);
	for (uint32_t it = 0; it < max_iters; it++) {
		uint64_t changed = 0;
		memset(acc, 0, 3 * (size_t)k * sizeof(*acc));
		lloyd_order_build(&lo, centers, k);
		job.cmax = sqrt(lo.max_c2);
		par_run(job.n_parts, lloyd_assign, &job);
		for (unsigned p = 0; p < job.n_parts; p++)
			changed += job.changed[p];
		/* the sums in point order, as one pass makes them */
		for (uint32_t i = 0; i < n; i++) {
			double wi = w ? w[i] : 1.0;
			int32_t best = label[i];
			acc[3 * best] += wi * xy[2 * i];
			acc[3 * best + 1] += wi * xy[2 * i + 1];
			acc[3 * best + 2] += wi;
		}
		double m1 = 0.0, m2 = 0.0;
		uint32_t arg = UINT32_MAX;
		for (uint32_t c = 0; c < k; c++) {
			moved[c] = 0.0;
			if (acc[3 * c + 2] > 0.0) {
				double nx = acc[3 * c] / acc[3 * c + 2], ny = acc[3 * c + 1] / acc[3 * c + 2];
				double dx = nx - centers[2 * c], dy = ny - centers[2 * c + 1];
				moved[c] = sqrt(dx * dx + dy * dy);
				centers[2 * c] = nx;
				centers[2 * c + 1] = ny;
			}
			if (!(moved[c] <= INFINITY))
				moved[c] = INFINITY; /* NaN: no bound survives */
			if (moved[c] > m1) {
				m2 = m1;
				m1 = moved[c];
				arg = c;
			} else if (moved[c] > m2) {
				m2 = moved[c];
			}
		}
		if (!changed)
			break;
		/* the bounds move with the centres at the start of the next pass */
		job.m1 = m1;
		job.m2 = m2;
		job.arg = arg;
		job.bounded = 1;
	}
	free(ub);
	free(lb);
	free(moved);
	/* drop empty clusters, keeping order */
	uint32_t *remap = xmalloc((size_t)k * sizeof(*remap));
	uint32_t *cnt = xcalloc(k, sizeof(*cnt));
	uint32_t used = 0;
	for (uint32_t i = 0; i < n; i++)
		cnt[label[i]]++;
	for (uint32_t c = 0; c < k; c++) {
		remap[c] = UINT32_MAX;
		if (cnt[c]) {
			centers[2 * used] = centers[2 * c];
			centers[2 * used + 1] = centers[2 * c + 1];
			remap[c] = used++;
		}
	}
	for (uint32_t i = 0; i < n; i++)
		label[i] = (int32_t)remap[label[i]];
	free(remap);
	free(cnt);
	free(acc);
	free(lo.c);
	free(d2);
	return used;
}
