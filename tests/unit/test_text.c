/*
 * test_text.c — UTF-8 validation, slugs and summaries (src/core/text.c).
 * Tables list the rejected inputs first; each row has an id that failure
 * messages name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* ---------------------------------------------------------------- UTF-8 */

struct utf8_case {
	const char *id;
	const char *s;
	size_t len;
	int valid;
};

#define U8(id, s, valid) {id, s, sizeof(s) - 1, valid}

static const struct utf8_case utf8_cases[] = {
	U8("lone-continuation", "\x80", 0),
	U8("ff-byte", "\xFF", 0),
	U8("fe-byte", "a\xFE", 0),
	U8("overlong-slash-2", "\xC0\xAF", 0),
	U8("overlong-c1", "\xC1\xBF", 0),
	U8("overlong-slash-3", "\xE0\x80\xAF", 0),
	U8("overlong-3-max", "\xE0\x9F\xBF", 0),
	U8("overlong-slash-4", "\xF0\x80\x80\xAF", 0),
	U8("overlong-4-max", "\xF0\x8F\xBF\xBF", 0),
	U8("surrogate-high", "\xED\xA0\x80", 0),
	U8("surrogate-low", "\xED\xBF\xBF", 0),
	U8("surrogate-pair-cesu", "\xED\xA0\xBD\xED\xB8\x80", 0),
	U8("above-10ffff", "\xF4\x90\x80\x80", 0),
	U8("f5-lead", "\xF5\x80\x80\x80", 0),
	U8("truncated-2", "\xC3", 0),
	U8("truncated-3", "\xE4\xB8", 0),
	U8("truncated-4", "\xF0\x9F\x98", 0),
	U8("truncated-then-ascii", "\xE4\xB8" "a", 0),
	U8("bad-continuation", "\xC3\x28", 0),
	U8("five-byte-form", "\xF8\x88\x80\x80\x80", 0),
	U8("empty", "", 1),
	U8("ascii", "Shanghai 2012", 1),
	U8("latin1-range", "Caf\xC3\xA9", 1),
	U8("chinese", "\xE4\xB8\x8A\xE6\xB5\xB7", 1),
	U8("emoji", "\xF0\x9F\x98\x80", 1),
	U8("last-before-surrogates", "\xED\x9F\xBF", 1),
	U8("first-after-surrogates", "\xEE\x80\x80", 1),
	U8("max-bmp", "\xEF\xBF\xBF", 1),
	U8("max-code-point", "\xF4\x8F\xBF\xBF", 1),
	U8("embedded-nul", "a\0b", 1),
};

static void test_utf8_valid_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(utf8_cases); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		if (utf8_valid(c->s, c->len) != c->valid)
			fail_msg("row %s: expected %s", c->id, c->valid ? "valid" : "invalid");
	}
}

static void test_utf8_chars_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(utf8_chars(""), 0);
	assert_int_equal(utf8_chars("abc"), 3);
	assert_int_equal(utf8_chars("\xE4\xB8\x8A\xE6\xB5\xB7"), 2);
	assert_int_equal(utf8_chars("Caf\xC3\xA9"), 4);
	assert_int_equal(utf8_chars("\xF0\x9F\x98\x80!"), 2);
	/* each bad byte counts as one character */
	assert_int_equal(utf8_chars("\xFF\xE4\xB8"), 3);
}

/* ----------------------------------------------------------------- slugs */

struct slug_case {
	const char *id;
	const char *in;
	const char *want;
};

/* The transliterations come from ICU's Han-Latin (pinyin), Arabic-Latin,
 * Cyrillic-Latin and Devanagari-Latin rules, stable across ICU versions
 * for these common words. */
static const struct slug_case slug_cases[] = {
	{"null", NULL, "item"},
	{"empty", "", "item"},
	{"punctuation-only", "!!! ??? ...", "item"},
	{"spaces-only", "   \t ", "item"},
	{"emoji-only", "\xF0\x9F\x98\x80\xF0\x9F\x8E\x89", "item"},
	{"invalid-utf8-is-separator", "\xFF" "abc\xC3(def", "abc-def"},
	{"hyphens-trimmed", "  --Hello--  ", "hello"},
	{"runs-collapse", "a -- b __ c", "a-b-c"},
	{"accents", "Caf\xC3\xA9 \xC3\x9C" "ber", "cafe-uber"},
	{"sharp-s-ligature", "Stra\xC3\x9F" "e \xC3\x86on \xC3\xB8re", "strasse-aeon-ore"},
	{"apostrophes-join", "Don\xE2\x80\x99t stop, won't stop", "dont-stop-wont-stop"},
	{"digits-kept", "Shanghai 2012: Dialogue", "shanghai-2012-dialogue"},
	{"chinese", "\xE4\xB8\x8A\xE6\xB5\xB7 2012", "shang-hai-2012"},
	{"arabic", "\xD8\xA7\xD9\x84\xD8\xAD\xD9\x88\xD8\xA7\xD8\xB1", "alhwar"},
	{"cyrillic", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xD0\xBC\xD0\xB8\xD1\x80!",
	 "privet-mir"},
	{"devanagari", "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87",
	 "namaste"},
};

static void test_slugify_table(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < HM_ARRAY_LEN(slug_cases); i++) {
		const struct slug_case *c = &slug_cases[i];
		const char *got = slugify(&a, c->in);
		if (strcmp(got, c->want) != 0)
			fail_msg("row %s: got \"%s\", want \"%s\"", c->id, got, c->want);
		if (!slug_valid(got))
			fail_msg("row %s: \"%s\" is not a valid slug", c->id, got);
	}
	arena_free(&a);
}

static void test_slugify_long_title_cuts_at_word(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* 12 words of 9 letters: 119 characters with hyphens */
	const char *title = "consulted consulted consulted consulted consulted consulted "
			    "consulted consulted consulted consulted consulted consulted";
	const char *got = slugify(&a, title);
	assert_true(slug_valid(got));
	assert_true(strlen(got) <= SLUG_MAX);
	/* 8 whole words are 79 characters; the ninth would not fit */
	assert_int_equal(strlen(got), 79);
	assert_true(str_ends_with(got, "-consulted"));
	arena_free(&a);
}

static void test_slugify_long_word_is_cut_hard(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	char word[201];
	memset(word, 'x', 200);
	word[200] = '\0';
	const char *got = slugify(&a, word);
	assert_int_equal(strlen(got), SLUG_MAX);
	assert_true(slug_valid(got));
	arena_free(&a);
}

static void test_slugify_huge_input_is_bounded(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* 1 MB of Han characters: only the start is transliterated */
	size_t n = 1 << 20;
	char *big = xmalloc(n + 1);
	for (size_t i = 0; i + 3 <= n; i += 3)
		memcpy(big + i, "\xE4\xB8\x8A", 3);
	big[n - n % 3] = '\0';
	const char *got = slugify(&a, big);
	assert_true(slug_valid(got));
	assert_true(str_starts_with(got, "shang-shang-"));
	free(big);
	arena_free(&a);
}

struct slug_valid_case {
	const char *id;
	const char *s;
	int valid;
};

static const struct slug_valid_case slug_valid_cases[] = {
	{"null", NULL, 0},
	{"empty", "", 0},
	{"leading-hyphen", "-shanghai", 0},
	{"trailing-hyphen", "shanghai-", 0},
	{"double-hyphen", "shang--hai", 0},
	{"only-hyphen", "-", 0},
	{"uppercase", "Shanghai", 0},
	{"space", "shang hai", 0},
	{"underscore", "shang_hai", 0},
	{"slash", "shang/hai", 0},
	{"dot", "shanghai.2012", 0},
	{"accent", "caf\xC3\xA9", 0},
	{"too-long-81",
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0},
	{"one-letter", "a", 1},
	{"digits", "2012", 1},
	{"hyphenated", "shanghai-2012-dialogue", 1},
	{"max-80",
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1},
};

static void test_slug_valid_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(slug_valid_cases); i++) {
		const struct slug_valid_case *c = &slug_valid_cases[i];
		if (slug_valid(c->s) != c->valid)
			fail_msg("row %s: expected %s", c->id, c->valid ? "valid" : "invalid");
	}
}

/* ------------------------------------------------------------- summaries */

struct trunc_case {
	const char *id;
	const char *in;
	size_t max;
	const char *want;
};

#define ELL "\xE2\x80\xA6"

static const struct trunc_case trunc_cases[] = {
	{"zero", "anything", 0, ""},
	{"one", "anything", 1, ELL},
	{"invalid-utf8-no-overrun", "\xFF\xFE\xFD\xFC", 2, "\xFF" ELL},
	{"never-splits-combining-mark", "abcde\xCC\x81" "fgh", 6, "abcd" ELL},
	{"drops-trailing-comma", "Hello, world again", 7, "Hello" ELL},
	{"word-boundary", "The quick brown fox", 10, "The quick" ELL},
	{"word-too-early-cuts-hard", "A verylongwordindeed", 10, "A verylon" ELL},
	{"chinese-no-spaces",
	 "\xE4\xB8\x80\xE4\xBA\x8C\xE4\xB8\x89\xE5\x9B\x9B\xE4\xBA\x94\xE5\x85\xAD", 5,
	 "\xE4\xB8\x80\xE4\xBA\x8C\xE4\xB8\x89\xE5\x9B\x9B" ELL},
	{"arabic-comma", "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7\xD8\x8C \xD8\xA8\xD9\x83\xD9\x85", 7,
	 "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7" ELL},
	{"empty", "", 5, ""},
	{"fits-exactly", "12345", 5, "12345"},
	{"fits-multibyte", "Caf\xC3\xA9", 4, "Caf\xC3\xA9"},
	{"one-over", "123456", 5, "1234" ELL},
};

static void test_text_truncate_table(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < HM_ARRAY_LEN(trunc_cases); i++) {
		const struct trunc_case *c = &trunc_cases[i];
		const char *got = text_truncate(&a, c->in, c->max);
		if (strcmp(got, c->want) != 0)
			fail_msg("row %s: got \"%s\", want \"%s\"", c->id, got, c->want);
		if (utf8_chars(got) > c->max)
			fail_msg("row %s: %zu characters, max %zu", c->id, utf8_chars(got), c->max);
	}
	arena_free(&a);
}

static void test_text_truncate_keeps_valid_utf8(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* every cut point of a mixed-script text gives valid UTF-8 */
	const char *s = "Caf\xC3\xA9 \xE4\xB8\x8A\xE6\xB5\xB7 \xD8\xA7\xD9\x84\xD8\xAD "
			"\xF0\x9F\x98\x80 x\xCC\x81y end";
	size_t n = utf8_chars(s);
	for (size_t max = 0; max <= n + 1; max++) {
		const char *got = text_truncate(&a, s, max);
		if (!utf8_valid(got, strlen(got)))
			fail_msg("max %zu: invalid UTF-8", max);
		if (utf8_chars(got) > max)
			fail_msg("max %zu: %zu characters", max, utf8_chars(got));
	}
	arena_free(&a);
}

/* Each thread transliterates with its own ICU object. */
struct slug_job {
	const char *in, *want;
	int ok;
};

static void *slug_thread(void *p)
{
	struct slug_job *j = p;
	struct arena a;
	arena_init(&a);
	j->ok = 1;
	for (int i = 0; i < 30 && j->ok; i++)
		if (strcmp(slugify(&a, j->in), j->want) != 0)
			j->ok = 0;
	arena_free(&a);
	return NULL; /* the thread's transliterator closes as it ends */
}

static void test_slugify_threads_agree(void **state)
{
	(void)state;
	struct slug_job jobs[] = {
		{"Caf\xC3\xA9 \xC3\x9C" "ber", "cafe-uber", 0},
		{"\xE4\xB8\x8A\xE6\xB5\xB7 2012", "shang-hai-2012", 0},
		{"\xD0\x9C\xD0\xB8\xD1\x80", "mir", 0},
	};
	pthread_t th[HM_ARRAY_LEN(jobs)];
	for (size_t i = 0; i < HM_ARRAY_LEN(jobs); i++)
		assert_int_equal(pthread_create(&th[i], NULL, slug_thread, &jobs[i]), 0);
	for (size_t i = 0; i < HM_ARRAY_LEN(jobs); i++) {
		pthread_join(th[i], NULL);
		if (!jobs[i].ok)
			fail_msg("thread %zu (%s) disagreed", i, jobs[i].want);
	}
}

static int teardown(void **state)
{
	(void)state;
	text_thread_cleanup();
	return 0;
}

/* Whole numbers, dates and times: digits where digits belong, nothing
 * strtoll or sscanf would let through besides. */
static void test_text_numbers_and_dates_table(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int ok;
		int64_t v;
	} ints[] = {
		{"0", 1, 0}, {"42", 1, 42}, {"-7", 1, -7}, {"007", 1, 7},
		{"999999999999999999", 1, 999999999999999999LL},
		{"1000000000000000000", 0, 0}, /* 19 digits */
		{"", 0, 0}, {"-", 0, 0}, {"+5", 0, 0}, {" 5", 0, 0}, {"5 ", 0, 0},
		{"\n5", 0, 0}, {"\v+5", 0, 0}, {"5x", 0, 0}, {"--5", 0, 0}, {"0x10", 0, 0},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(ints); i++) {
		int64_t v = -12345;
		int ok = text_int_parse(ints[i].s, &v);
		if (ok != ints[i].ok || (ok && v != ints[i].v))
			fail_msg("text_int_parse(\"%s\") = %d, %lld", ints[i].s, ok, (long long)v);
	}
	assert_false(text_int_parse(NULL, &(int64_t){0}));

	static const struct {
		const char *s;
		int ok;
	} dates[] = {
		{"2012-11-29", 1}, {"2012-02-29", 1}, {"2000-02-29", 1}, {"1900-01-01", 1},
		{"2013-02-29", 0}, {"1900-02-29", 0}, {"2012-02-30", 0}, {"2012-13-01", 0},
		{"2012-00-10", 0}, {"1899-12-31", 0}, {"1999-\n1-01", 0}, {"1999-+1- 1", 0},
		{" 999-01-01", 0}, {"2012-1-291", 0}, {"2012/11/29", 0}, {"2012-11-29T", 0},
		{"", 0},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(dates); i++)
		if (text_date_valid(dates[i].s) != dates[i].ok)
			fail_msg("text_date_valid(\"%s\") != %d", dates[i].s, dates[i].ok);
	assert_false(text_date_valid(NULL));

	int t[5];
	assert_true(text_datetime_parse("2012-11-29T09:30", t));
	assert_int_equal(t[0], 2012);
	assert_int_equal(t[1], 11);
	assert_int_equal(t[2], 29);
	assert_int_equal(t[3], 9);
	assert_int_equal(t[4], 30);
	assert_true(text_datetime_parse("2012-02-29T23:59", t));
	static const char *const bad_times[] = {
		"2012-11-29T24:00", "2012-11-29T09:60", "2012-11-29 09:30", "2013-02-29T10:00",
		"2024-01-01T\n1:+5", "2012-11-29T9:30", "2012-11-29T09:30:00", "",
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(bad_times); i++)
		if (text_datetime_parse(bad_times[i], t))
			fail_msg("text_datetime_parse(\"%s\") accepted", bad_times[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid_table),
		cmocka_unit_test(test_utf8_chars_counts_code_points),
		cmocka_unit_test(test_slugify_table),
		cmocka_unit_test(test_slugify_long_title_cuts_at_word),
		cmocka_unit_test(test_slugify_long_word_is_cut_hard),
		cmocka_unit_test(test_slugify_huge_input_is_bounded),
		cmocka_unit_test(test_slugify_threads_agree),
		cmocka_unit_test(test_slug_valid_table),
		cmocka_unit_test(test_text_truncate_table),
		cmocka_unit_test(test_text_truncate_keeps_valid_utf8),
		cmocka_unit_test(test_text_numbers_and_dates_table),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
