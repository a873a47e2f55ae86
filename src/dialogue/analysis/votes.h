/*
 * votes.h — the vote data every analysis step reads: an append-only vote
 * log and the compressed sparse rows (CSR) matrix rebuilt from it.
 * Sign convention at every public boundary: agree = +1, disagree = -1,
 * pass = 0. (Pol.is computes with agree = -1; only compat code flips.)
 */
#ifndef HM_DIALOGUE_VOTES_H
#define HM_DIALOGUE_VOTES_H

#include <stddef.h>
#include <stdint.h>

enum vote_value {
	VOTE_DISAGREE = -1,
	VOTE_PASS = 0,
	VOTE_AGREE = 1,
};

/* One cast vote. pid and tid are dense indices (0..n-1), not the
 * external ids; the caller keeps the mapping. ts orders the log:
 * for the same (pid, tid) the vote with the larger ts wins, and on equal
 * ts the later one in the log wins. */
struct vote {
	uint32_t pid;
	uint32_t tid;
	int64_t ts;
	int8_t value;
};

/* Append-only vote log. Owns its array. */
struct vote_log {
	struct vote *v;
	size_t n;
	size_t cap;
};

void vote_log_init(struct vote_log *log);
void vote_log_free(struct vote_log *log);
void vote_log_append(struct vote_log *log, uint32_t pid, uint32_t tid, int value, int64_t ts);

/*
 * Participants × statements, one row per participant. Row i holds the
 * participant's current votes in col[row_ptr[i] .. row_ptr[i+1]), sorted
 * by column, at most one entry per (row, column); val[] holds the vote
 * (agree = +1). A missing entry means "did not vote" (never "pass").
 * nnz = row_ptr[n_rows]. Owns its three arrays.
 */
struct vote_csr {
	uint32_t n_rows;
	uint32_t n_cols;
	uint64_t *row_ptr; /* n_rows + 1 entries */
	uint32_t *col;     /* nnz entries */
	int8_t *val;       /* nnz entries */
	/* capacities, used only while building row by row */
	uint64_t nnz_cap;
	uint32_t rows_cap;
	uint64_t pending; /* entries pushed to the open row */
};

/* Builds m from n votes whose pid < n_rows and tid < n_cols (votes with
 * larger indices are skipped). Last vote wins as described for struct vote.
 * O(nnz + n_rows + n_cols) time; m is overwritten (not freed first). */
void vote_csr_build(struct vote_csr *m, uint32_t n_rows, uint32_t n_cols,
		    const struct vote *votes, size_t n);
/* Builds the transpose (statements × participants, same layout). */
void vote_csr_transpose(struct vote_csr *t, const struct vote_csr *m);
void vote_csr_free(struct vote_csr *m);

/* Row-by-row construction without a log (generators, bulk import):
 * begin, then per participant in order: push its votes, end the row (the
 * row is sorted there; for a repeated column the last push wins). Hints
 * only presize the arrays. */
void vote_csr_begin(struct vote_csr *m, uint32_t n_cols, uint32_t rows_hint, uint64_t nnz_hint);
void vote_csr_push(struct vote_csr *m, uint32_t tid, int value);
void vote_csr_end_row(struct vote_csr *m);

/* Sorts n keys ascending, with tmp (room for n keys) as scratch:
 * insertion sort on short runs, then bottom-up merges, so a long row does
 * not cost a quadratic sort. The one sort of the rows' packed keys
 * (the column in the high 32 bits), for the CSR builders and the chunked
 * votes.csv reader alike. */
void vote_sort_keys(uint64_t *a, uint64_t *tmp, uint64_t n);

/* Applies n votes to m in place, in order (the last vote on a cell wins),
 * growing it to at least n_rows × n_cols (votes beyond are skipped). A
 * changed vote is rewritten where it stands; new cells are merged in with
 * one backward pass that moves untouched rows in blocks, so a few thousand
 * votes into 10^8 cost about one memmove of the arrays, not a rebuild. */
void vote_csr_merge(struct vote_csr *m, uint32_t n_rows, uint32_t n_cols, const struct vote *v, size_t n);

/* Large vote arrays: asks for transparent huge pages, so filling 10^8
 * votes takes thousands of page faults instead of a million. Only advice;
 * arrays under 16 MiB are left alone. */
void vote_advise_huge(void *p, size_t n);

static inline uint64_t vote_csr_nnz(const struct vote_csr *m)
{
	return m->row_ptr ? m->row_ptr[m->n_rows] : 0;
}

#endif
