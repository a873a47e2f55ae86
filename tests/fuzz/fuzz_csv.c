/*
 * fuzz_csv.c — libFuzzer target for the CSV reader (src/core/csv.c): the
 * first byte picks the limits and the separator, the rest is the file.
 * What must hold: every row's fields are valid UTF-8 without NUL, within
 * the limits; line numbers start at 1 and never go back; an error has a
 * message and a line; and a good row written by the writer reads back the
 * same (but for the formula guard's quote).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/text.h"

static void check_round_trip(char *const *fields, size_t n, char sep)
{
	struct buf b;
	buf_init(&b);
	csv_bom(&b);
	for (size_t i = 0; i < n; i++)
		csv_field(&b, fields[i]);
	csv_end_row(&b);
	struct csv_reader r;
	csv_reader_init(&r, b.data, b.len, n, CSV_MAX_FIELD_LEN + 1); /* the guard adds a byte */
	(void)sep; /* the writer always writes commas */
	if (csv_next(&r) != CSV_ROW || r.nfields != n)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		const char *got = r.fields[i] + (csv_needs_guard(fields[i]) ? 1 : 0);
		if (strcmp(got, fields[i]))
			__builtin_trap();
	}
	if (csv_next(&r) != CSV_END)
		__builtin_trap();
	csv_reader_free(&r);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t max_fields = 1 + (data[0] & 7), max_len = (data[0] & 0x30) ? 1 + (data[0] >> 4) * 8 : 0;
	/* the file in its own exact-size buffer: no NUL after it to lean on */
	size_t n = size - 1;
	char *in = xmalloc(n ? n : 1);
	memcpy(in, data + 1, n);
	size_t lines = 1;
	for (size_t i = 0; i < n; i++)
		lines += in[i] == '\n' || (in[i] == '\r' && (i + 1 == n || in[i + 1] != '\n'));

	struct csv_reader r;
	csv_reader_init(&r, in, n, max_fields, max_len);
	if (data[0] & 0x80)
		r.sep = csv_sniff_sep(in, n);
	size_t last = 0, rows = 0;
	enum csv_rc rc;
	while ((rc = csv_next(&r)) != CSV_END) {
		if (++rows > n + 1)
			__builtin_trap(); /* no progress */
		if (rc == CSV_ERROR) {
			if (!r.error || !*r.error || r.error_line < 1 || r.error_line > lines)
				__builtin_trap();
			continue;
		}
		if (r.line < 1 || r.line > lines || r.line < last || r.nfields < 1 ||
		    r.nfields > max_fields || r.fields[r.nfields])
			__builtin_trap();
		last = r.line;
		for (size_t i = 0; i < r.nfields; i++) {
			size_t len = strlen(r.fields[i]);
			if (!utf8_valid(r.fields[i], len) || len > (max_len ? max_len : CSV_MAX_FIELD_LEN))
				__builtin_trap();
		}
		if (rows == 1) {
			static const char *const names[] = {"email|e-mail", "name", "x"};
			int idx[3];
			size_t found = csv_header_map(&r, names, 3, idx);
			for (size_t i = 0; i < 3; i++)
				if (idx[i] >= (int)r.nfields || idx[i] < CSV_COL_TWICE)
					__builtin_trap();
			if (found > 3)
				__builtin_trap();
		}
		if (r.sep == ',')
			check_round_trip(r.fields, r.nfields, r.sep);
	}
	csv_reader_free(&r);
	free(in);
	return 0;
}
