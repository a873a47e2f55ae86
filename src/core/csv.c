/*
 * csv.c — RFC 4180 CSV: the export writer (BOM, quoting, formula guard)
 * and the import reader (untrusted bytes to NUL-terminated fields, with a
 * line number for every error). See csv.h for the contracts.
 */
#include "core/csv.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static const char BOM[] = "\xEF\xBB\xBF";

/* ---------------------------------------------------------------- writer */

void csv_bom(struct buf *out)
{
	buf_append(out, BOM, 3);
}

/* "-3", "-0.25": a minus, digits, at most one point followed by digits. */
static int negative_number(const char *t)
{
	const char *p = t + 1;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/*
 * The formula guard (OWASP "CSV injection"): a spreadsheet runs a cell
 * that begins with =, +, -, @ (and, after trimming, tab or CR) as a
 * formula, which can call out (DDE, HYPERLINK) with the data of the other
 * cells. Such a field gets a leading single quote, which makes it text.
 *
 * OWASP says to guard always. We make one exception, negative numbers
 * ("-3", "-0.25"): no formula can be written with a minus, digits and a
 * point, and spreadsheets read them as the numbers they are.
 *
 * A leading + is always guarded, phone numbers included, because that is
 * the better outcome for them too: unguarded, Excel evaluates
 * "+33 1 23 45 67 89" (a space is its intersection operator: #NULL!) and
 * turns "+33123456789" into the number 3.31E+10, plus lost; guarded, both
 * stay the text a reader recognises, behind a visible quote. Exempting
 * "+ digits and spaces" would buy nothing and widen what must be proven
 * harmless.
 */
int csv_needs_guard(const char *t)
{
	if (!t)
		return 0;
	switch (t[0]) {
	case '=':
	case '+':
	case '@':
	case '\t':
	case '\r':
		return 1;
	case '-':
		return !negative_number(t);
	default:
		return 0;
	}
}

void csv_field(struct buf *out, const char *text)
{
	const char *t = text ? text : "";
	int quote = strpbrk(t, ",\"\r\n") != NULL || strncmp(t, BOM, 3) == 0;
	if (quote)
		buf_putc(out, '"');
	if (csv_needs_guard(t))
		buf_putc(out, '\'');
	for (const char *q; (q = strchr(t, '"')); t = q + 1) {
		buf_append(out, t, (size_t)(q - t + 1)); /* up to and with the quote */
		buf_putc(out, '"');
	}
	buf_puts(out, t);
	if (quote)
		buf_putc(out, '"');
	buf_putc(out, ',');
}

void csv_end_row(struct buf *out)
{
	if (out->len && out->data[out->len - 1] == ',') {
		out->len--;
		/* A row of one empty field would be an empty line, which readers
		 * skip: write it as "". (No field ends with LF unquoted, so a
		 * row that is empty now follows a line end, or the BOM.) */
		if (out->len == 0 || out->data[out->len - 1] == '\n' ||
		    (out->len == 3 && memcmp(out->data, BOM, 3) == 0))
			buf_puts(out, "\"\"");
	}
	buf_puts(out, "\r\n");
}

/* ---------------------------------------------------------------- reader */

void csv_reader_init(struct csv_reader *r, const char *data, size_t len, size_t max_fields,
		     size_t max_field_len)
{
	memset(r, 0, sizeof(*r));
	r->data = data;
	r->len = len;
	r->cur_line = 1;
	r->sep = ',';
	r->max_fields = max_fields ? max_fields : CSV_MAX_FIELDS;
	r->max_field_len = max_field_len ? max_field_len : CSV_MAX_FIELD_LEN;
	buf_init(&r->row);
	if (len >= 3 && memcmp(data, BOM, 3) == 0)
		r->pos = 3;
}

void csv_reader_free(struct csv_reader *r)
{
	buf_free(&r->row);
	free(r->fields);
	free(r->offs);
	r->fields = NULL;
	r->offs = NULL;
}

const char *csv_get(const struct csv_reader *r, size_t i)
{
	return i < r->nfields ? r->fields[i] : "";
}

/* The row's first error wins. */
static void fail(struct csv_reader *r, const char *msgid, size_t line)
{
	if (!r->error) {
		r->error = msgid;
		r->error_line = line;
	}
}

/* Consumes one line end (LF, CRLF or CR) at pos: 1 if there was one. */
static int eat_eol(struct csv_reader *r)
{
	if (r->pos >= r->len || (r->data[r->pos] != '\r' && r->data[r->pos] != '\n'))
		return 0;
	if (r->data[r->pos++] == '\r' && r->pos < r->len && r->data[r->pos] == '\n')
		r->pos++;
	r->cur_line++;
	return 1;
}

/* Appends c to the field that began at row offset start, within the limit. */
static void put(struct csv_reader *r, size_t start, size_t fline, char c)
{
	if (r->row.len - start >= r->max_field_len)
		fail(r, N_("a field is too long"), fline);
	else
		buf_putc(&r->row, c);
}

/* Ends the field that began at start: checked, NUL-terminated, recorded. */
static void end_field(struct csv_reader *r, size_t start, size_t fline)
{
	const char *f = r->row.data ? r->row.data + start : "";
	size_t flen = r->row.len - start;
	if (memchr(f, '\0', flen))
		fail(r, N_("a NUL byte: this is not a text file"), fline);
	else if (!utf8_valid(f, flen))
		fail(r, N_("the text is not valid UTF-8"), fline);
	buf_putc(&r->row, '\0');
	if (r->nfields == r->cap_fields) {
		r->cap_fields = r->cap_fields ? r->cap_fields * 2 : 16;
		r->offs = xrealloc(r->offs, r->cap_fields * sizeof(*r->offs));
		r->fields = xrealloc(r->fields, (r->cap_fields + 1) * sizeof(*r->fields));
	}
	r->offs[r->nfields++] = start;
}

enum csv_rc csv_next(struct csv_reader *r)
{
	const char *d = r->data;
	buf_reset(&r->row);
	r->nfields = 0;
	r->error = NULL;
	r->error_line = 0;
	if (r->pos == 0 && r->len >= 2 &&
	    ((d[0] == '\xFF' && d[1] == '\xFE') || (d[0] == '\xFE' && d[1] == '\xFF'))) {
		r->pos = r->len;
		fail(r, N_("the file is in UTF-16: save it as CSV UTF-8"), 1);
		return CSV_ERROR;
	}
	while (eat_eol(r))
		; /* empty lines */
	if (r->pos >= r->len)
		return CSV_END;
	r->line = r->cur_line;
	for (int more = 1; more;) {
		size_t fline = r->cur_line, start = r->row.len;
		int keep = r->nfields < r->max_fields, quoted = 0;
		if (!keep)
			fail(r, N_("too many fields"), fline);
		if (r->pos < r->len && d[r->pos] == '"') {
			quoted = 1;
			for (r->pos++;;) {
				if (r->pos >= r->len) {
					fail(r, N_("a quoted field is not closed"), fline);
					more = 0;
					break;
				}
				char c = d[r->pos++];
				if (c == '"' && (r->pos >= r->len || d[r->pos] != '"'))
					break; /* the closing quote */
				if (c == '"')
					r->pos++; /* a doubled quote is one */
				else if (c == '\r' || (c == '\n' && d[r->pos - 2] != '\r'))
					r->cur_line++;
				if (keep)
					put(r, start, fline, c);
			}
		}
		/* an unquoted field; after a quoted one, only stray text */
		while (r->pos < r->len && d[r->pos] != r->sep && d[r->pos] != '\r' && d[r->pos] != '\n') {
			if (quoted || d[r->pos] == '"')
				fail(r, N_("a quote in the middle of a field"), r->cur_line);
			if (keep)
				put(r, start, fline, d[r->pos]);
			r->pos++;
		}
		if (keep)
			end_field(r, start, fline);
		if (more && r->pos < r->len && d[r->pos] == r->sep)
			r->pos++;
		else
			more = 0;
	}
	eat_eol(r);
	for (size_t i = 0; i < r->nfields; i++)
		r->fields[i] = r->row.data + r->offs[i];
	r->fields[r->nfields] = NULL;
	return r->error ? CSV_ERROR : CSV_ROW;
}

char csv_sniff_sep(const char *data, size_t len)
{
	size_t i = len >= 3 && memcmp(data, BOM, 3) == 0 ? 3 : 0;
	int inq = 0, commas = 0, semis = 0;
	for (; i < len && (inq || (data[i] != '\r' && data[i] != '\n')); i++) {
		if (data[i] == '"')
			inq = !inq;
		else if (!inq && data[i] == ',')
			commas++;
		else if (!inq && data[i] == ';')
			semis++;
	}
	return commas == 0 && semis > 0 ? ';' : ',';
}

/* ---------------------------------------------------------------- header */

static int ignorable(char c)
{
	return c == ' ' || c == '\t' || c == '-' || c == '_' || c == '.';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* a[0..an) and b[0..bn) equal but for case and ignorable characters, and
 * not empty. */
static int name_eq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0, n = 0;
	for (;; i++, j++, n++) {
		while (i < an && ignorable(a[i]))
			i++;
		while (j < bn && ignorable(b[j]))
			j++;
		if (i == an || j == bn)
			return i == an && j == bn && n > 0;
		if (lower(a[i]) != lower(b[j]))
			return 0;
	}
}

/* field matches one of the '|'-separated aliases. */
static int name_matches(const char *aliases, const char *field)
{
	for (const char *a = aliases;;) {
		const char *bar = strchr(a, '|');
		size_t alen = bar ? (size_t)(bar - a) : strlen(a);
		if (name_eq(a, alen, field, strlen(field)))
			return 1;
		if (!bar)
			return 0;
		a = bar + 1;
	}
}

size_t csv_header_map(const struct csv_reader *r, const char *const *names, size_t n, int *idx)
{
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		idx[i] = CSV_COL_ABSENT;
		for (size_t f = 0; f < r->nfields; f++)
			if (name_matches(names[i], r->fields[f]))
				idx[i] = idx[i] == CSV_COL_ABSENT ? (int)f : CSV_COL_TWICE;
		found += idx[i] >= 0;
	}
	return found;
}
