/*
 * par.c — one thread per part, started per call: the passes split here
 * take milliseconds, where starting a thread takes microseconds, so no
 * pool is kept.
 */
#include "dialogue/analysis/par.h"

#include <pthread.h>
#include <unistd.h>

static unsigned forced;

unsigned par_threads(void)
{
	if (forced)
		return forced;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > PAR_MAX ? PAR_MAX : (unsigned)n;
}

void par_set_threads(unsigned n)
{
	forced = n > PAR_MAX ? PAR_MAX : n;
}

struct par_job {
	void (*fn)(void *ctx, unsigned part);
	void *ctx;
	unsigned part;
};

static void *par_main(void *arg)
{
	struct par_job *j = arg;
	j->fn(j->ctx, j->part);
	return NULL;
}

void par_run(unsigned n_parts, void (*fn)(void *ctx, unsigned part), void *ctx)
{
	pthread_t th[PAR_MAX];
	struct par_job job[PAR_MAX];
	int started[PAR_MAX] = { 0 };
	if (n_parts > PAR_MAX)
		n_parts = PAR_MAX;
	for (unsigned p = 1; p < n_parts; p++) {
		job[p] = (struct par_job){ fn, ctx, p };
		started[p] = !pthread_create(&th[p], NULL, par_main, &job[p]);
	}
	fn(ctx, 0);
	for (unsigned p = 1; p < n_parts; p++) {
		if (started[p])
			pthread_join(th[p], NULL);
		else
			fn(ctx, p);
	}
}

void par_cuts(const uint64_t *prefix, uint32_t n, unsigned n_parts, uint32_t *cut)
{
	uint64_t total = prefix[n];
	cut[0] = 0;
	for (unsigned p = 1; p < n_parts; p++) {
		uint64_t want = total / n_parts * p;
		uint32_t lo = cut[p - 1], hi = n;
		while (lo < hi) { /* the first i with prefix(i) >= want */
			uint32_t mid = lo + (hi - lo) / 2;
			if (prefix[mid] < want)
				lo = mid + 1;
			else
				hi = mid;
		}
		cut[p] = lo;
	}
	cut[n_parts] = n;
}
