/*
 * fuzz_vote_stream.c — libFuzzer target for the chunked votes.csv reader
 * (vote_stream_*), checked against the full reader: the first byte picks
 * the chunk sizes (lines split anywhere), the rest is votes.csv. Whenever
 * the stream accepts a file, the full reader must accept it too and give
 * the same participants, statements and CSR; so must the stream fed the
 * whole file at once (where lines are read with room to look ahead). The
 * same file is then read in 2–4 parts (vote_stream_part, split where the
 * seed says): whenever the join accepts, one stream must accept too and
 * give the same.
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

/* Statements 0..63 known beforehand, as comments.csv makes them. */
static void seed_stmts(struct dataset *d)
{
	for (int64_t t = 0; t < 64; t++)
		dataset_stmt(d, t, NULL);
}

/* One stream, then parts, both over seeded statements (parts add none). */
static void check_parts(unsigned seed, const char *csv, size_t len)
{
	struct import_err err;
	struct dataset d1, dp;
	struct vote_csr m1, mp;
	dataset_init(&d1);
	dataset_init(&dp);
	seed_stmts(&d1);
	seed_stmts(&dp);
	memset(&m1, 0, sizeof(m1));
	memset(&mp, 0, sizeof(mp));
	struct vote_stream *s1 = vote_stream_new(&d1, "fuzz-votes.csv", 0);
	enum hm_err rc1 = vote_stream_feed(s1, csv, len, &err);
	if (!rc1)
		rc1 = vote_stream_finish(s1, &m1, &err);
	vote_stream_free(s1);

	struct vote_stream *s = vote_stream_new(&dp, "fuzz-votes.csv", 0), *parts[4];
	const char *nl = memchr(csv, '\n', len);
	enum hm_err rc = nl ? vote_stream_feed(s, csv, (size_t)(nl - csv + 1), &err) : HM_EBUSY;
	unsigned n_parts = 2 + seed % 3, made = 0;
	size_t start[5];
	if (!rc) {
		start[0] = (size_t)(nl - csv + 1);
		start[n_parts] = len;
		for (unsigned i = 1; i < n_parts && !rc; i++) {
			size_t at = start[0] + (len - start[0]) * i / n_parts,
			       off = vote_stream_part_start(s, csv + at, len - at);
			if (off == SIZE_MAX || at + off <= start[i - 1])
				rc = HM_EBUSY;
			else
				start[i] = at + off;
		}
	}
	for (; !rc && made < n_parts; made++) {
		parts[made] = vote_stream_part(s, start[made + 1] - start[made]);
		if (!parts[made])
			abort(); /* s has its header */
		for (size_t off = start[made], i = 0; !rc && off < start[made + 1]; i++) {
			size_t c = 1 + ((seed >> (i % 7)) + 3 * i) % 29;
			if (c > start[made + 1] - off)
				c = start[made + 1] - off;
			if (vote_stream_feed(parts[made], csv + off, c, &err))
				rc = HM_EBUSY;
			off += c;
		}
	}
	if (!rc) {
		rc = vote_stream_join(s, parts, n_parts, &err);
		made = 0;
		if (!rc)
			rc = vote_stream_finish(s, &mp, &err);
	}
	for (unsigned i = 0; i < made; i++)
		vote_stream_free(parts[i]);
	vote_stream_free(s);
	if (!rc) {
		if (rc1)
			abort(); /* the parts accepted what one stream refuses */
		if (d1.n_ptpts != dp.n_ptpts || d1.n_stmts != dp.n_stmts ||
		    (d1.n_ptpts && memcmp(d1.ptpt_id, dp.ptpt_id, d1.n_ptpts * sizeof(*d1.ptpt_id))) ||
		    (d1.n_stmts && memcmp(d1.stmt_id, dp.stmt_id, d1.n_stmts * sizeof(*d1.stmt_id))) ||
		    !same_csr(&m1, &mp))
			abort();
		vote_csr_free(&mp);
	}
	if (!rc1)
		vote_csr_free(&m1);
	dataset_free(&d1);
	dataset_free(&dp);
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

	/* the whole file in one piece (lines read with room to look ahead):
	 * the same answer and, when accepted, the same rows */
	struct dataset dw;
	struct vote_csr mw;
	dataset_init(&dw);
	vs = vote_stream_new(&dw, "fuzz-votes.csv", 0);
	enum hm_err rw = vote_stream_feed(vs, csv, len, &err);
	if (!rw)
		rw = vote_stream_finish(vs, &mw, &err);
	vote_stream_free(vs);
	if ((rw == HM_OK) != (rc == HM_OK))
		abort();
	if (!rw) {
		if (dw.n_ptpts != ds.n_ptpts || dw.n_stmts != ds.n_stmts || !same_csr(&mw, &ms))
			abort();
		vote_csr_free(&mw);
	}
	dataset_free(&dw);

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
	check_parts(seed, csv, len);
	return 0;
}
