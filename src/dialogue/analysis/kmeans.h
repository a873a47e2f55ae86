/*
 * kmeans.h — k-means on 2-D points as Pol.is runs it (clusters.clj):
 * cold start on the first k distinct points, warm start from a previous
 * clustering (recentre, merge identical, split off the most distal point),
 * Lloyd steps with last-wins ties and empty clusters dropped, stop when
 * every sorted centre moves < 0.01. Also the silhouette, the adjusted
 * Rand index, and a fast k-means for scale mode.
 */
#ifndef HM_DIALOGUE_KMEANS_H
#define HM_DIALOGUE_KMEANS_H

#include <stdint.h>

/* A clustering. Members are point names (participant indices for base
 * clusters, base cluster ids for groups). Owns its arrays. */
struct kclust {
	uint32_t n;
	int32_t *id;       /* ascending */
	double *center;    /* 2 per cluster */
	uint32_t *mptr;    /* n + 1 */
	uint32_t *members; /* names, in point order within each cluster */
};

void kclust_init(struct kclust *c);
void kclust_free(struct kclust *c);
void kclust_copy(struct kclust *dst, const struct kclust *src);

/* The points: xy[2i], xy[2i+1]; names[i] distinct and < name_bound;
 * weights w[i] (NULL: all 1). */
struct kpoints {
	uint32_t n;
	const double *xy;
	const uint32_t *names;
	const double *w;
	uint32_t name_bound;
};

/*
 * Pol.is k-means: warm-started from last when it has clusters, else cold.
 * exact_polis_dist selects vectorz's |a|²+|b|²−2a·b distance (compat).
 * At most max_iters + 1 steps. out is overwritten.
 */
void kmeans_polis(struct kclust *out, const struct kpoints *pts, uint32_t k, uint32_t max_iters,
		  const struct kclust *last, int exact_polis_dist);

/* Pol.is's steps from given centres (ids 0..k-1), as if they were the
 * init. */
void kmeans_polis_from(struct kclust *out, const struct kpoints *pts, const double *centers, uint32_t k,
		       uint32_t max_iters, int exact_polis_dist);
/* k-means++ seeding with a fixed seed (weights count): 2k centres. */
void kmeans_pp_centers(const struct kpoints *pts, uint32_t k, uint64_t seed, double *centers);
/* Σ w·d² of the points to their cluster centres. */
double kclust_inertia(const struct kclust *c, const struct kpoints *pts);

/* Cluster index (into c) of each point, by membership; -1 if none. */
void kclust_labels(const struct kclust *c, const struct kpoints *pts, int32_t *label);

/* Mean silhouette over points (unweighted) for labels in 0..k-1;
 * a point alone in its cluster scores 0. O(n²). */
double kmeans_silhouette(const double *xy, uint32_t n, const int32_t *label, uint32_t k);

/* The silhouettes of two labellings of the same points (*sa for
 * label_a in 0..ka−1, *sb for label_b), equal to two kmeans_silhouette
 * calls, with each distance computed once for both. */
void kmeans_silhouette2(const double *xy, uint32_t n, const int32_t *label_a, uint32_t ka,
			const int32_t *label_b, uint32_t kb, double *sa, double *sb);

/* Same, for many points: each point's a and b use the mean distance to a
 * deterministic sample of at most sample points per cluster. */
double kmeans_silhouette_sampled(const double *xy, uint32_t n, const int32_t *label, uint32_t k,
				 uint32_t sample);

/* Adjusted Rand index of two labelings over the points where both are
 * >= 0. Returns 1 when both put everyone together or apart. */
double adjusted_rand_index(const int32_t *a, const int32_t *b, uint32_t n);
/* Same, point i standing for w[i] points with its labels (w NULL: 1). */
double adjusted_rand_index_w(const int32_t *a, const int32_t *b, const double *w, uint32_t n);

/* Of m labelings of the same n points (label + i·n for i < m; weights as
 * adjusted_rand_index_w), the one with the highest summed adjusted Rand
 * index against the others (ties, within rounding: the earliest): the
 * labeling the others agree with most. */
uint32_t labeling_medoid(const int32_t *label, const double *w, uint32_t m, uint32_t n);

/*
 * k-means for many 2-D points (scale mode): deterministic init (k-means++
 * with a fixed-seed generator, or warm centres), Lloyd steps until no
 * assignment changes or max_iters; empty clusters keep their centre.
 * centers (2k) in/out (warm when warm != 0); label out. Returns the
 * number of clusters actually used (non-empty), relabelled 0..n-1 in
 * order of first centre.
 */
uint32_t kmeans_lloyd(const double *xy, const double *w, uint32_t n, uint32_t k, uint32_t max_iters,
		      int warm, double *centers, int32_t *label);

#endif
