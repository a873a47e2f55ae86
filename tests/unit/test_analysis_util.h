/*
 * test_analysis_util.h — helpers shared by the dialogue analysis tests:
 * building a CSR from strings, locating shared/data (test_shared.h),
 * reading whole files and loading an export folder into a dataset.
 */
#ifndef TEST_ANALYSIS_UTIL_H
#define TEST_ANALYSIS_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core.h"
#include "test_shared.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/import.h"
#include "dialogue/analysis/votes.h"

/* One string per participant: '+' agree, '-' disagree, '0' pass,
 * '.' not voted; all rows the same length. */
static inline void tu_csr(struct vote_csr *m, const char *const *rows, uint32_t n_rows)
{
	struct vote_log log;
	vote_log_init(&log);
	uint32_t n_cols = n_rows ? (uint32_t)strlen(rows[0]) : 0;
	for (uint32_t u = 0; u < n_rows; u++)
		for (uint32_t t = 0; rows[u][t]; t++) {
			char c = rows[u][t];
			if (c == '.')
				continue;
			vote_log_append(&log, u, t, c == '+' ? VOTE_AGREE : c == '-' ? VOTE_DISAGREE : VOTE_PASS, 0);
		}
	vote_csr_build(m, n_rows, n_cols, log.v, log.n);
	vote_log_free(&log);
}


/* Whole file, NUL-terminated; NULL when it cannot be read. */
static inline char *tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[65536];
	size_t n;
	if (!f)
		return NULL;
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

/* Loads dir/comments.json + votes.json (or the Pol.is CSV pair);
 * returns 0 on success. */
static inline int tu_load_folder(const char *dir, struct dataset *d)
{
	char path[2200];
	size_t len;
	char *data;
	struct import_err err;
	int rc = 0, json = 0;
	snprintf(path, sizeof(path), "%s/comments.json", dir);
	data = tu_read(path, &len);
	if (data)
		json = 1;
	else {
		snprintf(path, sizeof(path), "%s/comments.csv", dir);
		data = tu_read(path, &len);
	}
	if (!data)
		return -1;
	rc = json ? import_comments_json(d, data, len, path, &err) : import_comments_csv(d, data, len, path, &err);
	free(data);
	if (rc)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, json ? "votes.json" : "votes.csv");
	data = tu_read(path, &len);
	if (data) {
		rc = json ? import_votes_json(d, data, len, path, 1, &err)
			  : import_votes_csv(d, data, len, path, 1, &err);
		free(data);
		if (rc)
			return -1;
		if (!json) {
			snprintf(path, sizeof(path), "%s/participants-votes.csv", dir);
			data = tu_read(path, &len);
			if (data) {
				rc = import_participants_votes_csv(d, data, len, path, 0, &err);
				free(data);
			}
		}
	} else {
		snprintf(path, sizeof(path), "%s/participants-votes.csv", dir);
		data = tu_read(path, &len);
		if (!data)
			return -1;
		rc = import_participants_votes_csv(d, data, len, path, 1, &err);
		free(data);
	}
	if (rc)
		return -1;
	dataset_finish(d);
	return 0;
}

#endif
