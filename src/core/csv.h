/*
 * csv.h — CSV as RFC 4180 has it, both ways: a writer for exports that
 * spreadsheets open right (UTF-8 with a BOM, CRLF, quoting, no formula
 * injection) and a reader for imports of untrusted files (an invitation
 * list) that reports each bad line by its number.
 *
 * Writer: each csv_field appends one field and a comma; csv_end_row turns
 * that last comma into CRLF. A row needs at least one field.
 *
 *	csv_bom(&out);
 *	csv_field(&out, "name"); csv_field(&out, "email"); csv_end_row(&out);
 *
 * Reader: borrows the bytes (they must outlive it) and owns the fields of
 * the row it returns, NUL-terminated, valid until the next csv_next or
 * csv_reader_free.
 *
 *	struct csv_reader r;
 *	csv_reader_init(&r, data, len, 0, 0);
 *	while ((rc = csv_next(&r)) != CSV_END)
 *		if (rc == CSV_ERROR) report(r.error_line, _(r.error));
 *		else use(r.fields, r.nfields, r.line);
 *	csv_reader_free(&r);
 */
#ifndef HM_CORE_CSV_H
#define HM_CORE_CSV_H

#include <stddef.h>

#include "core/core.h"

/* ---- writer ---- */

/* Appends the UTF-8 byte order mark: Excel reads the file as UTF-8 only
 * with it. Call first, once. */
void csv_bom(struct buf *out);

/* Appends text (NULL: an empty field) as one field followed by a comma:
 * quoted, with its quotes doubled, when it holds a comma, a quote, CR or
 * LF (or begins with U+FEFF, which a reader would take for a BOM). A
 * field that a spreadsheet would run as a formula — beginning with =, +,
 * -, @, tab or CR — gets a leading single quote (see csv.c for the one
 * exception, negative numbers such as "-3"). */
void csv_field(struct buf *out, const char *text);

/* Ends the row: its last field's comma becomes CRLF. */
void csv_end_row(struct buf *out);

/* 1 if csv_field would prefix text with a quote (formula injection). */
int csv_needs_guard(const char *text);

/* ---- reader ---- */

#define CSV_MAX_FIELDS 256        /* default fields per row */
#define CSV_MAX_FIELD_LEN 65536   /* default bytes per field */

enum csv_rc {
	CSV_ERROR = -1, /* this row is bad: error and error_line say why */
	CSV_END = 0,    /* no more rows */
	CSV_ROW = 1,    /* fields[0..nfields) hold the next row */
};

struct csv_reader {
	/* the row csv_next returned: nfields >= 1, fields[i] NUL-terminated
	 * and valid UTF-8 without NUL bytes; fields[nfields] is NULL */
	char **fields;
	size_t nfields;
	size_t line;             /* the line the row starts on, from 1 */
	/* after CSV_ERROR: a short English message, a msgid the caller
	 * translates, and the line it was found on */
	const char *error;
	size_t error_line;
	char sep;                /* ',' unless the caller sets ';' (see csv_sniff_sep) */

	/* private */
	const char *data;
	size_t len, pos, cur_line;
	size_t max_fields, max_field_len;
	struct buf row;          /* the fields, one after another, each with its NUL */
	size_t *offs;            /* where each field starts in row */
	size_t cap_fields;
};

/* Prepares r to read data[0..len), which it borrows. A leading UTF-8 BOM
 * is skipped. Limits of 0 take the defaults above. Never fails; input in
 * UTF-16 is reported by the first csv_next. */
void csv_reader_init(struct csv_reader *r, const char *data, size_t len, size_t max_fields,
		     size_t max_field_len);

/* Reads the next row; empty lines are skipped, and LF, CRLF and CR all
 * end a line (inside quotes they are kept as they are). On CSV_ERROR the
 * row is consumed, so the next call goes on with the next row and a
 * caller can list every bad line; an unterminated quote consumes the rest
 * of the input. Errors, in r->error (first one found in the row):
 *   "a quote in the middle of a field", "a quoted field is not closed",
 *   "the text is not valid UTF-8", "a NUL byte: this is not a text file",
 *   "the file is in UTF-16: save it as CSV UTF-8", "too many fields",
 *   "a field is too long". */
enum csv_rc csv_next(struct csv_reader *r);

/* Frees what the reader owns (not the data). */
void csv_reader_free(struct csv_reader *r);

/* The row's field i, or "" past its end (a short row). */
const char *csv_get(const struct csv_reader *r, size_t i);

/* ';' if the first line of data holds semicolons and no comma outside
 * quotes (a spreadsheet in a French or German locale saves so), else ','.
 * Store it in r->sep after csv_reader_init. */
char csv_sniff_sep(const char *data, size_t len);

#define CSV_COL_ABSENT (-1)
#define CSV_COL_TWICE (-2)

/* Maps the header row r holds to columns: idx[i] is the index of the field
 * named by names[i], which may list aliases separated by '|'
 * ("email|e-mail|mail"). Names compare with ASCII case ignored, spaces
 * trimmed, and ' ', '-', '_' and '.' left out, so "E-mail", " EMAIL " and
 * "e_mail" all match "email". CSV_COL_ABSENT when no field matches,
 * CSV_COL_TWICE when two do. Returns the number of names found once. */
size_t csv_header_map(const struct csv_reader *r, const char *const *names, size_t n, int *idx);

#endif
