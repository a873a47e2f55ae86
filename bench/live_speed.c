/*
 * live_speed.c — times the live analysis a running conversation gets
 * (analysis_live_*) on the planted conversation of planted.h, CSR built in
 * memory: the first tick, 1,000 new votes applied in one call, single
 * votes one call each, and the warm tick that merges them.
 *
 *   live_speed P C V      (bench/analyze builds and runs it)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dialogue/analysis/analysis.h"
#include "planted.h"

/* the time each stage of the warm tick takes, on stderr */
struct stages {
	const char *name;
	double t;
};

static void stage(void *ctx, const char *name)
{
	struct stages *s = ctx;
	double now = planted_clock(CLOCK_PROCESS_CPUTIME_ID);
	if (s->name)
		fprintf(stderr, "warm tick: %-17s %6.3f s\n", s->name, now - s->t);
	s->name = name;
	s->t = now;
}

/* n votes by existing participants on random statements, as their camp
 * would vote */
static void new_votes(struct vote *v, size_t n, uint32_t P, uint32_t C, const uint8_t *pattern)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t u = planted_rnd() % P, t = planted_rnd() % C;
		v[i] = (struct vote){ .pid = u, .tid = t, .value = planted_vote(pattern, u % 3, t) };
	}
}

int main(int argc, char **argv)
{
	uint32_t P, C, V;
	if (planted_args(argc, argv, "live_speed P C V", &P, &C, &V))
		return 2;
	enum { BATCH = 1000, SINGLES = 100 };
	struct vote_csr m;
	uint8_t *pattern = planted_csr(&m, P, C, V);
	uint64_t nnz = m.row_ptr[P];

	struct analysis_opts o;
	struct analysis_live lv;
	analysis_opts_default(&o, ANALYSIS_SCALE);
	double w0 = planted_clock(CLOCK_MONOTONIC), c0 = planted_clock(CLOCK_PROCESS_CPUTIME_ID);
	if (analysis_live_init(&lv, &m, NULL, NULL, &o) != HM_OK)
		return 1;
	double w1 = planted_clock(CLOCK_MONOTONIC), c1 = planted_clock(CLOCK_PROCESS_CPUTIME_ID);
	uint32_t first_products = lv.res.pca_products;

	struct vote batch[BATCH], one[SINGLES];
	new_votes(batch, BATCH, P, C, pattern);
	new_votes(one, SINGLES, P, C, pattern);
	double w2 = planted_clock(CLOCK_MONOTONIC), c2 = planted_clock(CLOCK_PROCESS_CPUTIME_ID);
	if (analysis_live_add(&lv, batch, BATCH) != HM_OK)
		return 1;
	double w3 = planted_clock(CLOCK_MONOTONIC), c3 = planted_clock(CLOCK_PROCESS_CPUTIME_ID);
	for (int i = 0; i < SINGLES; i++)
		if (analysis_live_add(&lv, &one[i], 1) != HM_OK)
			return 1;
	double w4 = planted_clock(CLOCK_MONOTONIC), c4 = planted_clock(CLOCK_PROCESS_CPUTIME_ID);
	struct stages st = { "merging votes", c4 };
	lv.opts.progress = stage;
	lv.opts.progress_ctx = &st;
	if (analysis_live_tick(&lv) != HM_OK)
		return 1;
	stage(&st, NULL);
	double w5 = planted_clock(CLOCK_MONOTONIC), c5 = planted_clock(CLOCK_PROCESS_CPUTIME_ID);

	printf("{\"participants\": %u, \"statements\": %u, \"votes\": %llu, "
	       "\"first_tick_s\": %.2f, \"first_tick_cpu_s\": %.2f, "
	       "\"batch\": %d, \"batch_ms\": %.1f, \"batch_cpu_ms\": %.1f, "
	       "\"single_ms\": %.2f, \"single_cpu_ms\": %.2f, "
	       "\"warm_tick_s\": %.2f, \"warm_tick_cpu_s\": %.2f, \"groups\": %u, "
	       "\"first_pca_products\": %u, \"warm_pca_products\": %u}\n",
	       P, C, (unsigned long long)nnz, w1 - w0, c1 - c0, BATCH, (w3 - w2) * 1e3, (c3 - c2) * 1e3,
	       (w4 - w3) * 1e3 / SINGLES, (c4 - c3) * 1e3 / SINGLES, w5 - w4, c5 - c4, lv.res.groups.n,
	       first_products, lv.res.pca_products);
	analysis_live_free(&lv);
	free(pattern);
	return 0;
}
