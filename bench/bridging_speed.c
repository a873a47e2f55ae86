/*
 * bridging_speed.c — times the bridging matrix factorisation on a vote CSR
 * built in memory (no CSV): P participants × C statements × V votes each,
 * three planted camps, a few common-ground statements. Prints the time per
 * sweep and what the fit found for the planted statements.
 *
 *   bridging_speed P C V [SWEEPS]      (bench/analyze builds and runs it)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dialogue/analysis/bridging.h"

static uint64_t rng = 88172645463325252ULL;
static inline uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* wall and CPU time: on a shared machine the CPU time is the steadier figure */
static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static double cpu(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bridging_speed P C V [SWEEPS]\n");
		return 2;
	}
	uint32_t P = (uint32_t)strtoul(argv[1], NULL, 10), C = (uint32_t)strtoul(argv[2], NULL, 10);
	uint32_t V = (uint32_t)strtoul(argv[3], NULL, 10);
	uint32_t sweeps = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 100;
	if (!P || !C || !V || V > C)
		return 2;
	double t0 = now();
	struct vote_csr m = { .n_rows = P, .n_cols = C };
	m.row_ptr = xmalloc(((size_t)P + 1) * sizeof(uint64_t));
	m.col = xmalloc((size_t)P * V * sizeof(uint32_t));
	m.val = xmalloc((size_t)P * V);
	uint8_t *mark = xcalloc(C, 1);
	/* camp pattern per statement: bit g set = camp g agrees; common = all */
	uint8_t *pattern = xmalloc(C);
	for (uint32_t t = 0; t < C; t++)
		pattern[t] = t % 500 == 250 ? 7 : (uint8_t)(1 + rnd() % 6);
	uint64_t k = 0;
	for (uint32_t u = 0; u < P; u++) {
		m.row_ptr[u] = k;
		uint32_t camp = u % 3;
		for (uint32_t i = 0; i < V; i++) {
			uint32_t t;
			do
				t = rnd() % C;
			while (mark[t]);
			mark[t] = 1;
			m.col[k + i] = t;
		}
		qsort(m.col + k, V, sizeof(uint32_t), cmp_u32);
		for (uint32_t i = 0; i < V; i++) {
			uint32_t t = m.col[k + i], r = rnd() % 100;
			mark[t] = 0;
			int agree = pattern[t] >> camp & 1;
			m.val[k + i] = r < 10 ? 0 : (r < 90) == agree ? 1 : -1;
		}
		k += V;
	}
	m.row_ptr[P] = k;
	double t1 = now(), c1 = cpu();

	struct bridging_params p;
	struct bridging_result r;
	bridging_params_default(&p);
	p.max_sweeps = sweeps;
	if (bridging_fit(&m, &p, NULL, &r) != HM_OK)
		return 1;
	double t2 = now(), c2 = cpu();
	uint32_t common_bridging = 0, n_common = 0, other_bridging = 0;
	for (uint32_t t = 0; t < C; t++) {
		if (pattern[t] == 7) {
			n_common++;
			common_bridging += r.statements[t].bridging;
		} else {
			other_bridging += r.statements[t].bridging;
		}
	}
	uint32_t n = r.sweeps ? r.sweeps : 1;
	printf("{\"participants\": %u, \"statements\": %u, \"ratings\": %llu, "
	       "\"build_s\": %.2f, \"fit_s\": %.2f, \"sweeps\": %u, \"converged\": %d, "
	       "\"s_per_sweep\": %.3f, \"cpu_s_per_sweep\": %.3f, \"loss\": %.6f, "
	       "\"common_bridging\": \"%u/%u\", \"other_bridging\": %u}\n",
	       P, C, (unsigned long long)r.n_ratings, t1 - t0, t2 - t1, r.sweeps, r.converged,
	       (t2 - t1) / n, (c2 - c1) / n, r.loss, common_bridging, n_common, other_bridging);
	bridging_result_free(&r);
	vote_csr_free(&m);
	free(mark);
	free(pattern);
	return 0;
}
