/*
 * fuzz_analysis_csv.c — libFuzzer target for the Pol.is CSV readers
 * (comments.csv, votes.csv, participants-votes.csv, declared groups). The
 * first byte picks the pair of readers; the rest is two files separated by
 * a NUL byte. Whatever parses is then analysed and reported.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dialogue/analysis/import.h"
#include "fuzz_analysis_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct dataset d;
	struct import_err err;
	const char *a, *b;
	size_t na, nb;
	if (n < 1)
		return 0;
	fuzz_split(data + 1, n - 1, &a, &na, &b, &nb);
	dataset_init(&d);
	switch (data[0] % 4) {
	case 0:
		if (!import_comments_csv(&d, a, na, "comments.csv", &err) &&
		    !import_votes_csv(&d, b, nb, "votes.csv", 1, &err))
			fuzz_analyse(&d);
		break;
	case 1:
		if (!import_comments_csv(&d, a, na, "comments.csv", &err) &&
		    !import_participants_votes_csv(&d, b, nb, "participants-votes.csv", 1, &err))
			fuzz_analyse(&d);
		break;
	case 2:
		if (!import_votes_csv(&d, a, na, "votes.csv", 0, &err) &&
		    !import_participants_votes_csv(&d, b, nb, "participants-votes.csv", 0, &err))
			fuzz_analyse(&d);
		break;
	default:
		if (!import_votes_csv(&d, a, na, "votes.csv", 0, &err)) {
			struct declared_attrs g;
			dataset_finish(&d);
			if (!import_groups_csv(&g, &d, b, nb, "groups.csv", &err)) {
				for (uint32_t k = 0; k < g.n_attrs * g.n_ptpts; k++)
					if (g.group[k] < -1 || (g.group[k] >= 0 &&
								(uint32_t)g.group[k] >= g.n_values[k / g.n_ptpts]))
						abort();
				declared_attrs_free(&g);
			}
		}
		break;
	}
	dataset_free(&d);
	return 0;
}
