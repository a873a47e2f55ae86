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
#include "features/programme/prog_internal.h"
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


/* ----------------------------------------------------------- conflicts */

/* A session as prog_sessions gives it: times with their offset. */
static json_t *sess(int id, const char *start, const char *end, const char *room, int room_cap)
{
	json_t *s = json_pack("{s:i, s:s, s:s, s:s, s:s, s:[], s:b, s:[], s:n}", "id", id, "title",
			      "A session", "starts_at", start, "ends_at", end, "visibility", "public",
			      "people", "interpretation", 0, "interpretation_languages", "capacity");
	json_object_set_new(s, "room", room ? json_string(room) : json_null());
	json_object_set_new(s, "room_capacity", room_cap ? json_integer(room_cap) : json_null());
	return s;
}

static void add_person(json_t *s, int id, const char *role)
{
	json_array_append_new(json_object_get(s, "people"),
			      json_pack("{s:i, s:s, s:s}", "id", id, "name", "Zhang Min", "role", role));
}

/* The types of the conflicts naming session id, sorted, comma-joined. */
static const char *types_of(const json_t *c, int id, char *out, size_t n)
{
	json_t *mine = prog_conflicts_for(c, id);
	const char *t[16];
	size_t k = 0, i;
	json_t *x;
	json_array_foreach(mine, i, x) if (k < 16) t[k++] = json_string_value(json_object_get(x, "type"));
	for (size_t a = 0; a < k; a++)
		for (size_t b = a + 1; b < k; b++)
			if (strcmp(t[b], t[a]) < 0) {
				const char *z = t[a];
				t[a] = t[b];
				t[b] = z;
			}
	out[0] = '\0';
	for (size_t a = 0; a < k; a++)
		snprintf(out + strlen(out), n - strlen(out), "%s%s", a ? "," : "", t[a]);
	json_decref(mine);
	return out;
}

static void test_conflict_rules(void **state)
{
	(void)state;
	char b[128];
	json_t *ev = json_pack("{s:s, s:s, s:s}", "timezone", "Asia/Shanghai", "starts_on",
			       "2012-11-29", "ends_on", "2012-11-30");
	json_t *all = json_array();
	json_t *a = sess(1, "2012-11-29T09:00:00+08:00", "2012-11-29T10:00:00+08:00", "Hall", 30);
	json_t *c2 = sess(2, "2012-11-29T09:30:00+08:00", "2012-11-29T10:30:00+08:00", "Hall", 30);
	json_t *c3 = sess(3, "2012-11-29T10:00:00+08:00", "2012-11-29T11:00:00+08:00", "Hall", 30);
	json_t *c4 = sess(4, "2012-11-29T09:00:00+08:00", "2012-11-29T10:00:00+08:00", NULL, 0);
	json_t *c5 = sess(5, "2012-11-29T09:00:00+08:00", "2012-11-29T10:00:00+08:00", NULL, 0);
	add_person(a, 7, "speaker");
	add_person(c4, 7, "moderator");
	add_person(c4, 7, "speaker");
	json_array_append_new(all, a);
	json_array_append_new(all, c2);
	json_array_append_new(all, c3);
	json_array_append_new(all, c4);
	json_array_append_new(all, c5);
	json_t *signups = json_pack("{s:i}", "3", 31);
	json_t *c = prog_conflicts_of(ev, all, signups);
	/* 1 and 2 share the hall; 2 and 3 overlap; 1 and 3 are back to back */
	assert_string_equal(types_of(c, 1, b, sizeof(b)), "person,room");
	assert_string_equal(types_of(c, 2, b, sizeof(b)), "room,room");
	/* 3: the hall's 30 places, 31 signed up */
	assert_string_equal(types_of(c, 3, b, sizeof(b)), "capacity,room");
	/* 4: the same person, in two roles, counted once; two sessions with
	 * no room do not clash over a room */
	assert_string_equal(types_of(c, 4, b, sizeof(b)), "person");
	assert_string_equal(types_of(c, 5, b, sizeof(b)), "");
	json_decref(c);
	json_decref(all);
	json_decref(signups);

	/* past midnight; ending at midnight is within the day; outside the
	 * dates; more places than the room; interpretation into nothing */
	all = json_array();
	json_array_append_new(all, sess(1, "2012-11-29T23:00:00+08:00", "2012-11-30T00:30:00+08:00", NULL, 0));
	json_array_append_new(all, sess(2, "2012-11-29T23:00:00+08:00", "2012-11-30T00:00:00+08:00", NULL, 0));
	json_array_append_new(all, sess(3, "2012-12-01T09:00:00+08:00", "2012-12-01T10:00:00+08:00", NULL, 0));
	json_t *big = sess(4, "2012-11-29T08:00:00+08:00", "2012-11-29T08:30:00+08:00", "Room", 20);
	json_object_set_new(big, "capacity", json_integer(25));
	json_array_append_new(all, big);
	json_t *fits = sess(5, "2012-11-30T08:00:00+08:00", "2012-11-30T08:30:00+08:00", "Room", 20);
	json_object_set_new(fits, "capacity", json_integer(20));
	json_array_append_new(all, fits);
	json_t *interp = sess(6, "2012-11-30T12:00:00+08:00", "2012-11-30T13:00:00+08:00", NULL, 0);
	json_object_set_new(interp, "interpretation", json_true());
	json_array_append_new(all, interp);
	signups = json_object();
	c = prog_conflicts_of(ev, all, signups);
	assert_string_equal(types_of(c, 1, b, sizeof(b)), "day");
	assert_string_equal(types_of(c, 2, b, sizeof(b)), "");
	assert_string_equal(types_of(c, 3, b, sizeof(b)), "dates");
	assert_string_equal(types_of(c, 4, b, sizeof(b)), "capacity");
	assert_string_equal(types_of(c, 5, b, sizeof(b)), "");
	assert_string_equal(types_of(c, 6, b, sizeof(b)), "interpretation");
	json_array_append_new(json_object_get(interp, "interpretation_languages"), json_string("zh"));
	json_decref(c);
	c = prog_conflicts_of(ev, all, signups);
	assert_string_equal(types_of(c, 6, b, sizeof(b)), "");
	json_decref(c);
	json_decref(all);
	json_decref(signups);
	json_decref(ev);
}

/* Vienna falls back on 28 October 2012 (03:00 CEST → 02:00 CET): a
 * session from 01:30 to 03:30 local is one day and three hours long, and
 * it clashes with a session at 02:30 CET, the second 02:30 of the night. */
static void test_conflicts_across_the_autumn_change(void **state)
{
	(void)state;
	char b[64];
	json_t *ev = json_pack("{s:s, s:s, s:s}", "timezone", "Europe/Vienna", "starts_on",
			       "2012-10-27", "ends_on", "2012-10-28");
	json_t *all = json_array();
	json_array_append_new(all, sess(1, "2012-10-28T01:30:00+02:00", "2012-10-28T03:30:00+01:00", "Saal", 0));
	json_array_append_new(all, sess(2, "2012-10-28T02:30:00+01:00", "2012-10-28T02:45:00+01:00", "Saal", 0));
	json_array_append_new(all, sess(3, "2012-10-28T03:30:00+01:00", "2012-10-28T04:00:00+01:00", "Saal", 0));
	json_t *signups = json_object();
	json_t *c = prog_conflicts_of(ev, all, signups);
	assert_string_equal(types_of(c, 1, b, sizeof(b)), "room");
	assert_string_equal(types_of(c, 2, b, sizeof(b)), "room");
	assert_string_equal(types_of(c, 3, b, sizeof(b)), "");
	assert_int_equal(time_parse_rfc3339("2012-10-28T03:30:00+01:00") -
				 time_parse_rfc3339("2012-10-28T01:30:00+02:00"),
			 3 * 3600);
	json_decref(c);
	json_decref(all);
	json_decref(signups);
	json_decref(ev);
}

/* --------------------------------------------------------------- changes */

static void test_changes_between_releases(void **state)
{
	(void)state;
	json_t *prev = json_array(), *live = json_array();
	json_array_append_new(prev, sess(1, "2012-11-29T09:00:00+08:00", "2012-11-29T10:00:00+08:00", "Hall", 0));
	json_array_append_new(prev, sess(2, "2012-11-29T11:00:00+08:00", "2012-11-29T12:00:00+08:00", "Hall", 0));
	json_array_append_new(prev, sess(3, "2012-11-29T13:00:00+08:00", "2012-11-29T14:00:00+08:00", "Hall", 0));
	json_array_append_new(prev, sess(4, "2012-11-29T15:00:00+08:00", "2012-11-29T16:00:00+08:00", "Hall", 0));
	/* 1 moved to another room; 2 given a speaker; 3 unchanged; 4 gone; 5 new */
	json_array_append_new(live, sess(1, "2012-11-29T09:00:00+08:00", "2012-11-29T10:00:00+08:00", "Room B", 0));
	json_t *two = sess(2, "2012-11-29T11:00:00+08:00", "2012-11-29T12:00:00+08:00", "Hall", 0);
	add_person(two, 9, "speaker");
	json_array_append_new(live, two);
	json_array_append_new(live, sess(3, "2012-11-29T13:00:00+08:00", "2012-11-29T14:00:00+08:00", "Hall", 0));
	json_array_append_new(live, sess(5, "2012-11-29T17:00:00+08:00", "2012-11-29T18:00:00+08:00", "Hall", 0));
	json_t *c = prog_changes(prev, live);
	assert_int_equal((int)json_array_size(c), 4);
	const char *want[][2] = {{"1", "moved"}, {"2", "updated"}, {"5", "added"}, {"4", "cancelled"}};
	for (size_t i = 0; i < 4; i++) {
		json_t *e = json_array_get(c, i);
		char id[8];
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(e, "session")));
		assert_string_equal(id, want[i][0]);
		assert_string_equal(json_string_value(json_object_get(e, "change")), want[i][1]);
	}
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(c, 0), "was"), "room")), "Hall");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(c, 1), "fields"), 0)), "people");
	json_decref(c);
	/* the same instant with another offset is no change */
	json_t *same = json_array();
	json_array_append_new(same, sess(3, "2012-11-29T05:00:00Z", "2012-11-29T06:00:00Z", "Hall", 0));
	json_t *three = json_array();
	json_array_append(three, json_array_get(prev, 2));
	c = prog_changes(three, same);
	assert_int_equal((int)json_array_size(c), 1); /* as text they differ: a release compares what it shows */
	json_decref(c);
	json_decref(same);
	json_decref(three);
	json_decref(prev);
	json_decref(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prog_time_in_zone_table),
		cmocka_unit_test(test_prog_session_across_the_spring_change),
		cmocka_unit_test(test_tz_vtimezone),
		cmocka_unit_test(test_conflict_rules),
		cmocka_unit_test(test_conflicts_across_the_autumn_change),
		cmocka_unit_test(test_changes_between_releases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
