/*
 * planted.h — the in-memory conversation the scale benchmarks share
 * (bridging_speed, live_speed): P participants × C statements, V votes
 * each at distinct random statements, three camps (participant u is in
 * camp u % 3) with a random agree pattern per statement, every 500th
 * statement (t % 500 == 250) agreed by all camps; 10% passes, 10% noise.
 * Deterministic (xorshift with a fixed seed).
 */
#ifndef BENCH_PLANTED_H
#define BENCH_PLANTED_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/core.h"
#include "dialogue/analysis/votes.h"

static uint64_t planted_rng = 88172645463325252ULL;

/* Seconds on clock id (CLOCK_MONOTONIC: wall; CLOCK_PROCESS_CPUTIME_ID:
 * CPU, the steadier figure on a shared machine). */
static inline double planted_clock(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* P C V from argv[1..3], with usage on stderr when they are missing or
 * wrong (none zero, V ≤ C). 0 when usable. */
static inline int planted_args(int argc, char **argv, const char *usage, uint32_t *P, uint32_t *C,
			       uint32_t *V)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s\n", usage);
		return 2;
	}
	*P = (uint32_t)strtoul(argv[1], NULL, 10);
	*C = (uint32_t)strtoul(argv[2], NULL, 10);
	*V = (uint32_t)strtoul(argv[3], NULL, 10);
	return !*P || !*C || !*V || *V > *C ? 2 : 0;
}

static inline uint32_t planted_rnd(void)
{
	planted_rng ^= planted_rng << 13;
	planted_rng ^= planted_rng >> 7;
	planted_rng ^= planted_rng << 17;
	return (uint32_t)(planted_rng >> 32);
}

/* The planted vote of camp on statement t: +1, -1 or 0. */
static inline int8_t planted_vote(const uint8_t *pattern, uint32_t camp, uint32_t t)
{
	uint32_t r = planted_rnd() % 100;
	int agree = pattern[t] >> camp & 1;
	return (int8_t)(r < 10 ? 0 : (r < 90) == agree ? 1 : -1);
}

static int planted_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Fills m and returns the agree pattern per statement (bit g set = camp g
 * agrees; 7 = common ground), which the caller frees. V ≤ C. */
static uint8_t *planted_csr(struct vote_csr *m, uint32_t P, uint32_t C, uint32_t V)
{
	*m = (struct vote_csr){ .n_rows = P, .n_cols = C };
	m->row_ptr = xmalloc(((size_t)P + 1) * sizeof(uint64_t));
	m->col = xmalloc((size_t)P * V * sizeof(uint32_t));
	m->val = xmalloc((size_t)P * V);
	uint8_t *mark = xcalloc(C, 1);
	uint8_t *pattern = xmalloc(C);
	for (uint32_t t = 0; t < C; t++)
		pattern[t] = t % 500 == 250 ? 7 : (uint8_t)(1 + planted_rnd() % 6);
	uint64_t k = 0;
	for (uint32_t u = 0; u < P; u++) {
		m->row_ptr[u] = k;
		for (uint32_t i = 0; i < V; i++) {
			uint32_t t;
			do
				t = planted_rnd() % C;
			while (mark[t]);
			mark[t] = 1;
			m->col[k + i] = t;
		}
		qsort(m->col + k, V, sizeof(uint32_t), planted_cmp_u32);
		for (uint32_t i = 0; i < V; i++) {
			uint32_t t = m->col[k + i];
			mark[t] = 0;
			m->val[k + i] = planted_vote(pattern, u % 3, t);
		}
		k += V;
	}
	m->row_ptr[P] = k;
	free(mark);
	return pattern;
}

#endif
