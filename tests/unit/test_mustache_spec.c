/*
 * test_mustache_spec.c — runs every case of the official Mustache spec
 * modules the engine claims (read at run time from shared/data/mustache-spec,
 * found as test_shared.h says) and names each failing case by file and name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_shared.h"
#include "view/template.h"

static char spec_dir[1024];

/* Where the spec files are; NULL when the folder is absent. */
static const char *find_spec_dir(void)
{
	const char *dir = ts_data_path("mustache-spec/comments.json");
	if (!dir)
		return NULL;
	snprintf(spec_dir, sizeof(spec_dir), "%s/data/mustache-spec", ts_shared_root());
	return spec_dir;
}

/* Shows the control characters of s, for readable failure messages. */
static void show(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			buf_puts(b, "\\n");
		else if (*s == '\r')
			buf_puts(b, "\\r");
		else if (*s == '\t')
			buf_puts(b, "\\t");
		else
			buf_putc(b, *s);
	}
}

/* Runs one case; on failure appends a line naming it to report. */
static int run_case(const char *file, json_t *tc, struct buf *report)
{
	const char *name = json_string_value(json_object_get(tc, "name"));
	const char *tmpl = json_string_value(json_object_get(tc, "template"));
	const char *expected = json_string_value(json_object_get(tc, "expected"));
	json_t *data = json_object_get(tc, "data");
	json_t *partials = json_object_get(tc, "partials");
	struct tpl_set *set = tpl_set_new();
	struct buf out;
	char err[256];
	int ok = 0;
	buf_init(&out);

	if (!name || !tmpl || !expected) {
		buf_printf(report, "%s: malformed case %s\n", file, name ? name : "?");
		goto out;
	}
	const char *pname;
	json_t *ptext;
	json_object_foreach(partials, pname, ptext)
	{
		const char *src = json_string_value(ptext);
		if (tpl_set_add(set, pname, src, strlen(src), err, sizeof(err)) != HM_OK) {
			buf_printf(report, "%s / %s: partial %s: %s\n", file, name, pname, err);
			goto out;
		}
	}
	if (tpl_set_add(set, "(spec case)", tmpl, strlen(tmpl), err, sizeof(err)) != HM_OK) {
		buf_printf(report, "%s / %s: %s\n", file, name, err);
		goto out;
	}
	enum hm_err rc = tpl_render(set, "(spec case)", data, NULL, &out);
	if (rc != HM_OK) {
		buf_printf(report, "%s / %s: render failed: %s\n", file, name, hm_err_str(rc));
		goto out;
	}
	if (strcmp(out.data ? out.data : "", expected) != 0) {
		buf_printf(report, "%s / %s:\n  expected \"", file, name);
		show(report, expected);
		buf_puts(report, "\"\n  got      \"");
		show(report, out.data ? out.data : "");
		buf_puts(report, "\"\n");
		goto out;
	}
	ok = 1;
out:
	buf_free(&out);
	tpl_set_free(set);
	return ok;
}

static void run_file(const char *file)
{
	const char *dir = find_spec_dir();
	if (!dir)
		ts_missing("mustache-spec");
	char path[1200];
	json_error_t jerr;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	json_t *doc = json_load_file(path, 0, &jerr);
	if (!doc)
		fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
	json_t *tests = json_object_get(doc, "tests");
	assert_true(json_is_array(tests));
	assert_true(json_array_size(tests) > 0);

	struct buf report;
	buf_init(&report);
	size_t i, failed = 0;
	json_t *tc;
	json_array_foreach(tests, i, tc)
	{
		if (!run_case(file, tc, &report))
			failed++;
	}
	size_t n = json_array_size(tests);
	json_decref(doc);
	if (failed) {
		print_error("%s", report.data);
		buf_free(&report);
		fail_msg("%s: %zu of %zu cases failed", file, failed, n);
	}
	buf_free(&report);
}

static void test_spec_comments(void **state)
{
	(void)state;
	run_file("comments.json");
}

static void test_spec_delimiters(void **state)
{
	(void)state;
	run_file("delimiters.json");
}

static void test_spec_interpolation(void **state)
{
	(void)state;
	run_file("interpolation.json");
}

static void test_spec_inverted(void **state)
{
	(void)state;
	run_file("inverted.json");
}

static void test_spec_partials(void **state)
{
	(void)state;
	run_file("partials.json");
}

static void test_spec_sections(void **state)
{
	(void)state;
	run_file("sections.json");
}

static void test_spec_inheritance(void **state)
{
	(void)state;
	run_file("~inheritance.json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_comments),   cmocka_unit_test(test_spec_delimiters),
		cmocka_unit_test(test_spec_interpolation), cmocka_unit_test(test_spec_inverted),
		cmocka_unit_test(test_spec_partials),   cmocka_unit_test(test_spec_sections),
		cmocka_unit_test(test_spec_inheritance),
	};
	return cmocka_run_group_tests_name("mustache spec", tests, NULL, NULL);
}
