/*
 * par.h — work split over the machine's cores (2 here) for the passes over
 * all votes. Callers split so that every output is made by one part alone,
 * adding its terms in the order one thread would: results are then the
 * same bytes whatever the number of threads.
 */
#ifndef HM_DIALOGUE_PAR_H
#define HM_DIALOGUE_PAR_H

#include <stdint.h>

#define PAR_MAX 8

/* Threads to use: the cores online (at most PAR_MAX), or what
 * par_set_threads said (0: back to the cores; tests compare 1 with n). */
unsigned par_threads(void);
void par_set_threads(unsigned n);

/* fn(ctx, part) for part = 0 .. n_parts - 1, each on a thread of its own
 * (part 0 on the caller's); returns when all are done. Sequential when
 * n_parts is 1 or a thread cannot be started. */
void par_run(unsigned n_parts, void (*fn)(void *ctx, unsigned part), void *ctx);

/* Bounds of n_parts ranges of [0, n) holding about equal weight, where
 * prefix(i) is the weight of [0, i) (ascending): cut[0] = 0, cut[n_parts] = n. */
void par_cuts(const uint64_t *prefix, uint32_t n, unsigned n_parts, uint32_t *cut);

#endif
