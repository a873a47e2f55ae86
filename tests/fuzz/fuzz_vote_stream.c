/*
 * fuzz_vote_stream.c — libFuzzer target for the chunked votes.csv reader
 * (vote_stream_*), checked against the full reader: the first byte picks
 * the chunk sizes (lines split anywhere), the rest is votes.csv. Whenever
 * the stream accepts a file, the full reader must accept it too and give
 * the same participants, statements and CSR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dialogue/analysis/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static int same_csr(const struct vote_csr *a, const struct vote_csr *b)
{
	if (a->n_rows != b->n_rows || a->n_cols != b->n_cols)
		return 0;
	if (memcmp(a->row_ptr, b->row_ptr, ((size_t)a->n_rows + 1) * sizeof(*a->row_ptr)))
		return 0;
	uint64_t nnz = a->row_ptr[a->n_rows];
	if (!nnz)
		return 1;
	return !memcmp(a->col, b->col, nnz * sizeof(*a->col)) &&
	       !memcmp(a->val, b->val, nnz * sizeof(*a->val));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	if (n < 1)
		return 0;
	unsigned seed = data[0];
	const char *csv = (const char *)data + 1;
	size_t len = n - 1;
	struct import_err err;

	struct dataset ds;
	struct vote_csr ms;
	dataset_init(&ds);
	memset(&ms, 0, sizeof(ms));
	struct vote_stream *vs = vote_stream_new(&ds, "fuzz-votes.csv", 0);
	enum hm_err rc = HM_OK;
	/* chunk sizes 1..16 from the seed, so every split point is reached */
	for (size_t off = 0, i = 0; !rc && off < len; i++) {
		size_t c = 1 + ((seed >> (i % 5)) + i) % 16;
		if (c > len - off)
			c = len - off;
		rc = vote_stream_feed(vs, csv + off, c, &err);
		off += c;
	}
	if (!rc)
		rc = vote_stream_finish(vs, &ms, &err);
	vote_stream_free(vs);

	if (!rc) {
		struct dataset dl;
		struct vote_csr ml;
		dataset_init(&dl);
		if (import_votes_csv(&dl, csv, len, "fuzz-votes.csv", 0, &err))
			abort(); /* the stream accepted what the full reader refuses */
		dataset_finish(&dl);
		vote_csr_build(&ml, dl.n_ptpts, dl.n_stmts, dl.log.v, dl.log.n);
		if (dl.n_ptpts != ds.n_ptpts || dl.n_stmts != ds.n_stmts ||
		    (dl.n_ptpts && memcmp(dl.ptpt_id, ds.ptpt_id, dl.n_ptpts * sizeof(*dl.ptpt_id))) ||
		    (dl.n_stmts && memcmp(dl.stmt_id, ds.stmt_id, dl.n_stmts * sizeof(*dl.stmt_id))) ||
		    !same_csr(&ml, &ms))
			abort();
		vote_csr_free(&ml);
		dataset_free(&dl);
		vote_csr_free(&ms);
	}
	dataset_free(&ds);
	return 0;
}
