/*
 * test_shared.h — the real data the unit tests read from shared/ beside
 * the repository ($HM_SHARED_DIR overrides it): where it is, and what a
 * test does when it is absent. On a developer's machine the test is
 * skipped, saying why, and scripts/run-unit counts it as skipped; under
 * CI (CI=true) the data must be there, so the test fails.
 *
 * Include <cmocka.h> first.
 */
#ifndef TEST_SHARED_H
#define TEST_SHARED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The Makefile sets it to the absolute ../shared of the repository, so
 * the tests find it from any working directory. */
#ifndef HM_SHARED_DEFAULT
#define HM_SHARED_DEFAULT "../shared"
#endif

static inline const char *ts_shared_root(void)
{
	const char *root = getenv("HM_SHARED_DIR");
	return root && *root ? root : HM_SHARED_DEFAULT;
}

/* "<shared>/data/<rel>" in a static buffer, or NULL when it is absent. */
static inline const char *ts_data_path(const char *rel)
{
	static char path[1024];
	struct stat st;
	snprintf(path, sizeof(path), "%s/data/%s", ts_shared_root(), rel);
	return stat(path, &st) == 0 ? path : NULL;
}

static inline int ts_in_ci(void)
{
	const char *ci = getenv("CI");
	return ci && (strcmp(ci, "true") == 0 || strcmp(ci, "1") == 0);
}

/* Ends the running test because the shared data `what` is absent. */
#define ts_missing(what)                                                                        \
	do {                                                                                    \
		if (ts_in_ci())                                                                 \
			fail_msg("shared data %s absent under %s/data (CI=true needs it; "     \
				 "set HM_SHARED_DIR)",                                          \
				 (what), ts_shared_root());                                     \
		print_message("skipped: shared data %s absent under %s/data "                  \
			      "(set HM_SHARED_DIR)\n",                                          \
			      (what), ts_shared_root());                                        \
		skip();                                                                         \
	} while (0)

#endif
