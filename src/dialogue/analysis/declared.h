/*
 * declared.h — dialogue analysis by the groups participants declared when
 * registering (sector, country, …; one attribute per call): what each
 * group stands for (Pol.is representativeness with declared groups in
 * place of opinion groups) and how far each statement is common ground
 * across all of them (three consensus scores).
 */
#ifndef HM_DIALOGUE_DECLARED_H
#define HM_DIALOGUE_DECLARED_H

#include <stdint.h>

#include "core/core.h"
#include "dialogue/analysis/votes.h"

#define DECLARED_MAX_REPS 5 /* Pol.is shows 5 representative statements */
#define DECLARED_Z90 1.2816 /* one-sided 90 % significance, as Pol.is */

/* One attribute's partition of the participants. Borrowed by
 * declared_analyze, never freed by it. */
struct declared_groups {
	uint32_t n_groups;
	const char *const *names; /* [n_groups], may be NULL */
	const int32_t *group_of;  /* [n_participants]: 0..n_groups-1, or -1 for none */
	uint32_t n_participants;  /* length of group_of; rows beyond it have no group */
};

struct declared_params {
	/* a group enters a statement's consensus only with ≥ min_votes votes
	 * on it (passes count); below that it is "insufficient data" */
	uint32_t min_votes;       /* 5 */
	double kappa;             /* shrinkage weight toward the global rate (10) */
	double lower_quantile;    /* quantile of Beta(A+1, S−A+1) for the lower bound (0.10) */
	/* [n_statements] non-zero: moderated out or meta, never representative
	 * (still counted, as Pol.is does); NULL = none. Borrowed. */
	const uint8_t *excluded;
};

/* Votes of one group on one statement (Pol.is's A, D, S: seen counts
 * passes too). */
struct declared_counts {
	uint32_t agree;
	uint32_t disagree;
	uint32_t seen;
};

/* Pol.is's repness statistics of group g on statement t against the
 * pooled other groups (§1.8 of ALGORITHMS.md). */
struct declared_repstats {
	double pa, pd;   /* (1+na)/(2+ns), (1+nd)/(2+ns) */
	double pat, pdt; /* one-proportion tests */
	double ra, rd;   /* ratios to the other groups */
	double rat, rdt; /* two-proportion tests against the other groups */
};

/* One representative statement, as Pol.is reports it. */
struct declared_rep {
	uint32_t tid;
	int8_t repful_for;   /* +1: the group agrees more; -1: disagrees more */
	uint8_t best_agree;  /* the group's best agreed statement, put first */
	uint32_t n_success;  /* na or nd, by repful_for */
	uint32_t n_trials;   /* ns */
	double p_success, p_test, repness, repness_test;
};

struct declared_group_result {
	const char *name;    /* borrowed from declared_groups, or NULL */
	uint32_t n_members;  /* participants declared in the group */
	uint32_t n_voters;   /* members with at least one vote */
	/* fewer voters than min_votes: the group can reach min_votes on no
	 * statement, so it is "insufficient data" everywhere */
	uint8_t insufficient;
	uint32_t n_reps;
	struct declared_rep reps[DECLARED_MAX_REPS];
};

/* Consensus of one statement across the groups with ≥ min_votes votes on
 * it ("sufficient"). With no sufficient group all three scores are 0. */
struct declared_statement {
	double gac;          /* Π_g (A+1)/(S+2): Pol.is's group-aware consensus */
	double gac_geomean;  /* exp(mean_g log((A+1)/(S+2))): does not shrink with the number of groups */
	double min_lower;    /* min_g of the lower quantile of Beta(A+1, S−A+1): every group agrees */
	int32_t min_lower_group; /* the group giving min_lower, -1 if none */
	uint32_t n_sufficient;
	uint32_t n_insufficient; /* groups below min_votes on this statement */
	uint32_t agree, disagree, seen; /* all votes on it, with or without a group */
};

/* Owns its arrays; free with declared_result_free. */
struct declared_result {
	uint32_t n_groups;
	uint32_t n_statements;
	uint32_t min_votes;                 /* as used */
	struct declared_counts *counts;     /* [g * n_statements + t] */
	/* [g * n_statements + t]: (A + κ·p_all)/(S + κ), the group's agree
	 * rate shrunk toward the statement's overall rate p_all */
	double *agree_shrunk;
	struct declared_group_result *groups;   /* [n_groups] */
	struct declared_statement *statements;  /* [n_statements] */
};

void declared_params_default(struct declared_params *p);

/*
 * Counts the votes of m (participants × statements, agree = +1) per
 * declared group in one O(nnz) pass, then computes per group its
 * representative statements (Pol.is's selection: significant ones sorted
 * by repness · repness-test · p-success · p-test, the best agreed first,
 * at most 5, agrees before disagrees; else the single best) and per
 * statement the three consensus scores. A statement nobody in a group
 * voted on is never representative of that group (Pol.is would let it be
 * the fallback "best"). out is overwritten, not freed first. HM_EINVAL if
 * a group_of entry is ≥ n_groups or below -1, or params are invalid.
 */
enum hm_err declared_analyze(const struct vote_csr *m, const struct declared_groups *g,
			     const struct declared_params *p, struct declared_result *out);

void declared_result_free(struct declared_result *r);

/* ---- the formulas, shared with the opinion-group pipeline ---- */

/* Pol.is prop-test: 2·√(n+1)·((s+1)/(n+1) − ½). */
double declared_prop_test(double s, double n);
/* Pol.is two-prop-test with +1 pseudo-counts; 0 when the pooled rate is 1. */
double declared_two_prop_test(double s1, double s2, double n1, double n2);
/* Repness statistics of counts c against the pooled others o. */
void declared_repstats(const struct declared_counts *c, const struct declared_counts *o,
		       struct declared_repstats *out);
/* The q-quantile of Beta(a, b), a, b > 0, 0 < q < 1 (to ~1e-12). */
double declared_beta_quantile(double a, double b, double q);

#endif
