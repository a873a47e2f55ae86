/*
 * replay.c — replays a vote stream tick by tick through analysis_run, so
 * warm starts, sticky in-conv and the k-smoother follow the path Pol.is
 * took. Clustering is path-dependent: this is how its groups are
 * approached from an export that has only the votes.
 */
#include "dialogue/analysis/analysis.h"

#include <stdlib.h>
#include <string.h>

static int by_time(const void *a, const void *b, void *ctx)
{
	const struct vote *lv = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct vote *u = &lv[x], *v = &lv[y];
	if (u->ts != v->ts)
		return u->ts < v->ts ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int by_poll(const void *a, const void *b)
{
	const struct vote *u = a, *v = b;
	if (u->tid != v->tid)
		return u->tid < v->tid ? -1 : 1;
	if (u->pid != v->pid)
		return u->pid < v->pid ? -1 : 1;
	return u->ts < v->ts ? -1 : u->ts > v->ts;
}

enum hm_err analysis_replay(const struct vote_log *log, uint32_t n_ptpts, uint32_t n_stmts,
			    const uint8_t *mod_out, const uint8_t *is_meta, uint32_t tick_votes, int64_t tick_ms,
			    const struct analysis_opts *o, struct analysis_state *st,
			    struct analysis_result *res, struct vote_csr *m,
			    void (*on_tick)(void *ctx, uint32_t tick, uint32_t n_ticks), void *ctx)
{
	size_t n = log->n;
	size_t *ord = xmalloc((n + 1) * sizeof(*ord));
	struct vote *seq = xmalloc((n + 1) * sizeof(*seq));
	uint32_t *rows = xmalloc(((size_t)n_ptpts + 1) * sizeof(*rows));
	uint8_t *seen = xcalloc((size_t)n_ptpts + 1, 1);
	uint32_t n_rows = 0, tick = 0;
	enum hm_err rc = HM_OK;

	if (!tick_votes)
		tick_votes = 1;
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	qsort_r(ord, n, sizeof(*ord), by_time, log->v);
	for (size_t i = 0; i < n; i++)
		seq[i] = log->v[ord[i]];
	free(ord);
	uint32_t n_ticks = (uint32_t)((n + tick_votes - 1) / tick_votes);
	if (tick_ms > 0) {
		n_ticks = 0;
		for (size_t i = 0; i < n;) {
			size_t e = i + 1;
			while (e < n && seq[e].ts - seq[i].ts < tick_ms)
				e++;
			n_ticks++;
			i = e;
		}
	}
	memset(m, 0, sizeof(*m));
	memset(res, 0, sizeof(*res));
	for (size_t done = 0; done < n;) {
		size_t end = done + tick_votes < n ? done + tick_votes : n;
		if (tick_ms > 0)
			for (end = done + 1; end < n && seq[end].ts - seq[done].ts < tick_ms; end++)
				;
		/* rows are added in the order Pol.is's poll returns the batch */
		struct vote *batch = xmalloc((end - done + 1) * sizeof(*batch));
		memcpy(batch, seq + done, (end - done) * sizeof(*batch));
		qsort(batch, end - done, sizeof(*batch), by_poll);
		for (size_t i = 0; i < end - done; i++)
			if (batch[i].pid < n_ptpts && !seen[batch[i].pid]) {
				seen[batch[i].pid] = 1;
				rows[n_rows++] = batch[i].pid;
			}
		free(batch);
		done = end;
		vote_csr_free(m);
		vote_csr_build(m, n_ptpts, n_stmts, seq, done);
		struct analysis_input in = {
			.m = m, .rows = rows, .n_rows = n_rows, .mod_out = mod_out, .is_meta = is_meta,
		};
		analysis_result_free(res);
		rc = analysis_run(&in, o, st, NULL, res);
		if (rc)
			break;
		tick++;
		if (on_tick)
			on_tick(ctx, tick, n_ticks);
	}
	free(seq);
	free(rows);
	free(seen);
	return rc;
}
