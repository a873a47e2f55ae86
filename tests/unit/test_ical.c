/*
 * test_ical.c — iCalendar content lines: folding at 75 octets without
 * cutting a character, CRLF, TEXT escaping, all-day dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/ical.h"

/* Every physical line ends with CRLF, is at most 75 octets, and holds
 * whole UTF-8 characters; unfolded, the lines give want. */
static void check_lines(const struct buf *b, const char *want)
{
	struct buf unfolded;
	buf_init(&unfolded);
	const char *p = b->data, *end = b->data + b->len;
	while (p < end) {
		const char *crlf = strstr(p, "\r\n");
		assert_non_null(crlf);
		size_t n = (size_t)(crlf - p);
		assert_true(n <= 75);
		assert_null(memchr(p, '\n', n));
		if (n)
			assert_true(((unsigned char)p[p == b->data ? 0 : 1] & 0xC0) != 0x80);
		if (p == b->data)
			buf_append(&unfolded, p, n);
		else if (*p == ' ')
			buf_append(&unfolded, p + 1, n - 1);
		else
			buf_append(&unfolded, p, n);
		p = crlf + 2;
	}
	buf_putc(&unfolded, '\0');
	assert_string_equal(unfolded.data, want);
	buf_free(&unfolded);
}

static void test_ical_text_escapes(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	ical_text(&b, "SUMMARY", "Dialogue; trust, and \\ back\nslash\r\tend");
	assert_string_equal(b.data, "SUMMARY:Dialogue\\; trust\\, and \\\\ back\\nslash" "end\r\n");
	buf_reset(&b);
	ical_text(&b, "SUMMARY", "");
	ical_text(&b, "SUMMARY", NULL);
	ical_prop(&b, "URL", NULL);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void test_ical_folds_at_75_octets(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	char ascii[301];
	memset(ascii, 'a', 300);
	ascii[300] = '\0';
	ical_text(&b, "DESCRIPTION", ascii);
	char want[400];
	snprintf(want, sizeof(want), "DESCRIPTION:%s", ascii);
	check_lines(&b, want);
	/* Chinese (3 octets) and Arabic (2 octets) text: a cut never falls
	 * inside a character. */
	for (int shift = 0; shift < 3; shift++) {
		buf_reset(&b);
		struct buf t;
		buf_init(&t);
		for (int i = 0; i < shift; i++)
			buf_putc(&t, 'x');
		for (int i = 0; i < 60; i++)
			buf_puts(&t, i % 2 ? "上海" : "حوار");
		buf_putc(&t, '\0');
		ical_text(&b, "SUMMARY", t.data);
		char *w = malloc(t.len + 16);
		snprintf(w, t.len + 16, "SUMMARY:%s", t.data);
		check_lines(&b, w);
		free(w);
		buf_free(&t);
	}
	buf_free(&b);
}

static void test_ical_dates(void **state)
{
	(void)state;
	char d[9], u[17];
	assert_true(ical_date("2012-11-29", 0, d));
	assert_string_equal(d, "20121129");
	assert_true(ical_date("2012-11-30", 1, d));
	assert_string_equal(d, "20121201");
	assert_true(ical_date("2012-12-31", 1, d));
	assert_string_equal(d, "20130101");
	assert_true(ical_date("2012-02-28", 1, d));
	assert_string_equal(d, "20120229");
	assert_false(ical_date("2012-13-01", 0, d));
	assert_false(ical_date("20121129", 0, d));
	assert_false(ical_date(NULL, 0, d));
	assert_true(ical_utc("2012-11-29T08:30:00Z", u));
	assert_string_equal(u, "20121129T083000Z");
	assert_false(ical_utc("2012-11-29 08:30:00", u));
	assert_false(ical_utc("2012-11-29T08:30:00+01:00", u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ical_text_escapes),
		cmocka_unit_test(test_ical_folds_at_75_octets),
		cmocka_unit_test(test_ical_dates),
	};
	return cmocka_run_group_tests_name("ical", tests, NULL, NULL);
}
