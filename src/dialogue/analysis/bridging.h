/*
 * bridging.h — the bridging score of dialogue statements, as Community
 * Notes computes it: a 1-D biased matrix factorisation of the votes,
 * rating ≈ μ + i_u + i_n + f_u·f_n. A statement is "bridging" when its
 * intercept i_n is high once the opinion axis f has explained the split.
 */
#ifndef HM_DIALOGUE_BRIDGING_H
#define HM_DIALOGUE_BRIDGING_H

#include <stdint.h>

#include "core/core.h"
#include "dialogue/analysis/votes.h"

/*
 * Ratings: agree = 1.0, disagree = 0.0; a pass is not a rating unless
 * pass_as_half is set (then 0.5, CN's "somewhat"). Prefilter as CN: drop
 * statements with < min_ratings_statement ratings, then participants with
 * < min_ratings_participant ratings on the statements left, then again
 * statements below the minimum (one pass each, not repeated to a fixpoint).
 *
 * Loss, mean-normalised as CN's code (R ratings, U participants, N
 * statements in the fit):
 *   L = Σ(r − r̂)²/R + λ_f·Σf_u²/U + λ_i·Σi_u²/U + λ_f·Σf_n²/N + λ_i·Σi_n²/N
 *       + λ_i·μ²
 * minimised by exact alternating ridge solves (one 2×2 system per
 * participant, then per statement, then μ in closed form), all in one pass
 * over the CSR per sweep, O(nnz), no dense matrix and no transpose. After
 * each sweep the parameters move, in closed form, to the least penalty
 * among those giving the same predictions (shifts between intercepts and
 * factors, the factor scale): ALS alone is slow along those directions.
 */
struct bridging_params {
	double lambda_factor;             /* λ_f (CN: 0.03) */
	double lambda_intercept;          /* λ_i, also for μ (CN: 0.15) */
	int pass_as_half;                 /* 0: passes are not ratings */
	uint32_t min_ratings_participant; /* CN: 10 */
	uint32_t min_ratings_statement;   /* CN: 5 */
	uint32_t max_sweeps;              /* 100 */
	double tolerance;                 /* stop when L falls by ≤ tolerance (1e-10) */
	/* Cold start of the statement factors: n_cols values, e.g. the first
	 * principal component, which is close to the fitted axis (10^8 votes:
	 * 4 sweeps instead of 11 to 1e-7). Only the direction counts. NULL,
	 * all zero or not finite: a fixed hash of the index. Borrowed. */
	const double *start_factor;
	/* the "bridging" label (CN's "helpful" rule) */
	double threshold;                 /* i_n ≥ threshold (CN: 0.40) */
	double max_factor;                /* |f_n| < max_factor (CN: 0.5) */
	int32_t min_net_agree;            /* on each factor side (CN: 4) */
	double min_net_ratio;             /* min side net / n_ratings (CN: 0.05) */
};

struct bridging_statement {
	uint8_t fitted;         /* passed the prefilter and is in the model */
	uint8_t bridging;       /* the label; 0 when not fitted */
	uint32_t n_ratings;     /* ratings of it in the fit */
	double intercept;       /* i_n, the bridging score; 0 when not fitted */
	double factor;          /* f_n, the polarity; 0 when not fitted */
	/* agree − disagree among raters in the fit with f_u > 0 (pos) and
	 * f_u < 0 (neg), after the identification flip */
	int32_t net_agree_pos;
	int32_t net_agree_neg;
};

/* Owns its arrays; free with bridging_result_free. */
struct bridging_result {
	uint32_t n_participants;        /* = votes n_rows */
	uint32_t n_statements;          /* = votes n_cols */
	uint64_t n_ratings;             /* R */
	uint32_t n_fitted_participants; /* U */
	uint32_t n_fitted_statements;   /* N */
	uint32_t n_bridging;
	double mu;                      /* global intercept */
	double loss;                    /* L at the returned parameters */
	uint32_t sweeps;
	int converged;                  /* stopped by the tolerance, not max_sweeps */
	uint8_t *p_fitted;              /* [n_participants] */
	double *p_intercept;            /* [n_participants] i_u, 0 if not fitted */
	double *p_factor;               /* [n_participants] f_u, 0 if not fitted */
	struct bridging_statement *statements; /* [n_statements] */
};

/* CN's defaults, listed above. */
void bridging_params_default(struct bridging_params *p);

/*
 * Fits the model to m (participants × statements, agree = +1) and fills
 * out (overwritten, not freed first). prev, when not NULL, is a previous
 * fit to warm-start from: its parameters are reused for the statements it
 * covers (indices below its sizes) and μ (participants are solved from
 * them); everything else starts cold. The cold start is fixed (intercepts
 * 0, factors from p->start_factor or the hash), so equal input gives
 * byte-equal output. The fit stops when L falls by at most p->tolerance in
 * a sweep (or rises, which is rounding at the optimum).
 * After the fit, factors are flipped if fewer than half of the fitted
 * participants with a non-zero factor have a negative one (CN's
 * identification rule). No ratings left after the prefilter is not an
 * error: out then has nothing fitted. HM_EINVAL on invalid params.
 */
enum hm_err bridging_fit(const struct vote_csr *m, const struct bridging_params *p,
			 const struct bridging_result *prev, struct bridging_result *out);

/* L of the parameters in r on the ratings of m that r's fit used,
 * computed directly from its definition (one pass). */
double bridging_loss(const struct vote_csr *m, const struct bridging_params *p,
		     const struct bridging_result *r);

void bridging_result_free(struct bridging_result *r);

#endif
