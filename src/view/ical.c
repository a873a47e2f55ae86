/*
 * ical.c — iCalendar content lines (RFC 5545 §3.1 and §3.3.11): folding,
 * escaping and the two date forms harmony writes.
 */
#include "view/ical.h"
#include "core/text.h"

#include <string.h>
#include <time.h>

/* Appends line (without its CRLF) folded: at most 75 octets a line, a
 * continuation line starting with one space, which counts; a cut never
 * falls inside a UTF-8 sequence. */
static void fold(struct buf *b, const char *line, size_t len)
{
	size_t room = 75, i = 0;
	while (len - i > room) {
		size_t cut = i + room;
		while (cut > i && ((unsigned char)line[cut] & 0xC0) == 0x80)
			cut--; /* back to the start of a character */
		buf_append(b, line + i, cut - i);
		buf_puts(b, "\r\n ");
		i = cut;
		room = 74;
	}
	buf_append(b, line + i, len - i);
	buf_puts(b, "\r\n");
}

void ical_prop(struct buf *b, const char *name, const char *value)
{
	if (!value)
		return;
	struct buf line;
	buf_init(&line);
	buf_printf(&line, "%s:%s", name, value);
	fold(b, line.data, line.len);
	buf_free(&line);
}

void ical_text(struct buf *b, const char *name, const char *text)
{
	if (!text || !*text)
		return;
	struct buf line;
	buf_init(&line);
	buf_printf(&line, "%s:", name);
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\\' || c == ';' || c == ',') {
			buf_putc(&line, '\\');
			buf_putc(&line, (char)c);
		} else if (c == '\n') {
			buf_puts(&line, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			continue; /* CR, tabs and other controls: not in a TEXT value */
		} else {
			buf_putc(&line, (char)c);
		}
	}
	fold(b, line.data, line.len);
	buf_free(&line);
}

int ical_date(const char *date, int next_day, char out[9])
{
	if (!date || !text_date_valid(date))
		return 0;
	struct tm tm = {0};
	tm.tm_year = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 +
		     (date[3] - '0') - 1900;
	tm.tm_mon = (date[5] - '0') * 10 + (date[6] - '0') - 1;
	tm.tm_mday = (date[8] - '0') * 10 + (date[9] - '0') + (next_day ? 1 : 0);
	time_t t = timegm(&tm); /* normalises the 32nd to the 1st of the next month */
	struct tm n;
	if (t == (time_t)-1 || !gmtime_r(&t, &n))
		return 0;
	return strftime(out, 9, "%Y%m%d", &n) == 8;
}

int ical_utc(const char *s, char out[17])
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (!s || strlen(s) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return 0;
	memcpy(out, s, 4);
	memcpy(out + 4, s + 5, 2);
	memcpy(out + 6, s + 8, 2);
	out[8] = 'T';
	memcpy(out + 9, s + 11, 2);
	memcpy(out + 11, s + 14, 2);
	memcpy(out + 13, s + 17, 2);
	out[15] = 'Z';
	out[16] = '\0';
	return 1;
}
