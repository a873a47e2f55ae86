/*
 * fuzz_analysis_common.h — what both analysis fuzz targets do once a
 * dataset parsed: build the CSR, run a compat and a scale tick and render
 * the JSON report, checking invariants on the way.
 */
#ifndef FUZZ_ANALYSIS_COMMON_H
#define FUZZ_ANALYSIS_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "dialogue/analysis/analysis.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/report.h"

static void fuzz_analyse(struct dataset *d)
{
	struct vote_csr m;
	dataset_finish(d);
	if (!d->log.n || d->n_ptpts > 5000 || d->n_stmts > 2000)
		return;
	vote_csr_build(&m, d->n_ptpts, d->n_stmts, d->log.v, d->log.n);
	if (vote_csr_nnz(&m) > d->log.n)
		abort();
	uint8_t *mod_out = malloc(d->n_stmts + 1);
	for (uint32_t t = 0; t < d->n_stmts; t++)
		mod_out[t] = d->stmt_mod[t] == -1 || d->stmt_meta[t];
	for (int mode = 0; mode < 2; mode++) {
		struct analysis_opts o;
		struct analysis_state st;
		struct analysis_result r;
		struct analysis_input in = { .m = &m, .mod_out = mod_out, .is_meta = d->stmt_meta };
		analysis_opts_default(&o, mode ? ANALYSIS_SCALE : ANALYSIS_COMPAT);
		o.pca_iters = 20;
		analysis_state_init(&st);
		if (analysis_run(&in, &o, &st, NULL, &r) == HM_OK) {
			/* every clustered participant is in one group of the report */
			for (uint32_t p = 0; p < r.n_ptpts; p++)
				if (r.ptpt_group[p] >= (int32_t)r.groups.n)
					abort();
			struct report_in ri = { .d = d, .r = &r };
			struct buf b;
			buf_init(&b);
			report_json(&b, &ri);
			report_text(&b, &ri);
			buf_free(&b);
		}
		analysis_result_free(&r);
		analysis_state_free(&st);
	}
	free(mod_out);
	vote_csr_free(&m);
}

/* Splits input at the first NUL: a = before, b = after (b may be empty). */
static void fuzz_split(const uint8_t *data, size_t n, const char **a, size_t *na, const char **b, size_t *nb)
{
	const uint8_t *z = memchr(data, 0, n);
	*a = (const char *)data;
	*na = z ? (size_t)(z - data) : n;
	*b = z ? (const char *)z + 1 : (const char *)data + n;
	*nb = z ? n - *na - 1 : 0;
}

#endif
