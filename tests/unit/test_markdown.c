/*
 * test_markdown.c — cmark in safe mode: formatting kept, raw HTML and
 * script URLs dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "view/markdown.h"

static const struct {
	const char *id, *md, *must, *must_not;
} cases[] = {
	{"M01 raw script dropped", "hi <script>alert(1)</script>", NULL, "<script"},
	{"M02 raw img onerror dropped", "<img src=x onerror=alert(1)>", NULL, "onerror"},
	{"M03 javascript link neutralised", "[x](javascript:alert(1))", NULL, "javascript:"},
	{"M04 data link neutralised", "[x](data:text/html;base64,AAAA)", NULL, "data:text/html"},
	{"M05 NULL is empty", NULL, "", "<p>"},
	{"M10 bold", "the **Shanghai Consultations** aim", "<strong>Shanghai Consultations</strong>", NULL},
	{"M11 paragraphs", "one\n\ntwo", "<p>one</p>\n<p>two</p>", NULL},
	{"M12 quotes as typed", "“Harmony through Diversity and Dialogue”", "“Harmony through Diversity and Dialogue”", NULL},
	{"M13 link kept", "[UN](https://www.un.org/)", "<a href=\"https://www.un.org/\">UN</a>", NULL},
	{"M14 ampersand escaped", "R&D <b>", "R&amp;D", "<b>"},
	{"M20 table", "| Region | City |\n| --- | :-: |\n| Asia | Shanghai |\n", "<table>", NULL},
	{"M21 table header cell", "| Region | City |\n| --- | --- |\n| Asia | Shanghai |\n", "<th>Region</th>", NULL},
	{"M22 table body cell", "| Region | City |\n| --- | --- |\n| Asia | Shanghai |\n", "<td>Shanghai</td>", NULL},
	{"M23 table alignment", "| a | b |\n| :-: | --: |\n| 1 | 2 |\n", "<td align=\"center\">1</td>", NULL},
	{"M24 raw HTML in a table cell dropped", "| a |\n| --- |\n| <script>x</script> |\n", "<table>", "<script"},
	{"M25 javascript link in a table neutralised", "| a |\n| --- |\n| [x](javascript:alert(1)) |\n", "<td>", "javascript:"},
	{"M26 block quote", "> Dialogue is the way.\n> \u2014 a speaker", "<blockquote>\n<p>Dialogue is the way.", NULL},
	{"M27 raw HTML in a block quote dropped", "> <iframe src=x></iframe> hi", "<blockquote>", "<iframe"},
	{"M28 strikethrough", "~~old~~ new", "<del>old</del>", NULL},
	{"M29 no table without its delimiter row", "| a | b |\n| 1 | 2 |\n", "<p>| a | b |", "<table>"},
};

static void test_markdown_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *html = markdown_to_html(cases[i].md, cases[i].md ? strlen(cases[i].md) : 0);
		if (cases[i].must && !strstr(html, cases[i].must))
			fail_msg("%s: %s lacks %s", cases[i].id, html, cases[i].must);
		if (cases[i].must_not && strstr(html, cases[i].must_not))
			fail_msg("%s: %s has %s", cases[i].id, html, cases[i].must_not);
		free(html);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_markdown_table)};
	return cmocka_run_group_tests_name("markdown", tests, NULL, NULL);
}
