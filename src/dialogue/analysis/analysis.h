/*
 * analysis.h — the dialogue analysis driver: from a vote matrix to opinion
 * groups, positions, representative statements, consensus and routing
 * priorities, in two modes sharing one sparse engine:
 *   compat  Pol.is's pipeline with its quirks (ALGORITHMS.md §1, §4.1);
 *   scale   the same formulas without dense steps or quirks (§4.4).
 * A tick reads and updates an analysis_state (warm starts), so replaying
 * a vote stream tick by tick follows Pol.is's path. Pure computation: no
 * I/O. Sign: agree = +1 in every input and output.
 */
#ifndef HM_DIALOGUE_ANALYSIS_H
#define HM_DIALOGUE_ANALYSIS_H

#include "core/core.h"
#include "dialogue/analysis/kmeans.h"
#include "dialogue/analysis/repness.h"
#include "dialogue/analysis/votes.h"

#include <stdint.h>

enum analysis_mode { ANALYSIS_COMPAT = 0, ANALYSIS_SCALE = 1 };

#define ANALYSIS_MAX_K 5
#define ANALYSIS_MAX_STARTS 64

struct analysis_opts {
	enum analysis_mode mode;
	uint32_t pca_iters;   /* compat: Pol.is's 100 (so ≤ 101 products); scale: cap */
	double pca_tol;       /* stop when 1 − |cos| < tol (compat: 0 = Pol.is's exact loop) */
	uint32_t base_k;      /* 100 */
	uint32_t base_iters;  /* 100 */
	uint32_t max_k;       /* 5 */
	uint32_t group_iters; /* 20 (Pol.is's effective value) */
	uint32_t k_buffer;    /* 4 */
	uint32_t min_votes;   /* in-conv threshold, 7 */
	uint32_t greedy_n;    /* fill in-conv up to 15 */
	/* A clustering with no previous one to start from (a cold run on a
	 * whole conversation, which Pol.is never does) also runs from this
	 * many k-means++ starts (fixed seeds) besides Pol.is's own and keeps
	 * the grouping that agrees most with the others. 0: Pol.is's start
	 * only (replay); at most ANALYSIS_MAX_STARTS. */
	uint32_t cold_restarts;
	/* when not NULL: in-conv is exactly these participants (those with a
	 * vote), as red-dwarf's keep_participant_ids; per participant */
	const uint8_t *in_conv_only;
	/* progress: called with a stage name ("PCA", "clustering", …) */
	void (*progress)(void *ctx, const char *stage);
	void *progress_ctx;
	/* pca_done: called with the components (2 × n_stmts, as res->comps,
	 * final) as soon as the PCA is done, so that a caller can start work
	 * that needs them (bridging) beside the clustering; NULL for none */
	void (*pca_done)(void *ctx, const double *comps, uint32_t n_stmts);
	void *pca_done_ctx;
};

void analysis_opts_default(struct analysis_opts *o, enum analysis_mode mode);

/* What a tick analyses. */
struct analysis_input {
	const struct vote_csr *m;     /* participants × statements, agree = +1 */
	const uint32_t *rows;         /* participants in Pol.is row order, or NULL:
				       * every row with a vote, by index */
	uint32_t n_rows;
	const uint8_t *mod_out;       /* per statement: rejected or meta; may be NULL */
	const uint8_t *is_meta;       /* per statement; may be NULL */
};

/* Membership taken from outside instead of clustering (e.g. from a
 * Pol.is math blob), in dense indices. */
struct analysis_given {
	const uint8_t *in_conv;       /* per participant */
	const struct kclust *base;    /* members: participant indices */
	const struct kclust *groups;  /* members: base cluster ids */
	const double *comps;          /* 2 × n_stmts PCA start (harmony sign) or NULL */
};

/* Carried from tick to tick (warm starts, stickiness, smoother). */
struct analysis_state {
	uint32_t n_ptpts, n_stmts;
	double *comps;                /* 2 × n_stmts, NULL before the first tick */
	uint8_t *in_conv;             /* n_ptpts */
	struct kclust base;           /* compat base clusters */
	struct kclust groups_k[ANALYSIS_MAX_K + 1]; /* compat: group clustering per k */
	uint32_t last_k, last_k_count, smoothed_k;
	uint32_t prev_n_groups;       /* group counts of the previous tick (priorities) */
	uint32_t *prev_ga, *prev_gd, *prev_gs;
	double *base_centers;         /* scale: base-k centres (2 each) */
	uint32_t n_base_centers;
	uint32_t ticks;
};

void analysis_state_init(struct analysis_state *st);
void analysis_state_free(struct analysis_state *st);

struct analysis_result {
	enum analysis_mode mode;
	uint32_t n_ptpts, n_stmts;     /* = m dimensions */
	uint64_t n_votes;              /* current votes (nnz) */
	uint32_t n_rows;               /* participants with a vote */
	uint32_t *rows;                /* those participants, in row order */
	uint32_t n_cols;               /* statements with a vote */
	uint8_t *use_col;              /* per statement: has a vote */
	uint8_t *mod_out;              /* per statement (copy) */
	uint8_t *is_meta;              /* per statement (copy) */
	uint32_t *col_a, *col_d, *col_s; /* per statement, all participants */
	uint32_t *user_votes;          /* per participant */
	double *center;                /* per statement, mean vote (agree = +1) */
	double *comps;                 /* 2 × n_stmts, row-major */
	uint32_t pca_products;
	double *proj;                  /* 2 per participant (0 when no vote) */
	double *cmt_proj;              /* 2 per statement */
	double *cmt_extremity;         /* per statement */
	uint8_t *in_conv;              /* per participant */
	uint32_t n_in_conv;
	struct kclust base;            /* base clusters, members = participants */
	struct kclust groups;          /* group clusters, members = base ids */
	int32_t *ptpt_group;           /* per participant: group index or -1 */
	int32_t *ptpt_base;            /* per participant: base index or -1 */
	uint32_t *group_size;          /* participants per group */
	double silhouette[ANALYSIS_MAX_K + 1]; /* per candidate k (NaN if not run) */
	uint32_t k_best, k_used;
	uint32_t *ga, *gd, *gs;        /* n_groups × n_stmts */
	uint32_t *ba, *bd, *bs;        /* n_base × n_stmts (compat only) */
	struct repness_item *repness;  /* n_groups × REPNESS_TOP */
	uint32_t *n_repness;           /* per group */
	struct repness_item cons_agree[REPNESS_TOP], cons_disagree[REPNESS_TOP];
	uint32_t n_cons_agree, n_cons_disagree;
	double *gac;                   /* per statement (NaN when no vote) */
	double *priority;              /* per statement (NaN when no vote) */
};

void analysis_result_free(struct analysis_result *r);

/*
 * One tick: analyses in, warm-starting from st and updating it (st may be
 * a fresh state: cold start). given, when not NULL, replaces in-conv and
 * the clusterings. res is overwritten. HM_EINVAL when given membership
 * names unknown participants or base clusters.
 */
enum hm_err analysis_run(const struct analysis_input *in, const struct analysis_opts *o,
			 struct analysis_state *st, const struct analysis_given *given,
			 struct analysis_result *res);

/* Recomputes repness, consensus, group-aware consensus and priorities
 * (from current counts) after the counts in r changed. */
void analysis_rescore(struct analysis_result *r);

/* Each base cluster's group: base_group[b] (b < base->n) is the index in
 * groups of the group holding base->id[b], or -1. HM_EINVAL when a group
 * names no base cluster. */
enum hm_err analysis_base_groups(const struct kclust *base, const struct kclust *groups, int32_t *base_group);

/*
 * A live conversation (the web server's view): a full tick now and then,
 * and between ticks votes applied in O(votes of the voter) each — column
 * and group counts, the voter's position (current components), base
 * cluster and group, then the statement scores (O(groups × statements)).
 * Between ticks the base-cluster member lists and the components are
 * those of the last tick; ptpt_group, group sizes and all counts are
 * current (n_votes, n_rows and rows too: a new voter's row comes last).
 * Votes on statements unknown at the last tick wait for it.
 */
struct pend_map;

struct analysis_live {
	struct analysis_opts opts;
	struct analysis_state st;
	struct analysis_result res;  /* current */
	struct vote_csr m;           /* votes as of the last tick */
	uint8_t *mod_out, *is_meta;  /* per statement */
	uint32_t n_ptpts, ptpt_cap;  /* participants known (≥ m.n_rows) */
	/* votes since the last tick */
	struct vote *pend;
	size_t n_pend, pend_cap;
	struct pend_map *map;        /* (participant, statement) -> latest pending */
	uint32_t *pend_head;         /* per participant: last pending index + 1 */
	uint32_t *pend_next;         /* per pending vote: previous of the same participant + 1 */
};

/* Takes m (moved in, zeroed in the caller) and the moderation flags
 * (copied), runs a first tick. */
enum hm_err analysis_live_init(struct analysis_live *lv, struct vote_csr *m, const uint8_t *mod_out,
			       const uint8_t *is_meta, const struct analysis_opts *o);
/* Applies votes (dense indices; pid may be new: ≥ n_ptpts). */
enum hm_err analysis_live_add(struct analysis_live *lv, const struct vote *v, size_t n);
/* Sets a statement's moderation (rejected or meta: out), effective at
 * the next tick; tid may be a new statement. */
void analysis_live_moderate(struct analysis_live *lv, uint32_t tid, int mod_out, int is_meta);
/* Merges the pending votes into the matrix and runs a warm tick. */
enum hm_err analysis_live_tick(struct analysis_live *lv);
void analysis_live_free(struct analysis_live *lv);

/*
 * Replays a vote log in time order (ts, then log order) the way Pol.is
 * sees it: a tick every tick_votes votes, or with tick_ms > 0 a tick for
 * the votes within tick_ms of the tick's first vote (ts in milliseconds,
 * as Pol.is's poller batches what arrived), each tick warm-started from the
 * previous one through st; new participants take rows in the order Pol.is
 * polls them (by statement, then participant). res receives the last
 * tick; m the final vote matrix (caller frees both). mod_out / is_meta
 * apply from the start. on_tick, when not NULL, is called after each tick.
 */
enum hm_err analysis_replay(const struct vote_log *log, uint32_t n_ptpts, uint32_t n_stmts,
			    const uint8_t *mod_out, const uint8_t *is_meta, uint32_t tick_votes, int64_t tick_ms,
			    const struct analysis_opts *o, struct analysis_state *st,
			    struct analysis_result *res, struct vote_csr *m,
			    void (*on_tick)(void *ctx, uint32_t tick, uint32_t n_ticks), void *ctx);

#endif
