/*
 * test_analysis_groups.c — harmony's own opinion groups agree with
 * Pol.is's as much as bench/RESULTS.md says: for every conversation of the
 * "groups" table, a cold `harmony analyze` must reach at least the
 * adjusted Rand index the table gives (to its three decimals) with the
 * same number of groups. A change that loses agreement fails here; one
 * that gains it says so, and bench/groups rewrites the table. The same
 * holds for the "groups, held out" table: the conversations of polis-math,
 * which the cold start was not tuned on, against the groups of Pol.is's
 * own math (math-pca2.json).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cli/analyze.h"
#include "dialogue/analysis/kmeans.h"
#include "test_analysis_util.h"

#ifndef HM_SOURCE_DIR
#define HM_SOURCE_DIR "."
#endif

#define MAX_ROWS 64

struct documented {
	char name[128];
	double ari;
	int k;
};

/* The cells of one Markdown table row, trimmed, in place. */
static int cells(char *line, char **out, int max)
{
	int n = 0;
	char *save = NULL;
	if (*line != '|')
		return 0;
	for (char *c = strtok_r(line + 1, "|", &save); c && n < max; c = strtok_r(NULL, "|", &save)) {
		while (*c == ' ')
			c++;
		size_t len = strlen(c);
		while (len && (c[len - 1] == ' ' || c[len - 1] == '\n'))
			c[--len] = '\0';
		out[n++] = c;
	}
	return n;
}

/* The "harmony cold" column of the table of section ("## groups\n") of
 * bench/RESULTS.md. */
static int read_documented(const char *section, struct documented *rows)
{
	char path[1024], line[4096];
	int in_section = 0, col = -1, n = 0;
	snprintf(path, sizeof(path), "%s/bench/RESULTS.md", HM_SOURCE_DIR);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("%s: cannot be read", path);
	while (fgets(line, sizeof(line), f)) {
		char *c[16];
		if (strncmp(line, "## ", 3) == 0) {
			if (in_section)
				break;
			in_section = strcmp(line, section) == 0;
			continue;
		}
		if (!in_section)
			continue;
		int nc = cells(line, c, 16);
		if (nc == 0 || strncmp(c[0], "---", 3) == 0)
			continue;
		if (col < 0) {
			for (int i = 0; i < nc; i++)
				if (strcmp(c[i], "harmony cold") == 0)
					col = i;
			if (col < 0)
				fail_msg("%s: the groups table has no \"harmony cold\" column", path);
			continue;
		}
		if (c[0][0] == '*' || nc <= col) /* the median row */
			continue;
		assert_true(n < MAX_ROWS);
		snprintf(rows[n].name, sizeof(rows[n].name), "%s", c[0]);
		if (sscanf(c[col], "%lf (%d)", &rows[n].ari, &rows[n].k) != 2)
			fail_msg("%s: %s: \"%s\" is not \"ARI (k)\"", path, c[0], c[col]);
		n++;
	}
	fclose(f);
	if (n == 0)
		fail_msg("%s: no rows in the groups table", path);
	return n;
}

/* A cold `harmony analyze` of dir into the file out. */
static void analyze_cold(const char *dir, const char *out)
{
	const char *args[] = { "analyze", dir, "--no-bridging", "--format", "json",
			       "--output", out };
	char *argv[HM_ARRAY_LEN(args)];
	for (size_t a = 0; a < HM_ARRAY_LEN(args); a++)
		argv[a] = xstrdup(args[a]);
	int rc = cli_analyze((int)HM_ARRAY_LEN(argv), argv);
	for (size_t a = 0; a < HM_ARRAY_LEN(args); a++)
		free(argv[a]);
	assert_int_equal(rc, 0);
}

/* Checks ari and k against the documented row; 1 when ahead of it. */
static int check_row(const struct documented *row, double ari, int k)
{
	print_message("%s: ARI %.3f (%d), documented %.3f (%d)\n", row->name, ari, k, row->ari,
		      row->k);
	if (ari < row->ari - 0.0005)
		fail_msg("%s: ARI %.4f is below the documented %.3f", row->name, ari, row->ari);
	if (k != row->k)
		fail_msg("%s: %d groups, documented %d", row->name, k, row->k);
	return ari > row->ari + 0.0005;
}

/* Participant -> group of Pol.is's math: base clusters' members, grouped by
 * the group clusters. Indexed by participant id (-1: none), up to max. */
static void polis_math_groups(const json_t *math, int32_t *g, size_t max)
{
	const json_t *base = json_object_get(math, "base-clusters");
	const json_t *ids = json_object_get(base, "id"), *members = json_object_get(base, "members");
	for (size_t i = 0; i < max; i++)
		g[i] = -1;
	size_t gi;
	json_t *grp;
	json_array_foreach(json_object_get(math, "group-clusters"), gi, grp) {
		size_t bi;
		json_t *b;
		json_array_foreach(json_object_get(grp, "members"), bi, b) {
			for (size_t k = 0; k < json_array_size(ids); k++) {
				if (json_integer_value(json_array_get(ids, k)) != json_integer_value(b))
					continue;
				size_t pi;
				json_t *p;
				json_array_foreach(json_array_get(members, k), pi, p) {
					json_int_t pid = json_integer_value(p);
					if (pid >= 0 && (size_t)pid < max)
						g[pid] = (int32_t)json_integer_value(json_object_get(grp, "id"));
				}
			}
		}
	}
}

#define MAX_PTPTS 100000

static void test_held_out_groups_agree_as_documented(void **state)
{
	(void)state;
	struct documented rows[MAX_ROWS];
	int n = read_documented("## groups, held out\n", rows), missing = 0, ahead = 0;
	char tmp[] = "/tmp/hm-groups-XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	close(fd);
	static int32_t theirs[MAX_PTPTS], a[MAX_PTPTS], b[MAX_PTPTS];
	for (int i = 0; i < n; i++) {
		char rel[256], math_path[1200];
		snprintf(rel, sizeof(rel), "polis-math/%s", rows[i].name);
		const char *dir = ts_data_path(rel);
		if (!dir) {
			missing++;
			continue;
		}
		snprintf(math_path, sizeof(math_path), "%s/math-pca2.json", dir);
		json_error_t je;
		json_t *math = json_load_file(math_path, 0, &je);
		if (!math)
			fail_msg("%s: %s", math_path, je.text);
		polis_math_groups(math, theirs, MAX_PTPTS);
		json_decref(math);
		analyze_cold(dir, tmp);
		json_t *j = json_load_file(tmp, 0, &je);
		if (!j)
			fail_msg("%s: %s", rows[i].name, je.text);
		uint32_t m = 0;
		int32_t seen[64] = {0};
		int k = 0;
		const char *pid;
		json_t *p;
		json_object_foreach(json_object_get(j, "participants"), pid, p) {
			json_t *grp = json_object_get(p, "group");
			long id = strtol(pid, NULL, 10);
			if (!json_is_integer(grp))
				continue;
			int32_t mine = (int32_t)json_integer_value(grp);
			if (mine >= 0 && mine < 64 && !seen[mine]++)
				k++;
			if (id < 0 || id >= MAX_PTPTS || theirs[id] < 0)
				continue;
			a[m] = mine;
			b[m++] = theirs[id];
		}
		json_decref(j);
		assert_true(m > 0);
		ahead += check_row(&rows[i], adjusted_rand_index(a, b, m), k);
	}
	unlink(tmp);
	if (ahead)
		print_message("%d held-out conversations agree better than bench/RESULTS.md says: "
			      "rerun bench/groups\n", ahead);
	if (missing)
		ts_missing("polis-math (conversations of the held-out groups table)");
}

static void test_groups_agree_with_polis_as_documented(void **state)
{
	(void)state;
	struct documented rows[MAX_ROWS];
	int n = read_documented("## groups\n", rows), missing = 0, ahead = 0;
	char tmp[] = "/tmp/hm-groups-XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	close(fd);
	for (int i = 0; i < n; i++) {
		char rel[256];
		snprintf(rel, sizeof(rel), "polis/%s", rows[i].name);
		const char *dir = ts_data_path(rel);
		if (!dir) {
			missing++;
			continue;
		}
		analyze_cold(dir, tmp);
		json_error_t je;
		json_t *j = json_load_file(tmp, 0, &je);
		if (!j)
			fail_msg("%s: %s", rows[i].name, je.text);
		json_t *pg = json_object_get(json_object_get(j, "harmony"), "polis-groups");
		double ari = json_number_value(json_object_get(pg, "adjusted-rand-index"));
		int k = (int)json_integer_value(json_object_get(pg, "n-groups-harmony"));
		assert_non_null(pg);
		ahead += check_row(&rows[i], ari, k);
		json_decref(j);
	}
	unlink(tmp);
	if (ahead)
		print_message("%d conversations agree better than bench/RESULTS.md says: rerun bench/groups\n",
			      ahead);
	if (missing)
		ts_missing("polis (conversations of the groups table)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_agree_with_polis_as_documented),
		cmocka_unit_test(test_held_out_groups_agree_as_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
