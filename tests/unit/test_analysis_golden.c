/*
 * test_analysis_golden.c — `harmony analyze --format json` on two small
 * real conversations must reproduce tests/unit/golden/analyze/ byte for
 * byte (determinism across runs and machines). HM_UPDATE_GOLDEN=1
 * rewrites the golden files instead of comparing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/analyze.h"
#include "test_analysis_util.h"

static const struct {
	const char *golden;
	const char *data;       /* under shared/data */
	const char *membership; /* math blob under shared/data, or NULL */
} cases[] = {
	{ "london.youth.policing.json", "polis/london.youth.policing", NULL },
	{ "below-100-ptpts.membership.json", "polis-math/below-100-ptpts",
	  "polis-math/below-100-ptpts/math-pca2.json" },
};

static void run_case(size_t i)
{
	const char *p = ts_data_path(cases[i].data);
	if (!p)
		ts_missing(cases[i].data);
	char *dir = xstrdup(p);
	char *membership = cases[i].membership ? xstrdup(ts_data_path(cases[i].membership)) : NULL;
	char tmp[] = "/tmp/hm-golden-XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	close(fd);
	char *argv[12];
	int argc = 0;
	argv[argc++] = xstrdup("analyze");
	argv[argc++] = xstrdup(dir);
	argv[argc++] = xstrdup("--format");
	argv[argc++] = xstrdup("json");
	argv[argc++] = xstrdup("--no-bridging");
	argv[argc++] = xstrdup("--output");
	argv[argc++] = xstrdup(tmp);
	if (membership) {
		argv[argc++] = xstrdup("--membership");
		argv[argc++] = xstrdup(membership);
	}
	int rc = cli_analyze(argc, argv);
	for (int k = 0; k < argc; k++)
		free(argv[k]);
	assert_int_equal(rc, 0);
	size_t got_len, want_len;
	char *got = tu_read(tmp, &got_len);
	unlink(tmp);
	assert_non_null(got);
	char *gpath = xasprintf("tests/unit/golden/analyze/%s", cases[i].golden);
	const char *update = getenv("HM_UPDATE_GOLDEN");
	if (update && !strcmp(update, "1")) {
		FILE *f = fopen(gpath, "wb");
		assert_non_null(f);
		fwrite(got, 1, got_len, f);
		fclose(f);
	} else {
		char *want = tu_read(gpath, &want_len);
		if (!want)
			fail_msg("%s: golden file missing (run with HM_UPDATE_GOLDEN=1)", gpath);
		if (want_len != got_len || memcmp(want, got, got_len)) {
			size_t at = 0, line = 1;
			while (at < got_len && at < want_len && got[at] == want[at]) {
				if (got[at] == '\n')
					line++;
				at++;
			}
			fail_msg("%s: output differs from the golden file at line %zu, byte %zu", gpath, line, at);
		}
		free(want);
	}
	free(gpath);
	free(got);
	free(dir);
	free(membership);
}

static void test_golden_london_youth_policing_cold(void **state)
{
	(void)state;
	run_case(0);
}

static void test_golden_below_100_with_membership(void **state)
{
	(void)state;
	run_case(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_london_youth_policing_cold),
		cmocka_unit_test(test_golden_below_100_with_membership),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
