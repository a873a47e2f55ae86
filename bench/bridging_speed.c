/*
 * bridging_speed.c — times the bridging matrix factorisation on a vote CSR
 * built in memory (no CSV): P participants × C statements × V votes each,
 * three planted camps, a few common-ground statements (planted.h). Prints the time per
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
#include "planted.h"

/* wall and CPU time: on a shared machine the CPU time is the steadier figure */
static double now(void)
{
	return planted_clock(CLOCK_MONOTONIC);
}

static double cpu(void)
{
	return planted_clock(CLOCK_PROCESS_CPUTIME_ID);
}

int main(int argc, char **argv)
{
	uint32_t P, C, V;
	if (planted_args(argc, argv, "bridging_speed P C V [SWEEPS]", &P, &C, &V))
		return 2;
	uint32_t sweeps = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 100;
	double t0 = now();
	struct vote_csr m;
	uint8_t *pattern = planted_csr(&m, P, C, V);
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
	free(pattern);
	return 0;
}
