/*
 * fuzz_polis_read.c — libFuzzer target for the reader of an uploaded
 * Pol.is export (src/features/dialogue/polis_read.c): the input is split
 * at the first two NUL bytes into comments.csv, votes.csv (or, when the
 * first byte is odd, participants-votes.csv) and summary.csv. What must
 * hold: it never crashes or leaks; a refusal has a message; an accepted
 * export names statements in ascending ids, participants in ascending
 * ids, only votes of -1, 0 or 1 on statements and participants it lists,
 * and every author it names is among the participants.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/dialogue/dialogue.h"

static int listed(const int64_t *a, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int wide = data[0] & 1;
	char *copy = malloc(size);
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = 0;
	size_t n = size - 1;
	const char *part[3] = {copy, NULL, NULL};
	size_t len[3] = {n, 0, 0};
	for (int k = 1; k < 3; k++) {
		const char *z = part[k - 1] ? memchr(part[k - 1], 0, len[k - 1]) : NULL;
		if (!z)
			break;
		len[k - 1] = (size_t)(z - part[k - 1]);
		part[k] = z + 1;
		len[k] = (size_t)(copy + n - part[k]);
	}
	struct dlg_polis_files f = {.comments = part[0], .comments_len = len[0],
				    .summary = part[2], .summary_len = len[2], .name = "fuzz"};
	if (wide) {
		f.participants_votes = part[1];
		f.participants_votes_len = len[1];
	} else {
		f.votes = part[1];
		f.votes_len = len[1];
	}
	struct dlg_polis_read r;
	char err[512] = "";
	if (dlg_polis_read(&f, 1000, &r, err, sizeof(err)) != HM_OK) {
		if (!err[0])
			__builtin_trap();
		free(copy);
		return 0;
	}
	const struct dlg_import *in = &r.in;
	if (!in->topic || !in->n_stmts)
		__builtin_trap();
	for (size_t i = 1; i < in->n_stmts; i++)
		if (in->stmts[i].ext <= in->stmts[i - 1].ext)
			__builtin_trap();
	for (size_t i = 1; i < in->n_ptpts; i++)
		if (in->ptpts[i] <= in->ptpts[i - 1])
			__builtin_trap();
	for (size_t i = 0; i < in->n_stmts; i++)
		if (in->stmts[i].author >= 0 && !listed(in->ptpts, in->n_ptpts, in->stmts[i].author))
			__builtin_trap();
	for (size_t i = 0; i < in->n_votes; i++) {
		const struct dlg_import_vote *v = &in->votes[i];
		if (v->vote < -1 || v->vote > 1 || !listed(in->ptpts, in->n_ptpts, v->ptpt))
			__builtin_trap();
		int found = 0;
		for (size_t k = 0; k < in->n_stmts && !found; k++)
			found = in->stmts[k].ext == v->stmt;
		if (!found)
			__builtin_trap();
	}
	dlg_polis_read_free(&r);
	free(copy);
	return 0;
}
