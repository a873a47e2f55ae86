/*
 * test_csv.c — the CSV writer and reader (src/core/csv.c): RFC 4180's own
 * examples, line ends, each error with its line number, the formula guard,
 * and awkward values written and read back. Tables have row ids that
 * failure messages name; a reader's output is written down as
 * "LINE[field][field]" per row and "!LINE:message" per error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

/* Everything the reader gives for data, written down as described above. */
static char *read_all(const char *data, size_t len, size_t max_fields, size_t max_len)
{
	struct csv_reader r;
	struct buf out;
	enum csv_rc rc;
	buf_init(&out);
	csv_reader_init(&r, data, len, max_fields, max_len);
	while ((rc = csv_next(&r)) != CSV_END) {
		if (rc == CSV_ERROR) {
			buf_printf(&out, "!%zu:%s", r.error_line, r.error);
			continue;
		}
		buf_printf(&out, "%zu", r.line);
		for (size_t i = 0; i < r.nfields; i++)
			buf_printf(&out, "[%s]", r.fields[i]);
		if (r.fields[r.nfields] != NULL)
			fail_msg("fields[nfields] is not NULL");
	}
	/* the end stays the end */
	assert_int_equal(csv_next(&r), CSV_END);
	csv_reader_free(&r);
	if (!out.data)
		buf_puts(&out, "");
	return buf_steal(&out);
}

struct read_case {
	const char *id;
	const char *in;
	size_t len;
	const char *want;
};

#define RC(id, in, want) {id, in, sizeof(in) - 1, want}

/* RFC 4180 section 2, rules 1–7, and the line ends of files in the wild. */
static const struct read_case read_cases[] = {
	RC("rfc-1-crlf", "aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n", "1[aaa][bbb][ccc]2[zzz][yyy][xxx]"),
	RC("rfc-2-no-last-eol", "aaa,bbb,ccc\r\nzzz,yyy,xxx", "1[aaa][bbb][ccc]2[zzz][yyy][xxx]"),
	RC("rfc-3-header", "field_name,field_name,field_name\r\naaa,bbb,ccc\r\n",
	   "1[field_name][field_name][field_name]2[aaa][bbb][ccc]"),
	RC("rfc-4-spaces-kept", " aaa , bbb,ccc ", "1[ aaa ][ bbb][ccc ]"),
	RC("rfc-5-quoted", "\"aaa\",\"bbb\",\"ccc\"\r\nzzz,yyy,xxx", "1[aaa][bbb][ccc]2[zzz][yyy][xxx]"),
	RC("rfc-6-crlf-inside", "\"aaa\",\"b\r\nbb\",\"ccc\"\r\nzzz,yyy,xxx",
	   "1[aaa][b\r\nbb][ccc]3[zzz][yyy][xxx]"),
	RC("rfc-7-doubled-quote", "\"aaa\",\"b\"\"bb\",\"ccc\"", "1[aaa][b\"bb][ccc]"),
	RC("lf", "a,b\nc,d\n", "1[a][b]2[c][d]"),
	RC("cr", "a,b\rc,d\r", "1[a][b]2[c][d]"),
	RC("mixed-ends", "a\r\nb\nc\rd", "1[a]2[b]3[c]4[d]"),
	RC("lf-inside-quotes", "\"x\ny\",z\nw", "1[x\ny][z]3[w]"),
	RC("cr-inside-quotes", "\"x\ry\",z\rw", "1[x\ry][z]3[w]"),
	RC("empty-lines-skipped", "\r\n\na\n\r\n\r\nb\n\n", "3[a]6[b]"),
	RC("bom-skipped", "\xEF\xBB\xBFname,email\r\n", "1[name][email]"),
	RC("bom-only", "\xEF\xBB\xBF", ""),
	RC("empty", "", ""),
	RC("empty-fields", ",,\n,", "1[][][]2[][]"),
	RC("quoted-empty", "\"\"\n", "1[]"),
	RC("quoted-sep-inside", "\"a,b\",c", "1[a,b][c]"),
	RC("quote-only-content", "\"\"\"\"", "1[\"]"),
	RC("chinese-arabic", "\xE4\xB8\x8A\xE6\xB5\xB7,\xD9\x85\xD8\xB5\xD8\xB1",
	   "1[\xE4\xB8\x8A\xE6\xB5\xB7][\xD9\x85\xD8\xB5\xD8\xB1]"),
	RC("space-only-line-is-a-row", "a\n \nb", "1[a]2[ ]3[b]"),
};

static void test_csv_reads_rfc4180_and_line_ends(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(read_cases); i++) {
		const struct read_case *c = &read_cases[i];
		char *got = read_all(c->in, c->len, 0, 0);
		if (strcmp(got, c->want))
			fail_msg("%s: got \"%s\", want \"%s\"", c->id, got, c->want);
		free(got);
	}
}

struct error_case {
	const char *id;
	const char *in;
	size_t len;
	size_t max_fields, max_len;
	const char *want;
};

#define EC(id, in, nf, nl, want) {id, in, sizeof(in) - 1, nf, nl, want}

/* Each error with its line; the reader goes on with the next row. */
static const struct error_case error_cases[] = {
	EC("bare-quote", "a,b\nc,d\"e,f\ng,h", 0, 0,
	   "1[a][b]!2:a quote in the middle of a field3[g][h]"),
	EC("text-after-closing-quote", "a\n\"x\"y,z\nw", 0, 0,
	   "1[a]!2:a quote in the middle of a field3[w]"),
	EC("unterminated", "a\n\"open,b\nc\nd", 0, 0, "1[a]!2:a quoted field is not closed"),
	EC("unterminated-at-eof", "\"", 0, 0, "!1:a quoted field is not closed"),
	EC("bad-utf8", "ok\n\xC3\x28,x\nok", 0, 0, "1[ok]!2:the text is not valid UTF-8" "3[ok]"),
	EC("overlong-utf8", "a\nb\n\xC0\xAF", 0, 0, "1[a]2[b]!3:the text is not valid UTF-8"),
	EC("truncated-utf8-quoted", "\"\xE4\xB8\"", 0, 0, "!1:the text is not valid UTF-8"),
	EC("nul", "a\nb\0c\nd", 0, 0, "1[a]!2:a NUL byte: this is not a text file" "3[d]"),
	EC("utf16-le", "\xFF\xFEn\0a\0", 0, 0, "!1:the file is in UTF-16: save it as CSV UTF-8"),
	EC("utf16-be", "\xFE\xFF\0n\0a", 0, 0, "!1:the file is in UTF-16: save it as CSV UTF-8"),
	EC("too-many-fields", "a,b,c\na,b,c,d\na,b", 3, 0, "1[a][b][c]!2:too many fields3[a][b]"),
	EC("too-many-after-multiline", "\"x\ny\",b,c\nz", 2, 0, "!2:too many fields3[z]"),
	EC("field-too-long", "abcd,abc\nabcde\nab", 0, 4, "1[abcd][abc]!2:a field is too long3[ab]"),
	EC("quoted-too-long", "\"abcde\"\nx", 0, 4, "!1:a field is too long2[x]"),
	EC("first-error-wins", "a\"b,\xFF\n", 0, 0, "!1:a quote in the middle of a field"),
	EC("error-line-in-multiline-field", "\"a\nb\"c\n", 0, 0,
	   "!2:a quote in the middle of a field"),
};

static void test_csv_errors_name_their_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		char *got = read_all(c->in, c->len, c->max_fields, c->max_len);
		if (strcmp(got, c->want))
			fail_msg("%s: got \"%s\", want \"%s\"", c->id, got, c->want);
		free(got);
	}
}

/* ---------------------------------------------------------------- writer */

static char *write_row(const char *const *fields, size_t n)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++)
		csv_field(&b, fields[i]);
	csv_end_row(&b);
	return buf_steal(&b);
}

struct write_case {
	const char *id;
	const char *field;
	const char *want; /* the row holding only this field */
};

static const struct write_case write_cases[] = {
	{"plain", "Shanghai", "Shanghai\r\n"},
	{"comma", "a,b", "\"a,b\"\r\n"},
	{"quote", "say \"hi\"", "\"say \"\"hi\"\"\"\r\n"},
	{"lf", "a\nb", "\"a\nb\"\r\n"},
	{"cr", "a\rb", "\"a\rb\"\r\n"},
	{"empty-alone", "", "\"\"\r\n"},
	{"null-alone", NULL, "\"\"\r\n"},
	{"leading-feff", "\xEF\xBB\xBFx", "\"\xEF\xBB\xBFx\"\r\n"},
	{"spaces-kept", " a ", " a \r\n"},
	/* the formula guard */
	{"equals", "=1+2", "'=1+2\r\n"},
	{"dde", "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0\r\n"},
	{"hyperlink-quoted", "=HYPERLINK(\"http://x\",\"y\")",
	 "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n"},
	{"at", "@SUM(A1)", "'@SUM(A1)\r\n"},
	{"plus-formula", "+cmd", "'+cmd\r\n"},
	{"phone-spaces", "+33 1 23 45 67 89", "'+33 1 23 45 67 89\r\n"},
	{"phone-digits", "+33123456789", "'+33123456789\r\n"},
	{"plus-number", "+3", "'+3\r\n"},
	{"minus-formula", "-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0\r\n"},
	{"minus-alone", "-", "'-\r\n"},
	{"minus-letters", "-x", "'-x\r\n"},
	{"minus-trailing-point", "-3.", "'-3.\r\n"},
	{"minus-exponent", "-1e5", "'-1e5\r\n"},
	{"tab", "\tx", "'\tx\r\n"},
	{"cr-lead-quoted", "\rx", "\"'\rx\"\r\n"},
	{"negative-int-kept", "-3", "-3\r\n"},
	{"negative-decimal-kept", "-0.25", "-0.25\r\n"},
	{"positive-int", "42", "42\r\n"},
	{"equals-inside-fine", "a=b", "a=b\r\n"},
};

static void test_csv_writer_quotes_and_guards(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(write_cases); i++) {
		const struct write_case *c = &write_cases[i];
		char *got = write_row(&c->field, 1);
		if (strcmp(got, c->want))
			fail_msg("%s: got \"%s\", want \"%s\"", c->id, got, c->want);
		free(got);
	}
}

static void test_csv_writer_rows_and_bom(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	csv_bom(&b);
	csv_field(&b, ""); /* a row of one empty field right after the BOM */
	csv_end_row(&b);
	csv_field(&b, "name");
	csv_field(&b, "");
	csv_field(&b, "email");
	csv_end_row(&b);
	csv_field(&b, "");
	csv_field(&b, "");
	csv_end_row(&b);
	assert_string_equal(b.data, "\xEF\xBB\xBF\"\"\r\nname,,email\r\n,\r\n");
	char *got = read_all(b.data, b.len, 0, 0);
	assert_string_equal(got, "1[]2[name][][email]3[][]");
	free(got);
	buf_free(&b);
}

/* Awkward values, written and read back: what went in comes out, but for
 * the guard's quote. */
static void test_csv_round_trip(void **state)
{
	(void)state;
	static const char *const values[] = {
		"\xE5\xBC\xA0\xE4\xBC\x9F",                             /* 张伟 */
		"\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF \xD8\xB9\xD9\x84\xD9\x8A", /* محمد علي */
		"say \"hi\"", "a,b,c", "two\r\nlines", "lf\nonly", "cr\ronly", "\"", "\"\"", ",",
		"", " padded ", "O'Brien", "trailing\n", "\xF0\x9F\x98\x80 emoji", "-3", "=1+2",
		"+33 1 23 45 67 89", "\xEF\xBB\xBF" "feff", "\tx", "a;b",
	};
	size_t n = HM_ARRAY_LEN(values);
	struct buf b;
	buf_init(&b);
	csv_bom(&b);
	for (size_t row = 0; row < 3; row++) {
		for (size_t i = 0; i < n; i++)
			csv_field(&b, values[(i + row) % n]);
		csv_end_row(&b);
	}
	struct csv_reader r;
	csv_reader_init(&r, b.data, b.len, 0, 0);
	for (size_t row = 0; row < 3; row++) {
		assert_int_equal(csv_next(&r), CSV_ROW);
		assert_int_equal(r.nfields, n);
		for (size_t i = 0; i < n; i++) {
			const char *v = values[(i + row) % n];
			const char *got = r.fields[i];
			if (csv_needs_guard(v)) {
				if (got[0] != '\'')
					fail_msg("row %zu field %zu: no guard on \"%s\"", row, i, v);
				got++;
			}
			if (strcmp(got, v))
				fail_msg("row %zu field %zu: got \"%s\", want \"%s\"", row, i, got, v);
		}
	}
	assert_int_equal(csv_next(&r), CSV_END);
	csv_reader_free(&r);
	buf_free(&b);
}

/* ---------------------------------------------------------------- header */

static void test_csv_header_map(void **state)
{
	(void)state;
	static const char hdr[] = "\xEF\xBB\xBF Full Name ,E-Mail,organisation,\xE5\x9B\xBD\xE5\xAE\xB6,"
				  "phone,Phone\n";
	static const char *const names[] = {
		"name|full name", "email|mail", "Organisation|organization",
		"country|\xE5\x9B\xBD\xE5\xAE\xB6", "phone", "gender", "",
	};
	int idx[HM_ARRAY_LEN(names)];
	struct csv_reader r;
	csv_reader_init(&r, hdr, sizeof(hdr) - 1, 0, 0);
	assert_int_equal(csv_next(&r), CSV_ROW);
	assert_int_equal(csv_header_map(&r, names, HM_ARRAY_LEN(names), idx), 4);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 1);
	assert_int_equal(idx[2], 2);
	assert_int_equal(idx[3], 3);
	assert_int_equal(idx[4], CSV_COL_TWICE);
	assert_int_equal(idx[5], CSV_COL_ABSENT);
	assert_int_equal(idx[6], CSV_COL_ABSENT); /* an empty name matches nothing */
	assert_string_equal(csv_get(&r, 1), "E-Mail");
	assert_string_equal(csv_get(&r, 99), "");
	csv_reader_free(&r);

	/* e_mail and " EMAIL " are the same column */
	static const char hdr2[] = "e_mail,x\n";
	csv_reader_init(&r, hdr2, sizeof(hdr2) - 1, 0, 0);
	assert_int_equal(csv_next(&r), CSV_ROW);
	const char *const email[] = {" EMAIL "};
	assert_int_equal(csv_header_map(&r, email, 1, idx), 1);
	assert_int_equal(idx[0], 0);
	csv_reader_free(&r);
}

static void test_csv_semicolon_files(void **state)
{
	(void)state;
	static const char semi[] = "\xEF\xBB\xBFname;email\r\n\"Doe; Jane\";j@example.org\r\n";
	assert_int_equal(csv_sniff_sep(semi, sizeof(semi) - 1), ';');
	assert_int_equal(csv_sniff_sep("a,b;c\n", 6), ',');
	assert_int_equal(csv_sniff_sep("\"a;b\",c\n", 8), ',');
	assert_int_equal(csv_sniff_sep("\"a,b\";c\n", 8), ';');
	assert_int_equal(csv_sniff_sep("name\n", 5), ',');
	struct csv_reader r;
	csv_reader_init(&r, semi, sizeof(semi) - 1, 0, 0);
	r.sep = csv_sniff_sep(semi, sizeof(semi) - 1);
	assert_int_equal(csv_next(&r), CSV_ROW);
	assert_int_equal(r.nfields, 2);
	assert_int_equal(csv_next(&r), CSV_ROW);
	assert_string_equal(r.fields[0], "Doe; Jane");
	assert_string_equal(r.fields[1], "j@example.org");
	csv_reader_free(&r);
}

/* Many fields grow the arrays; the limit still holds. */
static void test_csv_wide_row(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 300; i++)
		csv_field(&b, "x");
	csv_end_row(&b);
	struct csv_reader r;
	csv_reader_init(&r, b.data, b.len, 300, 0);
	assert_int_equal(csv_next(&r), CSV_ROW);
	assert_int_equal(r.nfields, 300);
	csv_reader_free(&r);
	csv_reader_init(&r, b.data, b.len, 0, 0); /* the default, 256 */
	assert_int_equal(csv_next(&r), CSV_ERROR);
	assert_string_equal(r.error, "too many fields");
	csv_reader_free(&r);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_reads_rfc4180_and_line_ends),
		cmocka_unit_test(test_csv_errors_name_their_line),
		cmocka_unit_test(test_csv_writer_quotes_and_guards),
		cmocka_unit_test(test_csv_writer_rows_and_bom),
		cmocka_unit_test(test_csv_round_trip),
		cmocka_unit_test(test_csv_header_map),
		cmocka_unit_test(test_csv_semicolon_files),
		cmocka_unit_test(test_csv_wide_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
