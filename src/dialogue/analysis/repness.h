/*
 * repness.h — Pol.is's statistics on vote counts (repness.clj, stats.clj,
 * conversation.clj): representative statements per group, majority
 * consensus, group-aware consensus and comment priorities. Everything
 * works on counts A (agree), D (disagree), S (seen: any vote, pass
 * included), so the same code serves opinion groups and declared groups.
 */
#ifndef HM_DIALOGUE_REPNESS_H
#define HM_DIALOGUE_REPNESS_H

#include <stdint.h>

#define REPNESS_Z90 1.2816
#define REPNESS_TOP 5

/* One-sample proportion test: 2·sqrt(n+1)·((s+1)/(n+1) − 1/2). */
double stats_prop_test(double succ, double n);
/* Two-proportion z test with +1 smoothing of every count (stats.clj);
 * 0 when the pooled proportion is 1. */
double stats_two_prop_test(double succ_in, double succ_out, double n_in, double n_out);

/* One representative statement, as Pol.is reports it. */
struct repness_item {
	uint32_t tid;          /* statement index */
	int agree;             /* repful-for: 1 agree, 0 disagree */
	uint32_t n_success;
	uint32_t n_trials;
	double p_success;
	double p_test;
	double repness;
	double repness_test;   /* rounded to float, as Pol.is does */
	int best_agree;        /* the group's best-agree statement */
	uint32_t n_agree;      /* with best_agree */
};

/*
 * Counts: cnt_a/d/s[g * n_stmts + t] for n_groups groups. Statements with
 * skip[t] set (mod-out; skip may be NULL) are not selected. For each group
 * writes at most REPNESS_TOP items to out + g * REPNESS_TOP and their
 * number to n_out[g]. Statements are scanned in index order.
 */
void repness_select(const uint32_t *cnt_a, const uint32_t *cnt_d, const uint32_t *cnt_s,
		    uint32_t n_groups, uint32_t n_stmts, const uint8_t *skip,
		    struct repness_item *out, uint32_t *n_out);

/* Majority consensus (select-consensus-comments) from whole-conversation
 * counts: up to REPNESS_TOP agree and disagree items each. Only
 * statements with use[t] set are considered (voted, not mod-out). */
void consensus_select(const uint32_t *a, const uint32_t *d, const uint32_t *s, uint32_t n_stmts,
		      const uint8_t *use, struct repness_item *agree, uint32_t *n_agree,
		      struct repness_item *disagree, uint32_t *n_disagree);

/* Group-aware consensus Π_g (A+1)/(S+2) for statement t. */
double gac_value(const uint32_t *cnt_a, const uint32_t *cnt_s, uint32_t n_groups, uint32_t n_stmts,
		 uint32_t t);

/* Comment priority from summed counts and extremity (§1.11). */
double priority_value(int is_meta, double A, double D, double S, double extremity);

#endif
