/*
 * test_chart.c — the SVG bar chart (src/site/chart.c): well-formed XML
 * (xmllint), escaped texts, bars proportional to values, the cap and
 * target where their values are, and right to left mirrored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "site/chart.h"

/* viewBox width and the bars' room, as chart.c lays them out */
#define W 520.0
#define SCALE_W 460.0

static char *draw(const struct chart *c)
{
	struct buf b;
	buf_init(&b);
	chart_bars(&b, c);
	return buf_steal(&b);
}

/* 1 if xmllint finds svg well-formed. */
static int well_formed(const char *svg)
{
	FILE *p = popen("xmllint --noout - 2>&1", "w");
	assert_non_null(p);
	fputs(svg, p);
	int st = pclose(p);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* The number in attribute name of the element that starts at el. */
static double attr(const char *el, const char *name)
{
	char key[32];
	snprintf(key, sizeof(key), " %s=\"", name);
	const char *end = strchr(el, '>');
	const char *a = strstr(el, key);
	if (!a || (end && a > end))
		fail_msg("no %s in %.60s", name, el);
	return strtod(a + strlen(key), NULL);
}

/* 1 if the start tag at el holds s. */
static int in_tag(const char *el, const char *s)
{
	const char *a = strstr(el, s);
	return a && a < strchr(el, '>');
}

/* The n-th (from 0) element starting with prefix, after the legend. */
static const char *nth(const char *svg, const char *prefix, int n)
{
	const char *p = strstr(svg, "<g class=\"row\">");
	assert_non_null(p);
	for (; (p = strstr(p, prefix)); p++)
		if (n-- == 0)
			return p;
	fail_msg("no element %d starting %s", n, prefix);
	return NULL;
}

static const struct chart_row sectors[] = {
	{.label = "NGO", .values = {10, 5, 2}, .has_cap = 1, .cap = 30},
	{.label = "Academia", .values = {20}, .has_target = 1, .target = 15},
	{.label = "<script>&\"x'</script>", .values = {40, 0, 0}},
	{.label = "\xD8\xA7\xD9\x84\xD8\xB5\xD9\x8A\xD9\x86", .values = {0}}, /* الصين */
};

static struct chart sector_chart(int rtl)
{
	return (struct chart){
		.title = "Approved by sector & <b>",
		.desc = "Stacked \"bars\"",
		.series = {"Approved", "Waitlisted", "<Pending>"},
		.nseries = 3,
		.cap_label = "Cap",
		.target_label = "Target",
		.rows = sectors,
		.nrows = HM_ARRAY_LEN(sectors),
		.rtl = rtl,
	};
}

static void test_chart_is_well_formed_and_accessible(void **state)
{
	(void)state;
	for (int rtl = 0; rtl < 2; rtl++) {
		struct chart c = sector_chart(rtl);
		char *svg = draw(&c);
		if (!well_formed(svg))
			fail_msg("rtl=%d: xmllint refuses %s", rtl, svg);
		assert_true(strncmp(svg, "<svg class=\"chart\"", 18) == 0);
		assert_non_null(strstr(svg, "role=\"img\""));
		assert_non_null(strstr(svg, "width=\"100%\""));
		assert_non_null(strstr(svg, "viewBox=\"0 0 520 "));
		assert_non_null(strstr(svg, "<title>Approved by sector &amp; &lt;b&gt;</title>"));
		assert_non_null(strstr(svg, "<desc>Stacked &quot;bars&quot;</desc>"));
		free(svg);
	}
	/* nothing to draw is still a chart */
	struct chart empty = {.title = "None", .nseries = 1};
	char *svg = draw(&empty);
	assert_true(well_formed(svg));
	free(svg);
}

static void test_chart_escapes_every_text(void **state)
{
	(void)state;
	struct chart c = sector_chart(0);
	char *svg = draw(&c);
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "<b>"));
	assert_null(strstr(svg, "<Pending>"));
	assert_non_null(strstr(svg, "&lt;script&gt;&amp;&quot;x&#39;&lt;/script&gt;"));
	assert_non_null(strstr(svg, "&lt;Pending&gt;"));
	free(svg);
}

/* Scale 0–40 (the largest total; NGO's cap is 30): 540 units / 40. */
static void test_chart_bars_are_proportional_and_stacked(void **state)
{
	(void)state;
	struct chart c = sector_chart(0);
	char *svg = draw(&c);
	double unit = SCALE_W / 40;
	/* NGO: 10 + 5 + 2 stacked from 0 */
	const char *a = nth(svg, "<rect class=\"bar s1\"", 0);
	const char *b = nth(svg, "<rect class=\"bar s2\"", 0);
	const char *p = nth(svg, "<rect class=\"bar s3\"", 0);
	assert_float_equal(attr(a, "x"), 0, 0.05);
	assert_float_equal(attr(a, "width"), 10 * unit, 0.05);
	assert_float_equal(attr(b, "x"), 10 * unit, 0.05);
	assert_float_equal(attr(b, "width"), 5 * unit, 0.05);
	assert_float_equal(attr(p, "x"), 15 * unit, 0.05);
	assert_float_equal(attr(p, "width"), 2 * unit, 0.05);
	/* Academia 20 and the third row's 40: twice as long, the whole scale */
	assert_float_equal(attr(nth(svg, "<rect class=\"bar s1\"", 1), "width"), 20 * unit, 0.05);
	assert_float_equal(attr(nth(svg, "<rect class=\"bar s1\"", 2), "width"), SCALE_W, 0.05);
	/* zero draws no bar: three s1 bars in all, no zero-width ones */
	assert_null(strstr(nth(svg, "<rect class=\"bar s1\"", 2) + 1, "<rect class=\"bar s1\""));
	assert_null(strstr(svg, "width=\"0.0\""));
	/* the total at the bar's end, segments titled */
	const char *v = nth(svg, "<text class=\"value\"", 0);
	assert_float_equal(attr(v, "x"), 17 * unit + 6, 0.05);
	assert_true(strncmp(strchr(v, '>'), ">17</text>", 10) == 0);
	assert_non_null(strstr(svg, "<title>Waitlisted: 5</title>"));
	free(svg);
}

static void test_chart_cap_and_target_markers(void **state)
{
	(void)state;
	struct chart c = sector_chart(0);
	char *svg = draw(&c);
	double unit = SCALE_W / 40;
	const char *cap = nth(svg, "<line class=\"cap\"", 0);
	assert_float_equal(attr(cap, "x1"), 30 * unit, 0.05);
	assert_float_equal(attr(cap, "x2"), 30 * unit, 0.05);
	assert_false(in_tag(cap, "stroke-dasharray"));
	assert_non_null(strstr(cap, "<title>Cap: 30</title>"));
	const char *t = nth(svg, "<line class=\"target\"", 0);
	assert_float_equal(attr(t, "x1"), 15 * unit, 0.05);
	assert_true(in_tag(t, "stroke-dasharray"));
	free(svg);

	/* a cap above every value sets the scale: it sits at the end */
	static const struct chart_row rows[] = {
		{.label = "Women", .values = {12}, .has_cap = 1, .cap = 48},
		{.label = "Men", .values = {24}},
	};
	struct chart c2 = {.title = "t", .series = {"Approved"}, .nseries = 1, .rows = rows, .nrows = 2};
	svg = draw(&c2);
	assert_float_equal(attr(nth(svg, "<line class=\"cap\"", 0), "x1"), SCALE_W, 0.05);
	assert_float_equal(attr(nth(svg, "<rect class=\"bar s1\"", 0), "width"), SCALE_W / 4, 0.05);
	assert_float_equal(attr(nth(svg, "<rect class=\"bar s1\"", 1), "width"), SCALE_W / 2, 0.05);
	assert_null(strstr(svg, "class=\"legend\"")); /* one series: no legend */
	free(svg);
}

/* Right to left: every x is W - x, boxes flipped whole, texts anchor at
 * their right end through direction="rtl". */
static void test_chart_rtl_mirrors(void **state)
{
	(void)state;
	struct chart c = sector_chart(0);
	char *ltr = draw(&c);
	c.rtl = 1;
	char *rtl = draw(&c);
	assert_non_null(strstr(ltr, "direction=\"ltr\""));
	assert_non_null(strstr(rtl, "direction=\"rtl\""));
	static const char *const rects[] = {"<rect class=\"bar s1\"", "<rect class=\"bar s2\"",
					    "<rect class=\"bar s3\""};
	for (size_t k = 0; k < HM_ARRAY_LEN(rects); k++) {
		const char *l = nth(ltr, rects[k], 0), *r = nth(rtl, rects[k], 0);
		double w = attr(l, "width");
		assert_float_equal(attr(r, "width"), w, 0.05);
		assert_float_equal(attr(r, "x"), W - attr(l, "x") - w, 0.05);
	}
	/* the first bar starts at the right edge */
	const char *r0 = nth(rtl, "<rect class=\"bar s1\"", 0);
	assert_float_equal(attr(r0, "x") + attr(r0, "width"), W, 0.05);
	assert_float_equal(attr(nth(rtl, "<text class=\"label\"", 0), "x"), W, 0.05);
	assert_float_equal(attr(nth(rtl, "<text class=\"value\"", 0), "x"),
			   W - attr(nth(ltr, "<text class=\"value\"", 0), "x"), 0.05);
	assert_float_equal(attr(nth(rtl, "<line class=\"cap\"", 0), "x1"),
			   W - attr(nth(ltr, "<line class=\"cap\"", 0), "x1"), 0.05);
	assert_float_equal(attr(nth(rtl, "<line class=\"target\"", 0), "x1"),
			   W - attr(nth(ltr, "<line class=\"target\"", 0), "x1"), 0.05);
	/* the legend runs from the right too */
	const char *key = strstr(rtl, "<g class=\"legend\"><rect");
	assert_non_null(key);
	assert_float_equal(attr(key + 18, "x") + 12, W, 0.05);
	free(ltr);
	free(rtl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chart_is_well_formed_and_accessible),
		cmocka_unit_test(test_chart_escapes_every_text),
		cmocka_unit_test(test_chart_bars_are_proportional_and_stacked),
		cmocka_unit_test(test_chart_cap_and_target_markers),
		cmocka_unit_test(test_chart_rtl_mirrors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
