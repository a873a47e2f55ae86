/*
 * test_analysis_groups.c — harmony's own opinion groups agree with
 * Pol.is's as much as bench/RESULTS.md says: for every conversation of the
 * "groups" table, a cold `harmony analyze` must reach at least the
 * adjusted Rand index the table gives (to its three decimals) with the
 * same number of groups. A change that loses agreement fails here; one
 * that gains it says so, and bench/groups rewrites the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cli/analyze.h"
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

/* The "harmony cold" column of the groups table of bench/RESULTS.md. */
static int read_documented(struct documented *rows)
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
			in_section = strcmp(line, "## groups\n") == 0;
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

static void test_groups_agree_with_polis_as_documented(void **state)
{
	(void)state;
	struct documented rows[MAX_ROWS];
	int n = read_documented(rows), missing = 0, ahead = 0;
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
		const char *args[] = { "analyze", dir, "--no-bridging", "--format", "json",
				       "--output", tmp };
		char *argv[HM_ARRAY_LEN(args)];
		for (size_t a = 0; a < HM_ARRAY_LEN(args); a++)
			argv[a] = xstrdup(args[a]);
		int rc = cli_analyze((int)HM_ARRAY_LEN(argv), argv);
		for (size_t a = 0; a < HM_ARRAY_LEN(args); a++)
			free(argv[a]);
		assert_int_equal(rc, 0);
		json_error_t je;
		json_t *j = json_load_file(tmp, 0, &je);
		if (!j)
			fail_msg("%s: %s", rows[i].name, je.text);
		json_t *pg = json_object_get(json_object_get(j, "harmony"), "polis-groups");
		double ari = json_number_value(json_object_get(pg, "adjusted-rand-index"));
		int k = (int)json_integer_value(json_object_get(pg, "n-groups-harmony"));
		assert_non_null(pg);
		print_message("%s: ARI %.3f (%d), documented %.3f (%d)\n", rows[i].name, ari, k,
			      rows[i].ari, rows[i].k);
		if (ari < rows[i].ari - 0.0005)
			fail_msg("%s: ARI %.4f is below the documented %.3f", rows[i].name, ari,
				 rows[i].ari);
		if (k != rows[i].k)
			fail_msg("%s: %d groups, documented %d", rows[i].name, k, rows[i].k);
		ahead += ari > rows[i].ari + 0.0005;
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
