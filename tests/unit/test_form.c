/*
 * test_form.c — the declared-field validators every admin form and API call
 * goes through: one row per kind of value, bad values first, each naming
 * the field that must be flagged (or none).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "site/form.h"

static const char *const kinds[] = {"consultation", "symposium", NULL};

static const struct field fields[] = {
	{.name = "title", .kind = FIELD_TEXT, .required = 1, .max_len = 20},
	{.name = "body", .kind = FIELD_MULTILINE, .max_len = 40},
	{.name = "email", .kind = FIELD_EMAIL},
	{.name = "slug", .kind = FIELD_SLUG},
	{.name = "day", .kind = FIELD_DATE},
	{.name = "at", .kind = FIELD_DATETIME},
	{.name = "capacity", .kind = FIELD_INT, .min = 0, .max = 100000},
	{.name = "url", .kind = FIELD_URL},
	{.name = "kind", .kind = FIELD_CHOICE, .choices = kinds},
	{.name = "tz", .kind = FIELD_TIMEZONE},
	{.name = "country", .kind = FIELD_COUNTRY},
	{.name = "featured", .kind = FIELD_BOOL},
	{.name = "password", .kind = FIELD_PASSWORD},
};

static const struct {
	const char *id, *body, *bad; /* bad: the one field flagged, NULL: valid */
} rows[] = {
	/* negative rows first */
	{"F01 required missing", "body=x", "title"},
	{"F02 required only spaces", "title=%20%20", "title"},
	{"F03 too long", "title=aaaaaaaaaaaaaaaaaaaaa", "title"},
	{"F04 line break in one-line text", "title=a%0Ab", "title"},
	{"F05 control char in multiline", "title=t&body=a%01b", "body"},
	{"F06 email without at", "title=t&email=basj.un.org", "email"},
	{"F07 email with space", "title=t&email=ba%20sj@un.org", "email"},
	{"F08 slug upper case", "title=t&slug=Shanghai", "slug"},
	{"F09 slug double hyphen", "title=t&slug=a--b", "slug"},
	{"F10 date 30 February", "title=t&day=2012-02-30", "day"},
	{"F11 date 29 February off leap year", "title=t&day=2013-02-29", "day"},
	{"F12 date format", "title=t&day=29/11/2012", "day"},
	{"F13 datetime hour 24", "title=t&at=2012-11-29T24:00", "at"},
	{"F14 int not a number", "title=t&capacity=150x", "capacity"},
	{"F15 int out of range", "title=t&capacity=-1", "capacity"},
	{"F22 date with a line break", "title=t&day=1999-%0A1-01", "day"},
	{"F23 date with signs and spaces", "title=t&day=1999-%2B1-+1", "day"},
	{"F24 datetime with a line break and a sign", "title=t&at=2024-01-01T%0A1:%2B5", "at"},
	{"F25 int with a line break and a plus", "title=t&capacity=%0A%0B%2B5", "capacity"},
	{"F26 int with a plus", "title=t&capacity=%2B5", "capacity"},
	{"F27 int of 19 digits", "title=t&capacity=1000000000000000000", "capacity"},
	{"F16 url javascript", "title=t&url=javascript:alert(1)", "url"},
	{"F17 url with quote", "title=t&url=https://x.org/%22onmouseover", "url"},
	{"F18 choice unknown", "title=t&kind=party", "kind"},
	{"F19 unknown time zone", "title=t&tz=Mars/Olympus", "tz"},
	{"F20 country lower case", "title=t&country=cn", "country"},
	{"F21 country unknown", "title=t&country=QQ", "country"},
	/* positive rows */
	{"F40 minimal", "title=Shanghai", NULL},
	{"F41 everything", "title=Shanghai&body=line%0Aline&email=BASJ@un.org&slug=asia-2012"
			   "&day=2012-11-29&at=2012-11-29T09:30&capacity=150&url=https://www.unaoc.org/"
			   "&kind=consultation&tz=Asia/Shanghai&country=CN&featured=on&password=x",
	 NULL},
	{"F42 leap day", "title=t&day=2012-02-29", NULL},
	{"F43 unicode title", "title=%E5%92%8C%E8%B0%90", NULL},
	{"F44 undeclared fields dropped", "title=t&is_admin=1&role=admin", NULL},
	{"F45 empty optional is absent", "title=t&email=&capacity=", NULL},
};

static void read_form(const char *body, struct arena *a, struct form *f, enum hm_err *e)
{
	struct http_req req;
	memset(&req, 0, sizeof(req));
	req.pool = *a;
	req.body = body;
	req.body_len = strlen(body);
	req.content_type = "application/x-www-form-urlencoded";
	req.lang = "en";
	*e = form_read(&req, fields, sizeof(fields) / sizeof(fields[0]), f);
	*a = req.pool;
}

static void test_form_validators_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct arena a;
		struct form f;
		enum hm_err e;
		arena_init(&a);
		read_form(rows[i].body, &a, &f, &e);
		if (rows[i].bad) {
			if (e != HM_EINVAL || f.nerrors != 1)
				fail_msg("%s: want one error on %s, got %d", rows[i].id, rows[i].bad,
					 f.nerrors);
			for (size_t k = 0; k < f.n; k++)
				if ((f.errors[k] != NULL) != (strcmp(fields[k].name, rows[i].bad) == 0))
					fail_msg("%s: field %s flagged wrongly", rows[i].id, fields[k].name);
		} else if (e != HM_OK || f.nerrors) {
			for (size_t k = 0; k < f.n; k++)
				if (f.errors[k])
					fail_msg("%s: %s: %s", rows[i].id, fields[k].name, f.errors[k]);
			fail_msg("%s: rejected", rows[i].id);
		}
		arena_free(&a);
	}
}

static void test_form_values_trimmed_and_typed(void **state)
{
	(void)state;
	struct arena a;
	struct form f;
	enum hm_err e;
	arena_init(&a);
	read_form("title=%20Shanghai%20&featured=off&email=", &a, &f, &e);
	assert_int_equal(e, HM_OK);
	assert_string_equal(form_get(&f, "title"), "Shanghai");
	assert_false(form_bool(&f, "featured"));
	assert_null(form_get(&f, "email"));
	assert_int_equal(form_int(&f, "capacity", 7), 7);
	/* The other way: a box ticked and a number given are read as such
	 * (a form_bool that said "no" to all, or a form_int that always gave
	 * the default, passed the lines above). */
	read_form("title=t&featured=on&capacity=%20150%20", &a, &f, &e);
	assert_int_equal(e, HM_OK);
	assert_true(form_bool(&f, "featured"));
	assert_int_equal(form_int(&f, "capacity", 7), 150);
	read_form("title=t&featured=1", &a, &f, &e);
	assert_true(form_bool(&f, "featured"));
	for (const char *const *no = (const char *const[]){"featured=0", "featured=false", "", NULL}; *no; no++) {
		char *body = arena_printf(&a, "title=t&%s", *no);
		read_form(body, &a, &f, &e);
		assert_int_equal(e, HM_OK);
		if (form_bool(&f, "featured"))
			fail_msg("%s read as ticked", body);
	}
	arena_free(&a);
}

/* Fields the form does not declare reach neither the values the handler
 * reads nor the values a refused form shows again. */
static void test_form_undeclared_fields_dropped(void **state)
{
	(void)state;
	struct arena a;
	struct form f, plain;
	enum hm_err e, e_plain;
	size_t nfields = sizeof(fields) / sizeof(fields[0]);
	arena_init(&a);
	read_form("is_admin=1&title=t&role=admin&kind=admin&password_hash=x", &a, &f, &e);
	read_form("title=t&kind=admin", &a, &plain, &e_plain);
	assert_int_equal(e, HM_EINVAL); /* kind=admin is not one of the choices */
	assert_int_equal(e_plain, e);
	assert_int_equal(f.n, nfields);
	assert_int_equal(f.nerrors, 1);
	/* the same values as the form sent without the undeclared fields */
	for (size_t k = 0; k < f.n; k++) {
		assert_string_equal(f.fields[k].name, fields[k].name);
		if (!plain.values[k])
			assert_null(f.values[k]);
		else
			assert_string_equal(f.values[k], plain.values[k]);
	}
	assert_string_equal(form_get(&f, "title"), "t");
	json_t *j = form_json(&f);
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(j, "values"), key, v) {
		int declared = 0;
		for (size_t k = 0; k < nfields; k++)
			declared |= strcmp(fields[k].name, key) == 0;
		if (!declared)
			fail_msg("undeclared field %s shown again", key);
	}
	json_decref(j);
	arena_free(&a);
}

static void test_form_json_never_echoes_passwords(void **state)
{
	(void)state;
	struct arena a;
	struct form f;
	enum hm_err e;
	arena_init(&a);
	read_form("title=&password=s3cret-value", &a, &f, &e);
	assert_int_equal(e, HM_EINVAL);
	json_t *j = form_json(&f);
	char *s = json_dumps(j, 0);
	assert_null(strstr(s, "s3cret-value"));
	assert_non_null(json_object_get(json_object_get(j, "errors"), "title"));
	assert_true(json_is_true(json_object_get(j, "has_errors")));
	free(s);
	json_decref(j);
	arena_free(&a);
}

static void test_form_unreadable_body_is_an_error(void **state)
{
	(void)state;
	struct arena a;
	struct form f;
	enum hm_err e;
	arena_init(&a);
	read_form("title=%zz", &a, &f, &e);
	assert_int_equal(e, HM_EINVAL);
	assert_non_null(f.error);
	arena_free(&a);
}

/* A file field takes a file part only: text under its name, from any
 * kind of body, leaves it empty. */
static void test_form_file_field_takes_files_only(void **state)
{
	(void)state;
	static const struct field ff[] = {
		{.name = "title", .kind = FIELD_TEXT},
		{.name = "photo", .kind = FIELD_FILE},
	};
	static const struct {
		const char *type, *body;
		int has_file;
	} cases[] = {
		{"application/x-www-form-urlencoded", "title=t&photo=%2Fetc%2Fpasswd", 0},
		{"application/json", "{\"title\": \"t\", \"photo\": \"/etc/passwd\"}", 0},
		{"multipart/form-data; boundary=B",
		 "--B\r\nContent-Disposition: form-data; name=\"photo\"\r\n\r\n/etc/passwd\r\n--B--\r\n", 0},
		{"multipart/form-data; boundary=B",
		 "--B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n"
		 "Content-Type: image/png\r\n\r\nPNGDATA\r\n--B--\r\n", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_req req;
		struct form f;
		memset(&req, 0, sizeof(req));
		arena_init(&req.pool);
		req.body = cases[i].body;
		req.body_len = strlen(cases[i].body);
		req.content_type = cases[i].type;
		req.lang = "en";
		assert_int_equal(form_read(&req, ff, 2, &f), HM_OK);
		if (cases[i].has_file) {
			assert_string_equal(form_get(&f, "photo"), "a.png");
			assert_int_equal(f.files[1].len, 7);
			assert_memory_equal(f.files[1].data, "PNGDATA", 7);
		} else if (form_get(&f, "photo") || f.files[1].data) {
			fail_msg("case %zu: text became the file field's value", i);
		}
		arena_free(&req.pool);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_validators_table),
		cmocka_unit_test(test_form_values_trimmed_and_typed),
		cmocka_unit_test(test_form_undeclared_fields_dropped),
		cmocka_unit_test(test_form_json_never_echoes_passwords),
		cmocka_unit_test(test_form_unreadable_body_is_an_error),
		cmocka_unit_test(test_form_file_field_takes_files_only),
	};
	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
