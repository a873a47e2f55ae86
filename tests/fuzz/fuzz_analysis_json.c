/*
 * fuzz_analysis_json.c — libFuzzer target for the JSON readers
 * (comments.json, votes.json in both schemas, Pol.is math blobs used as
 * membership). The first byte picks the case; the rest is two documents
 * separated by a NUL byte.
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
	if (data[0] % 2 == 0) {
		if (!import_comments_json(&d, a, na, "comments.json", &err) &&
		    !import_votes_json(&d, b, nb, "votes.json", 1, &err))
			fuzz_analyse(&d);
	} else {
		struct membership mb;
		if (!import_votes_json(&d, a, na, "votes.json", 0, &err) &&
		    !import_membership_json(&mb, b, nb, "math-pca2.json", &err)) {
			struct membership_dense md;
			dataset_finish(&d);
			if (!membership_resolve(&mb, &d, &md, "math-pca2.json", &err)) {
				for (uint32_t k = 0; k < md.base.mptr[md.base.n]; k++)
					if (md.base.members[k] >= d.n_ptpts)
						abort();
				membership_dense_free(&md);
			}
			membership_free(&mb);
		}
	}
	dataset_free(&d);
	return 0;
}
