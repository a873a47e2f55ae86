/*
 * test_programme.c — the programme's times (src/features/programme/):
 * an instant in UTC given in an event's zone as RFC 3339 with the offset
 * of that instant, across daylight-saving changes and in zones whose
 * offsets are not whole hours; and a session's wall-clock times read in
 * its zone (tz_local_to_utc) and given back the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "features/programme/programme.h"
#include "view/i18n.h"

struct zone_case {
	const char *id, *tz, *utc, *want; /* want NULL: refused */
};

static const struct zone_case zone_cases[] = {
	{"unknown-zone", "Mars/Olympus_Mons", "2012-11-29T01:30:00Z", NULL},
	{"custom-offset-refused", "GMT+8", "2012-11-29T01:30:00Z", NULL},
	{"shanghai", "Asia/Shanghai", "2012-11-29T01:30:00Z", "2012-11-29T09:30:00+08:00"},
	{"shanghai-next-day", "Asia/Shanghai", "2012-11-29T16:30:00Z", "2012-11-30T00:30:00+08:00"},
	{"utc-is-z", "UTC", "2012-11-29T01:30:00Z", "2012-11-29T01:30:00Z"},
	{"seconds-kept", "Asia/Shanghai", "2012-11-29T01:30:45Z", "2012-11-29T09:30:45+08:00"},
	{"half-hour-east", "Asia/Kolkata", "2012-11-29T01:30:00Z", "2012-11-29T07:00:00+05:30"},
	{"half-hour-west", "America/St_Johns", "2012-11-29T12:00:00Z", "2012-11-29T08:30:00-03:30"},
	{"west-day-before", "America/New_York", "2012-11-29T03:00:00Z", "2012-11-28T22:00:00-05:00"},
	/* Berlin, 30 March 2025: 02:00 CET becomes 03:00 CEST (01:00Z). */
	{"dst-before-spring", "Europe/Berlin", "2025-03-30T00:59:00Z", "2025-03-30T01:59:00+01:00"},
	{"dst-after-spring", "Europe/Berlin", "2025-03-30T01:00:00Z", "2025-03-30T03:00:00+02:00"},
	/* 26 October 2025: 03:00 CEST becomes 02:00 CET (01:00Z); 02:30
	 * happens twice, told apart by the offset. */
	{"dst-autumn-first", "Europe/Berlin", "2025-10-26T00:30:00Z", "2025-10-26T02:30:00+02:00"},
	{"dst-autumn-second", "Europe/Berlin", "2025-10-26T01:30:00Z", "2025-10-26T02:30:00+01:00"},
	{"dst-south", "Australia/Sydney", "2012-11-29T01:30:00Z", "2012-11-29T12:30:00+11:00"},
};

static void test_prog_time_in_zone_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(zone_cases) / sizeof(zone_cases[0]); i++) {
		const struct zone_case *c = &zone_cases[i];
		struct arena a;
		arena_init(&a);
		int64_t t = time_parse_rfc3339(c->utc);
		const char *got = prog_time_in_zone(&a, c->tz, t);
		if (!c->want) {
			if (got)
				fail_msg("%s: want NULL, got %s", c->id, got);
		} else {
			if (!got || strcmp(got, c->want) != 0)
				fail_msg("%s: want %s, got %s", c->id, c->want, got ? got : "NULL");
			/* The offset names the same instant. */
			if (time_parse_rfc3339(got) != t)
				fail_msg("%s: %s is not %s", c->id, got, c->utc);
		}
		arena_free(&a);
	}
}

/* A session entered 01:30–03:30 on the night Berlin springs forward
 * lasts one hour, and is given back as it was entered. */
static void test_prog_session_across_the_spring_change(void **state)
{
	(void)state;
	struct arena a;
	int64_t start, end;
	arena_init(&a);
	assert_int_equal(tz_local_to_utc("2025-03-30T01:30", "Europe/Berlin", &start), HM_OK);
	assert_int_equal(tz_local_to_utc("2025-03-30T03:30", "Europe/Berlin", &end), HM_OK);
	assert_int_equal(end - start, 3600);
	assert_string_equal(prog_time_in_zone(&a, "Europe/Berlin", start), "2025-03-30T01:30:00+01:00");
	assert_string_equal(prog_time_in_zone(&a, "Europe/Berlin", end), "2025-03-30T03:30:00+02:00");
	assert_string_equal(time_format_rfc3339(&a, start), "2025-03-30T00:30:00Z");
	assert_string_equal(time_format_rfc3339(&a, end), "2025-03-30T01:30:00Z");
	arena_free(&a);
}

/* The VTIMEZONE of a calendar: Berlin's two changes of 2025 as they
 * happen, on the wall clock before each; Shanghai's one observance
 * since 1991; nothing for an unknown zone. */
static void test_tz_vtimezone(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	assert_int_equal(tz_vtimezone(&b, "Europe/Berlin", time_parse_rfc3339("2025-03-01T00:00:00Z"),
				      time_parse_rfc3339("2025-11-30T00:00:00Z")),
			 1);
	buf_putc(&b, '\0');
	assert_non_null(strstr(b.data, "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"));
	assert_non_null(strstr(b.data, "BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\n"
				       "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n"));
	assert_non_null(strstr(b.data, "BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\n"
				       "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"));
	/* the observance in force on 1 March: standard time since October 2024 */
	assert_non_null(strstr(b.data, "DTSTART:20241027T030000\r\n"));
	buf_free(&b);
	buf_init(&b);
	assert_int_equal(tz_vtimezone(&b, "Asia/Shanghai", time_parse_rfc3339("2012-11-29T00:00:00Z"),
				      time_parse_rfc3339("2012-12-01T00:00:00Z")),
			 1);
	buf_putc(&b, '\0');
	assert_non_null(strstr(b.data, "TZID:Asia/Shanghai\r\n"));
	assert_non_null(strstr(b.data, "TZOFFSETTO:+0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"));
	assert_null(strstr(b.data, "BEGIN:DAYLIGHT"));
	buf_free(&b);
	buf_init(&b);
	assert_int_equal(tz_vtimezone(&b, "Mars/Olympus_Mons", 0, 86400), 0);
	assert_int_equal((int)b.len, 0);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prog_time_in_zone_table),
		cmocka_unit_test(test_prog_session_across_the_spring_change),
		cmocka_unit_test(test_tz_vtimezone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
